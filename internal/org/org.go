// Package org is the organisation tree: institution → branch → departments
// and regions → teams → groups, and channels/outlets with their stationed
// managers. A unit's place in the tree is effective-dated, so "the
// organisation as of date D" is a query.
package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// Kind is the kind of an organisational unit.
type Kind string

// Unit kinds, from the top of the tree down.
const (
	Institution Kind = "institution"
	Branch      Kind = "branch"
	Department  Kind = "department"
	Region      Kind = "region"
	Team        Kind = "team"
	Group       Kind = "group"
	Channel     Kind = "channel"
)

// Kinds lists the unit kinds top-down.
func Kinds() []Kind { return []Kind{Institution, Branch, Department, Region, Team, Group, Channel} }

// allowedParents says which kinds a unit of each kind may hang under.
var allowedParents = map[Kind][]Kind{
	Institution: nil,
	Branch:      {Institution},
	Department:  {Branch, Institution},
	Region:      {Branch},
	Team:        {Region, Department, Branch},
	Group:       {Team},
	Channel:     {Region, Branch},
}

// CanHang reports whether a unit of kind child may sit under a unit of kind parent.
func CanHang(child, parent Kind) bool { return slices.Contains(allowedParents[child], parent) }

// Unit is an organisational unit as of some date.
type Unit struct {
	ID          int64         `json:"id"`
	Institution int64         `json:"-"`
	ParentID    int64         `json:"parentId"`
	Kind        Kind          `json:"kind"`
	Code        string        `json:"code"`
	Name        string        `json:"name"`
	NameEn      string        `json:"nameEn"`
	OpenedOn    platform.Date `json:"openedOn"`
	ClosedOn    platform.Date `json:"closedOn"`
	Headcount   *int          `json:"headcount"` // direct members; nil where the viewer may not count them
}

// ParentRecord is one row of a unit's place in the tree.
type ParentRecord struct {
	ParentID   int64         `json:"parentId"`
	ParentName string        `json:"parentName"`
	ValidFrom  platform.Date `json:"validFrom"`
	ValidTo    platform.Date `json:"validTo"`
	Reason     string        `json:"reason"`
}

// Station is a manager stationed at a channel.
type Station struct {
	PersonID  int64         `json:"personId"`
	EmpNo     string        `json:"empNo"`
	Name      string        `json:"name"`
	ValidFrom platform.Date `json:"validFrom"`
	ValidTo   platform.Date `json:"validTo"`
}

// Store is the persistence this package needs.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Units returns every unit of the institution open at asOf, with its parent as of asOf and direct headcount.
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]Unit, error)
	Headcounts(ctx context.Context, institution int64, asOf platform.Date) (map[int64]int, error)
	Unit(ctx context.Context, institution, id int64, asOf platform.Date) (Unit, error)
	UnitByCode(ctx context.Context, institution int64, code string) (Unit, error)
	ParentHistory(ctx context.Context, unitID int64) ([]ParentRecord, error)
	CreateUnit(ctx context.Context, u *Unit) error
	UpdateUnitNames(ctx context.Context, u Unit) error
	MoveUnit(ctx context.Context, unitID, parentID int64, from platform.Date, reason string) error
	// Stations lists the managers stationed at a channel who are inside scope.
	Stations(ctx context.Context, scope access.Scope, channelID int64) ([]Station, error)
	AddStation(ctx context.Context, channelID, personID int64, from platform.Date) error
}

// PeriodGuard refuses writes into closed periods.
type PeriodGuard interface {
	EnsureOpen(ctx context.Context, institution int64, d platform.Date) error
}

// Service holds the organisation use cases.
type Service struct {
	Store   Store
	Audit   audit.Log
	Clock   platform.Clock
	Periods PeriodGuard
}

// Tree is a set of units indexed for walking.
type Tree struct {
	byID     map[int64]*Unit
	children map[int64][]int64
}

// NewTree indexes units.
func NewTree(units []Unit) *Tree {
	t := &Tree{byID: make(map[int64]*Unit, len(units)), children: map[int64][]int64{}}
	for i := range units {
		u := &units[i]
		t.byID[u.ID] = u
		t.children[u.ParentID] = append(t.children[u.ParentID], u.ID)
	}
	return t
}

// Get returns the unit with id, or nil.
func (t *Tree) Get(id int64) *Unit { return t.byID[id] }

