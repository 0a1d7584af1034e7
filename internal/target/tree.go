package target

import (
	"context"
	"errors"
	"fmt"

	"cmhub/internal/access"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
)

// TreeQuery asks for the targets of one period and metric from a unit down.
type TreeQuery struct {
	Period string `json:"period"`
	Metric string `json:"metric"`
	// RootUnitID is the unit to start from; 0 starts from the top of the
	// organisation.
	RootUnitID int64 `json:"rootUnitId"`
	// Depth is how many levels below the root to return; 0 returns all.
	Depth int `json:"depth"`
}

// Node types.
const (
	NodeUnit   = "unit"
	NodePerson = "person"
)

// Node is a unit or a person in the target tree.
type Node struct {
	Type     string   `json:"type"`
	UnitID   int64    `json:"unitId,omitempty"`
	UnitKind org.Kind `json:"unitKind,omitempty"`
	Code     string   `json:"code,omitempty"`
	PersonID int64    `json:"personId,omitempty"`
	EmpNo    string   `json:"empNo,omitempty"`
	Name     string   `json:"name"`
	// Context marks a unit shown only as the way down to what the viewer
	// may see: its own target, but neither its breakdown nor its other children.
	Context bool    `json:"context,omitempty"`
	Target  *Target `json:"target"`
	// The sum of the children's targets, parent − children, and the check
	// status, for units the viewer sees in full that have a target or a
	// child with one (never for independent metrics).
	ChildrenSum       *int64  `json:"childrenSum,omitempty"`
	ChildrenSumAmount string  `json:"childrenSumAmount,omitempty"`
	Remaining         *int64  `json:"remaining,omitempty"`
	RemainingAmount   string  `json:"remainingAmount,omitempty"`
	Status            string  `json:"status,omitempty"`
	Children          []*Node `json:"children,omitempty"`
	// More is true when the node has children below the requested depth.
	More bool `json:"more,omitempty"`
}

// TreeView is the target tree of one period and metric.
type TreeView struct {
	Period     string        `json:"period"`
	AsOf       platform.Date `json:"asOf"` // the period's first day: the tree and people as then
	Metric     string        `json:"metric"`
	MetricName string        `json:"metricName"`
	MetricEn   string        `json:"metricNameEn"`
	Unit       string        `json:"unit"`
	Scale      int64         `json:"scale"`
	Mode       string        `json:"mode"`
	Root       *Node         `json:"root"`
}

// Tree returns the targets of a period and metric from a unit down, as the
// organisation stood on the period's first day: units, their child units
// and the people placed in them, with the sum of each unit's children's
// targets, what remains and the check status. It honours the viewer's
// scope: units in it are shown in full; their ancestors — and, for a
// manager, the chain above their own unit — only with their own targets,
// for context; a customer manager sees their own target but not their
// colleagues'.
func (s *Service) Tree(ctx context.Context, q TreeQuery) (TreeView, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.TargetRead) {
		return TreeView{}, platform.ErrForbidden
	}
	if q.Depth < 0 {
		return TreeView{}, platform.Invalid("depth", "层数不能为负 cannot be negative")
	}
	per, err := platform.ParsePeriod(q.Period)
	if err != nil {
		return TreeView{}, platform.Invalid("period", "期间须为 YYYY-MM、YYYY-Qn 或 YYYY must be a period YYYY-MM, YYYY-Qn or YYYY")
	}
	var self Member
	if p.PersonID != 0 {
		self, err = s.Store.TargetMember(ctx, p.Scope, p.PersonID, per.Start())
		if err != nil && !errors.Is(err, platform.ErrNotFound) {
			return TreeView{}, fmt.Errorf("own record: %w", err)
		}
	}
	f, err := s.load(ctx, p, q.Period, q.Metric, false, self.UnitID)
	if err != nil {
		return TreeView{}, err
	}
	view := TreeView{Period: f.period.String(), AsOf: f.start, Metric: f.metric.Key, MetricName: f.metric.NameZh,
		MetricEn: f.metric.NameEn, Unit: f.metric.Unit, Scale: Scale(f.metric.Unit), Mode: f.mode}
	root := q.RootUnitID
	if root == 0 {
		root = f.top
	}
	if root == 0 && q.RootUnitID == 0 {
		return view, nil // no organisation on that day
	}
	if !f.full[root] && !f.context[root] {
		return TreeView{}, platform.ErrNotFound
	}
	b := &builder{f: f, depth: q.Depth, self: self, membersIn: map[int64][]Member{}}
	// People and personal targets: of the whole subtree, or of the units
	// down to the requested depth (whose people are either shown or summed).
	units, subtree := []int64{root}, true
	if q.Depth > 0 {
		units, subtree = b.levels(root), false
	}
	members, err := s.Store.TargetMembers(ctx, p.Scope, p.Institution, units, subtree, f.start)
	if err != nil {
		return TreeView{}, fmt.Errorf("members: %w", err)
	}
	for _, m := range members {
		b.membersIn[m.UnitID] = append(b.membersIn[m.UnitID], m)
	}
	ts, err := s.Store.Targets(ctx, p.Scope, f.sel(units, subtree))
	if err != nil {
		return TreeView{}, fmt.Errorf("targets: %w", err)
	}
	b.ix = newIndex(ts, f.metric.Unit)
	view.Root = b.unit(root, 0)
	return view, nil
}

