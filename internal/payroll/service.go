// Package payroll runs the pay plans of internal/pay against an
// institution's data: the plans as stored versions, and the facts of one
// person's month — metrics from the business statistics, the attendance
// summary, the person's grade, position and status, and the history the
// plan reads — gathered the way the monthly close will gather them.
package payroll

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/dict"
	"cmhub/internal/job"
	"cmhub/internal/metric"
	"cmhub/internal/pay"
	"cmhub/internal/platform"
	"cmhub/internal/stats"
	"cmhub/presets"
)

// Store is the persistence the payroll use cases need.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	InstitutionPreset(ctx context.Context, institution int64) (string, error)
	// PayPlans returns every stored version of every plan.
	PayPlans(ctx context.Context, institution int64) ([]StoredPlan, error)
	SavePayPlan(ctx context.Context, institution int64, p *StoredPlan) error
	ListMetrics(ctx context.Context, institution int64, activeOnly bool) ([]metric.Metric, error)
	DictItems(ctx context.Context, institution int64) (map[string][]dict.Item, error)
	ScopedPeople(ctx context.Context, sc access.Scope, asOf platform.Date, empNos []string) (map[string]int64, error)
	AssessPeople(ctx context.Context, institution int64, asOf platform.Date) ([]assess.Person, error)
}

// AttendanceSource gives people's attendance figures of a period.
type AttendanceSource interface {
	Figures(ctx context.Context, institution int64, per platform.Period, people []int64) (map[int64]map[string]float64, error)
}

// Service holds the payroll use cases.
type Service struct {
	Store      Store
	Close      CloseStore
	Jobs       *job.Runner
	Audit      audit.Log
	Clock      platform.Clock
	Stats      *stats.Service
	Attendance AttendanceSource
}

