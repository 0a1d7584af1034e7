package attendance

import (
	"fmt"
	"strings"

	"cmhub/internal/platform"
)

// CalendarColumns are the columns of the calendar import template: one row
// per day that differs from Monday to Friday.
func CalendarColumns() []platform.Column {
	return []platform.Column{
		{Key: "date", Header: "日期 Date", Required: true, Date: true, Example: "2026-10-01", Note: "YYYY-MM-DD，须在导入的年度内 within the year imported"},
		{Key: "kind", Header: "类型 Kind", Required: true, Example: "法定节假日", Note: "法定节假日/调休上班/公司休息日 or holiday/makeup_workday/rest_day"},
		{Key: "name", Header: "名称 Name", Example: "国庆节", Note: "法定节假日必填 required for a public holiday"},
	}
}

// parseDayKind reads a kind as people write it in a spreadsheet.
func parseDayKind(s string) (DayKind, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "法定节假日", "节假日", "假日", "holiday", "public holiday":
		return Holiday, true
	case "调休上班", "补班", "上班", "makeup_workday", "makeup", "workday":
		return MakeupWorkday, true
	case "公司休息日", "休息日", "休息", "rest_day", "rest", "rest day":
		return RestDay, true
	}
	return "", false
}

// ParseCalendar reads the rows of a calendar import for year. It returns
// the entries when every row is good, else every problem by row and column
// key (nothing is half-imported, decision 0006); the caller then builds the
// year with NewCalendar, replacing the year's entries.
func ParseCalendar(year int, rows []platform.ImportRow) ([]Entry, []platform.RowError) {
	var errs []platform.RowError
	entries := make([]Entry, 0, len(rows))
	firstRow := make(map[platform.Date]int, len(rows))
	for _, r := range rows {
		add := func(col, msg string) { errs = append(errs, platform.RowError{Row: r.Num, Column: col, Message: msg}) }
		var e Entry
		bad := map[string]bool{}
		if raw := strings.TrimSpace(r.Values["date"]); raw == "" {
			add("date", "日期必填 the date is required")
			bad["date"] = true
		} else if d, err := platform.ParseDate(raw); err != nil {
			add("date", "「"+raw+"」不是日期 YYYY-MM-DD not a date")
			bad["date"] = true
		} else {
			e.Date = d
		}
		if raw := strings.TrimSpace(r.Values["kind"]); raw == "" {
			add("kind", "类型必填 the kind is required")
			bad["kind"] = true
		} else if k, ok := parseDayKind(raw); !ok {
			add("kind", "「"+raw+"」须为 法定节假日、调休上班 或 公司休息日 must be holiday, makeup_workday or rest_day")
			bad["kind"] = true
		} else {
			e.Kind = k
		}
		e.Name = strings.TrimSpace(r.Values["name"])
		e.check(year, func(field, msg string) {
			// A field already reported as unreadable is not reported again
			// as empty; a holiday name is only asked for of a known kind.
			if !bad[field] && (field != "name" || !bad["kind"]) {
				bad[field] = true
				add(field, msg)
			}
		})
		if !e.Date.IsZero() {
			if prev, dup := firstRow[e.Date]; dup {
				add("date", fmt.Sprintf("%s 与第 %d 行重复 %s repeats row %d", e.Date, prev, e.Date, prev))
			} else {
				firstRow[e.Date] = r.Num
			}
		}
		entries = append(entries, e)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return entries, nil
}
