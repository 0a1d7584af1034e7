package platform

import "math/big"

// RoundRat returns r × scale rounded half away from zero (四舍五入), the
// one rounding rule of money, rates and scores; ok is false when the
// result does not fit an int64. r × scale is computed exactly, so
// 2/3 × 10000 → 6667 and −1/20000 × 10000 → −1.
func RoundRat(r *big.Rat, scale int64) (v int64, ok bool) {
	n := new(big.Int).Mul(r.Num(), big.NewInt(scale))
	d := r.Denom() // always positive
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	// |m| × 2 ≥ d rounds away from zero.
	m.Abs(m).Lsh(m, 1)
	if m.Cmp(d) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}
