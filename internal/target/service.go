package target

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
)

// Store is the persistence this package needs. Personal targets and
// members are people's data: their reads take the viewer's scope as a
// required argument. Writes run inside WithTx.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Units returns the units open on asOf with their parent then.
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error)
	MetricByKey(ctx context.Context, institution int64, key string) (metric.Metric, error)
	ListMetrics(ctx context.Context, institution int64, activeOnly bool) ([]metric.Metric, error)

	// TargetMembers returns the people inside scope whose record in force
	// on asOf lies in one of units (with subtree, or anywhere below one),
	// ordered by employee number.
	TargetMembers(ctx context.Context, scope access.Scope, institution int64, units []int64, subtree bool, asOf platform.Date) ([]Member, error)
	// TargetMember returns one person inside scope with their record in
	// force on asOf, or platform.ErrNotFound.
	TargetMember(ctx context.Context, scope access.Scope, personID int64, asOf platform.Date) (Member, error)
	// Targets returns every unit target of the selection and the personal
	// targets of the people inside scope the selection places (see Selection).
	Targets(ctx context.Context, scope access.Scope, sel Selection) ([]Target, error)
	// LockTargets makes writers of one institution, period and metric
	// queue behind each other until the transaction ends, so that the
	// sum checks see every committed sibling.
	LockTargets(ctx context.Context, institution int64, period, metric string) error
	// SaveTargets inserts the targets that are new and updates the others
	// (one per institution, period, metric and subject), bumping their
	// version; it sets ID, Version and SetAt. Few statements, not one per target.
	SaveTargets(ctx context.Context, ts []*Target) error
	// DeleteTarget removes t if its stored version is still t.Version.
	DeleteTarget(ctx context.Context, t Target) error
	// TargetRules returns the stored rules of an institution by metric key.
	TargetRules(ctx context.Context, institution int64) (map[string]Rule, error)
	// SaveTargetRule stores r (insert or update), bumping its version.
	SaveTargetRule(ctx context.Context, institution int64, r *Rule) error
}

// PeriodGuard refuses writes into closed periods.
type PeriodGuard interface {
	EnsureOpen(ctx context.Context, institution int64, d platform.Date) error
}

// Service holds the target use cases.
type Service struct {
	Store   Store
	Audit   audit.Log
	Clock   platform.Clock
	Periods PeriodGuard
}

// MaxChildren bounds one decomposition request.
const MaxChildren = 5000

const maxNote = 200

// targetable reports whether units of kind k carry targets: every kind but
// channels (outlets where managers are stationed; their managers' targets
// belong to their own unit).
func targetable(k org.Kind) bool { return k != org.Channel }

// frame is one period and metric of the principal's institution: the unit
// tree on the period's first day, the rule, and what the principal sees.
type frame struct {
	p       *access.Principal
	period  platform.Period
	start   platform.Date
	metric  metric.Metric
	mode    string
	units   map[int64]*org.Unit
	kids    map[int64][]int64 // targetable child units, in id order
	top     int64
	tree    *org.Tree
	full    map[int64]bool
	context map[int64]bool
}

