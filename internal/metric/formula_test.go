package metric

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"cmhub/internal/platform"
)

var keys = []string{"new_accounts", "new_valid_accounts", "net_revenue", "commission_paid", "standard_lots", "deposits_in"}

func TestCompileFormula(t *testing.T) {
	for _, tc := range []struct {
		text   string
		inputs string   // comma-separated, for a valid formula
		errs   []string // parts of the message, for an invalid one
	}{
		{"new_valid_accounts / new_accounts", "new_accounts,new_valid_accounts", nil},
		{"net_revenue - commission_paid", "commission_paid,net_revenue", nil},
		{"  net_revenue*0.2 + 1  ", "net_revenue", nil},
		{"max(net_revenue, 0)", "net_revenue", nil},
		{"round(abs(net_revenue) / 3) + floor(deposits_in) - ceil(standard_lots)", "deposits_in,net_revenue,standard_lots", nil},
		{"min(deposits_in, 50000) / 50000", "deposits_in", nil},
		{"standard_lots < 20 ? 0 : net_revenue * 0.3", "net_revenue,standard_lots", nil},
		{"(if deposits_in >= 50000 { 2500 } else { 1000 }) + new_accounts * 20", "deposits_in,new_accounts", nil},
		{"new_accounts > 0 && new_valid_accounts > 0 ? 1 : 0", "new_accounts,new_valid_accounts", nil},
		{"-net_revenue", "net_revenue", nil},
		{"new_accounts + new_accounts", "new_accounts", nil},

		{"", "", []string{"不能为空", "empty"}},
		{"new_accounts +", "", []string{"语法错误", "syntax"}},
		{"(new_accounts", "", []string{"语法错误"}},
		{"foo + new_accounts + bar", "", []string{"未知指标 bar、foo", "unknown metric(s): bar, foo"}},
		{"self_metric + 1", "", []string{"不能引用自身", "own metric"}},
		{"new_accounts > 1", "", []string{"须为数值", "must be a number"}},
		{"new_accounts > 1 && true", "", []string{"须为数值"}},
		{"len(new_accounts)", "", []string{"不支持函数 len", "function len is not allowed"}},
		{"now() + new_accounts", "", []string{"不支持函数 now"}},
		{"sqrt(new_accounts)", "", []string{"不支持函数 sqrt"}},
		{"_div(new_accounts, 0)", "", []string{"不支持函数 _div"}},
		{"new_accounts % 2", "", []string{"运算符 %"}},
		{"new_accounts ** 2", "", []string{"运算符 **"}},
		{"new_accounts ?? 1", "", []string{"运算符 ??"}},
		{"new_accounts in [1, 2]", "", []string{"运算符 in"}},
		{`"a" + new_accounts`, "", []string{"字符串"}},
		{"new_accounts.x", "", []string{"成员访问"}},
		{"let x = new_accounts; x * 2", "", []string{"let"}},
		{"sum([new_accounts])", "", []string{"不支持函数 sum"}},
		{"max([new_accounts, 1])", "", []string{"数组"}},
		{"1 + 2", "", []string{"至少一个指标"}},
		{"new_accounts && new_valid_accounts", "", []string{"运算符 &&", "needs comparisons or logical values"}},
		{"new_accounts ? 1 : 2", "", []string{"条件", "the condition"}},
		{"new_accounts / !new_accounts", "", []string{"运算符 !"}},
		{"new_accounts == (new_accounts > 1)", "", []string{"运算符 =="}},
		{"new_accounts > 1 ? new_accounts : true", "", []string{"两个分支"}},
		{"max() + new_accounts", "", []string{"至少需要一个参数"}},
		{"abs(new_accounts, 1)", "", []string{"需要一个参数"}},
		{"-(new_accounts > 1)", "", []string{"运算符 -", "needs numbers"}},
		{strings.Repeat("(", 300) + "new_accounts" + strings.Repeat(")", 300), "", []string{"500"}},
	} {
		f, err := CompileFormula("self_metric", tc.text, keys)
		if tc.errs == nil {
			if err != nil {
				t.Errorf("%q: %v", tc.text, err)
				continue
			}
			if got := strings.Join(f.Inputs, ","); got != tc.inputs {
				t.Errorf("%q: inputs %s, want %s", tc.text, got, tc.inputs)
			}
			continue
		}
		var ve *platform.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q: want a validation error, got %v", tc.text, err)
			continue
		}
		for _, want := range tc.errs {
			if !strings.Contains(ve.Fields["formula"], want) {
				t.Errorf("%q: %q does not say %q", tc.text, ve.Fields["formula"], want)
			}
		}
	}
}

