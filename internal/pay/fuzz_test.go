package pay_test

import (
	"errors"
	"testing"

	"cmhub/internal/pay"
	"cmhub/internal/platform"
)

// FuzzCompileFormula feeds untrusted text to the plan compiler as a
// component's formula and as its condition. It must never panic; a
// refusal is a field error on that field; whatever compiles evaluates
// on awkward facts (zeros, negatives, huge values) to an amount or to a
// named error, never a panic.
func FuzzCompileFormula(f *testing.F) {
	for _, s := range []string{
		"deposits_in >= 50000 ? 2500 : 1000", "net_revenue / new_accounts", "tier", "earlier * 2", "x", "param.rate * net_revenue",
		"attendance.present_days * 2 < attendance.required_days ? 0.5 : 1", "history.months_without_new_valid_accounts >= 2",
		"person.position in [\"sales_cm\"]", "person.position not in [\"a\", \"b\"] ? 1 : 0", "attendance.full", "!attendance.full",
		"min(1, 2, 3) + max(net_revenue) + abs(-1) + round(2.5) + floor(1.5) + ceil(-1.5)", "1e308 * 1e308 * 1e308", "1 / 0",
		"9223372036854775807 + 1", "-9223372036854775808", "0.1 + 0.2 == 0.3", "1_000.000_1", "0x7fffffffffffffff * 0b11",
		"aa % bb", "2 ** 3", "len([1])", "attendance", "attendance.x", "$env", "nil", "\"a\"", "[1, 2]", "{a: 1}", "let a = 1; a",
		"a; b", "filter([1], # > 0)", "net_revenue | max()", "x?.y", "x[0]", "x[1:2]", "if true { 1 } else { 2 }", "_div(1, 0)",
		"net_revenue.foo", "person.position == person.grade", "true ? \"a\" : \"b\"", "1 in [1]", "\x00", "公式", ")", "((((1))))",
	} {
		f.Add(s)
	}
	names := pay.Names{Metrics: []string{"deposits_in", "net_revenue", "new_accounts", "new_valid_accounts"}}
	facts := []*pay.Facts{
		{Metrics: map[string]pay.Num{"deposits_in": pay.Int(0), "net_revenue": pay.Int(0), "new_accounts": pay.Int(0), "new_valid_accounts": pay.Int(0)},
			History: map[string]pay.Num{}, Attendance: &pay.Attendance{}},
		{Person: pay.Person{Position: "sales_cm", Grade: "star1", MonthsInService: -3},
			Metrics: map[string]pay.Num{"deposits_in": pay.Int(-1), "net_revenue": pay.Fen(-123), "new_accounts": pay.Int(7), "new_valid_accounts": pay.Int(1)},
			History: map[string]pay.Num{"months_without_new_valid_accounts": pay.Int(2), "months_without_deposits_in": pay.Int(0),
				"months_without_net_revenue": pay.Int(1), "months_without_new_accounts": pay.Int(3)},
			Attendance: &pay.Attendance{RequiredDays: pay.Int(22), PresentDays: pay.Int(9), Late: 3, Full: true}},
		{Metrics: map[string]pay.Num{"deposits_in": pay.Int(1 << 62), "net_revenue": pay.Int(-1 << 62), "new_accounts": pay.Int(1), "new_valid_accounts": pay.Int(1)}},
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, part := range []string{"formula", "when"} {
			x := pay.Component{Key: "x", NameZh: "x", Kind: pay.KindEarning, Formula: text}
			if part == "when" {
				x.Formula, x.When = "1", text
			}
			t1 := pay.Component{Key: "t", NameZh: "t", Kind: pay.KindInfo, Tiers: &pay.Tiers{By: "new_accounts", Mode: pay.TierWhole, Brackets: []pay.Bracket{{Rate: "1"}}}}
			p := pay.Plan{Key: "f", NameZh: "f", Version: 1, EffectiveFrom: "2026-01", Positions: []string{"sales_cm"},
				Params:     []pay.Param{{Key: "rate", NameZh: "r", Value: "0.05"}},
				Components: []pay.Component{t1, {Key: "earlier", NameZh: "e", Kind: pay.KindInfo, Formula: "1/3"}, x}}
			c, err := pay.Compile(p, names)
			if err != nil {
				var ve *platform.ValidationError
				if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields["components.x."+part] == "" {
					t.Fatalf("%s %q: not one field error on it: %v", part, text, err)
				}
				continue
			}
			for _, fc := range facts {
				st, err := c.Evaluate(fc)
				var ee *pay.EvalError
				switch {
				case err == nil:
					if len(st.Lines) != 3 {
						t.Fatalf("%q: %d lines", text, len(st.Lines))
					}
				case errors.As(err, &ee) && (errors.Is(err, pay.ErrDivisionByZero) || errors.Is(err, pay.ErrMissingInput) || errors.Is(err, pay.ErrOutOfRange)):
				default:
					t.Fatalf("%s %q: %v", part, text, err)
				}
			}
		}
	})
}
