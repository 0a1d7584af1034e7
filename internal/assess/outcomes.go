package assess

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"cmhub/internal/platform"
	"cmhub/internal/target"
)

// Proposal kinds. The system proposes; an authorised person confirms.
const (
	ProposeStarCM           = "star_cm"             // 明星客户经理 of a team for a quarter
	ProposeStandbyTraining  = "standby_training"    // 待岗培训 next month, with explanation and pledge
	ProposeEndContract      = "end_contract"        // 解除劳动合同
	ProposeRMToSalesCM      = "rm_to_sales_cm"      // 区域经理转为销售类客户经理 next month
	ProposeReorganiseRegion = "reorganise_region"   // 区域合并或更换区域经理
	ProposeExcellentRM      = "excellent_rm"        // 优秀区域经理 of the year
	ProposeToGeneralMarket  = "to_general_marketer" // 转为一般营销员，取消基本工资
	ProposeMayReapplyCM     = "may_reapply_cm"      // 可申请重新转聘为客户经理
)

// Figure is one number a proposal used, as text ("58.50", "2026-03").
type Figure struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Proposal is an outcome the system proposes, with its reason in Chinese
// and English and the figures it used.
type Proposal struct {
	Kind     string `json:"kind"`
	PersonID int64  `json:"personId,omitempty"`
	UnitID   int64  `json:"unitId,omitempty"`
	// Period is the assessed period; Effective when the consequence starts.
	Period    string   `json:"period"`
	Effective string   `json:"effective,omitempty"`
	ReasonZh  string   `json:"reasonZh"`
	ReasonEn  string   `json:"reasonEn"`
	Figures   []Figure `json:"figures"`
}

// OutcomeRules are an institution's outcome rules as data. A nil rule is
// not applied.
type OutcomeRules struct {
	Star        *StarRule        `json:"starCm,omitempty"`
	Monthly     *MonthlyRule     `json:"monthly,omitempty"`
	RMQuarterly *RMQuarterlyRule `json:"rmQuarterly,omitempty"`
	ExcellentRM *ExcellentRMRule `json:"excellentRm,omitempty"`
	Coop        *CoopRule        `json:"coopTasks,omitempty"`
}

// StarRule: each team names one star CM a quarter (000 §二.3); only the
// positions listed are eligible (RMs are not).
type StarRule struct {
	Positions []string `json:"positions"`
	// TieItem is the scorecard item whose points decide between equal
	// composites (task completion in the securities preset).
	TieItem string `json:"tieItem"`
}

// MonthlyRule: a monthly score below Below sends the manager to standby
// training for StandbyDays next month; EndAfter consecutive months below
// it propose ending the contract (000 §二.3).
type MonthlyRule struct {
	Positions   []string `json:"positions"`
	Below       Score    `json:"below"`
	StandbyDays int      `json:"standbyDays"`
	EndAfter    int      `json:"endAfter"`
}

// RMQuarterlyRule: an RM whose quarterly score is below Below becomes
// ConvertTo the next month, and the region is merged or given a new RM.
type RMQuarterlyRule struct {
	Positions []string `json:"positions"`
	Below     Score    `json:"below"`
	ConvertTo string   `json:"convertTo"`
}

// ExcellentRMRule: one excellent RM a year per branch, by the average of
// the previous year's quarterly team scores; Quarters is how many
// different quarters must be covered.
type ExcellentRMRule struct {
	Positions []string `json:"positions"`
	Quarters  int      `json:"quarters"`
}

// CoopRule (002 第十一条): MissMonths consecutive months with a task
// below MissBelowBP, or any task below FloorBP in a month, convert a
// manager of Positions to ConvertTo with base pay stopped; RecoverMonths
// consecutive months with every task at MissBelowBP or more allow them to
// apply to be a manager again from the next month.
type CoopRule struct {
	Positions     []string `json:"positions"`
	ConvertTo     string   `json:"convertTo"`
	MissBelowBP   BP       `json:"missBelowBp"`
	MissMonths    int      `json:"missMonths"`
	FloorBP       BP       `json:"floorBp"`
	RecoverMonths int      `json:"recoverMonths"`
}

