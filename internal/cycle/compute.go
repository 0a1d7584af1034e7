package cycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
)

// Detail is everything a result is computed from, stored with it so that
// every figure explains itself: the composite's derivation (groups,
// weights, policy, template and rule versions), the computed items with
// their inputs, and each item's score by group.
type Detail struct {
	Period      string              `json:"period"`
	RuleVersion int                 `json:"ruleVersion"`
	SchemeZh    string              `json:"schemeZh"`
	SchemeEn    string              `json:"schemeEn"`
	Result      assess.Result       `json:"result"`
	Items       []ItemScore         `json:"items"`
	Computed    []assess.ItemPoints `json:"computed,omitempty"`
	Inputs      *SubjectFigures     `json:"inputs,omitempty"`
	// NoteZh/NoteEn say why a result is held besides missing groups (a
	// computed item without a value).
	NoteZh string `json:"noteZh,omitempty"`
	NoteEn string `json:"noteEn,omitempty"`
}

// ItemScore is one scorecard item of a result: its maximum, the mean
// points each group gave (for reading), and its part of the composite —
// Σ effective weight × group mean of the item, exact then rounded. The
// parts add up to the composite up to the final rounding.
type ItemScore struct {
	Key      string            `json:"key"`
	NameZh   string            `json:"nameZh"`
	NameEn   string            `json:"nameEn"`
	Max      int               `json:"max"`
	Computed bool              `json:"computed"`
	ByGroup  map[string]string `json:"byGroup"` // group key → mean points, two decimals
	Score    *assess.Score     `json:"score"`
}

// compute recomputes every result of c from its sheets and stores them.
func (s *Service) compute(ctx context.Context, c *Cycle) error {
	rules, _, err := cycleRules(c)
	if err != nil {
		return err
	}
	per, err := platform.ParsePeriod(c.Period)
	if err != nil {
		return err
	}
	subjects, err := s.subjects(ctx, c)
	if err != nil {
		return err
	}
	figures := map[assess.Subject]SubjectFigures{}
	if s.Inputs != nil && needsInputs(rules, subjects) {
		in := make([]SubjectInput, 0, len(subjects))
		for _, sr := range subjects {
			in = append(in, inputOf(rules, sr))
		}
		if figures, err = s.Inputs.For(ctx, c.Institution, per, in); err != nil {
			return fmt.Errorf("cycle %s inputs: %w", c.Period, err)
		}
	}
	if s.Attendance != nil && needsAttendance(rules, subjects) {
		if err := s.addAttendance(ctx, c.Institution, per, subjects, figures); err != nil {
			return fmt.Errorf("cycle %s attendance: %w", c.Period, err)
		}
	}
	results := make([]ResultRow, 0, len(subjects))
	placed := make([]SubjectRow, 0, len(subjects))
	err = s.Store.EachAssessSubject(ctx, c.ID, func(sr SubjectRow, sheets []SheetLite) error {
		d, err := resultOf(rules, c, sr, sheets, figures)
		if err != nil {
			return fmt.Errorf("%s %d: %w", sr.Kind, sr.ID, err)
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		r := ResultRow{SubjectKind: sr.Kind, SubjectID: sr.ID, Held: d.Result.Held, Detail: b, Scheme: sr.Scheme}
		if !d.Result.Held {
			comp := d.Result.Composite
			r.Composite = &comp
		}
		results = append(results, r)
		placed = append(placed, sr)
		return nil
	})
	if err != nil {
		return err
	}
	rankResults(results, placed)
	if err := s.Store.ReplaceAssessResults(ctx, c.ID, results); err != nil {
		return err
	}
	now := s.Clock.Now()
	c.ComputedAt = &now
	return nil
}

// subjects reads the subjects of a cycle.
func (s *Service) subjects(ctx context.Context, c *Cycle) ([]SubjectRow, error) {
	return s.Store.AssessSubjects(ctx, c.ID)
}

func needsInputs(rules *assess.Rules, subjects []SubjectRow) bool {
	seen := map[string]bool{}
	for _, sr := range subjects {
		if seen[sr.Scheme] {
			continue
		}
		seen[sr.Scheme] = true
		if sc := scorecardOf(rules, sr.Scheme); sc != nil && hasComputed(sc) {
			return true
		}
	}
	return false
}

// needsAttendance reports whether a computed item of some subject's
// scorecard reads an attendance figure (the labour-discipline item can).
func needsAttendance(rules *assess.Rules, subjects []SubjectRow) bool {
	seen := map[string]bool{}
	for _, sr := range subjects {
		if seen[sr.Scheme] || sr.Kind != KindPerson {
			continue
		}
		seen[sr.Scheme] = true
		sc := scorecardOf(rules, sr.Scheme)
		if sc == nil {
			continue
		}
		for _, it := range sc.Template().Items {
			if f := sc.Formula(it.Key); f != nil && slices.ContainsFunc(f.Inputs, func(n string) bool { return strings.HasPrefix(n, "attendance.") }) {
				return true
			}
		}
	}
	return false
}

// AttendanceSource gives people's attendance figures of a period (the
// monthly summaries added up), by person.
type AttendanceSource interface {
	Figures(ctx context.Context, institution int64, per platform.Period, people []int64) (map[int64]map[string]float64, error)
}

// addAttendance adds the attendance figures of the person subjects to
// their inputs, each figure named in the derivation.
func (s *Service) addAttendance(ctx context.Context, institution int64, per platform.Period, subjects []SubjectRow, figures map[assess.Subject]SubjectFigures) error {
	ids := make([]int64, 0, len(subjects))
	for _, sr := range subjects {
		if sr.Kind == KindPerson {
			ids = append(ids, sr.ID)
		}
	}
	att, err := s.Attendance.Figures(ctx, institution, per, ids)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, in := range assess.Inputs() {
		names[in.Name] = in.Zh
	}
	for id, vals := range att {
		sub := assess.Subject{PersonID: id}
		f := figures[sub]
		if f.Values == nil {
			f.Values = map[string]float64{}
		}
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			f.Values[k] = vals[k]
			f.Sources = append(f.Sources, Source{Metric: k, NameZh: names[k], Actual: strconv.FormatFloat(vals[k], 'f', -1, 64), Basis: "attendance"})
		}
		figures[sub] = f
	}
	return nil
}

