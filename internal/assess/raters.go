package assess

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"

	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
)

// Unit is an organisational unit of a snapshot.
type Unit struct {
	ID       int64    `json:"id"`
	ParentID int64    `json:"parentId"`
	Kind     org.Kind `json:"kind"`
	Name     string   `json:"name"`
}

// Person is a person of a snapshot, placed by their record in force on
// the snapshot's day.
type Person struct {
	ID       int64         `json:"id"`
	EmpNo    string        `json:"empNo"`
	Name     string        `json:"name"`
	UnitID   int64         `json:"unitId"`
	Position string        `json:"position"`
	Status   string        `json:"status"`
	HiredOn  platform.Date `json:"hiredOn"`
	Grade    string        `json:"grade,omitempty"` // for grade reviews; rater resolution ignores it
}

// Snapshot is the organisation as of one day: the units open that day
// with their parents, and the people with their record in force.
type Snapshot struct {
	AsOf   platform.Date
	Units  []Unit
	People []Person
}

// DefaultStatuses are the statuses of the people who are assessed and
// who rate: on probation, active, or in standby training. Candidates,
// suspended, converted and terminated people take no part.
func DefaultStatuses() []string {
	return []string{people.StatusProbation, people.StatusActive, people.StatusStandby}
}

// OrgIndex answers "the nearest team, region, branch or institution at or
// above this unit" in constant time.
type OrgIndex struct {
	units   map[int64]*unitInfo
	ordered []int64 // unit ids, ascending
}

type unitInfo struct {
	kind    org.Kind
	anchors [4]int64 // team, region, branch, institution
}

func scopeIndex(scope string) int {
	switch scope {
	case ScopeTeam:
		return 0
	case ScopeRegion:
		return 1
	case ScopeBranch:
		return 2
	case ScopeInstitution:
		return 3
	}
	return -1
}

var scopeKinds = [4]org.Kind{org.Team, org.Region, org.Branch, org.Institution}

// NewOrgIndex indexes units. A parent missing from the list makes its
// child a root; a cycle among parents or a repeated id is an error.
func NewOrgIndex(units []Unit) (*OrgIndex, error) {
	byID := make(map[int64]*Unit, len(units))
	for i := range units {
		u := &units[i]
		if _, dup := byID[u.ID]; dup {
			return nil, fmt.Errorf("organisation snapshot: unit %d listed twice", u.ID)
		}
		byID[u.ID] = u
	}
	x := &OrgIndex{units: make(map[int64]*unitInfo, len(units)), ordered: make([]int64, 0, len(units))}
	const visiting = -1
	depth := make(map[int64]int, len(units))
	var resolve func(id int64) (*unitInfo, error)
	resolve = func(id int64) (*unitInfo, error) {
		if info, ok := x.units[id]; ok {
			return info, nil
		}
		if depth[id] == visiting {
			return nil, fmt.Errorf("organisation snapshot: unit %d is its own ancestor", id)
		}
		depth[id] = visiting
		u := byID[id]
		info := &unitInfo{kind: u.Kind}
		if p := byID[u.ParentID]; p != nil && u.ParentID != u.ID {
			parent, err := resolve(p.ID)
			if err != nil {
				return nil, err
			}
			info.anchors = parent.anchors
		} else if u.ParentID == u.ID {
			return nil, fmt.Errorf("organisation snapshot: unit %d is its own parent", id)
		}
		for i, k := range scopeKinds {
			if u.Kind == k {
				info.anchors[i] = id
			}
		}
		x.units[id] = info
		return info, nil
	}
	for i := range units {
		if _, err := resolve(units[i].ID); err != nil {
			return nil, err
		}
		x.ordered = append(x.ordered, units[i].ID)
	}
	slices.Sort(x.ordered)
	return x, nil
}

// Anchor returns the nearest unit of the scope's kind at or above unit,
// or 0 when there is none (or the unit is unknown).
func (x *OrgIndex) Anchor(unit int64, scope string) int64 {
	info, si := x.units[unit], scopeIndex(scope)
	if info == nil || si < 0 {
		return 0
	}
	return info.anchors[si]
}

// Subject is who a sheet assesses: a person or a team, never both.
type Subject struct {
	PersonID int64 `json:"personId,omitempty"`
	UnitID   int64 `json:"unitId,omitempty"`
}

func (s Subject) String() string {
	if s.PersonID != 0 {
		return fmt.Sprintf("person %d", s.PersonID)
	}
	return fmt.Sprintf("team %d", s.UnitID)
}

