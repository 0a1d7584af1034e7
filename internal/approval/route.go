package approval

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
)

// The kinds of request the routes of cmhub serve. A route names one; the
// caller that owns the kind (leave, plans, …) declares its attributes.
const (
	KindLeave   = "leave"
	KindPlan    = "plan"
	KindOutcome = "outcome"
	KindPay     = "pay"
)

// Mode says how many of a stage's approvers must approve.
type Mode string

// The modes of a step.
const (
	// ModeSingle is one approver; a step that resolves to more than one
	// person is a resolution error, so that two deputy managers are never
	// picked between silently.
	ModeSingle Mode = "single"
	// ModeCountersign (会签) needs every resolved approver.
	ModeCountersign Mode = "countersign"
	// ModeAny (或签) needs any one of them.
	ModeAny Mode = "any"
)

// How a step is resolved: Resolver.By.
const (
	// ByPosition is the people of some positions in the requester's team,
	// region, branch or institution: the team lead is position team_lead
	// in scope team, the regional manager regional_manager in scope
	// region, the chief accountant chief_accountant in scope branch.
	ByPosition = "position"
	// ByRole is the holders of a role, supplied by the caller; with a
	// scope, only those in the requester's unit of that scope.
	ByRole = "role"
	// ByPerson is named people.
	ByPerson = "person"
)

// EmptyPolicy says what happens to a step that resolves to nobody once
// the requester is removed.
type EmptyPolicy string

// The empty-step policies.
const (
	// EmptyError refuses the submission, naming the step. It is the
	// default: an approval must not pass because a post is vacant unless
	// the route says so.
	EmptyError EmptyPolicy = "error"
	// EmptySkip passes over the step and records why in the history.
	EmptySkip EmptyPolicy = "skip"
)

// Resolver says who approves a step.
type Resolver struct {
	By        string   `json:"by"`                  // ByPosition, ByRole or ByPerson
	Scope     string   `json:"scope,omitempty"`     // assess.ScopeTeam … ScopeInstitution; required for ByPosition, optional for ByRole
	Positions []string `json:"positions,omitempty"` // ByPosition: position codes, e.g. ["team_lead"]
	Role      string   `json:"role,omitempty"`      // ByRole: role code
	People    []int64  `json:"people,omitempty"`    // ByPerson: person ids
}

// Condition makes a step apply only to some requests. It is either a
// threshold (Attr Op Value, e.g. days > 3) or an expr boolean over the
// attributes (e.g. "days > 3 && amount >= 1000000"), never both.
type Condition struct {
	Attr  string  `json:"attr,omitempty"`
	Op    string  `json:"op,omitempty"` // > >= < <= == !=
	Value float64 `json:"value"`
	Expr  string  `json:"expr,omitempty"`
}

// Step is one step of a route.
type Step struct {
	Key       string      `json:"key"`
	NameZh    string      `json:"nameZh"`
	NameEn    string      `json:"nameEn"`
	Approvers Resolver    `json:"approvers"`
	Mode      Mode        `json:"mode"`
	When      *Condition  `json:"when,omitempty"`    // nil: always applies
	IfEmpty   EmptyPolicy `json:"ifEmpty,omitempty"` // "": the route's
}

// Route is the approval route of one kind of request: ordered steps.
// Routes are versioned data; a request records the key and version it was
// resolved with.
type Route struct {
	Key     string      `json:"key"`
	NameZh  string      `json:"nameZh"`
	NameEn  string      `json:"nameEn"`
	Version int         `json:"version"`
	Kind    string      `json:"kind"`              // KindLeave, KindPlan, …
	IfEmpty EmptyPolicy `json:"ifEmpty,omitempty"` // "" is EmptyError
	Steps   []Step      `json:"steps"`
}

