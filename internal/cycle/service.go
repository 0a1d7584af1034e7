package cycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/dict"
	"cmhub/internal/org"
	"cmhub/internal/platform"
	"cmhub/presets"
)

// Store is the persistence this package needs. Writes run inside WithTx.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	InstitutionPreset(ctx context.Context, institution int64) (string, error)
	DictItems(ctx context.Context, institution int64) (map[string][]dict.Item, error)
	AssessRuleSet(ctx context.Context, institution int64) (RuleSet, error)
	SaveAssessRuleSet(ctx context.Context, institution int64, rs *RuleSet) error
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error)
	AssessPeople(ctx context.Context, institution int64, asOf platform.Date) ([]assess.Person, error)

	CreateCycle(ctx context.Context, c *Cycle) error
	Cycles(ctx context.Context, institution int64) ([]Cycle, error)
	Cycle(ctx context.Context, institution, id int64, lock bool) (Cycle, error)
	UpdateCycle(ctx context.Context, c *Cycle) error
	InsertAssessSubjects(ctx context.Context, cycleID int64, subjects []SubjectRow) error
	InsertAssessSheets(ctx context.Context, cycleID int64, sheets iter.Seq[assess.SheetRef]) (int64, error)

	AssessSheets(ctx context.Context, q SheetQuery) ([]Sheet, error)
	AssessSheet(ctx context.Context, institution, id int64, lock bool) (Sheet, error)
	UpdateAssessSheet(ctx context.Context, s *Sheet) error
	AssessProgress(ctx context.Context, sc access.Scope, asOf platform.Date, cycleID int64) ([]RaterProgress, error)

	AssessSubjects(ctx context.Context, cycleID int64) ([]SubjectRow, error)
	EachAssessSubject(ctx context.Context, cycleID int64, fn func(s SubjectRow, sheets []SheetLite) error) error
	ReplaceAssessResults(ctx context.Context, cycleID int64, results []ResultRow) error
	AssessResults(ctx context.Context, sc access.Scope, asOf platform.Date, q ResultQuery) ([]ResultRow, int, error)
	AssessSubjectVisible(ctx context.Context, sc access.Scope, asOf platform.Date, cycleID int64, kind string, id int64) (bool, error)
}

// Inputs supplies the figures computed scorecard items use (see
// assess.Inputs) for every subject of a cycle.
type Inputs interface {
	// For returns each subject's inputs for period; a subject without a
	// figure is absent from the map, and its computed items have no value.
	For(ctx context.Context, institution int64, period platform.Period, subjects []SubjectInput) (map[assess.Subject]SubjectFigures, error)
}

// SubjectInput is a subject with the level its task completion is taken
// at: the person, or their team, region or branch.
type SubjectInput struct {
	Subject assess.Subject
	Level   string // "person", "team", "region", "branch"
	UnitID  int64  // the unit whose figures stand for the subject at that level
}

// SubjectFigures are one subject's inputs and where they came from.
type SubjectFigures struct {
	Values  map[string]float64 `json:"values"`
	Sources []Source           `json:"sources"`
	// Completion is the task completion exactly ("7/5"), for grade reviews.
	Completion string `json:"completion,omitempty"`
}

// Source explains one figure an input was computed from.
type Source struct {
	Metric     string `json:"metric"`
	NameZh     string `json:"nameZh"`
	Actual     string `json:"actual"`
	Target     string `json:"target"`
	Completion string `json:"completion"` // percent, two decimals
	Basis      string `json:"basis"`      // "period" (the period's own target) or "months" (its months' targets)
}

// Service holds the cycle use cases.
type Service struct {
	Store    Store
	Audit    audit.Log
	Clock    platform.Clock
	Inputs   Inputs
	Outcomes OutcomeStore    // nil: no outcome proposals
	People   Mover           // makes confirmed outcomes' changes
	Tasks    TaskSource      // monthly task completion for task reviews
	Reviews  TaskReviewStore // nil: no task reviews
	Exams    ExamStore       // nil: no exam scores
	// Attendance supplies the attendance figures computed items may read;
	// nil leaves them without a value (the item is then held).
	Attendance AttendanceSource
}

const maxNote = 500

// ErrClosed is the conflict code of a write into a closed cycle.
const ErrClosed = "cycle_closed"

