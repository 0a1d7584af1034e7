package attendance_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

const benchPeople = 100_000

// benchMonth builds March 2026 for n people: a clock record on each
// workday (some late, some leaving early, some missing a punch, about one
// day in fifty without any), a phone check-in on some days, leave for one
// in ten and an outing for one in five.
func benchMonth(b *testing.B, n int) (*attendance.Calendar, []attendance.MonthInput) {
	c := cal2026(b)
	m := month(b, "2026-03")
	rnd := rand.New(rand.NewPCG(1, 2))
	var workdays []platform.Date
	for d := m.Start(); !d.After(m.End()); d = d.AddDays(1) {
		if w, _ := c.IsWorkday(d); w {
			workdays = append(workdays, d)
		}
	}
	ins := make([]attendance.MonthInput, n)
	for p := range ins {
		id := int64(p + 1)
		recs := make([]attendance.Record, 0, len(workdays)+2)
		for _, d := range workdays {
			if rnd.IntN(50) == 0 {
				continue
			}
			r := attendance.Record{PersonID: id, Date: d, Source: attendance.SourceClock,
				In: minute(8*60+30+rnd.IntN(35), rnd.IntN(60)), Out: attendance.At(16, 40+rnd.IntN(20), rnd.IntN(60))}
			if rnd.IntN(40) == 0 {
				r.Out = attendance.TimeOfDay{}
			}
			recs = append(recs, r)
			if rnd.IntN(10) == 0 {
				recs = append(recs, attendance.Record{PersonID: id, Date: d, Source: attendance.SourcePhone, In: attendance.At(8, 40, 0)})
			}
		}
		in := attendance.MonthInput{PersonID: id, Month: m, Records: recs}
		if p%10 == 0 {
			d := workdays[rnd.IntN(len(workdays)-2)]
			in.Leaves = []attendance.Leave{{Type: []string{"personal", "sick", "annual"}[rnd.IntN(3)], From: d, To: d.AddDays(1)}}
		}
		if p%5 == 0 {
			in.Outings = []attendance.Outing{{Date: workdays[rnd.IntN(len(workdays))]}}
		}
		if p%100 == 0 {
			in.HiredOn = date(b, "2026-03-16")
		}
		ins[p] = in
	}
	return c, ins
}

func minute(m, s int) attendance.TimeOfDay { return attendance.At(m/60, m%60, s) }

// BenchmarkSummariseMonth summarises March for 100 000 people; one op is
// all 100 000 summaries.
func BenchmarkSummariseMonth(b *testing.B) {
	c, ins := benchMonth(b, benchPeople)
	rs := ruleset(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range ins {
			if _, err := rs.Summarise(c, ins[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchPeople), "ns/person")
}

// BenchmarkSummariseMonthFigures adds building the figures map pay reads.
func BenchmarkSummariseMonthFigures(b *testing.B) {
	c, ins := benchMonth(b, benchPeople)
	rs := ruleset(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range ins {
			s, err := rs.Summarise(c, ins[i])
			if err != nil {
				b.Fatal(err)
			}
			_ = s.Figures()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchPeople), "ns/person")
}

// BenchmarkMonthDays is one person's month with every day and its reason,
// as the team calendar shows it.
func BenchmarkMonthDays(b *testing.B) {
	c, ins := benchMonth(b, 1000)
	rs := ruleset(b, nil)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, _, err := rs.MonthDays(c, ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkParsePunches parses 100 000 punch rows (two punches a day of
// 2 300 people for a month, roughly).
func BenchmarkParsePunches(b *testing.B) {
	rows := make([]platform.ImportRow, 100_000)
	for i := range rows {
		rows[i] = platform.ImportRow{Num: i + 2, Values: map[string]string{
			"empNo": "XZ" + strconv.Itoa(1000+i%2300), "punchedAt": "2026-03-" + strconv.Itoa(10+i%20) + " 08:" + strconv.Itoa(10+i%50) + ":07"}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ps, errs := attendance.ParsePunches(rows)
		if len(errs) > 0 || len(ps) != len(rows) {
			b.Fatal(errs[0])
		}
		_ = attendance.FirstLast(ps)
	}
}
