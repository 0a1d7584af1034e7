package app

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

// demoHolidays are the public holidays and make-up workdays of the State
// Council's notices for 2025 and 2026 (国务院办公厅关于部分节假日安排的通知),
// as the demo branch's working calendars. Other years are left for the
// institution to set up: the system never guesses a calendar.
func demoHolidays() map[int][]holidayRange {
	return map[int][]holidayRange{
		2025: {
			{"2025-01-01", "2025-01-01", attendance.Holiday, "元旦"},
			{"2025-01-26", "2025-01-26", attendance.MakeupWorkday, "春节调休"},
			{"2025-01-28", "2025-02-04", attendance.Holiday, "春节"},
			{"2025-02-08", "2025-02-08", attendance.MakeupWorkday, "春节调休"},
			{"2025-04-04", "2025-04-06", attendance.Holiday, "清明节"},
			{"2025-04-27", "2025-04-27", attendance.MakeupWorkday, "劳动节调休"},
			{"2025-05-01", "2025-05-05", attendance.Holiday, "劳动节"},
			{"2025-05-31", "2025-06-02", attendance.Holiday, "端午节"},
			{"2025-09-28", "2025-09-28", attendance.MakeupWorkday, "国庆节调休"},
			{"2025-10-01", "2025-10-08", attendance.Holiday, "国庆节、中秋节"},
			{"2025-10-11", "2025-10-11", attendance.MakeupWorkday, "国庆节调休"},
		},
		2026: {
			{"2026-01-01", "2026-01-03", attendance.Holiday, "元旦"},
			{"2026-01-04", "2026-01-04", attendance.MakeupWorkday, "元旦调休"},
			{"2026-02-14", "2026-02-14", attendance.MakeupWorkday, "春节调休"},
			{"2026-02-15", "2026-02-23", attendance.Holiday, "春节"},
			{"2026-02-28", "2026-02-28", attendance.MakeupWorkday, "春节调休"},
			{"2026-04-04", "2026-04-06", attendance.Holiday, "清明节"},
			{"2026-05-01", "2026-05-05", attendance.Holiday, "劳动节"},
			{"2026-05-09", "2026-05-09", attendance.MakeupWorkday, "劳动节调休"},
			{"2026-06-19", "2026-06-21", attendance.Holiday, "端午节"},
			{"2026-09-20", "2026-09-20", attendance.MakeupWorkday, "国庆节调休"},
			{"2026-09-25", "2026-09-27", attendance.Holiday, "中秋节"},
			{"2026-10-01", "2026-10-07", attendance.Holiday, "国庆节"},
			{"2026-10-10", "2026-10-10", attendance.MakeupWorkday, "国庆节调休"},
		},
	}
}

type holidayRange struct {
	from, to string
	kind     attendance.DayKind
	name     string
}

// demoCalendars stores the demo's working calendars through the service.
func demoCalendars(ctx context.Context, s *Services) error {
	all := demoHolidays()
	for _, year := range slices.Sorted(maps.Keys(all)) {
		var entries []attendance.Entry
		for _, h := range all[year] {
			from, err := platform.ParseDate(h.from)
			if err != nil {
				return err
			}
			to, err := platform.ParseDate(h.to)
			if err != nil {
				return err
			}
			for d := from; !d.After(to); d = d.AddDays(1) {
				entries = append(entries, attendance.Entry{Date: d, Kind: h.kind, Name: h.name})
			}
		}
		if _, err := s.Attendance.SaveCalendar(ctx, year, attendance.CalendarInput{Entries: entries}); err != nil {
			return fmt.Errorf("demo calendar %d: %w", year, err)
		}
	}
	return nil
}
