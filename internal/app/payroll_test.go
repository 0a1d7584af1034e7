package app

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"testing"

	"cmhub/internal/attendance"
	"cmhub/internal/pay"
	"cmhub/internal/payroll"
	"cmhub/internal/platform"
	"cmhub/internal/stats"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

// TestPayTrial: finance tries the securities plan on a CM's October from
// the data itself — the month's statistics, the attendance summary (two
// days attended of eighteen: base and commission halved), the run of
// months without a new valid account — and every line follows; a draft
// plan is tried without being stored; a new version is checked and
// stored; and the refusals name their field.
func TestPayTrial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		fin, mkt, cm := asUser(t, sys, s, "finance"), asUser(t, sys, s, "mktdir"), asUser(t, sys, s, "cm02")
		plans, err := s.Payroll.Plans(fin)
		if err != nil || len(plans) != 1 || plans[0].Plan.Key != "cm_pay" || plans[0].Plan.Version != 1 {
			t.Fatalf("plans %+v %v", plans, err)
		}
		if _, err := s.Payroll.Plans(cm); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM read the pay plans: %v", err)
		}

		// A sales CM with business in October, and two days attended.
		tab, err := s.Stats.Monthly(sys, stats.MonthlyQuery{Month: "2026-10", Level: stats.LevelManager, Metrics: []string{"deposits_in", "new_accounts"}})
		if err != nil {
			t.Fatal(err)
		}
		var emp string
		var person int64
		deposits, accounts := new(big.Rat), new(big.Rat)
		for _, r := range tab.Rows {
			d, a := r.Values["deposits_in"], r.Values["new_accounts"]
			if r.SubjectType == stats.SubjectPerson && d.Actual != nil && a.Actual != nil && *a.Actual != "0" {
				p, err := s.People.Get(sys, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if p.History[len(p.History)-1].Position != "sales_cm" {
					continue
				}
				emp, person = r.EmpNo, r.ID
				deposits.SetString(*d.Actual)
				accounts.SetString(*a.Actual)
				break
			}
		}
		if emp == "" {
			t.Fatal("no sales CM with accounts opened in October")
		}
		if _, err := s.Attendance.SaveRecords(mkt, []attendance.RecordRow{
			{EmpNo: emp, Date: "2026-10-08", In: "08:55", Out: "17:05"},
			{EmpNo: emp, Date: "2026-10-09", In: "08:55", Out: "17:05"},
		}); err != nil {
			t.Fatal(err)
		}
		tr, err := s.Payroll.Try(fin, payroll.TrialInput{EmpNo: emp, Month: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		if tr.PersonID != person || tr.Statement.Plan != "cm_pay" || tr.Facts.Attendance["attendance.present_days"] != "2" || tr.Facts.Attendance["attendance.required_days"] != "18" {
			t.Fatalf("trial %+v", tr.Facts)
		}
		if got, _ := new(big.Rat).SetString(tr.Facts.Metrics["deposits_in"]); got == nil || got.Cmp(deposits) != 0 {
			t.Fatalf("deposits-in %s, the statistics say %s", tr.Facts.Metrics["deposits_in"], deposits.FloatString(2))
		}
		line := map[string]pay.Line{}
		for _, l := range tr.Statement.Lines {
			line[l.Key] = l
		}
		// 20 yuan per account opened, exactly.
		wantBonus := new(big.Rat).Mul(accounts, big.NewRat(2000, 1))
		if !wantBonus.IsInt() || line["account_bonus"].Fen != wantBonus.Num().Int64() {
			t.Fatalf("account bonus %d fen for %s accounts", line["account_bonus"].Fen, accounts.RatString())
		}
		// Two of eighteen days: the attendance factor is ½, no full-attendance bonus.
		if !line["attendance_factor"].Exact.Equal(pay.FromRat(big.NewRat(1, 2))) || line["full_attendance_bonus"].Fen != 0 {
			t.Fatalf("factor %s, full attendance %d", line["attendance_factor"].Exact, line["full_attendance_bonus"].Fen)
		}
		// Base: 2 500 from 50 000 deposits-in (else the example 1 000), cut
		// to 1 000 after two months without a new valid account and none
		// this month; halved.
		base := int64(100000)
		if deposits.Cmp(big.NewRat(50000, 1)) >= 0 {
			base = 250000
		}
		if run, _ := strconv.Atoi(tr.Facts.History["months_without_new_valid_accounts"]); tr.Facts.Metrics["new_valid_accounts"] == "0.0000" && run >= 2 {
			base = min(base, 100000)
		}
		if line["base"].Fen != base/2 {
			t.Fatalf("base %d fen, want %d (facts %+v)", line["base"].Fen, base/2, tr.Facts)
		}
		if tr.Statement.NetFen != tr.Statement.EarningsFen-tr.Statement.DeductionsFen {
			t.Fatalf("totals %+v", tr.Statement)
		}

		// A draft with 30 yuan an account, tried and not stored.
		draft := plans[0].Plan
		draft.Params = append([]pay.Param(nil), draft.Params...)
		for i := range draft.Params {
			if draft.Params[i].Key == "account_bonus" {
				draft.Params[i].Value = "30"
			}
		}
		tr2, err := s.Payroll.Try(fin, payroll.TrialInput{EmpNo: emp, Month: "2026-10", Plan: &draft})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range tr2.Statement.Lines {
			if l.Key == "account_bonus" && l.Fen != wantBonus.Num().Int64()*3/2 {
				t.Fatalf("draft bonus %d", l.Fen)
			}
		}
		if again, _ := s.Payroll.Plans(fin); len(again) != 1 {
			t.Fatalf("a trial stored a plan: %d", len(again))
		}

		// Saving: a formula naming an unknown metric is refused with its field.
		bad := draft
		bad.Components = append([]pay.Component(nil), draft.Components...)
		bad.Components[len(bad.Components)-1].Formula = "no_such_metric * 2"
		_, err = s.Payroll.SavePlan(fin, "cm_pay", payroll.PlanInput{Plan: bad})
		var ve *platform.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) == 0 {
			t.Fatalf("an unknown metric: %v", err)
		}
		if _, err := s.Payroll.SavePlan(asUser(t, sys, s, "gm"), "cm_pay", payroll.PlanInput{Plan: draft}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("the GM edited a plan: %v", err)
		}
		draft.EffectiveFrom = "2026-12"
		v2, err := s.Payroll.SavePlan(fin, "cm_pay", payroll.PlanInput{Plan: draft, Note: "开户奖调为 30 元"})
		if err != nil || v2.Plan.Version != 2 {
			t.Fatalf("version 2: %+v %v", v2.Plan.Version, err)
		}
		// October is still paid by version 1.
		if tr3, err := s.Payroll.Try(fin, payroll.TrialInput{EmpNo: emp, Month: "2026-10"}); err != nil || tr3.Statement.Version != 1 {
			t.Fatalf("October after version 2: %v %v", tr3.Statement, err)
		}

		_, err = s.Payroll.Try(fin, payroll.TrialInput{EmpNo: "NOBODY", Month: "2027-01"})
		fieldErr(t, err, "empNo", "NOBODY")
		fieldErr(t, err, "month", "has not begun")
		if _, err := s.Payroll.Try(cm, payroll.TrialInput{EmpNo: emp, Month: "2026-10"}); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM tried a statement: %v", err)
		}
	})
}

