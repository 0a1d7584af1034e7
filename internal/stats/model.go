// Package stats computes the monthly business statistics (业务统计) of
// managers, teams, regions and branches: for each metric of the catalogue
// the actual of the month, its target, the completion rate and the rank,
// and the trend of one metric over months (SPEC §4).
//
// Actuals come from the business records of the month (one row per
// record and credited manager, with the manager's share). Each month is
// read with one aggregate query over its records — grouped as leanly as
// the bare GROUP BY of the same records — plus one query per kind of
// metric that a plain sum cannot give (distinct customers, latest value,
// average daily balance). Roll-ups to teams, regions and branches are
// done here, through the organisation tree as of the month's end; never
// with a query per person or unit. Every figure is exact: sums are
// integers (fen, thousandths, basis points of a share) until they are
// written out. See docs/decisions/0012-business-statistics.md.
package stats

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"cmhub/internal/metric"
	"cmhub/internal/platform"
)

// Levels a statistics table is made at.
const (
	LevelManager = "manager"
	LevelTeam    = "team"
	LevelRegion  = "region"
	LevelBranch  = "branch"
)

// Levels lists the levels, finest first.
func Levels() []string { return []string{LevelManager, LevelTeam, LevelRegion, LevelBranch} }

// Subject types of a row.
const (
	SubjectPerson = "person"
	SubjectUnit   = "unit"
)

// Sum is an exact integer as a SQL SUM returns it: Small, unless it does
// not fit an int64 (PostgreSQL sums bigints as numeric), then Big.
type Sum struct {
	Small int64
	Big   *big.Int
}

// Int returns the sum as a big.Int.
func (s Sum) Int() *big.Int {
	if s.Big != nil {
		return new(big.Int).Set(s.Big)
	}
	return big.NewInt(s.Small)
}

// Kinds of group row.
const (
	KindSum      = 0 // the sum aggregate: counts and sums of the records
	KindDistinct = 1 // the largest share of one customer: ShareBP, CustomerID
	KindLast     = 2 // sums over the latest record of each customer
	KindAvg      = 3 // Amount is Σ amount × the days the balance stood
)

// Group is one row of a month's aggregate: the records of one record type
// credited to one manager (0: nobody) in one unit with one share, and —
// when the query groups by product — of one product.
type Group struct {
	Kind       int
	PersonID   int64
	UnitID     int64
	RecordType string
	Product    string // "" unless the query grouped by product
	ShareBP    int64  // the share still to apply (10000 = whole); 1 when the sums are already weighted
	Count      int64  // rows, or Σ share_bp when weighted
	Amount     Sum    // Σ amount (fen); for KindAvg Σ amount × days
	Quantity   Sum    // Σ quantity (thousandths)
	CustomerID int64  // KindDistinct only
}

// Person is a person as the statistics list them: their record in force
// on the month's last day (UnitID 0 when they had none then).
type Person struct {
	ID       int64
	EmpNo    string
	Name     string
	UnitID   int64
	Position string
	Status   string
}

// Query selects the business records of one month of an institution.
type Query struct {
	Institution int64
	Month       int // YYYYMM, as business_records.month
	// AsOf is the month's last day: the scope's subtrees are taken as then.
	AsOf platform.Date
	// Types narrows the sum aggregate to these record types; empty reads
	// every type (the groups of types no metric uses are ignored).
	Types []string
	// ByProduct groups the sum aggregate and the latest values by product
	// too (a metric converts contracts to standard lots by product).
	ByProduct bool
	// The record types of the distinct-customer, latest-value and
	// average-daily-balance metrics, read by one more query.
	Distinct, Last, Avg []string
	// Days is the number of days of the month (average daily balances).
	Days int
}

// share10k is 10000 basis points, the whole of a record.
const share10k = 10000

// acc is an exact integer accumulator: an int64 until it would overflow,
// then a big.Int.
type acc struct {
	n int64
	b *big.Int
}

