package platform

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Timestamp is an instant stored in UTC: TIMESTAMPTZ on PostgreSQL, RFC 3339 text on SQLite.
type Timestamp struct{ time.Time }

// TS wraps t (converted to UTC, truncated to microseconds as PostgreSQL keeps them).
func TS(t time.Time) Timestamp { return Timestamp{t.UTC().Truncate(time.Microsecond)} }

// Value writes fixed-width RFC 3339 so text ordering equals time ordering on SQLite.
func (t Timestamp) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z"), nil
}

// Scan reads time.Time (PostgreSQL) or text (SQLite).
func (t *Timestamp) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = Timestamp{}
		return nil
	case time.Time:
		*t = TS(v)
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("platform.Timestamp: cannot scan %T", src)
}

func (t *Timestamp) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("platform.Timestamp: %q: %w", s, err)
	}
	*t = TS(p)
	return nil
}