// catalogue is a small securities catalogue with formulas over formulas.
func catalogue(t *testing.T, extra ...Metric) *Catalogue {
	t.Helper()
	ms := []Metric{
		rec("new_accounts", UnitCount, AggCount, "account_opened", ""),
		rec("new_valid_accounts", UnitCount, AggDistinctCustomers, "account_validated", ""),
		rec("net_revenue", UnitYuan, AggSum, "net_revenue", FieldAmount),
		rec("commission_paid", UnitYuan, AggSum, "commission", FieldAmount),
		rec("standard_lots", UnitLots, AggSum, "futures_trade", FieldQuantity),
		formula("net_income", UnitYuan, "net_revenue - commission_paid"),
		formula("income_per_lot", UnitYuan, "net_income / standard_lots"),
		formula("conversion_rate", UnitPercent, "new_valid_accounts / new_accounts"),
		formula("score", UnitCount, "conversion_rate * 100 + (income_per_lot > 100 ? 10 : 0)"),
	}
	c, err := NewCatalogue(append(ms, extra...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEvaluate(t *testing.T) {
	c := catalogue(t)
	nan := math.NaN()
	for _, tc := range []struct {
		key    string
		values map[string]float64
		want   float64
		null   string // part of the reason when the result is null
	}{
		{"conversion_rate", map[string]float64{"new_accounts": 8, "new_valid_accounts": 6}, 0.75, ""},
		{"conversion_rate", map[string]float64{"new_accounts": 0, "new_valid_accounts": 0}, 0, "除数为零"},
		{"conversion_rate", map[string]float64{"new_accounts": 0, "new_valid_accounts": 3}, 0, "division by zero"},
		{"conversion_rate", map[string]float64{"new_accounts": nan, "new_valid_accounts": 3}, 0, "new_accounts"},
		{"net_income", map[string]float64{"net_revenue": 12345.67, "commission_paid": 2345.66}, 10000.01, ""},
		{"net_income", map[string]float64{"net_revenue": 0.3, "commission_paid": 0.1}, 0.2, ""}, // 0.19999999999999998 in binary
		{"income_per_lot", map[string]float64{"net_income": 100, "standard_lots": 3}, 33.33, ""},
		{"income_per_lot", map[string]float64{"net_income": 200, "standard_lots": 3}, 66.67, ""},
		{"income_per_lot", map[string]float64{"net_income": 2.01, "standard_lots": 2}, 1.01, ""}, // 1.005 rounds up
		{"income_per_lot", map[string]float64{"net_income": -2.01, "standard_lots": 2}, -1.01, ""},
		{"income_per_lot", map[string]float64{"net_income": 1e308, "standard_lots": 1e-308}, 0, "有限数"},
		{"score", map[string]float64{"conversion_rate": 0.5, "income_per_lot": 150}, 60, ""},
	} {
		r, err := c.Evaluate(tc.key, tc.values)
		if err != nil {
			t.Errorf("%s %v: %v", tc.key, tc.values, err)
			continue
		}
		if tc.null != "" {
			if !r.Null || !strings.Contains(r.Reason, tc.null) {
				t.Errorf("%s %v: want null (%s), got %+v", tc.key, tc.values, tc.null, r)
			}
			continue
		}
		if r.Null || r.Value != tc.want {
			t.Errorf("%s %v = %v (null %v %s), want %v", tc.key, tc.values, r.Value, r.Null, r.Reason, tc.want)
		}
		if r.Formula == "" || r.Version != c.metrics[c.index[tc.key]].Version || len(r.Inputs) == 0 {
			t.Errorf("%s: derivation missing: %+v", tc.key, r)
		}
	}
	if r, _ := c.Evaluate("net_income", map[string]float64{"net_revenue": 1234567.89, "commission_paid": 0.01}); r.Fen() != 123456788 {
		t.Errorf("fen = %d", r.Fen())
	}
	if _, err := c.Evaluate("conversion_rate", map[string]float64{"new_accounts": 1}); err == nil || !strings.Contains(err.Error(), "new_valid_accounts") {
		t.Errorf("a missing input must be named: %v", err)
	}
	if _, err := c.Evaluate("new_accounts", nil); !errors.Is(err, ErrNotFormula) {
		t.Errorf("record metric: %v", err)
	}
	if _, err := c.Evaluate("nope", nil); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown metric: %v", err)
	}
}

func TestOrderAndEvaluateAll(t *testing.T) {
	c := catalogue(t)
	order := c.Order()
	pos := func(k string) int { return slices.Index(order, k) }
	if len(order) != 4 || pos("net_income") > pos("income_per_lot") || pos("income_per_lot") > pos("score") || pos("conversion_rate") > pos("score") {
		t.Fatalf("order %v", order)
	}
	values := map[string]float64{"new_accounts": 4, "new_valid_accounts": 3, "net_revenue": 5000, "commission_paid": 1000, "standard_lots": 25}
	rs, err := c.EvaluateAll(values)
	if err != nil {
		t.Fatal(err)
	}
	if rs["net_income"].Value != 4000 || rs["income_per_lot"].Value != 160 || rs["conversion_rate"].Value != 0.75 || rs["score"].Value != 85 {
		t.Fatalf("results %+v", rs)
	}
	if _, ok := values["net_income"]; ok {
		t.Error("EvaluateAll modified its input")
	}
	// No lots: income per lot has no value, and neither has the score built on it.
	values["standard_lots"] = 0
	rs, err = c.EvaluateAll(values)
	if err != nil {
		t.Fatal(err)
	}
	if !rs["income_per_lot"].Null || !rs["score"].Null || !strings.Contains(rs["score"].Reason, "income_per_lot") || rs["net_income"].Null {
		t.Fatalf("null propagation: %+v", rs)
	}
	if got := c.UsedBy("net_income"); !slices.Equal(got, []string{"income_per_lot"}) {
		t.Errorf("UsedBy = %v", got)
	}
	if got := c.RecordTypes(); !slices.Equal(got, []string{"account_opened", "account_validated", "commission", "futures_trade", "net_revenue"}) {
		t.Errorf("RecordTypes = %v", got)
	}
}

func TestCatalogueErrors(t *testing.T) {
	base := []Metric{rec("aa", UnitCount, AggCount, "x_a", ""), rec("bb", UnitCount, AggCount, "x_b", "")}
	inactive := rec("cc", UnitCount, AggCount, "x_c", "")
	inactive.Active = false
	for _, tc := range []struct {
		name  string
		ms    []Metric
		field string
		want  string
	}{
		{"duplicate", []Metric{base[0], base[0]}, "aa.key", "重复"},
		{"unknown", []Metric{base[0], formula("ff", UnitCount, "aa + zz")}, "ff.formula", "未知指标 zz"},
		{"self", []Metric{base[0], formula("ff", UnitCount, "aa + ff")}, "ff.formula", "自身"},
		{"two-cycle", []Metric{base[0], formula("ff", UnitCount, "aa + gg"), formula("gg", UnitCount, "ff * 2")}, "ff.formula", "ff → gg → ff"},
		{"three-cycle", []Metric{base[0], formula("f1", UnitCount, "f3 + aa"), formula("f2", UnitCount, "f1"), formula("f3", UnitCount, "f2")}, "f1.formula", "f1 → f3 → f2 → f1"},
		{"inactive input", []Metric{base[0], inactive, formula("ff", UnitCount, "aa + cc")}, "ff.formula", "已停用的指标 cc"},
		{"shape", []Metric{rec("aa", "kg", AggCount, "x_a", "")}, "aa.unit", "单位"},
		{"no key", []Metric{rec("", UnitCount, AggCount, "x_a", "")}, "metrics[0].key", "指标代码"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCatalogue(tc.ms)
			var ve *platform.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a validation error, got %v", err)
			}
			if !strings.Contains(ve.Fields[tc.field], tc.want) {
				t.Fatalf("want %s to say %q, got %v", tc.field, tc.want, ve.Fields)
			}
		})
	}
	// An inactive formula may keep referring to inactive metrics.
	off := formula("ff", UnitCount, "aa + cc")
	off.Active = false
	c, err := NewCatalogue([]Metric{base[0], inactive, off})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Order()) != 0 {
		t.Errorf("inactive formulas are not computed: %v", c.Order())
	}
	// Seen from the metric being changed, the cycle starts with it and the
	// error is on its plain field.
	_, fs := build([]Metric{base[0], formula("ff", UnitCount, "aa + gg"), formula("gg", UnitCount, "ff * 2")}, "gg")
	if !strings.Contains(fs["formula"], "gg → ff → gg") {
		t.Errorf("focused cycle: %v", fs)
	}
}

func TestRoundYuan(t *testing.T) {
	for in, want := range map[float64]float64{1.005: 1.01, 1.004999: 1, -1.005: -1.01, 2.675: 2.68, 0.1 + 0.2: 0.3, 1e9 + 0.005: 1e9 + 0.01, 0: 0} {
		if got := roundYuan(in); got != want {
			t.Errorf("roundYuan(%v) = %v, want %v", in, got, want)
		}
	}
}