// Ancestors returns the ids above id, nearest first.
func (t *Tree) Ancestors(id int64) []int64 {
	var out []int64
	seen := map[int64]bool{id: true}
	for u := t.byID[id]; u != nil && u.ParentID != 0 && !seen[u.ParentID]; u = t.byID[u.ParentID] {
		seen[u.ParentID] = true
		out = append(out, u.ParentID)
	}
	return out
}

// Subtree returns id and every unit below it.
func (t *Tree) Subtree(id int64) []int64 {
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		out = append(out, t.children[out[i]]...)
	}
	return out
}

// Path returns the names from the top of the tree down to id, joined by " / ".
func (t *Tree) Path(id int64) string {
	anc := t.Ancestors(id)
	parts := make([]string, 0, len(anc)+1)
	for i := len(anc) - 1; i >= 0; i-- {
		if u := t.byID[anc[i]]; u != nil && u.Kind != Institution {
			parts = append(parts, u.Name)
		}
	}
	if u := t.byID[id]; u != nil {
		parts = append(parts, u.Name)
	}
	return strings.Join(parts, " / ")
}

// NearestOfKind returns the unit of kind k at or above id, or 0.
func (t *Tree) NearestOfKind(id int64, k Kind) int64 {
	if u := t.byID[id]; u != nil && u.Kind == k {
		return id
	}
	for _, a := range t.Ancestors(id) {
		if t.byID[a].Kind == k {
			return a
		}
	}
	return 0
}

// Visible returns the units the scope may see in full (its subtrees and
// the unit of its own person) and the ancestors shown only for context.
func (t *Tree) Visible(s access.Scope, selfUnit int64) (full, context map[int64]bool) {
	full, context = map[int64]bool{}, map[int64]bool{}
	if s.Empty() {
		return full, context
	}
	roots := slices.Clone(s.Units)
	if s.All {
		for id, u := range t.byID {
			if u.ParentID == 0 || t.byID[u.ParentID] == nil {
				roots = append(roots, id)
			}
		}
	}
	for _, r := range roots {
		for _, id := range t.Subtree(r) {
			full[id] = true
		}
	}
	if selfUnit != 0 {
		context[selfUnit] = true
	}
	for id := range full {
		for _, a := range t.Ancestors(id) {
			context[a] = true
		}
	}
	for _, a := range t.Ancestors(selfUnit) {
		context[a] = true
	}
	for id := range full {
		delete(context, id)
	}
	return full, context
}

// List returns the units the principal may see as of asOf: its scope's
// subtrees with headcounts, plus their ancestors (without headcounts).
func (s *Service) List(ctx context.Context, asOf platform.Date) ([]Unit, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.OrgRead) {
		return nil, platform.ErrForbidden
	}
	units, err := s.Store.Units(ctx, p.Institution, asOf)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	heads, err := s.Store.Headcounts(ctx, p.Institution, asOf)
	if err != nil {
		return nil, fmt.Errorf("headcounts: %w", err)
	}
	t := NewTree(units)
	full, ctxUnits := t.Visible(p.Scope, p.UnitID)
	out := make([]Unit, 0, len(full)+len(ctxUnits))
	for _, u := range units {
		switch {
		case full[u.ID]:
			n := heads[u.ID]
			u.Headcount = &n
			out = append(out, u)
		case ctxUnits[u.ID]:
			out = append(out, u) // shown for context only: no headcount
		}
	}
	return out, nil
}

// Detail is a unit with its history and, for channels, stationed managers.
type Detail struct {
	Unit
	History   []ParentRecord `json:"history"`
	Stationed []Station      `json:"stationed"`
}

// Get returns one unit the principal may see.
func (s *Service) Get(ctx context.Context, id int64, asOf platform.Date) (Detail, error) {
	units, err := s.List(ctx, asOf)
	if err != nil {
		return Detail{}, err
	}
	idx := slices.IndexFunc(units, func(u Unit) bool { return u.ID == id })
	if idx < 0 {
		return Detail{}, platform.ErrNotFound
	}
	d := Detail{Unit: units[idx]}
	if d.History, err = s.Store.ParentHistory(ctx, id); err != nil {
		return Detail{}, fmt.Errorf("unit history: %w", err)
	}
	if d.Kind == Channel {
		if d.Stationed, err = s.Store.Stations(ctx, access.FromContext(ctx).Scope, id); err != nil {
			return Detail{}, fmt.Errorf("stations: %w", err)
		}
	}
	return d, nil
}

