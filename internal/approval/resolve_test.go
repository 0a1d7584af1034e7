package approval_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"cmhub/internal/approval"
	"cmhub/internal/assess"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// testSnapshot is one institution:
//
//	institution 1: head-office department 70 (brokerage office 7)
//	  branch 10: GM 1, deputy GMs 2 and 3; finance department 12 (chief accountant 4, finance staff 8 terminated)
//	    region 20: RM 100
//	      team 21: team lead 110, CMs 102 and 103; group 22 under it: CM 104
//	      team 25: no team lead; CM 105
//	    region 30: RM 300 suspended; team 31: team lead 310, CM 301
//	  branch 50: GM 5; finance department 51 (chief accountant 6)
//	    region 60: RM 600; team 61: team lead 610, CM 601
func testSnapshot() assess.Snapshot {
	u := func(id, parent int64, k org.Kind) assess.Unit { return assess.Unit{ID: id, ParentID: parent, Kind: k} }
	p := func(id, unit int64, pos, status string) assess.Person {
		return assess.Person{ID: id, UnitID: unit, Position: pos, Status: status}
	}
	return assess.Snapshot{AsOf: platform.NewDate(2026, 3, 2),
		Units: []assess.Unit{u(1, 0, org.Institution), u(70, 1, org.Department),
			u(10, 1, org.Branch), u(12, 10, org.Department), u(20, 10, org.Region), u(21, 20, org.Team), u(22, 21, org.Group),
			u(25, 20, org.Team), u(30, 10, org.Region), u(31, 30, org.Team),
			u(50, 1, org.Branch), u(51, 50, org.Department), u(60, 50, org.Region), u(61, 60, org.Team)},
		People: []assess.Person{
			p(7, 70, "ho_brokerage", "active"),
			p(1, 10, "general_manager", "active"), p(2, 10, "deputy_gm", "active"), p(3, 10, "deputy_gm", "active"),
			p(4, 12, "chief_accountant", "active"), p(8, 12, "finance_staff", "terminated"),
			p(100, 20, "regional_manager", "active"),
			p(110, 21, "team_lead", "active"), p(102, 21, "sales_cm", "active"), p(103, 21, "sales_cm", "probation"),
			p(104, 22, "sales_cm", "active"), p(105, 25, "sales_cm", "active"),
			p(300, 30, "regional_manager", "suspended"), p(310, 31, "team_lead", "active"), p(301, 31, "sales_cm", "active"),
			p(5, 50, "general_manager", "active"), p(6, 51, "chief_accountant", "active"),
			p(600, 60, "regional_manager", "active"), p(610, 61, "team_lead", "active"), p(601, 61, "sales_cm", "active"),
		}}
}

// testRoles: finance lists someone twice and a terminated holder; hr is
// held by a head-office user who is not in the snapshot.
func testRoles() map[string][]int64 {
	return map[string][]int64{"finance": {6, 4, 8, 4}, "hr": {900}, "gm": {5, 1}}
}

