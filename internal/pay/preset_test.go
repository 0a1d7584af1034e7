package pay_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cmhub/internal/pay"
	"cmhub/presets"
)

func mustNum(t testing.TB, s string) pay.Num {
	t.Helper()
	v, err := pay.ParseNum(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// presetPlan loads a preset's one pay plan.
func presetPlan(t testing.TB, name string) *pay.Compiled {
	t.Helper()
	p, err := presets.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := pay.FromPreset(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 {
		t.Fatalf("%s: %d pay plans", name, len(plans))
	}
	return plans[0]
}

// secFacts is a sales CM's month with every rule of the securities plan
// met: deposits-in 60 000, a new valid account, 30 lots, full attendance.
func secFacts(t testing.TB) *pay.Facts {
	return &pay.Facts{
		Person: pay.Person{Position: "sales_cm", Grade: "star1", Status: "active", MonthsInService: 14},
		Metrics: map[string]pay.Num{
			"deposits_in": pay.Int(60000), "new_valid_accounts": pay.Int(1), "new_accounts": pay.Int(3),
			"net_revenue": mustNum(t, "12345.67"), "standard_lots": pay.Int(30),
		},
		History:    map[string]pay.Num{"months_without_new_valid_accounts": pay.Int(0)},
		Attendance: &pay.Attendance{RequiredDays: pay.Int(22), PresentDays: pay.Int(22), Full: true},
	}
}

func lineOf(t testing.TB, st *pay.Statement, key string) pay.Line {
	t.Helper()
	for _, l := range st.Lines {
		if l.Key == key {
			return l
		}
	}
	t.Fatalf("no line %s", key)
	return pay.Line{}
}

// Every rule of SPEC §6 for the securities preset, at its boundaries.
// Amounts in fen: base, commission, account bonus, full-attendance bonus.
func TestSecuritiesRules(t *testing.T) {
	c := presetPlan(t, "securities-branch")
	type want struct{ base, commission, accounts, full int64 }
	for _, tc := range []struct {
		name string
		edit func(f *pay.Facts)
		want want
	}{
		{"every rule met", func(*pay.Facts) {}, want{250000, 123457, 6000, 20000}},
		// Base: 2 500 from deposits-in of exactly 50 000.00; below, the
		// example 1 000 of the lost table.
		{"deposits exactly 50 000.00", func(f *pay.Facts) { f.Metrics["deposits_in"] = mustNum(t, "50000.00") }, want{250000, 123457, 6000, 20000}},
		{"deposits 49 999.99", func(f *pay.Facts) { f.Metrics["deposits_in"] = mustNum(t, "49999.99") }, want{100000, 123457, 6000, 20000}},
		{"no deposits", func(f *pay.Facts) { f.Metrics["deposits_in"] = pay.Int(0) }, want{100000, 123457, 6000, 20000}},
		// 1 000 after two consecutive months without a new valid account,
		// normal again in a month with one.
		{"two months without, none again", func(f *pay.Facts) {
			f.History["months_without_new_valid_accounts"] = pay.Int(2)
			f.Metrics["new_valid_accounts"] = pay.Int(0)
		}, want{100000, 123457, 6000, 20000}},
		{"two months without, one this month", func(f *pay.Facts) {
			f.History["months_without_new_valid_accounts"] = pay.Int(2)
		}, want{250000, 123457, 6000, 20000}},
		{"one month without, none again", func(f *pay.Facts) {
			f.History["months_without_new_valid_accounts"] = pay.Int(1)
			f.Metrics["new_valid_accounts"] = pay.Int(0)
		}, want{250000, 123457, 6000, 20000}},
		{"five months without, low deposits", func(f *pay.Facts) {
			f.History["months_without_new_valid_accounts"] = pay.Int(5)
			f.Metrics["new_valid_accounts"] = pay.Int(0)
			f.Metrics["deposits_in"] = pay.Int(10000)
		}, want{100000, 123457, 6000, 20000}},
		// Commission: rate 0 under 20 lots; 20 lots (six 50 t contracts are
		// 6 × 10/3 = 20 exactly) takes the next bracket.
		{"19.99 lots", func(f *pay.Facts) { f.Metrics["standard_lots"] = mustNum(t, "19.99") }, want{250000, 0, 6000, 20000}},
		{"20 lots", func(f *pay.Facts) { f.Metrics["standard_lots"] = pay.Int(20) }, want{250000, 123457, 6000, 20000}},
		{"six 50 t contracts", func(f *pay.Facts) {
			f.Metrics["standard_lots"] = pay.FromRat(new(big.Rat).Mul(big.NewRat(6, 1), big.NewRat(10, 3)))
		}, want{250000, 123457, 6000, 20000}},
		{"59/3 lots", func(f *pay.Facts) { f.Metrics["standard_lots"] = mustNum(t, "59/3") }, want{250000, 0, 6000, 20000}},
		{"120 lots", func(f *pay.Facts) { f.Metrics["standard_lots"] = pay.Int(120) }, want{250000, 246913, 6000, 20000}},
		{"net revenue reversed", func(f *pay.Facts) { f.Metrics["net_revenue"] = mustNum(t, "-100.05") }, want{250000, -1001, 6000, 20000}},
		// 20 yuan per account opened.
		{"no accounts", func(f *pay.Facts) { f.Metrics["new_accounts"] = pay.Int(0) }, want{250000, 123457, 0, 20000}},
		// Full attendance 200; halving below half the required days, and
		// not at exactly half.
		{"not full attendance", func(f *pay.Facts) {
			f.Attendance.PresentDays, f.Attendance.Full = pay.Int(21), false
		}, want{250000, 123457, 6000, 0}},
		{"exactly half attended", func(f *pay.Facts) {
			f.Attendance.PresentDays, f.Attendance.Full = pay.Int(11), false
		}, want{250000, 123457, 6000, 0}},
		{"exactly half of 21 days", func(f *pay.Facts) {
			f.Attendance.RequiredDays, f.Attendance.PresentDays, f.Attendance.Full = pay.Int(21), mustNum(t, "10.5"), false
		}, want{250000, 123457, 6000, 0}},
		// 1 234.567 × ½ = 617.2835 → 617.28: rounded once, at the end (rounding
		// first would give 1 234.57 × ½ = 617.285 → 617.29).
		{"under half attended", func(f *pay.Facts) {
			f.Attendance.PresentDays, f.Attendance.Full = mustNum(t, "10.5"), false
		}, want{125000, 61728, 6000, 0}},
		{"under half and reduced base", func(f *pay.Facts) {
			f.Attendance.PresentDays, f.Attendance.Full = pay.Int(3), false
			f.History["months_without_new_valid_accounts"] = pay.Int(2)
			f.Metrics["new_valid_accounts"] = pay.Int(0)
		}, want{50000, 61728, 6000, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := secFacts(t)
			tc.edit(f)
			st, err := c.Evaluate(f)
			if err != nil {
				t.Fatal(err)
			}
			got := want{lineOf(t, st, "base").Fen, lineOf(t, st, "commission").Fen, lineOf(t, st, "account_bonus").Fen, lineOf(t, st, "full_attendance_bonus").Fen}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if sum := got.base + got.commission + got.accounts + got.full; st.EarningsFen != sum || st.NetFen != sum || st.DeductionsFen != 0 {
				t.Errorf("totals %d/%d/%d, lines add up to %d", st.EarningsFen, st.DeductionsFen, st.NetFen, sum)
			}
		})
	}
}

// A statement explains every yuan: plan and version, each component's
// formula, the inputs it read and the bracket used.
func TestStatementExplains(t *testing.T) {
	c := presetPlan(t, "securities-branch")
	f := secFacts(t)
	f.Metrics["deposits_in"] = mustNum(t, "49999.99")
	f.Attendance.Full = false
	st, err := c.Evaluate(f)
	if err != nil {
		t.Fatal(err)
	}
	if st.Plan != "cm_pay" || st.Version != 1 {
		t.Errorf("plan %s v%d", st.Plan, st.Version)
	}
	base := lineOf(t, st, "base")
	if base.Tier == nil || base.Tier.Index != 0 || !base.Tier.Bracket.Example || base.Tier.By.String() != "49999.99" || base.Tier.Value.String() != "1000" {
		t.Errorf("base tier %+v", base.Tier)
	}
	names := func(l pay.Line) []string {
		var out []string
		for _, in := range l.Inputs {
			out = append(out, in.Name+"="+valueOf(in))
		}
		return out
	}
	if got, want := names(base), []string{"attendance_factor=1", "deposits_in=49999.99", "history.months_without_new_valid_accounts=0", "new_valid_accounts=1", "param.base_reduced=1000", "param.reduce_after=2"}; !slices.Equal(got, want) {
		t.Errorf("base inputs %v, want %v", got, want)
	}
	if !strings.Contains(base.Formula, "min(tier, param.base_reduced)") || base.Kind != pay.KindEarning || base.Source == "" {
		t.Errorf("base line %+v", base)
	}
	com := lineOf(t, st, "commission")
	if com.Tier.Index != 1 || com.Tier.Of.String() != "12345.67" || com.Tier.Bracket.Rate != "0.10" || com.Exact.String() != "1234.567" || com.Fen != 123457 {
		t.Errorf("commission %+v %+v", com, com.Tier)
	}
	full := lineOf(t, st, "full_attendance_bonus")
	if full.Applied || full.Fen != 0 || full.When != "attendance.full" || !slices.Equal(names(full), []string{"attendance.full=false", "param.full_attendance_bonus=200"}) {
		t.Errorf("full attendance %+v", full)
	}
	factor := lineOf(t, st, "attendance_factor")
	if factor.Kind != pay.KindInfo || factor.Fen != 0 || factor.Exact.String() != "1" {
		t.Errorf("factor %+v", factor)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"exact":"1234.567"`, `{"name":"deposits_in","value":"49999.99"}`, `"plan":"cm_pay"`, `"netFen":`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s", s)
		}
	}
}

func valueOf(in pay.Input) string {
	if in.IsText {
		return in.Text
	}
	return in.Value.String()
}

// Example values are listed so an institution cannot miss them.
func TestPresetExamples(t *testing.T) {
	sec := presetPlan(t, "securities-branch")
	want := []string{"components.base.tiers.brackets.0", "components.commission.tiers.brackets.1",
		"components.commission.tiers.brackets.2", "components.commission.tiers.brackets.3"}
	if got := sec.Examples(); !slices.Equal(got, want) {
		t.Errorf("securities examples %v", got)
	}
	if got := presetPlan(t, "rural-credit-coop").Examples(); !slices.Equal(got, []string{"params.base_salary.value"}) {
		t.Errorf("coop examples %v", got)
	}
	n := sec.Needs()
	if !n.Attendance || !slices.Equal(n.Metrics, []string{"deposits_in", "net_revenue", "new_accounts", "new_valid_accounts", "standard_lots"}) ||
		!slices.Equal(n.History, []string{"new_valid_accounts"}) || len(n.Person) != 0 {
		t.Errorf("needs %+v", n)
	}
	p, _ := presets.Load("commercial-bank")
	if plans, err := pay.FromPreset(p); err != nil || len(plans) != 0 {
		t.Errorf("commercial bank: %d plans, %v", len(plans), err)
	}
}

// The credit coop stops base pay for a general marketer (002 实施方案
// 第十一条).
func TestCoopGeneralMarketer(t *testing.T) {
	c := presetPlan(t, "rural-credit-coop")
	for pos, want := range map[string]int64{"sales_cm": 200000, "general_marketer": 0} {
		st, err := c.Evaluate(&pay.Facts{Person: pay.Person{Position: pos}})
		if err != nil {
			t.Fatal(err)
		}
		base := lineOf(t, st, "base")
		if base.Fen != want || base.Applied != (want > 0) || st.NetFen != want {
			t.Errorf("%s: %+v net %d", pos, base, st.NetFen)
		}
		if len(base.Inputs) != 2 || base.Inputs[1].Name != "person.position" || base.Inputs[1].Text != pos {
			t.Errorf("%s: inputs %+v", pos, base.Inputs)
		}
	}
	if !c.AppliesTo("general_marketer") || c.AppliesTo("counter_staff") {
		t.Error("positions")
	}
}

// A missing input or a division by zero stops the evaluation and names
// the component: never a silent zero.
func TestRuntimeErrors(t *testing.T) {
	c := presetPlan(t, "securities-branch")
	f := secFacts(t)
	delete(f.Metrics, "net_revenue")
	_, err := c.Evaluate(f)
	var ee *pay.EvalError
	if !errors.As(err, &ee) || ee.Component != "commission" || !errors.Is(err, pay.ErrMissingInput) || !strings.Contains(err.Error(), "net_revenue") {
		t.Errorf("missing metric: %v", err)
	}
	f = secFacts(t)
	f.Attendance = nil
	if _, err = c.Evaluate(f); !errors.As(err, &ee) || ee.Component != "attendance_factor" || !errors.Is(err, pay.ErrMissingInput) {
		t.Errorf("missing attendance: %v", err)
	}
	f = secFacts(t)
	delete(f.History, "months_without_new_valid_accounts")
	if _, err = c.Evaluate(f); !errors.As(err, &ee) || ee.Component != "base" {
		t.Errorf("missing history: %v", err)
	}

	d := compile(t, plan(comp("ratio", pay.KindEarning, "net_revenue / new_accounts")))
	_, err = d.Evaluate(&pay.Facts{Metrics: map[string]pay.Num{"net_revenue": pay.Int(5), "new_accounts": pay.Int(0)}})
	if !errors.As(err, &ee) || ee.Component != "ratio" || ee.Field != "components.ratio.formula" || !errors.Is(err, pay.ErrDivisionByZero) {
		t.Errorf("division by zero: %v", err)
	}
	if !strings.Contains(err.Error(), "计算项 ratio") || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("message %q", err)
	}
	// A guarded division is fine.
	g := compile(t, plan(comp("ratio", pay.KindEarning, "new_accounts > 0 ? net_revenue / new_accounts : 0")))
	if st, err := g.Evaluate(&pay.Facts{Metrics: map[string]pay.Num{"net_revenue": pay.Int(5), "new_accounts": pay.Int(0)}}); err != nil || st.NetFen != 0 {
		t.Errorf("guarded: %v", err)
	}
}

// The same facts give the same statement, however often and in whatever
// order people are evaluated, and by whichever evaluator.
func TestDeterministic(t *testing.T) {
	c := presetPlan(t, "securities-branch")
	facts := []*pay.Facts{secFacts(t), secFacts(t), secFacts(t)}
	facts[1].Metrics["standard_lots"] = mustNum(t, "19.99")
	facts[1].Attendance.PresentDays = pay.Int(2)
	facts[2].Person.Position = "group_lead"
	facts[2].Metrics["deposits_in"] = pay.Int(1)
	ev := c.NewEvaluator()
	first := make([][]byte, len(facts))
	for i, f := range facts {
		st, err := ev.Evaluate(f)
		if err != nil {
			t.Fatal(err)
		}
		first[i], _ = json.Marshal(st)
	}
	for round := range 3 {
		for i := len(facts) - 1; i >= 0; i-- {
			e := ev
			if round == 1 {
				e = c.NewEvaluator()
			}
			st, err := e.Evaluate(facts[i])
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(st); !reflect.DeepEqual(b, first[i]) {
				t.Errorf("round %d person %d:\n%s\n%s", round, i, b, first[i])
			}
		}
	}
}

// A compiled plan is shared by goroutines, each with its own evaluator
// (run with -race).
func TestConcurrentEvaluators(t *testing.T) {
	c := presetPlan(t, "securities-branch")
	want, err := c.Evaluate(secFacts(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 4)
	for range 4 {
		go func() {
			ev := c.NewEvaluator()
			var st pay.Statement
			for range 200 {
				if err := ev.EvaluateInto(secFacts(t), &st); err != nil {
					done <- err
					return
				}
				if st.NetFen != want.NetFen {
					done <- errors.New("different net pay")
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// A compiled plan does not change when the plan it came from does.
func TestCompiledIsACopy(t *testing.T) {
	p := plan(comp("a", pay.KindEarning, "1"))
	c := compile(t, p)
	p.Positions[0] = "regional_manager"
	p.Components[0].Formula = "2"
	if !c.AppliesTo("sales_cm") || c.Plan().Components[0].Formula != "1" {
		t.Error("the compiled plan follows its source")
	}
	got := c.Plan()
	got.Positions[0] = "x"
	if !c.AppliesTo("sales_cm") {
		t.Error("Plan() exposes the compiled plan")
	}
	names := map[string]bool{}
	for _, in := range pay.Inputs([]string{"new_valid_accounts"}) {
		names[in.Name] = in.Zh != "" && in.En != ""
	}
	for _, n := range []string{"attendance.present_days", "attendance.full", "person.position", "person.months_in_service", "history.months_without_new_valid_accounts"} {
		if !names[n] {
			t.Errorf("Inputs lacks %s", n)
		}
	}
}
