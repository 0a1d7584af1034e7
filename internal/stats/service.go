package stats

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

// Store is the persistence the statistics need. Every query that returns
// people's figures takes the viewer's scope: rows credited to a unit
// inside it (as of the month's last day) or to the viewer themself.
type Store interface {
	// ListMetrics returns an institution's metrics in catalogue order.
	ListMetrics(ctx context.Context, institution int64, activeOnly bool) ([]metric.Metric, error)
	// Units returns every unit open at asOf with its parent as of asOf.
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error)
	// StatsPeople returns, with credited nil, the people whose record in
	// force on q.AsOf lies inside scope, and the scope's own person; with
	// credited, those of them credited with a row of q's month that scope
	// sees, with their record on q.AsOf if any.
	StatsPeople(ctx context.Context, scope access.Scope, q Query, credited []int64) ([]Person, error)
	// StatsTargets returns the period's targets of the given metrics:
	// every unit target, and the personal targets of the people whose
	// record in force on asOf lies inside scope (or of the scope's own person).
	StatsTargets(ctx context.Context, scope access.Scope, institution int64, period string, metrics []string, asOf platform.Date) ([]target.Target, error)
	// StatsSums calls fn with the month's records of q.Types (every type
	// when empty) grouped by person, unit, record type and share (and
	// product with q.ByProduct): KindSum rows with counts and sums of
	// amount and quantity.
	StatsSums(ctx context.Context, scope access.Scope, q Query, fn func(*Group) error) error
	// StatsDetails reads the records of the types of q.Distinct, q.Last
	// and q.Avg with one scan of the month and calls fn with: for
	// q.Distinct the largest share of each customer per person, unit and
	// type (KindDistinct); for q.Last the sums over each customer's latest
	// record of the type — latest date, then greatest source id (KindLast);
	// for q.Avg the sums of amount × the days each balance stood, from the
	// day's last record to the customer's next record of the type or the
	// month's end (KindAvg). Latest records and balances are worked out
	// over all of a customer's records before the scope applies.
	StatsDetails(ctx context.Context, scope access.Scope, q Query, fn func(*Group) error) error
}

// Service computes business statistics.
type Service struct {
	Store Store
}

// MonthlyQuery asks for one month's statistics at one level.
type MonthlyQuery struct {
	Month string
	Level string
	// UnitID narrows the rows to a unit's subtree; it must be inside the scope.
	UnitID int64
	// Metrics are the metric keys to show; empty shows every active metric.
	Metrics []string
}

// MetricInfo describes a metric of the table.
type MetricInfo struct {
	Key         string `json:"key"`
	NameZh      string `json:"nameZh"`
	NameEn      string `json:"nameEn"`
	Unit        string `json:"unit"`
	SourceKind  string `json:"sourceKind"`
	Aggregation string `json:"aggregation"` // "" for a formula
	RecordType  string `json:"recordType"`  // "" for a formula: drill down into its inputs
}

func info(m metric.Metric) MetricInfo {
	return MetricInfo{Key: m.Key, NameZh: m.NameZh, NameEn: m.NameEn, Unit: m.Unit, SourceKind: m.SourceKind,
		Aggregation: m.Aggregation, RecordType: m.RecordType}
}

// Cell is one metric of one row. Actual is nil only for a formula without
// value (a division by zero); Target, Completion and CompletionRank are
// nil without a target.
type Cell struct {
	Actual         *string `json:"actual"`
	Target         *string `json:"target"`
	Completion     *string `json:"completion"` // percent, two decimals: "60.00"
	Rank           *int    `json:"rank"`
	CompletionRank *int    `json:"completionRank"`
}

// Row is a person or a unit with its values.
type Row struct {
	SubjectType string          `json:"subjectType"`
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Path        string          `json:"path"`
	EmpNo       string          `json:"empNo"`
	Values      map[string]Cell `json:"values"`
}

// Monthly is one month's statistics table.
type Monthly struct {
	Month   string       `json:"month"`
	Level   string       `json:"level"`
	Metrics []MetricInfo `json:"metrics"`
	Rows    []Row        `json:"rows"`
}

// Monthly returns the statistics of a month at a level: for every row the
// actual of each metric, its target, the completion rate and the ranks.
func (s *Service) Monthly(ctx context.Context, q MonthlyQuery) (Monthly, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.StatsRead) {
		return Monthly{}, platform.ErrForbidden
	}
	return s.monthly(ctx, p, q)
}

// Export is Monthly for a spreadsheet export.
func (s *Service) Export(ctx context.Context, q MonthlyQuery) (Monthly, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.StatsExport) {
		return Monthly{}, platform.ErrForbidden
	}
	return s.monthly(ctx, p, q)
}

