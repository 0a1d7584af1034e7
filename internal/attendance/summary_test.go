package attendance_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

// fullMonth gives person 1 a clean clock record on every workday of m
// from the hire date on, and lets edit change the day's record.
func fullMonth(t testing.TB, c *attendance.Calendar, m platform.Period, edit func(d platform.Date, r *attendance.Record) bool) []attendance.Record {
	var rs []attendance.Record
	for d := m.Start(); !d.After(m.End()); d = d.AddDays(1) {
		if w, _ := c.IsWorkday(d); !w {
			continue
		}
		r := attendance.Record{PersonID: 1, Date: d, Source: attendance.SourceClock, In: attendance.At(8, 50, 0), Out: attendance.At(17, 5, 0)}
		if edit != nil && !edit(d, &r) {
			continue
		}
		rs = append(rs, r)
	}
	return rs
}

func TestSummarise(t *testing.T) {
	c := cal2026(t)
	mar := month(t, "2026-03")
	on := func(day string) func(d platform.Date) bool {
		return func(d platform.Date) bool { return d.String() == day }
	}
	for _, tc := range []struct {
		name    string
		rules   func(r *attendance.Rules)
		in      func(in *attendance.MonthInput)
		want    attendance.Summary
		wantFig map[string]float64
	}{
		{name: "full month",
			want: attendance.Summary{Required: 22, Present: 44, Full: true},
			wantFig: map[string]float64{"attendance.required_days": 22, "attendance.present_days": 22, "attendance.late": 0, "attendance.early_leave": 0,
				"attendance.absent_days": 0, "attendance.leave_days": 0, "attendance.full": 1}},
		{name: "hired mid-month",
			in: func(in *attendance.MonthInput) {
				in.HiredOn = date(t, "2026-03-16")
				in.Records = fullMonth(t, c, mar, func(d platform.Date, _ *attendance.Record) bool { return !d.Before(in.HiredOn) })
			},
			want: attendance.Summary{Required: 12, Present: 24, Full: true}},
		{name: "hired mid-month under a whole-month rule", rules: func(r *attendance.Rules) { r.Full.WholeMonth = true },
			in: func(in *attendance.MonthInput) {
				in.HiredOn = date(t, "2026-03-16")
				in.Records = fullMonth(t, c, mar, func(d platform.Date, _ *attendance.Record) bool { return !d.Before(in.HiredOn) })
			},
			want: attendance.Summary{Required: 12, Present: 24, NotFull: attendance.FullMissPartialMonth}},
		{name: "left on the 10th",
			in:   func(in *attendance.MonthInput) { in.LeftOn = date(t, "2026-03-10") },
			want: attendance.Summary{Required: 7, Present: 14, Full: true}},
		{name: "hired after the month",
			in:   func(in *attendance.MonthInput) { in.HiredOn = date(t, "2026-04-01"); in.Records = nil },
			want: attendance.Summary{NotFull: attendance.FullMissNoWorkdays}},
		{name: "one late breaks full attendance",
			in: func(in *attendance.MonthInput) {
				in.Records = fullMonth(t, c, mar, func(d platform.Date, r *attendance.Record) bool {
					if on("2026-03-04")(d) {
						r.In = attendance.At(9, 30, 0)
					}
					return true
				})
			},
			want: attendance.Summary{Required: 22, Present: 44, Late: 1, NotFull: attendance.FullMissLate}},
		{name: "one late allowed", rules: func(r *attendance.Rules) { r.Full.MaxLate = 1 },
			in: func(in *attendance.MonthInput) {
				in.Records = fullMonth(t, c, mar, func(d platform.Date, r *attendance.Record) bool {
					if on("2026-03-04")(d) {
						r.In = attendance.At(9, 30, 0)
					}
					return true
				})
			},
			want: attendance.Summary{Required: 22, Present: 44, Late: 1, Full: true}},
		{name: "late by 31 is a day of absence",
			in: func(in *attendance.MonthInput) {
				in.Records = fullMonth(t, c, mar, func(d platform.Date, r *attendance.Record) bool {
					if on("2026-03-04")(d) {
						r.In = attendance.At(9, 31, 0)
					}
					return !on("2026-03-05")(d) // and no punch on the 5th
				})
			},
			want:    attendance.Summary{Required: 22, Present: 40, Absent: 4, NotFull: attendance.FullMissAbsent},
			wantFig: map[string]float64{"attendance.present_days": 20, "attendance.absent_days": 2, "attendance.full": 0}},
		{name: "half-day absence",
			rules: func(r *attendance.Rules) { r.MissingOut = attendance.MissingHalfDay },
			in: func(in *attendance.MonthInput) {
				in.Records = fullMonth(t, c, mar, func(d platform.Date, r *attendance.Record) bool {
					if on("2026-03-04")(d) {
						r.Out = attendance.TimeOfDay{}
					}
					return true
				})
			},
			want:    attendance.Summary{Required: 22, Present: 43, Absent: 1, NotFull: attendance.FullMissAbsent},
			wantFig: map[string]float64{"attendance.present_days": 21.5, "attendance.absent_days": 0.5}},
		{name: "leave across a weekend, attended and not",
			in: func(in *attendance.MonthInput) {
				in.Leaves = []attendance.Leave{{Type: "annual", From: date(t, "2026-03-05"), To: date(t, "2026-03-09")}, // Thu–Mon: 3 workdays
					{Type: "sick", From: date(t, "2026-03-20"), To: date(t, "2026-03-20")}}
			},
			want:    attendance.Summary{Required: 22, Present: 42, Leave: 8, LeaveByType: map[string]attendance.HalfDays{"annual": 6, "sick": 2}, NotFull: attendance.FullMissLeave},
			wantFig: map[string]float64{"attendance.present_days": 21, "attendance.leave_days": 4}},
		{name: "leave that keeps full attendance", rules: func(r *attendance.Rules) { r.Full.LeaveAllowed = []string{"marriage"} },
			in: func(in *attendance.MonthInput) {
				in.Leaves = []attendance.Leave{{Type: "marriage", From: date(t, "2026-02-25"), To: date(t, "2026-03-03")}}
			},
			want: attendance.Summary{Required: 22, Present: 44, Leave: 4, LeaveByType: map[string]attendance.HalfDays{"marriage": 4}, Full: true}}, // 2 and 3 March
		{name: "outings",
			in: func(in *attendance.MonthInput) {
				in.Records = fullMonth(t, c, mar, func(d platform.Date, _ *attendance.Record) bool { return !on("2026-03-10")(d) })
				in.Outings = []attendance.Outing{{Date: date(t, "2026-03-10")}}
			},
			want: attendance.Summary{Required: 22, Present: 44, Outing: 1, Full: true}},
		{name: "month to date",
			in: func(in *attendance.MonthInput) {
				in.Through = date(t, "2026-03-13")
				in.Records = fullMonth(t, c, mar, func(d platform.Date, _ *attendance.Record) bool { return !d.After(in.Through) })
			},
			want: attendance.Summary{Required: 22, Present: 20, Pending: 12, Full: true}},
		{name: "records on a weekend are overtime, not counted",
			in: func(in *attendance.MonthInput) {
				in.Records = append(in.Records, attendance.Record{PersonID: 1, Date: date(t, "2026-03-07"), Source: attendance.SourcePhone, In: attendance.At(10, 0, 0)})
			},
			want: attendance.Summary{Required: 22, Present: 44, Full: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := ruleset(t, tc.rules)
			in := attendance.MonthInput{PersonID: 1, Month: mar, Records: fullMonth(t, c, mar, nil)}
			if tc.in != nil {
				tc.in(&in)
			}
			got, err := rs.Summarise(c, in)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.PersonID, tc.want.Month = 1, mar
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
			fig := got.Figures()
			for k, v := range tc.wantFig {
				if fig[k] != v {
					t.Errorf("figure %s = %v, want %v", k, fig[k], v)
				}
			}
			// MonthDays agrees and explains every day.
			s2, days, err := rs.MonthDays(c, in)
			if err != nil || !reflect.DeepEqual(s2, got) {
				t.Fatalf("MonthDays summary %+v, %v", s2, err)
			}
			if len(days) != 31 {
				t.Fatalf("%d days", len(days))
			}
			for i, d := range days {
				if d.Date != mar.Start().AddDays(i) || d.Reason == "" {
					t.Fatalf("day %d: %+v", i, d)
				}
			}
		})
	}
}