// load builds the frame. A write needs an active metric.
func (s *Service) load(ctx context.Context, p *access.Principal, periodKey, metricKey string, write bool, selfUnit int64) (*frame, error) {
	fs := platform.Fields{}
	per, err := platform.ParsePeriod(strings.TrimSpace(periodKey))
	if err != nil {
		fs.Add("period", "期间须为 YYYY-MM、YYYY-Qn 或 YYYY must be a period YYYY-MM, YYYY-Qn or YYYY")
	}
	metricKey = strings.TrimSpace(metricKey)
	var m metric.Metric
	if metricKey == "" {
		fs.Add("metric", "指标必填 required")
	} else {
		m, err = s.Store.MetricByKey(ctx, p.Institution, metricKey)
		switch {
		case errors.Is(err, platform.ErrNotFound):
			fs.Add("metric", fmt.Sprintf("指标 %s 不存在 unknown metric", metricKey))
		case err != nil:
			return nil, fmt.Errorf("metric %s: %w", metricKey, err)
		case write && !m.Active:
			fs.Add("metric", fmt.Sprintf("指标 %s 已停用，不能设定目标 the metric is inactive", metricKey))
		case Scale(m.Unit) == 0:
			fs.Add("metric", fmt.Sprintf("指标 %s 的单位 %s 不能设定目标 unit %s cannot carry a target", metricKey, m.Unit, m.Unit))
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	rules, err := s.Store.TargetRules(ctx, p.Institution)
	if err != nil {
		return nil, fmt.Errorf("target rules: %w", err)
	}
	f := &frame{p: p, period: per, start: per.Start(), metric: m, mode: DefaultMode(m.Unit)}
	if r, ok := rules[m.Key]; ok {
		f.mode = r.Mode
	}
	us, err := s.Store.Units(ctx, p.Institution, f.start)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	f.units = make(map[int64]*org.Unit, len(us))
	f.kids = map[int64][]int64{}
	for i := range us {
		f.units[us[i].ID] = &us[i]
	}
	for i := range us {
		u := &us[i]
		if f.units[u.ParentID] == nil {
			if f.top == 0 {
				f.top = u.ID
			}
			continue
		}
		if targetable(u.Kind) {
			f.kids[u.ParentID] = append(f.kids[u.ParentID], u.ID)
		}
	}
	f.tree = org.NewTree(us)
	f.full, f.context = f.tree.Visible(p.Scope, selfUnit)
	return f, nil
}

func (f *frame) sel(units []int64, subtree bool) Selection {
	return Selection{Institution: f.p.Institution, Period: f.period.String(), Metric: f.metric.Key, AsOf: f.start, Units: units, Subtree: subtree}
}

// parentOf returns the unit a unit's target is decomposed from, or 0.
func (f *frame) parentOf(id int64) int64 {
	u := f.units[id]
	if u == nil {
		return 0
	}
	if pu := f.units[u.ParentID]; pu != nil && targetable(pu.Kind) {
		return pu.ID
	}
	return 0
}

// placed is a subject located in the frame.
type placed struct {
	subject Subject
	name    string
	parent  int64 // the unit the subject's target is decomposed from; 0 at the top
}

// place locates the subject of a write and checks that the principal may
// set it: a unit or person they cannot see is not found; otherwise the
// unit the target is decomposed from must lie in their scope — except a
// branch's or the institution's own target, which whoever's scope covers
// the unit sets (the marketing department sets its branch's target; a
// regional manager decomposes their region's target but cannot change it).
func (s *Service) place(ctx context.Context, f *frame, sub Subject) (placed, error) {
	if sub.PersonID != 0 {
		m, err := s.Store.TargetMember(ctx, f.p.Scope, sub.PersonID, f.start)
		if err != nil {
			return placed{}, err
		}
		if !f.full[m.UnitID] {
			return placed{}, platform.ErrForbidden
		}
		return placed{subject: sub, name: m.Name + "（" + m.EmpNo + "）", parent: m.UnitID}, nil
	}
	u := f.units[sub.UnitID]
	if u == nil || (!f.full[u.ID] && !f.context[u.ID]) {
		return placed{}, platform.ErrNotFound
	}
	if !targetable(u.Kind) {
		return placed{}, platform.Invalid("unitId", "营销渠道网点不设目标，目标设在客户经理所属单位 channels carry no targets")
	}
	pl := placed{subject: sub, name: u.Name, parent: f.parentOf(u.ID)}
	owner := pl.parent
	if owner == 0 || u.Kind == org.Branch || u.Kind == org.Institution {
		owner = u.ID
	}
	if !f.full[owner] {
		return placed{}, platform.ErrForbidden
	}
	return pl, nil
}

// index holds loaded targets by subject.
type index struct {
	unit     map[int64]*Target
	person   map[int64]*Target
	byPlace  map[int64][]*Target // personal targets by the person's unit on the period start
	mismatch *Target             // a target stored in another unit than the metric's
}

func newIndex(ts []Target, unit string) *index {
	ix := &index{unit: map[int64]*Target{}, person: map[int64]*Target{}, byPlace: map[int64][]*Target{}}
	for i := range ts {
		t := &ts[i]
		t.Amount = FormatValue(t.Value, t.Unit)
		if t.Unit != unit && ix.mismatch == nil {
			ix.mismatch = t
		}
		if t.PersonID != 0 {
			ix.person[t.PersonID] = t
			ix.byPlace[t.PersonUnitID] = append(ix.byPlace[t.PersonUnitID], t)
		} else {
			ix.unit[t.UnitID] = t
		}
	}
	return ix
}

func (ix *index) get(s Subject) *Target {
	if s.PersonID != 0 {
		return ix.person[s.PersonID]
	}
	return ix.unit[s.UnitID]
}

// children sums the targets of a unit's children (targetable child units
// and the people placed directly in it), leaving out skip, and counts them.
func (ix *index) children(f *frame, unit int64, skip Subject) (sum int64, n int) {
	for _, k := range f.kids[unit] {
		if t := ix.unit[k]; t != nil && (skip.PersonID != 0 || skip.UnitID != k) {
			sum += t.Value
			n++
		}
	}
	for _, t := range ix.byPlace[unit] {
		if skip.PersonID != t.PersonID || skip.PersonID == 0 {
			sum += t.Value
			n++
		}
	}
	return sum, n
}

func (f *frame) label(unitName string) string {
	return fmt.Sprintf("%s %s %s", unitName, f.period, f.metric.NameZh)
}

func (f *frame) unitName(id int64) string {
	if u := f.units[id]; u != nil {
		return u.Name
	}
	return fmt.Sprint(id)
}

func (f *frame) exceeds(parentName string, parent, sum int64, field string) error {
	pz, pe := describe(parent, f.metric.Unit)
	sz, se := describe(sum, f.metric.Unit)
	xz, xe := describe(sum-parent, f.metric.Unit)
	return platform.Conflict("exceeds_parent", field, fmt.Sprintf(
		"下级目标合计 %s 超过上级 %s 的目标 %s，超出 %s the children would total %s, exceeding the target of %s (%s) by %s",
		sz, f.label(parentName), pz, xz, se, parentName, pe, xe))
}

func (f *frame) belowChildren(name string, value, sum int64, field string) error {
	vz, ve := describe(value, f.metric.Unit)
	sz, se := describe(sum, f.metric.Unit)
	xz, xe := describe(sum-value, f.metric.Unit)
	return platform.Conflict("below_children", field, fmt.Sprintf(
		"%s 的目标 %s 低于已分解给下级的合计 %s，差 %s the target %s of %s is below the %s already decomposed to its children, short by %s",
		f.label(name), vz, sz, xz, ve, name, se, xe))
}

func (f *frame) unitChanged(t *Target) error {
	return platform.Conflict("unit_changed", "metric", fmt.Sprintf(
		"指标 %s 的单位已改为 %s，%s 期已有以 %s 计的目标，请先清除后重新设定 the metric's unit is now %s but targets of %s are stored in %s; clear and set them again",
		f.metric.Key, f.metric.Unit, f.period, t.Unit, f.metric.Unit, f.period, t.Unit))
}

func stale(name string, current int) error {
	return platform.Conflict("stale", "version", fmt.Sprintf("%s 的目标已被他人修改（当前版本 %d），请刷新后重试 changed by someone else (now version %d); reload and retry", name, current, current))
}

// Check is a parent's decomposition: its target, the sum of its children's
// targets, what remains (parent − children) and the status.
type Check struct {
	UnitID          int64   `json:"unitId"`
	Name            string  `json:"name"`
	Target          *Target `json:"target"`
	Sum             int64   `json:"sum"`
	SumAmount       string  `json:"sumAmount"`
	Remaining       *int64  `json:"remaining"`
	RemainingAmount string  `json:"remainingAmount,omitempty"`
	Status          string  `json:"status"`
}

func (f *frame) check(ix *index, unit int64, hasChildren bool) *Check {
	if unit == 0 {
		return nil
	}
	c := &Check{UnitID: unit, Name: f.unitName(unit), Target: ix.unit[unit]}
	var n int
	c.Sum, n = ix.children(f, unit, Subject{})
	c.SumAmount = FormatValue(c.Sum, f.metric.Unit)
	if c.Target != nil {
		r := c.Target.Value - c.Sum
		c.Remaining, c.RemainingAmount = &r, FormatValue(r, f.metric.Unit)
	}
	c.Status = Status(f.mode, c.Target, hasChildren, n, c.Sum)
	return c
}

// SetInput sets one target.
type SetInput struct {
	Period   string  `json:"period"`
	Metric   string  `json:"metric"`
	UnitID   int64   `json:"unitId"`
	PersonID int64   `json:"personId"`
	Value    Decimal `json:"value"`
	Note     string  `json:"note"`
	// Version is the version the editor started from; 0 skips the check
	// (create, or overwrite whatever is there).
	Version int `json:"version"`
}

// SetResult is the target as stored and the decomposition it belongs to
// after the write (nil for a target at the top of the tree).
type SetResult struct {
	Target Target `json:"target"`
	Parent *Check `json:"parent"`
}

func checkSubject(unitID, personID int64, prefix string, fs platform.Fields) {
	switch {
	case unitID == 0 && personID == 0:
		fs.Add(prefix+"unitId", "须指定单位或人员 a unit or a person is required")
	case unitID != 0 && personID != 0:
		fs.Add(prefix+"unitId", "单位和人员只能指定其一 either a unit or a person, not both")
	case unitID < 0 || personID < 0:
		fs.Add(prefix+"unitId", "编号无效 invalid id")
	}
}

func checkNote(note *string, field string, fs platform.Fields) {
	*note = strings.TrimSpace(*note)
	if utf8.RuneCountInString(*note) > maxNote {
		fs.Add(field, "备注最多 200 字 at most 200 characters")
	}
}

// Set sets one target. Children of its parent may not exceed the parent's
// target, nor may it go below what is already decomposed to its own
// children; under the exact rule a decomposition that does not add up yet
// is accepted and reported incomplete in the result.
func (s *Service) Set(ctx context.Context, in SetInput) (SetResult, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.TargetManage) {
		return SetResult{}, platform.ErrForbidden
	}
	fs := platform.Fields{}
	checkSubject(in.UnitID, in.PersonID, "", fs)
	checkNote(&in.Note, "note", fs)
	if err := fs.Err(); err != nil {
		return SetResult{}, err
	}
	f, err := s.load(ctx, p, in.Period, in.Metric, true, 0)
	if err != nil {
		return SetResult{}, err
	}
	value, err := ParseValue(string(in.Value), f.metric.Unit)
	if err != nil {
		return SetResult{}, platform.Invalid("value", err.Error())
	}
	if err := s.Periods.EnsureOpen(ctx, p.Institution, f.start); err != nil {
		return SetResult{}, err
	}
	sub := Subject{UnitID: in.UnitID, PersonID: in.PersonID}
	var out SetResult
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.LockTargets(ctx, p.Institution, f.period.String(), f.metric.Key); err != nil {
			return err
		}
		pl, err := s.place(ctx, f, sub)
		if err != nil {
			return err
		}
		var places []int64
		if pl.parent != 0 {
			places = append(places, pl.parent)
		}
		if !sub.IsPerson() {
			places = append(places, sub.UnitID)
		}
		ts, err := s.Store.Targets(ctx, p.Scope, f.sel(places, false))
		if err != nil {
			return fmt.Errorf("targets: %w", err)
		}
		ix := newIndex(ts, f.metric.Unit)
		if ix.mismatch != nil {
			return f.unitChanged(ix.mismatch)
		}
		old := ix.get(sub)
		if old != nil && in.Version != 0 && in.Version != old.Version {
			return stale(pl.name, old.Version)
		}
		if f.mode != ModeIndependent {
			if pt := ix.unit[pl.parent]; pl.parent != 0 && pt != nil {
				siblings, _ := ix.children(f, pl.parent, sub)
				if siblings+value > pt.Value {
					return f.exceeds(f.unitName(pl.parent), pt.Value, siblings+value, "value")
				}
			}
			if !sub.IsPerson() {
				if sum, n := ix.children(f, sub.UnitID, Subject{}); n > 0 && sum > value {
					return f.belowChildren(pl.name, value, sum, "value")
				}
			}
		}
		t := &Target{Institution: p.Institution, Period: f.period.String(), Metric: f.metric.Key, Subject: sub,
			Unit: f.metric.Unit, Value: value, Note: in.Note, SetBy: p.Username, SetByID: p.UserID}
		if old != nil && old.Value == value && old.Note == in.Note {
			t = old // nothing changes: no new version, no audit entry
		} else {
			if err := s.Store.SaveTargets(ctx, []*Target{t}); err != nil {
				return err
			}
			t.Amount = FormatValue(t.Value, t.Unit)
			if sub.IsPerson() {
				t.PersonUnitID = pl.parent
				ix.byPlace[pl.parent] = slices.DeleteFunc(ix.byPlace[pl.parent], func(x *Target) bool { return x.PersonID == sub.PersonID })
				ix.byPlace[pl.parent] = append(ix.byPlace[pl.parent], t)
				ix.person[sub.PersonID] = t
			} else {
				ix.unit[sub.UnitID] = t
			}
			if err := s.Audit.Record(ctx, audit.Change{Action: "target.set", ObjectType: "target", ObjectID: objectID(f, sub),
				UnitID: auditUnit(sub, pl), Before: auditValue(old), After: auditValue(t), Reason: in.Note}); err != nil {
				return err
			}
		}
		out = SetResult{Target: *t, Parent: f.check(ix, pl.parent, true)}
		return nil
	})
	if err != nil {
		return SetResult{}, err
	}
	return out, nil
}

