package metric

import (
	"math/big"
	"strings"
	"testing"
)

func rec(key, unit, agg, rt, field string) Metric {
	return Metric{Key: key, NameZh: key, Unit: unit, Aggregation: agg, SourceKind: SourceRecord, RecordType: rt, Field: field, Active: true}
}

func formula(key, unit, text string) Metric {
	return Metric{Key: key, NameZh: key, Unit: unit, SourceKind: SourceFormula, Formula: text, Active: true}
}

func TestValidate(t *testing.T) {
	lots := rec("lots", UnitLots, AggSum, "futures_trade", FieldQuantity)
	lots.Conversion = map[string]string{"bitumen_50t": "10/3", "bitumen_15t": "1.000", "*": "0.50"}
	for _, tc := range []struct {
		name  string
		m     Metric
		field string // "" = valid
		want  string // part of the message
	}{
		{"count", rec("new_accounts", UnitCount, AggCount, "account_opened", ""), "", ""},
		{"distinct", rec("valid", UnitCount, AggDistinctCustomers, "account_validated", ""), "", ""},
		{"sum amount", rec("deposits_in", UnitYuan, AggSum, "deposit_in", FieldAmount), "", ""},
		{"last", rec("assets", UnitYuan, AggLast, "asset_snapshot", FieldAmount), "", ""},
		{"avg daily", rec("deposits", UnitYuan, AggAvgDailyBalance, "deposit_balance", FieldAmount), "", ""},
		{"shares", rec("fund_shares", UnitShares, AggSum, "fund_buy", FieldQuantity), "", ""},
		{"lots with conversion", lots, "", ""},
		{"formula", formula("rate", UnitPercent, "a / b"), "", ""},
		{"key upper", rec("Deposits", UnitYuan, AggSum, "deposit_in", FieldAmount), "key", "小写"},
		{"key one char", rec("d", UnitYuan, AggSum, "deposit_in", FieldAmount), "key", "2–40"},
		{"key digit first", rec("1d", UnitYuan, AggSum, "deposit_in", FieldAmount), "key", "字母开头"},
		{"key too long", rec(strings.Repeat("a", 41), UnitCount, AggCount, "x_y", ""), "key", "2–40"},
		{"key chinese", rec("入金", UnitCount, AggCount, "x_y", ""), "key", ""},
		{"key reserved", rec("sum", UnitCount, AggCount, "x_y", ""), "key", "保留字"},
		{"key keyword", rec("and", UnitCount, AggCount, "x_y", ""), "key", "reserved"},
		{"no name", Metric{Key: "ab", Unit: UnitCount, Aggregation: AggCount, SourceKind: SourceRecord, RecordType: "x_y"}, "nameZh", "必填"},
		{"bad unit", rec("ab", "kg", AggCount, "x_y", ""), "unit", "单位"},
		{"bad aggregation", rec("ab", UnitCount, "median", "x_y", ""), "aggregation", "汇总方式"},
		{"no record type", rec("ab", UnitCount, AggCount, "", ""), "recordType", "必填"},
		{"count with field", rec("ab", UnitCount, AggCount, "x_y", FieldAmount), "field", "不取字段"},
		{"count in yuan", rec("ab", UnitYuan, AggCount, "x_y", ""), "unit", "count"},
		{"sum without field", rec("ab", UnitYuan, AggSum, "x_y", ""), "field", "amount 或 quantity"},
		{"amount in lots", rec("ab", UnitLots, AggSum, "x_y", FieldAmount), "unit", "yuan"},
		{"quantity in yuan", rec("ab", UnitYuan, AggSum, "x_y", FieldQuantity), "unit", "lots"},
		{"avg of quantity", rec("ab", UnitCount, AggAvgDailyBalance, "x_y", FieldQuantity), "field", "日均余额"},
		{"percent record", rec("ab", UnitPercent, AggSum, "x_y", FieldQuantity), "unit", "lots"},
		{"formula with aggregation", Metric{Key: "ab", NameZh: "x", Unit: UnitCount, Aggregation: AggSum, SourceKind: SourceFormula, Formula: "a"}, "aggregation", "不设汇总"},
		{"formula with record type", Metric{Key: "ab", NameZh: "x", Unit: UnitCount, SourceKind: SourceFormula, Formula: "a", RecordType: "x_y"}, "recordType", "公式指标"},
		{"formula too long", formula("ab", UnitCount, strings.Repeat("a+", 300)+"a"), "formula", "500"},
		{"no source", Metric{Key: "ab", NameZh: "x", Unit: UnitCount}, "sourceKind", "来源"},
		{"conversion on amount", func() Metric {
			m := rec("ab", UnitYuan, AggSum, "x_y", FieldAmount)
			m.Conversion = map[string]string{"p": "1"}
			return m
		}(), "conversion", "标准手"},
		{"conversion bad factor", func() Metric {
			m := rec("ab", UnitLots, AggSum, "x_y", FieldQuantity)
			m.Conversion = map[string]string{"p": "1e3"}
			return m
		}(), "conversion", "品种 p"},
		{"conversion zero", func() Metric {
			m := rec("ab", UnitLots, AggSum, "x_y", FieldQuantity)
			m.Conversion = map[string]string{"p": "0"}
			return m
		}(), "conversion", "大于 0"},
		{"conversion blank product", func() Metric {
			m := rec("ab", UnitLots, AggSum, "x_y", FieldQuantity)
			m.Conversion = map[string]string{" ": "1"}
			return m
		}(), "conversion", "品种代码"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := tc.m.Validate()
			if tc.field == "" {
				if len(fs) > 0 {
					t.Fatalf("want valid, got %v", fs)
				}
				return
			}
			msg, ok := fs[tc.field]
			if !ok {
				t.Fatalf("want an error on %s, got %v", tc.field, fs)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %q does not say %q", tc.field, msg, tc.want)
			}
		})
	}
	// Validation writes the factors in canonical form.
	want := map[string]string{"bitumen_50t": "10/3", "bitumen_15t": "1", "*": "0.5"}
	for k, v := range want {
		if lots.Conversion[k] != v {
			t.Errorf("conversion[%s] = %q, want %q", k, lots.Conversion[k], v)
		}
	}
}