// GroupPlan is a subject's raters in one group, by person id ascending.
type GroupPlan struct {
	Key    string  `json:"key"`
	Raters []int64 `json:"raters"`
}

// SubjectPlan is one subject of a cycle with its raters per group.
type SubjectPlan struct {
	Subject Subject `json:"subject"`
	Scheme  string  `json:"scheme"`
	// Unit is the person's unit on the snapshot day, or the team itself.
	Unit   int64       `json:"unit"`
	Groups []GroupPlan `json:"groups"`
}

// Gap is a group of a subject that resolved to nobody. The scheme's
// missing-group policy applies when the composite is computed.
type Gap struct {
	Subject  Subject `json:"subject"`
	Scheme   string  `json:"scheme"`
	Group    string  `json:"group"`
	ReasonZh string  `json:"reasonZh"`
	ReasonEn string  `json:"reasonEn"`
}

// SchemeUse is a scheme a plan uses, with the versions the sheets are
// created on.
type SchemeUse struct {
	Key             string `json:"key"`
	Version         int    `json:"version"`
	Template        string `json:"template"`
	TemplateVersion int    `json:"templateVersion"`
}

// Plan is the sheets of one assessment cycle: per subject, the raters of
// each group of its scheme. Subjects are ordered by scheme, then id.
type Plan struct {
	Period   string        `json:"period"`
	AsOf     platform.Date `json:"asOf"`
	Schemes  []SchemeUse   `json:"schemes"`
	Subjects []SubjectPlan `json:"subjects"`
	Gaps     []Gap         `json:"gaps"`
}

// SheetRef is one sheet to create: who rates whom in which group.
type SheetRef struct {
	Subject Subject
	Scheme  string
	Group   string
	Rater   int64
}

// Sheets yields every sheet of the plan, subject by subject, so a caller
// can stream millions of them into storage without building a list.
func (p *Plan) Sheets() iter.Seq[SheetRef] {
	return func(yield func(SheetRef) bool) {
		for _, s := range p.Subjects {
			for _, g := range s.Groups {
				for _, r := range g.Raters {
					if !yield(SheetRef{Subject: s.Subject, Scheme: s.Scheme, Group: g.Key, Rater: r}) {
						return
					}
				}
			}
		}
	}
}

// SheetCount is the number of sheets of the plan.
func (p *Plan) SheetCount() int {
	n := 0
	for _, s := range p.Subjects {
		for _, g := range s.Groups {
			n += len(g.Raters)
		}
	}
	return n
}

// PlanOptions tunes who takes part; zero values take the defaults.
type PlanOptions struct {
	SubjectStatuses []string // default DefaultStatuses
	RaterStatuses   []string // default DefaultStatuses
}

// ErrNothingToAssess is the conflict code of a cycle with no subject.
const ErrNothingToAssess = "nothing_to_assess"

type rosterKey struct {
	anchor   int64
	position string
}

