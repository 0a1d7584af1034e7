package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/cycle"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/internal/target"
)

// asUser signs a demo user in and returns a context acting as them.
func asUser(t *testing.T, ctx context.Context, s *Services, username string) context.Context {
	t.Helper()
	_, p, err := s.Auth.Login(context.Background(), username, "demo-Passw0rd!", "127.0.0.1", "test")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return access.WithPrincipal(ctx, p)
}

// userOf returns the demo username of a person (the demo's logins are
// the only users with persons).
func userOf(t *testing.T, ctx context.Context, s *Services, person int64) string {
	t.Helper()
	users, _, err := s.Auth.ListUsers(ctx, 1, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.PersonID == person {
			return u.Username
		}
	}
	t.Fatalf("no user for person %d", person)
	return ""
}

func pts(m map[string]string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k, v := range m {
		out[k] = json.RawMessage(v)
	}
	return out
}

// cmPoints fills every rated item of the CM form; execution varies.
func cmPoints(execution string) map[string]json.RawMessage {
	return pts(map[string]string{"duty_performance": "18", "professional_skill": "9.5", "execution": execution,
		"communication": "9", "service_awareness": "8.5", "work_efficiency": "8", "labour_discipline": "19"})
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	var ve *platform.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error on %s, got %v", field, err)
	}
	if msg, ok := ve.Fields[field]; !ok || !strings.Contains(msg, want) {
		t.Fatalf("field %s: want %q in %q (all: %v)", field, want, msg, ve.Fields)
	}
}

func conflictCode(t *testing.T, err error, code string) {
	t.Helper()
	var ce *platform.ConflictError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("want conflict %s, got %v", code, err)
	}
}

