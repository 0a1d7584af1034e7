package assess_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
	"cmhub/presets"
)

func loadPreset(t testing.TB, name string) (*presets.Preset, *assess.PresetRules) {
	t.Helper()
	p, err := presets.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := assess.FromPreset(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

// Every shipped preset's assessment rules pass the full check, and no
// field is lost between the preset's types and this package's.
func TestPresetsAreValid(t *testing.T) {
	for _, name := range presets.Names() {
		t.Run(name, func(t *testing.T) {
			p, r := loadPreset(t, name)
			// Same JSON both ways: a field added on one side only shows here.
			for _, c := range []struct{ preset, domain any }{
				{p.Scorecards, templatesOf(r.Rules)},
				{p.GradeReview, r.GradeRules},
				{p.KPIWeights, r.WeightSets},
			} {
				if !sameJSON(t, c.preset, c.domain) {
					t.Errorf("fields differ between presets and assess:\n%s\n%s", mustJSON(c.preset), mustJSON(c.domain))
				}
			}
			if len(p.GradeReview) > 0 && r.Ladder == nil {
				t.Error("grade review without a ladder")
			}
		})
	}
}

func templatesOf(r *assess.Rules) []assess.Template {
	var out []assess.Template
	for _, k := range []string{"cm_form", "rm_form", "team_form"} {
		if sc, ok := r.Scorecard(k); ok {
			out = append(out, sc.Template())
		}
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(mustJSON(a)), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustJSON(b)), &y); err != nil {
		t.Fatal(err)
	}
	empty := func(v any) bool { l, ok := v.([]any); return v == nil || (ok && len(l) == 0) }
	if empty(x) && empty(y) {
		return true
	}
	return reflect.DeepEqual(x, y)
}

// The securities preset carries seed 000's forms item for item and the
// SPEC §5 weight table.
func TestSecuritiesPreset(t *testing.T) {
	_, r := loadPreset(t, "securities-branch")
	for _, tc := range []struct {
		template string
		items    string // key:max:kind
	}{
		{"cm_form", "duty_performance:20:rated professional_skill:10:rated execution:10:rated communication:10:rated service_awareness:10:rated task_completion:10:computed work_efficiency:10:rated labour_discipline:20:rated"},
		{"rm_form", "duty_performance:20:rated responsibility:10:rated task_completion:30:computed communication:10:rated marketing_activity:20:rated labour_discipline:10:rated"},
		{"team_form", "task_completion:50:computed daily_work:10:rated marketing_activities:20:rated product_sales:20:rated"},
	} {
		sc, ok := r.Rules.Scorecard(tc.template)
		if !ok {
			t.Fatalf("template %s missing", tc.template)
		}
		var got []string
		for _, it := range sc.Template().Items {
			got = append(got, it.Key+":"+strconv.Itoa(it.Max)+":"+it.Kind)
			if it.NameZh == "" || it.NameEn == "" {
				t.Errorf("%s.%s: names expected", tc.template, it.Key)
			}
		}
		if strings.Join(got, " ") != tc.items {
			t.Errorf("%s items\n%s\nwant\n%s", tc.template, strings.Join(got, " "), tc.items)
		}
	}
	if sc, _ := r.Rules.Scorecard("team_form"); sc.Template().Comment == nil || sc.Template().Comment.LabelZh != "总经理评语" {
		t.Error("the team form carries the GM's comment")
	}
	if sc, _ := r.Rules.Scorecard("cm_form"); !strings.Contains(sc.Template().Items[7].Note, "attendance") {
		t.Error("labour discipline notes that it becomes computed from attendance")
	}
	weights := func(scheme string) string {
		s, ok := r.Rules.Scheme(scheme)
		if !ok {
			t.Fatalf("scheme %s missing", scheme)
		}
		var parts []string
		for _, g := range s.Groups {
			parts = append(parts, g.Key+"="+strconv.Itoa(int(g.Weight))+"@"+g.Scope+":"+strings.Join(g.Positions, "+"))
		}
		return strings.Join(parts, " ")
	}
	mk := "marketing_director+marketing_staff"
	// Group leads (小组长) are sales CMs who lead a group: assessed and
	// rating as sales CMs.
	for scheme, want := range map[string]string{
		"sales_cm_quarterly":     "peers=2000@region:sales_cm+group_lead rm=6000@region:regional_manager marketing=2000@branch:" + mk,
		"rm_quarterly":           "sales_cms=8000@region:sales_cm+group_lead marketing=1000@branch:" + mk + " gm=1000@branch:general_manager",
		"rm_assistant_quarterly": "sales_cms=4000@region:sales_cm+group_lead rm=4000@region:regional_manager marketing=1000@branch:" + mk + " gm=1000@branch:general_manager",
		"team_quarterly":         "marketing=10000@branch:" + mk,
		"sales_cm_monthly":       "rm=10000@region:regional_manager",
	} {
		if got := weights(scheme); got != want {
			t.Errorf("%s: %s, want %s", scheme, got, want)
		}
	}
	o := r.Outcomes
	if o.Star == nil || o.Star.TieItem != "task_completion" || o.Monthly.Below.String() != "60.00" || o.Monthly.StandbyDays != 7 ||
		o.Monthly.EndAfter != 2 || o.RMQuarterly.ConvertTo != "sales_cm" || o.ExcellentRM.Quarters != 4 || o.Coop != nil {
		t.Errorf("outcome rules %+v", o)
	}
	// The preset's rules run end to end: a CM at 87% completion gets 8.7 points on the computed item.
	sc, _ := r.Rules.Scorecard("cm_form")
	items, err := sc.ComputeItems(map[string]float64{"completion": 0.87})
	if err != nil || len(items) != 1 || items[0].Points.String() != "8.7" {
		t.Errorf("computed %+v %v", items, err)
	}
	plan, err := r.Rules.Plan(q1, testOrg(), assess.PlanOptions{})
	if err != nil || plan.SheetCount() == 0 {
		t.Errorf("plan: %v", err)
	}
	if len(r.GradeRules) != 2 || r.GradeRules[0].Cycle != platform.Quarter || r.Ladder.Grades()[0].Code != "trainee" {
		t.Errorf("grade rules %+v", r.GradeRules)
	}
}

func TestBankAndCoopPresets(t *testing.T) {
	_, bank := loadPreset(t, "commercial-bank")
	if len(bank.WeightSets) != 1 {
		t.Fatalf("weight sets %+v", bank.WeightSets)
	}
	ws := bank.WeightSets[0]
	var got []string
	for _, d := range ws.Dimensions {
		for _, in := range d.Indicators {
			got = append(got, d.Key+"."+in.Key+"="+strconv.Itoa(int(in.Weight)))
		}
	}
	want := "performance.sales_completion=4000 performance.customer_maintenance=3000 performance.referral_quality=3000 " +
		"service.satisfaction=5000 service.complaint_rate=2000 service.service_efficiency=1500 service.service_attitude=750 service.problem_solving=750 " +
		"risk.admission_review=3000 risk.aml=3000 risk.credit_risk=4000"
	if strings.Join(got, " ") != want {
		t.Errorf("003 四 weights:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if bank.Ladder == nil || len(bank.Ladder.Grades()) != 7 || bank.Ladder.Grades()[6].Code != "principal" {
		t.Error("bank ladder")
	}
	_, coop := loadPreset(t, "rural-credit-coop")
	c := coop.Outcomes.Coop
	if c == nil || c.FloorBP != 3000 || c.MissMonths != 3 || c.RecoverMonths != 3 || c.ConvertTo != "general_marketer" || c.MissBelowBP != 10000 {
		t.Errorf("coop rule %+v", c)
	}
}

func TestFromPresetRefuses(t *testing.T) {
	p, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	p.Scorecards[0].Items[5].Formula = "full * completon"
	_, err = assess.FromPreset(p)
	if msg := fieldsOf(t, err)["scorecards.cm_form.items.task_completion.formula"]; !strings.Contains(msg, "未知变量 completon") {
		t.Errorf("formula: %v", err)
	}
	p, _ = presets.Load("securities-branch")
	p.OutcomeRules.Star.TieItem = "performance"
	p.GradeReview[1].Cycle = "quarter"
	_, err = assess.FromPreset(p)
	fs := fieldsOf(t, err)
	if msg := fs["outcomeRules.starCm.tieItem"]; !strings.Contains(msg, "performance") {
		t.Errorf("tie item: %v", fs)
	}
	if msg := fs["gradeReview.quarter"]; !strings.Contains(msg, "重复") {
		t.Errorf("grade rule twice: %v", fs)
	}
}