func TestSummaryLeaveAcrossAHoliday(t *testing.T) {
	// Personal leave from Monday 28 September to Friday 9 October spans the
	// Mid-Autumn weekend days, National Day and the weekend: September has
	// three days of it, October two.
	c := cal2026(t)
	rs := ruleset(t, nil)
	leave := []attendance.Leave{{Type: "personal", From: date(t, "2026-09-28"), To: date(t, "2026-10-09")}}
	for _, tc := range []struct {
		month          string
		required, left attendance.HalfDays
	}{{"2026-09", 22, 6}, {"2026-10", 18, 4}} {
		m := month(t, tc.month)
		in := attendance.MonthInput{PersonID: 1, Month: m, Leaves: leave,
			Records: fullMonth(t, c, m, func(d platform.Date, _ *attendance.Record) bool {
				return d.Before(leave[0].From) || d.After(leave[0].To)
			})}
		s, err := rs.Summarise(c, in)
		if err != nil {
			t.Fatal(err)
		}
		if attendance.HalfDays(s.Required) != tc.required || s.Leave != tc.left || s.Present != 2*tc.required-tc.left || s.Absent != 0 {
			t.Errorf("%s: %+v", tc.month, s)
		}
	}
}

func TestSummariseIsDeterministic(t *testing.T) {
	c := cal2026(t)
	rs := ruleset(t, func(r *attendance.Rules) { r.MissingOut = attendance.MissingHalfDay; r.LateGraceMinutes = 5 })
	m := month(t, "2026-05")
	rnd := rand.New(rand.NewPCG(7, 11))
	var recs []attendance.Record
	for d := m.Start(); !d.After(m.End()); d = d.AddDays(1) {
		for range rnd.IntN(4) { // several sources a day, some without a departure
			r := attendance.Record{PersonID: 1, Date: d, Source: []attendance.Source{attendance.SourceClock, attendance.SourcePhone}[rnd.IntN(2)],
				In: attendance.At(8+rnd.IntN(3), rnd.IntN(60), rnd.IntN(60))}
			if rnd.IntN(3) > 0 {
				r.Out = attendance.At(15+rnd.IntN(3), rnd.IntN(60), 0)
			}
			recs = append(recs, r)
		}
	}
	recs = append(recs, attendance.Record{PersonID: 1, Date: date(t, "2026-05-12"), Source: attendance.SourceManual, Status: attendance.Present})
	in := attendance.MonthInput{PersonID: 1, Month: m, Records: recs,
		Leaves:  []attendance.Leave{{Type: "sick", From: date(t, "2026-05-20"), To: date(t, "2026-05-21")}, {Type: "annual", From: date(t, "2026-04-29"), To: date(t, "2026-05-06")}},
		Outings: []attendance.Outing{{Date: date(t, "2026-05-13")}, {Date: date(t, "2026-05-14"), From: attendance.At(14, 0, 0), To: attendance.At(17, 0, 0)}}}
	want, wantDays, err := rs.MonthDays(c, in)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		rnd.Shuffle(len(in.Records), func(i, j int) { in.Records[i], in.Records[j] = in.Records[j], in.Records[i] })
		slices.Reverse(in.Leaves)
		slices.Reverse(in.Outings)
		got, days, err := rs.MonthDays(c, in)
		if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(days, wantDays) {
			t.Fatalf("order changed the result: %+v vs %+v (%v)", got, want, err)
		}
	}
	// And the JSON a client sees is stable.
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(want)
	if string(a) != string(b) || !strings.Contains(string(a), `"presentDays":`) {
		t.Fatal(string(a))
	}
}