// TestAssessmentCycle runs a quarterly cycle end to end on both engines:
// raters resolved from the organisation, three rater groups scoring one
// manager, the composite equal to the seed's weighting (peers 20 %, RM
// 60 %, marketing 20 %), drafts not counted, reopen, visibility and the
// refusals of bad input.
func TestAssessmentCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")

		// Bad periods: nothing is written.
		_, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-13"})
		fieldErr(t, err, "period", "YYYY-MM")
		_, err = s.Cycles.Open(mkt, cycle.OpenInput{Period: "2027-Q1"})
		fieldErr(t, err, "period", "尚未开始")
		_, err = s.Cycles.Open(mkt, cycle.OpenInput{Period: "2020-Q1"})
		fieldErr(t, err, "period", "no organisation")
		if _, err := s.Cycles.Open(asUser(t, sys, s, "cm02"), cycle.OpenInput{Period: "2026-Q3"}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM opened a cycle: %v", err)
		}
		if cs, err := s.Cycles.Cycles(mkt); err != nil || len(cs) != 0 {
			t.Fatalf("cycles after refusals: %v %v", cs, err)
		}

		c, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-Q3", Note: "三季度综合测评"})
		if err != nil {
			t.Fatal(err)
		}
		if c.State != cycle.StateOpen || c.AsOf.String() != "2026-09-30" || c.Subjects == 0 || c.Sheets == 0 || c.RuleVersion != 1 {
			t.Fatalf("opened: %+v", c)
		}
		_, err = s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-Q3"})
		conflictCode(t, err, "duplicate")

		// Nobody rates themselves; every sales CM's groups are those of the seed.
		subject := int64(0)
		var sheets []cycle.Sheet
		for _, sr := range mustSubjects(t, sys, s, c) {
			all, err := s.Cycles.SubjectSheets(mkt, c.ID, sr.Kind, sr.ID)
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string]int{}
			for _, h := range all {
				if sr.Kind == cycle.KindPerson && h.RaterID == sr.ID {
					t.Fatalf("person %d rates themselves", sr.ID)
				}
				groups[h.Group]++
			}
			if sr.Scheme == "sales_cm_quarterly" && subject == 0 && groups["peers"] >= 2 && groups["rm"] == 1 && groups["marketing"] == 3 {
				subject, sheets = sr.ID, all
			}
		}
		if subject == 0 {
			t.Fatal("no sales CM with peers, an RM and the marketing department")
		}

		byGroup := map[string][]cycle.Sheet{}
		for _, h := range sheets {
			byGroup[h.Group] = append(byGroup[h.Group], h)
		}
		peer1, peer2, rm, mk := byGroup["peers"][0], byGroup["peers"][1], byGroup["rm"][0], byGroup["marketing"][0]
		peer1Ctx := asUser(t, sys, s, userOf(t, sys, s, peer1.RaterID))

		// Scoring before the cycle starts is refused.
		_, err = s.Cycles.Save(peer1Ctx, peer1.ID, cycle.SaveInput{Points: cmPoints("8")})
		conflictCode(t, err, "not_scoring")
		if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionStart, Version: c.Version}); err != nil {
			t.Fatal(err)
		}

		// Bad points: every problem named by item, nothing written.
		_, err = s.Cycles.Save(peer1Ctx, peer1.ID, cycle.SaveInput{Points: pts(map[string]string{
			"duty_performance": "21", "execution": "-1", "professional_skill": "9.55", "task_completion": "10", "nonsense": "1"})})
		fieldErr(t, err, "points.duty_performance", "0–20")
		fieldErr(t, err, "points.execution", "非负")
		fieldErr(t, err, "points.professional_skill", "一位小数")
		fieldErr(t, err, "points.task_completion", "computed")
		fieldErr(t, err, "points.nonsense", "no item")
		_, err = s.Cycles.Save(peer1Ctx, peer1.ID, cycle.SaveInput{Points: pts(map[string]string{"duty_performance": "18"}), Submit: true})
		fieldErr(t, err, "points.execution", "no points")
		// Someone else's sheet.
		if _, err = s.Cycles.Save(peer1Ctx, rm.ID, cycle.SaveInput{Points: cmPoints("8")}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("scored another rater's sheet: %v", err)
		}

		// A draft, then submissions by the three groups.
		if _, err := s.Cycles.Save(peer1Ctx, peer1.ID, cycle.SaveInput{Points: cmPoints("7")}); err != nil {
			t.Fatal(err)
		}
		submit := func(h cycle.Sheet, execution string) cycle.Sheet {
			t.Helper()
			out, err := s.Cycles.Save(asUser(t, sys, s, userOf(t, sys, s, h.RaterID)), h.ID, cycle.SaveInput{Points: cmPoints(execution), Submit: true, Remark: "良好"})
			if err != nil {
				t.Fatalf("submit sheet %d: %v", h.ID, err)
			}
			return out
		}
		submit(peer1, "8")
		submit(peer2, "6.5")
		submit(rm, "9")
		submit(mk, "10")
		_, err = s.Cycles.Save(peer1Ctx, peer1.ID, cycle.SaveInput{Points: cmPoints("1")})
		conflictCode(t, err, "submitted")

		// The quarter's own target for the subject: task completion is
		// the quarter's new accounts over it.
		if _, err := s.Targets.Set(mkt, target.SetInput{Period: "2026-Q3", Metric: "new_accounts", PersonID: subject, Value: "10"}); err != nil {
			t.Fatal(err)
		}
		if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionEnd, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		res, err := s.Cycles.Result(mkt, c.ID, cycle.KindPerson, subject)
		if err != nil {
			t.Fatal(err)
		}
		d := res.Detail
		// The seed's weighting, exactly: rated items 72 + execution, plus
		// the computed task-completion points, the same on every sheet.
		var computed assess.Points
		for _, it := range d.Computed {
			computed += it.Points
		}
		if d.Result.Held {
			t.Fatalf("held: %s", d.Result.NoteEn)
		}
		total := func(execution string) *big.Rat {
			e, _ := new(big.Rat).SetString(execution)
			r := new(big.Rat).Add(big.NewRat(72, 1), e) // 18+9.5+9+8.5+8+19
			return r.Add(r, computed.Rat())
		}
		peers := new(big.Rat).Quo(new(big.Rat).Add(total("8"), total("6.5")), big.NewRat(2, 1))
		want := new(big.Rat).Mul(peers, big.NewRat(20, 100))
		want.Add(want, new(big.Rat).Mul(total("9"), big.NewRat(60, 100)))
		want.Add(want, new(big.Rat).Mul(total("10"), big.NewRat(20, 100)))
		wantScore, _ := assess.RoundScore(want)
		if d.Result.Composite != wantScore || res.Result.Composite == nil || *res.Result.Composite != wantScore {
			t.Fatalf("composite %s (row %v), want %s = %s", d.Result.Composite, res.Result.Composite, wantScore, want.FloatString(4))
		}
		// The computed item is full × min(completion, 1) of the inputs shown.
		if len(d.Computed) != 1 || d.Computed[0].Key != "task_completion" || d.Inputs == nil || len(d.Inputs.Sources) != 1 {
			t.Fatalf("computed items: %+v inputs %+v", d.Computed, d.Inputs)
		}
		if src := d.Inputs.Sources[0]; src.Metric != "new_accounts" || src.Basis != "period" || src.Target != "10.0000" {
			t.Fatalf("completion source: %+v", src)
		}
		wantTC, _ := assess.RoundScore(new(big.Rat).SetFloat64(10 * min(d.Inputs.Values["completion"], 1)))
		if got := assess.OfPoints(d.Computed[0].Points); got/10 != wantTC/10 {
			t.Fatalf("task completion %s from completion %v", d.Computed[0].Points, d.Inputs.Values["completion"])
		}
		// Drafts are pending, not counted; the marketing department sees raters.
		for _, g := range d.Result.Groups {
			if g.Key == "peers" && (g.Count != 2 || len(g.Pending) != len(byGroup["peers"])-2) {
				t.Fatalf("peers: %+v", g)
			}
		}
		if !res.Raters || len(d.Result.Groups[0].Raters) == 0 {
			t.Fatal("the marketing department should see the raters")
		}
		// Item scores add up to the composite (before the final rounding).
		var items assess.Score
		for _, it := range d.Items {
			if it.Score == nil {
				t.Fatalf("item %s has no score", it.Key)
			}
			items += *it.Score
		}
		if diff := items - wantScore; diff < -5 || diff > 5 {
			t.Fatalf("items add up to %s, composite %s", items, wantScore)
		}
		if res.Result.RankTeam == nil || *res.Result.RankTeam != 1 || *res.Result.RankBranch != 1 {
			t.Fatalf("ranks: %+v", res.Result)
		}

		// The subject sees their result without who rated; a peer does not see it.
		self := asUser(t, sys, s, userOf(t, sys, s, subject))
		mine, err := s.Cycles.Result(self, c.ID, cycle.KindPerson, subject)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range mine.Detail.Result.Groups {
			if len(g.Raters) > 0 || len(g.Pending) > 0 || mine.Raters {
				t.Fatalf("the subject sees raters: %+v", g)
			}
		}
		if _, err := s.Cycles.Result(peer1Ctx, c.ID, cycle.KindPerson, subject); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("a peer read the subject's result: %v", err)
		}
		if _, err := s.Cycles.SubjectSheets(self, c.ID, cycle.KindPerson, subject); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("the subject read the sheets: %v", err)
		}
		if len(mine.History) != 1 || mine.History[0].Period != "2026-Q3" {
			t.Fatalf("history: %+v", mine.History)
		}

		// Reopen: only the marketing department, with a reason, audited;
		// in review only the reopened sheet may change.
		_, err = s.Cycles.Reopen(mkt, peer2.ID, cycle.ReopenInput{})
		fieldErr(t, err, "reason", "reason")
		if _, err := s.Cycles.Reopen(peer1Ctx, peer2.ID, cycle.ReopenInput{Reason: "x"}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a peer reopened: %v", err)
		}
		if _, err := s.Cycles.Reopen(mkt, peer2.ID, cycle.ReopenInput{Reason: "执行力评分有误"}); err != nil {
			t.Fatal(err)
		}
		peer2Ctx := asUser(t, sys, s, userOf(t, sys, s, peer2.RaterID))
		if _, err := s.Cycles.Save(peer2Ctx, peer2.ID, cycle.SaveInput{Points: cmPoints("8"), Submit: true}); err != nil {
			t.Fatalf("resubmit after reopen: %v", err)
		}
		other := otherSheet(t, peer2Ctx, s, c.ID, peer2.ID)
		_, err = s.Cycles.Save(peer2Ctx, other, cycle.SaveInput{Points: cmPoints("8")})
		conflictCode(t, err, "not_scoring")
		if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionClose, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		res, err = s.Cycles.Result(mkt, c.ID, cycle.KindPerson, subject)
		if err != nil {
			t.Fatal(err)
		}
		peers = total("8")
		want = new(big.Rat).Mul(peers, big.NewRat(20, 100))
		want.Add(want, new(big.Rat).Mul(total("9"), big.NewRat(60, 100)))
		want.Add(want, new(big.Rat).Mul(total("10"), big.NewRat(20, 100)))
		wantScore, _ = assess.RoundScore(want)
		if res.Detail.Result.Composite != wantScore {
			t.Fatalf("after the reopen: %s, want %s", res.Detail.Result.Composite, wantScore)
		}
		// Closing proposed the team's star CM (the only one with a
		// composite) and, by the preset's grade rule (down below 60 points
		// or 50 % completion, up from 90 points with 100 %), a grade change.
		outs, err := listOutcomes(mkt, s, cycle.OutcomeFilter{Cycle: c.ID, State: cycle.OutcomeProposed})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int64{}
		for _, o := range outs {
			if o.PersonID == subject {
				kinds[o.Kind] = o.ID
			}
		}
		if kinds[assess.ProposeStarCM] == 0 {
			t.Fatalf("no star CM proposal for %d: %+v", subject, outs)
		}
		completion := res.Detail.Inputs.Values["completion"]
		wantDown := completion < 0.5 || res.Detail.Result.Composite < 6000
		if (kinds[cycle.ProposeGradeDown] != 0) != wantDown || kinds[cycle.ProposeGradeUp] != 0 {
			t.Fatalf("grade proposals %v for composite %s, completion %v", kinds, res.Detail.Result.Composite, completion)
		}
		t.Logf("proposals for the subject: %v (completion %.4f)", kinds, completion)
		if wantDown {
			before, err := s.People.Get(sys, subject)
			if err != nil {
				t.Fatal(err)
			}
			o, err := s.Cycles.Decide(mkt, kinds[cycle.ProposeGradeDown], cycle.DecideInput{Decision: "confirm"})
			if err != nil {
				t.Fatal(err)
			}
			after, err := s.People.Get(sys, subject)
			if err != nil {
				t.Fatal(err)
			}
			last := after.History[len(after.History)-1]
			if last.ValidFrom.String() != "2026-10-01" || last.Grade == before.Grade || !strings.Contains(o.Effect, last.Grade) {
				t.Fatalf("grade down: %+v → %+v (%s)", before.Grade, last, o.Effect)
			}
		}

		// Closed: no scoring, no reopening, no recomputing.
		_, err = s.Cycles.Save(peer2Ctx, other, cycle.SaveInput{Points: cmPoints("8")})
		conflictCode(t, err, cycle.ErrClosed)
		_, err = s.Cycles.Reopen(mkt, peer2.ID, cycle.ReopenInput{Reason: "again"})
		conflictCode(t, err, cycle.ErrClosed)
		_, err = s.Cycles.Compute(mkt, c.ID)
		conflictCode(t, err, cycle.ErrClosed)

		// Every change is in the audit log.
		entries, _, err := s.AuditQ.List(sys, audit.Filter{ObjectType: "assess_sheet", PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
		}
		if actions["assess.sheet.submit"] != 5 || actions["assess.sheet.save"] != 1 || actions["assess.sheet.reopen"] != 1 {
			t.Fatalf("audit: %v", actions)
		}
	})
}