// mul64 returns x·m when it fits an int64.
func mul64(x, m int64) (int64, bool) {
	if x == 0 || m == 0 {
		return 0, true
	}
	if x == math.MinInt64 || m == math.MinInt64 {
		return 0, false
	}
	p := x * m
	if p/m != x {
		return 0, false
	}
	return p, true
}

// add64 returns a+b when it fits an int64.
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// add adds x·m.
func (a *acc) add(x Sum, m int64) {
	if x.Big == nil && a.b == nil {
		if p, ok := mul64(x.Small, m); ok {
			if s, ok := add64(a.n, p); ok {
				a.n = s
				return
			}
		}
	}
	a.addBig(x.Int(), big.NewInt(m))
}

// addBig adds x·m.
func (a *acc) addBig(x, m *big.Int) {
	if a.b == nil {
		a.b = big.NewInt(a.n)
	}
	a.b.Add(a.b, new(big.Int).Mul(x, m))
}

// addInt adds v.
func (a *acc) addInt(v int64) { a.add(Sum{Small: v}, 1) }

// rat returns the accumulated value over den.
func (a *acc) rat(den *big.Int) *big.Rat {
	if a.b == nil {
		if a.n == 0 {
			return new(big.Rat)
		}
		if den.IsInt64() {
			return big.NewRat(a.n, den.Int64())
		}
	}
	return new(big.Rat).SetFrac(a.int(), den)
}

func (a *acc) int() *big.Int {
	if a.b != nil {
		return new(big.Int).Set(a.b)
	}
	return big.NewInt(a.n)
}

// Decimals of a metric's actual as written out: two for yuan, three for
// lots and shares, four for a ratio (basis points, as targets keep it),
// and up to four for counts — shares make counts fractional — with
// trailing zeros trimmed.
func places(unit string) (n int, trim bool) {
	switch unit {
	case metric.UnitYuan:
		return 2, false
	case metric.UnitLots, metric.UnitShares:
		return 3, false
	case metric.UnitPercent:
		return 4, false
	}
	return 4, true
}

// Format writes an exact value in a metric's unit: rounded half away
// from zero to the unit's decimals ("1234.57", "3.333", "0.7", "0.6667").
func Format(v *big.Rat, unit string) string {
	n, trim := places(unit)
	s := roundRat(v, n)
	if trim && strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// roundRat writes v with n decimals, rounded half away from zero.
func roundRat(v *big.Rat, n int) string {
	if s, ok := roundSmall(v, n); ok {
		return s
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	num := new(big.Int).Mul(v.Num(), scale)
	q, r := new(big.Int).QuoRem(num, v.Denom(), new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(v.Denom()) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	neg := q.Sign() < 0
	digits := q.Abs(q).String()
	if n > 0 {
		if len(digits) <= n {
			digits = strings.Repeat("0", n-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-n] + "." + digits[len(digits)-n:]
	}
	if neg {
		digits = "-" + digits
	}
	return digits
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000}

// roundSmall is roundRat for a value whose numerator and denominator fit
// an int64 (nearly all of them), without big arithmetic.
func roundSmall(v *big.Rat, n int) (string, bool) {
	if n >= len(pow10) || !v.Num().IsInt64() || !v.Denom().IsUint64() {
		return "", false
	}
	num, den := v.Num().Int64(), v.Denom().Uint64()
	neg := num < 0
	u := uint64(num)
	if neg {
		if num == math.MinInt64 {
			return "", false
		}
		u = uint64(-num)
	}
	hi, lo := bits.Mul64(u, pow10[n])
	if hi >= den {
		return "", false
	}
	q, r := bits.Div64(hi, lo, den)
	if r >= den-r { // 2r ≥ den, without overflow
		q++
	}
	digits := strconv.FormatUint(q, 10)
	if n > 0 {
		if len(digits) <= n {
			digits = strings.Repeat("0", n-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-n] + "." + digits[len(digits)-n:]
	}
	if neg && q != 0 {
		digits = "-" + digits
	}
	return digits, true
}
