package approval

import (
	"cmp"
	"fmt"
	"slices"

	"cmhub/internal/assess"
)

// Org is the organisation a request is resolved against: the assessment
// package's snapshot (units and people as of one day) indexed for
// "the people of position P in unit U's team, region, branch or
// institution", plus the holders of roles, which live with users and
// access rather than in the organisation. It is immutable and safe for
// concurrent use; build one per day and share it.
type Org struct {
	idx     *assess.OrgIndex
	people  map[int64]member
	rosters map[roster][]int64 // eligible people by (anchor unit, position), ids ascending
	roles   map[string][]int64 // holders by role, ascending, without repeats
}

// member is where a person sits and whether they may approve.
type member struct {
	unit     int64
	eligible bool
}

// roster keys a position within one anchor unit; unit ids are unique
// across kinds, so the anchor alone says which scope it is.
type roster struct {
	anchor   int64
	position string
}

// OrgOptions is what the organisation snapshot does not hold.
type OrgOptions struct {
	// Roles lists, per role code, the people who hold it (from user
	// accounts and their roles). Order and repeats do not matter.
	Roles map[string][]int64
	// Statuses are the statuses of people who may approve; default
	// assess.DefaultStatuses() (probation, active, standby training), the
	// same people who take part in assessments. Requesters are placed
	// whatever their status.
	Statuses []string
}

// NewOrg indexes a snapshot. A repeated person, a repeated unit or a cycle
// among units is an error.
func NewOrg(snap assess.Snapshot, opt OrgOptions) (*Org, error) {
	idx, err := assess.NewOrgIndex(snap.Units)
	if err != nil {
		return nil, fmt.Errorf("approval: %w", err)
	}
	statuses := opt.Statuses
	if len(statuses) == 0 {
		statuses = assess.DefaultStatuses()
	}
	// Sorting by id first makes every roster ascending without sorting
	// each one, and makes the result independent of the snapshot's order.
	people := slices.Clone(snap.People)
	slices.SortFunc(people, func(a, b assess.Person) int { return cmp.Compare(a.ID, b.ID) })
	o := &Org{idx: idx, people: make(map[int64]member, len(people)), rosters: map[roster][]int64{}, roles: make(map[string][]int64, len(opt.Roles))}
	scopes := [...]string{assess.ScopeTeam, assess.ScopeRegion, assess.ScopeBranch, assess.ScopeInstitution}
	for i, p := range people {
		if i > 0 && people[i-1].ID == p.ID {
			return nil, fmt.Errorf("approval: organisation snapshot: person %d listed twice", p.ID)
		}
		m := member{unit: p.UnitID, eligible: slices.Contains(statuses, p.Status)}
		o.people[p.ID] = m
		if !m.eligible || p.Position == "" {
			continue
		}
		var last int64
		for _, scope := range scopes {
			// A unit can anchor two scopes only if it is of both kinds,
			// which it is not; the check keeps a roster free of repeats anyway.
			if a := idx.Anchor(p.UnitID, scope); a != 0 && a != last {
				k := roster{a, p.Position}
				o.rosters[k] = append(o.rosters[k], p.ID)
				last = a
			}
		}
	}
	for role, holders := range opt.Roles {
		h := slices.Clone(holders)
		slices.Sort(h)
		o.roles[role] = slices.Compact(h)
	}
	return o, nil
}

// available reports whether someone named by a role or by id may approve:
// a person of the snapshot who is eligible, or someone outside it (a
// head-office user the caller vouches for).
func (o *Org) available(person int64) bool {
	m, ok := o.people[person]
	return !ok || m.eligible
}

// within reports whether person is an eligible member of the snapshot
// placed under anchor in scope.
func (o *Org) within(person int64, scope string, anchor int64) bool {
	m, ok := o.people[person]
	return ok && m.eligible && o.idx.Anchor(m.unit, scope) == anchor
}