func principal(ctx context.Context, perm access.Permission) (*access.Principal, error) {
	p := access.FromContext(ctx)
	if p == nil {
		return nil, platform.ErrUnauthorized
	}
	if perm != "" && !p.Can(perm) {
		return nil, platform.ErrForbidden
	}
	return p, nil
}

// Rules returns the institution's rules in force. An institution that
// never stored any gets its preset's, stored as version 1.
func (s *Service) Rules(ctx context.Context) (RuleSet, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return RuleSet{}, err
	}
	if !p.Can(access.AssessRead) && !p.Can(access.AssessManage) {
		return RuleSet{}, platform.ErrForbidden
	}
	return s.ruleSet(ctx, p.Institution)
}

func (s *Service) ruleSet(ctx context.Context, institution int64) (RuleSet, error) {
	rs, err := s.Store.AssessRuleSet(ctx, institution)
	if !errors.Is(err, platform.ErrNotFound) {
		return rs, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if rs, err = s.Store.AssessRuleSet(ctx, institution); !errors.Is(err, platform.ErrNotFound) {
			return err
		}
		code, err := s.Store.InstitutionPreset(ctx, institution)
		if err != nil {
			return err
		}
		rules, err := PresetRules(code)
		if err != nil {
			return err
		}
		rs = RuleSet{Rules: rules, Note: "预置规则 preset " + code, CreatedBy: "system"}
		return s.Store.SaveAssessRuleSet(ctx, institution, &rs)
	})
	return rs, err
}

// PresetRules reads the templates and schemes of a preset.
func PresetRules(code string) (Rules, error) {
	p, err := presets.Load(code)
	if err != nil {
		return Rules{}, err
	}
	pr, err := assess.FromPreset(p)
	if err != nil {
		return Rules{}, err
	}
	ts, ss := pr.Rules.Parts()
	return Rules{Templates: ts, Schemes: ss, Consequences: &Consequences{Outcomes: pr.Outcomes, GradeReview: pr.GradeRules}}, nil
}

// SaveTemplate stores a new or changed scorecard template as a new
// version of the institution's rules. A changed template gets the next
// template version; cycles already opened keep theirs.
func (s *Service) SaveTemplate(ctx context.Context, t assess.Template, note string) (RuleSet, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return RuleSet{}, err
	}
	if utf8.RuneCountInString(note) > maxNote {
		return RuleSet{}, platform.Invalid("note", "说明最多 500 字 the note is at most 500 characters")
	}
	var out RuleSet
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.ruleSet(ctx, p.Institution)
		if err != nil {
			return err
		}
		next := cur.Rules
		next.Templates = append([]assess.Template(nil), cur.Rules.Templates...)
		t.Version = 1
		found := false
		for i, old := range next.Templates {
			if old.Key == t.Key {
				t.Version = old.Version + 1
				next.Templates[i] = t
				found = true
			}
		}
		if !found {
			next.Templates = append(next.Templates, t)
		}
		// Schemes naming the template keep naming it; their template
		// version is taken from the template when a cycle opens.
		if _, err := assess.NewRules(next.Templates, next.Schemes); err != nil {
			return err
		}
		out = RuleSet{Rules: next, Note: strings.TrimSpace(note), CreatedBy: p.Username}
		if err := s.Store.SaveAssessRuleSet(ctx, p.Institution, &out); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "assess.template.save", ObjectType: "assess_template", ObjectID: t.Key,
			After: map[string]any{"template": t, "ruleVersion": out.Version}, Reason: out.Note})
	})
	return out, err
}

// OpenInput opens a cycle.
type OpenInput struct {
	Period string `json:"period"`
	Note   string `json:"note"`
}

