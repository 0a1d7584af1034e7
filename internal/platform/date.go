package platform

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Date is a calendar day with no time zone, stored as "YYYY-MM-DD".
// The zero Date means "not set".
type Date struct{ t time.Time }

// MaxDate is the open end of an effective-dated range ("until further notice").
var maxDate = Date{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}

// EndOfTime returns the sentinel used as valid_to of current records.
func EndOfTime() Date { return maxDate }

// NewDate builds a date from its parts.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar day of t in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return NewDate(t.Year(), t.Month(), t.Day())
}

// ErrBadDate is returned for text that is not a real YYYY-MM-DD date.
var ErrBadDate = errors.New("must be a date YYYY-MM-DD")

// ParseDate parses "YYYY-MM-DD" strictly (no 2026-02-30, no time part).
func ParseDate(s string) (Date, error) {
	if len(s) != 10 {
		return Date{}, ErrBadDate
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, ErrBadDate
	}
	return Date{t}, nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// IsEndOfTime reports whether d is the open-end sentinel.
func (d Date) IsEndOfTime() bool { return d == maxDate }

// String formats as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Time returns midnight UTC of the day.
func (d Date) Time() time.Time { return d.t }

// AddDays returns the date n days later (earlier when negative).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before, After and Compare order dates.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// Year, Month and Day give the parts.
func (d Date) Year() int { return d.t.Year() }

// Month returns the month of the date.
func (d Date) Month() time.Month { return d.t.Month() }

// Day returns the day of the month.
func (d Date) Day() int { return d.t.Day() }

// MarshalJSON writes "YYYY-MM-DD" or null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON accepts "YYYY-MM-DD", "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ErrBadDate
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Value stores the date as text so one SQL works on SQLite (TEXT) and PostgreSQL (DATE).
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a DATE (PostgreSQL gives time.Time) or TEXT (SQLite) column.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("platform.Date: cannot scan %T", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10] // tolerate a "YYYY-MM-DD 00:00:00" form
	}
	p, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("platform.Date: %q: %w", s, err)
	}
	*d = p
	return nil
}