// otherSheet returns one of the rater's sheets of a cycle other than not.
// loneRatedCM finds a sales CM of a monthly cycle rated by one person
// alone (their regional manager), for whom accept holds (nil: anyone).
func loneRatedCM(t *testing.T, sys, mkt context.Context, s *Services, c cycle.Cycle, accept func(id int64) bool) (int64, cycle.Sheet) {
	t.Helper()
	for _, sr := range mustSubjects(t, sys, s, c) {
		if sr.Scheme != "sales_cm_monthly" || (accept != nil && !accept(sr.ID)) {
			continue
		}
		all, err := s.Cycles.SubjectSheets(mkt, c.ID, sr.Kind, sr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) == 1 {
			return sr.ID, all[0]
		}
	}
	t.Fatal("no sales CM rated by their regional manager alone")
	return 0, cycle.Sheet{}
}

func otherSheet(t *testing.T, ctx context.Context, s *Services, cycleID, not int64) int64 {
	t.Helper()
	mine, err := s.Cycles.Mine(ctx, cycleID)
	if err != nil || len(mine) != 1 {
		t.Fatalf("my sheets: %v %v", mine, err)
	}
	for _, h := range mine[0].Sheets {
		if h.ID != not {
			return h.ID
		}
	}
	t.Fatal("the rater has one sheet only")
	return 0
}

