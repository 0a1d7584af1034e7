package assess

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"cmhub/internal/platform"
)

// SheetTotal is one rater's sheet for a subject as the composite needs
// it: the rater, the group they rate in, the sheet's total and whether it
// has been submitted. Drafts are listed as pending and never counted.
type SheetTotal struct {
	Rater           int64  `json:"rater"`
	Group           string `json:"group"`
	Total           Points `json:"total"`
	Submitted       bool   `json:"submitted"`
	TemplateVersion int    `json:"templateVersion"`
}

// RaterTotal is a counted sheet.
type RaterTotal struct {
	Rater int64  `json:"rater"`
	Total Points `json:"total"`
}

// GroupResult explains one group's part of a composite.
type GroupResult struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	// Weight is the scheme's weight; EffectiveWeight the share actually
	// used, exact ("3/4"), "0" for a missing group; EffectiveBP is that
	// share in basis points rounded half up, for display only.
	Weight          BP     `json:"weight"`
	EffectiveWeight string `json:"effectiveWeight"`
	EffectiveBP     BP     `json:"effectiveBp"`
	// Raters are the submitted sheets counted; Pending the raters whose
	// sheet is not submitted and is not counted.
	Raters  []RaterTotal `json:"raters"`
	Pending []int64      `json:"pending,omitempty"`
	Count   int          `json:"count"`
	Sum     Points       `json:"sum"`
	// MeanExact is the group score, the mean of the counted totals, as an
	// exact number of points ("3497/7"); Mean is it rounded for display —
	// the composite is computed from the exact mean.
	MeanExact string `json:"meanExact"`
	Mean      Score  `json:"mean"`
	Missing   bool   `json:"missing"`
}

// Result is a subject's composite with its derivation.
type Result struct {
	Scheme          string        `json:"scheme"`
	SchemeVersion   int           `json:"schemeVersion"`
	Template        string        `json:"template"`
	TemplateVersion int           `json:"templateVersion"`
	Policy          string        `json:"policy"`
	Groups          []GroupResult `json:"groups"`
	// Held is true when there is no composite: a group has no submitted
	// sheet under the hold policy, or no group has one at all. Missing
	// names the groups without a submitted sheet.
	Held    bool     `json:"held"`
	Missing []string `json:"missing,omitempty"`
	// Composite is Σ effective weight × group mean, computed exactly and
	// rounded half up to hundredths once, at the end; CompositeExact is
	// the unrounded value in points ("15989/200").
	Composite      Score  `json:"composite"`
	CompositeExact string `json:"compositeExact,omitempty"`
	NoteZh         string `json:"noteZh,omitempty"`
	NoteEn         string `json:"noteEn,omitempty"`
}

