package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
	"cmhub/internal/stats"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/internal/target"
)

// listOutcomes returns every outcome f selects (one page of up to 500).
func listOutcomes(ctx context.Context, s *Services, f cycle.OutcomeFilter) ([]cycle.Outcome, error) {
	pg, err := s.Cycles.OutcomeList(ctx, f)
	return pg.Items, err
}

// presetConsequences returns the consequences in force (the preset's).
func presetConsequences(t *testing.T, ctx context.Context, s *Services) cycle.Consequences {
	t.Helper()
	rs, err := s.Cycles.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Rules.Consequences == nil {
		t.Fatal("the seeded rules carry no consequences")
	}
	return *rs.Rules.Consequences
}

// appointments returns each sales CM's valid appointments of a month
// (every demo customer books one a month), for CMs who have some.
func appointments(t *testing.T, ctx context.Context, s *Services, month string) map[int64]int64 {
	t.Helper()
	tab, err := s.Stats.Monthly(ctx, stats.MonthlyQuery{Month: month, Level: stats.LevelManager, Metrics: []string{"valid_appointments"}})
	if err != nil {
		t.Fatal(err)
	}
	per, err := platform.ParsePeriod(month)
	if err != nil {
		t.Fatal(err)
	}
	ppl, err := s.DB.AssessPeople(ctx, access.FromContext(ctx).Institution, per.End())
	if err != nil {
		t.Fatal(err)
	}
	pos := map[int64]string{}
	for _, p := range ppl {
		pos[p.ID] = p.Position
	}
	out := map[int64]int64{}
	for _, r := range tab.Rows {
		c := r.Values["valid_appointments"]
		if r.SubjectType != stats.SubjectPerson || pos[r.ID] != "sales_cm" || c.Actual == nil {
			continue
		}
		n, err := strconv.ParseInt(*c.Actual, 10, 64)
		if err == nil && n > 0 {
			out[r.ID] = n
		}
	}
	return out
}

