// Package target keeps targets (任务): per period (month, quarter, year),
// per unit or person, per metric of the catalogue, an exact value that is
// decomposed down the organisation — branch → region → team → group →
// customer manager (001 第五条). A per-metric rule (data, per institution)
// says whether the children of a target may not exceed it (at_most, the
// default), must exactly make it up (exact), or are not summed against it
// (independent, the default for ratios). Completion = actual / target,
// exactly. See docs/decisions/0010-targets.md.
package target

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"cmhub/internal/metric"
	"cmhub/internal/platform"
)

// Modes of the decomposition rule of a metric.
const (
	// ModeAtMost: the children's targets together may not exceed the parent's.
	ModeAtMost = "at_most"
	// ModeExact: the children's targets must add up to the parent's; a
	// decomposition that does not is kept as a draft and reported incomplete.
	ModeExact = "exact"
	// ModeIndependent: every level has its own target and children are not
	// summed against the parent (rates, averages).
	ModeIndependent = "independent"
)

// Modes lists the rule modes.
func Modes() []string { return []string{ModeAtMost, ModeExact, ModeIndependent} }

// DefaultMode is the mode of a metric with no stored rule: independent for
// a ratio (unit percent), whose children's targets never add up to the
// parent's, at_most for everything else.
func DefaultMode(unit string) string {
	if unit == metric.UnitPercent {
		return ModeIndependent
	}
	return ModeAtMost
}

// Statuses of a decomposition, per parent.
const (
	StatusNotDecomposed = "not_decomposed" // the parent has a target, none of its children has one
	StatusWithin        = "within"         // at_most: children below the parent
	StatusComplete      = "complete"       // children add up to the parent exactly
	StatusIncomplete    = "incomplete"     // exact: children add up to less than the parent (a draft)
	StatusExceeded      = "exceeded"       // children exceed the parent (only after the tree changed under stored targets)
	StatusNoTarget      = "no_target"      // children have targets, the parent has none
)

// Status computes the status of a parent's decomposition. hasChildren says
// whether the parent has any children to decompose to at all; children is
// how many of them have a target and sum their total. A leaf, an
// independent metric, or a parent with neither target nor decomposition
// has no status ("").
func Status(mode string, parent *Target, hasChildren bool, children int, sum int64) string {
	switch {
	case mode == ModeIndependent || !hasChildren:
		return ""
	case parent == nil && children == 0:
		return ""
	case parent == nil:
		return StatusNoTarget
	case children == 0:
		return StatusNotDecomposed
	case sum > parent.Value:
		return StatusExceeded
	case sum == parent.Value:
		return StatusComplete
	case mode == ModeExact:
		return StatusIncomplete
	default:
		return StatusWithin
	}
}

// Subject is what a target is set for: a unit or a person, never both.
type Subject struct {
	UnitID   int64 `json:"unitId,omitempty"`
	PersonID int64 `json:"personId,omitempty"`
}

// IsPerson reports whether the subject is a person.
func (s Subject) IsPerson() bool { return s.PersonID != 0 }

// Key is a stable text form of the subject: "unit:12" or "person:34".
func (s Subject) Key() string {
	if s.PersonID != 0 {
		return "person:" + strconv.FormatInt(s.PersonID, 10)
	}
	return "unit:" + strconv.FormatInt(s.UnitID, 10)
}

// Target is one target: institution, period, subject, metric and value.
// Value is an exact amount in the metric's minor unit (see Scale): fen for
// yuan, whole counts, thousandths of a lot or share, basis points of a ratio.
type Target struct {
	ID          int64  `json:"id"`
	Institution int64  `json:"-"`
	Period      string `json:"period"`
	Metric      string `json:"metric"`
	Subject
	// PersonUnitID is, for a personal target, the unit of the person's
	// record in force on the period's first day (read only).
	PersonUnitID int64 `json:"personUnitId,omitempty"`
	// Unit is the metric's unit when the value was set; Value is in its minor unit.
	Unit  string `json:"unit"`
	Value int64  `json:"value"`
	// Amount is Value written in the natural unit ("1234.56" yuan), exact.
	Amount  string    `json:"amount"`
	Note    string    `json:"note"`
	Version int       `json:"version"`
	SetBy   string    `json:"setBy"`
	SetByID int64     `json:"setById"`
	SetAt   time.Time `json:"setAt"`
}

