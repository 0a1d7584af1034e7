// Package access holds who is acting (Principal), what they may do
// (permissions) and which people they may see (Scope). Every store query
// that returns people takes a Scope; the zero Scope sees nobody.
package access

import (
	"context"
	"slices"
)

// Permission is a menu, button or API right.
type Permission string

// The permission catalogue. Roles grant subsets of it.
const (
	OrgRead      Permission = "org:read"
	OrgWrite     Permission = "org:write"
	PeopleRead   Permission = "people:read"
	PeopleWrite  Permission = "people:write"
	PeopleImport Permission = "people:import"
	PeopleExport Permission = "people:export"
	PeoplePII    Permission = "people:pii" // unmasked ID numbers and phones
	AuditRead    Permission = "audit:read"
	PeriodRead   Permission = "period:read"
	PeriodManage Permission = "period:manage"
	UserManage   Permission = "user:manage"

	CustomerRead   Permission = "customer:read"
	CustomerWrite  Permission = "customer:write" // create, edit, attribute, transfer, confirmation forms
	CustomerImport Permission = "customer:import"
	CustomerExport Permission = "customer:export"
	CustomerPII    Permission = "customer:pii" // unmasked customer ID numbers and phones
	MetricRead     Permission = "metric:read"
	MetricManage   Permission = "metric:manage"
	TargetRead     Permission = "target:read"   // the target tree within the data scope
	TargetManage   Permission = "target:manage" // set and decompose targets of units in scope
	RecordRead     Permission = "record:read"   // business records credited within the data scope, and the import log
	RecordImport   Permission = "record:import" // import business records for the whole institution
	StatsRead      Permission = "stats:read"    // business statistics of the units and people in scope
	StatsExport    Permission = "stats:export"
	AssessRead     Permission = "assess:read"   // assessment results of the people and teams in scope
	AssessManage   Permission = "assess:manage" // open and run cycles, reopen sheets, edit scorecards
	// Attendance (SPEC §2): the records and monthly summaries of the people
	// in scope; entering and correcting them; the working calendar and the
	// attendance rules of the institution.
	AttendanceRead   Permission = "attendance:read"
	AttendanceManage Permission = "attendance:manage"
	CalendarManage   Permission = "calendar:manage"
	// Pay (SPEC §6): the plans and the statements of the people in scope;
	// editing the plans.
	PayRead   Permission = "pay:read"
	PayManage Permission = "pay:manage"
)

// AllPermissions lists the catalogue in display order.
func AllPermissions() []Permission {
	return []Permission{OrgRead, OrgWrite, PeopleRead, PeopleWrite, PeopleImport, PeopleExport,
		PeoplePII, AuditRead, PeriodRead, PeriodManage, UserManage,
		CustomerRead, CustomerWrite, CustomerImport, CustomerExport, CustomerPII, MetricRead, MetricManage,
		TargetRead, TargetManage, RecordRead, RecordImport, StatsRead, StatsExport, AssessRead, AssessManage,
		AttendanceRead, AttendanceManage, CalendarManage, PayRead, PayManage}
}

// Level is a data-scope level of a role.
type Level string

// Data-scope levels, narrowest first.
const (
	LevelSelf        Level = "self"
	LevelGroup       Level = "group"
	LevelTeam        Level = "team"
	LevelRegion      Level = "region"
	LevelBranch      Level = "branch"
	LevelInstitution Level = "institution"
)

// Scope is the set of people a principal may see: everyone in the
// institution, everyone whose unit lies in one of the subtrees rooted at
// Units, and the principal's own person record. The zero value sees nobody.
type Scope struct {
	Institution int64   // always set for a real principal; nobody crosses institutions
	All         bool    // the whole institution
	Units       []int64 // roots of visible subtrees
	Self        int64   // own person id, 0 if none
}

// Empty reports whether the scope can see nothing at all.
func (s Scope) Empty() bool {
	return s.Institution == 0 || (!s.All && len(s.Units) == 0 && s.Self == 0)
}

// Grant is one resolved data-scope grant, for display ("本区域: 第一区域").
type Grant struct {
	Level    Level  `json:"level"`
	UnitID   int64  `json:"unitId,omitempty"`
	UnitName string `json:"unitName,omitempty"`
}

// Principal is the authenticated actor of a request.
type Principal struct {
	UserID      int64
	Username    string
	DisplayName string
	PersonID    int64 // 0 for system users such as the administrator
	UnitID      int64 // the person's unit today, 0 if none
	Institution int64
	Permissions []Permission
	Scope       Scope
	Grants      []Grant
	SessionID   string // hash of the session token, or "" for API tokens
	TokenID     int64  // API token id, or 0
}

// Can reports whether the principal holds p.
func (p *Principal) Can(perm Permission) bool {
	return p != nil && slices.Contains(p.Permissions, perm)
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// System is the principal used by CLI commands and the demo loader: it acts
// on one institution with every permission.
func System(institution int64, name string) *Principal {
	return &Principal{Username: name, DisplayName: name, Institution: institution,
		Permissions: AllPermissions(), Scope: Scope{Institution: institution, All: true}}
}