func scorecardOf(rules *assess.Rules, scheme string) *assess.Scorecard {
	sch, ok := rules.Scheme(scheme)
	if !ok {
		return nil
	}
	sc, _ := rules.Scorecard(sch.Template)
	return sc
}

func hasComputed(sc *assess.Scorecard) bool {
	for _, it := range sc.Template().Items {
		if it.Kind == assess.KindComputed {
			return true
		}
	}
	return false
}

// inputOf says whose figures stand for a subject.
func inputOf(rules *assess.Rules, sr SubjectRow) SubjectInput {
	in := SubjectInput{Subject: sr.Subject(), Level: "person"}
	if sr.Kind == KindTeam {
		in.Level, in.UnitID = assess.ScopeTeam, sr.ID
		return in
	}
	sch, _ := rules.Scheme(sr.Scheme)
	switch sch.CompletionOf {
	case assess.ScopeTeam:
		in.Level, in.UnitID = assess.ScopeTeam, sr.TeamID
	case assess.ScopeRegion:
		in.Level, in.UnitID = assess.ScopeRegion, sr.RegionID
	case assess.ScopeBranch:
		in.Level, in.UnitID = assess.ScopeBranch, sr.BranchID
	}
	if in.Level != "person" && in.UnitID == 0 {
		in.Level = "person" // no such unit above the subject: fall back to their own figures
	}
	return in
}