func objectID(f *frame, sub Subject) string {
	return f.period.String() + "/" + f.metric.Key + "/" + sub.Key()
}

// auditUnit is the unit an audit entry belongs to: the unit itself, or
// the unit of the person on the period's first day.
func auditUnit(sub Subject, pl placed) int64 {
	if sub.IsPerson() {
		return pl.parent
	}
	return sub.UnitID
}

func auditValue(t *Target) any {
	if t == nil {
		return nil
	}
	return map[string]any{"value": t.Value, "amount": FormatValue(t.Value, t.Unit), "unit": t.Unit, "note": t.Note}
}

// ChildValue is one child's target in a decomposition.
type ChildValue struct {
	UnitID   int64   `json:"unitId,omitempty"`
	PersonID int64   `json:"personId,omitempty"`
	Value    Decimal `json:"value"`
	Note     string  `json:"note"`
	Version  int     `json:"version"`
}

// DecomposeInput writes the targets of a parent's children in one go.
type DecomposeInput struct {
	Period       string       `json:"period"`
	Metric       string       `json:"metric"`
	ParentUnitID int64        `json:"parentUnitId"`
	Children     []ChildValue `json:"children"`
	// Even splits the parent's target evenly over Children (their values
	// are ignored), or over every direct child when Children is empty.
	Even bool `json:"even"`
	// Note is the note of children that bring none.
	Note string `json:"note"`
	// DryRun checks and computes everything but writes nothing.
	DryRun bool `json:"dryRun"`
}

