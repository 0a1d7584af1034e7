package assess

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"cmhub/internal/platform"
	"cmhub/presets"
)

// PresetRules is the assessment part of a preset, fully checked.
type PresetRules struct {
	Rules      *Rules
	WeightSets []WeightSet
	Outcomes   OutcomeRules
	GradeRules []GradeRule
	// Ladder is the preset's "grades" dictionary, nil when it has none.
	Ladder *Ladder
}

// FromPreset reads and checks the assessment sections of a loaded
// preset: templates compiled (formulas included), schemes checked against
// them, KPI weight sets, outcome and grade rules. The preset's sections
// have the JSON shape of this package's types, so they are decoded
// through JSON, refusing any field this package does not know.
func FromPreset(p *presets.Preset) (*PresetRules, error) {
	var (
		templates []Template
		schemes   []Scheme
		out       PresetRules
	)
	for _, c := range []struct {
		name     string
		from, to any
	}{
		{"scorecards", p.Scorecards, &templates},
		{"raterWeights", p.RaterWeights, &schemes},
		{"kpiWeights", p.KPIWeights, &out.WeightSets},
		{"outcomeRules", p.OutcomeRules, &out.Outcomes},
		{"gradeReview", p.GradeReview, &out.GradeRules},
	} {
		if err := recode(c.from, c.to); err != nil {
			return nil, fmt.Errorf("preset %s: %s: %w", p.Code, c.name, err)
		}
	}
	f := platform.Fields{}
	rules, err := NewRules(templates, schemes)
	if err != nil {
		addAll(f, "", err)
	}
	out.Rules = rules
	for i := range out.WeightSets {
		w := &out.WeightSets[i]
		errs := w.Validate()
		for _, k := range slices.Sorted(maps.Keys(errs)) {
			f.Add("kpiWeights."+fieldKey(w.Key, i)+"."+k, errs[k])
		}
	}
	if items := p.Dicts["grades"]; len(items) > 0 {
		grades := make([]Grade, len(items))
		for i, it := range items {
			grades[i] = Grade{Code: it.Code, Zh: it.Zh, En: it.En, Rank: it.Rank}
		}
		l, err := NewLadder(grades)
		if err != nil {
			addAll(f, "grades.", err)
		}
		out.Ladder = l
	}
	for k, v := range CheckConsequences(rules, out.Outcomes, out.GradeRules, out.Ladder) {
		f[k] = v
	}
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", p.Code, err)
	}
	return &out, nil
}

// recode copies a preset section into this package's types through JSON.
func recode(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(to)
}

// tieItemKnown reports whether some template used for the star positions
// has the tie item.
func tieItemKnown(r *Rules, s *StarRule) bool {
	for _, sch := range r.schemes {
		if !slices.ContainsFunc(sch.Positions, func(p string) bool { return slices.Contains(s.Positions, p) }) {
			continue
		}
		if sc := r.scorecards[sch.Template]; sc != nil {
			if _, ok := sc.index[s.TieItem]; ok {
				return true
			}
		}
	}
	return false
}

// CheckConsequences checks outcome and grade-review rules against the
// templates they refer to and the grade ladder: every rule's parameters,
// the star rule's tie item, one grade rule per cycle kind, and a ladder
// when there is any grade rule. Fields are named as in a preset.
func CheckConsequences(rules *Rules, o OutcomeRules, grades []GradeRule, ladder *Ladder) platform.Fields {
	f := platform.Fields{}
	errs := o.Validate()
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		f.Add("outcomeRules."+k, errs[k])
	}
	if s := o.Star; s != nil && rules != nil && !tieItemKnown(rules, s) {
		f.Add("outcomeRules.starCm.tieItem", fmt.Sprintf("结果规则 starCm.tieItem：适用岗位的考核表没有考核项 %s outcome rule starCm.tieItem: the eligible positions' templates have no item %s", s.TieItem, s.TieItem))
	}
	cycles := map[platform.PeriodKind]bool{}
	for _, g := range grades {
		errs := g.Validate()
		for _, k := range slices.Sorted(maps.Keys(errs)) {
			f.Add("gradeReview."+string(g.Cycle)+"."+k, errs[k])
		}
		if cycles[g.Cycle] {
			f.Add("gradeReview."+string(g.Cycle), fmt.Sprintf("等级评定规则 %s 重复 grade rule %s is listed twice", g.Cycle, g.Cycle))
		}
		cycles[g.Cycle] = true
	}
	if len(grades) > 0 && ladder == nil {
		f.Add("gradeReview", "等级评定规则需要等级字典 grades the grade review needs a grades dictionary")
	}
	return f
}