// TestPayClose: finance calculates October for every CM a plan covers
// (a background job; the statements equal the trial's), submits; the
// sign-off chain goes chief accountant → deputy manager → manager, each
// only at their step; a rejection goes back to calculated; the manager's
// signature locks the month and a recalculation is refused. A CM reads
// their own statement, and nobody else's.
func TestPayClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys, s := demoAsSystem(t, db)
		fin, dep, gm, cm := asUser(t, sys, s, "finance"), asUser(t, sys, s, "deputy"), asUser(t, sys, s, "gm"), asUser(t, sys, s, "cm02")
		if err := s.Jobs.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer s.Jobs.Close()
		if m, err := s.Payroll.GetMonth(fin, "2026-10"); err != nil || m.State != payroll.StateOpen {
			t.Fatalf("open month %+v %v", m, err)
		}
		if _, err := s.Payroll.Calculate(gm, "2026-10"); !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("the GM calculated pay: %v", err)
		}
		calc := func() payroll.Month {
			t.Helper()
			j, err := s.Payroll.Calculate(fin, "2026-10")
			if err != nil {
				t.Fatal(err)
			}
			s.Jobs.Wait()
			j, err = s.Jobs.Get(fin, j.ID)
			if err != nil || j.Status != "succeeded" {
				t.Fatalf("job %+v %v", j, err)
			}
			m, err := s.Payroll.GetMonth(fin, "2026-10")
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m := calc()
		if m.State != payroll.StateCalculated || m.People == 0 || m.NetFen <= 0 {
			t.Fatalf("calculated %+v", m)
		}
		page, err := s.Payroll.Statements(fin, "2026-10", 1, 500)
		if err != nil || page.Total != int(m.People) {
			t.Fatalf("statements %d of %d: %v", page.Total, m.People, err)
		}
		var sum int64
		for _, r := range page.Items {
			sum += r.NetFen
		}
		if sum != m.NetFen {
			t.Fatalf("statements add up to %d, the month says %d", sum, m.NetFen)
		}
		// The stored statement is the trial's, line for line.
		one := page.Items[0]
		full, err := s.Payroll.Statement(fin, "2026-10", one.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := s.Payroll.Try(fin, payroll.TrialInput{EmpNo: one.EmpNo, Month: "2026-10"})
		if err != nil {
			t.Fatal(err)
		}
		var stored struct {
			NetFen int64 `json:"netFen"`
			Lines  []struct {
				Key string `json:"key"`
				Fen int64  `json:"fen"`
			} `json:"lines"`
		}
		if err := json.Unmarshal(full.Statement, &stored); err != nil {
			t.Fatal(err)
		}
		if stored.NetFen != tr.Statement.NetFen || full.NetFen != stored.NetFen || len(stored.Lines) != len(tr.Statement.Lines) {
			t.Fatalf("stored %d, trial %d", stored.NetFen, tr.Statement.NetFen)
		}
		for i, l := range stored.Lines {
			if l.Fen != tr.Statement.Lines[i].Fen || l.Key != tr.Statement.Lines[i].Key {
				t.Fatalf("line %s: stored %d, trial %d", l.Key, l.Fen, tr.Statement.Lines[i].Fen)
			}
		}

		sign := func(ctx context.Context, action string) (payroll.Month, error) {
			return s.Payroll.Sign(ctx, "2026-10", payroll.SignInput{Action: action, Reason: "核对有误"})
		}
		if _, err := sign(dep, "approve"); err == nil {
			t.Fatal("signed before submission")
		}
		if m, err = sign(fin, "submit"); err != nil || m.State != payroll.StateSubmitted {
			t.Fatalf("submit %+v %v", m, err)
		}
		// The deputy cannot sign the chief accountant's step.
		var de *platform.DeniedError
		if _, err := sign(dep, "approve"); !errors.As(err, &de) {
			t.Fatalf("the deputy signed first: %v", err)
		}
		if m, err = sign(fin, "approve"); err != nil || m.State != payroll.StateAccountant {
			t.Fatalf("chief accountant %+v %v", m, err)
		}
		if m, err = sign(dep, "reject"); err != nil || m.State != payroll.StateCalculated || len(m.Signoffs) != 0 {
			t.Fatalf("rejected %+v %v", m, err)
		}
		for _, step := range []struct {
			ctx    context.Context
			action string
			want   string
		}{{fin, "submit", payroll.StateSubmitted}, {fin, "approve", payroll.StateAccountant}, {dep, "approve", payroll.StateDeputy}, {gm, "approve", payroll.StateLocked}} {
			if m, err = sign(step.ctx, step.action); err != nil || m.State != step.want {
				t.Fatalf("%s → %+v %v", step.action, m.State, err)
			}
		}
		if len(m.Signoffs) != 4 || m.Signoffs[3].By != "gm" {
			t.Fatalf("signoffs %+v", m.Signoffs)
		}
		_, err = s.Payroll.Calculate(fin, "2026-10")
		conflictCode(t, err, "locked")

		// A CM reads their own statement only.
		me, err := s.Payroll.Statement(cm, "2026-10", 0)
		if err != nil && !errors.Is(err, platform.ErrNotFound) {
			t.Fatal(err)
		}
		if err == nil && me.EmpNo == "" {
			t.Fatalf("own statement %+v", me)
		}
		if _, err := s.Payroll.Statement(cm, "2026-10", one.PersonID); one.PersonID != me.PersonID && !errors.Is(err, platform.ErrForbidden) {
			t.Fatalf("a CM read someone else's statement: %v", err)
		}
	})
}