func testOrg(t testing.TB) *approval.Org {
	t.Helper()
	o, err := approval.NewOrg(testSnapshot(), approval.OrgOptions{Roles: testRoles()})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// oneStep is a route whose first step, under test, is skipped when it
// finds nobody, so a test sees either the approvers or the note; a named
// head-office approver follows, so the route always has someone.
func oneStep(rv approval.Resolver) approval.Route {
	return approval.Route{Key: "one", NameZh: "单步", NameEn: "One step", Version: 1, Kind: approval.KindLeave, IfEmpty: approval.EmptySkip,
		Steps: []approval.Step{{Key: "only", NameZh: "受测步骤", Mode: approval.ModeAny, Approvers: rv},
			{Key: "fallback", NameZh: "总部审批", Mode: approval.ModeSingle, Approvers: approval.Resolver{By: approval.ByPerson, People: []int64{900}}}}}
}

func TestResolvers(t *testing.T) {
	o := testOrg(t)
	position := func(scope string, positions ...string) approval.Resolver {
		return approval.Resolver{By: approval.ByPosition, Scope: scope, Positions: positions}
	}
	role := func(code, scope string) approval.Resolver {
		return approval.Resolver{By: approval.ByRole, Role: code, Scope: scope}
	}
	person := func(ids ...int64) approval.Resolver { return approval.Resolver{By: approval.ByPerson, People: ids} }
	for _, tc := range []struct {
		name      string
		requester int64
		rv        approval.Resolver
		want      []int64
		note      string // part of the skip note when want is empty
	}{
		{"team lead of a CM", 102, position("team", "team_lead"), []int64{110}, ""},
		{"team lead of a CM in a group of the team", 104, position("team", "team_lead"), []int64{110}, ""},
		{"team lead asking: not themselves", 110, position("team", "team_lead"), nil, "nobody else of position team_lead is in the requester's team"},
		{"team without a lead", 105, position("team", "team_lead"), nil, "nobody else of position team_lead"},
		{"requester above any team", 100, position("team", "team_lead"), nil, "not under any team"},
		{"regional manager of a CM", 104, position("region", "regional_manager"), []int64{100}, ""},
		{"suspended regional manager does not approve", 301, position("region", "regional_manager"), nil, "nobody else of position regional_manager"},
		{"branch's chief accountant", 102, position("branch", "chief_accountant"), []int64{4}, ""},
		{"the other branch's chief accountant", 601, position("branch", "chief_accountant"), []int64{6}, ""},
		{"branch's deputy GMs", 103, position("branch", "deputy_gm"), []int64{2, 3}, ""},
		{"a deputy GM asking: the other one", 2, position("branch", "deputy_gm"), []int64{3}, ""},
		{"two positions", 102, position("branch", "general_manager", "deputy_gm"), []int64{1, 2, 3}, ""},
		{"institution scope", 102, position("institution", "general_manager"), []int64{1, 5}, ""},
		{"role without scope: available holders", 102, role("finance", ""), []int64{4, 6}, ""},
		{"role within the branch", 601, role("finance", "branch"), []int64{6}, ""},
		{"role held outside the snapshot", 102, role("hr", ""), []int64{900}, ""},
		{"role nobody holds", 102, role("auditor", ""), nil, "nobody else available holds role auditor"},
		{"role within a branch the requester is not under", 7, role("finance", "branch"), nil, "not under any branch"},
		{"role held only by the requester", 4, role("finance", "branch"), nil, "holding role finance"},
		{"named person outside the snapshot", 102, person(900), []int64{900}, ""},
		{"named people without the requester", 102, person(102, 4), []int64{4}, ""},
		{"named people sorted", 102, person(6, 4), []int64{4, 6}, ""},
		{"named terminated person", 102, person(8), nil, "not available"},
		{"named people for an unknown requester", 999, person(4), []int64{4}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustCompile(t, oneStep(tc.rv))
			res, err := f.Resolve(o, tc.requester, nil)
			if err != nil {
				t.Fatal(err)
			}
			st := res.Stages[0]
			if !reflect.DeepEqual(st.Approvers, tc.want) && (len(st.Approvers) != 0 || len(tc.want) != 0) {
				t.Fatalf("approvers %v, want %v", st.Approvers, tc.want)
			}
			if st.Skipped != (len(tc.want) == 0) {
				t.Fatalf("skipped %v with approvers %v", st.Skipped, st.Approvers)
			}
			if tc.note != "" && !strings.Contains(st.NoteEn, tc.note) {
				t.Errorf("note %q does not say %q", st.NoteEn, tc.note)
			}
			if st.Skipped && st.NoteZh == "" {
				t.Error("no Chinese note")
			}
		})
	}
}

func conflictOf(t *testing.T, err error) *platform.ConflictError {
	t.Helper()
	var ce *platform.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("want a conflict, got %v", err)
	}
	return ce
}