// Attr is a numeric attribute requests of a kind carry (a leave request's
// days, a plan's amount in fen), which conditions may name. Values are
// float64 so half days compare exactly; amounts are passed as integer fen,
// exact up to 2^53.
type Attr struct {
	Name string `json:"name"` // a lowercase identifier: days, amount_fen
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// Limits on route data.
const (
	maxSteps   = 20
	maxPeople  = 50
	maxName    = 50
	maxNameEn  = 100
	maxExpr    = 500
	maxComment = 1000
)

// Flow is a compiled route: checked, conditions compiled once. It is
// immutable and safe for concurrent use.
type Flow struct {
	route Route
	attrs map[string]bool
	when  []*condition // per step; nil when the step always applies
}

// Route returns a copy of the route the flow was compiled from.
func (f *Flow) Route() Route { return cloneRoute(f.route) }

// Compile checks a route against the attributes its kind's requests carry
// and compiles its conditions. Every problem is reported at once in a
// *platform.ValidationError with fields like "steps.<key>.mode"; bad
// attribute declarations are a programming error, returned plainly.
func Compile(r Route, attrs []Attr) (*Flow, error) {
	declared := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if !isIdent(a.Name) || declared[a.Name] {
			return nil, fmt.Errorf("approval: attribute %q is not a lowercase identifier or is declared twice", a.Name)
		}
		declared[a.Name] = true
	}
	r = cloneRoute(r)
	f := platform.Fields{}
	rz, re := routeLabel(r.Key)
	if !isKey(r.Key) {
		f.Add("key", fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线，以字母开头 %s: the key is 2–40 lowercase letters, digits or _, starting with a letter", rz, re))
	}
	checkNames(f, "", rz, re, r.NameZh, r.NameEn)
	if r.Version < 1 {
		f.Add("version", fmt.Sprintf("%s：版本须为正整数 %s: the version must be a positive integer", rz, re))
	}
	if !isKey(r.Kind) {
		f.Add("kind", fmt.Sprintf("%s：须指定适用的申请类型（如 leave、plan） %s: name the kind of request it serves (e.g. leave, plan)", rz, re))
	}
	switch r.IfEmpty {
	case "", EmptyError, EmptySkip:
	default:
		f.Add("ifEmpty", fmt.Sprintf("%s：无审批人时的处理须为 skip（跳过）或 error（报错） %s: ifEmpty must be skip or error", rz, re))
	}
	switch n := len(r.Steps); {
	case n == 0:
		f.Add("steps", fmt.Sprintf("%s：至少需要一个审批步骤 %s: at least one step is needed", rz, re))
	case n > maxSteps:
		f.Add("steps", fmt.Sprintf("%s：最多 %d 个审批步骤 %s: at most %d steps", rz, maxSteps, re, maxSteps))
	}
	flow := &Flow{route: r, attrs: declared, when: make([]*condition, len(r.Steps))}
	seen := map[string]bool{}
	for i := range r.Steps {
		flow.when[i] = checkStep(f, rz, re, i, &r.Steps[i], seen, declared)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return flow, nil
}

// checkStep adds the problems of one step to f and returns its compiled
// condition.
func checkStep(f platform.Fields, rz, re string, i int, s *Step, seen, declared map[string]bool) *condition {
	k := s.Key
	if !isKey(k) {
		k = fmt.Sprint(i + 1)
	}
	p := "steps." + k + "."
	sz, se := fmt.Sprintf("%s 步骤 %s", rz, k), fmt.Sprintf("%s step %s", re, k)
	switch {
	case !isKey(s.Key):
		f.Add(p+"key", fmt.Sprintf("%s：代码须为 2–40 位小写字母、数字或下划线，以字母开头 %s: the key is 2–40 lowercase letters, digits or _, starting with a letter", sz, se))
	case seen[s.Key]:
		f.Add(p+"key", fmt.Sprintf("%s：代码重复 %s: the key is listed twice", sz, se))
	}
	seen[s.Key] = true
	checkNames(f, p, sz, se, s.NameZh, s.NameEn)
	switch s.Mode {
	case ModeSingle, ModeCountersign, ModeAny:
	default:
		f.Add(p+"mode", fmt.Sprintf("%s：审批方式须为 single（单人）、countersign（会签）或 any（或签） %s: the mode must be single, countersign or any", sz, se))
	}
	switch s.IfEmpty {
	case "", EmptyError, EmptySkip:
	default:
		f.Add(p+"ifEmpty", fmt.Sprintf("%s：无审批人时的处理须为 skip 或 error %s: ifEmpty must be skip or error", sz, se))
	}
	checkResolver(f, p+"approvers.", sz, se, &s.Approvers)
	if s.When == nil {
		return nil
	}
	c, bad := compileCondition(*s.When, declared)
	if bad != nil {
		f.Add(p+"when", fmt.Sprintf("%s：%s %s: %s", sz, bad.zh, se, bad.en))
	}
	return c
}

func checkResolver(f platform.Fields, p, sz, se string, r *Resolver) {
	scopeOK := func(required bool) {
		switch r.Scope {
		case assess.ScopeTeam, assess.ScopeRegion, assess.ScopeBranch, assess.ScopeInstitution:
		case "":
			if required {
				f.Add(p+"scope", fmt.Sprintf("%s：须指定范围 team、region、branch 或 institution %s: the scope must be team, region, branch or institution", sz, se))
			}
		default:
			f.Add(p+"scope", fmt.Sprintf("%s：范围须为 team、region、branch 或 institution %s: the scope must be team, region, branch or institution", sz, se))
		}
	}
	// Fields of another resolver kind are refused rather than ignored: a
	// route that says role and lists people is a mistake to show.
	stray := func(ok bool, field string) {
		if !ok {
			f.Add(p+field, fmt.Sprintf("%s：审批人方式 %s 不使用 %s %s: approvers by %s take no %s", sz, r.By, field, se, r.By, field))
		}
	}
	switch r.By {
	case ByPosition:
		scopeOK(true)
		switch {
		case len(r.Positions) == 0:
			f.Add(p+"positions", fmt.Sprintf("%s：须指定审批人岗位 %s: name the approvers' positions", sz, se))
		case !allKeys(r.Positions):
			f.Add(p+"positions", fmt.Sprintf("%s：岗位代码无效 %s: a position code is not valid", sz, se))
		case hasDuplicate(r.Positions):
			f.Add(p+"positions", fmt.Sprintf("%s：岗位重复 %s: a position is listed twice", sz, se))
		}
		stray(r.Role == "", "role")
		stray(len(r.People) == 0, "people")
	case ByRole:
		scopeOK(false)
		if !isKey(r.Role) {
			f.Add(p+"role", fmt.Sprintf("%s：须指定有效的角色代码 %s: name a valid role code", sz, se))
		}
		stray(len(r.Positions) == 0, "positions")
		stray(len(r.People) == 0, "people")
	case ByPerson:
		switch {
		case len(r.People) == 0:
			f.Add(p+"people", fmt.Sprintf("%s：须指定审批人 %s: name the approvers", sz, se))
		case len(r.People) > maxPeople:
			f.Add(p+"people", fmt.Sprintf("%s：最多指定 %d 人 %s: at most %d people", sz, maxPeople, se, maxPeople))
		case slices.ContainsFunc(r.People, func(id int64) bool { return id <= 0 }):
			f.Add(p+"people", fmt.Sprintf("%s：人员编号须为正整数 %s: person ids must be positive", sz, se))
		case hasDuplicate(r.People):
			f.Add(p+"people", fmt.Sprintf("%s：人员重复 %s: a person is listed twice", sz, se))
		}
		stray(r.Scope == "", "scope")
		stray(len(r.Positions) == 0, "positions")
		stray(r.Role == "", "role")
	default:
		f.Add(p+"by", fmt.Sprintf("%s：审批人须按 position（岗位）、role（角色）或 person（指定人员）确定 %s: approvers are by position, role or person", sz, se))
	}
}

func checkNames(f platform.Fields, p, sz, se, zh, en string) {
	if strings.TrimSpace(zh) == "" || utf8.RuneCountInString(zh) > maxName {
		f.Add(p+"nameZh", fmt.Sprintf("%s：中文名称必填，最多 %d 个字 %s: a Chinese name is required, at most %d characters", sz, maxName, se, maxName))
	}
	if utf8.RuneCountInString(en) > maxNameEn {
		f.Add(p+"nameEn", fmt.Sprintf("%s：英文名称最多 %d 个字符 %s: the English name has at most %d characters", sz, maxNameEn, se, maxNameEn))
	}
}

func routeLabel(key string) (zh, en string) {
	if key == "" {
		key = "?"
	}
	return "审批路线 " + key, "approval route " + key
}

// isKey reports whether s is a code: 2–40 of a-z 0-9 _, starting with a
// letter (the rule of every other code in cmhub). Written out rather than
// a package-level regexp, which would be a global.
func isKey(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	return isIdent(s)
}

// isIdent reports whether s is a lowercase identifier expr can name.
func isIdent(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func allKeys(ss []string) bool {
	for _, s := range ss {
		if !isKey(s) {
			return false
		}
	}
	return true
}

func hasDuplicate[T comparable](vs []T) bool {
	seen := make(map[T]bool, len(vs))
	for _, v := range vs {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}

// cloneRoute copies every slice, so a Flow is not changed through the
// caller's route and Route() hands out nothing the flow shares.
func cloneRoute(r Route) Route {
	r.Steps = slices.Clone(r.Steps)
	for i := range r.Steps {
		s := &r.Steps[i]
		s.Approvers.Positions = slices.Clone(s.Approvers.Positions)
		s.Approvers.People = slices.Clone(s.Approvers.People)
		if s.When != nil {
			w := *s.When
			s.When = &w
		}
	}
	return r
}