// Decomposition is a parent's decomposition after a Decompose: the check
// and every direct child's target (those not in the request included).
type Decomposition struct {
	Check
	Children []Target `json:"children"`
	Written  int      `json:"written"`
	DryRun   bool     `json:"dryRun"`
}

// Decompose sets the targets of some or all of a unit's direct children
// (as of the period's first day: its child units and the people whose
// record then is in it) in one transaction — all of them or none. Children
// not listed keep their targets and count towards the sum.
func (s *Service) Decompose(ctx context.Context, in DecomposeInput) (Decomposition, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.TargetManage) {
		return Decomposition{}, platform.ErrForbidden
	}
	fs := platform.Fields{}
	if in.ParentUnitID <= 0 {
		fs.Add("parentUnitId", "上级单位必填 required")
	}
	if len(in.Children) == 0 && !in.Even {
		fs.Add("children", "至少指定一个下级 at least one child is required")
	}
	if len(in.Children) > MaxChildren {
		fs.Add("children", fmt.Sprintf("一次最多 %d 个下级 at most %d children at once", MaxChildren, MaxChildren))
	}
	checkNote(&in.Note, "note", fs)
	seen := map[Subject]int{}
	for i := range in.Children {
		c := &in.Children[i]
		pre := fmt.Sprintf("children[%d].", i)
		checkSubject(c.UnitID, c.PersonID, pre, fs)
		checkNote(&c.Note, pre+"note", fs)
		sub := Subject{UnitID: c.UnitID, PersonID: c.PersonID}
		if j, dup := seen[sub]; dup {
			fs.Add(pre+"unitId", fmt.Sprintf("与第 %d 项重复 duplicate of item %d", j+1, j+1))
		}
		seen[sub] = i
	}
	if err := fs.Err(); err != nil {
		return Decomposition{}, err
	}
	f, err := s.load(ctx, p, in.Period, in.Metric, true, 0)
	if err != nil {
		return Decomposition{}, err
	}
	values := make([]int64, len(in.Children))
	if !in.Even {
		for i, c := range in.Children {
			v, err := ParseValue(string(c.Value), f.metric.Unit)
			if err != nil {
				fs.Add(fmt.Sprintf("children[%d].value", i), err.Error())
			}
			values[i] = v
		}
		if err := fs.Err(); err != nil {
			return Decomposition{}, err
		}
	}
	if err := s.Periods.EnsureOpen(ctx, p.Institution, f.start); err != nil {
		return Decomposition{}, err
	}
	var out Decomposition
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if !in.DryRun {
			if err := s.Store.LockTargets(ctx, p.Institution, f.period.String(), f.metric.Key); err != nil {
				return err
			}
		}
		var err error
		out, err = s.decompose(ctx, f, in, values)
		return err
	})
	if err != nil {
		return Decomposition{}, err
	}
	return out, nil
}