// A step that finds nobody is skipped or refused, by the step's policy,
// else the route's, else refused.
func TestEmptyStepSkipOrError(t *testing.T) {
	o := testOrg(t)
	for _, tc := range []struct {
		name        string
		route, step approval.EmptyPolicy
		skip        bool
	}{
		{"default refuses", "", "", false},
		{"route skips", approval.EmptySkip, "", true},
		{"route refuses", approval.EmptyError, "", false},
		{"step skips in a refusing route", approval.EmptyError, approval.EmptySkip, true},
		{"step refuses in a skipping route", approval.EmptySkip, approval.EmptyError, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := leaveRoute()
			r.IfEmpty, r.Steps[0].IfEmpty = tc.route, tc.step
			// 105's team has no lead.
			res, err := mustCompile(t, r).Resolve(o, 105, map[string]float64{"days": 1})
			if tc.skip {
				if err != nil {
					t.Fatal(err)
				}
				if !res.Stages[0].Skipped || !strings.Contains(res.Stages[0].NoteZh, "没有岗位为 team_lead") {
					t.Fatalf("stage %+v", res.Stages[0])
				}
				return
			}
			ce := conflictOf(t, err)
			if ce.Code != approval.CodeNoApprover || ce.Field != "steps.team_lead" {
				t.Fatalf("conflict %s on %s", ce.Code, ce.Field)
			}
			for _, part := range []string{"请假审批", "团队负责人审批", "leave_default", "step team_lead has no approver"} {
				if !strings.Contains(ce.Message, part) {
					t.Errorf("message %q does not name %q", ce.Message, part)
				}
			}
		})
	}
}

// Skipping vacant steps passes a request on; it never approves one
// because every post is vacant. Conditions alone may skip every step.
func TestEveryStepVacant(t *testing.T) {
	r := oneStep(approval.Resolver{By: approval.ByPosition, Scope: "team", Positions: []string{"team_lead"}})
	r.Steps = r.Steps[:1]
	r.Steps = append(r.Steps, approval.Step{Key: "rm", NameZh: "区域经理审批", Mode: approval.ModeSingle,
		Approvers: approval.Resolver{By: approval.ByPosition, Scope: "region", Positions: []string{"regional_manager"}},
		When:      &approval.Condition{Attr: "days", Op: ">", Value: 3}})
	f := mustCompile(t, r)
	o := testOrg(t)
	// 105: no team lead; the RM's step does not apply to one day.
	_, err := f.Resolve(o, 105, map[string]float64{"days": 1})
	if ce := conflictOf(t, err); ce.Code != approval.CodeNoApprover || ce.Field != "steps" || !strings.Contains(ce.Message, "nobody could approve") {
		t.Fatalf("%s on %s: %s", ce.Code, ce.Field, ce.Message)
	}
	// With five days the RM approves.
	if _, err := f.Resolve(o, 105, map[string]float64{"days": 5}); err != nil {
		t.Fatal(err)
	}
	// 102 has a team lead; with the condition skipping the RM, fine too.
	if _, err := f.Resolve(o, 102, map[string]float64{"days": 1}); err != nil {
		t.Fatal(err)
	}
	// A route of conditional steps only, none applying: approved at once.
	r.Steps = r.Steps[1:]
	res, err := mustCompile(t, r).Resolve(o, 102, map[string]float64{"days": 1})
	if err != nil {
		t.Fatal(err)
	}
	req, notes, err := approval.Submit(1, res, at(0))
	if err != nil || req.Status != approval.StatusApproved || len(notes) != 1 || notes[0].Event != approval.EventApproved {
		t.Fatalf("%+v %v %v", req, notes, err)
	}
}

