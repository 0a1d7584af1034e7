package target_test

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"cmhub/internal/target"
)

func TestEvenSplit(t *testing.T) {
	for _, tc := range []struct {
		total int64
		n     int
		want  []int64
	}{
		{100, 3, []int64{34, 33, 33}},
		{300, 7, []int64{43, 43, 43, 43, 43, 43, 42}},
		{2, 5, []int64{1, 1, 0, 0, 0}},
		{0, 2, []int64{0, 0}},
		{9, 1, []int64{9}},
		{12345, 4, []int64{3087, 3086, 3086, 3086}},
	} {
		got, err := target.EvenSplit(tc.total, tc.n)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("EvenSplit(%d, %d) = %v, %v; want %v", tc.total, tc.n, got, err, tc.want)
		}
	}
	for _, bad := range []struct {
		total int64
		n     int
	}{{10, 0}, {10, -1}, {-1, 2}} {
		if _, err := target.EvenSplit(bad.total, bad.n); err == nil {
			t.Errorf("EvenSplit(%d, %d) accepted", bad.total, bad.n)
		}
	}
	// Exact and even for any input: the parts add up, and differ by at most one, largest first.
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		total, n := r.Int64N(target.MaxValue), 1+r.IntN(500)
		parts, err := target.EvenSplit(total, n)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for i, p := range parts {
			sum += p
			if p < parts[len(parts)-1] || parts[0]-p > 1 || (i > 0 && p > parts[i-1]) {
				t.Fatalf("uneven split of %d over %d: %v", total, n, parts)
			}
		}
		if sum != total {
			t.Fatalf("split of %d over %d sums to %d", total, n, sum)
		}
	}
}

