package platform

import (
	"encoding/json"
	"testing"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"2026-02-28", true}, {"2024-02-29", true}, {"2026-02-29", false}, {"2026-13-01", false}, {"2026-1-01", false},
		{"2026-01-01T00:00:00Z", false}, {"", false}, {"abcd-ef-gh", false}} {
		d, err := ParseDate(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err=%v", tc.in, err)
		}
		if err == nil && d.String() != tc.in {
			t.Errorf("%q round-trips as %q", tc.in, d)
		}
	}
}

func TestDateJSONAndSQL(t *testing.T) {
	var v struct{ D Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-03-31"}`), &v); err != nil || v.D.String() != "2026-03-31" {
		t.Fatal(v, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"2026-02-30"}`), &v); err == nil {
		t.Fatal("accepted 2026-02-30")
	}
	b, _ := json.Marshal(struct{ D Date }{})
	if string(b) != `{"D":null}` {
		t.Fatal(string(b))
	}
	var d Date
	if err := d.Scan("2026-07-01"); err != nil || d.String() != "2026-07-01" {
		t.Fatal(d, err)
	}
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Fatal(d, err)
	}
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct{ key, start, end string }{
		{"2026-02", "2026-02-01", "2026-02-28"}, {"2024-02", "2024-02-01", "2024-02-29"},
		{"2026-Q4", "2026-10-01", "2026-12-31"}, {"2026", "2026-01-01", "2026-12-31"},
	} {
		p, err := ParsePeriod(tc.key)
		if err != nil {
			t.Fatal(tc.key, err)
		}
		if p.String() != tc.key || p.Start().String() != tc.start || p.End().String() != tc.end {
			t.Errorf("%s: %s %s..%s", tc.key, p, p.Start(), p.End())
		}
	}
	for _, bad := range []string{"2026-00", "2026-13", "2026-Q5", "26", "2026-Q", "abcd"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	ps := PeriodsOf(NewDate(2026, 8, 15))
	if ps[0].String() != "2026-08" || ps[1].String() != "2026-Q3" || ps[2].String() != "2026" {
		t.Fatal(ps)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-01-01", "0000-00-00", "9999-12-31", "2026-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err == nil && d.String() != s {
			t.Fatalf("%q parsed as %q", s, d)
		}
	})
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-01", "2026-Q1", "2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if q, err := ParsePeriod(p.String()); err != nil || q != p {
			t.Fatalf("%q → %v does not round-trip", s, p)
		}
		if p.End().Before(p.Start()) {
			t.Fatalf("%v ends before it starts", p)
		}
	})
}

func TestPeriodJSON(t *testing.T) {
	for _, key := range []string{"2026-11", "2026-Q3", "2026"} {
		p, err := ParsePeriod(key)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(p)
		if err != nil || string(b) != `"`+key+`"` {
			t.Fatalf("%s marshalled as %s %v", key, b, err)
		}
		var back Period
		if err := json.Unmarshal(b, &back); err != nil || back != p {
			t.Fatalf("%s back as %+v %v", key, back, err)
		}
	}
	if b, _ := json.Marshal(Period{}); string(b) != "null" {
		t.Fatalf("zero period as %s", b)
	}
	var p Period
	if err := json.Unmarshal([]byte(`"2026-13"`), &p); err == nil {
		t.Fatal("month 13 accepted")
	}
}