func TestResolveRefuses(t *testing.T) {
	o := testOrg(t)
	single := func(scope, pos string) approval.Route {
		r := oneStep(approval.Resolver{By: approval.ByPosition, Scope: scope, Positions: []string{pos}})
		r.Steps[0].Mode = approval.ModeSingle
		return r
	}
	cond := func(expr string) approval.Route {
		r := leaveRoute()
		r.Steps[2].When = &approval.Condition{Expr: expr}
		return r
	}
	for _, tc := range []struct {
		name      string
		route     approval.Route
		requester int64
		attrs     map[string]float64
		code      string // conflict code, or
		field     string // validation field
	}{
		{"single step with two approvers", single("branch", "deputy_gm"), 102, nil, approval.CodeAmbiguousApprover, ""},
		{"requester not in the snapshot", single("team", "team_lead"), 999, nil, approval.CodeUnknownRequester, ""},
		{"no requester", single("team", "team_lead"), 0, nil, "", "requester"},
		{"unknown attribute", leaveRoute(), 102, map[string]float64{"days": 1, "dayz": 2}, "", "attrs.dayz"},
		{"attribute a condition needs is missing", leaveRoute(), 102, nil, "", "attrs.days"},
		{"attribute not a number", leaveRoute(), 102, map[string]float64{"days": math.NaN()}, "", "attrs.days"},
		{"attribute infinite", leaveRoute(), 102, map[string]float64{"days": math.Inf(1)}, "", "attrs.days"},
		{"expression divides by zero", cond("amount / days > 100"), 102, map[string]float64{"days": 0, "amount": 5}, approval.CodeConditionFailed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mustCompile(t, tc.route).Resolve(o, tc.requester, tc.attrs)
			if tc.code != "" {
				if ce := conflictOf(t, err); ce.Code != tc.code || !strings.HasPrefix(ce.Field, "steps.") {
					t.Fatalf("conflict %s on %q: %s", ce.Code, ce.Field, ce.Message)
				}
				return
			}
			if _, ok := fieldsOf(t, err)[tc.field]; !ok {
				t.Fatalf("no message for %s: %v", tc.field, err)
			}
		})
	}
}

func TestConditionFailureKeepsItsCause(t *testing.T) {
	r := leaveRoute()
	r.Steps[2].When = &approval.Condition{Expr: "amount / days > 100"}
	_, err := mustCompile(t, r).Resolve(testOrg(t), 102, map[string]float64{"days": 0, "amount": 5})
	if !errors.Is(err, metric.ErrDivisionByZero) {
		t.Fatalf("cause lost: %v", err)
	}
	// The message tells the cause once per language, not again at the end.
	if ce := conflictOf(t, err); err.Error() != ce.Message || !strings.Contains(ce.Message, "division by zero") {
		t.Errorf("error %q, message %q", err.Error(), ce.Message)
	}
}

func TestConditionSkipsSteps(t *testing.T) {
	o := testOrg(t)
	for _, tc := range []struct {
		name string
		when approval.Condition
		days float64
		skip bool
		note string
	}{
		{"threshold not reached", approval.Condition{Attr: "days", Op: ">", Value: 3}, 3, true, "condition days > 3 does not hold (days = 3)"},
		{"threshold passed", approval.Condition{Attr: "days", Op: ">", Value: 3}, 3.5, false, ""},
		{"at least", approval.Condition{Attr: "days", Op: ">=", Value: 3}, 3, false, ""},
		{"below", approval.Condition{Attr: "days", Op: "<", Value: 1}, 0.5, false, ""},
		{"at most", approval.Condition{Attr: "days", Op: "<=", Value: 1}, 2, true, "days <= 1"},
		{"equal", approval.Condition{Attr: "days", Op: "==", Value: 0.5}, 0.5, false, ""},
		{"not equal", approval.Condition{Attr: "days", Op: "!=", Value: 0.5}, 0.5, true, "days != 0.5"},
		{"expression holds", approval.Condition{Expr: "days > 3 || amount >= 100000"}, 1, false, ""},
		{"expression does not hold", approval.Condition{Expr: "max(days, 2) > 3 && amount > 0"}, 1, true, "(amount = 100000, days = 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := leaveRoute()
			r.Steps[2].When = &tc.when
			res, err := mustCompile(t, r).Resolve(o, 102, map[string]float64{"days": tc.days, "amount": 100000})
			if err != nil {
				t.Fatal(err)
			}
			st := res.Stages[2]
			if st.Skipped != tc.skip {
				t.Fatalf("skipped %v, want %v", st.Skipped, tc.skip)
			}
			if tc.skip && (!strings.Contains(st.NoteEn, tc.note) || st.Approvers != nil) {
				t.Fatalf("stage %+v, want note %q", st, tc.note)
			}
			if !tc.skip && !reflect.DeepEqual(st.Approvers, []int64{4}) {
				t.Fatalf("approvers %v", st.Approvers)
			}
		})
	}
}

