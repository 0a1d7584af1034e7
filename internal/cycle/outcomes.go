package cycle

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

// Mover makes the effective-dated change a confirmed outcome brings.
type Mover interface {
	Move(ctx context.Context, id int64, m people.Move) (people.Detail, error)
}

// OutcomeStore is the persistence of outcomes.
type OutcomeStore interface {
	InsertOutcomes(ctx context.Context, institution, cycleID int64, os []Outcome) error
	Outcomes(ctx context.Context, sc access.Scope, asOf platform.Date, q OutcomeQuery) ([]Outcome, error)
	OutcomeCount(ctx context.Context, sc access.Scope, asOf platform.Date, q OutcomeQuery) (int, error)
	Outcome(ctx context.Context, institution, id int64) (Outcome, error)
	DecideOutcome(ctx context.Context, o *Outcome) error
}

// Grade-review proposal kinds (SPEC §7), beside the core's outcome kinds.
const (
	ProposeGradeUp   = "grade_up"
	ProposeGradeDown = "grade_down"
)

// gradeProposals applies the grade-review rule of the cycle's kind to
// every person with a grade on the ladder. The composite and completion
// are the cycle's; exam scores are the best recorded for the period; and
// for those the figures would promote, the annual task completion of the
// rule's weak years is computed from targets and statistics (the year
// under review itself from the cycle).
func (s *Service) gradeProposals(ctx context.Context, c *Cycle, pr *assess.PresetRules, per platform.Period, rows []ResultRow, people map[int64]assess.Person) ([]assess.Proposal, error) {
	if pr.Ladder == nil {
		return nil, nil
	}
	var rule *assess.GradeRule
	for i := range pr.GradeRules {
		if pr.GradeRules[i].Cycle == per.Kind {
			rule = &pr.GradeRules[i]
		}
	}
	if rule == nil {
		return nil, nil
	}
	ladder := map[string]bool{}
	for _, g := range pr.Ladder.Grades() {
		ladder[g.Code] = true
	}
	var exams map[int64]assess.Score
	if rule.UpMinExam > 0 && s.Exams != nil {
		var err error
		if exams, err = s.Exams.BestExamScores(ctx, c.Institution, per.String()); err != nil {
			return nil, err
		}
	}
	var cases []assess.GradeCase
	for _, r := range rows {
		p, ok := people[r.SubjectID]
		if r.SubjectKind != KindPerson || !ok || !ladder[p.Grade] {
			continue
		}
		score, held := scoreOf(r)
		gc := assess.GradeCase{PersonID: r.SubjectID, Grade: p.Grade, Period: per, Composite: score, Held: held}
		var d Detail
		if json.Unmarshal(r.Detail, &d) == nil && d.Inputs != nil && d.Inputs.Completion != "" {
			if v, ok := new(big.Rat).SetString(d.Inputs.Completion); ok {
				gc.Completion = target.Completion(v, big.NewRat(1, 1))
			}
		}
		if e, ok := exams[r.SubjectID]; ok {
			gc.Exam = &e
		}
		cases = append(cases, gc)
	}
	decide := func() ([]assess.GradeDecision, error) {
		out := make([]assess.GradeDecision, len(cases))
		for i, gc := range cases {
			d, err := assess.ReviewGrade(*rule, pr.Ladder, gc)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	}
	decisions, err := decide()
	if err != nil {
		return nil, err
	}
	if rule.WeakYears > 0 {
		var up []int
		for i, d := range decisions {
			if d.Direction == assess.GradeUp {
				up = append(up, i)
			}
		}
		if len(up) > 0 {
			if err := s.annualCompletion(ctx, c.Institution, per, rule.WeakYears, cases, up, people); err != nil {
				return nil, err
			}
			if decisions, err = decide(); err != nil {
				return nil, err
			}
		}
	}
	next := platform.Period{Kind: platform.Month, Year: per.End().AddDays(1).Year(), N: int(per.End().AddDays(1).Month())}
	var out []assess.Proposal
	for _, dec := range decisions {
		if dec.Direction == assess.GradeStay {
			continue
		}
		kind := ProposeGradeUp
		if dec.Direction == assess.GradeDown {
			kind = ProposeGradeDown
		}
		figs := append(dec.Figures, assess.Figure{Key: "from", Value: dec.From}, assess.Figure{Key: "to", Value: dec.To})
		out = append(out, assess.Proposal{Kind: kind, PersonID: dec.PersonID, Period: per.String(), Effective: next.String(),
			ReasonZh: dec.ReasonZh, ReasonEn: dec.ReasonEn, Figures: figs})
	}
	return out, nil
}

// annualCompletion fills the annual task completion of the weak years
// into the cases at the indexes idx: the years up to an annual review's
// own year, or before a quarter's year. The reviewed year's completion is
// the cycle's; earlier years come from their targets and statistics.
func (s *Service) annualCompletion(ctx context.Context, institution int64, per platform.Period, weakYears int, cases []assess.GradeCase, idx []int, people map[int64]assess.Person) error {
	last := per.Year
	if per.Kind != platform.Year {
		last--
	}
	subjects := make([]SubjectInput, len(idx))
	for i, k := range idx {
		id := cases[k].PersonID
		subjects[i] = SubjectInput{Subject: assess.Subject{PersonID: id}, Level: "person", UnitID: people[id].UnitID}
	}
	for y := last; y > last-weakYears; y-- {
		if per.Kind == platform.Year && y == per.Year {
			for _, k := range idx {
				if cases[k].AnnualCompletion == nil {
					cases[k].AnnualCompletion = map[int]target.Rate{}
				}
				cases[k].AnnualCompletion[y] = cases[k].Completion
			}
			continue
		}
		if s.Inputs == nil {
			continue
		}
		figs, err := s.Inputs.For(ctx, institution, platform.Period{Kind: platform.Year, Year: y}, subjects)
		if err != nil {
			return fmt.Errorf("annual completion %d: %w", y, err)
		}
		for _, k := range idx {
			f, ok := figs[assess.Subject{PersonID: cases[k].PersonID}]
			if !ok || f.Completion == "" {
				continue
			}
			v, ok := new(big.Rat).SetString(f.Completion)
			if !ok {
				continue
			}
			if cases[k].AnnualCompletion == nil {
				cases[k].AnnualCompletion = map[int]target.Rate{}
			}
			cases[k].AnnualCompletion[y] = target.Completion(v, big.NewRat(1, 1))
		}
	}
	return nil
}

// propose applies the outcome rules to a closing cycle's results and
// stores the proposals: star CMs and RM conversions for a quarter,
// standby training and ending contracts for a month.
func (s *Service) propose(ctx context.Context, c *Cycle) error {
	if s.Outcomes == nil {
		return nil
	}
	pr, err := s.consequences(ctx, c.Institution, c.Rules)
	if err != nil {
		return err
	}
	rules := pr.Outcomes
	per, err := platform.ParsePeriod(c.Period)
	if err != nil {
		return err
	}
	all := access.Scope{Institution: c.Institution, All: true}
	rows, _, err := s.Store.AssessResults(ctx, all, c.AsOf, ResultQuery{Institution: c.Institution, Cycle: c.ID, SubjectKind: "", WithDetail: true})
	if err != nil {
		return err
	}
	// The organisation at the period's end: whose grade is reviewed, and
	// hiring dates for the star rule's ties.
	ppl, err := s.Store.AssessPeople(ctx, c.Institution, c.AsOf)
	if err != nil {
		return err
	}
	byID := make(map[int64]assess.Person, len(ppl))
	for _, p := range ppl {
		byID[p.ID] = p
	}
	proposals, err := s.gradeProposals(ctx, c, pr, per, rows, byID)
	if err != nil {
		return err
	}
	switch per.Kind {
	case platform.Quarter:
		var stars []assess.StarCandidate
		var rms []assess.QuarterCase
		for _, r := range rows {
			if r.SubjectKind != KindPerson {
				continue
			}
			score, held := scoreOf(r)
			if st := rules.Star; st != nil && slices.Contains(st.Positions, r.Position) && r.TeamID != 0 {
				stars = append(stars, assess.StarCandidate{PersonID: r.SubjectID, EmpNo: r.EmpNo, Position: r.Position, TeamID: r.TeamID,
					HiredOn: byID[r.SubjectID].HiredOn, Composite: score, Held: held, TieItemPoints: tiePoints(r, st.TieItem)})
			}
			if rq := rules.RMQuarterly; rq != nil && slices.Contains(rq.Positions, r.Position) {
				rms = append(rms, assess.QuarterCase{PersonID: r.SubjectID, Position: r.Position, RegionID: r.RegionID, Score: score, Held: held})
			}
		}
		if rules.Star != nil {
			proposals = append(proposals, assess.StarCMs(*rules.Star, per, stars)...)
		}
		if rules.RMQuarterly != nil {
			proposals = append(proposals, assess.RMQuarterlyOutcomes(*rules.RMQuarterly, per, rms)...)
		}
	case platform.Year:
		if rules.ExcellentRM != nil {
			cands, err := s.rmCandidates(ctx, c, per, ppl, rules.ExcellentRM)
			if err != nil {
				return err
			}
			proposals = append(proposals, assess.ExcellentRMs(*rules.ExcellentRM, per.Year, cands)...)
		}
	case platform.Month:
		if rules.Monthly == nil {
			break
		}
		prev, err := s.previousMonth(ctx, c, per)
		if err != nil {
			return err
		}
		var cases []assess.MonthlyCase
		for _, r := range rows {
			if r.SubjectKind != KindPerson || !slices.Contains(rules.Monthly.Positions, r.Position) {
				continue
			}
			score, held := scoreOf(r)
			mc := assess.MonthlyCase{PersonID: r.SubjectID, Position: r.Position, Months: []assess.MonthScore{{Period: per, Score: score, Held: held}}}
			if p, ok := prev[r.SubjectID]; ok {
				mc.Months = append([]assess.MonthScore{p}, mc.Months...)
			}
			cases = append(cases, mc)
		}
		proposals = append(proposals, assess.MonthlyOutcomes(*rules.Monthly, per, cases)...)
	}
	out := make([]Outcome, len(proposals))
	for i, p := range proposals {
		out[i] = Outcome{Kind: p.Kind, PersonID: p.PersonID, UnitID: p.UnitID, Proposal: p}
	}
	return s.Outcomes.InsertOutcomes(ctx, c.Institution, c.ID, out)
}

// rmCandidates gathers, for the excellent-RM rule, every RM of the
// year-end organisation with the team-assessment scores of their region
// in the year's closed quarterly cycles (a team counts for the region it
// was in that quarter).
func (s *Service) rmCandidates(ctx context.Context, c *Cycle, per platform.Period, ppl []assess.Person, rule *assess.ExcellentRMRule) ([]assess.RMCandidate, error) {
	units, err := s.Store.Units(ctx, c.Institution, c.AsOf)
	if err != nil {
		return nil, err
	}
	au := make([]assess.Unit, len(units))
	for i, u := range units {
		au[i] = assess.Unit{ID: u.ID, ParentID: u.ParentID, Kind: u.Kind}
	}
	idx, err := assess.NewOrgIndex(au)
	if err != nil {
		return nil, err
	}
	byRegion := map[int64][]assess.TeamScore{}
	cycles, err := s.Store.Cycles(ctx, c.Institution)
	if err != nil {
		return nil, err
	}
	for _, qc := range cycles {
		qp, err := platform.ParsePeriod(qc.Period)
		if err != nil || qp.Kind != platform.Quarter || qp.Year != per.Year || qc.State != StateClosed {
			continue
		}
		rows, _, err := s.Store.AssessResults(ctx, access.Scope{Institution: c.Institution, All: true}, qc.AsOf,
			ResultQuery{Institution: c.Institution, Cycle: qc.ID})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.SubjectKind == KindTeam && r.Composite != nil && r.RegionID != 0 {
				byRegion[r.RegionID] = append(byRegion[r.RegionID], assess.TeamScore{TeamID: r.SubjectID, Period: qp, Score: *r.Composite})
			}
		}
	}
	var out []assess.RMCandidate
	for _, p := range ppl {
		if !slices.Contains(rule.Positions, p.Position) {
			continue
		}
		region := idx.Anchor(p.UnitID, assess.ScopeRegion)
		out = append(out, assess.RMCandidate{PersonID: p.ID, EmpNo: p.EmpNo, Position: p.Position, BranchID: idx.Anchor(p.UnitID, assess.ScopeBranch),
			HiredOn: p.HiredOn, TeamScores: byRegion[region]})
	}
	return out, nil
}

