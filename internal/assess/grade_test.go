package assess_test

import (
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

func bankLadder(t *testing.T) *assess.Ladder {
	t.Helper()
	// Given out of order on purpose: the ladder orders by rank.
	l, err := assess.NewLadder([]assess.Grade{
		{Code: "cm1", Rank: 4}, {Code: "trainee", Rank: 1}, {Code: "assistant", Rank: 2}, {Code: "cm2", Rank: 3},
		{Code: "senior2", Rank: 5}, {Code: "senior1", Rank: 6}, {Code: "principal", Rank: 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestReviewGrade(t *testing.T) {
	rule := assess.GradeRule{Cycle: platform.Quarter, UpMinScore: score("90"), UpMinCompletionBP: 10000,
		DownBelowScore: score("60"), DownBelowCompletionBP: 5000, WeakYears: 2, WeakBelowBP: 10000}
	ladder := bankLadder(t)
	weak := map[int]target.Rate{2025: rate(80, 100), 2024: rate(99, 100)}
	for _, tc := range []struct {
		name       string
		grade      string
		composite  string
		held       bool
		completion target.Rate
		years      map[int]target.Rate
		period     platform.Period
		dir, to    string
		reason     string
	}{
		{"up", "cm2", "90", false, rate(100, 100), nil, q1, assess.GradeUp, "cm1", "升一级"},
		{"89.99 stays", "cm2", "89.99", false, rate(200, 100), nil, q1, assess.GradeStay, "cm2", "未达到晋级条件"},
		{"completion 99.99% stays", "cm2", "95", false, rate(9999, 10000), nil, q1, assess.GradeStay, "cm2", "未达到晋级条件"},
		{"no target does not promote", "cm2", "95", false, target.Rate{}, nil, q1, assess.GradeStay, "cm2", "未达到晋级条件"},
		{"below 60 down", "cm2", "59.99", false, rate(100, 100), nil, q1, assess.GradeDown, "assistant", "综合得分 59.99 低于 60.00"},
		{"completion under 50% down", "cm2", "95", false, rate(4999, 10000), nil, q1, assess.GradeDown, "assistant", "任务完成率 49.99% 低于 50%"},
		{"50% exactly stays", "cm2", "80", false, rate(50, 100), nil, q1, assess.GradeStay, "cm2", ""},
		{"no target does not demote", "cm2", "80", false, target.Rate{}, nil, q1, assess.GradeStay, "cm2", ""},
		{"lowest cannot go down", "trainee", "30", false, rate(10, 100), nil, q1, assess.GradeStay, "trainee", "已是最低等级"},
		{"highest cannot go up", "principal", "99", false, rate(120, 100), nil, q1, assess.GradeStay, "principal", "已是最高等级"},
		{"held composite stays", "cm2", "0", true, rate(100, 100), nil, q1, assess.GradeStay, "cm2", "无综合得分"},
		{"two weak years block promotion", "cm2", "95", false, rate(100, 100), weak, q1, assess.GradeStay, "cm2", "连续 2 年任务完成率低于 100%"},
		{"one weak year does not", "cm2", "95", false, rate(100, 100), map[int]target.Rate{2025: rate(80, 100), 2024: rate(100, 100)}, q1, assess.GradeUp, "cm1", ""},
		{"a year without data does not", "cm2", "95", false, rate(100, 100), map[int]target.Rate{2025: rate(80, 100)}, q1, assess.GradeUp, "cm1", ""},
		// An annual review of 2025 looks at 2025 and 2024; a 2026 quarter at 2025 and 2024 too;
		// an annual review of 2026 at 2026 and 2025.
		{"annual review counts its own year", "cm2", "95", false, rate(100, 100), weak, platform.Period{Kind: platform.Year, Year: 2025}, assess.GradeStay, "cm2", "2025: 80.00%"},
		{"annual 2026 looks at 2026 and 2025", "cm2", "95", false, rate(100, 100), weak, platform.Period{Kind: platform.Year, Year: 2026}, assess.GradeUp, "cm1", ""},
		{"weak years do not stop a demotion", "cm2", "50", false, rate(100, 100), weak, q1, assess.GradeDown, "assistant", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := assess.ReviewGrade(rule, ladder, assess.GradeCase{PersonID: 3, Grade: tc.grade, Period: tc.period,
				Composite: score(tc.composite), Held: tc.held, Completion: tc.completion, AnnualCompletion: tc.years})
			if err != nil {
				t.Fatal(err)
			}
			if d.Direction != tc.dir || d.To != tc.to || d.From != tc.grade || d.PersonID != 3 {
				t.Errorf("got %s %s → %s, want %s → %s", d.Direction, d.From, d.To, tc.dir, tc.to)
			}
			if !strings.Contains(d.ReasonZh, tc.reason) || d.ReasonEn == "" || len(d.Figures) < 2 {
				t.Errorf("reason %q / %q, want %q", d.ReasonZh, d.ReasonEn, tc.reason)
			}
		})
	}
	if _, err := assess.ReviewGrade(rule, ladder, assess.GradeCase{Grade: "star3"}); err == nil || !strings.Contains(err.Error(), "star3") {
		t.Errorf("grade off the ladder: %v", err)
	}
}

func TestReviewGradeExam(t *testing.T) {
	rule := assess.GradeRule{Cycle: platform.Year, UpMinScore: score("90"), UpMinCompletionBP: 10000,
		DownBelowScore: score("60"), DownBelowCompletionBP: 5000, UpMinExam: score("80")}
	ladder := bankLadder(t)
	exam := func(s string) *assess.Score { v := score(s); return &v }
	for _, tc := range []struct {
		name      string
		composite string
		exam      *assess.Score
		dir       string
		reason    string
	}{
		{"exam at the line promotes", "95", exam("80"), assess.GradeUp, "考试成绩 80.00 不低于 80.00"},
		{"exam below the line stays", "95", exam("79.99"), assess.GradeStay, "考试成绩 79.99 低于 80.00"},
		{"no exam stays", "95", nil, assess.GradeStay, "本期无考试成绩"},
		{"no exam does not stop a demotion", "50", nil, assess.GradeDown, "降一级"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := assess.ReviewGrade(rule, ladder, assess.GradeCase{PersonID: 1, Grade: "cm2", Period: platform.Period{Kind: platform.Year, Year: 2026},
				Composite: score(tc.composite), Completion: rate(1, 1), Exam: tc.exam})
			if err != nil {
				t.Fatal(err)
			}
			if d.Direction != tc.dir || !strings.Contains(d.ReasonZh, tc.reason) {
				t.Errorf("got %s %q, want %s %q", d.Direction, d.ReasonZh, tc.dir, tc.reason)
			}
		})
	}
	bad := rule
	bad.UpMinExam = score("100.01")
	if f := bad.Validate(); f["upMinExam"] == "" {
		t.Errorf("exam line above 100 accepted: %v", f)
	}
}

func TestLadderAndRuleValidation(t *testing.T) {
	if _, err := assess.NewLadder([]assess.Grade{{Code: "a", Rank: 1}, {Code: "a", Rank: 2}}); err == nil {
		t.Error("repeated code accepted")
	}
	if _, err := assess.NewLadder([]assess.Grade{{Code: "a", Rank: 1}, {Code: "b", Rank: 1}}); err == nil {
		t.Error("repeated rank accepted")
	}
	if _, err := assess.NewLadder(nil); err == nil {
		t.Error("empty ladder accepted")
	}
	if got := bankLadder(t).Grades(); got[0].Code != "trainee" || got[6].Code != "principal" {
		t.Errorf("order %v", got)
	}
	good := assess.GradeRule{Cycle: platform.Year, UpMinScore: score("90"), UpMinCompletionBP: 10000, DownBelowScore: score("60"), DownBelowCompletionBP: 5000, WeakYears: 2, WeakBelowBP: 10000}
	if f := good.Validate(); len(f) > 0 {
		t.Fatalf("valid rule refused: %v", f)
	}
	for _, tc := range []struct {
		edit  func(*assess.GradeRule)
		field string
	}{
		{func(g *assess.GradeRule) { g.Cycle = "week" }, "cycle"},
		{func(g *assess.GradeRule) { g.DownBelowScore = score("95") }, "score"},
		{func(g *assess.GradeRule) { g.UpMinScore = score("100.5") }, "score"},
		{func(g *assess.GradeRule) { g.DownBelowCompletionBP = 12000 }, "completion"},
		{func(g *assess.GradeRule) { g.WeakBelowBP = 0 }, "weakYears"},
	} {
		g := good
		tc.edit(&g)
		if f := g.Validate(); f[tc.field] == "" {
			t.Errorf("want an error on %s, got %v", tc.field, f)
		}
	}
}

func TestKPIWeightSet(t *testing.T) {
	ws := assess.WeightSet{Key: "bank_cm_kpi", NameZh: "商业银行", Version: 1, Dimensions: []assess.Dimension{
		{Key: "performance", NameZh: "业绩", Indicators: []assess.Indicator{{Key: "sales", NameZh: "销售", Weight: 4000}, {Key: "maint", NameZh: "维护", Weight: 3000}, {Key: "referral", NameZh: "推荐", Weight: 3000}}},
		{Key: "service", NameZh: "服务", Indicators: []assess.Indicator{{Key: "satisfaction", NameZh: "满意度", Weight: 5000}, {Key: "complaints", NameZh: "投诉", Weight: 2000},
			{Key: "efficiency", NameZh: "效率", Weight: 1500}, {Key: "attitude", NameZh: "态度", Weight: 750}, {Key: "solving", NameZh: "解决", Weight: 750}}},
	}}
	if f := ws.Validate(); len(f) > 0 {
		t.Fatalf("valid set refused: %v", f)
	}
	scores := map[string]assess.Score{"sales": score("90"), "maint": score("80"), "referral": score("70"),
		"satisfaction": score("90"), "complaints": score("100"), "efficiency": score("80"), "attitude": score("85"), "solving": score("79")}
	res, err := ws.Apply(scores)
	if err != nil {
		t.Fatal(err)
	}
	// 90×0.4 + 80×0.3 + 70×0.3 = 81; 45 + 20 + 12 + 6.375 + 5.925 = 89.3
	if res.Dimensions[0].Score.String() != "81.00" || res.Dimensions[1].Score.String() != "89.30" || res.HasOverall {
		t.Errorf("result %+v", res)
	}
	// 7.5% of 85.01 and 79.01: 6.37575 + 5.92575 → the service score 89.3015 → 89.30.
	scores["attitude"], scores["solving"] = score("85.01"), score("79.01")
	res, _ = ws.Apply(scores)
	if res.Dimensions[1].Exact != "178603/2000" || res.Dimensions[1].Score.String() != "89.30" {
		t.Errorf("exact %s %s", res.Dimensions[1].Exact, res.Dimensions[1].Score)
	}
	ws.Dimensions[0].Weight, ws.Dimensions[1].Weight = 6000, 4000
	res, _ = ws.Apply(scores)
	if !res.HasOverall || res.Overall.String() != "84.32" { // 81 × 0.6 + 89.3015 × 0.4 = 84.3206
		t.Errorf("overall %+v", res)
	}
	delete(scores, "sales")
	if _, err := ws.Apply(scores); err == nil || !strings.Contains(err.Error(), "sales") {
		t.Errorf("missing score: %v", err)
	}
	for _, tc := range []struct {
		edit  func(*assess.WeightSet)
		field string
		want  string
	}{
		{func(w *assess.WeightSet) { w.Dimensions[1].Indicators[3].Weight = 700 }, "dimensions.service.indicators", "现为 9950（99.5%）"},
		{func(w *assess.WeightSet) { w.Dimensions[1].Weight = 0 }, "dimensions", "全部不设"},
		{func(w *assess.WeightSet) { w.Dimensions[1].Weight = 3000 }, "dimensions", "现为 9000"},
		{func(w *assess.WeightSet) { w.Dimensions[1].Indicators[0].Key = "sales" }, "dimensions.service.indicators.sales.key", "重复"},
		{func(w *assess.WeightSet) { w.Dimensions[0].Indicators[0].Weight = 0 }, "dimensions.performance.indicators.sales.weight", "1–10000"},
	} {
		w := ws
		w.Dimensions = []assess.Dimension{ws.Dimensions[0], ws.Dimensions[1]}
		for i := range w.Dimensions {
			w.Dimensions[i].Indicators = append([]assess.Indicator(nil), ws.Dimensions[i].Indicators...)
		}
		tc.edit(&w)
		f := w.Validate()
		if msg, ok := f[tc.field]; !ok || !strings.Contains(msg, tc.want) {
			t.Errorf("want %s saying %q, got %v", tc.field, tc.want, f)
		}
	}
}