// Open opens the cycle of a period: the raters of every subject are
// resolved from the organisation as of the period's last day, and one
// pending sheet per rater and subject is stored, all in one transaction.
func (s *Service) Open(ctx context.Context, in OpenInput) (Cycle, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return Cycle{}, err
	}
	fs := platform.Fields{}
	per, err := platform.ParsePeriod(strings.TrimSpace(in.Period))
	if err != nil {
		fs.Add("period", "期间须为 YYYY-MM、YYYY-Qn 或 YYYY the period must be YYYY-MM, YYYY-Qn or YYYY")
	}
	if utf8.RuneCountInString(in.Note) > maxNote {
		fs.Add("note", "说明最多 500 字 the note is at most 500 characters")
	}
	if err := fs.Err(); err != nil {
		return Cycle{}, err
	}
	today := platform.DateOf(s.Clock.Now())
	if per.Start().After(today) {
		return Cycle{}, platform.Invalid("period", fmt.Sprintf("期间 %s 尚未开始 the period %s has not begun", per, per))
	}
	var c Cycle
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		rs, err := s.ruleSet(ctx, p.Institution)
		if err != nil {
			return err
		}
		rules, err := assess.NewRules(rs.Rules.Templates, rs.Rules.Schemes)
		if err != nil {
			return fmt.Errorf("assessment rules v%d: %w", rs.Version, err)
		}
		asOf := per.End()
		units, err := s.Store.Units(ctx, p.Institution, asOf)
		if err != nil {
			return err
		}
		if !hasOrganisation(units) {
			return platform.Invalid("period", fmt.Sprintf("%s 末（%s）机构尚无组织架构，无法考核 the institution had no organisation on %s", per, asOf, asOf))
		}
		people, err := s.Store.AssessPeople(ctx, p.Institution, asOf)
		if err != nil {
			return err
		}
		snap := assess.Snapshot{AsOf: asOf, People: people, Units: make([]assess.Unit, len(units))}
		for i, u := range units {
			snap.Units[i] = assess.Unit{ID: u.ID, ParentID: u.ParentID, Kind: u.Kind, Name: u.Name}
		}
		plan, err := rules.Plan(per, snap, assess.PlanOptions{})
		if err != nil {
			return err
		}
		idx, err := assess.NewOrgIndex(snap.Units)
		if err != nil {
			return err
		}
		position := make(map[int64]string, len(people))
		for _, pp := range people {
			position[pp.ID] = pp.Position
		}
		used, err := json.Marshal(rs.Rules)
		if err != nil {
			return err
		}
		c = Cycle{Institution: p.Institution, Period: per.String(), Kind: per.Kind, AsOf: asOf, State: StateOpen,
			RuleVersion: rs.Version, Rules: used, Gaps: plan.Gaps, Subjects: int64(len(plan.Subjects)),
			Sheets: int64(plan.SheetCount()), Note: strings.TrimSpace(in.Note), OpenedBy: p.Username}
		if c.Gaps == nil {
			c.Gaps = []assess.Gap{}
		}
		if err := s.Store.CreateCycle(ctx, &c); err != nil {
			return err
		}
		subjects := make([]SubjectRow, len(plan.Subjects))
		for i, sp := range plan.Subjects {
			row := SubjectRow{Kind: KindPerson, ID: sp.Subject.PersonID, Scheme: sp.Scheme, UnitID: sp.Unit,
				TeamID: idx.Anchor(sp.Unit, assess.ScopeTeam), RegionID: idx.Anchor(sp.Unit, assess.ScopeRegion),
				BranchID: idx.Anchor(sp.Unit, assess.ScopeBranch), Position: position[sp.Subject.PersonID]}
			if sp.Subject.UnitID != 0 {
				row.Kind, row.ID, row.Position = KindTeam, sp.Subject.UnitID, ""
			}
			subjects[i] = row
		}
		if err := s.Store.InsertAssessSubjects(ctx, c.ID, subjects); err != nil {
			return err
		}
		if _, err := s.Store.InsertAssessSheets(ctx, c.ID, plan.Sheets()); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "assess.cycle.open", ObjectType: "assess_cycle", ObjectID: fmt.Sprint(c.ID),
			After: map[string]any{"period": c.Period, "ruleVersion": c.RuleVersion, "subjects": c.Subjects, "sheets": c.Sheets,
				"gaps": len(c.Gaps), "schemes": plan.Schemes}, Reason: c.Note})
	})
	return c, err
}

// hasOrganisation reports whether units hold more than the institution
// itself: a period before the first branch opened has no one to assess.
func hasOrganisation(units []org.Unit) bool {
	for _, u := range units {
		if u.Kind != org.Institution {
			return true
		}
	}
	return false
}

// Cycles lists the institution's cycles.
func (s *Service) Cycles(ctx context.Context) ([]Cycle, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return nil, err
	}
	return s.Store.Cycles(ctx, p.Institution)
}