// TestTaskReview: the credit-coop task rule (002 第十一条) configured as
// data on the demo branch, then applied to October: three months under
// target → converted; one task under 30% → converted; a good month in
// between → nothing. Confirming converts the person; running the month
// again keeps what was decided.
func TestTaskReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")
		_, err := s.Cycles.ReviewTasks(mkt, cycle.TaskReviewInput{Period: "2026-10"})
		conflictCode(t, err, "no_rule")

		// Bad rules are refused whole, each field named; nothing is stored.
		before, err := s.Cycles.Rules(mkt)
		if err != nil {
			t.Fatal(err)
		}
		cons := presetConsequences(t, mkt, s)
		bad := cons
		bad.Outcomes.Coop = &assess.CoopRule{Positions: []string{"sales_cm"}, ConvertTo: "general_marketer", MissBelowBP: 10000, MissMonths: 3, FloorBP: 12000, RecoverMonths: 3}
		star := *cons.Outcomes.Star
		star.TieItem = "no_such_item"
		bad.Outcomes.Star = &star
		_, err = s.Cycles.SaveConsequences(mkt, cycle.ConsequencesInput{Consequences: bad})
		fieldErr(t, err, "outcomeRules.coopTasks.floorBp", "下限")
		fieldErr(t, err, "outcomeRules.coopTasks.convertTo", "general_marketer")
		fieldErr(t, err, "outcomeRules.starCm.tieItem", "no_such_item")
		if _, err := s.Cycles.SaveConsequences(asUser(t, sys, s, "cm02"), cycle.ConsequencesInput{Consequences: cons}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM changed the rules: %v", err)
		}
		if after, _ := s.Cycles.Rules(mkt); after.Version != before.Version {
			t.Fatalf("a refused change stored version %d", after.Version)
		}

		// The securities dictionary has no general marketer: the demo
		// converts to marketing staff, which shows the rule is data.
		cons.Outcomes.Coop = &assess.CoopRule{Positions: []string{"sales_cm"}, ConvertTo: "marketing_staff", MissBelowBP: 10000, MissMonths: 3, FloorBP: 3000, RecoverMonths: 3}
		rs, err := s.Cycles.SaveConsequences(mkt, cycle.ConsequencesInput{Consequences: cons, Note: "信用社任务考核办法"})
		if err != nil {
			t.Fatal(err)
		}
		if rs.Version != before.Version+1 || rs.Rules.Consequences.Outcomes.Coop == nil {
			t.Fatalf("saved %+v", rs)
		}

		oct := appointments(t, sys, s, "2026-10")
		sep, aug := appointments(t, sys, s, "2026-09"), appointments(t, sys, s, "2026-08")
		var ids []int64
		for id := range oct {
			if sep[id] > 0 && aug[id] > 0 {
				ids = append(ids, id)
			}
		}
		if len(ids) < 3 {
			t.Fatalf("need three sales CMs with appointments, have %v", oct)
		}
		missed, floor, good := ids[0], ids[1], ids[2]
		set := func(month string, person, value int64) {
			t.Helper()
			if _, err := s.Targets.Set(mkt, target.SetInput{Period: month, Metric: "valid_appointments", PersonID: person, Value: target.Decimal(strconv.FormatInt(value, 10))}); err != nil {
				t.Fatal(err)
			}
		}
		months := map[string]map[int64]int64{"2026-08": aug, "2026-09": sep, "2026-10": oct}
		for m, act := range months {
			set(m, missed, act[missed]*2) // 50%: missed, above the floor
			if m == "2026-09" {
				set(m, good, act[good]) // 100%: met, breaks the run
			} else {
				set(m, good, act[good]*2)
			}
		}
		set("2026-10", floor, oct[floor]*4) // 25%: under the 30% floor

		_, err = s.Cycles.ReviewTasks(mkt, cycle.TaskReviewInput{Period: "2026-11"})
		fieldErr(t, err, "period", "has not ended")
		_, err = s.Cycles.ReviewTasks(mkt, cycle.TaskReviewInput{Period: "2026-Q3"})
		fieldErr(t, err, "period", "YYYY-MM")
		if _, err := s.Cycles.ReviewTasks(asUser(t, sys, s, "cm02"), cycle.TaskReviewInput{Period: "2026-10"}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM ran a task review: %v", err)
		}
		rv, err := s.Cycles.ReviewTasks(mkt, cycle.TaskReviewInput{Period: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		if rv.Runs != 1 || rv.Proposals != 2 || rv.Cases == 0 || rv.AsOf.String() != "2026-10-31" {
			t.Fatalf("review %+v", rv)
		}
		outs, err := listOutcomes(mkt, s, cycle.OutcomeFilter{Review: rv.ID})
		if err != nil {
			t.Fatal(err)
		}
		if pg, err := s.Cycles.OutcomeList(mkt, cycle.OutcomeFilter{Review: rv.ID, Page: 2, PageSize: 1}); err != nil || pg.Total != 2 || len(pg.Items) != 1 || pg.Items[0].ID != outs[1].ID {
			t.Fatalf("second page of one: %+v %v", pg, err)
		}
		byPerson := map[int64]cycle.Outcome{}
		for _, o := range outs {
			if o.Kind != assess.ProposeToGeneralMarket || o.Period != "2026-10" || o.ReviewID != rv.ID || o.CycleID != 0 || o.Proposal.Effective != "2026-11" {
				t.Fatalf("outcome %+v", o)
			}
			byPerson[o.PersonID] = o
		}
		if len(byPerson) != 2 || !strings.Contains(byPerson[missed].Proposal.ReasonZh, "连续 3 个月") ||
			!strings.Contains(byPerson[floor].Proposal.ReasonZh, "25.00%") {
			t.Fatalf("proposals %+v", outs)
		}
		if _, ok := byPerson[good]; ok {
			t.Fatal("a month on target in the run still converted")
		}

		o, err := s.Cycles.Decide(mkt, byPerson[missed].ID, cycle.DecideInput{Decision: "confirm", Version: byPerson[missed].Version})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(o.Effect, "2026-11-01") {
			t.Fatalf("effect %q", o.Effect)
		}
		d, err := s.People.Get(sys, missed)
		if err != nil {
			t.Fatal(err)
		}
		last := d.History[len(d.History)-1]
		if last.Position != "marketing_staff" || last.ValidFrom.String() != "2026-11-01" {
			t.Fatalf("history %+v", d.History)
		}

		// After a late correction the month runs again: the undecided
		// proposal is replaced, the decided one kept and not repeated.
		set("2026-10", floor, oct[floor])
		rv2, err := s.Cycles.ReviewTasks(mkt, cycle.TaskReviewInput{Period: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		outs, err = listOutcomes(mkt, s, cycle.OutcomeFilter{Review: rv.ID})
		if err != nil {
			t.Fatal(err)
		}
		if rv2.ID != rv.ID || rv2.Runs != 2 || rv2.Proposals != 0 || len(outs) != 1 || outs[0].State != cycle.OutcomeConfirmed {
			t.Fatalf("second run %+v, outcomes %+v", rv2, outs)
		}
		list, err := s.Cycles.TaskReviewList(mkt)
		if err != nil || len(list) != 1 || list[0].Runs != 2 {
			t.Fatalf("reviews %+v %v", list, err)
		}
		entries, _, err := s.AuditQ.List(sys, audit.Filter{ObjectType: "assess_task_review", ObjectID: strconv.FormatInt(rv.ID, 10)})
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit %d %v", len(entries), err)
		}
	})
}