func mustSubjects(t *testing.T, ctx context.Context, s *Services, c cycle.Cycle) []cycle.SubjectRow {
	t.Helper()
	rows, err := s.DB.AssessSubjects(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestAssessmentTemplates: a template whose items do not total 100 is
// refused whole; a valid change is a new version a cycle opened before
// it does not see.
func TestAssessmentTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")
		rs, err := s.Cycles.Rules(mkt)
		if err != nil {
			t.Fatal(err)
		}
		var cm assess.Template
		for _, tp := range rs.Rules.Templates {
			if tp.Key == "cm_form" {
				cm = tp
			}
		}
		old, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		bad := cm
		bad.Items = append([]assess.Item(nil), cm.Items...)
		bad.Items[0].Max = 25
		_, err = s.Cycles.SaveTemplate(mkt, bad, "")
		var ve *platform.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "100") {
			t.Fatalf("items totalling 105: %v", err)
		}
		good := cm
		good.Items = append([]assess.Item(nil), cm.Items...)
		good.Items[0].Max, good.Items[2].Max = 25, 5
		next, err := s.Cycles.SaveTemplate(mkt, good, "执行力降为 5 分")
		if err != nil {
			t.Fatal(err)
		}
		if next.Version != rs.Version+1 {
			t.Fatalf("rule version %d after %d", next.Version, rs.Version)
		}
		// The October cycle keeps template version 1: 25 points are too many.
		var h cycle.Sheet
		for _, sr := range mustSubjects(t, sys, s, old) {
			all, err := s.Cycles.SubjectSheets(mkt, old.ID, sr.Kind, sr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) > 0 {
				h = all[0]
				break
			}
		}
		if _, err := s.Cycles.Transition(mkt, old.ID, cycle.TransitionInput{Action: cycle.ActionStart}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Cycles.Save(asUser(t, sys, s, userOf(t, sys, s, h.RaterID)), h.ID, cycle.SaveInput{Points: pts(map[string]string{"duty_performance": "25"})})
		fieldErr(t, err, "points.duty_performance", "0–20")
		// A cycle opened now uses version 2.
		nov, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-11"})
		if err != nil {
			t.Fatal(err)
		}
		if nov.RuleVersion != next.Version {
			t.Fatalf("November cycle rules v%d", nov.RuleVersion)
		}
	})
}

