package pay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strings"

	"cmhub/internal/metric"
	"cmhub/internal/platform"
)

// Num is an exact rational number: every metric value, parameter, rate
// and intermediate result of a pay formula. Money is a Num in yuan
// (Fen(12345) is 123.45); standard lots after a 10/3 contract-size
// conversion stay 20/3, never 6.666…67. Small values are two int64s in
// lowest terms, which keeps the arithmetic of a pay month allocation-free
// in the common case; a value that outgrows them becomes a *big.Rat, so
// nothing ever overflows or loses precision. The zero value is 0. A Num
// is immutable: operations return new values and never modify their
// arguments (a big value may be shared between copies).
type Num struct {
	n, d int64    // n/d in lowest terms, d > 0; d == 0 only in the zero value
	r    *big.Rat // the value when it does not fit n/d; n and d are then unused
}

// ErrDivisionByZero is the error of a formula that divides by zero. The
// evaluation stops and names the component; it is never a silent zero.
// It is the metric catalogue's error, so callers test for one error.
var ErrDivisionByZero = metric.ErrDivisionByZero

// Int is the whole number i.
func Int(i int64) Num { return Num{n: i, d: 1} }

// Fen is an amount of f fen as yuan: Fen(250000) is 2500.
func Fen(f int64) Num { return frac(f, 100) }

// FromRat is the value of r, which is copied; nil is 0.
func FromRat(r *big.Rat) Num {
	if r == nil {
		return Num{}
	}
	return fromRat(new(big.Rat).Set(r))
}

// ParseNum reads a decimal ("19.99", "-0.005", "1e3") or a fraction
// ("10/3") exactly.
func ParseNum(s string) (Num, error) {
	t := strings.TrimSpace(s)
	// big.Rat accepts exponents of any size; a text such as "1e999999999"
	// would take the process's memory, so exponents are kept human.
	if i := strings.IndexAny(t, "eE"); i >= 0 && len(t)-i > 4 {
		return Num{}, fmt.Errorf("%q: %w", s, errBadNumber)
	}
	if t == "" || strings.ContainsAny(t, " _") {
		return Num{}, fmt.Errorf("%q: %w", s, errBadNumber)
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return Num{}, fmt.Errorf("%q: %w", s, errBadNumber)
	}
	return fromRat(r), nil
}

var errBadNumber = errors.New("不是数值 not a number")

// frac is n/d reduced; d must not be 0.
func frac(n, d int64) Num {
	if d < 0 {
		if n == math.MinInt64 || d == math.MinInt64 {
			return fromRat(big.NewRat(n, d))
		}
		n, d = -n, -d
	}
	return norm(n, d)
}

// norm reduces n/d (d > 0).
func norm(n, d int64) Num {
	if n == math.MinInt64 {
		return fromRat(big.NewRat(n, d))
	}
	if n == 0 {
		return Num{n: 0, d: 1}
	}
	if g := gcd(abs64(n), uint64(d)); g > 1 {
		n /= int64(g)
		d /= int64(g)
	}
	return Num{n: n, d: d}
}

// fromRat takes ownership of r and returns the small form when it fits.
func fromRat(r *big.Rat) Num {
	num, den := r.Num(), r.Denom()
	if num.IsInt64() && den.IsInt64() && num.Int64() != math.MinInt64 {
		return Num{n: num.Int64(), d: den.Int64()}
	}
	return Num{r: r}
}

// small returns n/d when the value is in the small form.
func (x Num) small() (n, d int64, ok bool) {
	switch {
	case x.r != nil:
		return 0, 0, false
	case x.d == 0:
		return 0, 1, true
	}
	return x.n, x.d, true
}

// Rat returns the value as a new big.Rat.
func (x Num) Rat() *big.Rat {
	if n, d, ok := x.small(); ok {
		return big.NewRat(n, d)
	}
	return new(big.Rat).Set(x.r)
}