// previousMonth returns the scores of the month before per, from its
// closed cycle, by person.
func (s *Service) previousMonth(ctx context.Context, c *Cycle, per platform.Period) (map[int64]assess.MonthScore, error) {
	out := map[int64]assess.MonthScore{}
	prev := per.MonthBefore()
	cycles, err := s.Store.Cycles(ctx, c.Institution)
	if err != nil {
		return nil, err
	}
	for _, pc := range cycles {
		if pc.Period != prev.String() || pc.State != StateClosed {
			continue
		}
		rows, _, err := s.Store.AssessResults(ctx, access.Scope{Institution: c.Institution, All: true}, pc.AsOf,
			ResultQuery{Institution: c.Institution, Cycle: pc.ID})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.SubjectKind == KindPerson {
				score, held := scoreOf(r)
				out[r.SubjectID] = assess.MonthScore{Period: prev, Score: score, Held: held}
			}
		}
	}
	return out, nil
}

func scoreOf(r ResultRow) (assess.Score, bool) {
	if r.Composite == nil {
		return 0, true
	}
	return *r.Composite, false
}

// tiePoints are the subject's points on the star rule's tie item: the
// computed points, or the item's part of the composite to a tenth.
func tiePoints(r ResultRow, item string) assess.Points {
	var d Detail
	if json.Unmarshal(r.Detail, &d) != nil {
		return 0
	}
	for _, c := range d.Computed {
		if c.Key == item {
			return c.Points
		}
	}
	for _, it := range d.Items {
		if it.Key == item && it.Score != nil {
			return assess.Points((int64(*it.Score) + 5) / 10)
		}
	}
	return 0
}