// TestAssessmentOutcomes: closing a monthly cycle proposes standby
// training for a manager below 60; confirming it moves their status
// through their effective-dated records (from the next month's first
// day, back to active after the preset's seven days), audited; a decided
// proposal cannot be decided again and overriding needs a reason.
func TestAssessmentOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")
		c, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		subject, sheet := loneRatedCM(t, sys, mkt, s, c, nil)
		if _, err := s.Targets.Set(mkt, target.SetInput{Period: "2026-10", Metric: "new_accounts", PersonID: subject, Value: "50"}); err != nil {
			t.Fatal(err)
		}
		if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionStart}); err != nil {
			t.Fatal(err)
		}
		low := pts(map[string]string{"duty_performance": "8", "professional_skill": "4", "execution": "4", "communication": "4",
			"service_awareness": "4", "work_efficiency": "4", "labour_discipline": "10"})
		if _, err := s.Cycles.Save(asUser(t, sys, s, userOf(t, sys, s, sheet.RaterID)), sheet.ID, cycle.SaveInput{Points: low, Submit: true}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{cycle.ActionEnd, cycle.ActionClose} {
			if c, err = s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		outs, err := listOutcomes(mkt, s, cycle.OutcomeFilter{Cycle: c.ID, State: cycle.OutcomeProposed})
		if err != nil {
			t.Fatal(err)
		}
		var o cycle.Outcome
		for _, x := range outs {
			if x.PersonID == subject {
				o = x
			}
		}
		if o.Kind != assess.ProposeStandbyTraining || o.Proposal.Effective != "2026-11" || o.Proposal.ReasonZh == "" {
			t.Fatalf("outcomes: %+v", outs)
		}
		if _, err := s.Cycles.OutcomeList(asUser(t, sys, s, "cm02"), cycle.OutcomeFilter{Cycle: c.ID, State: ""}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM listed outcomes: %v", err)
		}
		_, err = s.Cycles.Decide(mkt, o.ID, cycle.DecideInput{Decision: "override"})
		fieldErr(t, err, "reason", "reason")
		decided, err := s.Cycles.Decide(mkt, o.ID, cycle.DecideInput{Decision: "confirm", Reason: "按制度执行", Version: o.Version})
		if err != nil {
			t.Fatal(err)
		}
		if decided.State != cycle.OutcomeConfirmed || !strings.Contains(decided.Effect, "2026-11-08") {
			t.Fatalf("decided: %+v", decided)
		}
		_, err = s.Cycles.Decide(mkt, o.ID, cycle.DecideInput{Decision: "override", Reason: "x"})
		conflictCode(t, err, "decided")
		d, err := s.People.Get(sys, subject)
		if err != nil {
			t.Fatal(err)
		}
		var statuses []string
		for _, r := range d.History {
			statuses = append(statuses, r.ValidFrom.String()+":"+r.Status)
		}
		joined := strings.Join(statuses, " ")
		if !strings.Contains(joined, "2026-11-01:standby_training") || !strings.Contains(joined, "2026-11-08:active") {
			t.Fatalf("history: %s", joined)
		}
	})
}