// Sign is -1, 0 or +1.
func (x Num) Sign() int {
	if n, _, ok := x.small(); ok {
		switch {
		case n < 0:
			return -1
		case n > 0:
			return 1
		}
		return 0
	}
	return x.r.Sign()
}

// Cmp compares x and y: -1, 0 or +1.
func (x Num) Cmp(y Num) int {
	if xn, xd, ok := x.small(); ok {
		if yn, yd, ok := y.small(); ok {
			if xd == yd {
				return cmp64(xn, yn)
			}
			a, ok1 := mul64(xn, yd)
			b, ok2 := mul64(yn, xd)
			if ok1 && ok2 {
				return cmp64(a, b)
			}
		}
	}
	return x.Rat().Cmp(y.Rat())
}

// Equal reports whether x and y are the same number.
func (x Num) Equal(y Num) bool { return x.Cmp(y) == 0 }

// IsInt reports whether x is a whole number.
func (x Num) IsInt() bool {
	if _, d, ok := x.small(); ok {
		return d == 1
	}
	return x.r.IsInt()
}

// String is the exact value: a decimal when it has one ("19.99",
// "-0.005", "2500"), otherwise a fraction ("20/3").
func (x Num) String() string {
	r := x.Rat()
	d := new(big.Int).Set(r.Denom())
	// A fraction has a finite decimal form when its denominator is
	// 2^a × 5^b; then max(a, b) places show it exactly.
	twos, fives := 0, 0
	for d.Bit(0) == 0 {
		d.Rsh(d, 1)
		twos++
	}
	five, m := big.NewInt(5), new(big.Int)
	for {
		q, rem := new(big.Int).QuoRem(d, five, m)
		if rem.Sign() != 0 {
			break
		}
		d = q
		fives++
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return r.String()
	}
	return r.FloatString(max(twos, fives))
}

// Text is the value rounded half away from zero (四舍五入) to places
// decimals, for display: Text(2) of 20/3 is "6.67".
func (x Num) Text(places int) string {
	places = max(0, min(places, 18))
	scale := int64(1)
	for range places {
		scale *= 10
	}
	v, ok := platform.RoundRat(x.Rat(), scale)
	if !ok {
		return x.Rat().FloatString(places)
	}
	return new(big.Rat).SetFrac64(v, scale).FloatString(places)
}

// MarshalJSON writes the exact value as a JSON string ("19.99", "20/3"):
// a JSON number would be read back as a float by most clients.
func (x Num) MarshalJSON() ([]byte, error) { return json.Marshal(x.String()) }

// UnmarshalJSON reads a JSON string or number exactly.
func (x *Num) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := ParseNum(s)
	if err != nil {
		return err
	}
	*x = v
	return nil
}

// fen rounds x to whole fen, half away from zero (四舍五入), the
// repository's one rounding rule (platform.RoundRat). The int64 path is
// that rule on small values, kept because a pay month rounds every paid
// component and big.Rat would allocate for each; TestFenAgreesWithRoundRat
// holds the two together. Anything that does not fit goes to RoundRat.
func (x Num) fen() (int64, bool) {
	if n, d, ok := x.small(); ok {
		if 100%d == 0 {
			return mul64(n, 100/d) // at most two decimals: exact
		}
		if m, ok := mul64(n, 100); ok {
			q, r := m/d, m%d
			if r < 0 {
				r = -r
			}
			if r >= d-r { // |r| × 2 ≥ d rounds away from zero
				if m < 0 {
					q--
				} else {
					q++
				}
			}
			return q, true
		}
	}
	return platform.RoundRat(x.Rat(), 100)
}

// Arithmetic. Each operation takes the int64 path when both operands
// and every intermediate product fit, and big.Rat otherwise.