func TestParseAndFormatValue(t *testing.T) {
	for _, tc := range []struct {
		in, unit string
		want     int64
		text     string // FormatValue(want), "" when the input is refused
	}{
		{"300", "count", 300, "300"},
		{" 0300 ", "count", 300, "300"},
		{"1234.56", "yuan", 123456, "1234.56"},
		{"1234.5", "yuan", 123450, "1234.50"},
		{"0.01", "yuan", 1, "0.01"},
		{"50000", "yuan", 5000000, "50000.00"},
		{"12.5", "lots", 12500, "12.500"},
		{"3.333", "lots", 3333, "3.333"},
		{"100.125", "shares", 100125, "100.125"},
		{"0.85", "percent", 8500, "0.8500"},
		{"1.2", "percent", 12000, "1.2000"},
		{"0", "yuan", 0, "0.00"},
		{"0.000", "lots", 0, "0.000"},
		{"1000000000000000", "count", target.MaxValue, "1000000000000000"},
		{"1.5", "count", 0, ""},
		{"1234.567", "yuan", 0, ""},
		{"3.3333", "lots", 0, ""},
		{"0.85001", "percent", 0, ""},
		{"-5", "count", 0, ""},
		{"+5", "count", 0, ""},
		{"1e3", "count", 0, ""},
		{"1,000", "count", 0, ""},
		{"", "count", 0, ""},
		{".5", "yuan", 0, ""},
		{"5.", "yuan", 0, ""},
		{"1000000000000001", "count", 0, ""},
		{"99999999999999999999999", "yuan", 0, ""},
		{"1", "furlongs", 0, ""},
	} {
		got, err := target.ParseValue(tc.in, tc.unit)
		if tc.text == "" {
			if err == nil {
				t.Errorf("ParseValue(%q, %s) = %d, want an error", tc.in, tc.unit, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseValue(%q, %s) = %d, %v; want %d", tc.in, tc.unit, got, err, tc.want)
			continue
		}
		if s := target.FormatValue(got, tc.unit); s != tc.text {
			t.Errorf("FormatValue(%d, %s) = %q, want %q", got, tc.unit, s, tc.text)
		}
		if back, err := target.ParseValue(target.FormatValue(got, tc.unit), tc.unit); err != nil || back != got {
			t.Errorf("round trip of %d %s: %d %v", got, tc.unit, back, err)
		}
	}
	if s := target.FormatValue(-150, "yuan"); s != "-1.50" {
		t.Errorf("negative remaining: %q", s)
	}
}

func TestDecimalFromJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"1234.56"`, "1234.56"},
		{`1234.56`, "1234.56"},
		{`0.1`, "0.1"}, // kept as text: never 0.1000000000000000055
		{`300`, "300"},
		{`null`, ""},
	} {
		var d target.Decimal
		if err := json.Unmarshal([]byte(tc.in), &d); err != nil || string(d) != tc.want {
			t.Errorf("%s → %q, %v; want %q", tc.in, d, err, tc.want)
		}
	}
	var d target.Decimal
	if err := json.Unmarshal([]byte(`true`), &d); err == nil {
		t.Error("a boolean was accepted")
	}
}

func TestCompletion(t *testing.T) {
	rat := func(a, b int64) *big.Rat { return big.NewRat(a, b) }
	for _, tc := range []struct {
		name           string
		actual, target *big.Rat
		noTarget       bool
		ratio          string
		bp             int64
		percent        string
	}{
		{"85%", rat(85, 1), rat(100, 1), false, "17/20", 8500, "85.00"},
		{"a third", rat(1, 1), rat(3, 1), false, "1/3", 3333, "33.33"},
		{"two thirds round up", rat(2, 1), rat(3, 1), false, "2/3", 6667, "66.67"},
		{"half a basis point rounds away from zero", rat(1, 1), rat(20000, 1), false, "1/20000", 1, "0.01"},
		{"negative half a basis point", rat(-1, 1), rat(20000, 1), false, "-1/20000", -1, "-0.01"},
		{"below half a basis point", rat(1, 1), rat(30000, 1), false, "1/30000", 0, "0.00"},
		{"over-achieved", rat(450, 1), rat(300, 1), false, "3/2", 15000, "150.00"},
		{"lots with a conversion factor", rat(100, 3), rat(50, 1), false, "2/3", 6667, "66.67"},
		{"no actual yet", nil, rat(300, 1), false, "0", 0, "0.00"},
		{"a zero target is no target", rat(5, 1), rat(0, 1), true, "", 0, ""},
		{"no target at all", rat(5, 1), nil, true, "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := target.Completion(tc.actual, tc.target)
			if r.NoTarget() != tc.noTarget {
				t.Fatalf("NoTarget = %v", r.NoTarget())
			}
			bp, ok := r.BasisPoints()
			if tc.noTarget {
				if ok || r.Rat() != nil || r.Percent() != "" {
					t.Fatalf("no target must have no value: %d %v %q", bp, r.Rat(), r.Percent())
				}
				if b, _ := json.Marshal(r); string(b) != "null" {
					t.Fatalf("JSON %s", b)
				}
				return
			}
			if r.Rat().RatString() != tc.ratio || !ok || bp != tc.bp || r.Percent() != tc.percent {
				t.Fatalf("got %s, %d bp, %s%%; want %s, %d, %s", r.Rat().RatString(), bp, r.Percent(), tc.ratio, tc.bp, tc.percent)
			}
		})
	}
	// Minor units: 12 345.67 yuan of 50 000 yuan.
	r := target.CompletionMinor(1234567, 5000000)
	if b, _ := json.Marshal(r); string(b) != `{"ratio":"1234567/5000000","bp":2469,"percent":"24.69"}` {
		t.Errorf("JSON %s", b)
	}
	if target.MinorRat(1234567, "yuan").RatString() != "1234567/100" {
		t.Error("MinorRat")
	}
	// The result does not alias its inputs.
	a := rat(1, 2)
	r = target.Completion(a, rat(1, 1))
	a.SetInt64(7)
	if r.Rat().RatString() != "1/2" {
		t.Error("Completion aliases its actual")
	}
	// Ranking: exact, no target last.
	rates := []target.Rate{target.CompletionMinor(2, 3), {}, target.CompletionMinor(6667, 10000), target.CompletionMinor(1, 1)}
	slices.SortFunc(rates, func(x, y target.Rate) int { return y.Cmp(x) })
	if rates[0].Percent() != "100.00" || rates[1].Rat().RatString() != "6667/10000" || rates[2].Rat().RatString() != "2/3" || !rates[3].NoTarget() {
		t.Errorf("ranking: %v", rates)
	}
}

func TestStatus(t *testing.T) {
	p := &target.Target{Value: 100}
	for _, tc := range []struct {
		mode        string
		parent      *target.Target
		hasChildren bool
		n           int
		sum         int64
		want        string
	}{
		{target.ModeAtMost, p, true, 0, 0, target.StatusNotDecomposed},
		{target.ModeAtMost, p, true, 2, 60, target.StatusWithin},
		{target.ModeAtMost, p, true, 2, 100, target.StatusComplete},
		{target.ModeAtMost, p, true, 2, 101, target.StatusExceeded},
		{target.ModeExact, p, true, 2, 60, target.StatusIncomplete},
		{target.ModeExact, p, true, 3, 100, target.StatusComplete},
		{target.ModeExact, p, true, 3, 120, target.StatusExceeded},
		{target.ModeExact, nil, true, 1, 20, target.StatusNoTarget},
		{target.ModeExact, nil, true, 0, 0, ""},
		{target.ModeExact, p, false, 0, 0, ""},
		{target.ModeIndependent, p, true, 2, 500, ""},
	} {
		if got := target.Status(tc.mode, tc.parent, tc.hasChildren, tc.n, tc.sum); got != tc.want {
			t.Errorf("Status(%s, %v, %v, %d, %d) = %q, want %q", tc.mode, tc.parent != nil, tc.hasChildren, tc.n, tc.sum, got, tc.want)
		}
	}
}
