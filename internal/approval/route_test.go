package approval_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"cmhub/internal/approval"
	"cmhub/internal/platform"
)

// leaveAttrs are the attributes the tests' leave requests carry.
func leaveAttrs() []approval.Attr {
	return []approval.Attr{{Name: "days", Zh: "请假天数", En: "days of leave"}, {Name: "amount", Zh: "金额（分）", En: "amount in fen"}}
}

// leaveRoute is the route most tests use: the team lead, then the
// regional manager, then the branch's chief accountant for leave over
// three days, then the deputy managers together.
func leaveRoute() approval.Route {
	return approval.Route{Key: "leave_default", NameZh: "请假审批", NameEn: "Leave approval", Version: 1, Kind: approval.KindLeave,
		Steps: []approval.Step{
			{Key: "team_lead", NameZh: "团队负责人审批", NameEn: "Team lead", Mode: approval.ModeSingle, IfEmpty: approval.EmptySkip,
				Approvers: approval.Resolver{By: approval.ByPosition, Scope: "team", Positions: []string{"team_lead"}}},
			{Key: "rm", NameZh: "区域经理审批", NameEn: "Regional manager", Mode: approval.ModeSingle,
				Approvers: approval.Resolver{By: approval.ByPosition, Scope: "region", Positions: []string{"regional_manager"}}},
			{Key: "accountant", NameZh: "主办会计审核", NameEn: "Chief accountant", Mode: approval.ModeSingle,
				Approvers: approval.Resolver{By: approval.ByPosition, Scope: "branch", Positions: []string{"chief_accountant"}},
				When:      &approval.Condition{Attr: "days", Op: ">", Value: 3}},
			{Key: "deputies", NameZh: "副总经理会签", NameEn: "Deputy GMs countersign", Mode: approval.ModeCountersign,
				Approvers: approval.Resolver{By: approval.ByPosition, Scope: "branch", Positions: []string{"deputy_gm"}}},
		}}
}

func mustCompile(t testing.TB, r approval.Route) *approval.Flow {
	t.Helper()
	f, err := approval.Compile(r, leaveAttrs())
	if err != nil {
		t.Fatalf("compile %s: %v", r.Key, err)
	}
	return f
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *platform.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	return ve.Fields
}

