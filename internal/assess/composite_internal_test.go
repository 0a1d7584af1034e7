package assess

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// The int64 path of the composite agrees with big.Rat on random groups,
// including counts whose least common multiple forces the fallback.
func TestCompositeInt64MatchesBig(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	weights := [][]BP{{2000, 6000, 2000}, {8000, 1000, 1000}, {4000, 4000, 1000, 1000}, {10000}, {1, 9999}}
	for range 20000 {
		ws := weights[rnd.IntN(len(weights))]
		gs := make([]GroupResult, len(ws))
		var present BP
		for i, w := range ws {
			gs[i].Weight = w
			if rnd.IntN(8) == 0 {
				continue // missing
			}
			n := 1 + rnd.IntN(40)
			if rnd.IntN(200) == 0 {
				n = 99991 - rnd.IntN(3)*2 // odd large counts push the lcm past 10^9
			}
			gs[i].Count = n
			for range n {
				gs[i].Sum += Points(rnd.IntN(1001))
			}
			present += w
		}
		if present == 0 {
			continue
		}
		e1, c1, ok1 := compositeOf(gs, present)
		e2, c2, ok2 := compositeBig(gs, present)
		if e1 != e2 || c1 != c2 || !ok1 || !ok2 {
			t.Fatalf("%+v: int64 %s %s, big %s %s", gs, e1, c1, e2, c2)
		}
	}
}

// Counts whose least common multiple passes 10^9 take the big.Rat path
// and still give the exact value.
func TestCompositeFallback(t *testing.T) {
	gs := []GroupResult{{Weight: 2000, Count: 99991, Sum: 99991 * 805}, {Weight: 6000, Count: 99989, Sum: 99989*700 + 1}, {Weight: 2000, Count: 7, Sum: 7 * 900}}
	exact, c, ok := compositeOf(gs, FullWeight)
	// 80.5 × 0.2 + (70 + 1/999890) × 0.6 + 90 × 0.2 = 76.1 + 0.6/999890
	want := new(big.Rat).Add(big.NewRat(761, 10), big.NewRat(6, 9998900))
	if !ok || exact != want.RatString() || c.String() != "76.10" {
		t.Errorf("fallback %s %s, want %s", exact, c, want.RatString())
	}
}

func TestRoundFracAndFracString(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		n, d := rnd.Int64N(1e15), 1+rnd.Int64N(1e14)
		for _, scale := range []int64{ScoreScale, FullWeight} {
			got, ok := roundFrac(n, d, scale)
			want, _ := roundScaled(big.NewRat(n, d), scale)
			if !ok || got != want {
				t.Fatalf("roundFrac(%d, %d, %d) = %d, want %d", n, d, scale, got, want)
			}
		}
		if got, want := fracString(n, d), big.NewRat(n, d).RatString(); got != want {
			t.Fatalf("fracString(%d, %d) = %s, want %s", n, d, got, want)
		}
	}
	// Exact halves round up.
	for _, tc := range []struct{ n, d, scale, want int64 }{{1, 200, 100, 1}, {3197, 40, 100, 7993}, {1, 20000, 10000, 1}, {1, 3, 100, 33}, {0, 7, 100, 0}} {
		if got, _ := roundFrac(tc.n, tc.d, tc.scale); got != tc.want {
			t.Errorf("roundFrac(%d, %d, %d) = %d, want %d", tc.n, tc.d, tc.scale, got, tc.want)
		}
	}
}
