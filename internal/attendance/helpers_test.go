package attendance_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

func date(t testing.TB, s string) platform.Date {
	t.Helper()
	d, err := platform.ParseDate(s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

func clock(t testing.TB, s string) attendance.TimeOfDay {
	t.Helper()
	v, err := attendance.ParseTimeOfDay(s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

func month(t testing.TB, s string) platform.Period {
	t.Helper()
	p, err := platform.ParsePeriod(s)
	if err != nil {
		t.Fatalf("period %q: %v", s, err)
	}
	return p
}

// entries2026 is a working calendar modelled on the 2026 public holiday
// schedule: holidays by name, and make-up workdays on weekends.
func entries2026(t testing.TB) []attendance.Entry {
	var es []attendance.Entry
	span := func(from, to, name string) {
		for d := date(t, from); !d.After(date(t, to)); d = d.AddDays(1) {
			es = append(es, attendance.Entry{Date: d, Kind: attendance.Holiday, Name: name})
		}
	}
	span("2026-01-01", "2026-01-03", "元旦")
	span("2026-02-15", "2026-02-23", "春节")
	span("2026-04-04", "2026-04-06", "清明节")
	span("2026-05-01", "2026-05-05", "劳动节")
	span("2026-06-19", "2026-06-21", "端午节")
	span("2026-09-25", "2026-09-27", "中秋节")
	span("2026-10-01", "2026-10-07", "国庆节")
	for _, d := range []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"} {
		es = append(es, attendance.Entry{Date: date(t, d), Kind: attendance.MakeupWorkday, Name: "调休上班"})
	}
	return es
}

func cal2026(t testing.TB) *attendance.Calendar {
	t.Helper()
	c, err := attendance.NewCalendar(1, 2026, entries2026(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ruleset(t testing.TB, edit func(r *attendance.Rules)) *attendance.Ruleset {
	t.Helper()
	r := attendance.DefaultRules()
	if edit != nil {
		edit(&r)
	}
	rs, err := attendance.NewRuleset(r, attendance.DefaultLeaveTypes())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// fieldsOf returns the fields of a validation error, sorted, or fails.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *platform.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []string
	for k, msg := range ve.Fields {
		out = append(out, k)
		bilingual(t, msg)
	}
	slices.Sort(out)
	return out
}

// bilingual checks a message has Chinese and then English.
func bilingual(t *testing.T, msg string) {
	t.Helper()
	hasHan, hasLatinAfter := false, false
	for _, r := range msg {
		switch {
		case r >= 0x4e00 && r <= 0x9fff:
			hasHan = true
		case hasHan && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			hasLatinAfter = true
		}
	}
	if !hasHan || !hasLatinAfter {
		t.Errorf("message %q is not Chinese then English", msg)
	}
}

func join(ss []string) string { return strings.Join(ss, ",") }