// Composite computes a subject's composite under scheme from its sheets:
// a group's score is the mean of its submitted sheet totals; the
// composite is the weighted sum of the group scores. A group with no
// submitted sheet is missing and the scheme's policy applies: renormalise
// scales the other groups' weights up to 100%, hold gives no composite.
// Sheets naming an unknown group, a rater twice in a group, a total
// outside 0…100 or submitted sheets of different template versions are
// an error.
func (r *Rules) Composite(scheme string, sheets []SheetTotal) (Result, error) {
	i, ok := r.byScheme[scheme]
	if !ok {
		return Result{}, fmt.Errorf("rater scheme %q: %w", scheme, platform.ErrNotFound)
	}
	s := &r.schemes[i]
	res := Result{Scheme: s.Key, SchemeVersion: s.Version, Template: s.Template, Policy: s.Policy,
		Groups: make([]GroupResult, len(s.Groups))}
	if sc := r.scorecards[s.Template]; sc != nil {
		res.TemplateVersion = sc.t.Version
	}
	for gi, g := range s.Groups {
		res.Groups[gi] = GroupResult{Key: g.Key, NameZh: g.NameZh, NameEn: g.NameEn, Weight: g.Weight}
	}
	// First pass: check every sheet and count the submitted ones per
	// group, so the counted sheets share one backing array.
	groupOf := make([]int, len(sheets))
	counts := make([]int, len(s.Groups))
	version, submitted := 0, 0
	for si, sh := range sheets {
		gi := groupIndex(s.Groups, sh.Group)
		if gi < 0 {
			return Result{}, platform.Invalid("group", fmt.Sprintf("评分方案 %s 没有评分组 %s rater scheme %s has no group %s", s.Key, sh.Group, s.Key, sh.Group))
		}
		groupOf[si] = gi
		if !sh.Submitted {
			continue
		}
		if sh.Total < 0 || sh.Total > Whole(TotalPoints) {
			return Result{}, platform.Invalid("total", fmt.Sprintf("评分人 %d 的总分 %s 超出 0–100 rater %d: total %s is outside 0–100", sh.Rater, sh.Total, sh.Rater, sh.Total))
		}
		if version != 0 && sh.TemplateVersion != version {
			return Result{}, platform.Invalid("templateVersion", fmt.Sprintf("评分表的考核表版本不一致（%d 与 %d） the sheets were filled on different template versions (%d and %d)", version, sh.TemplateVersion, version, sh.TemplateVersion))
		}
		version = sh.TemplateVersion
		counts[gi]++
		submitted++
	}
	if version != 0 {
		res.TemplateVersion = version
	}
	backing := make([]RaterTotal, 0, submitted)
	for gi, n := range counts {
		res.Groups[gi].Raters = backing[len(backing) : len(backing) : len(backing)+n]
		backing = backing[:len(backing)+n]
	}
	var seen map[raterInGroup]bool // only for long lists; short ones are scanned
	if len(sheets) > 32 {
		seen = make(map[raterInGroup]bool, len(sheets))
	}
	for si, sh := range sheets {
		g := &res.Groups[groupOf[si]]
		var dup bool
		if seen != nil {
			k := raterInGroup{groupOf[si], sh.Rater}
			dup, seen[k] = seen[k], true
		} else {
			dup = containsRater(g, sh.Rater)
		}
		if dup {
			return Result{}, platform.Invalid("rater", fmt.Sprintf("评分人 %d 在评分组 %s 中有两张评分表 rater %d has two sheets in group %s", sh.Rater, sh.Group, sh.Rater, sh.Group))
		}
		if !sh.Submitted {
			g.Pending = append(g.Pending, sh.Rater)
			continue
		}
		g.Raters = append(g.Raters, RaterTotal{Rater: sh.Rater, Total: sh.Total})
		g.Count++
		g.Sum += sh.Total
	}

	var present BP
	for gi := range res.Groups {
		g := &res.Groups[gi]
		if g.Count == 0 {
			g.Missing = true
			g.EffectiveWeight = "0"
			res.Missing = append(res.Missing, g.Key)
			continue
		}
		present += g.Weight
		den := int64(g.Count) * PointsScale
		g.MeanExact = fracString(int64(g.Sum), den)
		mean, _ := roundFrac(int64(g.Sum), den, ScoreScale) // a mean of totals ≤ 100 always fits
		g.Mean = Score(mean)
	}
	switch {
	case present == 0:
		res.Held = true
		res.NoteZh = "没有任何评分组提交评分表，暂无综合分"
		res.NoteEn = "no group has a submitted sheet: no composite yet"
		return res, nil
	case len(res.Missing) > 0 && s.Policy == PolicyHold:
		res.Held = true
		names := missingNames(res.Groups)
		res.NoteZh = fmt.Sprintf("评分组 %s 无已提交的评分表，按规则（hold）暂不出综合分", strings.Join(names.zh, "、"))
		res.NoteEn = fmt.Sprintf("group(s) %s have no submitted sheet: under the hold policy there is no composite yet", strings.Join(names.en, ", "))
		return res, nil
	case len(res.Missing) > 0:
		names := missingNames(res.Groups)
		res.NoteZh = fmt.Sprintf("评分组 %s 无已提交的评分表，按规则（renormalise）其余各组权重按比例放大至合计 100%%（原合计 %s）", strings.Join(names.zh, "、"), formatBP(present))
		res.NoteEn = fmt.Sprintf("group(s) %s have no submitted sheet: under the renormalise policy the other groups' weights (together %s) are scaled up to 100%%", strings.Join(names.en, ", "), formatBP(present))
	}
	for gi := range res.Groups {
		g := &res.Groups[gi]
		if !g.Missing {
			g.EffectiveWeight = fracString(g.Weight, present)
			g.EffectiveBP, _ = roundFrac(g.Weight, present, FullWeight)
		}
	}
	exact, c, ok := compositeOf(res.Groups, present)
	if !ok {
		return Result{}, errOverflow
	}
	res.CompositeExact, res.Composite = exact, c
	return res, nil
}