// resultOf computes one subject's result.
func resultOf(rules *assess.Rules, c *Cycle, sr SubjectRow, sheets []SheetLite, figures map[assess.Subject]SubjectFigures) (Detail, error) {
	sch, ok := rules.Scheme(sr.Scheme)
	if !ok {
		return Detail{}, fmt.Errorf("rater scheme %q: %w", sr.Scheme, platform.ErrNotFound)
	}
	sc, ok := rules.Scorecard(sch.Template)
	if !ok {
		return Detail{}, fmt.Errorf("template %q: %w", sch.Template, platform.ErrNotFound)
	}
	t := sc.Template()
	d := Detail{Period: c.Period, RuleVersion: c.RuleVersion, SchemeZh: sch.NameZh, SchemeEn: sch.NameEn}
	var computedSum assess.Points
	noValue := false
	if hasComputed(sc) {
		f, ok := figures[sr.Subject()]
		if ok {
			d.Inputs = &f
		}
		items, err := sc.ComputeItems(f.Values)
		switch {
		case errors.Is(err, assess.ErrNoValue):
			noValue = true
			d.NoteZh = "计算项无法计算（本期没有可用的任务目标或实绩）：" + err.Error()
			d.NoteEn = "a computed item has no value (no target or actual for the period): " + err.Error()
		case err != nil:
			return Detail{}, err
		}
		d.Computed = items
		for _, it := range items {
			computedSum += it.Points
		}
	}
	totals := make([]assess.SheetTotal, len(sheets))
	acc := newItemAcc(t, groupKeys(sch))
	for i, h := range sheets {
		submitted := h.State == SheetSubmitted && !noValue
		totals[i] = assess.SheetTotal{Rater: h.Rater, Group: h.Group, Total: h.RatedTotal + computedSum, Submitted: submitted,
			TemplateVersion: t.Version}
		if submitted {
			if err := acc.add(h.Group, h.Points); err != nil {
				return Detail{}, fmt.Errorf("sheet %d: %w", h.ID, err)
			}
		}
	}
	res, err := rules.Composite(sr.Scheme, totals)
	if err != nil {
		return Detail{}, err
	}
	if noValue {
		res.Held = true
		res.NoteZh, res.NoteEn = d.NoteZh, d.NoteEn
	}
	d.Result = res
	d.Items = acc.scores(res, d.Computed)
	return d, nil
}

func groupKeys(s assess.Scheme) []string {
	out := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		out[i] = g.Key
	}
	return out
}

// itemAcc adds up, per group, each item's points over the submitted
// sheets, reading the stored points without building a map per sheet.
type itemAcc struct {
	t      assess.Template
	index  map[string]int // item key → position
	groups []string
	sums   [][]int64 // [group][item] tenths
	counts []int64   // [group] sheets
}

func newItemAcc(t assess.Template, groups []string) *itemAcc {
	a := &itemAcc{t: t, index: make(map[string]int, len(t.Items)), groups: groups,
		sums: make([][]int64, len(groups)), counts: make([]int64, len(groups))}
	for i, it := range t.Items {
		a.index[it.Key] = i
	}
	for g := range groups {
		a.sums[g] = make([]int64, len(t.Items))
	}
	return a
}

func (a *itemAcc) add(group, points string) error {
	g := slices.Index(a.groups, group)
	if g < 0 {
		return fmt.Errorf("group %q: %w", group, platform.ErrNotFound)
	}
	a.counts[g]++
	return eachPoint(points, func(key string, v int64) {
		if i, ok := a.index[key]; ok {
			a.sums[g][i] += v
		}
	})
}