// OutcomeFilter selects a page of the inbox: outcomes of one cycle or
// task review, in one state (zero values select all).
type OutcomeFilter struct {
	Cycle, Review  int64
	State          string
	Page, PageSize int // 1-based; PageSize 1–MaxResults, 0 for MaxResults
}

// OutcomePage is a page of outcomes and how many there are in all.
type OutcomePage struct {
	Items []Outcome `json:"items"`
	Total int       `json:"total"`
}

// OutcomeList lists outcomes for the marketing department's inbox,
// newest first, a page at a time.
func (s *Service) OutcomeList(ctx context.Context, f OutcomeFilter) (OutcomePage, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return OutcomePage{}, err
	}
	if s.Outcomes == nil {
		return OutcomePage{Items: []Outcome{}}, nil
	}
	if f.State != "" && f.State != OutcomeProposed && f.State != OutcomeConfirmed && f.State != OutcomeOverridden {
		return OutcomePage{}, platform.Invalid("state", "状态须为 proposed、confirmed 或 overridden the state must be proposed, confirmed or overridden")
	}
	size := f.PageSize
	if size <= 0 || size > MaxResults {
		size = MaxResults
	}
	q := OutcomeQuery{Institution: p.Institution, Cycle: f.Cycle, Review: f.Review, State: f.State, Limit: size, Offset: (max(f.Page, 1) - 1) * size}
	today := platform.DateOf(s.Clock.Now())
	items, err := s.Outcomes.Outcomes(ctx, p.Scope, today, q)
	if err != nil {
		return OutcomePage{}, err
	}
	total, err := s.Outcomes.OutcomeCount(ctx, p.Scope, today, q)
	if err != nil {
		return OutcomePage{}, err
	}
	return OutcomePage{Items: items, Total: total}, nil
}

