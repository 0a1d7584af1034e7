package attendance

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// TimeOfDay is a wall-clock time in the institution's local time, to the
// second. Punch clocks export local wall time and work rules are written in
// it ("上班 09:00"), so no time zone is involved. The zero value means "not
// set", as for platform.Date.
type TimeOfDay struct {
	v int32 // 1 + seconds since midnight, so that the zero value is unset
}

// ErrBadTime is returned for text that is not a time of day.
var ErrBadTime = errors.New("须为时间 HH:MM 或 HH:MM:SS must be a time HH:MM or HH:MM:SS")

// At returns h:m:s, or the unset TimeOfDay when a part is out of range, so a
// bad literal is caught by validation ("not set") instead of a panic.
func At(h, m, s int) TimeOfDay {
	if h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59 {
		return TimeOfDay{}
	}
	return TimeOfDay{int32(h*3600+m*60+s) + 1}
}

// IsZero reports whether the time is unset.
func (t TimeOfDay) IsZero() bool { return t.v == 0 }

// Seconds is the number of seconds since midnight, -1 when unset.
func (t TimeOfDay) Seconds() int { return int(t.v) - 1 }

// Minutes is the minute of the day as a clock face shows it, seconds
// dropped: rules compare whole minutes, so a punch at 09:00:59 is on time
// for 09:00 and one at 09:31:00 is late by 31 minutes. -1 when unset.
func (t TimeOfDay) Minutes() int {
	if t.v == 0 {
		return -1
	}
	return t.Seconds() / 60
}

// String formats as HH:MM, or HH:MM:SS when there are seconds; "" when
// unset.
func (t TimeOfDay) String() string {
	if t.v == 0 {
		return ""
	}
	s := t.Seconds()
	if s%60 == 0 {
		return fmt.Sprintf("%02d:%02d", s/3600, s/60%60)
	}
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// ParseTimeOfDay parses H:MM or H:MM:SS (hour 0–23, one or two digits). A
// full-width colon is accepted because a Chinese input method types one.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	s = strings.ReplaceAll(s, "：", ":")
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return TimeOfDay{}, ErrBadTime
	}
	h, ok1 := digits(parts[0], 1, 2)
	m, ok2 := digits(parts[1], 2, 2)
	sec, ok3 := 0, true
	if len(parts) == 3 {
		sec, ok3 = digits(parts[2], 2, 2)
	}
	t := At(h, m, sec)
	if !ok1 || !ok2 || !ok3 || t.IsZero() {
		return TimeOfDay{}, ErrBadTime
	}
	return t, nil
}

// digits parses an unsigned decimal of min to max ASCII digits.
func digits(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// MarshalJSON writes "HH:MM[:SS]" or null.
func (t TimeOfDay) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.String())
}

// UnmarshalJSON accepts "HH:MM", "HH:MM:SS", "" or null.
func (t *TimeOfDay) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = TimeOfDay{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return ErrBadTime
	}
	if s == "" {
		*t = TimeOfDay{}
		return nil
	}
	p, err := ParseTimeOfDay(s)
	if err != nil {
		return err
	}
	*t = p
	return nil
}