// Rule is the decomposition rule of one metric of an institution.
type Rule struct {
	Metric string `json:"metric"`
	Mode   string `json:"mode"`
	// Default is true when no rule is stored and Mode is DefaultMode.
	Default   bool      `json:"default"`
	Version   int       `json:"version"`
	UpdatedBy string    `json:"updatedBy,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// Member is a person placed in a unit by their record in force on a day.
type Member struct {
	PersonID int64  `json:"personId"`
	EmpNo    string `json:"empNo"`
	Name     string `json:"name"`
	UnitID   int64  `json:"unitId"`
	Position string `json:"position"`
	Status   string `json:"status"`
}

// Selection picks the targets of one institution and period. Unit targets
// are all returned; personal targets only for people inside the caller's
// scope whose record in force on AsOf lies in one of Units (or, with
// Subtree, anywhere below them).
type Selection struct {
	Institution int64
	Period      string
	Metric      string // "" for every metric
	AsOf        platform.Date
	Units       []int64
	Subtree     bool
}

// MaxValue bounds a target in minor units (10^15 fen is ten trillion yuan),
// so that sums of many targets stay far from int64 overflow.
const MaxValue = 1_000_000_000_000_000

// Scale is how many minor units make one unit of a metric's unit: 100 fen
// to the yuan, 1 for counts (a count target is a whole number), 1000 for
// lots and shares (contract-size conversion makes fractional lots), and
// 10000 for a ratio (basis points: 0.8550 is 85.50%, as attribution shares
// are stored). It returns 0 for an unknown unit.
func Scale(unit string) int64 {
	switch unit {
	case metric.UnitYuan:
		return 100
	case metric.UnitCount:
		return 1
	case metric.UnitLots, metric.UnitShares:
		return 1000
	case metric.UnitPercent:
		return 10000
	}
	return 0
}

func places(scale int64) int {
	n := 0
	for ; scale > 1; scale /= 10 {
		n++
	}
	return n
}

var decimalRe = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)

// ParseValue reads a non-negative decimal written in the natural unit
// ("1234.56" yuan, "300" accounts, "12.5" lots, "0.85" for 85%) into minor
// units, exactly. More decimal places than the unit keeps are refused, not
// rounded.
func ParseValue(s, unit string) (int64, error) {
	scale := Scale(unit)
	if scale == 0 {
		return 0, fmt.Errorf("未知的计量单位 %q unknown unit", unit)
	}
	s = strings.TrimSpace(s)
	m := decimalRe.FindStringSubmatch(s)
	if m == nil {
		return 0, errors.New("须为不小于 0 的数，如 300 或 1234.56 must be a non-negative number such as 300 or 1234.56")
	}
	intPart, frac := strings.TrimLeft(m[1], "0"), strings.TrimRight(m[2], "0")
	p := places(scale)
	if len(frac) > p {
		if p == 0 {
			return 0, fmt.Errorf("%s 须为整数 must be a whole number of %s", unitZh(unit), unit)
		}
		return 0, fmt.Errorf("最多 %d 位小数 at most %d decimal places", p, p)
	}
	digits := intPart + frac + strings.Repeat("0", p-len(frac))
	if strings.TrimLeft(digits, "0") == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v > MaxValue {
		return 0, fmt.Errorf("数值过大（最多 %s）too large (at most %s)", FormatValue(MaxValue, unit), FormatValue(MaxValue, unit))
	}
	return v, nil
}

// FormatValue writes minor units in the natural unit with the unit's
// decimal places: 123456 yuan → "1234.56", 8550 percent → "0.8550".
func FormatValue(v int64, unit string) string {
	scale := Scale(unit)
	if scale <= 1 {
		return strconv.FormatInt(v, 10)
	}
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-v)
	}
	p := places(scale)
	return fmt.Sprintf("%s%d.%0*d", sign, u/uint64(scale), p, u%uint64(scale))
}

// unitZh and describe write an amount for messages, Chinese and English.
func unitZh(unit string) string {
	switch unit {
	case metric.UnitYuan:
		return "元"
	case metric.UnitCount:
		return "个"
	case metric.UnitLots:
		return "标准手"
	case metric.UnitShares:
		return "份"
	}
	return ""
}

func describe(v int64, unit string) (zh, en string) {
	if unit == metric.UnitPercent {
		pct := new(big.Rat).SetFrac64(v, 100) // basis points → percent
		s := pct.FloatString(2) + "%"
		return s, s
	}
	s := FormatValue(v, unit)
	return s + " " + unitZh(unit), s + " " + unit
}

// Decimal is an exact decimal as the API receives it: a JSON string
// ("1234.56") or a bare JSON number (1234.56), kept as its text so that no
// float ever touches it.
type Decimal string

// UnmarshalJSON keeps the literal text of a number or the content of a string.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(s)
		return nil
	}
	if string(b) == "null" {
		*d = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("须为数字 must be a number")
	}
	*d = Decimal(n.String())
	return nil
}

// EvenSplit splits total into n integer parts that add up to total
// exactly, as evenly as possible: the remainder goes one each to the first
// parts (100 over 3 → 34, 33, 33).
func EvenSplit(total int64, n int) ([]int64, error) {
	if n <= 0 {
		return nil, errors.New("至少需要一个下级 at least one child is needed")
	}
	if total < 0 {
		return nil, errors.New("不能拆分负数 cannot split a negative value")
	}
	q, r := total/int64(n), total%int64(n)
	out := make([]int64, n)
	for i := range out {
		out[i] = q
		if int64(i) < r {
			out[i]++
		}
	}
	return out, nil
}

// Rate is a completion rate, actual ÷ target, held exactly. The zero Rate
// means there is no target (none set, or a target of 0): a completion rate
// of "no target" is unknown, not 0% and not infinite.
type Rate struct{ r *big.Rat }

// Completion returns actual ÷ target exactly. Both are in the same unit
// (for example both in minor units via MinorRat). A nil or zero target
// gives the no-target Rate; a nil actual counts as 0.
func Completion(actual, target *big.Rat) Rate {
	if target == nil || target.Sign() == 0 {
		return Rate{}
	}
	a := new(big.Rat)
	if actual != nil {
		a.Set(actual)
	}
	return Rate{a.Quo(a, target)}
}

// CompletionMinor is Completion for an actual and a target both in minor units.
func CompletionMinor(actual, target int64) Rate {
	return Completion(new(big.Rat).SetInt64(actual), new(big.Rat).SetInt64(target))
}

// MinorRat converts minor units to the natural unit, exactly (12345 fen → 12345/100 yuan).
func MinorRat(v int64, unit string) *big.Rat {
	s := Scale(unit)
	if s == 0 {
		s = 1
	}
	return new(big.Rat).SetFrac64(v, s)
}

// NoTarget reports whether there was no target to complete.
func (r Rate) NoTarget() bool { return r.r == nil }

// Rat returns a copy of the exact ratio, or nil when there is no target.
func (r Rate) Rat() *big.Rat {
	if r.r == nil {
		return nil
	}
	return new(big.Rat).Set(r.r)
}

// BasisPoints returns the ratio in basis points (10000 = 100%), rounded
// half away from zero (四舍五入) from the exact ratio: 2/3 → 6667,
// 1/20000 (half a basis point) → 1, −1/20000 → −1, 1/30000 → 0.
// ok is false when there is no target or the value does not fit an int64.
func (r Rate) BasisPoints() (bp int64, ok bool) {
	if r.r == nil {
		return 0, false
	}
	return platform.RoundRat(r.r, 10000)
}

// Percent writes the rate as a percentage with two decimals, rounded half
// away from zero ("85.25"), or "" when there is no target.
func (r Rate) Percent() string {
	bp, ok := r.BasisPoints()
	if !ok {
		return ""
	}
	return FormatValue(bp, metric.UnitYuan) // basis points are hundredths of a percent
}

// Cmp orders rates for ranking: no target sorts below every rate.
func (r Rate) Cmp(o Rate) int {
	switch {
	case r.r == nil && o.r == nil:
		return 0
	case r.r == nil:
		return -1
	case o.r == nil:
		return 1
	}
	return r.r.Cmp(o.r)
}

// MarshalJSON writes null for no target, otherwise the exact ratio, basis
// points and percent: {"ratio":"341/400","bp":8525,"percent":"85.25"}.
func (r Rate) MarshalJSON() ([]byte, error) {
	if r.r == nil {
		return []byte("null"), nil
	}
	bp, _ := r.BasisPoints()
	return json.Marshal(struct {
		Ratio   string `json:"ratio"`
		BP      int64  `json:"bp"`
		Percent string `json:"percent"`
	}{r.r.RatString(), bp, r.Percent()})
}