// StoredPlan is one saved version of a plan.
type StoredPlan struct {
	Plan      pay.Plan  `json:"plan"`
	Note      string    `json:"note"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
}

func principal(ctx context.Context, perm access.Permission) (*access.Principal, error) {
	p := access.FromContext(ctx)
	if p == nil {
		return nil, platform.ErrUnauthorized
	}
	if !p.Can(perm) {
		return nil, platform.ErrForbidden
	}
	return p, nil
}

// Plans returns every version of the institution's plans, oldest first.
// An institution that never stored any gets its preset's, stored now as
// they are (so later versions number on from them).
func (s *Service) Plans(ctx context.Context) ([]StoredPlan, error) {
	p, err := principal(ctx, access.PayRead)
	if err != nil {
		return nil, err
	}
	return s.plans(ctx, p.Institution)
}

func (s *Service) plans(ctx context.Context, institution int64) ([]StoredPlan, error) {
	ps, err := s.Store.PayPlans(ctx, institution)
	if err != nil || len(ps) > 0 {
		return ps, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if ps, err = s.Store.PayPlans(ctx, institution); err != nil || len(ps) > 0 {
			return err
		}
		code, err := s.Store.InstitutionPreset(ctx, institution)
		if err != nil {
			return err
		}
		pr, err := presets.Load(code)
		if err != nil {
			return err
		}
		compiled, err := pay.FromPreset(pr)
		if err != nil {
			return err
		}
		for _, c := range compiled {
			sp := StoredPlan{Plan: c.Plan(), Note: "预置 preset " + code, CreatedBy: "system", CreatedAt: s.Clock.Now()}
			if err := s.Store.SavePayPlan(ctx, institution, &sp); err != nil {
				return err
			}
			ps = append(ps, sp)
		}
		return nil
	})
	return ps, err
}

func (s *Service) names(ctx context.Context, institution int64) (pay.Names, error) {
	ms, err := s.Store.ListMetrics(ctx, institution, false)
	if err != nil {
		return pay.Names{}, err
	}
	ds, err := s.Store.DictItems(ctx, institution)
	if err != nil {
		return pay.Names{}, err
	}
	n := pay.Names{Positions: []string{}}
	for _, m := range ms {
		n.Metrics = append(n.Metrics, m.Key)
	}
	for _, it := range ds["positions"] {
		n.Positions = append(n.Positions, it.Code)
	}
	return n, nil
}

func (s *Service) compiled(ctx context.Context, institution int64) ([]*pay.Compiled, error) {
	ps, err := s.plans(ctx, institution)
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx, institution)
	if err != nil {
		return nil, err
	}
	out := make([]*pay.Compiled, 0, len(ps))
	for _, sp := range ps {
		c, err := pay.Compile(sp.Plan, names)
		if err != nil {
			return nil, fmt.Errorf("stored plan %s v%d: %w", sp.Plan.Key, sp.Plan.Version, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// PlanInput is a new version of a plan.
type PlanInput struct {
	Plan pay.Plan `json:"plan"`
	Note string   `json:"note"`
}

// SavePlan stores a new version of a plan (its number is the next one,
// whatever the input says), checked whole: formulas that compile against
// the institution's metrics, positions of its dictionary, tiers, and a
// month from which it takes effect no earlier than the version before.
// A closed month's pay is never changed by a new version. Audited.
func (s *Service) SavePlan(ctx context.Context, key string, in PlanInput) (StoredPlan, error) {
	p, err := principal(ctx, access.PayManage)
	if err != nil {
		return StoredPlan{}, err
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 500 {
		return StoredPlan{}, platform.Invalid("note", "说明最多 500 字 the note is at most 500 characters")
	}
	if in.Plan.Key != key {
		return StoredPlan{}, platform.Invalid("plan.key", "方案代码须与地址一致 the plan key must match the path")
	}
	var out StoredPlan
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		ps, err := s.plans(ctx, p.Institution)
		if err != nil {
			return err
		}
		names, err := s.names(ctx, p.Institution)
		if err != nil {
			return err
		}
		next := in.Plan
		next.Version = 1
		var before *pay.Plan
		for i := range ps {
			if ps[i].Plan.Key == key && ps[i].Plan.Version >= next.Version {
				next.Version = ps[i].Plan.Version + 1
				before = &ps[i].Plan
			}
		}
		c, err := pay.Compile(next, names)
		if err != nil {
			return err
		}
		all := []*pay.Compiled{c}
		for _, sp := range ps {
			old, err := pay.Compile(sp.Plan, names)
			if err != nil {
				return fmt.Errorf("stored plan %s v%d: %w", sp.Plan.Key, sp.Plan.Version, err)
			}
			all = append(all, old)
		}
		if err := pay.CheckVersions(all); err != nil {
			return err
		}
		out = StoredPlan{Plan: c.Plan(), Note: note, CreatedBy: p.Username, CreatedAt: s.Clock.Now()}
		if err := s.Store.SavePayPlan(ctx, p.Institution, &out); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Change{Action: "pay.plan.save", ObjectType: "pay_plan", ObjectID: fmt.Sprintf("%s v%d", key, out.Plan.Version),
			Before: before, After: out.Plan, Reason: note})
	})
	return out, err
}

// TrialInput asks what a plan pays one person for one month.
type TrialInput struct {
	EmpNo string `json:"empNo"`
	Month string `json:"month"`
	// Plan is a draft to try instead of the version in force; nil uses the
	// version in force for the person's position in the month.
	Plan *pay.Plan `json:"plan,omitempty"`
}

// Trial is a trial statement with the facts it was computed from.
type Trial struct {
	PersonID  int64          `json:"personId"`
	EmpNo     string         `json:"empNo"`
	Name      string         `json:"name"`
	Month     string         `json:"month"`
	Facts     FactsView      `json:"facts"`
	Statement *pay.Statement `json:"statement"`
}

// FactsView shows the facts a statement read, as exact decimal text.
type FactsView struct {
	Person     PersonFacts       `json:"person"`
	Metrics    map[string]string `json:"metrics"`
	Attendance map[string]string `json:"attendance,omitempty"`
	History    map[string]string `json:"history,omitempty"`
}

// PersonFacts are the person's facts a plan may read.
type PersonFacts struct {
	Grade           string `json:"grade"`
	Position        string `json:"position"`
	Status          string `json:"status"`
	MonthsInService int    `json:"monthsInService"`
}

// maxHistory bounds how far back a run of months without a metric is
// counted: two years is far beyond any rule of the seeds.
const maxHistory = 24

// Try evaluates a plan for one person inside the caller's scope and one
// ended or running month, from the same facts the close will read, and
// touches nothing: the plan editor's test panel and a manager's question
// "what would I get". A fact the plan needs and the data cannot give (no
// attendance summary without a calendar, a metric without a value) is an
// error naming it, never a silent zero.
func (s *Service) Try(ctx context.Context, in TrialInput) (Trial, error) {
	p, err := principal(ctx, access.PayRead)
	if err != nil {
		return Trial{}, err
	}
	fs := platform.Fields{}
	per, err := platform.ParsePeriod(strings.TrimSpace(in.Month))
	if err != nil || per.Kind != platform.Month {
		fs.Add("month", "月份须为 YYYY-MM the month must be YYYY-MM")
	}
	today := platform.DateOf(s.Clock.Now())
	if err == nil && per.Start().After(today) {
		fs.Add("month", fmt.Sprintf("%s 尚未开始 %s has not begun", per, per))
	}
	emp := strings.TrimSpace(in.EmpNo)
	ids, err := s.Store.ScopedPeople(ctx, p.Scope, today, []string{emp})
	if err != nil {
		return Trial{}, err
	}
	id, ok := ids[emp]
	if !ok {
		fs.Add("empNo", fmt.Sprintf("工号 %q 不存在或不在您的范围内 employee number %q is unknown or outside your scope", emp, emp))
	}
	if err := fs.Err(); err != nil {
		return Trial{}, err
	}
	asOf := per.End()
	if asOf.After(today) {
		asOf = today
	}
	ppl, err := s.Store.AssessPeople(ctx, p.Institution, asOf)
	if err != nil {
		return Trial{}, err
	}
	i := slices.IndexFunc(ppl, func(q assess.Person) bool { return q.ID == id })
	if i < 0 {
		return Trial{}, platform.Invalid("empNo", fmt.Sprintf("%s 在 %s 不在职 %s was not employed in %s", emp, per, emp, per))
	}
	person := ppl[i]
	var plan *pay.Compiled
	if in.Plan != nil {
		names, err := s.names(ctx, p.Institution)
		if err != nil {
			return Trial{}, err
		}
		if plan, err = pay.Compile(*in.Plan, names); err != nil {
			return Trial{}, err
		}
	} else {
		cs, err := s.compiled(ctx, p.Institution)
		if err != nil {
			return Trial{}, err
		}
		if plan, err = pay.Select(cs, person.Position, per.String()); err != nil {
			if errors.Is(err, pay.ErrNoPlan) {
				return Trial{}, platform.Invalid("empNo", fmt.Sprintf("%s 的岗位 %s 在 %s 没有薪酬方案 no pay plan covers position %s in %s", emp, person.Position, per, person.Position, per))
			}
			return Trial{}, err
		}
	}
	b, err := s.bulkFacts(ctx, p.Institution, per, []int64{person.ID}, plan.Needs(), person.UnitID)
	if err != nil {
		return Trial{}, err
	}
	facts, view := b.of(person, per, plan.Needs())
	st, err := plan.Evaluate(facts)
	if err != nil {
		var ee *pay.EvalError
		if errors.As(err, &ee) {
			return Trial{}, platform.Invalid("facts", ee.Error())
		}
		return Trial{}, err
	}
	return Trial{PersonID: id, EmpNo: person.EmpNo, Name: person.Name, Month: per.String(), Facts: view, Statement: st}, nil
}
