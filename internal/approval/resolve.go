package approval

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
)

// Conflict codes of resolution; see platform.ConflictError.
const (
	// CodeNoApprover: a step with policy EmptyError resolved to nobody.
	CodeNoApprover = "no_approver"
	// CodeAmbiguousApprover: a single-approver step resolved to several people.
	CodeAmbiguousApprover = "ambiguous_approver"
	// CodeUnknownRequester: a step needs the requester's place in the
	// organisation and the snapshot does not have them.
	CodeUnknownRequester = "unknown_requester"
	// CodeConditionFailed: a step's condition could not be evaluated
	// (a division by zero in an expression).
	CodeConditionFailed = "condition_failed"
)

// Stage is one step of a route resolved for one request: who approves
// it, or why it is skipped, and, once the request runs, who has approved
// it in the current round.
type Stage struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	Mode   Mode   `json:"mode"`
	// Approvers are the people who may act on the stage, ascending; never
	// the requester. Empty when skipped.
	Approvers []int64 `json:"approvers"`
	Skipped   bool    `json:"skipped,omitempty"`
	// NoteZh and NoteEn say why a stage is skipped.
	NoteZh string `json:"noteZh,omitempty"`
	NoteEn string `json:"noteEn,omitempty"`
	// Approved lists who approved, in the order they did.
	Approved []int64 `json:"approved,omitempty"`
}

// complete reports whether the stage needs no more approvals.
func (s *Stage) complete() bool {
	if s.Skipped {
		return true
	}
	if s.Mode == ModeCountersign {
		return len(s.Approved) == len(s.Approvers)
	}
	return len(s.Approved) > 0
}

// Resolution is a route resolved for one requester and one set of
// attributes: what Submit and Resubmit put into a request.
type Resolution struct {
	Kind         string             `json:"kind"`
	RouteKey     string             `json:"routeKey"`
	RouteVersion int                `json:"routeVersion"`
	Requester    int64              `json:"requester"`
	Attrs        map[string]float64 `json:"attrs,omitempty"`
	Stages       []Stage            `json:"stages"`
}

// Resolve finds the approvers of every step for a request of requester
// with the given attributes. Steps whose condition does not hold are
// skipped; the requester is removed from every step; a step left with
// nobody is skipped or refused per the step's (or the route's) policy.
//
// Errors: a *platform.ValidationError for a bad requester or attributes
// (fields "requester", "attrs.<name>"); a *platform.ConflictError with a
// Code* code and field "steps.<key>" for a step that cannot be resolved.
// The first step that fails is reported.
func (f *Flow) Resolve(o *Org, requester int64, attrs map[string]float64) (Resolution, error) {
	r := &f.route
	if requester <= 0 {
		return Resolution{}, platform.Invalid("requester", "须指定申请人 the requester is required")
	}
	if err := f.checkAttrs(attrs); err != nil {
		return Resolution{}, err
	}
	// Where the requester sits, looked up once for all steps.
	place, placed := o.people[requester]
	vacant, staffed := false, false
	res := Resolution{Kind: r.Kind, RouteKey: r.Key, RouteVersion: r.Version, Requester: requester,
		Attrs: maps.Clone(attrs), Stages: make([]Stage, len(r.Steps))}
	for i := range r.Steps {
		s := &r.Steps[i]
		st := Stage{Key: s.Key, NameZh: s.NameZh, NameEn: s.NameEn, Mode: s.Mode}
		if c := f.when[i]; c != nil {
			ok, err := c.holds(attrs)
			if err != nil {
				msg := exprMessage(err)
				return Resolution{}, f.stageConflict(s, CodeConditionFailed, "的条件无法计算："+msg, "cannot evaluate its condition: "+msg, err)
			}
			if !ok {
				st.Skipped = true
				st.NoteZh = fmt.Sprintf("条件 %s 不满足（%s），跳过", c.text, c.values(attrs))
				st.NoteEn = fmt.Sprintf("skipped: condition %s does not hold (%s)", c.text, c.values(attrs))
				res.Stages[i] = st
				continue
			}
		}
		ids, outside, err := f.approvers(o, s, requester, place, placed)
		if err != nil {
			return Resolution{}, err
		}
		switch {
		case len(ids) == 0 && f.ifEmpty(s) == EmptySkip:
			zh, en := emptyReason(&s.Approvers, outside)
			st.Skipped = true
			st.NoteZh = zh + "，跳过"
			st.NoteEn = "skipped: " + en
			vacant = true
		case len(ids) == 0:
			zh, en := emptyReason(&s.Approvers, outside)
			return Resolution{}, f.stageConflict(s, CodeNoApprover, "没有审批人："+zh, "has no approver: "+en, nil)
		case len(ids) > 1 && s.Mode == ModeSingle:
			return Resolution{}, f.stageConflict(s, CodeAmbiguousApprover,
				fmt.Sprintf("为单人审批，却有 %d 位审批人（%s）；请改为会签或或签，或调整岗位", len(ids), joinIDs(ids, "、")),
				fmt.Sprintf("is a single-approver step but resolves to %d people (%s); make it countersign or any, or fix the positions", len(ids), joinIDs(ids, ", ")), nil)
		default:
			st.Approvers = ids
			staffed = true
		}
		res.Stages[i] = st
	}
	// Skipping a vacant step is meant to pass a request on to the next
	// approver, never to approve it because every post is vacant. Steps
	// skipped by their conditions alone may approve it: the route says
	// so.
	if vacant && !staffed {
		return Resolution{}, platform.Conflict(CodeNoApprover, "steps", fmt.Sprintf("审批路线「%s」的所有步骤都没有审批人，申请无人可批 approval route %s has no approver at any step: nobody could approve the request",
			r.NameZh, r.Key))
	}
	return res, nil
}

