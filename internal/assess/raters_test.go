package assess_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

var q1 = platform.Period{Kind: platform.Quarter, Year: 2026, N: 1}

// testOrg is two branches:
//
//	branch 10 (GM 1): marketing dept 11 (director 2, staff 3), finance dept 12 (finance 4)
//	  region 20: RM 100, assistant 101; team 21 (CM 102, group 22 with CM 103); channel 23 (CM 104);
//	             CM 105 terminated, CM 106 candidate, CM 107 in standby training
//	  region 30: CM 200 alone, no RM
//	  team 40 straight under the branch: CM 300
//	branch 50 (GM 5, no marketing department): region 60: RM 600, CMs 601, 602
func testOrg() assess.Snapshot {
	u := func(id, parent int64, k org.Kind) assess.Unit {
		return assess.Unit{ID: id, ParentID: parent, Kind: k}
	}
	p := func(id, unit int64, pos, status string) assess.Person {
		return assess.Person{ID: id, UnitID: unit, Position: pos, Status: status}
	}
	return assess.Snapshot{AsOf: q1.End(),
		Units: []assess.Unit{u(1, 0, org.Institution), u(10, 1, org.Branch), u(11, 10, org.Department), u(12, 10, org.Department),
			u(20, 10, org.Region), u(21, 20, org.Team), u(22, 21, org.Group), u(23, 20, org.Channel),
			u(30, 10, org.Region), u(40, 10, org.Team), u(50, 1, org.Branch), u(60, 50, org.Region)},
		People: []assess.Person{
			p(1, 10, "general_manager", "active"), p(2, 11, "marketing_director", "active"), p(3, 11, "marketing_staff", "probation"),
			p(4, 12, "finance_staff", "active"),
			p(100, 20, "regional_manager", "active"), p(101, 20, "rm_assistant", "active"),
			p(102, 21, "sales_cm", "active"), p(103, 22, "sales_cm", "active"), p(104, 23, "sales_cm", "active"),
			p(105, 21, "sales_cm", "terminated"), p(106, 21, "sales_cm", "candidate"), p(107, 21, "sales_cm", "standby_training"),
			p(200, 30, "sales_cm", "active"), p(300, 40, "sales_cm", "active"),
			p(5, 50, "general_manager", "active"), p(600, 60, "regional_manager", "active"), p(601, 60, "sales_cm", "active"), p(602, 60, "sales_cm", "active"),
		}}
}

func planOf(t *testing.T, p *assess.Plan) map[assess.Subject]map[string][]int64 {
	t.Helper()
	out := map[assess.Subject]map[string][]int64{}
	for _, s := range p.Subjects {
		if _, dup := out[s.Subject]; dup {
			t.Fatalf("subject %v twice", s.Subject)
		}
		out[s.Subject] = map[string][]int64{}
		for _, g := range s.Groups {
			out[s.Subject][g.Key] = g.Raters
		}
	}
	return out
}