func (s *Service) decompose(ctx context.Context, f *frame, in DecomposeInput, values []int64) (Decomposition, error) {
	p := f.p
	parent := f.units[in.ParentUnitID]
	switch {
	case parent == nil || (!f.full[parent.ID] && !f.context[parent.ID]):
		return Decomposition{}, platform.ErrNotFound
	case !f.full[parent.ID]:
		return Decomposition{}, platform.ErrForbidden
	case !targetable(parent.Kind):
		return Decomposition{}, platform.Invalid("parentUnitId", "营销渠道网点不设目标 channels carry no targets")
	}
	members, err := s.Store.TargetMembers(ctx, p.Scope, p.Institution, []int64{parent.ID}, false, f.start)
	if err != nil {
		return Decomposition{}, fmt.Errorf("members: %w", err)
	}
	memberOf := make(map[int64]Member, len(members))
	for _, m := range members {
		memberOf[m.PersonID] = m
	}
	kids := f.kids[parent.ID]
	children := in.Children
	if in.Even && len(children) == 0 {
		for _, k := range kids {
			children = append(children, ChildValue{UnitID: k})
		}
		for _, m := range members {
			if m.Status != people.StatusTerminated {
				children = append(children, ChildValue{PersonID: m.PersonID})
			}
		}
		if len(children) == 0 {
			return Decomposition{}, platform.Invalid("children", fmt.Sprintf("%s 没有可分解的下级 has no children to decompose to", parent.Name))
		}
		values = make([]int64, len(children))
	}
	fs := platform.Fields{}
	places := []int64{parent.ID}
	names := make([]string, len(children))
	for i, c := range children {
		switch {
		case c.PersonID != 0:
			m, ok := memberOf[c.PersonID]
			if !ok {
				fs.Add(fmt.Sprintf("children[%d].personId", i), fmt.Sprintf("该人员 %s 期初不在 %s is not in %s at the start of %s", f.period, parent.Name, parent.Name, f.period))
			}
			names[i] = m.Name + "（" + m.EmpNo + "）"
		case slices.Contains(kids, c.UnitID):
			places = append(places, c.UnitID)
			names[i] = f.unitName(c.UnitID)
		default:
			fs.Add(fmt.Sprintf("children[%d].unitId", i), fmt.Sprintf("不是 %s 的直属下级单位 not a direct child unit of %s", parent.Name, parent.Name))
		}
	}
	if err := fs.Err(); err != nil {
		return Decomposition{}, err
	}
	ts, err := s.Store.Targets(ctx, p.Scope, f.sel(places, false))
	if err != nil {
		return Decomposition{}, fmt.Errorf("targets: %w", err)
	}
	ix := newIndex(ts, f.metric.Unit)
	if ix.mismatch != nil {
		return Decomposition{}, f.unitChanged(ix.mismatch)
	}
	pt := ix.unit[parent.ID]
	if in.Even {
		if pt == nil {
			return Decomposition{}, platform.Invalid("even", fmt.Sprintf("%s 尚无目标，无法平均分解 has no target to split", f.label(parent.Name)))
		}
		if values, err = EvenSplit(pt.Value, len(children)); err != nil {
			return Decomposition{}, platform.Invalid("even", err.Error())
		}
	}
	// The sum after the write: listed children at their new values, the others as they are.
	listed := make(map[Subject]bool, len(children))
	var sum int64
	for i, c := range children {
		sub := Subject{UnitID: c.UnitID, PersonID: c.PersonID}
		listed[sub] = true
		sum += values[i]
		old := ix.get(sub)
		if old != nil && c.Version != 0 && c.Version != old.Version {
			return Decomposition{}, stale(names[i], old.Version)
		}
		if f.mode != ModeIndependent && c.UnitID != 0 {
			if below, n := ix.children(f, c.UnitID, Subject{}); n > 0 && below > values[i] {
				return Decomposition{}, f.belowChildren(names[i], values[i], below, fmt.Sprintf("children[%d].value", i))
			}
		}
	}
	for _, k := range kids {
		if t := ix.unit[k]; t != nil && !listed[Subject{UnitID: k}] {
			sum += t.Value
		}
	}
	for _, t := range ix.byPlace[parent.ID] {
		if !listed[Subject{PersonID: t.PersonID}] {
			sum += t.Value
		}
	}
	if f.mode != ModeIndependent && pt != nil && sum > pt.Value {
		return Decomposition{}, f.exceeds(parent.Name, pt.Value, sum, "children")
	}
	var writes []*Target
	type change struct {
		Subject string `json:"subject"`
		Name    string `json:"name"`
		Before  any    `json:"before"`
		After   any    `json:"after"`
	}
	var changes []change
	for i, c := range children {
		sub := Subject{UnitID: c.UnitID, PersonID: c.PersonID}
		note := c.Note
		if note == "" {
			note = in.Note
		}
		old := ix.get(sub)
		if old != nil && old.Value == values[i] && old.Note == note {
			continue
		}
		t := &Target{Institution: p.Institution, Period: f.period.String(), Metric: f.metric.Key, Subject: sub,
			Unit: f.metric.Unit, Value: values[i], Note: note, SetBy: p.Username, SetByID: p.UserID, Amount: FormatValue(values[i], f.metric.Unit)}
		if old != nil {
			t.ID, t.Version, t.SetAt = old.ID, old.Version, old.SetAt
		}
		if sub.IsPerson() {
			t.PersonUnitID = parent.ID
		}
		writes = append(writes, t)
		changes = append(changes, change{Subject: sub.Key(), Name: names[i], Before: auditValue(old), After: auditValue(t)})
	}
	if !in.DryRun && len(writes) > 0 {
		if err := s.Store.SaveTargets(ctx, writes); err != nil {
			return Decomposition{}, err
		}
		if err := s.Audit.Record(ctx, audit.Change{Action: "target.decompose", ObjectType: "target",
			ObjectID: objectID(f, Subject{UnitID: parent.ID}), UnitID: parent.ID,
			Before: map[string]any{"parent": auditValue(pt)}, After: map[string]any{"children": changes}, Reason: in.Note}); err != nil {
			return Decomposition{}, err
		}
	}
	for _, t := range writes {
		if t.PersonID != 0 {
			ix.byPlace[parent.ID] = slices.DeleteFunc(ix.byPlace[parent.ID], func(x *Target) bool { return x.PersonID == t.PersonID })
			ix.byPlace[parent.ID] = append(ix.byPlace[parent.ID], t)
			ix.person[t.PersonID] = t
		} else {
			ix.unit[t.UnitID] = t
		}
	}
	out := Decomposition{Check: *f.check(ix, parent.ID, true), Written: len(writes), DryRun: in.DryRun}
	for _, k := range kids {
		if t := ix.unit[k]; t != nil {
			out.Children = append(out.Children, *t)
		}
	}
	for _, m := range members {
		if t := ix.person[m.PersonID]; t != nil {
			out.Children = append(out.Children, *t)
		}
	}
	return out, nil
}

