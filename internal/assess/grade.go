package assess

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"cmhub/internal/platform"
	"cmhub/internal/target"
)

// Grade is a step of an institution's grade ladder (the "grades"
// dictionary of its preset); a higher rank is a higher grade.
type Grade struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	Rank int    `json:"rank"`
}

// Ladder is a grade ladder ordered from the lowest grade up.
type Ladder struct{ grades []Grade }

// NewLadder orders grades by rank; codes and ranks must be unique.
func NewLadder(grades []Grade) (*Ladder, error) {
	if len(grades) == 0 {
		return nil, platform.Invalid("grades", "等级序列不能为空 the grade ladder is empty")
	}
	gs := slices.Clone(grades)
	slices.SortFunc(gs, func(a, b Grade) int { return a.Rank - b.Rank })
	codes := map[string]bool{}
	for i, g := range gs {
		if g.Code == "" || codes[g.Code] {
			return nil, platform.Invalid("grades", fmt.Sprintf("等级代码 %q 为空或重复 grade code %q is empty or repeated", g.Code, g.Code))
		}
		codes[g.Code] = true
		if i > 0 && gs[i-1].Rank == g.Rank {
			return nil, platform.Invalid("grades", fmt.Sprintf("等级 %s 与 %s 的顺序相同 grades %s and %s have the same rank", gs[i-1].Code, g.Code, gs[i-1].Code, g.Code))
		}
	}
	return &Ladder{grades: gs}, nil
}

// Grades returns the ladder from the lowest grade up.
func (l *Ladder) Grades() []Grade { return slices.Clone(l.grades) }

func (l *Ladder) index(code string) int {
	return slices.IndexFunc(l.grades, func(g Grade) bool { return g.Code == code })
}

// GradeRule is an institution's grade-review rule for one cycle (SPEC §7:
// "the able rise, the average stay, the weak step down"), as data.
type GradeRule struct {
	Cycle platform.PeriodKind `json:"cycle"`
	// Up one grade when the composite is at least UpMinScore AND the task
	// completion at least UpMinCompletionBP.
	UpMinScore        Score `json:"upMinScore"`
	UpMinCompletionBP BP    `json:"upMinCompletionBp"`
	// Down one grade when the composite is below DownBelowScore OR the
	// task completion below DownBelowCompletionBP.
	DownBelowScore        Score `json:"downBelowScore"`
	DownBelowCompletionBP BP    `json:"downBelowCompletionBp"`
	// No promotion after WeakYears consecutive years whose annual task
	// completion was below WeakBelowBP (002 等级管理: 连续两年完成核定任务
	// 不理想者只能平级). 0 years turns the check off.
	WeakYears   int `json:"weakYears"`
	WeakBelowBP BP  `json:"weakBelowBp"`
	// UpMinExam, above 0, also requires an exam score of at least it in
	// the period for promotion (002 等级管理: 考试成绩); without a recorded
	// exam score nobody is promoted. 0 leaves exams out.
	UpMinExam Score `json:"upMinExam,omitempty"`
}

// Validate checks the rule's thresholds.
func (g *GradeRule) Validate() platform.Fields {
	f := platform.Fields{}
	label := "等级评定规则 " + string(g.Cycle)
	labelEn := "grade rule " + string(g.Cycle)
	if g.Cycle != platform.Quarter && g.Cycle != platform.Year && g.Cycle != platform.Month {
		f.Add("cycle", fmt.Sprintf("%s：周期须为 month、quarter 或 year %s: the cycle must be month, quarter or year", label, labelEn))
	}
	full := OfPoints(Whole(TotalPoints))
	if g.UpMinScore <= 0 || g.UpMinScore > full || g.DownBelowScore <= 0 || g.DownBelowScore > full {
		f.Add("score", fmt.Sprintf("%s：分数线须在 0–100 之间 %s: score thresholds must be within 0–100", label, labelEn))
	} else if g.DownBelowScore > g.UpMinScore {
		f.Add("score", fmt.Sprintf("%s：降级分数线 %s 不能高于晋级分数线 %s %s: the demotion line %s cannot be above the promotion line %s", label, g.DownBelowScore, g.UpMinScore, labelEn, g.DownBelowScore, g.UpMinScore))
	}
	if g.UpMinCompletionBP < 0 || g.DownBelowCompletionBP < 0 || g.WeakBelowBP < 0 || g.DownBelowCompletionBP > g.UpMinCompletionBP {
		f.Add("completion", fmt.Sprintf("%s：完成率门槛须不小于 0，且降级门槛不高于晋级门槛 %s: completion thresholds must be ≥ 0 and the demotion one not above the promotion one", label, labelEn))
	}
	if g.UpMinExam < 0 || g.UpMinExam > full {
		f.Add("upMinExam", fmt.Sprintf("%s：考试成绩门槛须在 0–100 之间 %s: the exam threshold must be within 0–100", label, labelEn))
	}
	if g.WeakYears < 0 || (g.WeakYears > 0 && g.WeakBelowBP <= 0) {
		f.Add("weakYears", fmt.Sprintf("%s：连续不理想年数须不小于 0，且须有完成率门槛 %s: weak years must be ≥ 0 with a completion threshold", label, labelEn))
	}
	return f
}