// DecideInput confirms or overrides a proposal.
type DecideInput struct {
	Decision string `json:"decision"` // confirm | override
	Reason   string `json:"reason"`
	Version  int    `json:"version"`
}

// Decide confirms a proposal — making the change it brings through the
// person's effective-dated records, with the decider's own permissions —
// or overrides it with a reason. Both are audited; nothing is half-made.
func (s *Service) Decide(ctx context.Context, id int64, in DecideInput) (Outcome, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return Outcome{}, err
	}
	if s.Outcomes == nil {
		return Outcome{}, platform.ErrNotFound
	}
	reason := strings.TrimSpace(in.Reason)
	fs := platform.Fields{}
	if in.Decision != "confirm" && in.Decision != "override" {
		fs.Add("decision", "决定须为 confirm 或 override the decision must be confirm or override")
	}
	if utf8.RuneCountInString(reason) > maxNote {
		fs.Add("reason", "理由最多 500 字 the reason is at most 500 characters")
	}
	if err := fs.Err(); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		o, err := s.Outcomes.Outcome(ctx, p.Institution, id)
		if err != nil {
			return err
		}
		visible, err := s.Outcomes.Outcomes(ctx, p.Scope, platform.DateOf(s.Clock.Now()), OutcomeQuery{Institution: p.Institution, ID: o.ID})
		if err != nil {
			return err
		}
		if len(visible) != 1 {
			return platform.ErrNotFound
		}
		if o.State != OutcomeProposed {
			return platform.Conflict("decided", "decision", "该建议已处理 the proposal has been decided")
		}
		if in.Version != 0 && in.Version != o.Version {
			return platform.Conflict("stale", "version", "该结果已被处理，请刷新 the outcome was decided meanwhile; reload")
		}
		if in.Decision == "override" && reason == "" {
			return platform.Invalid("reason", "不采纳须说明理由 overriding needs a reason")
		}
		now := s.Clock.Now()
		o.DecidedBy, o.DecidedAt, o.Reason = p.Username, &now, reason
		if in.Decision == "override" {
			o.State, o.Effect = OutcomeOverridden, "未采纳，不作变动 overridden: nothing changed"
		} else {
			o.State = OutcomeConfirmed
			if o.Effect, err = s.apply(ctx, o); err != nil {
				return err
			}
		}
		if err := s.Outcomes.DecideOutcome(ctx, &o); err != nil {
			return err
		}
		out = o
		return s.Audit.Record(ctx, audit.Change{Action: "assess.outcome." + in.Decision, ObjectType: "assess_outcome", ObjectID: fmt.Sprint(o.ID),
			Before: map[string]any{"state": OutcomeProposed}, After: map[string]any{"state": o.State, "kind": o.Kind, "person": o.PersonID,
				"period": o.Period, "effect": o.Effect}, Reason: reason})
	})
	return out, err
}