func TestSummariseRefusesInconsistentInput(t *testing.T) {
	c := cal2026(t)
	rs := ruleset(t, nil)
	mar := month(t, "2026-03")
	rec := func(d string) attendance.Record {
		return attendance.Record{PersonID: 1, Date: date(t, d), Source: attendance.SourceClock, In: attendance.At(9, 0, 0)}
	}
	for _, tc := range []struct {
		name string
		in   attendance.MonthInput
		want string
	}{
		{"not a month", attendance.MonthInput{PersonID: 1, Month: month(t, "2026-Q1")}, "month"},
		{"no person", attendance.MonthInput{Month: mar}, "personId"},
		{"left before hired", attendance.MonthInput{PersonID: 1, Month: mar, HiredOn: date(t, "2026-03-10"), LeftOn: date(t, "2026-03-09")}, "leftOn"},
		{"record of another person", attendance.MonthInput{PersonID: 2, Month: mar, Records: []attendance.Record{rec("2026-03-02")}}, "records[0].personId"},
		{"record of another month", attendance.MonthInput{PersonID: 1, Month: mar, Records: []attendance.Record{rec("2026-03-02"), rec("2026-04-01")}}, "records[1].date"},
		{"bad record", attendance.MonthInput{PersonID: 1, Month: mar, Records: []attendance.Record{{PersonID: 1, Date: date(t, "2026-03-02"), Source: attendance.SourceClock}}}, "records[0].in"},
		{"unknown leave type", attendance.MonthInput{PersonID: 1, Month: mar, Leaves: []attendance.Leave{{Type: "x", From: date(t, "2026-03-02"), To: date(t, "2026-03-02")}}}, "leaves[0].type"},
		{"overlapping leave", attendance.MonthInput{PersonID: 1, Month: mar, Leaves: []attendance.Leave{
			{Type: "sick", From: date(t, "2026-03-02"), To: date(t, "2026-03-04")}, {Type: "personal", From: date(t, "2026-03-04"), To: date(t, "2026-03-05")}}}, "leaves[1].from"},
		{"reversed leave", attendance.MonthInput{PersonID: 1, Month: mar, Leaves: []attendance.Leave{{Type: "sick", From: date(t, "2026-03-04"), To: date(t, "2026-03-02")}}}, "leaves[0].to"},
		{"two outings a day", attendance.MonthInput{PersonID: 1, Month: mar, Outings: []attendance.Outing{{Date: date(t, "2026-03-02")}, {Date: date(t, "2026-03-02")}}}, "outings[1].date"},
		{"outing of another month", attendance.MonthInput{PersonID: 1, Month: mar, Outings: []attendance.Outing{{Date: date(t, "2026-02-02")}}}, "outings[0].date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rs.Summarise(c, tc.in)
			if got := join(fieldsOf(t, err)); got != tc.want {
				t.Fatalf("fields %s, want %s (%v)", got, tc.want, err)
			}
			if !strings.Contains(err.Error(), "person ") {
				t.Errorf("error %q does not name the person", err)
			}
		})
	}
	if _, err := rs.Summarise(c, attendance.MonthInput{PersonID: 1, Month: month(t, "2027-01")}); err == nil {
		t.Fatal("a month outside the calendar")
	}
}