// Validate checks the parameters of every rule present.
func (o *OutcomeRules) Validate() platform.Fields {
	f := platform.Fields{}
	scoreOK := func(field string, s Score) {
		if s <= 0 || s > OfPoints(Whole(TotalPoints)) {
			f.Add(field, fmt.Sprintf("结果规则 %s：分数线须在 0–100 之间，现为 %s outcome rule %s: the threshold must be within 0–100, got %s", field, s, field, s))
		}
	}
	positive := func(field string, n int) {
		if n < 1 {
			f.Add(field, fmt.Sprintf("结果规则 %s：须为正整数，现为 %d outcome rule %s: must be a positive integer, got %d", field, n, field, n))
		}
	}
	positions := func(field string, ps []string) {
		if len(ps) == 0 {
			f.Add(field, fmt.Sprintf("结果规则 %s：须指定岗位 outcome rule %s: name the positions", field, field))
		}
	}
	bp := func(field string, v BP) {
		if v <= 0 || v > 10*FullWeight {
			f.Add(field, fmt.Sprintf("结果规则 %s：完成率须在 0–1000%% 之间（基点），现为 %d outcome rule %s: the rate must be within 0–1000%% (basis points), got %d", field, v, field, v))
		}
	}
	if r := o.Star; r != nil {
		positions("starCm.positions", r.Positions)
		if !keyRe.MatchString(r.TieItem) {
			f.Add("starCm.tieItem", "结果规则 starCm.tieItem：须指定同分时比较的考核项 outcome rule starCm.tieItem: name the item that breaks a tie")
		}
	}
	if r := o.Monthly; r != nil {
		positions("monthly.positions", r.Positions)
		scoreOK("monthly.below", r.Below)
		positive("monthly.standbyDays", r.StandbyDays)
		positive("monthly.endAfter", r.EndAfter)
	}
	if r := o.RMQuarterly; r != nil {
		positions("rmQuarterly.positions", r.Positions)
		scoreOK("rmQuarterly.below", r.Below)
		if r.ConvertTo == "" {
			f.Add("rmQuarterly.convertTo", "结果规则 rmQuarterly.convertTo：须指定转换后的岗位 outcome rule rmQuarterly.convertTo: name the position converted to")
		}
	}
	if r := o.ExcellentRM; r != nil {
		positions("excellentRm.positions", r.Positions)
		if r.Quarters < 1 || r.Quarters > 4 {
			f.Add("excellentRm.quarters", fmt.Sprintf("结果规则 excellentRm.quarters：须为 1–4，现为 %d outcome rule excellentRm.quarters: must be 1–4, got %d", r.Quarters, r.Quarters))
		}
	}
	if r := o.Coop; r != nil {
		positions("coopTasks.positions", r.Positions)
		if r.ConvertTo == "" {
			f.Add("coopTasks.convertTo", "结果规则 coopTasks.convertTo：须指定转换后的岗位 outcome rule coopTasks.convertTo: name the position converted to")
		}
		bp("coopTasks.missBelowBp", r.MissBelowBP)
		bp("coopTasks.floorBp", r.FloorBP)
		positive("coopTasks.missMonths", r.MissMonths)
		positive("coopTasks.recoverMonths", r.RecoverMonths)
		if r.FloorBP > r.MissBelowBP {
			f.Add("coopTasks.floorBp", "结果规则 coopTasks.floorBp：单项下限不能高于完成标准 outcome rule coopTasks.floorBp: the floor cannot be above the completion standard")
		}
	}
	return f
}

// nextMonth is the month after the period (after its last day).
func nextMonth(p platform.Period) platform.Period {
	d := p.End().AddDays(1)
	return platform.Period{Kind: platform.Month, Year: d.Year(), N: int(d.Month())}
}

// StarCandidate is a manager of a team with their quarterly composite.
type StarCandidate struct {
	PersonID  int64         `json:"personId"`
	EmpNo     string        `json:"empNo"`
	Position  string        `json:"position"`
	TeamID    int64         `json:"teamId"`
	HiredOn   platform.Date `json:"hiredOn"`
	Composite Score         `json:"composite"`
	Held      bool          `json:"held"`
	// TieItemPoints are the points of the rule's tie item (for a computed
	// item the same on every sheet; for a rated one the caller's mean).
	TieItemPoints Points `json:"tieItemPoints"`
}

