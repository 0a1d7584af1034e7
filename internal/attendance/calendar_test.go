package attendance_test

import (
	"errors"
	"strconv"
	"testing"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

func TestCalendarWorkdays(t *testing.T) {
	c := cal2026(t)
	for _, tc := range []struct {
		name string
		day  string
		want bool
	}{
		{"ordinary Monday", "2026-03-02", true},
		{"ordinary Saturday", "2026-03-07", false},
		{"make-up workday on a Saturday", "2026-02-14", true},
		{"make-up workday on a Sunday", "2026-09-20", true},
		{"Saturday within the Spring Festival", "2026-02-21", false},
		{"holiday on a Monday", "2026-04-06", false},
		{"holiday on a Thursday", "2026-10-01", false},
		{"the weekday after a holiday", "2026-04-07", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.IsWorkday(date(t, tc.day))
			if err != nil || got != tc.want {
				t.Fatalf("IsWorkday(%s) = %v, %v; want %v", tc.day, got, err, tc.want)
			}
		})
	}
	// Figures worked out independently from the same schedule.
	for _, tc := range []struct {
		period string
		want   int
	}{{"2026-01", 21}, {"2026-02", 16}, {"2026-03", 22}, {"2026-04", 21}, {"2026-05", 19}, {"2026-10", 18}, {"2026-12", 23}, {"2026-Q4", 62}, {"2026", 248}} {
		got, err := c.PeriodWorkdays(month(t, tc.period))
		if err != nil || got != tc.want {
			t.Errorf("PeriodWorkdays(%s) = %d, %v; want %d", tc.period, got, err, tc.want)
		}
	}
	if n, err := c.Workdays(date(t, "2026-09-28"), date(t, "2026-10-09")); n != 5 || err != nil {
		t.Errorf("Workdays across National Day = %d, %v; want 5", n, err)
	}
	if n, err := c.Workdays(date(t, "2026-03-03"), date(t, "2026-03-02")); n != 0 || err != nil {
		t.Errorf("reversed span = %d, %v; want 0", n, err)
	}
	if e, ok := c.Entry(date(t, "2026-04-06")); !ok || e.Name != "清明节" || e.Kind != attendance.Holiday {
		t.Errorf("Entry = %+v, %v", e, ok)
	}
	if _, ok := c.Entry(date(t, "2026-03-02")); ok {
		t.Error("an ordinary day has no entry")
	}
}

func TestCalendarOutsideItsYear(t *testing.T) {
	c := cal2026(t)
	if _, err := c.IsWorkday(date(t, "2027-01-04")); !errors.Is(err, attendance.ErrNoCalendar) {
		t.Fatalf("got %v, want ErrNoCalendar", err)
	}
	if _, err := c.Workdays(date(t, "2026-12-30"), date(t, "2027-01-05")); !errors.Is(err, attendance.ErrNoCalendar) {
		t.Fatalf("got %v, want ErrNoCalendar", err)
	}
	if _, err := c.IsWorkday(platform.Date{}); !errors.Is(err, attendance.ErrNoCalendar) {
		t.Fatalf("unset date: got %v", err)
	}
	c27, err := attendance.NewCalendar(1, 2027, []attendance.Entry{{Date: date(t, "2027-01-01"), Kind: attendance.Holiday, Name: "元旦"}})
	if err != nil {
		t.Fatal(err)
	}
	both := attendance.Calendars{c, c27}
	// Dec 30, 31; Jan 1 is a holiday, 2–3 a weekend; Jan 4, 5.
	if n, err := both.Workdays(date(t, "2026-12-30"), date(t, "2027-01-05")); n != 4 || err != nil {
		t.Fatalf("Workdays across New Year = %d, %v; want 4", n, err)
	}
	if _, err := both.Workdays(date(t, "2027-12-30"), date(t, "2028-01-05")); !errors.Is(err, attendance.ErrNoCalendar) {
		t.Fatalf("a missing year: got %v", err)
	}
}

