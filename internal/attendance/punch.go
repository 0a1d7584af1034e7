package attendance

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// PunchColumns are the columns of the punch-clock import: one row per
// punch, the time either in one column or split into date and time as many
// clocks export it. The name column is only for people checking the file.
func PunchColumns() []platform.Column {
	return []platform.Column{
		{Key: "empNo", Header: "工号 EmpNo", Required: true, Example: "XZ0101"},
		{Key: "name", Header: "姓名 Name", Example: "张三", Note: "仅供核对，不导入 for checking only, not imported"},
		{Key: "punchedAt", Header: "打卡时间 Punched at", Example: "2026-03-02 08:55:12", Note: "日期和时间，如 2026-03-02 08:55 或 2026/3/2 8:55:12；也可分列填写「日期」「时间」 date and time, or use the Date and Time columns"},
		{Key: "date", Header: "日期 Date", Date: true, Note: "YYYY-MM-DD 或 YYYY/M/D，与「时间」一起使用 used with Time"},
		{Key: "time", Header: "时间 Time", Note: "HH:MM 或 HH:MM:SS"},
	}
}

// Punch is one punch of the clock, in the clock's local time.
type Punch struct {
	Row   int           `json:"row"` // the file's row, for error reports
	EmpNo string        `json:"empNo"`
	Date  platform.Date `json:"date"`
	Time  TimeOfDay     `json:"time"`
}

const maxEmpNo = 32

// ParsePunches reads punch-clock rows (untrusted input). It returns the
// punches of the good rows and every problem by row and column key; the
// import refuses the file when there is any (decision 0006). Mapping
// employee numbers to people is the caller's: it needs the database.
func ParsePunches(rows []platform.ImportRow) ([]Punch, []platform.RowError) {
	punches := make([]Punch, 0, len(rows))
	var errs []platform.RowError
	for _, r := range rows {
		p, rowErrs := parsePunch(r)
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		punches = append(punches, p)
	}
	return punches, errs
}

func parsePunch(r platform.ImportRow) (Punch, []platform.RowError) {
	var errs []platform.RowError
	add := func(col, msg string) { errs = append(errs, platform.RowError{Row: r.Num, Column: col, Message: msg}) }
	p := Punch{Row: r.Num, EmpNo: strings.TrimSpace(r.Values["empNo"])}
	switch {
	case p.EmpNo == "":
		add("empNo", "工号必填 the employee number is required")
	case !utf8.ValidString(p.EmpNo) || strings.IndexFunc(p.EmpNo, unicode.IsControl) >= 0:
		add("empNo", "工号含无效字符 the employee number contains invalid characters")
	case utf8.RuneCountInString(p.EmpNo) > maxEmpNo:
		add("empNo", fmt.Sprintf("工号最多 %d 个字符 at most %d characters", maxEmpNo, maxEmpNo))
	}
	at := strings.TrimSpace(r.Values["punchedAt"])
	dateRaw := strings.TrimSpace(r.Values["date"])
	timeRaw := strings.TrimSpace(r.Values["time"])
	switch {
	case at != "":
		d, t, ok := parseDateTime(at)
		if !ok {
			add("punchedAt", "「"+clip(at)+"」不是打卡时间，应如 2026-03-02 08:55:12 not a punch time like 2026-03-02 08:55:12")
			break
		}
		p.Date, p.Time = d, t
		// Both forms given: they must agree, or one of them is wrong.
		if dateRaw != "" {
			if d2, ok := parseDateLoose(dateRaw); !ok || d2 != d {
				add("date", "「"+clip(dateRaw)+"」与打卡时间的日期不一致 does not match the date of the punch time")
			}
		}
		if timeRaw != "" {
			if t2, err := ParseTimeOfDay(timeRaw); err != nil || t2 != t {
				add("time", "「"+clip(timeRaw)+"」与打卡时间不一致 does not match the punch time")
			}
		}
	case dateRaw == "" && timeRaw == "":
		add("punchedAt", "须填写打卡时间，或日期和时间 give the punch time, or the date and the time")
	default:
		p.Date, p.Time = splitPunch(dateRaw, timeRaw, add)
	}
	if len(errs) > 0 {
		return Punch{}, errs
	}
	return p, nil
}

