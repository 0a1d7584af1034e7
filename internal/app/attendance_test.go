package app

import (
	"errors"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/attendance"
	"cmhub/internal/audit"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/internal/target"
)

// TestAttendance: the demo's working calendar (the State Council's 2026
// holidays), its editing and refusals; a team lead's manual entries for
// their team, checked whole and scoped; a phone check-in; and the month
// view whose statuses and summaries follow the rules (late by more than
// 30 minutes is a day of absence), scoped like every list.
func TestAttendance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt, tl, cm := asUser(t, sys, s, "mktdir"), asUser(t, sys, s, "tl11"), asUser(t, sys, s, "cm02")

		// October 2026: 22 weekdays, five of them the National Day holiday,
		// plus Saturday 10 October worked in exchange.
		cal, err := s.Attendance.Calendar(cm, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if !cal.Defined || len(cal.Workdays) != 12 || cal.Workdays[9] != 18 || cal.Workdays[1] != 16 {
			t.Fatalf("2026 calendar: defined %v, workdays %v", cal.Defined, cal.Workdays)
		}
		if none, err := s.Attendance.Calendar(cm, 2027); err != nil || none.Defined || len(none.Workdays) != 0 {
			t.Fatalf("2027: %+v %v", none, err)
		}
		if _, err := s.Attendance.SaveCalendar(cm, 2027, attendance.CalendarInput{}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM edited the calendar: %v", err)
		}
		wed, err := platform.ParseDate("2027-01-06")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Attendance.SaveCalendar(mkt, 2027, attendance.CalendarInput{Entries: []attendance.Entry{{Date: wed, Kind: attendance.MakeupWorkday, Name: "调休"}}})
		var ve *platform.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(strings.Join(mapKeys(ve.Fields), " "), "entries[0]") {
			t.Fatalf("a make-up workday on a Wednesday: %v", err)
		}
		ny, _ := platform.ParseDate("2027-01-01")
		v, err := s.Attendance.SaveCalendar(mkt, 2027, attendance.CalendarInput{Entries: []attendance.Entry{{Date: ny, Kind: attendance.Holiday, Name: "元旦"}}})
		if err != nil || v.Version != 1 || v.Workdays[0] != 20 {
			t.Fatalf("2027 saved: %+v %v", v, err)
		}
		_, err = s.Attendance.SaveCalendar(mkt, 2027, attendance.CalendarInput{Entries: nil, Version: 0})
		conflictCode(t, err, "stale")

		// The team lead's team and someone outside it.
		team, err := s.Attendance.Month(tl, attendance.MonthQuery{Month: "2026-11", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.Attendance.Month(mkt, attendance.MonthQuery{Month: "2026-11", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		if team.Total == 0 || team.Total >= all.Total || team.Workdays != 21 || team.Through.String() != "2026-11-22" {
			t.Fatalf("team %d of %d, workdays %d, through %s", team.Total, all.Total, team.Workdays, team.Through)
		}
		inTeam := map[string]bool{}
		for _, p := range team.People {
			inTeam[p.EmpNo] = true
		}
		var member, outsider string
		for _, p := range all.People {
			if inTeam[p.EmpNo] && member == "" && p.Position == "sales_cm" {
				member = p.EmpNo
			}
			if !inTeam[p.EmpNo] && outsider == "" {
				outsider = p.EmpNo
			}
		}
		if member == "" || outsider == "" {
			t.Fatalf("member %q outsider %q", member, outsider)
		}

		// Every bad row named; nothing stored.
		_, err = s.Attendance.SaveRecords(tl, []attendance.RecordRow{
			{EmpNo: outsider, Date: "2026-11-02", In: "09:00", Out: "17:00"},
			{EmpNo: member, Date: "2026-11-30", In: "09:00", Out: "17:00"},
			{EmpNo: member, Date: "2026-11-03", In: "9点", Out: "17:00"},
			{EmpNo: member, Date: "2026-11-04", Status: "asleep"},
		})
		for _, f := range []string{"rows[0].empNo", "rows[1].date", "rows[2].in", "rows[3].status"} {
			if !errors.As(err, &ve) || ve.Fields[f] == "" {
				t.Fatalf("want an error on %s: %v", f, err)
			}
		}
		if _, err := s.Attendance.SaveRecords(cm, []attendance.RecordRow{{EmpNo: member, Date: "2026-11-02", Status: attendance.Present}}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM entered attendance: %v", err)
		}

		// 2 November on time, 3 November 31 minutes late (a day of
		// absence under the default rules), 4 November out on business.
		if _, err := s.Attendance.SaveRecords(tl, []attendance.RecordRow{
			{EmpNo: member, Date: "2026-11-02", In: "08:55", Out: "17:10"},
			{EmpNo: member, Date: "2026-11-03", In: "09:31", Out: "17:05"},
			{EmpNo: member, Date: "2026-11-04", Status: attendance.OnOuting, Note: "拜访客户"},
		}); err != nil {
			t.Fatal(err)
		}
		// Entered again: replaces, not adds.
		if _, err := s.Attendance.SaveRecords(tl, []attendance.RecordRow{{EmpNo: member, Date: "2026-11-02", In: "08:50", Out: "17:10"}}); err != nil {
			t.Fatal(err)
		}
		team, err = s.Attendance.Month(tl, attendance.MonthQuery{Month: "2026-11", PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		var pm attendance.PersonMonth
		for _, p := range team.People {
			if p.EmpNo == member {
				pm = p
			}
		}
		status := map[string]attendance.Status{}
		for _, d := range pm.Days {
			status[d.Date.String()] = d.Status
		}
		if status["2026-11-02"] != attendance.Present || status["2026-11-03"] != attendance.Absent || status["2026-11-04"] != attendance.OnOuting {
			t.Fatalf("days %v", status)
		}
		// Up to 22 November: 15 of the 21 working days have passed; the
		// 2nd and the outing of the 4th are attended, the late 3rd and the
		// twelve days without any punch count as absent.
		if pm.Summary.Required != 21 || pm.Summary.Pending != 6 || pm.Summary.Full || pm.Summary.Outing != 1 {
			t.Fatalf("summary %+v", pm.Summary)
		}
		figs := pm.Summary.Figures()
		if figs[attendance.FigurePresentDays] != 2 || figs[attendance.FigureAbsentDays] != 13 {
			t.Fatalf("figures %v", figs)
		}

		// A phone check-in: arrival, then departure, on the same record.
		first, err := s.Attendance.CheckIn(cm)
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.Attendance.CheckIn(cm)
		if err != nil || second.Source != attendance.SourcePhone || second.In != first.In || second.Out.IsZero() {
			t.Fatalf("check-ins %+v %+v %v", first, second, err)
		}
		if _, err := s.Attendance.CheckIn(asUser(t, sys, s, "admin")); err == nil {
			t.Fatal("an account without a person checked in")
		}

		// One person of the scope, as "my attendance" asks.
		if one, err := s.Attendance.Month(mkt, attendance.MonthQuery{Month: "2026-11", PersonID: pm.PersonID}); err != nil || one.Total != 1 || one.People[0].EmpNo != member {
			t.Fatalf("one person's month: %+v %v", one.Total, err)
		}
		if none, err := s.Attendance.Month(tl, attendance.MonthQuery{Month: "2026-11", PersonID: all.People[len(all.People)-1].PersonID}); err != nil || (none.Total != 0 && !inTeam[all.People[len(all.People)-1].EmpNo]) {
			t.Fatalf("a person outside the scope: %d %v", none.Total, err)
		}
		// A CM sees only themselves.
		mine, err := s.Attendance.Month(cm, attendance.MonthQuery{Month: "2026-11"})
		if err != nil || mine.Total != 1 {
			t.Fatalf("a CM's month: %d %v", mine.Total, err)
		}
		_, err = s.Attendance.Month(mkt, attendance.MonthQuery{Month: "2024-11"})
		conflictCode(t, err, "no_calendar")
		_, err = s.Attendance.Month(mkt, attendance.MonthQuery{Month: "2026-12"})
		fieldErr(t, err, "month", "has not begun")

		// Rules as data: a 10-minute grace is stored as a new version.
		rs, err := s.Attendance.Rules(mkt)
		if err != nil || rs.Version != 0 || rs.CreatedAt != nil {
			t.Fatalf("default rules %+v %v", rs, err)
		}
		rs.Rules.LateGraceMinutes = 10
		saved, err := s.Attendance.SaveRules(mkt, attendance.RulesInput{Rules: rs.Rules, LeaveTypes: rs.LeaveTypes, Note: "弹性 10 分钟"})
		if err != nil || saved.Version != 1 {
			t.Fatalf("saved rules %+v %v", saved, err)
		}
		rs.Rules.WorkEnd = rs.Rules.WorkStart
		if _, err := s.Attendance.SaveRules(mkt, attendance.RulesInput{Rules: rs.Rules, LeaveTypes: rs.LeaveTypes}); !errors.As(err, &ve) {
			t.Fatalf("work ending when it starts: %v", err)
		}

		entries, _, err := s.AuditQ.List(sys, audit.Filter{ObjectType: "work_calendar", ObjectID: "2027"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("calendar audit %d %v", len(entries), err)
		}
	})
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAttendanceInScorecard: the labour-discipline item of the CM form
// turned into a computed item over attendance (days present over days
// required) takes its points from the month's attendance: a CM present on
// 2 of October's 18 working days gets 20 × 2/18 = 2.2 points, and the
// derivation names the attendance figures.
func TestAttendanceInScorecard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")
		rs, err := s.Cycles.Rules(mkt)
		if err != nil {
			t.Fatal(err)
		}
		var form assess.Template
		for _, tp := range rs.Rules.Templates {
			if tp.Key == "cm_form" {
				form = tp
			}
		}
		form.Items = append([]assess.Item(nil), form.Items...)
		for i, it := range form.Items {
			if it.Key == "labour_discipline" {
				form.Items[i].Kind = assess.KindComputed
				form.Items[i].Formula = "attendance.required_days > 0 ? full * attendance.present_days / attendance.required_days : 0"
			}
		}
		if _, err := s.Cycles.SaveTemplate(mkt, form, "劳动纪律按出勤计算"); err != nil {
			t.Fatal(err)
		}
		c, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		subject, sheet := loneRatedCM(t, sys, mkt, s, c, nil)
		emp, err := s.People.Get(sys, subject)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Attendance.SaveRecords(mkt, []attendance.RecordRow{
			{EmpNo: emp.EmpNo, Date: "2026-10-08", In: "08:50", Out: "17:20"},
			{EmpNo: emp.EmpNo, Date: "2026-10-09", Status: attendance.OnOuting},
		}); err != nil {
			t.Fatal(err)
		}
		// A task target, so the task item has a value too.
		if _, err := s.Targets.Set(mkt, target.SetInput{Period: "2026-10", Metric: "new_accounts", PersonID: subject, Value: "5"}); err != nil {
			t.Fatal(err)
		}
		if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionStart}); err != nil {
			t.Fatal(err)
		}
		rated := pts(map[string]string{"duty_performance": "18", "professional_skill": "9", "execution": "9", "communication": "9",
			"service_awareness": "9", "work_efficiency": "9"})
		if _, err := s.Cycles.Save(asUser(t, sys, s, userOf(t, sys, s, sheet.RaterID)), sheet.ID, cycle.SaveInput{Points: rated, Submit: true}); err != nil {
			t.Fatal(err)
		}
		if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionEnd}); err != nil {
			t.Fatal(err)
		}
		res, err := s.Cycles.Result(mkt, c.ID, cycle.KindPerson, subject)
		if err != nil {
			t.Fatal(err)
		}
		var got *assess.ItemPoints
		for i := range res.Detail.Computed {
			if res.Detail.Computed[i].Key == "labour_discipline" {
				got = &res.Detail.Computed[i]
			}
		}
		if got == nil || got.Points != 22 {
			t.Fatalf("labour discipline: %+v", res.Detail.Computed)
		}
		if res.Detail.Inputs == nil || res.Detail.Inputs.Values["attendance.present_days"] != 2 || res.Detail.Inputs.Values["attendance.required_days"] != 18 {
			t.Fatalf("inputs %+v", res.Detail.Inputs)
		}
		named := false
		for _, src := range res.Detail.Inputs.Sources {
			named = named || (src.Metric == "attendance.present_days" && src.Actual == "2" && src.Basis == "attendance")
		}
		if !named {
			t.Fatalf("sources %+v", res.Detail.Inputs.Sources)
		}
	})
}