// apply makes the change a confirmed proposal brings and describes it.
func (s *Service) apply(ctx context.Context, o Outcome) (string, error) {
	from := platform.Date{}
	if per, err := platform.ParsePeriod(o.Proposal.Effective); err == nil {
		from = per.Start()
	}
	why := fmt.Sprintf("%s 考核结果 assessment outcome %s (#%d)", o.Period, o.Kind, o.ID)
	move := func(m people.Move) error {
		if s.People == nil || o.PersonID == 0 || from.IsZero() {
			return fmt.Errorf("outcome %d: no person or effective date to change", o.ID)
		}
		m.EffectiveFrom, m.Reason = from, why
		_, err := s.People.Move(ctx, o.PersonID, m)
		return err
	}
	str := func(v string) *string { return &v }
	pr, err := s.outcomeConsequences(ctx, s.institutionOf(ctx), o)
	if err != nil {
		return "", err
	}
	rules := pr.Outcomes
	switch o.Kind {
	case assess.ProposeStandbyTraining:
		days := 7
		if rules.Monthly != nil && rules.Monthly.StandbyDays > 0 {
			days = rules.Monthly.StandbyDays
		}
		if err := move(people.Move{Status: str("standby_training")}); err != nil {
			return "", err
		}
		back := from.AddDays(days)
		if _, err := s.People.Move(ctx, o.PersonID, people.Move{EffectiveFrom: back, Status: str("active"), Reason: why}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s 起待岗培训 %d 天，%s 恢复在岗 standby training from %s for %d days, active again from %s", from, days, back, from, days, back), nil
	case assess.ProposeEndContract:
		if err := move(people.Move{Status: str("terminated")}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s 起解除劳动合同 contract ended from %s", from, from), nil
	case assess.ProposeRMToSalesCM:
		if rules.RMQuarterly == nil || rules.RMQuarterly.ConvertTo == "" {
			return "", fmt.Errorf("outcome %d: no position to convert to", o.ID)
		}
		to := rules.RMQuarterly.ConvertTo
		if err := move(people.Move{Position: &to}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s 起转为 %s position %s from %s", from, to, to, from), nil
	case assess.ProposeToGeneralMarket:
		if rules.Coop == nil || rules.Coop.ConvertTo == "" {
			return "", fmt.Errorf("outcome %d: no position to convert to", o.ID)
		}
		to := rules.Coop.ConvertTo
		if err := move(people.Move{Position: &to}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s 起转为 %s，取消基本工资 position %s from %s, base pay stopped", from, to, to, from), nil
	case assess.ProposeMayReapplyCM:
		return fmt.Sprintf("%s 起可本人申请重新转聘为客户经理，经组织考核后以岗位调动办理 may apply to be a customer manager again from %s; the reappointment is a position move after the organisation's assessment", from, from), nil
	case ProposeGradeUp, ProposeGradeDown:
		to := ""
		for _, f := range o.Proposal.Figures {
			if f.Key == "to" {
				to = f.Value
			}
		}
		if to == "" {
			return "", fmt.Errorf("outcome %d: no grade to move to", o.ID)
		}
		if err := move(people.Move{Grade: &to}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s 起职级调整为 %s grade %s from %s", from, to, to, from), nil
	}
	return "已确认并记录 confirmed and recorded", nil
}

func (s *Service) institutionOf(ctx context.Context) int64 {
	if p := access.FromContext(ctx); p != nil {
		return p.Institution
	}
	return 0
}
