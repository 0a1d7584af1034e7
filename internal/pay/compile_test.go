package pay_test

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"cmhub/internal/pay"
	"cmhub/internal/platform"
)

var testMetrics = []string{"deposits_in", "net_revenue", "new_accounts", "new_valid_accounts", "standard_lots"}

func comp(key string, kind pay.Kind, formula string) pay.Component {
	return pay.Component{Key: key, NameZh: key, NameEn: key, Kind: kind, Formula: formula}
}

func plan(cs ...pay.Component) pay.Plan {
	return pay.Plan{Key: "test", NameZh: "测试", NameEn: "Test", Version: 1, EffectiveFrom: "2026-01",
		Positions: []string{"sales_cm"}, Components: cs}
}

func compile(t testing.TB, p pay.Plan) *pay.Compiled {
	t.Helper()
	c, err := pay.Compile(p, pay.Names{Metrics: testMetrics})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func eval(t testing.TB, c *pay.Compiled, metrics map[string]string) *pay.Statement {
	t.Helper()
	f := &pay.Facts{Metrics: map[string]pay.Num{}}
	for k, v := range metrics {
		f.Metrics[k] = mustNum(t, v)
	}
	st, err := c.Evaluate(f)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Compile errors name the field and say what is wrong, with the position
// in the formula.
func TestCompileErrors(t *testing.T) {
	ok := comp("a", pay.KindEarning, "deposits_in * 0.01")
	tiers := func(mode pay.TierMode, bs ...pay.Bracket) pay.Component {
		c := comp("t", pay.KindEarning, "")
		c.Tiers = &pay.Tiers{By: "standard_lots", Mode: mode, Brackets: bs}
		return c
	}
	for _, tc := range []struct {
		name       string
		p          pay.Plan
		positions  []string
		field, msg string
	}{
		{"unknown name", plan(comp("a", pay.KindEarning, "deposits_in + bonus_pool")), nil, "components.a.formula", "未知变量 bonus_pool unknown variable bonus_pool（第 1 行第 15 列"},
		{"later component", plan(comp("a", pay.KindEarning, "b * 2"), comp("b", pay.KindEarning, "1")), nil, "components.a.formula", "引用了后面的计算项 b"},
		{"self reference", plan(comp("a", pay.KindEarning, "a + 1")), nil, "components.a.formula", "循环引用"},
		{"syntax", plan(comp("a", pay.KindEarning, "deposits_in *")), nil, "components.a.formula", "公式语法错误 syntax error"},
		{"not a number", plan(comp("a", pay.KindEarning, "deposits_in > 5")), nil, "components.a.formula", "公式结果须为数值，现为条件 the result must be a number, not a condition"},
		{"condition not boolean", plan(pay.Component{Key: "a", NameZh: "a", Kind: pay.KindEarning, When: "deposits_in", Formula: "1"}), nil, "components.a.when", "公式结果须为条件"},
		{"unknown function", plan(comp("a", pay.KindEarning, "sqrt(deposits_in)")), nil, "components.a.formula", "不支持函数 sqrt"},
		{"internal function", plan(comp("a", pay.KindEarning, "_div(1, 0)")), nil, "components.a.formula", "不支持函数 _div"},
		{"modulo", plan(comp("a", pay.KindEarning, "new_accounts % 2")), nil, "components.a.formula", "不支持运算符 %"},
		{"attendance field", plan(comp("a", pay.KindEarning, "attendance.overtime")), nil, "components.a.formula", "未知变量 attendance.overtime"},
		{"history of an unknown metric", plan(comp("a", pay.KindEarning, "history.months_without_visits")), nil, "components.a.formula", "未知变量 history.months_without_visits"},
		{"tier without a table", plan(comp("a", pay.KindEarning, "tier * 2")), nil, "components.a.formula", "tier 只能用于有分档表的计算项"},
		{"unknown parameter", plan(comp("a", pay.KindEarning, "param.rate * 2")), nil, "components.a.formula", "方案没有参数 rate"},
		{"text compared with a number", plan(comp("a", pay.KindEarning, "person.grade == 3 ? 1 : 0")), nil, "components.a.formula", "两边须同为数值、同为文字或同为条件"},
		{"duplicate key", plan(ok, ok), nil, "components.1.key", "计算项 a 重复"},
		{"metric as key", plan(comp("net_revenue", pay.KindEarning, "1")), nil, "components.0.key", "已是指标、输入或保留字"},
		{"builtin as key", plan(comp("len", pay.KindEarning, "1")), nil, "components.0.key", "已是指标、输入或保留字"},
		{"bad key", plan(comp("Base", pay.KindEarning, "1")), nil, "components.0.key", "小写字母开头"},
		{"bad kind", plan(comp("a", "bonus", "1")), nil, "components.a.kind", "earning（应发）"},
		{"no formula", plan(comp("a", pay.KindEarning, "")), nil, "components.a.formula", "须有公式或分档表"},
		{"no components", plan(), nil, "components", "至少有一个计算项"},
		{"bad month", func() pay.Plan { p := plan(ok); p.EffectiveFrom = "2026-13"; return p }(), nil, "effectiveFrom", "YYYY-MM"},
		{"quarter", func() pay.Plan { p := plan(ok); p.EffectiveFrom = "2026-Q1"; return p }(), nil, "effectiveFrom", "YYYY-MM"},
		{"version", func() pay.Plan { p := plan(ok); p.Version = 0; return p }(), nil, "version", "正整数"},
		{"unknown position", plan(ok), []string{"rm"}, "positions", "岗位 sales_cm 不在岗位字典中"},
		{"bad param", func() pay.Plan {
			p := plan(ok)
			p.Params = []pay.Param{{Key: "rate", NameZh: "比例", Value: "5%"}}
			return p
		}(), nil, "params.rate.value", "参数值须为数值"},
		{"brackets out of order", plan(tiers(pay.TierWhole, pay.Bracket{Below: "50", Rate: "0"}, pay.Bracket{Below: "20", Rate: "0.1"}, pay.Bracket{Rate: "0.2"})), nil,
			"components.t.tiers.brackets.1.below", "逐档递增"},
		{"open bracket not last", plan(tiers(pay.TierWhole, pay.Bracket{Rate: "0"}, pay.Bracket{Rate: "0.1"})), nil, "components.t.tiers.brackets.0.below", "须设上限"},
		{"rate and amount", plan(tiers(pay.TierWhole, pay.Bracket{Rate: "0", Amount: "5"})), nil, "components.t.tiers.brackets.0", "比例（rate）或固定金额（amount）之一"},
		{"marginal amount", plan(tiers(pay.TierMarginal, pay.Bracket{Amount: "5"})), nil, "components.t.tiers.brackets.0.amount", "超额累进的各档只设比例"},
		{"bad mode", plan(tiers("progressive", pay.Bracket{Rate: "0.1"})), nil, "components.t.tiers.mode", "whole（全额）或 marginal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pay.Compile(tc.p, pay.Names{Metrics: testMetrics, Positions: tc.positions})
			var ve *platform.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("not a validation error: %v", err)
			}
			if got := ve.Fields[tc.field]; !strings.Contains(got, tc.msg) {
				t.Errorf("%s = %q, want %q (all: %v)", tc.field, got, tc.msg, ve.Fields)
			}
		})
	}
}