// DeleteInput removes one target.
type DeleteInput struct {
	Period   string `json:"period"`
	Metric   string `json:"metric"`
	UnitID   int64  `json:"unitId"`
	PersonID int64  `json:"personId"`
	Version  int    `json:"version"`
	Reason   string `json:"reason"`
}

// Delete removes a target. A target whose children still have targets is
// kept: clear (or re-decompose) the children first, so that no
// decomposition is left without its parent by accident.
func (s *Service) Delete(ctx context.Context, in DeleteInput) error {
	p := access.FromContext(ctx)
	if !p.Can(access.TargetManage) {
		return platform.ErrForbidden
	}
	fs := platform.Fields{}
	checkSubject(in.UnitID, in.PersonID, "", fs)
	checkNote(&in.Reason, "reason", fs)
	if err := fs.Err(); err != nil {
		return err
	}
	f, err := s.load(ctx, p, in.Period, in.Metric, false, 0)
	if err != nil {
		return err
	}
	if err := s.Periods.EnsureOpen(ctx, p.Institution, f.start); err != nil {
		return err
	}
	sub := Subject{UnitID: in.UnitID, PersonID: in.PersonID}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.LockTargets(ctx, p.Institution, f.period.String(), f.metric.Key); err != nil {
			return err
		}
		pl, err := s.place(ctx, f, sub)
		if err != nil {
			return err
		}
		var places []int64
		if !sub.IsPerson() {
			places = []int64{sub.UnitID}
		} else {
			places = []int64{pl.parent}
		}
		ts, err := s.Store.Targets(ctx, p.Scope, f.sel(places, false))
		if err != nil {
			return fmt.Errorf("targets: %w", err)
		}
		ix := newIndex(ts, f.metric.Unit)
		old := ix.get(sub)
		if old == nil {
			return platform.ErrNotFound
		}
		if in.Version != 0 && in.Version != old.Version {
			return stale(pl.name, old.Version)
		}
		if !sub.IsPerson() {
			if _, n := ix.children(f, sub.UnitID, Subject{}); n > 0 {
				return platform.Conflict("has_children", "", fmt.Sprintf("%s 已分解给 %d 个下级，请先清除下级目标 is decomposed to %d children; clear their targets first", f.label(pl.name), n, n))
			}
		}
		if err := s.Store.DeleteTarget(ctx, *old); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "target.delete", ObjectType: "target", ObjectID: objectID(f, sub),
			UnitID: auditUnit(sub, pl), Before: auditValue(old), Reason: in.Reason})
	})
}