// Plan resolves the raters of every subject of the cycle period from the
// organisation as of the period's last day, using the schemes of the
// period's kind. For a person subject of a scheme's positions, a group's
// raters are the people of the group's positions whose nearest unit of
// the group's scope (team, region, branch, institution) is the subject's;
// for a team subject, the same relative to the team. Nobody rates
// themselves. A group that resolves to nobody is reported as a Gap. A
// cycle with no subject at all is a *platform.ConflictError with code
// ErrNothingToAssess.
func (r *Rules) Plan(period platform.Period, snap Snapshot, opt PlanOptions) (*Plan, error) {
	if snap.AsOf != period.End() {
		return nil, platform.Invalid("asOf", fmt.Sprintf("组织快照须取自 %s 的最后一天 %s，而不是 %s the organisation snapshot must be as of the period's last day %s, not %s",
			period, period.End(), snap.AsOf, period.End(), snap.AsOf))
	}
	schemes := r.Schemes(period.Kind)
	if len(schemes) == 0 {
		return nil, platform.Conflict("no_scheme", "period", fmt.Sprintf("没有适用于 %s 的评分方案 no rater scheme for %s", period, period))
	}
	idx, err := NewOrgIndex(snap.Units)
	if err != nil {
		return nil, err
	}
	subjectOK := statusSet(opt.SubjectStatuses)
	raterOK := statusSet(opt.RaterStatuses)

	people := slices.Clone(snap.People)
	slices.SortFunc(people, func(a, b Person) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(people); i++ {
		if people[i].ID == people[i-1].ID {
			return nil, fmt.Errorf("organisation snapshot: person %d listed twice", people[i].ID)
		}
	}
	// Rosters of raters by (anchor unit, position), ids ascending.
	wanted := map[rosterScope]bool{}
	for _, s := range schemes {
		for _, g := range s.Groups {
			for _, p := range g.Positions {
				wanted[rosterScope{g.Scope, p}] = true
			}
		}
	}
	rosters := map[rosterKey][]int64{}
	for _, p := range people {
		if !raterOK[p.Status] {
			continue
		}
		for _, scope := range []string{ScopeTeam, ScopeRegion, ScopeBranch, ScopeInstitution} {
			if !wanted[rosterScope{scope, p.Position}] {
				continue
			}
			if a := idx.Anchor(p.UnitID, scope); a != 0 {
				k := rosterKey{a, p.Position}
				rosters[k] = append(rosters[k], p.ID)
			}
		}
	}

	plan := &Plan{Period: period.String(), AsOf: snap.AsOf}
	for _, s := range schemes {
		use := SchemeUse{Key: s.Key, Version: s.Version, Template: s.Template}
		if sc := r.scorecards[s.Template]; sc != nil {
			use.TemplateVersion = sc.t.Version
		}
		plan.Schemes = append(plan.Schemes, use)
		if s.Subject == SubjectTeam {
			for _, id := range idx.ordered {
				if idx.units[id].kind == org.Team {
					plan.add(&s, Subject{UnitID: id}, id, idx, rosters)
				}
			}
			continue
		}
		for _, p := range people {
			if subjectOK[p.Status] && slices.Contains(s.Positions, p.Position) {
				plan.add(&s, Subject{PersonID: p.ID}, p.UnitID, idx, rosters)
			}
		}
	}
	if len(plan.Subjects) == 0 {
		return nil, platform.Conflict(ErrNothingToAssess, "period", fmt.Sprintf("%s 没有需要考核的人员或团队 no one to assess in %s", period, period))
	}
	return plan, nil
}

type rosterScope struct {
	scope    string
	position string
}

// add resolves one subject's groups.
func (p *Plan) add(s *Scheme, subj Subject, unit int64, idx *OrgIndex, rosters map[rosterKey][]int64) {
	sp := SubjectPlan{Subject: subj, Scheme: s.Key, Unit: unit, Groups: make([]GroupPlan, 0, len(s.Groups))}
	for _, g := range s.Groups {
		gp := GroupPlan{Key: g.Key}
		anchor := idx.Anchor(unit, g.Scope)
		if anchor == 0 {
			p.Gaps = append(p.Gaps, Gap{Subject: subj, Scheme: s.Key, Group: g.Key,
				ReasonZh: fmt.Sprintf("考核对象不在任何%s之下，评分组「%s」无评分人", scopeZh(g.Scope), g.NameZh),
				ReasonEn: fmt.Sprintf("the subject is not under any %s: group %s has no rater", g.Scope, g.Key)})
			sp.Groups = append(sp.Groups, gp)
			continue
		}
		n := 0
		for _, pos := range g.Positions {
			n += len(rosters[rosterKey{anchor, pos}])
		}
		gp.Raters = make([]int64, 0, n)
		for _, pos := range g.Positions {
			for _, id := range rosters[rosterKey{anchor, pos}] {
				if id != subj.PersonID {
					gp.Raters = append(gp.Raters, id)
				}
			}
		}
		if len(g.Positions) > 1 {
			slices.Sort(gp.Raters)
		}
		if len(gp.Raters) == 0 {
			gp.Raters = nil
			p.Gaps = append(p.Gaps, Gap{Subject: subj, Scheme: s.Key, Group: g.Key,
				ReasonZh: fmt.Sprintf("本%s没有岗位为 %s 的其他人员，评分组「%s」无评分人", scopeZh(g.Scope), strings.Join(g.Positions, "、"), g.NameZh),
				ReasonEn: fmt.Sprintf("nobody else of position %s in the subject's %s: group %s has no rater", strings.Join(g.Positions, " or "), g.Scope, g.Key)})
		}
		sp.Groups = append(sp.Groups, gp)
	}
	p.Subjects = append(p.Subjects, sp)
}

func scopeZh(scope string) string {
	switch scope {
	case ScopeTeam:
		return "团队"
	case ScopeRegion:
		return "区域"
	case ScopeBranch:
		return "营业部"
	}
	return "机构"
}

func statusSet(statuses []string) map[string]bool {
	if len(statuses) == 0 {
		statuses = DefaultStatuses()
	}
	m := make(map[string]bool, len(statuses))
	for _, s := range statuses {
		m[s] = true
	}
	return m
}