// StarCMs proposes one star CM per team for quarter: among the eligible
// positions with a composite (not held), the highest published composite
// (two decimals — what people can check on the results list). Ties are
// broken, in order, by more points on the tie item, an earlier hire date
// (an unknown date last), and the smaller employee number; the figure
// "decidedBy" says which rule decided. Proposals are ordered by team.
func StarCMs(rule StarRule, quarter platform.Period, cands []StarCandidate) []Proposal {
	byTeam := map[int64][]StarCandidate{}
	for _, c := range cands {
		if c.Held || c.TeamID == 0 || !slices.Contains(rule.Positions, c.Position) {
			continue
		}
		byTeam[c.TeamID] = append(byTeam[c.TeamID], c)
	}
	teams := make([]int64, 0, len(byTeam))
	for t := range byTeam {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	var out []Proposal
	for _, t := range teams {
		cs := byTeam[t]
		slices.SortFunc(cs, compareStar)
		best := cs[0]
		decided := "only_candidate"
		if len(cs) > 1 {
			decided = starDecider(best, cs[1])
		}
		zh := fmt.Sprintf("%s 本团队可参评人员中综合得分最高（%s），建议评为明星客户经理", quarter, best.Composite)
		en := fmt.Sprintf("highest composite (%s) among the team's eligible managers in %s: proposed as star CM", best.Composite, quarter)
		if tz, te := decidedText(decided, rule.TieItem); tz != "" {
			zh += "；" + tz
			en += "; " + te
		}
		figs := []Figure{{"composite", best.Composite.String()}, {rule.TieItem, best.TieItemPoints.String()},
			{"candidates", fmt.Sprint(len(cs))}, {"decidedBy", decided}}
		if len(cs) > 1 {
			figs = append(figs, Figure{"runnerUpComposite", cs[1].Composite.String()})
		}
		out = append(out, Proposal{Kind: ProposeStarCM, PersonID: best.PersonID, UnitID: t, Period: quarter.String(),
			ReasonZh: zh, ReasonEn: en, Figures: figs})
	}
	return out
}

// compareStar orders candidates best first.
func compareStar(a, b StarCandidate) int {
	if c := cmp.Compare(b.Composite, a.Composite); c != 0 {
		return c
	}
	if c := cmp.Compare(b.TieItemPoints, a.TieItemPoints); c != 0 {
		return c
	}
	if c := compareHired(a.HiredOn, b.HiredOn); c != 0 {
		return c
	}
	if c := cmp.Compare(a.EmpNo, b.EmpNo); c != 0 {
		return c
	}
	return cmp.Compare(a.PersonID, b.PersonID)
}

// compareHired puts the earlier date first and an unknown one last.
func compareHired(a, b platform.Date) int {
	switch {
	case a == b:
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	case a.Before(b):
		return -1
	}
	return 1
}

func starDecider(best, next StarCandidate) string {
	switch {
	case best.Composite != next.Composite:
		return "composite"
	case best.TieItemPoints != next.TieItemPoints:
		return "tie_item"
	case best.HiredOn != next.HiredOn:
		return "hired_on"
	}
	return "emp_no"
}

func decidedText(decided, item string) (zh, en string) {
	switch decided {
	case "tie_item":
		return "综合得分相同，按考核项 " + item + " 得分较高者", "equal composites: decided by more points on item " + item
	case "hired_on":
		return "综合得分与考核项得分均相同，按入职日期较早者", "equal composites and item points: decided by the earlier hire date"
	case "emp_no":
		return "综合得分、考核项得分与入职日期均相同，按工号较小者", "equal composites, item points and hire dates: decided by the smaller employee number"
	}
	return "", ""
}

// MonthScore is a manager's score of one month.
type MonthScore struct {
	Period platform.Period `json:"period"`
	Score  Score           `json:"score"`
	Held   bool            `json:"held"`
}

// MonthlyCase is a manager's recent monthly scores, the month under
// review among them.
type MonthlyCase struct {
	PersonID int64        `json:"personId"`
	Position string       `json:"position"`
	Months   []MonthScore `json:"months"`
}

// MonthlyOutcomes applies the monthly rule to month. A manager of the
// rule's positions whose score for month is below the line is proposed
// for standby training next month; when the months just before were
// below it too, making EndAfter consecutive calendar months, ending the
// contract is proposed instead. A held or absent score proposes nothing.
func MonthlyOutcomes(rule MonthlyRule, month platform.Period, cases []MonthlyCase) []Proposal {
	var out []Proposal
	for _, c := range cases {
		if !slices.Contains(rule.Positions, c.Position) {
			continue
		}
		scores := make(map[platform.Period]MonthScore, len(c.Months))
		for _, m := range c.Months {
			scores[m.Period] = m
		}
		cur, ok := scores[month]
		if !ok || cur.Held || cur.Score >= rule.Below {
			continue
		}
		run := []MonthScore{cur}
		for p := month.MonthBefore(); len(run) < rule.EndAfter; p = p.MonthBefore() {
			m, ok := scores[p]
			if !ok || m.Held || m.Score >= rule.Below {
				break
			}
			run = append(run, m)
		}
		figs := []Figure{{"score", cur.Score.String()}, {"below", rule.Below.String()}, {"consecutiveMonthsBelow", fmt.Sprint(len(run))}}
		for _, m := range run[1:] {
			figs = append(figs, Figure{"score" + m.Period.String(), m.Score.String()})
		}
		next := nextMonth(month)
		if len(run) >= rule.EndAfter {
			months := make([]string, len(run))
			for i, m := range run {
				months[len(run)-1-i] = m.Period.String() + "：" + m.Score.String()
			}
			out = append(out, Proposal{Kind: ProposeEndContract, PersonID: c.PersonID, Period: month.String(), Effective: next.String(),
				ReasonZh: fmt.Sprintf("连续 %d 个月月度考核低于 %s 分（%s），建议解除劳动合同", len(run), rule.Below, strings.Join(months, "，")),
				ReasonEn: fmt.Sprintf("monthly score below %s for %d consecutive months (%s): ending the contract is proposed", rule.Below, len(run), strings.Join(months, ", ")),
				Figures:  figs})
			continue
		}
		out = append(out, Proposal{Kind: ProposeStandbyTraining, PersonID: c.PersonID, Period: month.String(), Effective: next.String(),
			ReasonZh: fmt.Sprintf("%s 月度考核 %s 分，低于 %s 分：%s 待岗培训 %d 天，并填写情况说明和保证书", month, cur.Score, rule.Below, next, rule.StandbyDays),
			ReasonEn: fmt.Sprintf("monthly score %s in %s is below %s: %d days of standby training in %s, with a written explanation and pledge", cur.Score, month, rule.Below, rule.StandbyDays, next),
			Figures:  append(figs, Figure{"standbyDays", fmt.Sprint(rule.StandbyDays)})})
	}
	return out
}

// QuarterCase is an RM's quarterly composite and region.
type QuarterCase struct {
	PersonID int64  `json:"personId"`
	Position string `json:"position"`
	RegionID int64  `json:"regionId"`
	Score    Score  `json:"score"`
	Held     bool   `json:"held"`
}

// RMQuarterlyOutcomes proposes, for every RM whose composite for quarter
// is below the line, their conversion to a sales CM from the next month
// and a task to merge the region or appoint a new RM.
func RMQuarterlyOutcomes(rule RMQuarterlyRule, quarter platform.Period, cases []QuarterCase) []Proposal {
	var out []Proposal
	next := nextMonth(quarter)
	for _, c := range cases {
		if c.Held || !slices.Contains(rule.Positions, c.Position) || c.Score >= rule.Below {
			continue
		}
		figs := []Figure{{"score", c.Score.String()}, {"below", rule.Below.String()}}
		out = append(out,
			Proposal{Kind: ProposeRMToSalesCM, PersonID: c.PersonID, UnitID: c.RegionID, Period: quarter.String(), Effective: next.String(),
				ReasonZh: fmt.Sprintf("%s 季度考核 %s 分，低于 %s 分：%s 起转为 %s", quarter, c.Score, rule.Below, next, rule.ConvertTo),
				ReasonEn: fmt.Sprintf("quarterly score %s in %s is below %s: becomes %s from %s", c.Score, quarter, rule.Below, rule.ConvertTo, next),
				Figures:  figs},
			Proposal{Kind: ProposeReorganiseRegion, PersonID: c.PersonID, UnitID: c.RegionID, Period: quarter.String(), Effective: next.String(),
				ReasonZh: fmt.Sprintf("区域经理 %s 季度考核不合格（%s 分）：由营业部合并区域或更换区域经理", quarter, c.Score),
				ReasonEn: fmt.Sprintf("the regional manager failed the %s assessment (%s): merge the region or appoint a new regional manager", quarter, c.Score),
				Figures:  figs})
	}
	return out
}

// TeamScore is a team's quarterly team-assessment score.
type TeamScore struct {
	TeamID int64           `json:"teamId"`
	Period platform.Period `json:"period"`
	Score  Score           `json:"score"`
}

// RMCandidate is an RM with the team scores of their region's teams.
type RMCandidate struct {
	PersonID   int64         `json:"personId"`
	EmpNo      string        `json:"empNo"`
	Position   string        `json:"position"`
	BranchID   int64         `json:"branchId"`
	HiredOn    platform.Date `json:"hiredOn"`
	TeamScores []TeamScore   `json:"teamScores"`
}

// ExcellentRMs proposes one excellent RM per branch for year, by the
// highest average of the year's quarterly team scores of their region
// (every team-quarter counts once, exactly; scores of other years are
// ignored). A candidate whose scores cover fewer than rule.Quarters
// different quarters is not eligible. Ties: earlier hire date, then the
// smaller employee number.
func ExcellentRMs(rule ExcellentRMRule, year int, cands []RMCandidate) []Proposal {
	type scored struct {
		c        RMCandidate
		avg      *big.Rat
		n        int
		quarters int
	}
	byBranch := map[int64][]scored{}
	for _, c := range cands {
		if !slices.Contains(rule.Positions, c.Position) {
			continue
		}
		sum, n := int64(0), 0
		quarters := map[int]bool{}
		for _, ts := range c.TeamScores {
			if ts.Period.Kind != platform.Quarter || ts.Period.Year != year {
				continue
			}
			sum += int64(ts.Score)
			n++
			quarters[ts.Period.N] = true
		}
		if n == 0 || len(quarters) < rule.Quarters {
			continue
		}
		byBranch[c.BranchID] = append(byBranch[c.BranchID], scored{c, big.NewRat(sum, int64(n)*ScoreScale), n, len(quarters)})
	}
	branches := make([]int64, 0, len(byBranch))
	for b := range byBranch {
		branches = append(branches, b)
	}
	slices.Sort(branches)
	var out []Proposal
	for _, b := range branches {
		ss := byBranch[b]
		slices.SortFunc(ss, func(x, y scored) int {
			if c := y.avg.Cmp(x.avg); c != 0 {
				return c
			}
			if c := compareHired(x.c.HiredOn, y.c.HiredOn); c != 0 {
				return c
			}
			if c := cmp.Compare(x.c.EmpNo, y.c.EmpNo); c != 0 {
				return c
			}
			return cmp.Compare(x.c.PersonID, y.c.PersonID)
		})
		best := ss[0]
		avg, _ := RoundScore(best.avg)
		decided := "average"
		if len(ss) > 1 && ss[1].avg.Cmp(best.avg) == 0 {
			decided = "hired_on"
			if ss[1].c.HiredOn == best.c.HiredOn {
				decided = "emp_no"
			}
		}
		out = append(out, Proposal{Kind: ProposeExcellentRM, PersonID: best.c.PersonID, UnitID: b, Period: fmt.Sprintf("%04d", year),
			ReasonZh: fmt.Sprintf("%d 年各季度团队考核平均得分最高（%s，%d 个团队季度成绩），建议评为优秀区域经理", year, avg, best.n),
			ReasonEn: fmt.Sprintf("highest average of the %d quarterly team scores (%s over %d team-quarters): proposed as excellent regional manager", year, avg, best.n),
			Figures: []Figure{{"average", avg.String()}, {"averageExact", best.avg.RatString()}, {"teamQuarters", fmt.Sprint(best.n)},
				{"quarters", fmt.Sprint(best.quarters)}, {"candidates", fmt.Sprint(len(ss))}, {"decidedBy", decided}}})
	}
	return out
}

// TaskResult is the completion of one task (metric) in a month.
type TaskResult struct {
	Metric     string      `json:"metric"`
	Completion target.Rate `json:"completion"`
}

// CoopMonth is a manager's tasks of one month.
type CoopMonth struct {
	Period platform.Period `json:"period"`
	Tasks  []TaskResult    `json:"tasks"`
}

// CoopCase is a manager's recent months. For someone already converted,
// the caller passes only the months since the conversion.
type CoopCase struct {
	PersonID int64       `json:"personId"`
	Position string      `json:"position"`
	Months   []CoopMonth `json:"months"`
}

type monthVerdict int

const (
	monthNoTasks monthVerdict = iota // no task with a target: neither missed nor met
	monthMet                         // every task at the standard or above
	monthMissed                      // some task below the standard
)

// CoopOutcomes applies the credit-coop task rule to month. Completions
// are compared exactly with the thresholds; a task without a target is
// ignored, and a month without any target breaks a run of months.
func CoopOutcomes(rule CoopRule, month platform.Period, cases []CoopCase) []Proposal {
	var out []Proposal
	miss := big.NewRat(rule.MissBelowBP, FullWeight)
	floor := big.NewRat(rule.FloorBP, FullWeight)
	next := nextMonth(month)
	for _, c := range cases {
		byPeriod := make(map[platform.Period]CoopMonth, len(c.Months))
		for _, m := range c.Months {
			byPeriod[m.Period] = m
		}
		cur, ok := byPeriod[month]
		if !ok {
			continue
		}
		verdict := func(m CoopMonth) (monthVerdict, []string) {
			v, low := monthNoTasks, []string(nil)
			for _, t := range m.Tasks {
				r := t.Completion.Rat()
				if r == nil {
					continue
				}
				if r.Cmp(miss) < 0 {
					v = monthMissed
					low = append(low, t.Metric+" "+t.Completion.Percent()+"%")
				} else if v == monthNoTasks {
					v = monthMet
				}
			}
			return v, low
		}
		// run counts the consecutive months ending at month with verdict want.
		run := func(want monthVerdict, limit int) int {
			n := 0
			for p := month; n < limit; p = p.MonthBefore() {
				m, ok := byPeriod[p]
				if !ok {
					break
				}
				if v, _ := verdict(m); v != want {
					break
				}
				n++
			}
			return n
		}
		switch {
		case slices.Contains(rule.Positions, c.Position):
			var under []string
			for _, t := range cur.Tasks {
				if r := t.Completion.Rat(); r != nil && r.Cmp(floor) < 0 {
					under = append(under, t.Metric+" "+t.Completion.Percent()+"%")
				}
			}
			if len(under) > 0 {
				out = append(out, Proposal{Kind: ProposeToGeneralMarket, PersonID: c.PersonID, Period: month.String(), Effective: next.String(),
					ReasonZh: fmt.Sprintf("%s 单项任务完成不足 %s（%s）：转为 %s，取消基本工资", month, formatBP(rule.FloorBP), strings.Join(under, "，"), rule.ConvertTo),
					ReasonEn: fmt.Sprintf("in %s a task was under %s (%s): converted to %s, base pay stopped", month, formatBP(rule.FloorBP), strings.Join(under, ", "), rule.ConvertTo),
					Figures:  []Figure{{"floor", formatBP(rule.FloorBP)}, {"tasksUnderFloor", strings.Join(under, "; ")}}})
				continue
			}
			if n := run(monthMissed, rule.MissMonths); n >= rule.MissMonths {
				_, low := verdict(cur)
				out = append(out, Proposal{Kind: ProposeToGeneralMarket, PersonID: c.PersonID, Period: month.String(), Effective: next.String(),
					ReasonZh: fmt.Sprintf("连续 %d 个月未完成分配任务（%s：%s）：转为 %s，取消基本工资", n, month, strings.Join(low, "，"), rule.ConvertTo),
					ReasonEn: fmt.Sprintf("assigned tasks missed for %d consecutive months (%s: %s): converted to %s, base pay stopped", n, month, strings.Join(low, ", "), rule.ConvertTo),
					Figures:  []Figure{{"consecutiveMonthsMissed", fmt.Sprint(n)}, {"standard", formatBP(rule.MissBelowBP)}}})
			}
		case c.Position == rule.ConvertTo:
			if n := run(monthMet, rule.RecoverMonths); n >= rule.RecoverMonths {
				out = append(out, Proposal{Kind: ProposeMayReapplyCM, PersonID: c.PersonID, Period: month.String(), Effective: next.String(),
					ReasonZh: fmt.Sprintf("连续 %d 个月完成任务：自 %s 起可本人申请、经组织考核后重新转聘为客户经理", n, next),
					ReasonEn: fmt.Sprintf("tasks met for %d consecutive months: may apply to be a customer manager again from %s, subject to assessment", n, next),
					Figures:  []Figure{{"consecutiveMonthsMet", fmt.Sprint(n)}, {"standard", formatBP(rule.MissBelowBP)}}})
			}
		}
	}
	return out
}