func TestPlanQuarter(t *testing.T) {
	r := specRules(t, assess.PolicyRenormalise)
	plan, err := r.Plan(q1, testOrg(), assess.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := planOf(t, plan)
	person := func(id int64) assess.Subject { return assess.Subject{PersonID: id} }
	team := func(id int64) assess.Subject { return assess.Subject{UnitID: id} }
	mk := []int64{2, 3} // marketing by position in the branch; the finance department is not marketing
	for _, tc := range []struct {
		subject assess.Subject
		groups  map[string][]int64
	}{
		// Peers: the other sales CMs of the region, wherever below it (team, group, channel),
		// not the terminated or candidate ones, not the subject.
		{person(102), map[string][]int64{"peers": {103, 104, 107}, "rm": {100}, "marketing": mk}},
		{person(103), map[string][]int64{"peers": {102, 104, 107}, "rm": {100}, "marketing": mk}},
		{person(107), map[string][]int64{"peers": {102, 103, 104}, "rm": {100}, "marketing": mk}},
		{person(100), map[string][]int64{"sales_cms": {102, 103, 104, 107}, "marketing": mk, "gm": {1}}},
		{person(101), map[string][]int64{"sales_cms": {102, 103, 104, 107}, "rm": {100}, "marketing": mk, "gm": {1}}},
		{person(200), map[string][]int64{"peers": nil, "rm": nil, "marketing": mk}},
		{person(300), map[string][]int64{"peers": nil, "rm": nil, "marketing": mk}},
		{person(600), map[string][]int64{"sales_cms": {601, 602}, "marketing": nil, "gm": {5}}},
		{person(601), map[string][]int64{"peers": {602}, "rm": {600}, "marketing": nil}},
		{team(21), map[string][]int64{"marketing": mk}},
		{team(40), map[string][]int64{"marketing": mk}},
	} {
		g, ok := got[tc.subject]
		if !ok {
			t.Errorf("%v is not assessed", tc.subject)
			continue
		}
		if !reflect.DeepEqual(g, tc.groups) {
			t.Errorf("%v: %v, want %v", tc.subject, g, tc.groups)
		}
	}
	for _, absent := range []int64{105, 106, 1, 2, 4} {
		if _, ok := got[person(absent)]; ok {
			t.Errorf("person %d must not be assessed", absent)
		}
	}
	if len(got) != 13 { // 8 sales CMs, 2 RMs, 1 assistant, 2 teams
		t.Errorf("subjects: %d", len(got))
	}
	// Gaps are reported with their reason; the policy applies later.
	gaps := map[string]string{}
	for _, g := range plan.Gaps {
		gaps[g.Subject.String()+"/"+g.Group] = g.ReasonZh + " | " + g.ReasonEn
	}
	for key, want := range map[string]string{
		"person 200/peers":     "nobody else of position sales_cm in the subject's region",
		"person 200/rm":        "本区域没有岗位为 regional_manager 的其他人员",
		"person 300/peers":     "不在任何区域之下",
		"person 300/rm":        "not under any region",
		"person 600/marketing": "本营业部没有岗位为 marketing_director、marketing_staff",
		"person 601/marketing": "group marketing has no rater",
		"person 602/marketing": "",
	} {
		if msg, ok := gaps[key]; !ok || !strings.Contains(msg, want) {
			t.Errorf("gap %s: %q, want %q", key, msg, want)
		}
	}
	if len(gaps) != len(plan.Gaps) || len(plan.Gaps) != 7 {
		t.Errorf("gaps %v", gaps)
	}
	// Nobody rates themselves, and Sheets yields exactly SheetCount sheets.
	n := 0
	for s := range plan.Sheets() {
		n++
		if s.Rater == s.Subject.PersonID {
			t.Errorf("%v rates themselves", s.Subject)
		}
	}
	if n != plan.SheetCount() || n == 0 {
		t.Errorf("sheets %d, count %d", n, plan.SheetCount())
	}
	if plan.Period != "2026-Q1" || len(plan.Schemes) != 4 || plan.Schemes[1].TemplateVersion != 3 {
		t.Errorf("plan header %+v", plan.Schemes)
	}
}

func TestPlanDeterministic(t *testing.T) {
	r := specRules(t, assess.PolicyRenormalise)
	want, err := r.Plan(q1, testOrg(), assess.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(7, 7))
	for range 20 {
		snap := testOrg()
		rnd.Shuffle(len(snap.People), func(i, j int) { snap.People[i], snap.People[j] = snap.People[j], snap.People[i] })
		rnd.Shuffle(len(snap.Units), func(i, j int) { snap.Units[i], snap.Units[j] = snap.Units[j], snap.Units[i] })
		got, err := r.Plan(q1, snap, assess.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatal("the plan depends on the input order")
		}
	}
}

func TestPlanMonthAndOptions(t *testing.T) {
	r := specRules(t, assess.PolicyRenormalise)
	jan := platform.Period{Kind: platform.Month, Year: 2026, N: 1}
	snap := testOrg()
	snap.AsOf = jan.End()
	plan, err := r.Plan(jan, snap, assess.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := planOf(t, plan)
	if len(got) != 8 || !slices.Equal(got[assess.Subject{PersonID: 103}]["rm"], []int64{100}) {
		t.Errorf("monthly plan %v", got)
	}
	// Only active people take part when asked.
	plan, err = r.Plan(jan, snap, assess.PlanOptions{SubjectStatuses: []string{"active"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := planOf(t, plan)[assess.Subject{PersonID: 107}]; ok {
		t.Error("standby training excluded by the options")
	}
}

func TestPlanRefuses(t *testing.T) {
	r := specRules(t, assess.PolicyRenormalise)
	snap := testOrg()
	snap.AsOf = q1.Start()
	if _, err := r.Plan(q1, snap, assess.PlanOptions{}); err == nil || !strings.Contains(err.Error(), "最后一天 2026-03-31") {
		t.Errorf("snapshot not at the period end: %v", err)
	}
	var ce *platform.ConflictError
	empty := assess.Snapshot{AsOf: q1.End(), Units: testOrg().Units}
	onlyRMs := testOrg()
	onlyRMs.People = []assess.Person{{ID: 9, UnitID: 20, Position: "finance_staff", Status: "active"}}
	for _, snap := range []assess.Snapshot{empty, onlyRMs} {
		_, err := r.Plan(platform.Period{Kind: platform.Month, Year: 2026, N: 3}, func() assess.Snapshot {
			s := snap
			s.AsOf = platform.NewDate(2026, 3, 31)
			return s
		}(), assess.PlanOptions{})
		if !errors.As(err, &ce) || ce.Code != assess.ErrNothingToAssess || !strings.Contains(ce.Message, "no one to assess in 2026-03") {
			t.Errorf("nothing to assess: %v", err)
		}
	}
	// The quarter still has teams to assess even without people.
	if _, err := r.Plan(q1, empty, assess.PlanOptions{}); err != nil {
		t.Errorf("teams only: %v", err)
	}
	year := platform.Period{Kind: platform.Year, Year: 2026}
	snap = testOrg()
	snap.AsOf = year.End()
	if _, err := r.Plan(year, snap, assess.PlanOptions{}); !errors.As(err, &ce) || ce.Code != "no_scheme" {
		t.Errorf("no scheme for the year: %v", err)
	}
	cyclic := testOrg()
	cyclic.Units = append(cyclic.Units, assess.Unit{ID: 70, ParentID: 71, Kind: org.Region}, assess.Unit{ID: 71, ParentID: 70, Kind: org.Team})
	if _, err := r.Plan(q1, cyclic, assess.PlanOptions{}); err == nil || !strings.Contains(err.Error(), "own ancestor") {
		t.Errorf("cycle: %v", err)
	}
	dup := testOrg()
	dup.People = append(dup.People, dup.People[3])
	if _, err := r.Plan(q1, dup, assess.PlanOptions{}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("duplicate person: %v", err)
	}
}

func TestOrgIndexAnchor(t *testing.T) {
	x, err := assess.NewOrgIndex(testOrg().Units)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		unit  int64
		scope string
		want  int64
	}{
		{22, assess.ScopeTeam, 21}, {22, assess.ScopeRegion, 20}, {22, assess.ScopeBranch, 10}, {22, assess.ScopeInstitution, 1},
		{23, assess.ScopeTeam, 0}, {23, assess.ScopeRegion, 20}, {40, assess.ScopeRegion, 0}, {40, assess.ScopeTeam, 40},
		{10, assess.ScopeBranch, 10}, {11, assess.ScopeRegion, 0}, {999, assess.ScopeBranch, 0}, {22, "city", 0},
	} {
		if got := x.Anchor(tc.unit, tc.scope); got != tc.want {
			t.Errorf("Anchor(%d, %s) = %d, want %d", tc.unit, tc.scope, got, tc.want)
		}
	}
}