type builder struct {
	f         *frame
	ix        *index
	depth     int
	self      Member
	membersIn map[int64][]Member
}

func (b *builder) visible(id int64) bool { return b.f.full[id] || b.f.context[id] }

// levels lists the visible units from root down to depth levels below it.
func (b *builder) levels(root int64) []int64 {
	out := []int64{root}
	level := []int64{root}
	for d := 0; d < b.depth && len(level) > 0; d++ {
		var next []int64
		for _, id := range level {
			for _, k := range b.f.kids[id] {
				if b.visible(k) {
					next = append(next, k)
				}
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

func (b *builder) unit(id int64, level int) *Node {
	f := b.f
	u := f.units[id]
	n := &Node{Type: NodeUnit, UnitID: id, UnitKind: u.Kind, Code: u.Code, Name: u.Name, Target: b.ix.unit[id], Context: !f.full[id]}
	var units []int64
	var persons []Member
	if f.full[id] {
		units = f.kids[id]
		for _, m := range b.membersIn[id] {
			if m.Status != people.StatusTerminated || b.ix.person[m.PersonID] != nil {
				persons = append(persons, m)
			}
		}
		if sum, cnt := b.ix.children(f, id, Subject{}); f.mode != ModeIndependent && (len(units) > 0 || len(persons) > 0) && (n.Target != nil || cnt > 0) {
			n.ChildrenSum, n.ChildrenSumAmount = &sum, FormatValue(sum, f.metric.Unit)
			if n.Target != nil {
				r := n.Target.Value - sum
				n.Remaining, n.RemainingAmount = &r, FormatValue(r, f.metric.Unit)
			}
			n.Status = Status(f.mode, n.Target, true, cnt, sum)
		}
	} else {
		for _, k := range f.kids[id] {
			if b.visible(k) {
				units = append(units, k)
			}
		}
		if b.self.PersonID != 0 && b.self.UnitID == id {
			persons = []Member{b.self}
		}
	}
	if b.depth > 0 && level >= b.depth {
		n.More = len(units) > 0 || len(persons) > 0
		return n
	}
	for _, k := range units {
		n.Children = append(n.Children, b.unit(k, level+1))
	}
	for _, m := range persons {
		n.Children = append(n.Children, &Node{Type: NodePerson, PersonID: m.PersonID, EmpNo: m.EmpNo, Name: m.Name, Target: b.ix.person[m.PersonID]})
	}
	return n
}