// Get returns one cycle.
func (s *Service) Get(ctx context.Context, id int64) (Cycle, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return Cycle{}, err
	}
	return s.Store.Cycle(ctx, p.Institution, id, false)
}

// Actions on a cycle's state.
const (
	ActionStart  = "start"  // open → scoring
	ActionEnd    = "end"    // scoring → review, results computed
	ActionResume = "resume" // review → scoring
	ActionClose  = "close"  // review → closed, results computed and final
)

var transitions = map[string][2]string{
	ActionStart:  {StateOpen, StateScoring},
	ActionEnd:    {StateScoring, StateReview},
	ActionResume: {StateReview, StateScoring},
	ActionClose:  {StateReview, StateClosed},
}

// TransitionInput moves a cycle on.
type TransitionInput struct {
	Action  string `json:"action"`
	Version int    `json:"version"`
	Note    string `json:"note"`
}

// Transition changes a cycle's state; ending scoring and closing compute
// the results in the same transaction.
func (s *Service) Transition(ctx context.Context, id int64, in TransitionInput) (Cycle, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return Cycle{}, err
	}
	tr, ok := transitions[in.Action]
	if !ok {
		return Cycle{}, platform.Invalid("action", "操作须为 start、end、resume 或 close the action must be start, end, resume or close")
	}
	if utf8.RuneCountInString(in.Note) > maxNote {
		return Cycle{}, platform.Invalid("note", "说明最多 500 字 the note is at most 500 characters")
	}
	var c Cycle
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if c, err = s.Store.Cycle(ctx, p.Institution, id, true); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != c.Version {
			return platform.Conflict("stale", "version", "周期已被他人修改，请刷新 the cycle was changed by someone else; reload")
		}
		if c.State != tr[0] {
			return platform.Conflict("state", "action", fmt.Sprintf("周期当前状态为 %s，不能执行 %s the cycle is %s; %s needs %s",
				stateZh(c.State), in.Action, c.State, in.Action, tr[0]))
		}
		before := c.State
		c.State = tr[1]
		if in.Action == ActionEnd || in.Action == ActionClose {
			if err := s.compute(ctx, &c); err != nil {
				return err
			}
		}
		if in.Action == ActionClose {
			if err := s.propose(ctx, &c); err != nil {
				return fmt.Errorf("outcome proposals: %w", err)
			}
		}
		if err := s.Store.UpdateCycle(ctx, &c); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "assess.cycle." + in.Action, ObjectType: "assess_cycle", ObjectID: fmt.Sprint(c.ID),
			Before: map[string]any{"state": before}, After: map[string]any{"state": c.State}, Reason: strings.TrimSpace(in.Note)})
	})
	return c, err
}

// Compute recomputes a cycle's results now, from the sheets submitted so
// far. A closed cycle's results are final.
func (s *Service) Compute(ctx context.Context, id int64) (Cycle, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return Cycle{}, err
	}
	var c Cycle
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if c, err = s.Store.Cycle(ctx, p.Institution, id, true); err != nil {
			return err
		}
		if c.State == StateClosed {
			return platform.Conflict(ErrClosed, "state", "周期已关闭，结果不再变化 the cycle is closed; its results are final")
		}
		if err := s.compute(ctx, &c); err != nil {
			return err
		}
		if err := s.Store.UpdateCycle(ctx, &c); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "assess.cycle.compute", ObjectType: "assess_cycle", ObjectID: fmt.Sprint(c.ID),
			After: map[string]any{"state": c.State}})
	})
	return c, err
}

func stateZh(s string) string {
	switch s {
	case StateOpen:
		return "已开启"
	case StateScoring:
		return "评分中"
	case StateReview:
		return "审核中"
	case StateClosed:
		return "已关闭"
	}
	return s
}

// cycleRules compiles the rules a cycle was opened with.
func cycleRules(c *Cycle) (*assess.Rules, Rules, error) {
	var r Rules
	if err := json.Unmarshal(c.Rules, &r); err != nil {
		return nil, r, fmt.Errorf("cycle %d rules: %w", c.ID, err)
	}
	rules, err := assess.NewRules(r.Templates, r.Schemes)
	if err != nil {
		return nil, r, fmt.Errorf("cycle %d rules: %w", c.ID, err)
	}
	return rules, r, nil
}
