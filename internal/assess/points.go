package assess

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"

	"cmhub/internal/platform"
)

// Points is a number of scorecard points held exactly in tenths: 95 is
// 9.5 points. Seed 000 gives only whole maximum points and no rule for
// entered points, so a rater may enter at most one decimal place (8.5);
// more is refused, never rounded.
type Points int64

// PointsScale is the number of Points in one point.
const PointsScale = 10

// Whole returns n whole points.
func Whole(n int) Points { return Points(n) * PointsScale }

var pointsRe = regexp.MustCompile(`^([0-9]{1,4})(?:\.([0-9]))?$`)

// ParsePoints reads a non-negative decimal with at most one decimal
// place ("9.5", "10", "0.0").
func ParsePoints(s string) (Points, error) {
	m := pointsRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("分数 %q 须为不小于 0 的数，最多一位小数 points must be a number ≥ 0 with at most one decimal place", s)
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64) // at most 4 digits: cannot fail
	p := Points(whole * PointsScale)
	if m[2] != "" {
		p += Points(m[2][0] - '0')
	}
	return p, nil
}

// String writes the points with one decimal only when needed: "9.5", "10".
func (p Points) String() string {
	sign := ""
	v := int64(p)
	if v < 0 {
		sign, v = "-", -v
	}
	if v%PointsScale == 0 {
		return sign + strconv.FormatInt(v/PointsScale, 10)
	}
	return fmt.Sprintf("%s%d.%d", sign, v/PointsScale, v%PointsScale)
}

// Rat returns the points as an exact number of points.
func (p Points) Rat() *big.Rat { return big.NewRat(int64(p), PointsScale) }

// MarshalJSON writes the points as a JSON number ("9.5"), exact.
func (p Points) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number or string through its text, so 9.5
// is never a binary fraction on the way.
func (p *Points) UnmarshalJSON(b []byte) error {
	v, err := ParsePoints(jsonText(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Score is a composite score or a threshold, in hundredths of a point:
// 7993 is 79.93. Composites are computed exactly and rounded to a Score
// once, at the end (see RoundScore).
type Score int64

// ScoreScale is the number of Score units in one point.
const ScoreScale = 100

var scoreRe = regexp.MustCompile(`^([0-9]{1,4})(?:\.([0-9]{1,2}))?$`)

// ParseScore reads a non-negative decimal with at most two decimal places.
func ParseScore(s string) (Score, error) {
	m := scoreRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("分数 %q 须为不小于 0 的数，最多两位小数 a score must be a number ≥ 0 with at most two decimal places", s)
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64)
	v := whole * ScoreScale
	switch len(m[2]) {
	case 1:
		v += int64(m[2][0]-'0') * 10
	case 2:
		v += int64(m[2][0]-'0')*10 + int64(m[2][1]-'0')
	}
	return Score(v), nil
}

// String writes the score with two decimals: "79.93", "60.00".
func (s Score) String() string {
	sign := ""
	v := int64(s)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/ScoreScale, v%ScoreScale)
}

// Rat returns the score as an exact number of points.
func (s Score) Rat() *big.Rat { return big.NewRat(int64(s), ScoreScale) }

// OfPoints converts points (tenths) to a Score (hundredths), exactly.
func OfPoints(p Points) Score { return Score(int64(p) * (ScoreScale / PointsScale)) }

// MarshalJSON writes the score as a JSON number with two decimals.
func (s Score) MarshalJSON() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON reads a JSON number or string through its text.
func (s *Score) UnmarshalJSON(b []byte) error {
	v, err := ParseScore(jsonText(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// RoundScore rounds an exact number of points to hundredths, half away
// from zero (四舍五入): 79.925 → 79.93, 75.944761… → 75.94. ok is false
// when the result does not fit a Score.
func RoundScore(r *big.Rat) (s Score, ok bool) {
	v, ok := roundScaled(r, ScoreScale)
	return Score(v), ok
}

// roundScaled returns r × scale rounded half away from zero.
func roundScaled(r *big.Rat, scale int64) (int64, bool) { return platform.RoundRat(r, scale) }

// BP is a weight or a ratio in basis points: 10000 is 100%.
type BP = int64

// FullWeight is 100% in basis points.
const FullWeight BP = 10000

// formatBP writes basis points as a percentage: 2000 → "20%", 750 → "7.5%".
func formatBP(bp BP) string {
	s := strconv.FormatInt(bp/100, 10)
	if r := bp % 100; r != 0 {
		frac := fmt.Sprintf("%02d", r)
		if frac[1] == '0' {
			frac = frac[:1]
		}
		s += "." + frac
	}
	return s + "%"
}

// jsonText is the text of a JSON number or string.
func jsonText(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err == nil {
			return s
		}
	}
	return string(b)
}

// errOverflow is returned when an exact result does not fit its integer form.
var errOverflow = errors.New("结果超出范围 result out of range")

// RoundFrac returns n/d points as a Score, rounded half away from zero,
// without big arithmetic when it fits; ok is false on overflow.
func RoundFrac(n, d int64) (Score, bool) {
	v, ok := roundFrac(n, d, ScoreScale)
	return Score(v), ok
}
