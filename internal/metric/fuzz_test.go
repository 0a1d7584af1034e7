package metric

import (
	"errors"
	"math"
	"testing"

	"cmhub/internal/platform"
)

// FuzzCompileFormula feeds arbitrary text to the formula validator: it must
// never panic, must refuse with a field error on "formula", and whatever it
// accepts must evaluate without panicking on awkward inputs (zeros,
// negatives, huge values, NaN as "no value").
func FuzzCompileFormula(f *testing.F) {
	for _, s := range []string{
		"new_valid_accounts / new_accounts", "net_revenue - commission_paid", "aa / (bb - bb)", "max(aa, bb) / min(aa, 0)",
		"aa > 0 ? bb / aa : 0", "round(aa / 3) * 1e308 * 10", "-aa / -0", "aa % bb", "aa ** bb", "len(aa)", "aa.bb", "aa[0]", "aa[1:2]",
		"let x = aa; x / 0", "aa; bb", "[aa, bb]", "{aa: bb}", "filter([aa], # > 0)", "aa | max()", "abs(aa) + floor(bb) + ceil(cc)",
		"9223372036854775807 + aa", "aa ?? bb", "aa in [bb]", "not aa", "if aa > bb { aa } else { bb / 0 }", "((((aa))))", "_div(aa, 0)",
		"$env", "aa /", "\x00", "公式", "aa == bb ? 1 : 0", "aa + 0x10", "1_000 * aa", "aa / 0.0", "nil", "true ? aa : bb",
	} {
		f.Add(s)
	}
	keys := []string{"aa", "bb", "cc", "new_accounts", "new_valid_accounts", "net_revenue", "commission_paid"}
	inputs := []map[string]float64{
		{"aa": 0, "bb": 0, "cc": 0},
		{"aa": 1, "bb": -1, "cc": 3},
		{"aa": math.MaxFloat64, "bb": math.SmallestNonzeroFloat64, "cc": -math.MaxFloat64},
		{"aa": math.NaN(), "bb": 2, "cc": math.Inf(1)},
	}
	f.Fuzz(func(t *testing.T, text string) {
		fm, err := CompileFormula("self", text, keys)
		if err != nil {
			var ve *platform.ValidationError
			if !errors.As(err, &ve) || ve.Fields["formula"] == "" {
				t.Fatalf("%q: not a formula field error: %v", text, err)
			}
			return
		}
		ms := []Metric{formula("self", UnitYuan, text)}
		for _, k := range keys {
			ms = append(ms, rec(k, UnitCount, AggCount, "t_"+k, ""))
		}
		c, err := NewCatalogue(ms)
		if err != nil {
			t.Fatalf("%q compiled alone but not in a catalogue: %v", text, err)
		}
		for _, in := range inputs {
			values := map[string]float64{}
			for _, k := range fm.Inputs {
				values[k] = in[k] // keys other than aa, bb, cc are 0
			}
			r, err := c.Evaluate("self", values)
			if err != nil {
				t.Fatalf("%q on %v: %v", text, values, err)
			}
			if !r.Null && (math.IsNaN(r.Value) || math.IsInf(r.Value, 0)) {
				t.Fatalf("%q on %v: non-finite value %v not reported as null", text, values, r.Value)
			}
		}
	})
}