func add(x, y Num) Num {
	if xn, xd, ok := x.small(); ok {
		if yn, yd, ok := y.small(); ok {
			if xd == yd {
				if s, ok := add64(xn, yn); ok {
					return norm(s, xd)
				}
			} else {
				a, ok1 := mul64(xn, yd)
				b, ok2 := mul64(yn, xd)
				d, ok3 := mul64(xd, yd)
				if ok1 && ok2 && ok3 {
					if s, ok := add64(a, b); ok {
						return norm(s, d)
					}
				}
			}
		}
	}
	return fromRat(new(big.Rat).Add(x.Rat(), y.Rat()))
}

func neg(x Num) Num {
	if n, d, ok := x.small(); ok {
		return Num{n: -n, d: d} // n is never MinInt64 in the small form
	}
	return fromRat(new(big.Rat).Neg(x.r))
}

func sub(x, y Num) Num { return add(x, neg(y)) }

func mul(x, y Num) Num {
	if xn, xd, ok := x.small(); ok {
		if yn, yd, ok := y.small(); ok {
			// Cross-reduce first so the product is already in lowest terms.
			// gcd(n, d) ≥ 1 as d > 0.
			g1 := int64(gcd(abs64(xn), uint64(yd)))
			g2 := int64(gcd(abs64(yn), uint64(xd)))
			n, ok1 := mul64(xn/g1, yn/g2)
			d, ok2 := mul64(xd/g2, yd/g1)
			if ok1 && ok2 {
				if n == 0 {
					return Num{n: 0, d: 1}
				}
				return Num{n: n, d: d}
			}
		}
	}
	return fromRat(new(big.Rat).Mul(x.Rat(), y.Rat()))
}

func quo(x, y Num) (Num, error) {
	if y.Sign() == 0 {
		return Num{}, ErrDivisionByZero
	}
	if yn, yd, ok := y.small(); ok {
		return mul(x, frac(yd, yn)), nil
	}
	return fromRat(new(big.Rat).Quo(x.Rat(), y.r)), nil
}

func absNum(x Num) Num {
	if x.Sign() < 0 {
		return neg(x)
	}
	return x
}

// floorNum is the greatest whole number not above x.
func floorNum(x Num) Num {
	if n, d, ok := x.small(); ok {
		q := n / d
		if n%d != 0 && n < 0 {
			q--
		}
		return Int(q)
	}
	// big.Int.Div is Euclidean; with a positive divisor that is the floor.
	return fromRat(new(big.Rat).SetInt(new(big.Int).Div(x.r.Num(), x.r.Denom())))
}

func ceilNum(x Num) Num { return neg(floorNum(neg(x))) }

// roundNum rounds to a whole number half away from zero, the rule of
// platform.RoundRat, so round() in a formula and rounding to the fen
// agree.
func roundNum(x Num) Num {
	if n, d, ok := x.small(); ok {
		q, r := n/d, n%d
		if r < 0 {
			r = -r
		}
		if r >= d-r { // 2r ≥ d without overflowing
			if n < 0 {
				q--
			} else {
				q++
			}
		}
		return Int(q)
	}
	half := big.NewRat(1, 2)
	a := new(big.Rat).Abs(x.r)
	f := floorNum(fromRat(a.Add(a, half)))
	if x.r.Sign() < 0 {
		return neg(f)
	}
	return f
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // callers never pass MinInt64
	}
	return uint64(v)
}

// mul64 is a × b, ok false on overflow.
func mul64(a, b int64) (int64, bool) {
	if a == math.MinInt64 || b == math.MinInt64 {
		return 0, false
	}
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// add64 is a + b, ok false on overflow.
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, false
	}
	return s, true
}

// gcd is the binary greatest common divisor; gcd(0, b) is b.
func gcd(a, b uint64) uint64 {
	if a == 0 {
		return b
	}
	if b == 0 {
		return a
	}
	shift := bits.TrailingZeros64(a | b)
	a >>= bits.TrailingZeros64(a)
	for b != 0 {
		b >>= bits.TrailingZeros64(b)
		if a > b {
			a, b = b, a
		}
		b -= a
	}
	return a << shift
}