func TestCalendarDefaultYearIsMondayToFriday(t *testing.T) {
	c, err := attendance.NewCalendar(7, 2027, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := c.PeriodWorkdays(month(t, "2027")); n != 261 {
		t.Fatalf("weekdays of 2027 = %d, want 261", n)
	}
	if c.Institution() != 7 || c.Year() != 2027 || len(c.Entries()) != 0 {
		t.Fatal("accessors")
	}
}

func TestCalendarValidation(t *testing.T) {
	good := attendance.Entry{Date: date(t, "2026-10-01"), Kind: attendance.Holiday, Name: "国庆节"}
	for _, tc := range []struct {
		name    string
		inst    int64
		year    int
		entries []attendance.Entry
		want    string
	}{
		{"year out of range", 1, 1980, nil, "year"},
		{"no institution", 0, 2026, nil, "institution"},
		{"date of another year", 1, 2026, []attendance.Entry{good, {Date: date(t, "2027-01-01"), Kind: attendance.Holiday, Name: "元旦"}}, "entries[1].date"},
		{"make-up workday on a weekday", 1, 2026, []attendance.Entry{{Date: date(t, "2026-10-09"), Kind: attendance.MakeupWorkday}}, "entries[0].date"},
		{"holiday without a name", 1, 2026, []attendance.Entry{{Date: date(t, "2026-10-01"), Kind: attendance.Holiday, Name: "  "}}, "entries[0].name"},
		{"unknown kind", 1, 2026, []attendance.Entry{{Date: date(t, "2026-10-01"), Kind: "vacation"}}, "entries[0].kind"},
		{"duplicate date", 1, 2026, []attendance.Entry{good, good}, "entries[1].date"},
		{"missing date", 1, 2026, []attendance.Entry{{Kind: attendance.RestDay}}, "entries[0].date"},
		{"name too long", 1, 2026, []attendance.Entry{{Date: date(t, "2026-10-01"), Kind: attendance.Holiday, Name: "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"}}, "entries[0].name"},
		{"control character", 1, 2026, []attendance.Entry{{Date: date(t, "2026-10-01"), Kind: attendance.Holiday, Name: "国庆\x00"}}, "entries[0].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := attendance.NewCalendar(tc.inst, tc.year, tc.entries)
			if got := join(fieldsOf(t, err)); got != tc.want {
				t.Fatalf("fields %s, want %s (%v)", got, tc.want, err)
			}
		})
	}
}

func TestCalendarIsImmutable(t *testing.T) {
	es := entries2026(t)
	c, err := attendance.NewCalendar(1, 2026, es)
	if err != nil {
		t.Fatal(err)
	}
	es[0].Kind = attendance.MakeupWorkday // the caller's slice
	c.Entries()[0].Name = "changed"       // a returned copy
	if w, _ := c.IsWorkday(date(t, "2026-01-01")); w {
		t.Fatal("the calendar changed with its input")
	}
	if e, _ := c.Entry(date(t, "2026-01-01")); e.Name != "元旦" {
		t.Fatal("the calendar changed with a returned copy")
	}
}

func TestParseCalendar(t *testing.T) {
	rows := []platform.ImportRow{
		{Num: 2, Values: map[string]string{"date": "2026-10-01", "kind": "法定节假日", "name": "国庆节"}},
		{Num: 3, Values: map[string]string{"date": "2026-10-10", "kind": "补班"}},
		{Num: 4, Values: map[string]string{"date": "2026-12-31", "kind": "Rest_Day", "name": "年终盘点"}},
	}
	es, errs := attendance.ParseCalendar(2026, rows)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := []attendance.Entry{
		{Date: date(t, "2026-10-01"), Kind: attendance.Holiday, Name: "国庆节"},
		{Date: date(t, "2026-10-10"), Kind: attendance.MakeupWorkday},
		{Date: date(t, "2026-12-31"), Kind: attendance.RestDay, Name: "年终盘点"},
	}
	for i := range want {
		if es[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, es[i], want[i])
		}
	}
	if _, err := attendance.NewCalendar(1, 2026, es); err != nil {
		t.Fatalf("parsed entries do not build: %v", err)
	}

	bad := []platform.ImportRow{
		{Num: 2, Values: map[string]string{"date": "2026-02-30", "kind": "法定节假日", "name": "x"}},
		{Num: 3, Values: map[string]string{"date": "2026-10-01", "kind": "假期", "name": ""}},
		{Num: 4, Values: map[string]string{"date": "2026-10-09", "kind": "调休上班"}},
		{Num: 5, Values: map[string]string{"date": "2026-10-02", "kind": "法定节假日"}},
		{Num: 6, Values: map[string]string{"date": "2026-10-01", "kind": "公司休息日"}},
		{Num: 7, Values: map[string]string{"date": "2025-10-01", "kind": "公司休息日"}},
		{Num: 8, Values: map[string]string{"kind": ""}},
	}
	es, errs = attendance.ParseCalendar(2026, bad)
	if es != nil {
		t.Fatal("entries returned with errors")
	}
	got := map[string]bool{}
	for _, e := range errs {
		got[strconv.Itoa(e.Row)+":"+e.Column] = true
		bilingual(t, e.Message)
	}
	want2 := []string{"2:date", "3:kind", "4:date", "5:name", "6:date", "7:date", "8:date", "8:kind"}
	for _, w := range want2 {
		if !got[w] {
			t.Errorf("missing error %s in %+v", w, errs)
		}
	}
	if len(got) != len(want2) {
		t.Errorf("errors %+v, want exactly %v", errs, want2)
	}
}

func TestCalendarColumnsAreUnique(t *testing.T) {
	for _, cols := range [][]platform.Column{attendance.CalendarColumns(), attendance.PunchColumns()} {
		seen := map[string]bool{}
		for _, c := range cols {
			if seen[c.Key] || c.Key == "" || c.Header == "" {
				t.Fatalf("bad column %+v", c)
			}
			seen[c.Key] = true
		}
	}
}
