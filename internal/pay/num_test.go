package pay

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"cmhub/internal/platform"
)

func num(t testing.TB, s string) Num {
	t.Helper()
	v, err := ParseNum(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseAndString(t *testing.T) {
	for in, want := range map[string]string{
		"19.99": "19.99", "-0.005": "-0.005", "2500": "2500", "10/3": "10/3", "20/1": "20", "0.10": "0.1",
		"1e3": "1000", "1.5e-2": "0.015", "-7/14": "-0.5", "1/3": "1/3", "0": "0",
	} {
		v, err := ParseNum(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := v.String(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "abc", "1 000", "1_000", "1e999999999", "1/0", "0x"} {
		if _, err := ParseNum(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var zero Num
	if zero.String() != "0" || zero.Sign() != 0 || !zero.Equal(Int(0)) {
		t.Error("the zero value is not 0")
	}
}

// Decimal arithmetic is exact where float64 is not.
func TestArithmeticIsExact(t *testing.T) {
	if got := add(num(t, "0.1"), num(t, "0.2")); !got.Equal(num(t, "0.3")) {
		t.Errorf("0.1 + 0.2 = %s", got)
	}
	lots := mul(Int(6), num(t, "10/3")) // six 50 t contracts in 15 t standard lots
	if !lots.Equal(Int(20)) || lots.Cmp(Int(20)) != 0 {
		t.Errorf("6 × 10/3 = %s", lots)
	}
	if q, err := quo(Int(1), Int(3)); err != nil || !mul(q, Int(3)).Equal(Int(1)) {
		t.Errorf("1/3 × 3 = %s, %v", mul(q, Int(3)), err)
	}
	if _, err := quo(Int(1), Num{}); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("1/0: %v", err)
	}
	if got := sub(Fen(1), Fen(3)); got.String() != "-0.02" {
		t.Errorf("0.01 - 0.03 = %s", got)
	}
}

// Values beyond int64 move to big.Rat and come back when they fit.
func TestBigFallback(t *testing.T) {
	huge := Int(math.MaxInt64)
	sq := mul(huge, huge)
	if sq.r == nil {
		t.Fatal("MaxInt64² stayed small")
	}
	back, err := quo(sq, huge)
	if err != nil || !back.Equal(huge) || back.r != nil {
		t.Errorf("MaxInt64²/MaxInt64 = %s (big %v), %v", back, back.r != nil, err)
	}
	if got := add(huge, Int(1)); got.String() != "9223372036854775808" {
		t.Errorf("MaxInt64 + 1 = %s", got)
	}
	if got := neg(add(huge, Int(1))); got.String() != "-9223372036854775808" || got.r == nil {
		t.Errorf("-(MaxInt64 + 1) = %s", got)
	}
	if got := FromRat(big.NewRat(math.MinInt64, 1)); got.String() != "-9223372036854775808" || neg(got).String() != "9223372036854775808" {
		t.Errorf("MinInt64: %s", got)
	}
	tiny := frac(1, math.MaxInt64)
	if got := mul(tiny, tiny); got.Sign() != 1 || mul(got, mul(huge, huge)).Cmp(Int(1)) != 0 {
		t.Errorf("1/MaxInt64² × MaxInt64² = %s", mul(got, mul(huge, huge)))
	}
	if c := sq.Cmp(huge); c != 1 {
		t.Errorf("cmp = %d", c)
	}
	if _, ok := mul(sq, Int(100)).fen(); ok {
		t.Error("an amount beyond int64 fen fitted")
	}
}

// Rounding to the fen is half away from zero, exact at x.xx5 where a
// float64 goes wrong (2.675 is 2.67499999… as a float).
func TestFenRounding(t *testing.T) {
	for in, want := range map[string]int64{
		"0.005": 1, "-0.005": -1, "0.0049": 0, "-0.0049": 0, "1.005": 101, "2.675": 268, "-2.675": -268,
		"12345.675": 1234568, "1/3": 33, "2/3": 67, "-2/3": -67, "617.2835": 61728, "100": 10000, "-0.015": -2,
	} {
		if got, ok := num(t, in).fen(); !ok || got != want {
			t.Errorf("fen(%s) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

// fen takes a shortcut for amounts with at most two decimals; everything
// else goes through platform.RoundRat. Both agree on random values.
func TestFenAgreesWithRoundRat(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		n := rnd.Int64N(2_000_000_001) - 1_000_000_000
		d := []int64{1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200, 1000, 3, 7, 30}[rnd.IntN(16)]
		v := frac(n, d)
		got, ok := v.fen()
		want, ok2 := platform.RoundRat(big.NewRat(n, d), 100)
		if ok != ok2 || got != want {
			t.Fatalf("fen(%d/%d) = %d; RoundRat %d", n, d, got, want)
		}
	}
}

func TestRoundFloorCeil(t *testing.T) {
	for _, tc := range []struct{ in, round, floor, ceil string }{
		{"2.5", "3", "2", "3"}, {"-2.5", "-3", "-3", "-2"}, {"2.4999", "2", "2", "3"}, {"-2.4999", "-2", "-3", "-2"},
		{"7", "7", "7", "7"}, {"-1/3", "0", "-1", "0"}, {"5/3", "2", "1", "2"},
	} {
		x := num(t, tc.in)
		if g := roundNum(x).String(); g != tc.round {
			t.Errorf("round(%s) = %s", tc.in, g)
		}
		if g := floorNum(x).String(); g != tc.floor {
			t.Errorf("floor(%s) = %s", tc.in, g)
		}
		if g := ceilNum(x).String(); g != tc.ceil {
			t.Errorf("ceil(%s) = %s", tc.in, g)
		}
		// The big path gives the same.
		b := Num{r: x.Rat()}
		if roundNum(b).String() != tc.round || floorNum(b).String() != tc.floor || ceilNum(b).String() != tc.ceil {
			t.Errorf("big %s: %s %s %s", tc.in, roundNum(b), floorNum(b), ceilNum(b))
		}
	}
}

func TestNumJSON(t *testing.T) {
	b, err := json.Marshal(map[string]Num{"a": num(t, "19.99"), "b": num(t, "20/3")})
	if err != nil || string(b) != `{"a":"19.99","b":"20/3"}` {
		t.Errorf("%s %v", b, err)
	}
	var back struct{ A, B, C Num }
	if err := json.Unmarshal([]byte(`{"A":"19.99","B":"20/3","C":0.1}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.A.String() != "19.99" || back.B.String() != "20/3" || back.C.String() != "0.1" {
		t.Errorf("%v", back)
	}
	if got := num(t, "20/3").Text(2); got != "6.67" {
		t.Errorf("Text(2) = %s", got)
	}
	if got := num(t, "-0.005").Text(2); got != "-0.01" {
		t.Errorf("Text(2) = %s", got)
	}
}
