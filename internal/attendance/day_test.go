package attendance_test

import (
	"strings"
	"testing"
	"time"

	"cmhub/internal/attendance"
)

func TestDayStatus(t *testing.T) {
	const monday = "2026-03-02"
	clockRec := func(in, out string) attendance.Record {
		r := attendance.Record{PersonID: 1, Date: date(t, monday), Source: attendance.SourceClock}
		if in != "" {
			r.In = clock(t, in)
		}
		if out != "" {
			r.Out = clock(t, out)
		}
		return r
	}
	halfRules := func(r *attendance.Rules) {
		r.LateHalfDayAfterMinutes, r.LateAbsentAfterMinutes = 30, 120
		r.EarlyHalfDayAfterMinutes, r.EarlyAbsentAfterMinutes = 30, 120
	}
	for _, tc := range []struct {
		name    string
		rules   func(r *attendance.Rules)
		day     string // default monday
		records []attendance.Record
		leave   string
		outing  *attendance.Outing
		status  attendance.Status
		cause   attendance.Cause
		late    bool
		early   bool
		absent  attendance.HalfDays
		present attendance.HalfDays
		reason  []string // substrings of the reason
	}{
		{name: "on time", records: []attendance.Record{clockRec("08:52", "17:03")},
			status: attendance.Present, cause: attendance.CausePunches, present: 2, reason: []string{"上班 08:52", "out 17:03"}},
		{name: "seconds are dropped: 09:00:59 is on time", records: []attendance.Record{clockRec("09:00:59", "17:00")},
			status: attendance.Present, present: 2},
		{name: "late by exactly 30 minutes is a late", records: []attendance.Record{clockRec("09:30", "17:00")},
			status: attendance.Late, late: true, present: 2, reason: []string{"迟到 30 分钟", "late by 30 minutes"}},
		{name: "late by 30 minutes 59 seconds is still 30", records: []attendance.Record{clockRec("09:30:59", "17:00")},
			status: attendance.Late, late: true, present: 2},
		{name: "late by 31 minutes is absent", records: []attendance.Record{clockRec("09:31", "17:00")},
			status: attendance.Absent, absent: 2, reason: []string{"迟到 31 分钟，超过 30 分钟按旷工", "more than 30 counts as absent"}},
		{name: "within grace", rules: func(r *attendance.Rules) { r.LateGraceMinutes = 5 }, records: []attendance.Record{clockRec("09:05", "17:00")},
			status: attendance.Present, present: 2, reason: []string{"宽限 5 分钟内"}},
		{name: "just over grace", rules: func(r *attendance.Rules) { r.LateGraceMinutes = 5 }, records: []attendance.Record{clockRec("09:06", "17:00")},
			status: attendance.Late, late: true, present: 2},
		{name: "left early by 30", records: []attendance.Record{clockRec("09:00", "16:30")},
			status: attendance.EarlyLeave, early: true, present: 2},
		{name: "left early by 31", records: []attendance.Record{clockRec("09:00", "16:29")},
			status: attendance.Absent, absent: 2},
		{name: "late and left early", records: []attendance.Record{clockRec("09:10", "16:50")},
			status: attendance.Late, late: true, early: true, present: 2},
		{name: "half-day rule", rules: halfRules, records: []attendance.Record{clockRec("09:45", "17:00")},
			status: attendance.Absent, absent: 1, present: 1, reason: []string{"按旷工半天"}},
		{name: "two half days make a day", rules: halfRules, records: []attendance.Record{clockRec("09:45", "16:15")},
			status: attendance.Absent, absent: 2},
		{name: "punches only in: absent by default", records: []attendance.Record{clockRec("08:55", "")},
			status: attendance.Absent, absent: 2, reason: []string{"缺下班卡，按旷工", "no out punch: absent"}},
		{name: "punches only in: half a day", rules: func(r *attendance.Rules) { r.MissingOut = attendance.MissingHalfDay },
			records: []attendance.Record{clockRec("08:55", "")}, status: attendance.Absent, absent: 1, present: 1},
		{name: "punches only in: an early leave", rules: func(r *attendance.Rules) { r.MissingOut = attendance.MissingLateOrEarly },
			records: []attendance.Record{clockRec("08:55", "")}, status: attendance.EarlyLeave, early: true, present: 2},
		{name: "punches only in: ignored", rules: func(r *attendance.Rules) { r.MissingOut = attendance.MissingIgnore },
			records: []attendance.Record{clockRec("08:55", "")}, status: attendance.Present, present: 2},
		{name: "two morning punches are arrivals", rules: func(r *attendance.Rules) { r.MissingOut = attendance.MissingHalfDay },
			records: []attendance.Record{clockRec("08:55", "08:57")}, status: attendance.Absent, absent: 1, present: 1},
		{name: "a lone evening punch is a departure", rules: func(r *attendance.Rules) { r.MissingIn = attendance.MissingLateOrEarly },
			records: []attendance.Record{clockRec("17:05", "")}, status: attendance.Late, late: true, present: 2, reason: []string{"缺上班卡，计迟到"}},
		{name: "no punch", status: attendance.Absent, cause: attendance.CauseNoPunch, absent: 2, reason: []string{"无打卡记录"}},
		{name: "clock and phone merged", records: []attendance.Record{clockRec("", "17:10"),
			{PersonID: 1, Date: date(t, monday), Source: attendance.SourcePhone, In: clock(t, "08:40")}},
			status: attendance.Present, present: 2},
		{name: "the lead's entry fills a forgotten punch", records: []attendance.Record{clockRec("08:50", ""),
			{PersonID: 1, Date: date(t, monday), Source: attendance.SourceManual, Out: clock(t, "17:00"), Note: "补卡"}},
			status: attendance.Present, present: 2},
		{name: "the lead's status overrides punches", records: []attendance.Record{clockRec("08:50", "17:00"),
			{PersonID: 1, Date: date(t, monday), Source: attendance.SourceManual, Status: attendance.Absent}},
			status: attendance.Absent, cause: attendance.CauseManual, absent: 2, reason: []string{"团队负责人登记为「旷工」"}},
		{name: "leave wins over punches", records: []attendance.Record{clockRec("08:50", "17:00")}, leave: "personal",
			status: attendance.OnLeave, cause: attendance.CauseLeave, reason: []string{"请假：事假（不计出勤）"}},
		{name: "attended leave", leave: "annual", status: attendance.OnLeave, present: 2, reason: []string{"Annual leave (counts as attended)"}},
		{name: "whole-day outing", outing: &attendance.Outing{Date: date(t, monday)},
			status: attendance.OnOuting, cause: attendance.CauseOuting, present: 2},
		{name: "whole-day outing not attended", rules: func(r *attendance.Rules) { r.OutingAttended = false },
			outing: &attendance.Outing{Date: date(t, monday)}, status: attendance.OnOuting},
		{name: "afternoon outing covers the departure", records: []attendance.Record{clockRec("08:58", "")},
			outing: &attendance.Outing{Date: date(t, monday), From: clock(t, "14:00"), To: clock(t, "17:30")},
			status: attendance.Present, present: 2, reason: []string{"外出 14:00–17:30 计为在岗"}},
		{name: "make-up Saturday is a workday", day: "2026-02-14", records: []attendance.Record{{PersonID: 1, Date: date(t, "2026-02-14"), Source: attendance.SourceClock, In: clock(t, "09:00"), Out: clock(t, "17:00")}},
			status: attendance.Present, present: 2},
		{name: "holiday Monday: punches are overtime", day: "2026-04-06", records: []attendance.Record{{PersonID: 1, Date: date(t, "2026-04-06"), Source: attendance.SourceClock, In: clock(t, "10:00")}},
			status: attendance.Rest, cause: attendance.CauseHoliday, reason: []string{"法定节假日 清明节"}},
		{name: "weekend", day: "2026-03-07", status: attendance.Rest, cause: attendance.CauseWeekend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := ruleset(t, tc.rules)
			day := monday
			if tc.day != "" {
				day = tc.day
			}
			d, err := rs.Day(cal2026(t), attendance.DayInput{Date: date(t, day), Records: tc.records, Leave: tc.leave, Outing: tc.outing})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tc.status || d.Late != tc.late || d.EarlyLeave != tc.early || d.Absent != tc.absent || d.Attended != tc.present {
				t.Fatalf("got %s late=%v early=%v absent=%s attended=%s; want %s late=%v early=%v absent=%s attended=%s (%s)",
					d.Status, d.Late, d.EarlyLeave, d.Absent, d.Attended, tc.status, tc.late, tc.early, tc.absent, tc.present, d.Reason)
			}
			if tc.cause != "" && d.Cause != tc.cause {
				t.Errorf("cause %s, want %s", d.Cause, tc.cause)
			}
			for _, s := range tc.reason {
				if !strings.Contains(d.Reason, s) {
					t.Errorf("reason %q lacks %q", d.Reason, s)
				}
			}
			if d.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}

func TestDayRefusesInconsistentInput(t *testing.T) {
	rs := ruleset(t, nil)
	c := cal2026(t)
	d := date(t, "2026-03-02")
	manual := func(s attendance.Status) attendance.Record {
		return attendance.Record{PersonID: 1, Date: d, Source: attendance.SourceManual, Status: s}
	}
	for _, tc := range []struct {
		name string
		in   attendance.DayInput
		want string
	}{
		{"record of another day", attendance.DayInput{Date: d, Records: []attendance.Record{{PersonID: 1, Date: d.AddDays(1), Source: attendance.SourceClock, In: clock(t, "09:00")}}}, "records[0].date"},
		{"unknown leave", attendance.DayInput{Date: d, Leave: "sabbatical"}, "leave"},
		{"outing of another day", attendance.DayInput{Date: d, Outing: &attendance.Outing{Date: d.AddDays(1)}}, "outing.date"},
		{"outing with one time", attendance.DayInput{Date: d, Outing: &attendance.Outing{Date: d, From: clock(t, "14:00")}}, "outing.to"},
		{"two manual statuses", attendance.DayInput{Date: d, Records: []attendance.Record{manual(attendance.Absent), manual(attendance.Present)}}, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rs.Day(c, tc.in)
			if got := join(fieldsOf(t, err)); got != tc.want {
				t.Fatalf("fields %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := rs.Day(c, attendance.DayInput{Date: date(t, "2027-03-01")}); err == nil {
		t.Fatal("a day outside the calendar")
	}
	// The same explicit status twice is not a conflict.
	if got, err := rs.Day(c, attendance.DayInput{Date: d, Records: []attendance.Record{manual(attendance.Absent), manual(attendance.Absent)}}); err != nil || got.Status != attendance.Absent {
		t.Fatal(got, err)
	}
}

func TestLocal(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	d, tm := attendance.Local(time.Date(2026, 3, 1, 16, 30, 5, 0, time.UTC), cst)
	if d != date(t, "2026-03-02") || tm != clock(t, "00:30:05") {
		t.Fatalf("Local = %s %s", d, tm)
	}
}
