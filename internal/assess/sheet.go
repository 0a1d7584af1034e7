package assess

import (
	"fmt"
	"maps"
	"slices"

	"cmhub/internal/platform"
)

// ItemPoints is one item of a scored sheet and how its points came about.
type ItemPoints struct {
	Key    string `json:"key"`
	Points Points `json:"points"`
	// For a computed item: the formula, the inputs it used, and whether
	// its result lay outside 0…max and was bounded.
	Computed bool               `json:"computed,omitempty"`
	Formula  string             `json:"formula,omitempty"`
	Inputs   map[string]float64 `json:"inputs,omitempty"`
	Clamped  bool               `json:"clamped,omitempty"`
}

// SheetScore is a complete sheet: every item's points and the total.
type SheetScore struct {
	Template string       `json:"template"`
	Version  int          `json:"version"`
	Items    []ItemPoints `json:"items"`
	Total    Points       `json:"total"`
}

// ComputeItems computes the template's computed items for one subject
// from its inputs (see Inputs). They are the same on every sheet of the
// subject, so they are computed once. An item that cannot be computed is
// an error wrapping ErrNoValue that names the template and item.
func (sc *Scorecard) ComputeItems(inputs map[string]float64) ([]ItemPoints, error) {
	var out []ItemPoints
	for i, it := range sc.t.Items {
		f := sc.formulas[it.Key]
		if f == nil {
			continue
		}
		p, clamped, err := f.points(it.Max, inputs)
		if err != nil {
			iz, ie := sc.t.itemLabel(i)
			return nil, fmt.Errorf("%s %s: %w", iz, ie, err)
		}
		used := make(map[string]float64, len(f.Inputs))
		for _, in := range f.Inputs {
			used[in] = inputs[in]
		}
		out = append(out, ItemPoints{Key: it.Key, Points: p, Computed: true, Formula: f.Text, Inputs: used, Clamped: clamped})
	}
	return out, nil
}

// Check checks the points a rater has entered so far (a draft): every key
// a rated item of the template, every value within 0…max. Items not yet
// entered are allowed.
func (sc *Scorecard) Check(entered map[string]Points) error {
	return sc.check(entered, false).Err()
}

func (sc *Scorecard) check(entered map[string]Points, complete bool) platform.Fields {
	f := platform.Fields{}
	tz, te := sc.t.label()
	for _, k := range slices.Sorted(maps.Keys(entered)) {
		i, ok := sc.index[k]
		if !ok {
			f.Add("points."+k, fmt.Sprintf("%s 没有考核项 %s %s has no item %s", tz, k, te, k))
			continue
		}
		it := sc.t.Items[i]
		iz, ie := sc.t.itemLabel(i)
		if it.Kind == KindComputed {
			f.Add("points."+k, fmt.Sprintf("%s 由公式计算，不能录入 %s is computed and cannot be entered", iz, ie))
			continue
		}
		if p := entered[k]; p < 0 || p > Whole(it.Max) {
			f.Add("points."+k, fmt.Sprintf("%s：得分须在 0–%d 之间，现为 %s %s: points must be within 0–%d, got %s", iz, it.Max, p, ie, it.Max, p))
		}
	}
	if complete {
		for i, it := range sc.t.Items {
			if _, ok := entered[it.Key]; !ok && it.Kind == KindRated {
				iz, ie := sc.t.itemLabel(i)
				f.Add("points."+it.Key, fmt.Sprintf("%s 未评分 %s has no points", iz, ie))
			}
		}
	}
	return f
}

// Score checks a complete sheet — every rated item entered within 0…max,
// nothing else — adds the computed items (from ComputeItems) and totals
// it exactly in tenths.
func (sc *Scorecard) Score(entered map[string]Points, computed []ItemPoints) (SheetScore, error) {
	f := sc.check(entered, true)
	byKey := make(map[string]ItemPoints, len(computed))
	for _, c := range computed {
		byKey[c.Key] = c
	}
	out := SheetScore{Template: sc.t.Key, Version: sc.t.Version, Items: make([]ItemPoints, 0, len(sc.t.Items))}
	for i, it := range sc.t.Items {
		if it.Kind == KindRated {
			p := entered[it.Key]
			out.Items = append(out.Items, ItemPoints{Key: it.Key, Points: p})
			out.Total += p
			continue
		}
		c, ok := byKey[it.Key]
		if !ok || c.Points < 0 || c.Points > Whole(it.Max) {
			iz, ie := sc.t.itemLabel(i)
			f.Add("points."+it.Key, fmt.Sprintf("%s 缺少计算结果 %s has no computed points", iz, ie))
			continue
		}
		out.Items = append(out.Items, c)
		out.Total += c.Points
	}
	if err := f.Err(); err != nil {
		return SheetScore{}, err
	}
	return out, nil
}
