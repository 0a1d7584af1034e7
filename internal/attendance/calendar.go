package attendance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cmhub/internal/platform"
)

// DayKind is what a calendar entry makes of one day.
type DayKind string

// The kinds of calendar entries. Every other day follows the default:
// Monday to Friday are workdays, Saturday and Sunday are not.
const (
	// Holiday is a public holiday (法定节假日), named: no work.
	Holiday DayKind = "holiday"
	// MakeupWorkday is a Saturday or Sunday worked to make up for a bridge
	// day of a holiday (调休上班, 补班).
	MakeupWorkday DayKind = "makeup_workday"
	// RestDay is a day off the institution gives on a weekday (公司休息日).
	RestDay DayKind = "rest_day"
)

// Valid reports whether k is one of the kinds.
func (k DayKind) Valid() bool { return k == Holiday || k == MakeupWorkday || k == RestDay }

// Label is the kind's name for people, Chinese first.
func (k DayKind) Label() string {
	switch k {
	case Holiday:
		return "法定节假日 public holiday"
	case MakeupWorkday:
		return "调休上班 make-up workday"
	case RestDay:
		return "公司休息日 company rest day"
	}
	return string(k)
}

// Limits of calendar data.
const (
	minYear     = 1990
	maxYear     = 2100
	maxNameRune = 30
)

// Entry overrides the default for one day.
type Entry struct {
	Date platform.Date `json:"date"`
	Kind DayKind       `json:"kind"`
	// Name is required for a holiday ("国庆节") and optional otherwise
	// ("国庆节调休").
	Name string `json:"name"`
}

// check reports the entry's problems by field ("date", "kind", "name") for
// a calendar of year; the calendar and its import share it.
func (e Entry) check(year int, add func(field, msg string)) {
	switch {
	case e.Date.IsZero():
		add("date", "日期必填 the date is required")
	case e.Date.Year() != year:
		add("date", fmt.Sprintf("日期 %s 不在 %d 年内 %s is not in %d", e.Date, year, e.Date, year))
	case e.Kind == MakeupWorkday && !weekend(e.Date):
		add("date", fmt.Sprintf("%s 是工作日，调休上班须为周六或周日 %s is a weekday; a make-up workday must be a Saturday or Sunday", e.Date, e.Date))
	}
	if !e.Kind.Valid() {
		add("kind", "类型须为 法定节假日、调休上班 或 公司休息日 kind must be holiday, makeup_workday or rest_day")
	}
	name := strings.TrimSpace(e.Name)
	switch {
	case !utf8.ValidString(e.Name) || strings.IndexFunc(e.Name, unicode.IsControl) >= 0:
		add("name", "名称含无效字符 the name contains invalid characters")
	case utf8.RuneCountInString(name) > maxNameRune:
		add("name", fmt.Sprintf("名称最多 %d 个字 at most %d characters", maxNameRune, maxNameRune))
	case name == "" && e.Kind == Holiday:
		add("name", "法定节假日须填写名称，如 国庆节 a public holiday needs a name, e.g. 国庆节")
	}
}