// TestGradeReviewExams: a grade rule that needs an exam score holds back
// a manager without one and promotes one with a passing score. (The
// weak-years check reads past years, before the demo branch existed; the
// cycle package tests how it gathers them.)
func TestGradeReviewExams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")
		cons := presetConsequences(t, mkt, s)
		cons.GradeReview = append(cons.GradeReview, assess.GradeRule{Cycle: platform.Month, UpMinScore: 9000, DownBelowScore: 6000,
			UpMinExam: 8000})
		if _, err := s.Cycles.SaveConsequences(mkt, cycle.ConsequencesInput{Consequences: cons}); err != nil {
			t.Fatal(err)
		}

		// Exam scores: every bad row named, nothing stored.
		_, err := s.Cycles.SaveExams(mkt, cycle.ExamInput{Period: "2026-09", Rows: []cycle.ExamRow{
			{EmpNo: "NOPE", Exam: "星级考试", Score: "80"}, {EmpNo: "E0002", Exam: "星级考试", Score: "100.01"},
			{EmpNo: "E0002", Exam: "", Score: "80"}}})
		fieldErr(t, err, "rows[0].empNo", "NOPE")
		fieldErr(t, err, "rows[1].score", "100.01")
		fieldErr(t, err, "rows[2].exam", "1–60")
		if es, err := s.Cycles.ExamList(mkt, "2026-09"); err != nil || len(es) != 0 {
			t.Fatalf("refused rows stored: %+v %v", es, err)
		}

		// One monthly cycle per scenario; the subject is rated by their
		// regional manager alone and gets full marks.
		run := func(month string) (int64, []cycle.Outcome) {
			t.Helper()
			c, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: month})
			if err != nil {
				t.Fatal(err)
			}
			subject, sheet := loneRatedCM(t, sys, mkt, s, c, func(id int64) bool {
				p, err := s.People.Get(sys, id)
				if err != nil {
					t.Fatal(err)
				}
				return p.History[len(p.History)-1].Grade == "star1"
			})
			if _, err := s.Targets.Set(mkt, target.SetInput{Period: month, Metric: "valid_appointments", PersonID: subject, Value: "1"}); err != nil {
				t.Fatal(err)
			}
			if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionStart}); err != nil {
				t.Fatal(err)
			}
			full := pts(map[string]string{"duty_performance": "20", "professional_skill": "10", "execution": "10", "communication": "10",
				"service_awareness": "10", "work_efficiency": "10", "labour_discipline": "20"})
			if _, err := s.Cycles.Save(asUser(t, sys, s, userOf(t, sys, s, sheet.RaterID)), sheet.ID, cycle.SaveInput{Points: full, Submit: true}); err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{cycle.ActionEnd, cycle.ActionClose} {
				if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: a}); err != nil {
					t.Fatal(err)
				}
			}
			outs, err := listOutcomes(mkt, s, cycle.OutcomeFilter{Cycle: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			var mine []cycle.Outcome
			for _, o := range outs {
				if o.PersonID == subject {
					mine = append(mine, o)
				}
			}
			return subject, mine
		}
		kinds := func(os []cycle.Outcome) string {
			var ks []string
			for _, o := range os {
				ks = append(ks, o.Kind)
			}
			return strings.Join(ks, ",")
		}

		subject, outs := run("2026-08")
		if kinds(outs) != "" {
			t.Fatalf("promoted without an exam: %+v", outs)
		}
		emp, err := s.People.Get(sys, subject)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cycles.SaveExams(mkt, cycle.ExamInput{Period: "2026-09", Rows: []cycle.ExamRow{{EmpNo: emp.EmpNo, Exam: "星级考试", Score: "70"}}}); err != nil {
			t.Fatal(err)
		}
		es, err := s.Cycles.SaveExams(mkt, cycle.ExamInput{Period: "2026-09", Rows: []cycle.ExamRow{{EmpNo: emp.EmpNo, Exam: "星级考试", Score: "85.5"}}})
		if err != nil || len(es) != 1 || es[0].Score.String() != "85.50" {
			t.Fatalf("re-entered score: %+v %v", es, err)
		}
		if s2, outs := run("2026-09"); s2 != subject || kinds(outs) != cycle.ProposeGradeUp {
			t.Fatalf("with an exam of 85.5: %d %+v", s2, outs)
		} else if !strings.Contains(outs[0].Proposal.ReasonZh, "考试成绩 85.50") {
			t.Fatalf("reason %q", outs[0].Proposal.ReasonZh)
		}

		if _, err := s.Cycles.SaveExams(asUser(t, sys, s, "cm02"), cycle.ExamInput{Period: "2026-10", Rows: []cycle.ExamRow{{EmpNo: emp.EmpNo, Exam: "x", Score: "100"}}}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM entered an exam score: %v", err)
		}
	})
}