// scores breaks a result down by item. A group's mean of an item is over
// the same submitted sheets its total mean is; an item's part of the
// composite uses the same effective weights, exactly, rounded once.
func (a *itemAcc) scores(res assess.Result, computed []assess.ItemPoints) []ItemScore {
	comp := map[string]assess.Points{}
	for _, c := range computed {
		comp[c.Key] = c.Points
	}
	var present assess.BP
	weight := map[string]assess.BP{}
	for _, g := range res.Groups {
		if !g.Missing {
			present += g.Weight
			weight[g.Key] = g.Weight
		}
	}
	out := make([]ItemScore, len(a.t.Items))
	for ii, it := range a.t.Items {
		is := ItemScore{Key: it.Key, NameZh: it.NameZh, NameEn: it.NameEn, Max: it.Max, Computed: it.Kind == assess.KindComputed,
			ByGroup: map[string]string{}}
		// Σ_g w_g × sum_g / n_g over 10 × present, on a common denominator.
		lcmN := int64(1)
		for g := range a.groups {
			if n := a.counts[g]; n > 0 {
				lcmN = lcmN / gcd(lcmN, n) * n
			}
		}
		num := new(big.Int)
		for g, key := range a.groups {
			n := a.counts[g]
			if n == 0 {
				continue
			}
			sum := a.sums[g][ii]
			if is.Computed {
				sum = int64(comp[it.Key]) * n
			}
			mean, _ := assess.RoundFrac(sum, n*assess.PointsScale)
			is.ByGroup[key] = mean.String()
			if w, ok := weight[key]; ok {
				term := new(big.Int).SetInt64(w)
				term.Mul(term, big.NewInt(sum))
				term.Mul(term, big.NewInt(lcmN/n))
				num.Add(num, term)
			}
		}
		if !res.Held && present > 0 {
			den := new(big.Int).SetInt64(int64(present) * assess.PointsScale)
			den.Mul(den, big.NewInt(lcmN))
			if sc, ok := assess.RoundScore(new(big.Rat).SetFrac(num, den)); ok {
				is.Score = &sc
			}
		}
		out[ii] = is
	}
	return out
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// plainKey reports whether k is a template item key: lowercase letters,
// digits and underscores.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// eachPoint reads the stored points (see EncodePoints) without
// reflection; anything it does not expect goes through encoding/json.
func eachPoint(s string, fn func(key string, v int64)) error {
	if s == "" || s == "{}" {
		return nil
	}
	if ok := fastPoints(s, fn); ok {
		return nil
	}
	m, err := DecodePoints(s)
	if err != nil {
		return err
	}
	for k, v := range m {
		fn(k, int64(v))
	}
	return nil
}

// fastPoints parses {"key":123,"other":45} with plain keys; it reports
// false, having called fn for nothing, when s is any other shape.
func fastPoints(s string, fn func(key string, v int64)) bool {
	type kv struct {
		k string
		v int64
	}
	var buf [16]kv
	got := buf[:0]
	i := 1
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return false
	}
	for i < len(s)-1 {
		if s[i] != '"' {
			return false
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return false
		}
		key := s[i+1 : i+1+j]
		if !plainKey(key) {
			return false
		}
		i += j + 2
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start || i-start > 9 || s[start] == '0' && i-start > 1 {
			return false
		}
		v, err := strconv.ParseInt(s[start:i], 10, 64)
		if err != nil {
			return false
		}
		for _, p := range got {
			if p.k == key {
				return false // a repeated key: encoding/json keeps the last
			}
		}
		got = append(got, kv{key, v})
		switch {
		case s[i] == ',' && i+1 < len(s)-1:
			i++
		case i != len(s)-1:
			return false
		}
	}
	for _, p := range got {
		fn(p.k, p.v)
	}
	return true
}

// rankResults ranks composites within the subject's team, region and
// branch among the subjects of the same scheme: 1 is best, equal
// composites share a rank (1, 2, 2, 4); held results have none.
func rankResults(results []ResultRow, subjects []SubjectRow) {
	type key struct {
		scheme string
		unit   int64
	}
	for level := range 3 {
		groups := map[key][]int{}
		for i, sr := range subjects {
			if results[i].Composite == nil {
				continue
			}
			u := [3]int64{sr.TeamID, sr.RegionID, sr.BranchID}[level]
			if u == 0 {
				continue
			}
			k := key{sr.Scheme, u}
			groups[k] = append(groups[k], i)
		}
		for _, idx := range groups {
			slices.SortFunc(idx, func(a, b int) int { return int(*results[b].Composite - *results[a].Composite) })
			for pos, i := range idx {
				rank := pos + 1
				if pos > 0 && *results[idx[pos-1]].Composite == *results[i].Composite {
					rank = *rankAt(&results[idx[pos-1]], level)
				}
				r := rank
				switch level {
				case 0:
					results[i].RankTeam = &r
				case 1:
					results[i].RankRegion = &r
				default:
					results[i].RankBranch = &r
				}
			}
		}
	}
}

func rankAt(r *ResultRow, level int) *int {
	switch level {
	case 0:
		return r.RankTeam
	case 1:
		return r.RankRegion
	}
	return r.RankBranch
}

// EncodePoints writes entered points as the stored JSON object of item
// key → tenths, keys sorted.
func EncodePoints(p map[string]assess.Points) string {
	if len(p) == 0 {
		return "{}"
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k))
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(int64(p[k]), 10))
	}
	b.WriteByte('}')
	return b.String()
}

// DecodePoints reads what EncodePoints wrote.
func DecodePoints(s string) (map[string]assess.Points, error) {
	raw := map[string]int64{}
	if s != "" && s != "{}" {
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			return nil, fmt.Errorf("points: %w", err)
		}
	}
	out := make(map[string]assess.Points, len(raw))
	for k, v := range raw {
		out[k] = assess.Points(v)
	}
	return out, nil
}