func TestParseFactor(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"1", "1", true}, {"0.5", "0.5", true}, {"0.50", "0.5", true}, {"10/3", "10/3", true}, {"4/2", "2", true},
		{"1/8", "0.125", true}, {"3/20", "0.15", true}, {"2.000001", "2.000001", true}, {"333333333", "333333333", true},
		{"0", "", false}, {"0/3", "", false}, {"3/0", "", false}, {"-1", "", false}, {"1e3", "", false}, {"", "", false},
		{".5", "", false}, {"1.0000001", "", false}, {"1/2/3", "", false}, {" 1", "", false}, {"1000000000", "", false}, {"NaN", "", false},
	} {
		f, err := ParseFactor(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseFactor(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && f.String() != tc.want {
			t.Errorf("ParseFactor(%q) = %s, want %s", tc.in, f, tc.want)
		}
	}
}

func TestFactorFor(t *testing.T) {
	m := rec("standard_lots", UnitLots, AggSum, "futures_trade", FieldQuantity)
	if f, err := m.FactorFor("anything"); err != nil || f != One {
		t.Fatalf("no conversion: %v %v", f, err)
	}
	m.Conversion = map[string]string{"bitumen_15t": "1", "bitumen_50t": "10/3", "bitumen_150t": "10"}
	f, err := m.FactorFor("bitumen_50t")
	if err != nil {
		t.Fatal(err)
	}
	// 3 contracts of 50 t are exactly 10 standard lots of 15 t.
	if got := f.Lots(3); got.Cmp(big.NewRat(10, 1)) != 0 {
		t.Errorf("3 × 50t = %s lots, want 10", got.RatString())
	}
	if got := f.Lots(1); got.RatString() != "10/3" {
		t.Errorf("1 × 50t = %s lots, want 10/3", got.RatString())
	}
	if _, err := m.FactorFor("copper"); err == nil || !strings.Contains(err.Error(), "copper") {
		t.Errorf("an unlisted product must be an error naming it, got %v", err)
	}
	m.Conversion["*"] = "1"
	if f, err := m.FactorFor("copper"); err != nil || f != One {
		t.Errorf("the * factor applies to unlisted products: %v %v", f, err)
	}
}

func TestFactorStringRoundTrips(t *testing.T) {
	for _, in := range []string{"1/128", "10/3", "0.5", "2", "0.000001", "1/1000000", "1/10000000"} {
		f, err := ParseFactor(in)
		if err != nil {
			if in == "1/10000000" {
				continue // denominators stay below 10^9; 10^7 is fine, but check the error path is clean
			}
			t.Fatalf("%s: %v", in, err)
		}
		g, err := ParseFactor(f.String())
		if err != nil || g.Rat().Cmp(f.Rat()) != 0 {
			t.Fatalf("%s → %q → %v, %v", in, f.String(), g, err)
		}
	}
}