// The formula language: conditions, text facts, lists, functions, exact
// literals and the results' rounding to the fen.
func TestFormulaLanguage(t *testing.T) {
	for _, tc := range []struct {
		formula string
		fen     int64
	}{
		{"0.005", 1}, {"-0.005", -1}, {"1.005", 101}, {"2.675", 268}, {"-2.675", -268}, {"0.0049", 0},
		{"0.1 + 0.2 == 0.3 ? 1 : 0", 100},
		{"net_revenue * 0.035", 43210}, // 12 345.67 × 0.035 = 432.09845
		{"round(net_revenue) + floor(-0.5) + ceil(0.2) + abs(-1)", 1234700},
		{"min(3, 1, 2) * 10 + max(new_accounts, 4)", 1400},
		{"1_000 + 0x10", 101600},
		{"if new_accounts > 4 { 1 } else { 2 }", 200},
		{"person.position in [\"sales_cm\", \"group_lead\"] && person.grade != \"star5\" ? 10 : 0", 1000},
		{"person.position not in [\"rm\"] ? 5 : 0", 500},
		{"attendance.full ? 200 : 0", 20000},
		{"!attendance.full || attendance.late > 0 ? 0 : 1", 100},
		{"person.months_in_service >= 12 and person.status == \"active\" ? 1 : 0", 100},
		{"net_revenue * 1e15 * 1e15 / 1e30", 1234567}, // through big.Rat and back
		{"+new_accounts - -1", 500},
		{"new_accounts / 3", 133},
	} {
		t.Run(tc.formula, func(t *testing.T) {
			c := compile(t, plan(comp("x", pay.KindEarning, tc.formula)))
			st, err := c.Evaluate(&pay.Facts{
				Person:     pay.Person{Position: "sales_cm", Grade: "star2", Status: "active", MonthsInService: 12},
				Metrics:    map[string]pay.Num{"net_revenue": mustNum(t, "12345.67"), "new_accounts": pay.Int(4)},
				Attendance: &pay.Attendance{Full: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Lines[0].Fen; got != tc.fen {
				t.Errorf("%s = %d fen (exact %s), want %d", tc.formula, got, st.Lines[0].Exact, tc.fen)
			}
		})
	}
}

// Deductions are withheld, info lines are not paid, later lines read the
// rounded amount, and adjustments of closed months are carried, signed.
func TestTotalsAndAdjustments(t *testing.T) {
	c := compile(t, plan(
		comp("rate", pay.KindInfo, "1/3"),
		comp("commission", pay.KindEarning, "net_revenue * rate"), // 12 345.67 / 3 = 4 115.2233… → 4 115.22
		comp("tax", pay.KindDeduction, "commission * 0.1"),        // from 4 115.22, not 4 115.2233…: 411.522 → 411.52
		comp("reversal", pay.KindEarning, "-0.015"),               // a negative earning: −0.02
	))
	st, err := c.Evaluate(&pay.Facts{
		Metrics:     map[string]pay.Num{"net_revenue": mustNum(t, "12345.67")},
		Adjustments: []pay.Adjustment{{Ref: "2026-03 commission", Note: "补录净创收", Fen: 1050}, {Ref: "2026-02 account_bonus", Fen: -2000}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := lineOf(t, st, "rate"); got.Fen != 0 || got.Exact.String() != "1/3" {
		t.Errorf("info line %+v", got)
	}
	if got := lineOf(t, st, "tax"); got.Fen != 41152 || got.Inputs[0].Value.String() != "4115.22" {
		t.Errorf("tax %+v", got)
	}
	if st.EarningsFen != 411522-2 || st.DeductionsFen != 41152 || st.AdjustmentsFen != -950 || st.NetFen != 411520-41152-950 {
		t.Errorf("totals %+v", st)
	}
	adj := st.Lines[len(st.Lines)-2:]
	if adj[0].Kind != pay.KindAdjustment || adj[0].Ref != "2026-03 commission" || adj[1].Fen != -2000 || adj[1].Exact.String() != "-20" {
		t.Errorf("adjustments %+v", adj)
	}
}

// Whole (全额) and marginal (超额累进) tier tables on the same brackets.
func TestTierModes(t *testing.T) {
	brackets := []pay.Bracket{{Below: "1000", Rate: "0.03"}, {Below: "5000", Rate: "0.1"}, {Rate: "0.2"}}
	tiered := func(mode pay.TierMode) *pay.Compiled {
		c := comp("x", pay.KindEarning, "")
		c.Tiers = &pay.Tiers{By: "net_revenue", Mode: mode, Brackets: brackets}
		return compile(t, plan(c))
	}
	whole, marginal := tiered(pay.TierWhole), tiered(pay.TierMarginal)
	for _, tc := range []struct {
		in              string
		whole, marginal int64 // fen
		wIdx, mIdx      int
	}{
		{"0", 0, 0, 0, 0},
		{"999.99", 3000, 3000, 0, 0},        // 29.9997 → 30.00 both ways
		{"1000", 10000, 3000, 1, 0},         // whole jumps to 10 %; marginal is continuous
		{"1000.01", 10000, 3000, 1, 1},      // 30 + 0.001
		{"6000", 120000, 63000, 2, 2},       // 30 + 400 + 200
		{"-500", -1500, -1500, 0, 0},        // below the first bound: the first bracket
		{"5000", 100000, 43000, 2, 1},       // 30 + 400
		{"4999.995", 50000, 43000, 1, 1},    // 499.9995 → 500.00; 30 + 399.9995 → 430.00
		{"12345.675", 246914, 189914, 2, 2}, // 2 469.135 → 2 469.14; 430 + 1 469.135 → 1 899.14
	} {
		st := eval(t, whole, map[string]string{"net_revenue": tc.in})
		if l := st.Lines[0]; l.Fen != tc.whole || l.Tier.Index != tc.wIdx || l.Tier.Mode != pay.TierWhole {
			t.Errorf("whole(%s) = %d (bracket %d), want %d (%d)", tc.in, l.Fen, l.Tier.Index, tc.whole, tc.wIdx)
		}
		st = eval(t, marginal, map[string]string{"net_revenue": tc.in})
		l := st.Lines[0]
		if l.Fen != tc.marginal || l.Tier.Index != tc.mIdx {
			t.Errorf("marginal(%s) = %d (bracket %d), want %d (%d)", tc.in, l.Fen, l.Tier.Index, tc.marginal, tc.mIdx)
		}
		sum := new(big.Rat)
		for _, s := range l.Tier.Slices {
			sum.Add(sum, s.Value.Rat())
		}
		if sum.Cmp(l.Tier.Value.Rat()) != 0 {
			t.Errorf("marginal(%s): slices add up to %s, value %s", tc.in, sum, l.Tier.Value)
		}
	}
	// Fixed amounts in whole mode; a table without a formula is the amount.
	c := comp("x", pay.KindEarning, "")
	c.Tiers = &pay.Tiers{By: "deposits_in", Mode: pay.TierWhole, Brackets: []pay.Bracket{{Below: "50000", Amount: "1000"}, {Amount: "2500"}}}
	fixed := compile(t, plan(c))
	for in, want := range map[string]int64{"49999.99": 100000, "50000": 250000, "50000.01": 250000} {
		if got := eval(t, fixed, map[string]string{"deposits_in": in}).NetFen; got != want {
			t.Errorf("fixed(%s) = %d, want %d", in, got, want)
		}
	}
}

func TestSelectAndVersions(t *testing.T) {
	mk := func(key string, version int, from string, positions ...string) *pay.Compiled {
		p := plan(comp("a", pay.KindEarning, "1"))
		p.Key, p.Version, p.EffectiveFrom, p.Positions = key, version, from, positions
		return compile(t, p)
	}
	v1 := mk("cm", 1, "2025-01", "sales_cm", "group_lead")
	v2 := mk("cm", 2, "2026-04", "sales_cm")
	v3 := mk("cm", 3, "2026-04", "sales_cm")
	rm := mk("rm", 1, "2025-01", "regional_manager")
	plans := []*pay.Compiled{v3, rm, v1, v2}
	for _, tc := range []struct {
		position, month string
		want            *pay.Compiled
	}{
		{"sales_cm", "2026-03", v1}, {"sales_cm", "2026-04", v3}, {"sales_cm", "2027-01", v3},
		{"regional_manager", "2026-04", rm}, {"group_lead", "2026-03", v1},
	} {
		got, err := pay.Select(plans, tc.position, tc.month)
		if err != nil || got != tc.want {
			t.Errorf("%s %s: %v, %v; want %v", tc.position, tc.month, got, err, tc.want)
		}
	}
	// v3 drops group_lead from April: no plan, not the old one.
	if _, err := pay.Select(plans, "group_lead", "2026-04"); !errors.Is(err, pay.ErrNoPlan) {
		t.Errorf("group lead in April: %v", err)
	}
	if _, err := pay.Select(plans, "sales_cm", "2024-12"); !errors.Is(err, pay.ErrNoPlan) {
		t.Errorf("before every plan: %v", err)
	}
	other := mk("other", 1, "2026-01", "sales_cm")
	if _, err := pay.Select(append(plans, other), "sales_cm", "2026-02"); err == nil || !strings.Contains(err.Error(), "同时适用方案") {
		t.Errorf("two plans: %v", err)
	}
	if _, err := pay.Select(plans, "sales_cm", "2026"); err == nil {
		t.Error("a year accepted as a month")
	}

	if err := pay.CheckVersions(plans); err != nil {
		t.Errorf("good versions: %v", err)
	}
	early := mk("cm", 4, "2025-06", "sales_cm")
	if err := pay.CheckVersions(append(plans, early)); err == nil || !strings.Contains(err.Error(), "版本 4 不能早于版本") {
		t.Errorf("version 4 before version 2: %v", err)
	}
	if err := pay.CheckVersions([]*pay.Compiled{v1, mk("cm", 1, "2026-01", "sales_cm")}); err == nil {
		t.Error("repeated version accepted")
	}
}

// What-if: a draft version against the same month.
func TestCompare(t *testing.T) {
	f := func() *pay.Facts {
		return &pay.Facts{Metrics: map[string]pay.Num{"net_revenue": pay.Int(1000), "new_accounts": pay.Int(2)}}
	}
	old := compile(t, plan(comp("base", pay.KindEarning, "2500"), comp("commission", pay.KindEarning, "net_revenue * 0.1"),
		comp("fine", pay.KindDeduction, "10"), comp("gone", pay.KindEarning, "5")))
	draft := compile(t, plan(comp("base", pay.KindEarning, "2500"), comp("commission", pay.KindEarning, "net_revenue * 0.12"),
		comp("fine", pay.KindDeduction, "30"), comp("bonus", pay.KindEarning, "new_accounts * 20")))
	a, err := old.Evaluate(f())
	if err != nil {
		t.Fatal(err)
	}
	b, err := draft.Evaluate(f())
	if err != nil {
		t.Fatal(err)
	}
	cmp := pay.Compare(a, b)
	want := []pay.Change{
		{Key: "commission", NameZh: "commission", NameEn: "commission", BeforeFen: 10000, AfterFen: 12000, DeltaFen: 2000},
		{Key: "fine", NameZh: "fine", NameEn: "fine", BeforeFen: -1000, AfterFen: -3000, DeltaFen: -2000},
		{Key: "bonus", NameZh: "bonus", NameEn: "bonus", AfterFen: 4000, DeltaFen: 4000},
		{Key: "gone", NameZh: "gone", NameEn: "gone", BeforeFen: 500, DeltaFen: -500},
	}
	if len(cmp.Changes) != len(want) {
		t.Fatalf("changes %+v", cmp.Changes)
	}
	for i := range want {
		if cmp.Changes[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, cmp.Changes[i], want[i])
		}
	}
	if cmp.NetDeltaFen != 3500 || cmp.NetAfterFen-cmp.NetBeforeFen != 3500 {
		t.Errorf("net %+v", cmp)
	}
}