func (f *Flow) ifEmpty(s *Step) EmptyPolicy {
	if s.IfEmpty != "" {
		return s.IfEmpty
	}
	if f.route.IfEmpty != "" {
		return f.route.IfEmpty
	}
	return EmptyError
}

// checkAttrs refuses an attribute the kind does not declare (a typo would
// otherwise silently skip a step), a missing one a condition reads, and a
// value that is not a finite number.
func (f *Flow) checkAttrs(attrs map[string]float64) error {
	var fs platform.Fields // allocated on the first problem only
	for name, v := range attrs {
		switch {
		case !f.attrs[name]:
			fs = add(fs, "attrs."+name, fmt.Sprintf("未知的申请属性 %s（可用：%s） unknown request attribute %s (known: %s)", name, known(f.attrs, "、"), name, known(f.attrs, ", ")))
		case math.IsNaN(v) || math.IsInf(v, 0):
			fs = add(fs, "attrs."+name, fmt.Sprintf("申请属性 %s 须为有限数 request attribute %s must be a finite number", name, name))
		}
	}
	for i, c := range f.when {
		if c == nil {
			continue
		}
		for _, name := range c.attrs {
			if _, ok := attrs[name]; !ok {
				s := &f.route.Steps[i]
				fs = add(fs, "attrs."+name, fmt.Sprintf("审批步骤「%s」的条件需要申请属性 %s step %s's condition needs request attribute %s", s.NameZh, name, s.Key, name))
			}
		}
	}
	return fs.Err()
}

func add(fs platform.Fields, field, msg string) platform.Fields {
	if fs == nil {
		fs = platform.Fields{}
	}
	fs.Add(field, msg)
	return fs
}

