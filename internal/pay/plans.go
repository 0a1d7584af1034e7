package pay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"cmhub/internal/platform"
	"cmhub/presets"
)

// FromPreset compiles the pay plans of a loaded preset against its
// metric catalogue and positions dictionary. The preset's plans have the
// JSON shape of Plan, so they are decoded through JSON, refusing any field
// this package does not know. Field errors are named from the preset
// ("payPlans.0.components.commission.formula").
func FromPreset(p *presets.Preset) ([]*Compiled, error) {
	b, err := json.Marshal(p.PayPlans)
	if err != nil {
		return nil, fmt.Errorf("preset %s: payPlans: %w", p.Code, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var plans []Plan
	if err := dec.Decode(&plans); err != nil {
		return nil, fmt.Errorf("preset %s: payPlans: %w", p.Code, err)
	}
	names := Names{Positions: []string{}}
	for _, m := range p.Metrics {
		names.Metrics = append(names.Metrics, m.Key)
	}
	for _, it := range p.Dicts["positions"] {
		names.Positions = append(names.Positions, it.Code)
	}
	f := platform.Fields{}
	out := make([]*Compiled, 0, len(plans))
	for i, pl := range plans {
		c, err := Compile(pl, names)
		var ve *platform.ValidationError
		switch {
		case errors.As(err, &ve):
			for k, v := range ve.Fields {
				f.Add("payPlans."+strconv.Itoa(i)+"."+k, v)
			}
		case err != nil:
			return nil, fmt.Errorf("preset %s: payPlans.%d: %w", p.Code, i, err)
		default:
			out = append(out, c)
		}
	}
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", p.Code, err)
	}
	if err := CheckVersions(out); err != nil {
		return nil, fmt.Errorf("preset %s: %w", p.Code, err)
	}
	return out, nil
}

// CheckVersions checks the versions of a set of plans: each key's
// versions are unique and a later version never takes effect before an
// earlier one (otherwise which applies in between would depend on more
// than the month).
func CheckVersions(plans []*Compiled) error {
	f := platform.Fields{}
	for i, a := range plans {
		for _, b := range plans[i+1:] {
			if a.Key() != b.Key() {
				continue
			}
			lo, hi := a, b
			if hi.Version() < lo.Version() {
				lo, hi = hi, lo
			}
			switch {
			case lo.Version() == hi.Version():
				f.Add("versions."+a.Key(), fmt.Sprintf("方案 %s 的版本 %d 重复 plan %s has version %d twice", a.Key(), a.Version(), a.Key(), a.Version()))
			case earlier(hi.from, lo.from):
				f.Add("versions."+a.Key(), fmt.Sprintf("方案 %s 的版本 %d 不能早于版本 %d 生效 version %d of plan %s cannot take effect before version %d",
					a.Key(), hi.Version(), lo.Version(), hi.Version(), a.Key(), lo.Version()))
			}
		}
	}
	return f.Err()
}

// earlier reports whether month a is before month b.
func earlier(a, b platform.Period) bool { return a.Year < b.Year || (a.Year == b.Year && a.N < b.N) }

// ErrNoPlan is returned by Select when no plan is in effect.
var ErrNoPlan = errors.New("没有适用的薪酬方案 no pay plan applies")

// Select returns the plan version in effect for a position in a month:
// per key the version with the latest effective month not after the
// month (the higher version on a tie), if it covers the position. Two
// plans of different keys in effect for one position is an error, as
// the pay would depend on the order they are listed in.
func Select(plans []*Compiled, position, month string) (*Compiled, error) {
	m, err := platform.ParsePeriod(month)
	if err != nil || m.Kind != platform.Month {
		return nil, fmt.Errorf("month %q: %w", month, platform.ErrBadPeriod)
	}
	current := map[string]*Compiled{}
	var keys []string
	for _, c := range plans {
		if earlier(m, c.from) {
			continue
		}
		cur, ok := current[c.Key()]
		if !ok {
			keys = append(keys, c.Key())
		}
		if !ok || earlier(cur.from, c.from) || (cur.from == c.from && c.Version() > cur.Version()) {
			current[c.Key()] = c
		}
	}
	var found *Compiled
	for _, k := range keys {
		c := current[k]
		if !c.AppliesTo(position) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("岗位 %s 在 %s 同时适用方案 %s 和 %s position %s has two plans in %s: %s and %s",
				position, month, found.Key(), c.Key(), position, month, found.Key(), c.Key())
		}
		found = c
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s %s", ErrNoPlan, position, month)
	}
	return found, nil
}

// Change is one line of a what-if comparison, in fen.
type Change struct {
	Key       string `json:"key"`
	NameZh    string `json:"nameZh"`
	NameEn    string `json:"nameEn"`
	BeforeFen int64  `json:"beforeFen"`
	AfterFen  int64  `json:"afterFen"`
	DeltaFen  int64  `json:"deltaFen"`
}

// Comparison is a person's statement under two plan versions (a draft
// run against a locked month, issue 5 §8).
type Comparison struct {
	Changes      []Change `json:"changes"` // paid lines that differ, in the new statement's order, then removed ones
	NetBeforeFen int64    `json:"netBeforeFen"`
	NetAfterFen  int64    `json:"netAfterFen"`
	NetDeltaFen  int64    `json:"netDeltaFen"`
}

// Compare compares two statements of one person and month by component
// key; info lines are not paid and not compared.
func Compare(before, after *Statement) Comparison {
	out := Comparison{NetBeforeFen: before.NetFen, NetAfterFen: after.NetFen, NetDeltaFen: after.NetFen - before.NetFen}
	old := map[string]*Line{}
	for i := range before.Lines {
		if l := &before.Lines[i]; l.Kind != KindInfo && l.Kind != KindAdjustment {
			old[l.Key] = l
		}
	}
	seen := map[string]bool{}
	for _, l := range after.Lines {
		if l.Kind == KindInfo || l.Kind == KindAdjustment {
			continue
		}
		seen[l.Key] = true
		ch := Change{Key: l.Key, NameZh: l.NameZh, NameEn: l.NameEn, AfterFen: signed(&l)}
		if o := old[l.Key]; o != nil {
			ch.BeforeFen = signed(o)
		}
		if ch.DeltaFen = ch.AfterFen - ch.BeforeFen; ch.DeltaFen != 0 {
			out.Changes = append(out.Changes, ch)
		}
	}
	for i := range before.Lines {
		l := &before.Lines[i]
		if l.Kind == KindInfo || l.Kind == KindAdjustment || seen[l.Key] {
			continue
		}
		seen[l.Key] = true
		ch := Change{Key: l.Key, NameZh: l.NameZh, NameEn: l.NameEn, BeforeFen: signed(l), DeltaFen: -signed(l)}
		if ch.DeltaFen != 0 {
			out.Changes = append(out.Changes, ch)
		}
	}
	return out
}

// signed is a line's effect on the net pay: deductions count negative.
func signed(l *Line) int64 {
	if l.Kind == KindDeduction {
		return -l.Fen
	}
	return l.Fen
}
