package attendance_test

import (
	"reflect"
	"testing"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

func row(n int, kv ...string) platform.ImportRow {
	v := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	return platform.ImportRow{Num: n, Values: v}
}

func TestParsePunches(t *testing.T) {
	good := []struct {
		row  platform.ImportRow
		date string
		time string
	}{
		{row(2, "empNo", "XZ0101", "punchedAt", "2026-03-02 08:55:12"), "2026-03-02", "08:55:12"},
		{row(3, "empNo", "XZ0101", "punchedAt", "2026/3/2 8:55"), "2026-03-02", "08:55"},
		{row(4, "empNo", "XZ0101", "punchedAt", "2026-03-02T17:01:00"), "2026-03-02", "17:01"},
		{row(5, "empNo", "XZ0101", "date", "2026-03-02", "time", "12:00"), "2026-03-02", "12:00"},
		{row(6, "empNo", "XZ0101", "date", "2026.3.2", "time", "7:05:09"), "2026-03-02", "07:05:09"},
		{row(7, "empNo", "XZ0101", "date", "2026-03-02 00:00:00", "time", "18:30"), "2026-03-02", "18:30"},                      // an Excel date-time cell as the date
		{row(8, "empNo", "XZ0101", "date", "2026-03-02", "time", "2026-03-02 18:31:00"), "2026-03-02", "18:31"},                 // and as the time
		{row(9, "empNo", "XZ0101", "punchedAt", "2026-03-02 08:00", "date", "2026/3/2", "time", "8:00"), "2026-03-02", "08:00"}, // both forms, agreeing
		{row(10, "empNo", "XZ0101", "name", "张三", "punchedAt", "2026-03-02  9:01"), "2026-03-02", "09:01"},
	}
	var rows []platform.ImportRow
	for _, g := range good {
		rows = append(rows, g.row)
	}
	ps, errs := attendance.ParsePunches(rows)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i, g := range good {
		if ps[i].Row != g.row.Num || ps[i].EmpNo != "XZ0101" || ps[i].Date != date(t, g.date) || ps[i].Time != clock(t, g.time) {
			t.Errorf("row %d: %+v", g.row.Num, ps[i])
		}
	}

	bad := []struct {
		row  platform.ImportRow
		cols []string
	}{
		{row(2, "punchedAt", "2026-03-02 08:55"), []string{"empNo"}},
		{row(3, "empNo", "XZ0101"), []string{"punchedAt"}},
		{row(4, "empNo", "XZ0101", "punchedAt", "2026-02-30 08:55"), []string{"punchedAt"}},
		{row(5, "empNo", "XZ0101", "punchedAt", "2026-03-02 24:00"), []string{"punchedAt"}},
		{row(6, "empNo", "XZ0101", "punchedAt", "46083.37"), []string{"punchedAt"}},
		{row(7, "empNo", "XZ0101", "date", "2026-03-02"), []string{"time"}},
		{row(8, "empNo", "XZ0101", "time", "08:00"), []string{"date"}},
		{row(9, "empNo", "XZ0101", "date", "3/2/2026", "time", "8:00"), []string{"date"}},
		{row(10, "empNo", "XZ0101", "punchedAt", "2026-03-02 08:00", "date", "2026-03-03"), []string{"date"}},
		{row(11, "empNo", "XZ0101", "punchedAt", "2026-03-02 08:00", "time", "08:01"), []string{"time"}},
		{row(12, "empNo", "X\x00", "punchedAt", "2026-03-02 08:00+08:00"), []string{"empNo", "punchedAt"}},
		{row(13, "empNo", "XZ0101", "date", "2026-03-02", "time", "2026-03-03 08:00"), []string{"time"}},
		{row(14, "empNo", "XZ0101", "punchedAt", "1899-12-30 08:00"), []string{"punchedAt"}},
	}
	for _, b := range bad {
		ps, errs := attendance.ParsePunches([]platform.ImportRow{b.row})
		var cols []string
		for _, e := range errs {
			if e.Row != b.row.Num {
				t.Errorf("row %d reported as %d", b.row.Num, e.Row)
			}
			cols = append(cols, e.Column)
			bilingual(t, e.Message)
		}
		if len(ps) != 0 || !reflect.DeepEqual(cols, b.cols) {
			t.Errorf("row %d: punches %v, errors %+v; want columns %v", b.row.Num, ps, errs, b.cols)
		}
	}
}

func TestFirstLast(t *testing.T) {
	p := func(emp, d, tm string) attendance.Punch {
		return attendance.Punch{EmpNo: emp, Date: date(t, d), Time: clock(t, tm)}
	}
	in := []attendance.Punch{
		p("B", "2026-03-02", "12:00"), p("A", "2026-03-03", "08:59"), p("A", "2026-03-02", "17:31"),
		p("A", "2026-03-02", "08:55"), p("A", "2026-03-02", "12:10"), p("B", "2026-03-02", "12:00"),
	}
	want := []attendance.DayPunches{
		{EmpNo: "A", Date: date(t, "2026-03-02"), First: clock(t, "08:55"), Last: clock(t, "17:31"), Count: 3},
		{EmpNo: "A", Date: date(t, "2026-03-03"), First: clock(t, "08:59"), Last: clock(t, "08:59"), Count: 1},
		{EmpNo: "B", Date: date(t, "2026-03-02"), First: clock(t, "12:00"), Last: clock(t, "12:00"), Count: 2},
	}
	for i := range 3 {
		got := attendance.FirstLast(in)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: %+v", i, got)
		}
		in = append(in[1:], in[0]) // any order, same result
	}
	r := want[0].Record(9)
	if r.Source != attendance.SourceClock || r.In != clock(t, "08:55") || r.Out != clock(t, "17:31") || r.PersonID != 9 {
		t.Fatalf("record %+v", r)
	}
	if r := want[1].Record(9); !r.Out.IsZero() || r.In != clock(t, "08:59") {
		t.Fatalf("single punch %+v", r)
	}
	if f := want[2].Record(9).Validate(); len(f) > 0 {
		t.Fatal(f)
	}
}

func TestPunchesEndToEnd(t *testing.T) {
	// From file rows to the day's status: the clock saw 08:57, 12:03 and
	// 17:02 for XZ0101 and only 08:49 for XZ0102.
	var rows []platform.ImportRow
	for i, v := range [][2]string{{"XZ0101", "2026-03-02 08:57"}, {"XZ0101", "2026-03-02 12:03"}, {"XZ0102", "2026-03-02 08:49"}, {"XZ0101", "2026-03-02 17:02"}} {
		rows = append(rows, row(i+2, "empNo", v[0], "punchedAt", v[1]))
	}
	ps, errs := attendance.ParsePunches(rows)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, c := ruleset(t, nil), cal2026(t)
	want := map[string]attendance.Status{"XZ0101": attendance.Present, "XZ0102": attendance.Absent}
	for i, dp := range attendance.FirstLast(ps) {
		d, err := rs.Day(c, attendance.DayInput{Date: dp.Date, Records: []attendance.Record{dp.Record(int64(i + 1))}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != want[dp.EmpNo] {
			t.Errorf("%s: %s (%s)", dp.EmpNo, d.Status, d.Reason)
		}
	}
}
