package cycle

import (
	"context"
	"fmt"
	"math/big"
	"slices"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/platform"
	"cmhub/internal/stats"
	"cmhub/internal/target"

	"golang.org/x/sync/errgroup"
)

// StatsInputs computes task completion from the business statistics and
// targets (SPEC §4): for each metric with a target, the actual of the
// period over the target, and the subject's completion is the mean of
// those ratios. A quarter or year uses its own target when one is set,
// the actual summed over its months (sum and count metrics; the last
// month for last-value metrics; other aggregations do not add up over
// months and are left out). Without a period target, the months that
// have targets are used: their actuals over the sum of their targets.
type StatsInputs struct {
	Stats   *stats.Service
	Targets TargetSource
	// OutsideTx detaches a context from the caller's transaction so the
	// statistics can be read concurrently (store.OutsideTx); nil reads
	// them one after another in the caller's transaction.
	OutsideTx func(context.Context) context.Context
}

// TargetSource reads targets for the inputs.
type TargetSource interface {
	TargetMetrics(ctx context.Context, institution int64, periods []string) ([]string, error)
	StatsTargets(ctx context.Context, s access.Scope, institution int64, period string, metrics []string, asOf platform.Date) ([]target.Target, error)
}

var statsLevel = map[string]string{"person": stats.LevelManager, assess.ScopeTeam: stats.LevelTeam,
	assess.ScopeRegion: stats.LevelRegion, assess.ScopeBranch: stats.LevelBranch}

type figKey struct {
	person bool
	id     int64
}

type monthFig struct {
	actual *big.Rat
	target *big.Rat // nil without a month target
}