// splitPunch reads the date-and-time form. Cells that carry both a date and
// a time (Excel date-time cells) are accepted where they agree.
func splitPunch(dateRaw, timeRaw string, add func(col, msg string)) (platform.Date, TimeOfDay) {
	var d platform.Date
	var t TimeOfDay
	if dateRaw == "" {
		add("date", "日期必填（或填写打卡时间）the date is required (or give the punch time)")
	} else if v, ok := parseDateLoose(dateRaw); ok {
		d = v
	} else if v, tt, ok := parseDateTime(dateRaw); ok {
		// An Excel date-time cell: its date counts, and its time when the
		// time column is empty.
		if timeRaw == "" {
			return v, tt
		}
		d = v
	} else {
		add("date", "「"+clip(dateRaw)+"」不是日期 YYYY-MM-DD not a date")
	}
	if timeRaw == "" {
		add("time", "时间必填 the time is required")
	} else if v, err := ParseTimeOfDay(timeRaw); err == nil {
		t = v
	} else if d2, v, ok := parseDateTime(timeRaw); ok && (d.IsZero() || d2 == d) {
		t = v
	} else {
		add("time", "「"+clip(timeRaw)+"」不是时间 HH:MM[:SS] not a time")
	}
	return d, t
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	const n = 40
	if utf8.RuneCountInString(s) <= n {
		return strings.ToValidUTF8(s, "?")
	}
	return strings.ToValidUTF8(string([]rune(s)[:n]), "?") + "…"
}

// parseDateTime reads "date time" or "dateTtime", the date as
// parseDateLoose and the time as ParseTimeOfDay.
func parseDateTime(s string) (platform.Date, TimeOfDay, bool) {
	i := strings.IndexAny(s, " T")
	if i < 0 {
		return platform.Date{}, TimeOfDay{}, false
	}
	d, ok := parseDateLoose(s[:i])
	if !ok {
		return platform.Date{}, TimeOfDay{}, false
	}
	t, err := ParseTimeOfDay(strings.TrimLeft(s[i+1:], " "))
	if err != nil {
		return platform.Date{}, TimeOfDay{}, false
	}
	return d, t, true
}

// parseDateLoose reads YYYY-MM-DD and the forms punch clocks write:
// YYYY/M/D and YYYY.M.D, one separator throughout, a real day of a year the
// calendar supports.
func parseDateLoose(s string) (platform.Date, bool) {
	if len(s) < 8 || len(s) > 10 {
		return platform.Date{}, false
	}
	sep := s[4]
	if sep != '-' && sep != '/' && sep != '.' {
		return platform.Date{}, false
	}
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return platform.Date{}, false
	}
	y, ok1 := digits(parts[0], 4, 4)
	m, ok2 := digits(parts[1], 1, 2)
	d, ok3 := digits(parts[2], 1, 2)
	if !ok1 || !ok2 || !ok3 || y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 {
		return platform.Date{}, false
	}
	date := platform.NewDate(y, time.Month(m), d)
	if date.Day() != d { // 2026-02-30 rolls over into March
		return platform.Date{}, false
	}
	return date, true
}

// DayPunches are one employee's punches of one day: the first is the
// arrival, the last the departure.
type DayPunches struct {
	EmpNo string        `json:"empNo"`
	Date  platform.Date `json:"date"`
	First TimeOfDay     `json:"first"`
	Last  TimeOfDay     `json:"last"`
	Count int           `json:"count"`
}

// FirstLast reduces punches to the first and last of each employee and
// day, sorted by employee number and date; the result does not depend on
// the order of the punches.
func FirstLast(punches []Punch) []DayPunches {
	type key struct {
		emp  string
		date platform.Date
	}
	at := make(map[key]int, len(punches)/2+1)
	var out []DayPunches
	for _, p := range punches {
		k := key{p.EmpNo, p.Date}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, DayPunches{EmpNo: p.EmpNo, Date: p.Date, First: p.Time, Last: p.Time, Count: 1})
			continue
		}
		d := &out[i]
		d.Count++
		if p.Time.v < d.First.v {
			d.First = p.Time
		}
		if p.Time.v > d.Last.v {
			d.Last = p.Time
		}
	}
	slices.SortFunc(out, func(a, b DayPunches) int {
		if c := cmp.Compare(a.EmpNo, b.EmpNo); c != 0 {
			return c
		}
		return a.Date.Time().Compare(b.Date.Time())
	})
	return out
}

// Record is the day's clock record for the person the employee number
// belongs to. A single punch (or punches all at one time) is an arrival
// only; Ruleset.Day decides by the time of day what it really is.
func (d DayPunches) Record(personID int64) Record {
	r := Record{PersonID: personID, Date: d.Date, Source: SourceClock, In: d.First}
	if d.Last != d.First {
		r.Out = d.Last
	}
	return r
}