// NewUnit is the input to Create.
type NewUnit struct {
	ParentID int64         `json:"parentId"`
	Kind     Kind          `json:"kind"`
	Code     string        `json:"code"`
	Name     string        `json:"name"`
	NameEn   string        `json:"nameEn"`
	OpenedOn platform.Date `json:"openedOn"`
}

// Validate checks the fields that need no database.
func (n *NewUnit) Validate() platform.Fields {
	f := platform.Fields{}
	n.Code, n.Name, n.NameEn = strings.TrimSpace(n.Code), strings.TrimSpace(n.Name), strings.TrimSpace(n.NameEn)
	if n.Code == "" || len(n.Code) > 32 {
		f.Add("code", "编码必填，最多 32 个字符 required, at most 32 characters")
	}
	if n.Name == "" || len([]rune(n.Name)) > 100 {
		f.Add("name", "名称必填，最多 100 个字 required, at most 100 characters")
	}
	if !slices.Contains(Kinds(), n.Kind) || n.Kind == Institution {
		f.Add("kind", "类型须为 branch/department/region/team/group/channel")
	}
	return f
}

// createInTx validates and creates one unit in the caller's transaction.
func (s *Service) createInTx(ctx context.Context, n NewUnit, parentsVisible func(int64) bool) (Unit, error) {
	p := access.FromContext(ctx)
	if f := n.Validate(); len(f) > 0 {
		return Unit{}, f.Err()
	}
	if n.OpenedOn.IsZero() {
		n.OpenedOn = platform.DateOf(s.Clock.Now())
	}
	parent, err := s.Store.Unit(ctx, p.Institution, n.ParentID, n.OpenedOn)
	if err != nil || !parentsVisible(n.ParentID) {
		return Unit{}, platform.Invalid("parentId", "上级单位不存在或无权操作 parent unit not found")
	}
	if !CanHang(n.Kind, parent.Kind) {
		return Unit{}, platform.Invalid("kind", fmt.Sprintf("%s 不能设在 %s 之下 a %s cannot sit under a %s", n.Kind, parent.Kind, n.Kind, parent.Kind))
	}
	if _, err := s.Store.UnitByCode(ctx, p.Institution, n.Code); err == nil {
		return Unit{}, platform.Conflict("duplicate", "code", fmt.Sprintf("编码 %s 已存在 code already exists", n.Code))
	}
	u := Unit{Institution: p.Institution, ParentID: n.ParentID, Kind: n.Kind, Code: n.Code, Name: n.Name, NameEn: n.NameEn, OpenedOn: n.OpenedOn}
	if err := s.Store.CreateUnit(ctx, &u); err != nil {
		return Unit{}, fmt.Errorf("create unit: %w", err)
	}
	zero := 0
	u.Headcount = &zero
	err = s.Audit.Record(ctx, audit.Change{Action: "unit.create", ObjectType: "unit", ObjectID: fmt.Sprint(u.ID), UnitID: u.ID, After: u})
	return u, err
}

// Create adds a unit under a parent the principal may manage.
func (s *Service) Create(ctx context.Context, n NewUnit) (Unit, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.OrgWrite) {
		return Unit{}, platform.ErrForbidden
	}
	visible, err := s.fullVisible(ctx)
	if err != nil {
		return Unit{}, err
	}
	var u Unit
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.createInTx(ctx, n, func(id int64) bool { return visible[id] })
		return err
	})
	return u, err
}

func (s *Service) fullVisible(ctx context.Context) (map[int64]bool, error) {
	p := access.FromContext(ctx)
	units, err := s.Store.Units(ctx, p.Institution, platform.DateOf(s.Clock.Now()))
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	full, _ := NewTree(units).Visible(p.Scope, p.UnitID)
	return full, nil
}

// Rename changes a unit's names.
func (s *Service) Rename(ctx context.Context, id int64, name, nameEn *string) (Unit, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.OrgWrite) {
		return Unit{}, platform.ErrForbidden
	}
	visible, err := s.fullVisible(ctx)
	if err != nil {
		return Unit{}, err
	}
	if !visible[id] {
		return Unit{}, platform.ErrNotFound
	}
	var out Unit
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.Unit(ctx, p.Institution, id, platform.DateOf(s.Clock.Now()))
		if err != nil {
			return err
		}
		out = before
		if name != nil {
			out.Name = strings.TrimSpace(*name)
			if out.Name == "" || len([]rune(out.Name)) > 100 {
				return platform.Invalid("name", "名称必填，最多 100 个字 required, at most 100 characters")
			}
		}
		if nameEn != nil {
			out.NameEn = strings.TrimSpace(*nameEn)
		}
		if err := s.Store.UpdateUnitNames(ctx, out); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "unit.rename", ObjectType: "unit", ObjectID: fmt.Sprint(id), UnitID: id, Before: before, After: out})
	})
	return out, err
}