func parseMonth(s, field string, fs platform.Fields) platform.Period {
	per, err := platform.ParsePeriod(strings.TrimSpace(s))
	if err != nil || per.Kind != platform.Month {
		fs.Add(field, "须为月份 YYYY-MM must be a month YYYY-MM")
	}
	return per
}

func checkLevel(level string, fs platform.Fields) {
	if !slices.Contains(Levels(), level) {
		fs.Add("level", "须为 manager、team、region、branch 之一 must be one of manager, team, region, branch")
	}
}

// catalogue compiles the institution's metric catalogue.
func (s *Service) catalogue(ctx context.Context, institution int64) (*metric.Catalogue, error) {
	ms, err := s.Store.ListMetrics(ctx, institution, false)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	cat, err := metric.NewCatalogue(ms)
	if err != nil {
		return nil, fmt.Errorf("metric catalogue of institution %d: %w", institution, err)
	}
	return cat, nil
}

// metricsOf resolves the requested keys (empty: every active metric).
func metricsOf(cat *metric.Catalogue, keys []string, field string, fs platform.Fields) []string {
	var out []string
	if len(keys) == 0 {
		for _, m := range cat.Metrics() {
			if m.Active {
				out = append(out, m.Key)
			}
		}
		return out
	}
	var bad []string
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" || slices.Contains(out, k) {
			continue
		}
		if m, ok := cat.Metric(k); !ok || !m.Active {
			bad = append(bad, k)
			continue
		}
		out = append(out, k)
	}
	if len(bad) > 0 {
		fs.Add(field, fmt.Sprintf("未知或已停用的指标 %s unknown or inactive metric(s): %s", strings.Join(bad, "、"), strings.Join(bad, ", ")))
	}
	return out
}

func (s *Service) monthly(ctx context.Context, p *access.Principal, q MonthlyQuery) (Monthly, error) {
	fs := platform.Fields{}
	per := parseMonth(q.Month, "month", fs)
	checkLevel(q.Level, fs)
	cat, err := s.catalogue(ctx, p.Institution)
	if err != nil {
		return Monthly{}, err
	}
	keys := metricsOf(cat, q.Metrics, "metrics", fs)
	if err := fs.Err(); err != nil {
		return Monthly{}, err
	}
	out := Monthly{Month: per.String(), Level: q.Level, Metrics: []MetricInfo{}, Rows: []Row{}}
	for _, k := range keys {
		m, _ := cat.Metric(k)
		out.Metrics = append(out.Metrics, info(m))
	}
	f, err := s.newFrame(ctx, p, per, q.UnitID)
	if err != nil {
		return Monthly{}, err
	}
	c, err := s.newCalc(f, cat, q.Level, keys)
	if err != nil {
		return Monthly{}, err
	}
	if err := c.run(ctx, keys); err != nil {
		return Monthly{}, err
	}
	c.sortRows()
	for _, sb := range c.subj {
		r := Row{SubjectType: SubjectUnit, ID: sb.id, Name: sb.name, Path: sb.path, EmpNo: sb.empNo, Values: make(map[string]Cell, len(keys))}
		if sb.person {
			r.SubjectType = SubjectPerson
		}
		out.Rows = append(out.Rows, r)
	}
	for _, k := range keys {
		m, _ := cat.Metric(k)
		pos := c.pos[k]
		n := len(c.subj)
		rates := make([]*big.Rat, n)
		actuals := make([]*big.Rat, n)
		cells := make([]Cell, n)
		for i, sb := range c.subj {
			v := sb.vals[pos]
			actuals[i] = v
			if v != nil {
				a := Format(v, m.Unit)
				cells[i].Actual = &a
			}
			t, ok := c.targetsOf(sb)[k]
			if ok {
				tv := target.FormatValue(t.Value, t.Unit)
				cells[i].Target = &tv
			}
			if r := completion(v, t, ok); !r.NoTarget() {
				pct := r.Percent()
				cells[i].Completion = &pct
				rates[i] = r.Rat()
			}
		}
		byActual, byRate := ranks(actuals), ranks(rates)
		for i := range cells {
			if byActual[i] > 0 {
				cells[i].Rank = &byActual[i]
			}
			if byRate[i] > 0 {
				cells[i].CompletionRank = &byRate[i]
			}
			out.Rows[i].Values[k] = cells[i]
		}
	}
	return out, nil
}

// TrendQuery asks for one metric over consecutive months.
type TrendQuery struct {
	From, To string
	Level    string
	UnitID   int64
	Metric   string
	// Limit is how many subjects to return, the best by the last month's
	// actual; 0 means 10.
	Limit int
}

// MaxTrendMonths bounds a trend.
const MaxTrendMonths = 24