// approvers resolves a step's people, without the requester, ascending.
// outside is true when the requester is under no unit of the step's
// scope, which emptyReason tells apart from a vacant post.
func (f *Flow) approvers(o *Org, s *Step, requester int64, place member, placed bool) (ids []int64, outside bool, err error) {
	rv := &s.Approvers
	var anchor int64
	if rv.Scope != "" {
		if !placed {
			return nil, false, f.stageConflict(s, CodeUnknownRequester,
				fmt.Sprintf("申请人 %d 不在组织快照中，无法确定其%s", requester, scopeZh(rv.Scope)),
				fmt.Sprintf("needs the requester's %s, and requester %d is not in the organisation snapshot", rv.Scope, requester), nil)
		}
		if anchor = o.idx.Anchor(place.unit, rv.Scope); anchor == 0 {
			return nil, true, nil
		}
	}
	switch rv.By {
	case ByPosition:
		n := 0
		for _, pos := range rv.Positions {
			n += len(o.rosters[roster{anchor, pos}])
		}
		ids = make([]int64, 0, n)
		for _, pos := range rv.Positions {
			ids = appendExcept(ids, o.rosters[roster{anchor, pos}], requester)
		}
		if len(rv.Positions) > 1 {
			// One person holds one position, so the union has no repeats.
			slices.Sort(ids)
		}
	case ByRole:
		holders := o.roles[rv.Role]
		ids = make([]int64, 0, len(holders))
		for _, id := range holders {
			ok := id != requester
			if rv.Scope != "" {
				ok = ok && o.within(id, rv.Scope, anchor)
			} else {
				ok = ok && o.available(id)
			}
			if ok {
				ids = append(ids, id)
			}
		}
	case ByPerson:
		ids = make([]int64, 0, len(rv.People))
		for _, id := range rv.People {
			if id != requester && o.available(id) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
	}
	if len(ids) == 0 {
		return nil, false, nil
	}
	return ids, false, nil
}

// emptyReason says why a step found nobody, for its skip note or error.
// It is built only then: most steps find someone, and formatting every
// time would cost more than resolving.
func emptyReason(rv *Resolver, outside bool) (zh, en string) {
	switch {
	case outside:
		return fmt.Sprintf("申请人不在任何%s之下", scopeZh(rv.Scope)), fmt.Sprintf("the requester is not under any %s", rv.Scope)
	case rv.By == ByPosition:
		return fmt.Sprintf("本%s没有岗位为 %s 的其他在岗人员", scopeZh(rv.Scope), strings.Join(rv.Positions, "、")),
			fmt.Sprintf("nobody else of position %s is in the requester's %s", strings.Join(rv.Positions, " or "), rv.Scope)
	case rv.By == ByRole && rv.Scope != "":
		return fmt.Sprintf("本%s没有角色 %s 的其他在岗人员", scopeZh(rv.Scope), rv.Role),
			fmt.Sprintf("nobody else holding role %s is in the requester's %s", rv.Role, rv.Scope)
	case rv.By == ByRole:
		return fmt.Sprintf("没有角色 %s 的其他在岗人员", rv.Role), fmt.Sprintf("nobody else available holds role %s", rv.Role)
	}
	return fmt.Sprintf("指定审批人 %s 不在岗或是申请人本人", joinIDs(rv.People, "、")),
		fmt.Sprintf("the named approver(s) %s are not available or are the requester", joinIDs(rv.People, ", "))
}

// appendExcept appends src to dst without skip.
func appendExcept(dst, src []int64, skip int64) []int64 {
	for _, id := range src {
		if id != skip {
			dst = append(dst, id)
		}
	}
	return dst
}

// stageConflict names the route and step in a bilingual conflict. cause,
// when given, stays reachable through errors.Is/As.
func (f *Flow) stageConflict(s *Step, code, zh, en string, cause error) error {
	c := platform.Conflict(code, "steps."+s.Key, fmt.Sprintf("审批路线「%s」步骤「%s」%s approval route %s step %s %s",
		f.route.NameZh, s.NameZh, zh, f.route.Key, s.Key, en))
	if cause != nil {
		return &causedConflict{conflict: c, cause: cause}
	}
	return c
}

// causedConflict is a conflict whose message already tells its cause;
// unlike fmt.Errorf("%w: %w") it does not repeat the cause in Error().
type causedConflict struct {
	conflict *platform.ConflictError
	cause    error
}

func (e *causedConflict) Error() string   { return e.conflict.Error() }
func (e *causedConflict) Unwrap() []error { return []error{e.conflict, e.cause} }

func scopeZh(scope string) string {
	switch scope {
	case assess.ScopeTeam:
		return "团队"
	case assess.ScopeRegion:
		return "区域"
	case assess.ScopeBranch:
		return "营业部"
	}
	return "机构"
}

func joinIDs(ids []int64, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, sep)
}