func TestCompileRefuses(t *testing.T) {
	pos := approval.Resolver{By: approval.ByPosition, Scope: "team", Positions: []string{"team_lead"}}
	step := func(mut func(*approval.Step)) func(*approval.Route) {
		return func(r *approval.Route) { mut(&r.Steps[0]) }
	}
	for _, tc := range []struct {
		name  string
		mut   func(*approval.Route)
		field string
		text  string // part of the message
	}{
		{"bad key", func(r *approval.Route) { r.Key = "Leave" }, "key", "lowercase"},
		{"no Chinese name", func(r *approval.Route) { r.NameZh = " " }, "nameZh", "中文名称"},
		{"no version", func(r *approval.Route) { r.Version = 0 }, "version", "positive"},
		{"no kind", func(r *approval.Route) { r.Kind = "" }, "kind", "kind of request"},
		{"bad route policy", func(r *approval.Route) { r.IfEmpty = "ignore" }, "ifEmpty", "skip or error"},
		{"no steps", func(r *approval.Route) { r.Steps = nil }, "steps", "at least one step"},
		{"too many steps", func(r *approval.Route) {
			for len(r.Steps) <= 20 {
				s := r.Steps[0]
				s.Key = "s" + strings.Repeat("x", len(r.Steps))
				r.Steps = append(r.Steps, s)
			}
		}, "steps", "at most 20"},
		{"duplicate step", func(r *approval.Route) { r.Steps[1].Key = "team_lead" }, "steps.team_lead.key", "twice"},
		{"bad step key", step(func(s *approval.Step) { s.Key = "x" }), "steps.1.key", "lowercase"},
		{"bad mode", step(func(s *approval.Step) { s.Mode = "all" }), "steps.team_lead.mode", "single, countersign or any"},
		{"bad step policy", step(func(s *approval.Step) { s.IfEmpty = "maybe" }), "steps.team_lead.ifEmpty", "skip or error"},
		{"unknown resolver", step(func(s *approval.Step) { s.Approvers = approval.Resolver{By: "boss"} }), "steps.team_lead.approvers.by", "position, role or person"},
		{"position without scope", step(func(s *approval.Step) { s.Approvers.Scope = "" }), "steps.team_lead.approvers.scope", "scope"},
		{"position with bad scope", step(func(s *approval.Step) { s.Approvers.Scope = "group" }), "steps.team_lead.approvers.scope", "scope"},
		{"position without positions", step(func(s *approval.Step) { s.Approvers.Positions = nil }), "steps.team_lead.approvers.positions", "positions"},
		{"repeated position", step(func(s *approval.Step) { s.Approvers.Positions = []string{"team_lead", "team_lead"} }), "steps.team_lead.approvers.positions", "twice"},
		{"position with people", step(func(s *approval.Step) { s.Approvers.People = []int64{1} }), "steps.team_lead.approvers.people", "take no people"},
		{"role without code", step(func(s *approval.Step) { s.Approvers = approval.Resolver{By: approval.ByRole} }), "steps.team_lead.approvers.role", "role code"},
		{"role with positions", step(func(s *approval.Step) {
			s.Approvers = approval.Resolver{By: approval.ByRole, Role: "finance", Positions: []string{"x1"}}
		}), "steps.team_lead.approvers.positions", "take no positions"},
		{"person without people", step(func(s *approval.Step) { s.Approvers = approval.Resolver{By: approval.ByPerson} }), "steps.team_lead.approvers.people", "name the approvers"},
		{"person id zero", step(func(s *approval.Step) { s.Approvers = approval.Resolver{By: approval.ByPerson, People: []int64{0}} }), "steps.team_lead.approvers.people", "positive"},
		{"person repeated", step(func(s *approval.Step) { s.Approvers = approval.Resolver{By: approval.ByPerson, People: []int64{3, 3}} }), "steps.team_lead.approvers.people", "twice"},
		{"person with scope", step(func(s *approval.Step) {
			s.Approvers = approval.Resolver{By: approval.ByPerson, People: []int64{3}, Scope: "team"}
		}), "steps.team_lead.approvers.scope", "take no scope"},
		{"empty condition", step(func(s *approval.Step) { s.When = &approval.Condition{} }), "steps.team_lead.when", "threshold"},
		{"unknown attribute", step(func(s *approval.Step) { s.When = &approval.Condition{Attr: "hours", Op: ">", Value: 1} }), "steps.team_lead.when", "known: amount, days"},
		{"bad operator", step(func(s *approval.Step) { s.When = &approval.Condition{Attr: "days", Op: "=>", Value: 1} }), "steps.team_lead.when", "comparison"},
		{"threshold and expression", step(func(s *approval.Step) {
			s.When = &approval.Condition{Attr: "days", Op: ">", Value: 1, Expr: "days > 1"}
		}), "steps.team_lead.when", "not both"},
		{"blank expression", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "  "} }), "steps.team_lead.when", "empty"},
		{"expression with unknown name", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "days > 3 && hours > 2"} }), "steps.team_lead.when", "unknown attribute hours (known: amount, days) (line 1, column 13)"},
		{"expression not boolean", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "days + 1"} }), "steps.team_lead.when", "true/false"},
		{"expression with text", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: `len("abc") > 1`} }), "steps.team_lead.when", "text is not allowed in a condition (line 1, column 5)"},
		{"expression with another builtin", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "round(days) > 1"} }), "steps.team_lead.when", "function round"},
		{"expression with a list", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "days in [1, 2]"} }), "steps.team_lead.when", "lists are not allowed"},
		{"expression with a range", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "days in 1..100000000"} }), "steps.team_lead.when", "operator .."},
		{"expression with a variable", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "let x = days; x > 1"} }), "steps.team_lead.when", "unknown attribute x"},
		{"expression with member access", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "days[0] > 1"} }), "steps.team_lead.when", "only attributes"},
		{"expression with a closure", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "any([days], # > 1)"} }), "steps.team_lead.when", "lists are not allowed"},
		{"expression with ??", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "(days ?? 1) > 0"} }), "steps.team_lead.when", "operator ??"},
		{"expression with a call", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "foo(days)"} }), "steps.team_lead.when", "unknown attribute foo (known: amount, days) (line 1, column 1)"},
		{"expression syntax", step(func(s *approval.Step) { s.When = &approval.Condition{Expr: "days >"} }), "steps.team_lead.when", "syntax error in the condition: unexpected token EOF (line 1, column 6)"},
		{"expression too long", step(func(s *approval.Step) {
			s.When = &approval.Condition{Expr: "days > 1" + strings.Repeat(" ", 600) + "|| days > 2"}
		}), "steps.team_lead.when", "at most 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := leaveRoute()
			r.Steps[0].Approvers = pos
			tc.mut(&r)
			_, err := approval.Compile(r, leaveAttrs())
			got := fieldsOf(t, err)
			msg, ok := got[tc.field]
			if !ok {
				t.Fatalf("no message for %s; got %v", tc.field, got)
			}
			if !strings.Contains(msg, tc.text) {
				t.Errorf("%s: %q does not say %q", tc.field, msg, tc.text)
			}
		})
	}
}

func TestCompileReportsEveryProblem(t *testing.T) {
	r := leaveRoute()
	r.Key, r.Steps[0].Mode, r.Steps[2].When.Op = "", "x", "~"
	got := fieldsOf(t, func() error { _, err := approval.Compile(r, leaveAttrs()); return err }())
	for _, f := range []string{"key", "steps.team_lead.mode", "steps.accountant.when"} {
		if _, ok := got[f]; !ok {
			t.Errorf("no message for %s; got %v", f, got)
		}
	}
}

func TestCompileRefusesBadAttributeDeclarations(t *testing.T) {
	for _, attrs := range [][]approval.Attr{{{Name: "Days"}}, {{Name: "days"}, {Name: "days"}}, {{Name: ""}}} {
		if _, err := approval.Compile(leaveRoute(), attrs); err == nil {
			t.Errorf("%v accepted", attrs)
		}
	}
}

// The flow keeps its own copy: changing the caller's route afterwards,
// or the copy Route returns, changes nothing.
func TestFlowIsImmutable(t *testing.T) {
	r := leaveRoute()
	f := mustCompile(t, r)
	want := leaveRoute()
	r.Steps[0].Approvers.Positions[0] = "changed"
	r.Steps[2].When.Value = 100
	got := f.Route()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("flow changed through the caller's route:\n%+v", got)
	}
	got.Steps[1].Approvers.Positions[0] = "changed"
	if !reflect.DeepEqual(f.Route(), want) {
		t.Fatal("flow changed through Route()")
	}
}