// For implements Inputs.
func (si *StatsInputs) For(ctx context.Context, institution int64, per platform.Period, subjects []SubjectInput) (map[assess.Subject]SubjectFigures, error) {
	months := monthsOf(per)
	periods := []string{per.String()}
	if per.Kind != platform.Month {
		for _, m := range months {
			periods = append(periods, m.String())
		}
	}
	out := map[assess.Subject]SubjectFigures{}
	metrics, err := si.Targets.TargetMetrics(ctx, institution, periods)
	if err != nil || len(metrics) == 0 {
		return out, err
	}
	ctx = access.WithPrincipal(ctx, access.System(institution, "assessment"))
	levels := map[string]bool{}
	for _, s := range subjects {
		levels[s.Level] = true
	}
	// The statistics of each level and month are independent reads; two
	// run at a time (the database does the work: this machine class has
	// two cores).
	type job struct {
		level string
		month int
	}
	var jobs []job
	for level := range levels {
		for mi := range months {
			jobs = append(jobs, job{level, mi})
		}
	}
	tabs := make([]stats.Monthly, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(1)
	if si.OutsideTx != nil {
		gctx = si.OutsideTx(gctx)
		g.SetLimit(2)
	}
	for i, j := range jobs {
		g.Go(func() error {
			tab, err := si.Stats.Monthly(gctx, stats.MonthlyQuery{Month: months[j.month].String(), Level: statsLevel[j.level], Metrics: metrics})
			if err != nil {
				return fmt.Errorf("statistics %s %s: %w", months[j.month], j.level, err)
			}
			tabs[i] = tab
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// figures[key][metric][month index]
	figures := map[figKey]map[string][]monthFig{}
	info := map[string]stats.MetricInfo{}
	for i, tab := range tabs {
		mi := jobs[i].month
		for _, mt := range tab.Metrics {
			info[mt.Key] = mt
		}
		for _, row := range tab.Rows {
			k := figKey{row.SubjectType == stats.SubjectPerson, row.ID}
			byMetric := figures[k]
			if byMetric == nil {
				byMetric = map[string][]monthFig{}
				figures[k] = byMetric
			}
			for key, cell := range row.Values {
				fs := byMetric[key]
				if fs == nil {
					fs = make([]monthFig, len(months))
					byMetric[key] = fs
				}
				fs[mi] = monthFig{actual: parseRat(cell.Actual), target: parseRat(cell.Target)}
			}
		}
	}
	periodTargets := map[figKey]map[string]*big.Rat{}
	if per.Kind != platform.Month {
		ts, err := si.Targets.StatsTargets(ctx, access.Scope{Institution: institution, All: true}, institution, per.String(), metrics, per.Start())
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			k := figKey{t.PersonID != 0, t.UnitID + t.PersonID}
			if periodTargets[k] == nil {
				periodTargets[k] = map[string]*big.Rat{}
			}
			periodTargets[k][t.Metric] = target.MinorRat(t.Value, t.Unit)
		}
	}
	for _, s := range subjects {
		k := figKey{s.Level == "person", s.UnitID}
		if k.person {
			k.id = s.Subject.PersonID
		}
		f, ok := completionOf(metrics, info, figures[k], periodTargets[k])
		if ok {
			out[s.Subject] = f
		}
	}
	return out, nil
}

// completionOf is one subject's completion over the metrics.
func completionOf(metrics []string, info map[string]stats.MetricInfo, figs map[string][]monthFig, ptargets map[string]*big.Rat) (SubjectFigures, bool) {
	sum := new(big.Rat)
	n := 0
	f := SubjectFigures{Values: map[string]float64{}}
	for _, key := range metrics {
		mf := figs[key]
		agg := info[key].Aggregation
		var actual, tgt *big.Rat
		basis := "months"
		if t := ptargets[key]; t != nil && t.Sign() > 0 {
			basis, tgt = "period", t
			switch agg {
			case "sum", "count":
				actual = new(big.Rat)
				for _, m := range mf {
					if m.actual != nil {
						actual.Add(actual, m.actual)
					}
				}
			case "last":
				for _, m := range mf {
					if m.actual != nil {
						actual = m.actual
					}
				}
			}
		} else {
			for _, m := range mf {
				if m.target == nil || m.target.Sign() <= 0 {
					continue
				}
				if len(mf) > 1 && agg != "sum" && agg != "count" {
					continue
				}
				if tgt == nil {
					tgt, actual = new(big.Rat), new(big.Rat)
				}
				tgt.Add(tgt, m.target)
				if m.actual != nil {
					actual.Add(actual, m.actual)
				}
			}
		}
		if tgt == nil || actual == nil {
			continue
		}
		ratio := new(big.Rat).Quo(actual, tgt)
		sum.Add(sum, ratio)
		n++
		f.Sources = append(f.Sources, Source{Metric: key, NameZh: info[key].NameZh, Actual: actual.FloatString(4), Target: tgt.FloatString(4),
			Completion: new(big.Rat).Mul(ratio, big.NewRat(100, 1)).FloatString(2), Basis: basis})
	}
	if n == 0 {
		return f, false
	}
	mean := new(big.Rat).Quo(sum, big.NewRat(int64(n), 1))
	v, _ := mean.Float64()
	f.Values[assess.InputCompletion] = v
	f.Completion = mean.RatString()
	return f, true
}

func parseRat(s *string) *big.Rat {
	if s == nil {
		return nil
	}
	r, ok := new(big.Rat).SetString(*s)
	if !ok {
		return nil
	}
	return r
}

// monthsOf lists the months of a period.
func monthsOf(p platform.Period) []platform.Period {
	first := p.Start()
	var out []platform.Period
	for d := first; !d.After(p.End()); {
		m := platform.Period{Kind: platform.Month, Year: d.Year(), N: int(d.Month())}
		out = append(out, m)
		d = m.End().AddDays(1)
	}
	return out
}

// MonthTasks returns every manager's tasks of month — each metric with a
// target for them, and its completion (a task without records is 0%) —
// by person. It implements TaskSource.
func (si *StatsInputs) MonthTasks(ctx context.Context, institution int64, month platform.Period) (map[int64][]assess.TaskResult, error) {
	out := map[int64][]assess.TaskResult{}
	metrics, err := si.Targets.TargetMetrics(ctx, institution, []string{month.String()})
	if err != nil || len(metrics) == 0 {
		return out, err
	}
	slices.Sort(metrics)
	ctx = access.WithPrincipal(ctx, access.System(institution, "assessment"))
	tab, err := si.Stats.Monthly(ctx, stats.MonthlyQuery{Month: month.String(), Level: stats.LevelManager, Metrics: metrics})
	if err != nil {
		return nil, fmt.Errorf("statistics %s: %w", month, err)
	}
	for _, row := range tab.Rows {
		if row.SubjectType != stats.SubjectPerson {
			continue
		}
		for _, key := range metrics {
			cell := row.Values[key]
			t := parseRat(cell.Target)
			if t == nil || t.Sign() <= 0 {
				continue
			}
			a := parseRat(cell.Actual)
			if a == nil {
				a = new(big.Rat)
			}
			out[row.ID] = append(out[row.ID], assess.TaskResult{Metric: key, Completion: target.Completion(a, t)})
		}
	}
	return out, nil
}