func weekend(d platform.Date) bool {
	wd := d.Time().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// ErrNoCalendar is wrapped when a date falls in a year no calendar given
// covers: a missing year is an error, never a silent Monday-to-Friday,
// because it would count the Spring Festival as seven days of absence.
var ErrNoCalendar = errors.New("没有该年度的工作日历 no working calendar for the year")

// Days answers the workday questions a leave check asks; a *Calendar
// answers them for its year and Calendars for several years, so that leave
// from 30 December to 3 January can be checked.
type Days interface {
	IsWorkday(d platform.Date) (bool, error)
	Workdays(from, to platform.Date) (int, error)
}

// Calendar is the working calendar of one institution and year. It is
// immutable once built and safe for concurrent use.
type Calendar struct {
	institution int64
	year        int
	entries     []Entry   // sorted by date
	days        []dayInfo // by day of the year, 0-based
	cum         []int32   // cum[i] = workdays among days[:i]
}

type dayInfo struct {
	work  bool
	entry int16 // index in entries, -1 for none
}

// NewCalendar validates the entries of a year and builds its calendar.
// Problems come back as a *platform.ValidationError with fields "year" and
// "entries[i].date|kind|name"; a date may appear once.
func NewCalendar(institution int64, year int, entries []Entry) (*Calendar, error) {
	fs := platform.Fields{}
	if institution <= 0 {
		fs.Add("institution", "须指定机构 the institution is required")
	}
	if year < minYear || year > maxYear {
		fs.Add("year", fmt.Sprintf("年度须在 %d–%d 之间 the year must be within %d–%d", minYear, maxYear, minYear, maxYear))
		return nil, fs.Err()
	}
	seen := make(map[platform.Date]int, len(entries))
	for i, e := range entries {
		prefix := fmt.Sprintf("entries[%d].", i)
		e.check(year, func(field, msg string) { fs.Add(prefix+field, msg) })
		if j, dup := seen[e.Date]; dup && !e.Date.IsZero() {
			fs.Add(prefix+"date", fmt.Sprintf("%s 与第 %d 条重复 %s repeats entry %d", e.Date, j+1, e.Date, j+1))
		} else {
			seen[e.Date] = i
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	c := &Calendar{institution: institution, year: year, entries: slices.Clone(entries)}
	for i := range c.entries {
		c.entries[i].Name = strings.TrimSpace(c.entries[i].Name)
	}
	slices.SortFunc(c.entries, func(a, b Entry) int { return a.Date.Time().Compare(b.Date.Time()) })
	start := platform.NewDate(year, time.January, 1)
	n := platform.NewDate(year, time.December, 31).Time().YearDay()
	c.days = make([]dayInfo, n)
	for i := range c.days {
		c.days[i] = dayInfo{work: !weekend(start.AddDays(i)), entry: -1}
	}
	for i, e := range c.entries {
		di := &c.days[e.Date.Time().YearDay()-1]
		di.work = e.Kind == MakeupWorkday
		di.entry = int16(i)
	}
	c.cum = make([]int32, n+1)
	for i, di := range c.days {
		c.cum[i+1] = c.cum[i]
		if di.work {
			c.cum[i+1]++
		}
	}
	return c, nil
}

// Institution is the institution the calendar belongs to.
func (c *Calendar) Institution() int64 { return c.institution }

// Year is the calendar's year.
func (c *Calendar) Year() int { return c.year }

// Entries returns a copy of the entries, by date.
func (c *Calendar) Entries() []Entry { return slices.Clone(c.entries) }

// index is d's 0-based day of the year, or an error outside the year.
func (c *Calendar) index(d platform.Date) (int, error) {
	if d.IsZero() || d.Year() != c.year {
		return 0, fmt.Errorf("attendance: %s is outside the calendar of %d: %w", d, c.year, ErrNoCalendar)
	}
	return d.Time().YearDay() - 1, nil
}

// Entry returns the entry for d, if the calendar has one.
func (c *Calendar) Entry(d platform.Date) (Entry, bool) {
	i, err := c.index(d)
	if err != nil || c.days[i].entry < 0 {
		return Entry{}, false
	}
	return c.entries[c.days[i].entry], true
}

// IsWorkday reports whether d is a working day; an error wrapping
// ErrNoCalendar when d is not in the calendar's year.
func (c *Calendar) IsWorkday(d platform.Date) (bool, error) {
	i, err := c.index(d)
	if err != nil {
		return false, err
	}
	return c.days[i].work, nil
}

// Workdays counts the working days from from to to, both included; 0 when
// to is before from. Both must be in the calendar's year.
func (c *Calendar) Workdays(from, to platform.Date) (int, error) {
	i, err := c.index(from)
	if err != nil {
		return 0, err
	}
	j, err := c.index(to)
	if err != nil {
		return 0, err
	}
	if j < i {
		return 0, nil
	}
	return int(c.cum[j+1] - c.cum[i]), nil
}

// PeriodWorkdays counts the working days of a month, quarter or year of
// the calendar's year.
func (c *Calendar) PeriodWorkdays(p platform.Period) (int, error) {
	if p.Year != c.year {
		return 0, fmt.Errorf("attendance: period %s is outside the calendar of %d: %w", p, c.year, ErrNoCalendar)
	}
	return c.Workdays(p.Start(), p.End())
}

// Calendars are one institution's calendars of several years.
type Calendars []*Calendar

func (cs Calendars) of(year int) (*Calendar, error) {
	for _, c := range cs {
		if c != nil && c.year == year {
			return c, nil
		}
	}
	return nil, fmt.Errorf("attendance: %d: %w", year, ErrNoCalendar)
}

// IsWorkday asks the calendar of d's year.
func (cs Calendars) IsWorkday(d platform.Date) (bool, error) {
	c, err := cs.of(d.Year())
	if err != nil {
		return false, err
	}
	return c.IsWorkday(d)
}

// Workdays counts the working days from from to to, both included, across
// years; every year of the span needs its calendar.
func (cs Calendars) Workdays(from, to platform.Date) (int, error) {
	if from.IsZero() || to.IsZero() {
		return 0, fmt.Errorf("attendance: unset date: %w", ErrNoCalendar)
	}
	n := 0
	for y := from.Year(); y <= to.Year(); y++ {
		c, err := cs.of(y)
		if err != nil {
			return 0, err
		}
		a, b := from, to
		if y > from.Year() {
			a = platform.NewDate(y, time.January, 1)
		}
		if y < to.Year() {
			b = platform.NewDate(y, time.December, 31)
		}
		k, err := c.Workdays(a, b)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}