// TestAssessmentYear: four closed quarters of team assessment by the
// marketing department, then the year-end cycle (the preset's annual
// evaluation) proposes the excellent regional manager of the branch —
// the RM of the region whose teams' quarterly scores average highest.
func TestAssessmentYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		mkt := asUser(t, sys, s, "mktdir")
		regionAvg := map[int64][]assess.Score{}
		for q := 1; q <= 4; q++ {
			period := fmt.Sprintf("2026-Q%d", q)
			c, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: period})
			if err != nil {
				t.Fatal(err)
			}
			var teams []cycle.SubjectRow
			for _, sr := range mustSubjects(t, sys, s, c) {
				if sr.Kind == cycle.KindTeam {
					teams = append(teams, sr)
					if _, err := s.Targets.Set(sys, target.SetInput{Period: period, Metric: "new_accounts", UnitID: sr.ID, Value: "10"}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if len(teams) == 0 {
				t.Fatal("no teams")
			}
			if _, err := s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: cycle.ActionStart}); err != nil {
				t.Fatal(err)
			}
			mine, err := s.Cycles.Mine(mkt, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range mine[0].Sheets {
				if h.SubjectKind != cycle.KindTeam {
					continue
				}
				daily := fmt.Sprint(4 + (h.SubjectID+int64(q))%6)
				if _, err := s.Cycles.Save(mkt, h.ID, cycle.SaveInput{Submit: true, Points: pts(map[string]string{"daily_work": daily,
					"marketing_activities": "15", "product_sales": "12.5"})}); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range []string{cycle.ActionEnd, cycle.ActionClose} {
				if _, err := s.Cycles.Transition(mkt, c.ID, cycle.TransitionInput{Action: a}); err != nil {
					t.Fatal(err)
				}
			}
			for _, tm := range teams {
				r, err := s.Cycles.Result(mkt, c.ID, cycle.KindTeam, tm.ID)
				if err != nil {
					t.Fatal(err)
				}
				if r.Result.Composite == nil {
					t.Fatalf("team %d held in %s: %s", tm.ID, period, r.Detail.Result.NoteEn)
				}
				regionAvg[tm.RegionID] = append(regionAvg[tm.RegionID], *r.Result.Composite)
			}
		}
		best, bestAvg := int64(0), new(big.Rat)
		for region, scores := range regionAvg {
			sum := int64(0)
			for _, sc := range scores {
				sum += int64(sc)
			}
			avg := big.NewRat(sum, int64(len(scores)))
			if best == 0 || avg.Cmp(bestAvg) > 0 {
				best, bestAvg = region, avg
			}
		}
		year, err := s.Cycles.Open(mkt, cycle.OpenInput{Period: "2026"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{cycle.ActionStart, cycle.ActionEnd, cycle.ActionClose} {
			if _, err := s.Cycles.Transition(mkt, year.ID, cycle.TransitionInput{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		outs, err := listOutcomes(mkt, s, cycle.OutcomeFilter{Cycle: year.ID, State: ""})
		if err != nil {
			t.Fatal(err)
		}
		var excellent []cycle.Outcome
		for _, o := range outs {
			if o.Kind == assess.ProposeExcellentRM {
				excellent = append(excellent, o)
			}
		}
		if len(excellent) != 1 {
			t.Fatalf("excellent RM proposals: %+v", outs)
		}
		rm, err := s.People.Get(sys, excellent[0].PersonID)
		if err != nil {
			t.Fatal(err)
		}
		if rm.Position != "regional_manager" || rm.UnitID != best {
			t.Fatalf("excellent RM %+v of unit %d, want the RM of region %d (average %s)", excellent[0], rm.UnitID, best, bestAvg.FloatString(2))
		}
	})
}
