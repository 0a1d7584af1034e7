package platform

import (
	"math/big"
	"testing"
)

func TestRoundRat(t *testing.T) {
	for _, tc := range []struct {
		n, d, scale, want int64
	}{
		{2, 3, 10000, 6667}, {1, 20000, 10000, 1}, {-1, 20000, 10000, -1}, {1, 30000, 10000, 0},
		{-1, 30000, 10000, 0}, {5, 2, 1, 3}, {-5, 2, 1, -3}, {7, 2, 10, 35}, {0, 1, 100, 0},
	} {
		if got, ok := RoundRat(big.NewRat(tc.n, tc.d), tc.scale); !ok || got != tc.want {
			t.Errorf("RoundRat(%d/%d, %d) = %d, %v; want %d", tc.n, tc.d, tc.scale, got, ok, tc.want)
		}
	}
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))
	if _, ok := RoundRat(huge, 1); ok {
		t.Error("2^70 fits an int64?")
	}
}