// Directions of a grade decision.
const (
	GradeUp   = "up"
	GradeDown = "down"
	GradeStay = "stay"
)

// GradeCase is one manager's figures for a grade review.
type GradeCase struct {
	PersonID  int64           `json:"personId"`
	Grade     string          `json:"grade"`
	Period    platform.Period `json:"period"`
	Composite Score           `json:"composite"`
	Held      bool            `json:"held"`
	// Completion is the task completion of the period; AnnualCompletion
	// of past years by year, for the weak-years check.
	Completion       target.Rate         `json:"completion"`
	AnnualCompletion map[int]target.Rate `json:"annualCompletion,omitempty"`
	// Exam is the best exam score recorded for the period, nil without one.
	Exam *Score `json:"exam,omitempty"`
}

// GradeDecision is the proposed grade change with its reason.
type GradeDecision struct {
	PersonID  int64    `json:"personId"`
	Direction string   `json:"direction"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	ReasonZh  string   `json:"reasonZh"`
	ReasonEn  string   `json:"reasonEn"`
	Figures   []Figure `json:"figures"`
}

// ReviewGrade proposes up, down or stay for one manager. Down is checked
// first (composite below the line, or completion below its line); then up
// (composite and completion both at their lines), unless the weak-years
// rule blocks promotion; at either end of the ladder the grade stays. A
// held composite, or a period without a target, never moves a grade on
// that figure: no target proves neither a good nor a weak completion.
// The weak years are the WeakYears years up to the period's year for an
// annual review, and before it otherwise; each must have a completion.
func ReviewGrade(rule GradeRule, ladder *Ladder, c GradeCase) (GradeDecision, error) {
	i := ladder.index(c.Grade)
	if i < 0 {
		return GradeDecision{}, platform.Invalid("grade", fmt.Sprintf("等级 %q 不在等级序列中 grade %q is not on the ladder", c.Grade, c.Grade))
	}
	d := GradeDecision{PersonID: c.PersonID, Direction: GradeStay, From: c.Grade, To: c.Grade}
	comp := "无任务 no target"
	if !c.Completion.NoTarget() {
		comp = c.Completion.Percent() + "%"
	}
	d.Figures = []Figure{{"composite", c.Composite.String()}, {"completion", comp}}
	if c.Held {
		d.Figures[0].Value = "held"
		d.ReasonZh, d.ReasonEn = "本期无综合得分，等级不变", "no composite for the period: the grade stays"
		return d, nil
	}
	rate := c.Completion.Rat()
	below := func(bp BP) bool { return rate != nil && rate.Cmp(big.NewRat(bp, FullWeight)) < 0 }
	var why, whyEn []string
	if c.Composite < rule.DownBelowScore {
		why = append(why, fmt.Sprintf("综合得分 %s 低于 %s", c.Composite, rule.DownBelowScore))
		whyEn = append(whyEn, fmt.Sprintf("composite %s below %s", c.Composite, rule.DownBelowScore))
	}
	if rule.DownBelowCompletionBP > 0 && below(rule.DownBelowCompletionBP) {
		why = append(why, fmt.Sprintf("任务完成率 %s 低于 %s", comp, formatBP(rule.DownBelowCompletionBP)))
		whyEn = append(whyEn, fmt.Sprintf("completion %s below %s", comp, formatBP(rule.DownBelowCompletionBP)))
	}
	if len(why) > 0 {
		if i == 0 {
			d.ReasonZh = strings.Join(why, "，") + "；已是最低等级，等级不变"
			d.ReasonEn = strings.Join(whyEn, ", ") + "; already the lowest grade: the grade stays"
			return d, nil
		}
		d.Direction, d.To = GradeDown, ladder.grades[i-1].Code
		d.ReasonZh = strings.Join(why, "，") + "：降一级"
		d.ReasonEn = strings.Join(whyEn, ", ") + ": down one grade"
		return d, nil
	}
	if c.Composite < rule.UpMinScore || (rule.UpMinCompletionBP > 0 && (rate == nil || below(rule.UpMinCompletionBP))) {
		d.ReasonZh = fmt.Sprintf("未达到晋级条件（综合得分不低于 %s 且任务完成率不低于 %s），也未触及降级条件：等级不变", rule.UpMinScore, formatBP(rule.UpMinCompletionBP))
		d.ReasonEn = fmt.Sprintf("neither the promotion conditions (composite ≥ %s and completion ≥ %s) nor a demotion condition are met: the grade stays", rule.UpMinScore, formatBP(rule.UpMinCompletionBP))
		return d, nil
	}
	upZh := fmt.Sprintf("综合得分 %s 不低于 %s 且任务完成率 %s 不低于 %s", c.Composite, rule.UpMinScore, comp, formatBP(rule.UpMinCompletionBP))
	upEn := fmt.Sprintf("composite %s ≥ %s and completion %s ≥ %s", c.Composite, rule.UpMinScore, comp, formatBP(rule.UpMinCompletionBP))
	if rule.UpMinExam > 0 {
		if c.Exam == nil {
			d.Figures = append(d.Figures, Figure{"exam", "无成绩 none"})
			d.ReasonZh = fmt.Sprintf("%s，但本期无考试成绩（晋级须不低于 %s）：等级不变", upZh, rule.UpMinExam)
			d.ReasonEn = fmt.Sprintf("%s, but no exam score for the period (promotion needs ≥ %s): the grade stays", upEn, rule.UpMinExam)
			return d, nil
		}
		d.Figures = append(d.Figures, Figure{"exam", c.Exam.String()})
		if *c.Exam < rule.UpMinExam {
			d.ReasonZh = fmt.Sprintf("%s，但考试成绩 %s 低于 %s：等级不变", upZh, *c.Exam, rule.UpMinExam)
			d.ReasonEn = fmt.Sprintf("%s, but the exam score %s is below %s: the grade stays", upEn, *c.Exam, rule.UpMinExam)
			return d, nil
		}
		upZh += fmt.Sprintf("，考试成绩 %s 不低于 %s", *c.Exam, rule.UpMinExam)
		upEn += fmt.Sprintf(", exam %s ≥ %s", *c.Exam, rule.UpMinExam)
	}
	if years, weak := weakYears(rule, c); weak {
		d.Figures = append(d.Figures, Figure{"weakYears", strings.Join(years, "; ")})
		d.ReasonZh = fmt.Sprintf("%s，但连续 %d 年任务完成率低于 %s（%s）：只能平级，不晋升", upZh, rule.WeakYears, formatBP(rule.WeakBelowBP), strings.Join(years, "，"))
		d.ReasonEn = fmt.Sprintf("%s, but annual completion was below %s for %d consecutive years (%s): no promotion", upEn, formatBP(rule.WeakBelowBP), rule.WeakYears, strings.Join(years, ", "))
		return d, nil
	}
	if i == len(ladder.grades)-1 {
		d.ReasonZh, d.ReasonEn = upZh+"；已是最高等级，等级不变", upEn+"; already the highest grade: the grade stays"
		return d, nil
	}
	d.Direction, d.To = GradeUp, ladder.grades[i+1].Code
	d.ReasonZh, d.ReasonEn = upZh+"：升一级", upEn+": up one grade"
	return d, nil
}

// weakYears reports whether every one of the rule's weak years had an
// annual completion below the line, with those figures.
func weakYears(rule GradeRule, c GradeCase) ([]string, bool) {
	if rule.WeakYears == 0 {
		return nil, false
	}
	last := c.Period.Year
	if c.Period.Kind != platform.Year {
		last--
	}
	line := big.NewRat(rule.WeakBelowBP, FullWeight)
	var years []string
	for y := last; y > last-rule.WeakYears; y-- {
		r := c.AnnualCompletion[y].Rat()
		if r == nil || r.Cmp(line) >= 0 {
			return nil, false
		}
		years = append(years, fmt.Sprintf("%d: %s%%", y, c.AnnualCompletion[y].Percent()))
	}
	return years, true
}