// The figures are exactly the scorecards' attendance inputs plus
// attendance.full, so a formula can name any of them and nothing else.
func TestFiguresMatchAssessmentInputs(t *testing.T) {
	s := attendance.Summary{}
	fig := s.Figures()
	declared := map[string]bool{}
	for _, in := range assess.Inputs() {
		if strings.HasPrefix(in.Name, "attendance.") {
			declared[in.Name] = true
			if _, ok := fig[in.Name]; !ok {
				t.Errorf("figure %s missing", in.Name)
			}
		}
	}
	for k := range fig {
		if !declared[k] && k != attendance.FigureFull {
			t.Errorf("figure %s is not an assessment input", k)
		}
	}
	if len(fig) != len(declared)+1 {
		t.Errorf("%d figures for %d inputs", len(fig), len(declared))
	}
}

func TestHalfDays(t *testing.T) {
	for h, want := range map[attendance.HalfDays]string{0: "0", 1: "0.5", 2: "1", 5: "2.5", -1: "-0.5", -3: "-1.5"} {
		if got := h.String(); got != want {
			t.Errorf("%d: %s, want %s", int(h), got, want)
		}
		b, _ := h.MarshalJSON()
		var f float64
		if err := json.Unmarshal(b, &f); err != nil || f != h.Days() {
			t.Errorf("%d: JSON %s", int(h), b)
		}
	}
}

// A ruleset and a calendar serve many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	c := cal2026(t)
	rs := ruleset(t, nil)
	m := month(t, "2026-03")
	want, err := rs.Summarise(c, attendance.MonthInput{PersonID: 1, Month: m, Records: fullMonth(t, c, m, nil)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan attendance.Summary)
	for range 8 {
		go func() {
			s, _, _ := rs.MonthDays(c, attendance.MonthInput{PersonID: 1, Month: m, Records: fullMonth(t, c, m, nil)})
			done <- s
		}()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Fatal(got)
		}
	}
}
