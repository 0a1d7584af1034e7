package cycle

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
	"cmhub/presets"
)

// consequences returns the outcome and grade-review rules to apply, with
// the preset's grade ladder: those of the cycle's own copy of the rules
// when it has them (a cycle keeps the rules it was opened with), else
// those in force, else the preset's. cycleRules is nil outside a cycle.
func (s *Service) consequences(ctx context.Context, institution int64, cycleRules json.RawMessage) (*assess.PresetRules, error) {
	code, err := s.Store.InstitutionPreset(ctx, institution)
	if err != nil {
		return nil, err
	}
	p, err := presets.Load(code)
	if err != nil {
		return nil, err
	}
	pr, err := assess.FromPreset(p)
	if err != nil {
		return nil, err
	}
	var c *Consequences
	if len(cycleRules) > 0 {
		var r Rules
		if err := json.Unmarshal(cycleRules, &r); err != nil {
			return nil, fmt.Errorf("cycle rules: %w", err)
		}
		c = r.Consequences
	}
	if c == nil {
		rs, err := s.ruleSet(ctx, institution)
		if err != nil {
			return nil, err
		}
		c = rs.Rules.Consequences
	}
	if c != nil {
		pr.Outcomes, pr.GradeRules = c.Outcomes, c.GradeReview
	}
	return pr, nil
}

// outcomeConsequences are the rules an outcome was proposed under: its
// cycle's, or those in force for a task review.
func (s *Service) outcomeConsequences(ctx context.Context, institution int64, o Outcome) (*assess.PresetRules, error) {
	if o.CycleID == 0 {
		return s.consequences(ctx, institution, nil)
	}
	c, err := s.Store.Cycle(ctx, institution, o.CycleID, false)
	if err != nil {
		return nil, err
	}
	return s.consequences(ctx, institution, c.Rules)
}

// ConsequencesInput replaces the outcome and grade-review rules.
type ConsequencesInput struct {
	Consequences
	Note string `json:"note"`
}

// SaveConsequences stores new outcome and grade-review rules as the next
// version of the institution's rules, checked whole against the
// templates in force and the grade ladder. Cycles already opened keep the
// rules they were opened with.
func (s *Service) SaveConsequences(ctx context.Context, in ConsequencesInput) (RuleSet, error) {
	p, err := principal(ctx, access.AssessManage)
	if err != nil {
		return RuleSet{}, err
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > maxNote {
		return RuleSet{}, platform.Invalid("note", "说明最多 500 字 the note is at most 500 characters")
	}
	var out RuleSet
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.ruleSet(ctx, p.Institution)
		if err != nil {
			return err
		}
		rules, err := assess.NewRules(cur.Rules.Templates, cur.Rules.Schemes)
		if err != nil {
			return err
		}
		pr, err := s.consequences(ctx, p.Institution, nil)
		if err != nil {
			return err
		}
		c := in.Consequences
		if c.GradeReview == nil {
			c.GradeReview = []assess.GradeRule{}
		}
		fs := assess.CheckConsequences(rules, c.Outcomes, c.GradeReview, pr.Ladder)
		if err := s.checkPositions(ctx, p.Institution, c.Outcomes, fs); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		before := Consequences{Outcomes: pr.Outcomes, GradeReview: pr.GradeRules}
		next := cur.Rules
		next.Consequences = &c
		out = RuleSet{Rules: next, Note: note, CreatedBy: p.Username}
		if err := s.Store.SaveAssessRuleSet(ctx, p.Institution, &out); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "assess.consequences.save", ObjectType: "assess_rules", ObjectID: fmt.Sprint(out.Version),
			Before: before, After: c, Reason: note})
	})
	return out, err
}

// checkPositions adds an error for every position an outcome rule names
// that the institution's positions dictionary does not have.
func (s *Service) checkPositions(ctx context.Context, institution int64, o assess.OutcomeRules, fs platform.Fields) error {
	dicts, err := s.Store.DictItems(ctx, institution)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, it := range dicts["positions"] {
		known[it.Code] = true
	}
	check := func(field string, codes ...string) {
		for _, c := range codes {
			if c != "" && !known[c] {
				fs.Add("outcomeRules."+field, fmt.Sprintf("结果规则 %s：岗位 %q 不在岗位字典中 outcome rule %s: position %q is not in the positions dictionary", field, c, field, c))
			}
		}
	}
	if r := o.Star; r != nil {
		check("starCm.positions", r.Positions...)
	}
	if r := o.Monthly; r != nil {
		check("monthly.positions", r.Positions...)
	}
	if r := o.RMQuarterly; r != nil {
		check("rmQuarterly.positions", r.Positions...)
		check("rmQuarterly.convertTo", r.ConvertTo)
	}
	if r := o.ExcellentRM; r != nil {
		check("excellentRm.positions", r.Positions...)
	}
	if r := o.Coop; r != nil {
		check("coopTasks.positions", r.Positions...)
		check("coopTasks.convertTo", r.ConvertTo)
	}
	return nil
}