// ForSubject is the result as its subject may see it: the groups' counts,
// means and weights, without who rated and what each rater gave (SPEC
// §5: peers' individual sheets are not shown to the subject).
func (res Result) ForSubject() Result {
	gs := make([]GroupResult, len(res.Groups))
	for i, g := range res.Groups {
		g.Raters, g.Pending = nil, nil
		gs[i] = g
	}
	res.Groups = gs
	res.Missing = slices.Clone(res.Missing)
	return res
}

func groupIndex(gs []Group, key string) int {
	for i := range gs {
		if gs[i].Key == key {
			return i
		}
	}
	return -1
}

// compositeOf is Σ w_g × (S_g / 10 n_g) / present over the groups with
// sheets, exact, and rounded half up to hundredths. It works in int64 over
// the least common multiple of the rater counts; should that grow past
// 10^9 (thousands of raters in several groups of odd sizes) it falls back
// to big.Rat. Bounds: S_g ≤ 1000 n_g and Σ w_g ≤ 10^4, so the numerator
// stays below 10^7 × lcm ≤ 10^16 and the denominator below 10^14.
func compositeOf(gs []GroupResult, present BP) (string, Score, bool) {
	l := int64(1)
	for _, g := range gs {
		if g.Count > 0 {
			l = lcm(l, int64(g.Count))
			if l > 1e9 {
				return compositeBig(gs, present)
			}
		}
	}
	var num int64
	for _, g := range gs {
		if g.Count > 0 {
			num += g.Weight * int64(g.Sum) * (l / int64(g.Count))
		}
	}
	den := l * PointsScale * present
	c, ok := roundFrac(num, den, ScoreScale)
	return fracString(num, den), Score(c), ok
}

// compositeBig is compositeOf with big.Rat.
func compositeBig(gs []GroupResult, present BP) (string, Score, bool) {
	acc, term := new(big.Rat), new(big.Rat)
	for _, g := range gs {
		if g.Count > 0 {
			term.SetFrac64(g.Weight*int64(g.Sum), int64(g.Count))
			acc.Add(acc, term)
		}
	}
	acc.Quo(acc, new(big.Rat).SetInt64(present*PointsScale))
	c, ok := RoundScore(acc)
	return acc.RatString(), c, ok
}

// roundFrac returns n × scale / d rounded half away from zero, for
// n ≥ 0 and d > 0, without overflow while 2 × d × scale fits an int64.
func roundFrac(n, d, scale int64) (int64, bool) {
	if n < 0 || d <= 0 || d > math.MaxInt64/(2*scale+1) {
		r, ok := roundScaled(big.NewRat(n, d), scale)
		return r, ok
	}
	q, rem := n/d, n%d
	if q > (math.MaxInt64-1)/scale {
		return 0, false
	}
	return q*scale + (2*rem*scale+d)/(2*d), true
}

// fracString writes n/d reduced ("3/4", "80"), as big.Rat.RatString does.
func fracString(n, d int64) string {
	g := gcd(n, d)
	n, d = n/g, d/g
	if d == 1 {
		return strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10) + "/" + strconv.FormatInt(d, 10)
}

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}

func lcm(a, b int64) int64 { return a / gcd(a, b) * b }

type raterInGroup struct {
	group int
	rater int64
}

func containsRater(g *GroupResult, rater int64) bool {
	for _, r := range g.Raters {
		if r.Rater == rater {
			return true
		}
	}
	for _, p := range g.Pending {
		if p == rater {
			return true
		}
	}
	return false
}

type names struct{ zh, en []string }

func missingNames(gs []GroupResult) names {
	var n names
	for _, g := range gs {
		if g.Missing {
			n.zh = append(n.zh, g.NameZh)
			en := g.NameEn
			if en == "" {
				en = g.Key
			}
			n.en = append(n.en, en)
		}
	}
	return n
}