// Move hangs a unit under a new parent from a date. It refuses to make a
// unit its own ancestor and to write into a closed period.
func (s *Service) Move(ctx context.Context, id, parentID int64, from platform.Date, reason string) (Unit, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.OrgWrite) {
		return Unit{}, platform.ErrForbidden
	}
	f := platform.Fields{}
	if from.IsZero() {
		f.Add("effectiveFrom", "生效日期必填 required")
	}
	if strings.TrimSpace(reason) == "" {
		f.Add("reason", "调整原因必填 a reason is required")
	}
	if err := f.Err(); err != nil {
		return Unit{}, err
	}
	visible, err := s.fullVisible(ctx)
	if err != nil {
		return Unit{}, err
	}
	if !visible[id] {
		return Unit{}, platform.ErrNotFound
	}
	if !visible[parentID] {
		return Unit{}, platform.Invalid("parentId", "上级单位不存在或无权操作 parent unit not found")
	}
	if err := s.Periods.EnsureOpen(ctx, p.Institution, from); err != nil {
		return Unit{}, err
	}
	var out Unit
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		units, err := s.Store.Units(ctx, p.Institution, from)
		if err != nil {
			return err
		}
		t := NewTree(units)
		u, parent := t.Get(id), t.Get(parentID)
		if u == nil || parent == nil {
			return platform.Invalid("effectiveFrom", "该日期时单位尚未设立 the unit does not exist on that date")
		}
		if id == parentID || slices.Contains(t.Ancestors(parentID), id) {
			return platform.Conflict("cycle", "parentId", "不能把单位移到它自己或其下级之下 a unit cannot become its own ancestor")
		}
		if !CanHang(u.Kind, parent.Kind) {
			return platform.Invalid("parentId", fmt.Sprintf("%s 不能设在 %s 之下 a %s cannot sit under a %s", u.Kind, parent.Kind, u.Kind, parent.Kind))
		}
		before := *u
		if err := s.Store.MoveUnit(ctx, id, parentID, from, reason); err != nil {
			return err
		}
		out = before
		out.ParentID = parentID
		return s.Audit.Record(ctx, audit.Change{Action: "unit.move", ObjectType: "unit", ObjectID: fmt.Sprint(id), UnitID: id,
			Before: map[string]any{"parentId": before.ParentID}, After: map[string]any{"parentId": parentID, "effectiveFrom": from}, Reason: reason})
	})
	return out, err
}

// ByCode indexes the units by code.
func (t *Tree) ByCode() map[string]int64 {
	m := make(map[string]int64, len(t.byID))
	for id, u := range t.byID {
		m[u.Code] = id
	}
	return m
}

// PersonFinder checks that a person is inside a scope.
type PersonFinder interface {
	PersonInScope(ctx context.Context, scope access.Scope, personID int64) (unitID int64, err error)
}

// Station stations a manager in scope at a channel in scope from a date.
func (s *Service) Station(ctx context.Context, channelID, personID int64, from platform.Date, people PersonFinder) error {
	p := access.FromContext(ctx)
	if !p.Can(access.OrgWrite) {
		return platform.ErrForbidden
	}
	if from.IsZero() {
		return platform.Invalid("effectiveFrom", "生效日期必填 required")
	}
	visible, err := s.fullVisible(ctx)
	if err != nil {
		return err
	}
	if !visible[channelID] {
		return platform.ErrNotFound
	}
	u, err := s.Store.Unit(ctx, p.Institution, channelID, from)
	if err != nil {
		return err
	}
	if u.Kind != Channel {
		return platform.Invalid("id", "只能向营销渠道网点派驻 only channels take stationed managers")
	}
	if _, err := people.PersonInScope(ctx, p.Scope, personID); err != nil {
		return platform.Invalid("personId", "人员不存在或不在您的管辖范围 person not found or outside your scope")
	}
	if err := s.Periods.EnsureOpen(ctx, p.Institution, from); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddStation(ctx, channelID, personID, from); err != nil {
			return fmt.Errorf("station: %w", err)
		}
		return s.Audit.Record(ctx, audit.Change{Action: "unit.station", ObjectType: "unit", ObjectID: fmt.Sprint(channelID), UnitID: channelID,
			After: map[string]any{"personId": personID, "effectiveFrom": from}})
	})
}
