package assess_test

import (
	"fmt"
	"strings"
	"testing"

	"cmhub/internal/assess"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

func score(s string) assess.Score {
	v, err := assess.ParseScore(s)
	if err != nil {
		panic(err)
	}
	return v
}

func month(y, m int) platform.Period { return platform.Period{Kind: platform.Month, Year: y, N: m} }

func figure(p assess.Proposal, key string) string {
	for _, f := range p.Figures {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

func TestStarCMs(t *testing.T) {
	rule := assess.StarRule{Positions: []string{"sales_cm"}, TieItem: "task_completion"}
	d := platform.NewDate
	c := func(id int64, emp string, team int64, composite string, tie assess.Points, hired platform.Date) assess.StarCandidate {
		return assess.StarCandidate{PersonID: id, EmpNo: emp, Position: "sales_cm", TeamID: team, Composite: score(composite), TieItemPoints: tie, HiredOn: hired}
	}
	for _, tc := range []struct {
		name    string
		cands   []assess.StarCandidate
		want    int64 // person proposed for team 1
		decided string
	}{
		{"highest composite", []assess.StarCandidate{c(1, "E1", 1, "88.10", 100, d(2020, 1, 1)), c(2, "E2", 1, "91.05", 50, d(2024, 1, 1))}, 2, "composite"},
		{"one hundredth decides", []assess.StarCandidate{c(1, "E1", 1, "91.04", 100, d(2020, 1, 1)), c(2, "E2", 1, "91.05", 0, d(2024, 1, 1))}, 2, "composite"},
		{"tie: more item points", []assess.StarCandidate{c(1, "E1", 1, "91.05", 95, d(2020, 1, 1)), c(2, "E2", 1, "91.05", 100, d(2024, 1, 1))}, 2, "tie_item"},
		{"tie: earlier hire", []assess.StarCandidate{c(1, "E1", 1, "91.05", 100, d(2022, 3, 1)), c(2, "E2", 1, "91.05", 100, d(2021, 3, 1))}, 2, "hired_on"},
		{"tie: unknown hire date last", []assess.StarCandidate{c(1, "E1", 1, "91.05", 100, platform.Date{}), c(2, "E2", 1, "91.05", 100, d(2025, 3, 1))}, 2, "hired_on"},
		{"tie: smaller employee number", []assess.StarCandidate{c(1, "E9", 1, "91.05", 100, d(2021, 3, 1)), c(2, "E10", 1, "91.05", 100, d(2021, 3, 1))}, 2, "emp_no"},
		{"RMs are not eligible", []assess.StarCandidate{c(1, "E1", 1, "70", 0, d(2021, 3, 1)),
			{PersonID: 9, Position: "regional_manager", TeamID: 1, Composite: score("99")}}, 1, "only_candidate"},
		{"held composite is not eligible", []assess.StarCandidate{c(1, "E1", 1, "70", 0, d(2021, 3, 1)),
			{PersonID: 3, Position: "sales_cm", TeamID: 1, Composite: score("99"), Held: true}}, 1, "only_candidate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Input order must not matter.
			for _, cands := range [][]assess.StarCandidate{tc.cands, reversed(tc.cands)} {
				ps := assess.StarCMs(rule, q1, cands)
				if len(ps) != 1 || ps[0].PersonID != tc.want || ps[0].UnitID != 1 || ps[0].Kind != assess.ProposeStarCM || ps[0].Period != "2026-Q1" {
					t.Fatalf("proposals %+v, want person %d", ps, tc.want)
				}
				if got := figure(ps[0], "decidedBy"); got != tc.decided {
					t.Errorf("decided by %s, want %s", got, tc.decided)
				}
				if ps[0].ReasonZh == "" || ps[0].ReasonEn == "" || figure(ps[0], "composite") == "" {
					t.Errorf("reason missing: %+v", ps[0])
				}
			}
		})
	}
	// One per team, ordered by team; a team without an eligible candidate has none.
	ps := assess.StarCMs(rule, q1, []assess.StarCandidate{c(1, "E1", 7, "80", 0, d(2021, 1, 1)), c(2, "E2", 3, "70", 0, d(2021, 1, 1)),
		{PersonID: 5, Position: "regional_manager", TeamID: 9, Composite: score("99")}})
	if len(ps) != 2 || ps[0].UnitID != 3 || ps[1].UnitID != 7 {
		t.Errorf("per team: %+v", ps)
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func TestMonthlyOutcomes(t *testing.T) {
	rule := assess.MonthlyRule{Positions: []string{"sales_cm"}, Below: score("60"), StandbyDays: 7, EndAfter: 2}
	ms := func(ym ...any) []assess.MonthScore {
		var out []assess.MonthScore
		for i := 0; i < len(ym); i += 2 {
			p := ym[i].(platform.Period)
			if s, ok := ym[i+1].(string); ok {
				out = append(out, assess.MonthScore{Period: p, Score: score(s)})
			} else {
				out = append(out, assess.MonthScore{Period: p, Held: true})
			}
		}
		return out
	}
	mar := month(2026, 3)
	for _, tc := range []struct {
		name      string
		position  string
		months    []assess.MonthScore
		kind      string // "" = no proposal
		effective string
	}{
		{"60 passes", "sales_cm", ms(mar, "60"), "", ""},
		{"59.99 fails", "sales_cm", ms(mar, "59.99"), assess.ProposeStandbyTraining, "2026-04"},
		{"second month below", "sales_cm", ms(month(2026, 2), "55", mar, "58"), assess.ProposeEndContract, "2026-04"},
		{"first month passed", "sales_cm", ms(month(2026, 2), "60", mar, "58"), assess.ProposeStandbyTraining, "2026-04"},
		{"not consecutive", "sales_cm", ms(month(2026, 1), "40", mar, "58"), assess.ProposeStandbyTraining, "2026-04"},
		{"previous held", "sales_cm", ms(month(2026, 2), nil, mar, "58"), assess.ProposeStandbyTraining, "2026-04"},
		{"across the year", "sales_cm", ms(month(2025, 12), "50", month(2026, 1), "50"), assess.ProposeEndContract, "2026-02"},
		{"held this month", "sales_cm", ms(mar, nil), "", ""},
		{"not this month", "sales_cm", ms(month(2026, 2), "10"), "", ""},
		{"other position", "regional_manager", ms(mar, "10"), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mar
			if tc.name == "across the year" {
				m = month(2026, 1)
			}
			ps := assess.MonthlyOutcomes(rule, m, []assess.MonthlyCase{{PersonID: 8, Position: tc.position, Months: tc.months}})
			if tc.kind == "" {
				if len(ps) != 0 {
					t.Fatalf("want nothing, got %+v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Kind != tc.kind || ps[0].Effective != tc.effective || ps[0].PersonID != 8 {
				t.Fatalf("got %+v, want %s from %s", ps, tc.kind, tc.effective)
			}
			if tc.kind == assess.ProposeStandbyTraining && (!strings.Contains(ps[0].ReasonZh, "待岗培训 7 天") || !strings.Contains(ps[0].ReasonZh, "保证书")) {
				t.Errorf("reason %q", ps[0].ReasonZh)
			}
			if tc.kind == assess.ProposeEndContract && (figure(ps[0], "consecutiveMonthsBelow") != "2" || !strings.Contains(ps[0].ReasonEn, "2 consecutive months")) {
				t.Errorf("figures %+v", ps[0])
			}
		})
	}
}

func TestRMQuarterlyOutcomes(t *testing.T) {
	rule := assess.RMQuarterlyRule{Positions: []string{"regional_manager"}, Below: score("60"), ConvertTo: "sales_cm"}
	q4 := platform.Period{Kind: platform.Quarter, Year: 2025, N: 4}
	ps := assess.RMQuarterlyOutcomes(rule, q4, []assess.QuarterCase{
		{PersonID: 1, Position: "regional_manager", RegionID: 20, Score: score("59.99")},
		{PersonID: 2, Position: "regional_manager", RegionID: 30, Score: score("60")},
		{PersonID: 3, Position: "regional_manager", RegionID: 40, Held: true},
		{PersonID: 4, Position: "rm_assistant", RegionID: 20, Score: score("10")},
	})
	if len(ps) != 2 || ps[0].Kind != assess.ProposeRMToSalesCM || ps[1].Kind != assess.ProposeReorganiseRegion {
		t.Fatalf("proposals %+v", ps)
	}
	for _, p := range ps {
		if p.PersonID != 1 || p.UnitID != 20 || p.Effective != "2026-01" || p.Period != "2025-Q4" || figure(p, "score") != "59.99" {
			t.Errorf("proposal %+v", p)
		}
	}
	if !strings.Contains(ps[0].ReasonZh, "2026-01 起转为 sales_cm") || !strings.Contains(ps[1].ReasonEn, "merge the region or appoint a new regional manager") {
		t.Errorf("reasons %q / %q", ps[0].ReasonZh, ps[1].ReasonEn)
	}
}

func TestExcellentRMs(t *testing.T) {
	rule := assess.ExcellentRMRule{Positions: []string{"regional_manager"}, Quarters: 4}
	qs := func(team int64, scores ...string) []assess.TeamScore {
		var out []assess.TeamScore
		for i, s := range scores {
			out = append(out, assess.TeamScore{TeamID: team, Period: platform.Period{Kind: platform.Quarter, Year: 2025, N: i + 1}, Score: score(s)})
		}
		return out
	}
	d := platform.NewDate
	cands := []assess.RMCandidate{
		// 85.00 average.
		{PersonID: 1, EmpNo: "R1", Position: "regional_manager", BranchID: 10, HiredOn: d(2019, 1, 1), TeamScores: qs(21, "80", "85", "90", "85")},
		// Two teams: (86+84+85+85 + 85+85+85+85.01)/8 = 85.00125 → best, though it rounds to 85.00 too.
		{PersonID: 2, EmpNo: "R2", Position: "regional_manager", BranchID: 10, HiredOn: d(2020, 1, 1),
			TeamScores: append(qs(31, "86", "84", "85", "85"), qs(32, "85", "85", "85", "85.01")...)},
		// Higher, but only three quarters: not eligible.
		{PersonID: 3, EmpNo: "R3", Position: "regional_manager", BranchID: 10, TeamScores: qs(41, "99", "99", "99")},
		// Scores of another year are ignored.
		{PersonID: 4, EmpNo: "R4", Position: "regional_manager", BranchID: 10, TeamScores: append(qs(51, "70", "70", "70", "70"),
			assess.TeamScore{TeamID: 51, Period: platform.Period{Kind: platform.Quarter, Year: 2024, N: 1}, Score: score("100")})},
		// Another branch, ties broken by hire date.
		{PersonID: 5, EmpNo: "R5", Position: "regional_manager", BranchID: 50, HiredOn: d(2021, 1, 1), TeamScores: qs(61, "90", "90", "90", "90")},
		{PersonID: 6, EmpNo: "R6", Position: "regional_manager", BranchID: 50, HiredOn: d(2018, 1, 1), TeamScores: qs(62, "90", "90", "90", "90")},
		{PersonID: 7, EmpNo: "R7", Position: "sales_cm", BranchID: 50, TeamScores: qs(63, "100", "100", "100", "100")},
	}
	ps := assess.ExcellentRMs(rule, 2025, cands)
	if len(ps) != 2 {
		t.Fatalf("proposals %+v", ps)
	}
	if ps[0].PersonID != 2 || ps[0].UnitID != 10 || figure(ps[0], "averageExact") != "68001/800" || figure(ps[0], "average") != "85.00" ||
		figure(ps[0], "teamQuarters") != "8" || ps[0].Period != "2025" || figure(ps[0], "decidedBy") != "average" {
		t.Errorf("branch 10: %+v", ps[0])
	}
	if ps[1].PersonID != 6 || figure(ps[1], "decidedBy") != "hired_on" {
		t.Errorf("branch 50: %+v", ps[1])
	}
	rule.Quarters = 3
	if ps := assess.ExcellentRMs(rule, 2025, cands); ps[0].PersonID != 3 {
		t.Errorf("three quarters allowed: %+v", ps[0])
	}
}

func rate(actual, tgt int64) target.Rate { return target.CompletionMinor(actual, tgt) }

func TestCoopOutcomes(t *testing.T) {
	rule := assess.CoopRule{Positions: []string{"sales_cm"}, ConvertTo: "general_marketer", MissBelowBP: 10000, MissMonths: 3, FloorBP: 3000, RecoverMonths: 3}
	tasks := func(rates ...target.Rate) []assess.TaskResult {
		out := make([]assess.TaskResult, len(rates))
		for i, r := range rates {
			out[i] = assess.TaskResult{Metric: fmt.Sprintf("task%d", i+1), Completion: r}
		}
		return out
	}
	full, miss, none := rate(100, 100), rate(99, 100), target.Rate{}
	mon := func(y, m int, ts ...target.Rate) assess.CoopMonth {
		return assess.CoopMonth{Period: month(y, m), Tasks: tasks(ts...)}
	}
	for _, tc := range []struct {
		name     string
		position string
		months   []assess.CoopMonth
		kind     string
		figure   string
	}{
		{"all met", "sales_cm", []assess.CoopMonth{mon(2026, 1, full), mon(2026, 2, full), mon(2026, 3, full, rate(150, 100))}, "", ""},
		{"three missed", "sales_cm", []assess.CoopMonth{mon(2026, 1, miss), mon(2026, 2, full, miss), mon(2026, 3, miss, full)}, assess.ProposeToGeneralMarket, "consecutiveMonthsMissed=3"},
		{"two missed", "sales_cm", []assess.CoopMonth{mon(2026, 1, full), mon(2026, 2, miss), mon(2026, 3, miss)}, "", ""},
		{"missed across the year", "sales_cm", []assess.CoopMonth{mon(2025, 12, miss), mon(2026, 1, miss), mon(2026, 2, miss), mon(2026, 3, miss)}, assess.ProposeToGeneralMarket, "consecutiveMonthsMissed=3"},
		{"a month without targets breaks the run", "sales_cm", []assess.CoopMonth{mon(2026, 1, miss), mon(2026, 2, none), mon(2026, 3, miss)}, "", ""},
		{"a gap breaks the run", "sales_cm", []assess.CoopMonth{mon(2025, 12, miss), mon(2026, 1, miss), mon(2026, 3, miss)}, "", ""},
		{"29.99% in one task", "sales_cm", []assess.CoopMonth{mon(2026, 3, full, rate(2999, 10000))}, assess.ProposeToGeneralMarket, "floor=30%"},
		// 0.299996 rounds to 30.00% in basis points; the exact comparison still sees it under 30%.
		{"just under 30% exactly", "sales_cm", []assess.CoopMonth{mon(2026, 3, rate(299996, 1000000))}, assess.ProposeToGeneralMarket, "floor=30%"},
		{"exactly 30%", "sales_cm", []assess.CoopMonth{mon(2026, 3, rate(30, 100))}, "", ""},
		{"no target is not under 30%", "sales_cm", []assess.CoopMonth{mon(2026, 3, none, full)}, "", ""},
		{"general marketer back after three good months", "general_marketer", []assess.CoopMonth{mon(2026, 1, full), mon(2026, 2, full), mon(2026, 3, full)}, assess.ProposeMayReapplyCM, "consecutiveMonthsMet=3"},
		{"general marketer, one month missed", "general_marketer", []assess.CoopMonth{mon(2026, 1, full), mon(2026, 2, miss), mon(2026, 3, full)}, "", ""},
		{"other positions untouched", "counter_staff", []assess.CoopMonth{mon(2026, 3, rate(1, 100))}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := assess.CoopOutcomes(rule, month(2026, 3), []assess.CoopCase{{PersonID: 4, Position: tc.position, Months: tc.months}})
			if tc.kind == "" {
				if len(ps) != 0 {
					t.Fatalf("want nothing, got %+v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Kind != tc.kind || ps[0].Effective != "2026-04" {
				t.Fatalf("got %+v, want %s", ps, tc.kind)
			}
			k, v, _ := strings.Cut(tc.figure, "=")
			if figure(ps[0], k) != v {
				t.Errorf("figure %s = %q, want %q (%+v)", k, figure(ps[0], k), v, ps[0].Figures)
			}
			if ps[0].ReasonZh == "" || ps[0].ReasonEn == "" {
				t.Error("reason missing")
			}
		})
	}
}

func TestOutcomeRulesValidate(t *testing.T) {
	ok := assess.OutcomeRules{
		Star:        &assess.StarRule{Positions: []string{"sales_cm"}, TieItem: "task_completion"},
		Monthly:     &assess.MonthlyRule{Positions: []string{"sales_cm"}, Below: score("60"), StandbyDays: 7, EndAfter: 2},
		RMQuarterly: &assess.RMQuarterlyRule{Positions: []string{"regional_manager"}, Below: score("60"), ConvertTo: "sales_cm"},
		ExcellentRM: &assess.ExcellentRMRule{Positions: []string{"regional_manager"}, Quarters: 4},
		Coop:        &assess.CoopRule{Positions: []string{"sales_cm"}, ConvertTo: "general_marketer", MissBelowBP: 10000, MissMonths: 3, FloorBP: 3000, RecoverMonths: 3},
	}
	if f := ok.Validate(); len(f) > 0 {
		t.Fatalf("valid rules refused: %v", f)
	}
	for _, tc := range []struct {
		edit  func(o *assess.OutcomeRules)
		field string
	}{
		{func(o *assess.OutcomeRules) { o.Monthly.Below = 0 }, "monthly.below"},
		{func(o *assess.OutcomeRules) { o.Monthly.Below = score("100.01") }, "monthly.below"},
		{func(o *assess.OutcomeRules) { o.Monthly.EndAfter = 0 }, "monthly.endAfter"},
		{func(o *assess.OutcomeRules) { o.Star.TieItem = "" }, "starCm.tieItem"},
		{func(o *assess.OutcomeRules) { o.RMQuarterly.ConvertTo = "" }, "rmQuarterly.convertTo"},
		{func(o *assess.OutcomeRules) { o.ExcellentRM.Quarters = 5 }, "excellentRm.quarters"},
		{func(o *assess.OutcomeRules) { o.Coop.FloorBP = 12000 }, "coopTasks.floorBp"},
		{func(o *assess.OutcomeRules) { o.Coop.Positions = nil }, "coopTasks.positions"},
	} {
		o := ok
		s, m, r, e, c := *ok.Star, *ok.Monthly, *ok.RMQuarterly, *ok.ExcellentRM, *ok.Coop
		o.Star, o.Monthly, o.RMQuarterly, o.ExcellentRM, o.Coop = &s, &m, &r, &e, &c
		tc.edit(&o)
		if f := o.Validate(); f[tc.field] == "" {
			t.Errorf("want an error on %s, got %v", tc.field, f)
		}
	}
}
