package presets

import (
	"strings"
	"testing"
)

// Every shipped preset loads, and with it passes the shape check of its
// assessment sections (internal/assess checks them fully, formulas too).
func TestShippedPresetsLoad(t *testing.T) {
	want := map[string]struct{ scorecards, schemes, kpi, grade int }{
		"securities-branch": {3, 6, 0, 2}, // 5 schemes of seed 000 and the year-end evaluation
		"commercial-bank":   {0, 0, 1, 2},
		"rural-credit-coop": {0, 0, 0, 1},
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			p, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			w := want[name]
			if len(p.Scorecards) != w.scorecards || len(p.RaterWeights) != w.schemes || len(p.KPIWeights) != w.kpi || len(p.GradeReview) != w.grade {
				t.Errorf("sections: %d scorecards, %d schemes, %d KPI sets, %d grade rules", len(p.Scorecards), len(p.RaterWeights), len(p.KPIWeights), len(p.GradeReview))
			}
			if (p.OutcomeRules != nil) != (name != "commercial-bank") { // seed 003 has no outcome rules
				t.Errorf("outcome rules: %+v", p.OutcomeRules)
			}
			if len(p.Metrics) == 0 || len(p.Dicts["positions"]) == 0 {
				t.Error("existing sections lost")
			}
		})
	}
}

func TestAssessmentShapeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(p *Preset)
		want []string
	}{
		{"items total 99", func(p *Preset) { p.Scorecards[0].Items[0].Max = 19 }, []string{"考核表 cm_form", "合计须为 100，现为 99", "got 99"}},
		{"fractional weight of a form", func(p *Preset) { p.Scorecards[1].Items[0].Max = 0 }, []string{"rm_form", "第 1 项 duty_performance", "正整数"}},
		{"duplicate item", func(p *Preset) { p.Scorecards[0].Items[1].Key = "duty_performance" }, []string{"第 2 项 duty_performance", "重复"}},
		{"computed without formula", func(p *Preset) { p.Scorecards[0].Items[5].Formula = "" }, []string{"计算项须有公式"}},
		{"unknown position", func(p *Preset) { p.Scorecards[0].Positions = []string{"salesman"} }, []string{"岗位 salesman 不在岗位字典中"}},
		{"weights 9900", func(p *Preset) { p.RaterWeights[0].Groups[0].Weight = 1900 }, []string{"评分方案 sales_cm_quarterly", "合计须为 10000 个基点，现为 9900"}},
		{"negative weight", func(p *Preset) { p.RaterWeights[1].Groups[1].Weight = -1000 }, []string{"评分组 marketing", "权重须为正"}},
		{"unknown template", func(p *Preset) { p.RaterWeights[0].Template = "cm_form_v2" }, []string{"考核表 cm_form_v2 不存在"}},
		{"bad policy", func(p *Preset) { p.RaterWeights[0].Policy = "ignore" }, []string{"renormalise 或 hold"}},
		{"rater position", func(p *Preset) { p.RaterWeights[0].Groups[2].Positions = []string{"marketing"} }, []string{"岗位 marketing 不在岗位字典中"}},
		{"outcome position", func(p *Preset) { p.OutcomeRules.RMQuarterly.ConvertTo = "cm" }, []string{"结果规则 rmQuarterly", "岗位 cm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load("securities-branch")
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(p)
			err = p.validateAssessment()
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	for _, tc := range []struct {
		name string
		edit func(p *Preset)
		want string
	}{
		{"indicators 99.5%", func(p *Preset) { p.KPIWeights[0].Dimensions[1].Indicators[3].Weight = 700 }, "维度 service：各指标权重合计须为 10000 个基点，现为 9950"},
		{"one dimension weight set", func(p *Preset) { p.KPIWeights[0].Dimensions[0].Weight = 5000 }, "维度权重须全部不设或合计 10000"},
		{"no ladder", func(p *Preset) { delete(p.Dicts, "grades") }, "等级字典"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load("commercial-bank")
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(p)
			if err := p.validateAssessment(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want %q, got %v", tc.want, err)
			}
		})
	}
	// All dimension weights set and totalling 100% is fine.
	p, _ := Load("commercial-bank")
	for i, w := range []int64{5000, 3000, 2000} {
		p.KPIWeights[0].Dimensions[i].Weight = w
	}
	if err := p.validateAssessment(); err != nil {
		t.Errorf("dimension weights 50/30/20: %v", err)
	}
}