// A condition-skipped step is not resolved: nobody needs to hold it, so a
// vacant post behind a condition that does not hold blocks nothing.
func TestConditionSkippedStepIsNotResolved(t *testing.T) {
	r := leaveRoute()
	r.Steps[2].Approvers.Positions = []string{"vacant_post"}
	f := mustCompile(t, r)
	if _, err := f.Resolve(testOrg(t), 102, map[string]float64{"days": 1}); err != nil {
		t.Fatal(err)
	}
	_, err := f.Resolve(testOrg(t), 102, map[string]float64{"days": 5})
	if ce := conflictOf(t, err); ce.Code != approval.CodeNoApprover || ce.Field != "steps.accountant" {
		t.Fatalf("%s on %s", ce.Code, ce.Field)
	}
}

func TestResolveWholeRoute(t *testing.T) {
	res, err := mustCompile(t, leaveRoute()).Resolve(testOrg(t), 104, map[string]float64{"days": 5})
	if err != nil {
		t.Fatal(err)
	}
	want := approval.Resolution{Kind: "leave", RouteKey: "leave_default", RouteVersion: 1, Requester: 104, Attrs: map[string]float64{"days": 5},
		Stages: []approval.Stage{
			{Key: "team_lead", NameZh: "团队负责人审批", NameEn: "Team lead", Mode: approval.ModeSingle, Approvers: []int64{110}},
			{Key: "rm", NameZh: "区域经理审批", NameEn: "Regional manager", Mode: approval.ModeSingle, Approvers: []int64{100}},
			{Key: "accountant", NameZh: "主办会计审核", NameEn: "Chief accountant", Mode: approval.ModeSingle, Approvers: []int64{4}},
			{Key: "deputies", NameZh: "副总经理会签", NameEn: "Deputy GMs countersign", Mode: approval.ModeCountersign, Approvers: []int64{2, 3}},
		}}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("got  %+v\nwant %+v", res, want)
	}
}