// Series is one subject's values, one per month (nil where it had none:
// not a row that month, or a formula without value).
type Series struct {
	SubjectType string    `json:"subjectType"`
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	EmpNo       string    `json:"empNo"`
	Actual      []*string `json:"actual"`
	Completion  []*string `json:"completion"`
}

// Trend is one metric by month for the best subjects of the last month.
type Trend struct {
	Metric MetricInfo `json:"metric"`
	Level  string     `json:"level"`
	Months []string   `json:"months"`
	Series []Series   `json:"series"`
}

// Trend returns a metric's actual and completion by month from From to To
// for the Limit subjects with the highest actual in the last month.
func (s *Service) Trend(ctx context.Context, q TrendQuery) (Trend, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.StatsRead) {
		return Trend{}, platform.ErrForbidden
	}
	fs := platform.Fields{}
	from, to := parseMonth(q.From, "from", fs), parseMonth(q.To, "to", fs)
	checkLevel(q.Level, fs)
	if len(fs) == 0 {
		if n := (to.Year-from.Year)*12 + to.N - from.N + 1; n < 1 {
			fs.Add("to", "须不早于 from must not be before from")
		} else if n > MaxTrendMonths {
			fs.Add("to", fmt.Sprintf("最多 %d 个月 at most %d months", MaxTrendMonths, MaxTrendMonths))
		}
	}
	limit := q.Limit
	if limit == 0 {
		limit = 10
	}
	if limit < 1 || limit > 100 {
		fs.Add("limit", "须为 1–100 must be 1–100")
	}
	cat, err := s.catalogue(ctx, p.Institution)
	if err != nil {
		return Trend{}, err
	}
	if strings.TrimSpace(q.Metric) == "" {
		fs.Add("metric", "必填 required")
	}
	keys := metricsOf(cat, []string{q.Metric}, "metric", fs)
	if err := fs.Err(); err != nil {
		return Trend{}, err
	}
	m, _ := cat.Metric(keys[0])
	out := Trend{Metric: info(m), Level: q.Level, Months: []string{}, Series: []Series{}}
	var months []platform.Period
	for per := from; ; per = nextMonth(per) {
		months = append(months, per)
		out.Months = append(out.Months, per.String())
		if per == to {
			break
		}
	}
	type key struct {
		person bool
		id     int64
	}
	series := map[key]*Series{}
	last := map[key]*big.Rat{}
	var order []key
	for mi, per := range months {
		f, err := s.newFrame(ctx, p, per, q.UnitID)
		if errors.Is(err, platform.ErrNotFound) && mi < len(months)-1 {
			continue // the unit was not there (or not in view) that month
		}
		if err != nil {
			return Trend{}, err
		}
		c, err := s.newCalc(f, cat, q.Level, keys)
		if err != nil {
			return Trend{}, err
		}
		if err := c.run(ctx, keys); err != nil {
			return Trend{}, err
		}
		pos := c.pos[m.Key]
		for _, sb := range c.subj {
			k := key{sb.person, sb.id}
			se := series[k]
			if se == nil {
				se = &Series{SubjectType: SubjectUnit, ID: sb.id, Actual: make([]*string, len(months)), Completion: make([]*string, len(months))}
				if sb.person {
					se.SubjectType = SubjectPerson
				}
				series[k] = se
				order = append(order, k)
			}
			se.Name, se.EmpNo = sb.name, sb.empNo
			v := sb.vals[pos]
			if v != nil {
				a := Format(v, m.Unit)
				se.Actual[mi] = &a
			}
			t, ok := c.targetsOf(sb)[m.Key]
			if r := completion(v, t, ok); !r.NoTarget() {
				pct := r.Percent()
				se.Completion[mi] = &pct
			}
			if mi == len(months)-1 {
				last[k] = v
			}
		}
	}
	slices.SortStableFunc(order, func(a, b key) int {
		va, vb := last[a], last[b]
		switch {
		case va == nil && vb != nil:
			return 1
		case va != nil && vb == nil:
			return -1
		case va != nil:
			if x := vb.Cmp(va); x != 0 {
				return x
			}
		}
		if x := strings.Compare(series[a].EmpNo+series[a].Name, series[b].EmpNo+series[b].Name); x != 0 {
			return x
		}
		return compareInt(a.id, b.id)
	})
	for i, k := range order {
		if i == limit {
			break
		}
		out.Series = append(out.Series, *series[k])
	}
	return out, nil
}

func nextMonth(p platform.Period) platform.Period {
	if p.N == 12 {
		return platform.Period{Kind: platform.Month, Year: p.Year + 1, N: 1}
	}
	return platform.Period{Kind: platform.Month, Year: p.Year, N: p.N + 1}
}
