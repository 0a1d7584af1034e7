package attendance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/platform"
)

// ImportPunches imports a punch-clock export: every punch names a person
// inside the importer's scope and a day up to today in an open period.
// Any bad row is reported (row and column) and nothing is written; else
// each person's day keeps its first and last punch, merged with what the
// clock already gave for that day (so importing a file twice, or two
// files of one day, changes nothing the second time). It returns the
// number of person-days written.
func (s *Service) ImportPunches(ctx context.Context, rows []platform.ImportRow) (int, []platform.RowError, error) {
	p, err := principal(ctx, access.AttendanceManage)
	if err != nil {
		return 0, nil, err
	}
	punches, errs := ParsePunches(rows)
	today := s.today()
	nos := make([]string, 0, len(punches))
	for _, pu := range punches {
		nos = append(nos, pu.EmpNo)
	}
	ids, err := s.Store.ScopedPeople(ctx, p.Scope, today, nos)
	if err != nil {
		return 0, nil, err
	}
	closed := map[platform.Period]bool{}
	for _, pu := range punches {
		if _, ok := ids[pu.EmpNo]; !ok {
			errs = append(errs, platform.RowError{Row: pu.Row, Column: "empNo",
				Message: fmt.Sprintf("工号 %q 不存在或不在您的范围内 employee number %q is unknown or outside your scope", pu.EmpNo, pu.EmpNo)})
		}
		if pu.Date.After(today) {
			errs = append(errs, platform.RowError{Row: pu.Row, Column: "punchedAt", Message: fmt.Sprintf("%s 尚未到来 %s has not come yet", pu.Date, pu.Date)})
			continue
		}
		m := platform.Period{Kind: platform.Month, Year: pu.Date.Year(), N: int(pu.Date.Month())}
		shut, seen := closed[m]
		if !seen {
			err := s.Periods.EnsureOpen(ctx, p.Institution, pu.Date)
			var ce *platform.ConflictError
			switch {
			case errors.As(err, &ce):
				shut = true
			case err != nil:
				return 0, nil, err
			}
			closed[m] = shut
		}
		if shut {
			errs = append(errs, platform.RowError{Row: pu.Row, Column: "punchedAt", Message: fmt.Sprintf("%s 所在期间已关账 the period of %s is closed", pu.Date, pu.Date)})
		}
	}
	if len(errs) > 0 {
		return 0, sortRowErrors(errs), nil
	}
	days := FirstLast(punches)
	if len(days) == 0 {
		return 0, nil, nil
	}
	recs := make([]Record, len(days))
	people := make([]int64, 0, len(days))
	from, to := days[0].Date, days[0].Date
	for i, d := range days {
		recs[i] = d.Record(ids[d.EmpNo])
		people = append(people, recs[i].PersonID)
		from, to = minDate(from, d.Date), maxDate(to, d.Date)
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.Store.AttendanceRecords(ctx, p.Institution, people, from, to)
		if err != nil {
			return err
		}
		type key struct {
			person int64
			day    platform.Date
		}
		clock := map[key]Record{}
		for _, o := range old {
			if o.Source == SourceClock {
				clock[key{o.PersonID, o.Date}] = o
			}
		}
		for i, r := range recs {
			o, ok := clock[key{r.PersonID, r.Date}]
			if !ok {
				continue
			}
			recs[i] = mergeClock(o, r)
		}
		return s.write(ctx, p, recs)
	})
	if err != nil {
		return 0, nil, err
	}
	return len(recs), nil, nil
}

// mergeClock is the clock's day from two imports: the earliest and latest
// times either saw.
func mergeClock(a, b Record) Record {
	times := []TimeOfDay{}
	for _, t := range []TimeOfDay{a.In, a.Out, b.In, b.Out} {
		if !t.IsZero() {
			times = append(times, t)
		}
	}
	slices.SortFunc(times, func(x, y TimeOfDay) int { return x.Seconds() - y.Seconds() })
	out := b
	out.In, out.Out = times[0], TimeOfDay{}
	if last := times[len(times)-1]; last != times[0] {
		out.Out = last
	}
	return out
}

func minDate(a, b platform.Date) platform.Date {
	if b.Before(a) {
		return b
	}
	return a
}

func maxDate(a, b platform.Date) platform.Date {
	if b.After(a) {
		return b
	}
	return a
}

func sortRowErrors(errs []platform.RowError) []platform.RowError {
	slices.SortStableFunc(errs, func(a, b platform.RowError) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return strings.Compare(a.Column, b.Column)
	})
	return errs
}

// ImportCalendar imports calendar entries (date, kind, name): the file
// holds the whole list of every year its dates fall in, and each of those
// years is replaced by it. Any bad row is reported and nothing is written.
// It returns the number of entries stored.
func (s *Service) ImportCalendar(ctx context.Context, rows []platform.ImportRow) (int, []platform.RowError, error) {
	p, err := principal(ctx, access.CalendarManage)
	if err != nil {
		return 0, nil, err
	}
	byYear := map[int][]platform.ImportRow{}
	var errs []platform.RowError
	for _, r := range rows {
		d, err := platform.ParseDate(strings.TrimSpace(r.Values["date"]))
		if err != nil {
			// ParseCalendar names the problem; any year will do.
			byYear[0] = append(byYear[0], r)
			continue
		}
		byYear[d.Year()] = append(byYear[d.Year()], r)
	}
	years := slices.Sorted(func(yield func(int) bool) {
		for y := range byYear {
			if !yield(y) {
				return
			}
		}
	})
	entries := map[int][]Entry{}
	for _, y := range years {
		// Rows of one year are checked against that year (ParseCalendar
		// checks each entry and repeated dates); unreadable dates against any.
		es, rerrs := ParseCalendar(max(y, 2000), byYear[y])
		errs = append(errs, rerrs...)
		entries[y] = es
	}
	if len(errs) > 0 {
		return 0, sortRowErrors(errs), nil
	}
	n := 0
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		for _, y := range years { // SaveCalendar checks, stores and audits each year in this transaction
			old, err := s.Store.WorkCalendar(ctx, p.Institution, y)
			if err != nil && !errors.Is(err, platform.ErrNotFound) {
				return err
			}
			if _, err := s.SaveCalendar(ctx, y, CalendarInput{Entries: entries[y], Version: old.Version}); err != nil {
				return err
			}
			n += len(entries[y])
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return n, nil, nil
}