// Rules returns the decomposition rule of every active metric of the
// institution (the default where none is stored).
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.TargetRead) {
		return nil, platform.ErrForbidden
	}
	ms, err := s.Store.ListMetrics(ctx, p.Institution, true)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	stored, err := s.Store.TargetRules(ctx, p.Institution)
	if err != nil {
		return nil, fmt.Errorf("target rules: %w", err)
	}
	out := make([]Rule, 0, len(ms))
	for _, m := range ms {
		r, ok := stored[m.Key]
		if !ok {
			r = Rule{Metric: m.Key, Mode: DefaultMode(m.Unit), Default: true}
		}
		out = append(out, r)
	}
	return out, nil
}

// RuleInput changes a metric's decomposition rule.
type RuleInput struct {
	Mode string `json:"mode"`
	// Version is the version the editor started from (0 for a default
	// rule, or to skip the check).
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// SetRule sets a metric's decomposition rule. The rule is metric
// configuration of the whole institution: it needs target:manage and
// metric:manage. It only changes how decompositions are reported — every
// stored decomposition stays valid, since no mode allows children above
// their parent.
func (s *Service) SetRule(ctx context.Context, metricKey string, in RuleInput) (Rule, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.TargetManage) || !p.Can(access.MetricManage) {
		return Rule{}, platform.ErrForbidden
	}
	fs := platform.Fields{}
	in.Mode = strings.TrimSpace(in.Mode)
	if !slices.Contains(Modes(), in.Mode) {
		fs.Add("mode", "规则须为 at_most（不超过）、exact（恰好等于）或 independent（不汇总校验）must be at_most, exact or independent")
	}
	checkNote(&in.Reason, "reason", fs)
	if err := fs.Err(); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.Store.MetricByKey(ctx, p.Institution, strings.TrimSpace(metricKey))
		if err != nil {
			return err
		}
		rules, err := s.Store.TargetRules(ctx, p.Institution)
		if err != nil {
			return fmt.Errorf("target rules: %w", err)
		}
		before, ok := rules[m.Key]
		if !ok {
			before = Rule{Metric: m.Key, Mode: DefaultMode(m.Unit), Default: true}
		}
		if in.Version != 0 && in.Version != before.Version {
			return platform.Conflict("stale", "version", fmt.Sprintf("指标 %s 的分解规则已被他人修改（当前版本 %d），请刷新后重试 changed by someone else (now version %d); reload and retry", m.Key, before.Version, before.Version))
		}
		if before.Mode == in.Mode && !before.Default {
			out = before
			return nil
		}
		r := Rule{Metric: m.Key, Mode: in.Mode, Version: before.Version, UpdatedBy: p.Username}
		if err := s.Store.SaveTargetRule(ctx, p.Institution, &r); err != nil {
			return err
		}
		out = r
		return s.Audit.Record(ctx, audit.Change{Action: "target.rule", ObjectType: "target_rule", ObjectID: m.Key,
			Before: before, After: r, Reason: in.Reason})
	})
	return out, err
}
