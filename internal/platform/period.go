package platform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// PeriodKind is month, quarter or year.
type PeriodKind string

// The period kinds.
const (
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Year    PeriodKind = "year"
)

// Period is an assessment/pay period written as YYYY-MM, YYYY-Qn or YYYY.
type Period struct {
	Kind PeriodKind
	Year int
	N    int // month 1–12, quarter 1–4, 0 for a year
}

// ErrBadPeriod is returned for an unparseable period key.
var ErrBadPeriod = errors.New("must be a period YYYY-MM, YYYY-Qn or YYYY")

// ParsePeriod parses a period key.
func ParsePeriod(s string) (Period, error) {
	switch {
	case len(s) == 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1900 {
			return Period{}, ErrBadPeriod
		}
		return Period{Kind: Year, Year: y}, nil
	case len(s) == 7 && (s[5] == 'Q' || s[5] == 'q') && s[4] == '-':
		y, err1 := strconv.Atoi(s[:4])
		q, err2 := strconv.Atoi(s[6:])
		if err1 != nil || err2 != nil || y < 1900 || q < 1 || q > 4 {
			return Period{}, ErrBadPeriod
		}
		return Period{Kind: Quarter, Year: y, N: q}, nil
	case len(s) == 7 && s[4] == '-':
		y, err1 := strconv.Atoi(s[:4])
		m, err2 := strconv.Atoi(s[5:])
		if err1 != nil || err2 != nil || y < 1900 || m < 1 || m > 12 {
			return Period{}, ErrBadPeriod
		}
		return Period{Kind: Month, Year: y, N: m}, nil
	}
	return Period{}, ErrBadPeriod
}

// String is the canonical key.
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	default:
		return fmt.Sprintf("%04d", p.Year)
	}
}

// MarshalJSON writes the period as its key ("2026-11", "2026-Q3",
// "2026"), null for the zero period.
func (p Period) MarshalJSON() ([]byte, error) {
	if p.Kind == "" {
		return []byte("null"), nil
	}
	return []byte(`"` + p.String() + `"`), nil
}

// UnmarshalJSON reads a period key; null leaves the zero period.
func (p *Period) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = Period{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MonthBefore is the month before the one the period starts in.
func (p Period) MonthBefore() Period {
	d := p.Start().AddDays(-1)
	return Period{Kind: Month, Year: d.Year(), N: int(d.Month())}
}

// Start is the first day of the period.
func (p Period) Start() Date {
	switch p.Kind {
	case Month:
		return NewDate(p.Year, time.Month(p.N), 1)
	case Quarter:
		return NewDate(p.Year, time.Month(3*(p.N-1)+1), 1)
	default:
		return NewDate(p.Year, time.January, 1)
	}
}

// End is the last day of the period.
func (p Period) End() Date {
	switch p.Kind {
	case Month:
		return DateOf(p.Start().t.AddDate(0, 1, -1))
	case Quarter:
		return DateOf(p.Start().t.AddDate(0, 3, -1))
	default:
		return NewDate(p.Year, time.December, 31)
	}
}

// Contains reports whether d falls in the period.
func (p Period) Contains(d Date) bool { return !d.Before(p.Start()) && !d.After(p.End()) }

// PeriodsOf returns the month, quarter and year that contain d.
func PeriodsOf(d Date) []Period {
	m := int(d.Month())
	return []Period{
		{Kind: Month, Year: d.Year(), N: m},
		{Kind: Quarter, Year: d.Year(), N: (m-1)/3 + 1},
		{Kind: Year, Year: d.Year()},
	}
}