// The same organisation listed in any order, and the same request asked
// twice, resolve identically; the resolution shares nothing with the org.
func TestResolveIsDeterministic(t *testing.T) {
	f := mustCompile(t, leaveRoute())
	allPositions := oneStep(approval.Resolver{By: approval.ByPosition, Scope: "institution",
		Positions: []string{"deputy_gm", "general_manager", "team_lead", "regional_manager", "chief_accountant"}})
	g := mustCompile(t, allPositions)
	base := testOrg(t)
	attrs := map[string]float64{"days": 4}
	want, err := f.Resolve(base, 102, attrs)
	if err != nil {
		t.Fatal(err)
	}
	wantAll, err := g.Resolve(base, 102, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		snap := testSnapshot()
		rng.Shuffle(len(snap.People), func(i, j int) { snap.People[i], snap.People[j] = snap.People[j], snap.People[i] })
		rng.Shuffle(len(snap.Units), func(i, j int) { snap.Units[i], snap.Units[j] = snap.Units[j], snap.Units[i] })
		roles := testRoles()
		rng.Shuffle(len(roles["finance"]), func(i, j int) { roles["finance"][i], roles["finance"][j] = roles["finance"][j], roles["finance"][i] })
		o, err := approval.NewOrg(snap, approval.OrgOptions{Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Resolve(o, 102, attrs)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, %v\nwant %+v", got, err, want)
		}
		gotAll, err := g.Resolve(o, 102, nil)
		if err != nil || !reflect.DeepEqual(gotAll, wantAll) {
			t.Fatalf("got %+v, %v\nwant %+v", gotAll, err, wantAll)
		}
	}
	// Changing a resolution must not change the next one.
	want.Stages[3].Approvers[0] = 999
	attrs["days"] = 1
	again, err := f.Resolve(base, 102, map[string]float64{"days": 4})
	if err != nil || again.Stages[3].Approvers[0] != 2 {
		t.Fatalf("resolution shares state with the org: %+v, %v", again, err)
	}
}

func TestNewOrgRefuses(t *testing.T) {
	snap := testSnapshot()
	snap.People = append(snap.People, snap.People[3])
	if _, err := approval.NewOrg(snap, approval.OrgOptions{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("repeated person: %v", err)
	}
	snap = testSnapshot()
	snap.Units[0].ParentID = 61 // the institution under one of its own teams
	if _, err := approval.NewOrg(snap, approval.OrgOptions{}); err == nil || !strings.Contains(err.Error(), "ancestor") {
		t.Fatalf("cycle: %v", err)
	}
}

// Approver statuses are an option: with only "active", the probation CM
// 103 is no approver.
func TestOrgStatuses(t *testing.T) {
	o, err := approval.NewOrg(testSnapshot(), approval.OrgOptions{Statuses: []string{"active"}})
	if err != nil {
		t.Fatal(err)
	}
	f := mustCompile(t, oneStep(approval.Resolver{By: approval.ByPosition, Scope: "team", Positions: []string{"sales_cm"}}))
	res, err := f.Resolve(o, 110, nil)
	if err != nil || !reflect.DeepEqual(res.Stages[0].Approvers, []int64{102, 104}) {
		t.Fatalf("%+v, %v", res.Stages[0], err)
	}
}

// A Flow and an Org are shared by every request of a day; resolving from
// many goroutines at once must be safe (run with -race) and give the same.
func TestResolveConcurrently(t *testing.T) {
	r := leaveRoute()
	r.Steps[2].When = &approval.Condition{Expr: "days > 3 || amount / max(days, 1) > 1000"}
	f, o := mustCompile(t, r), testOrg(t)
	attrs := map[string]float64{"days": 5, "amount": 0}
	want, err := f.Resolve(o, 104, attrs)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 200 {
				got, err := f.Resolve(o, 104, attrs)
				if err == nil && !reflect.DeepEqual(got, want) {
					err = errors.New("a concurrent resolution differs")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzCondition: whatever an administrator types as a condition, Compile
// answers with a flow or a message, never a panic, and a compiled flow
// resolves or refuses without panicking.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"days > 3", "days >= 3 && amount > 100000", "max(days, amount) / days > 2", "days in [1, 2]",
		`len("x") > 0`, "days ?? 1", "let x = days; x > 1", "days > 1 ? true : false", "(days", "", "天数 > 3"} {
		f.Add(s, 2.0)
	}
	o := testOrg(f)
	f.Fuzz(func(t *testing.T, expr string, days float64) {
		r := leaveRoute()
		r.Steps[2].When = &approval.Condition{Expr: expr}
		flow, err := approval.Compile(r, leaveAttrs())
		if err != nil {
			var ve *platform.ValidationError
			if !errors.As(err, &ve) || ve.Fields["steps.accountant.when"] == "" {
				t.Fatalf("%q: %v", expr, err)
			}
			return
		}
		if math.IsNaN(days) || math.IsInf(days, 0) {
			days = 1
		}
		if _, err := flow.Resolve(o, 102, map[string]float64{"days": days, "amount": 5}); err != nil {
			var ce *platform.ConflictError
			var ve *platform.ValidationError
			if !errors.As(err, &ce) && !errors.As(err, &ve) {
				t.Fatalf("%q: %v", expr, err)
			}
		}
	})
}
