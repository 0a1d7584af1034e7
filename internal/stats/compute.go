package stats

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/target"
)

// frame is one month's organisation as one viewer sees it.
type frame struct {
	per   platform.Period
	q     Query
	scope access.Scope
	self  int64 // the viewer's own person, 0 for none
	tree  *org.Tree
	units map[int64]*org.Unit
	// order is each unit's place in a depth-first walk of the tree
	// (children by id), the order unit rows are listed in.
	order map[int64]int
	// base is the units whose records count: the units wholly inside the
	// scope, narrowed to the subtree of unitID when one is given.
	base   map[int64]bool
	unitID int64
}

// unitKind is the unit kind of a unit level.
func unitKind(level string) org.Kind {
	switch level {
	case LevelTeam:
		return org.Team
	case LevelRegion:
		return org.Region
	case LevelBranch:
		return org.Branch
	}
	return ""
}

// managerKinds are the units customer managers sit in; people placed in
// other units (departments, a branch itself) are listed at manager level
// only when something was credited to them or they have a target.
var managerKinds = map[org.Kind]bool{org.Region: true, org.Team: true, org.Group: true, org.Channel: true}

// newFrame loads the organisation of month per as of its last day. Units
// closed during the month are kept, hung where they were on its first
// day, so that their records still roll up. unitID, when not 0, must be
// a unit wholly inside the scope on that day; otherwise the answer is
// platform.ErrNotFound.
func (s *Service) newFrame(ctx context.Context, p *access.Principal, per platform.Period, unitID int64) (*frame, error) {
	end, start := per.End(), per.Start()
	units, err := s.Store.Units(ctx, p.Institution, end)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	seen := make(map[int64]bool, len(units))
	for _, u := range units {
		seen[u.ID] = true
	}
	early, err := s.Store.Units(ctx, p.Institution, start)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	for _, u := range early {
		if !seen[u.ID] {
			units = append(units, u)
		}
	}
	slices.SortFunc(units, func(a, b org.Unit) int { return compareInt(a.ID, b.ID) })
	f := &frame{per: per, scope: p.Scope, self: p.PersonID, tree: org.NewTree(units), units: make(map[int64]*org.Unit, len(units)),
		order: make(map[int64]int, len(units)), unitID: unitID,
		q: Query{Institution: p.Institution, Month: per.Year*100 + per.N, AsOf: end, Days: end.Day()}}
	kids := map[int64][]int64{}
	for i := range units {
		u := &units[i]
		f.units[u.ID] = u
	}
	var roots []int64
	for _, u := range units {
		if f.units[u.ParentID] == nil {
			roots = append(roots, u.ID)
		} else {
			kids[u.ParentID] = append(kids[u.ParentID], u.ID)
		}
	}
	var walk func(id int64)
	walk = func(id int64) {
		if _, done := f.order[id]; done {
			return
		}
		f.order[id] = len(f.order)
		for _, k := range kids[id] {
			walk(k)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	full, _ := f.tree.Visible(p.Scope, 0)
	if unitID == 0 {
		f.base = full
		return f, nil
	}
	if !full[unitID] {
		return nil, platform.ErrNotFound
	}
	f.base = map[int64]bool{}
	for _, id := range f.tree.Subtree(unitID) {
		f.base[id] = true
	}
	return f, nil
}

// path names the units from the top of the tree down to id ("" for the
// institution itself, which no path names).
func (f *frame) path(id int64) string {
	if u := f.units[id]; u == nil || u.Kind == org.Institution {
		return ""
	}
	return f.tree.Path(id)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// subject is one row: a person or a unit, with its values.
type subject struct {
	person bool
	id     int64
	unitID int64 // a person: the unit they are shown under
	name   string
	empNo  string
	path   string
	vals   []*big.Rat // by metric position; nil: no value
}

// recMetric is a record metric being computed: its exact value is the
// accumulated integer over den.
type recMetric struct {
	m   metric.Metric
	pos int
	den *big.Int
	// Conversion: lcm is the common denominator of the factors, scaled
	// caches factor × lcm per product.
	lcm    *big.Int
	scaled map[string]*big.Int
	acc    []acc // by subject
}

var (
	bp10k = big.NewInt(share10k)
	fen   = big.NewInt(100)
	milli = big.NewInt(1000)
)

func newRecMetric(m metric.Metric, pos, days int) (*recMetric, error) {
	rm := &recMetric{m: m, pos: pos}
	switch {
	case m.Aggregation == metric.AggCount || m.Aggregation == metric.AggDistinctCustomers:
		rm.den = new(big.Int).Set(bp10k)
	case m.Aggregation == metric.AggAvgDailyBalance:
		rm.den = new(big.Int).Mul(new(big.Int).Mul(fen, bp10k), big.NewInt(int64(days)))
	case m.Field == metric.FieldAmount:
		rm.den = new(big.Int).Mul(fen, bp10k)
	default:
		rm.den = new(big.Int).Mul(milli, bp10k)
	}
	if len(m.Conversion) > 0 {
		rm.lcm = big.NewInt(1)
		for product := range m.Conversion {
			f, err := m.FactorFor(product)
			if err != nil {
				return nil, err
			}
			d := big.NewInt(f.Den)
			g := new(big.Int).GCD(nil, nil, rm.lcm, d)
			rm.lcm.Mul(rm.lcm, d.Quo(d, g))
		}
		rm.den.Mul(rm.den, rm.lcm)
		rm.scaled = map[string]*big.Int{}
	}
	return rm, nil
}

// factor returns the product's factor times the common denominator.
func (rm *recMetric) factor(product string) (*big.Int, error) {
	if v, ok := rm.scaled[product]; ok {
		return v, nil
	}
	f, err := rm.m.FactorFor(product)
	if err != nil {
		return nil, platform.Conflict("conversion", "metrics", err.Error())
	}
	v := new(big.Int).Mul(big.NewInt(f.Num), new(big.Int).Quo(rm.lcm, big.NewInt(f.Den)))
	rm.scaled[product] = v
	return v, nil
}

// add adds one group's contribution to subject i.
func (rm *recMetric) add(i int, g *Group) error {
	a := &rm.acc[i]
	switch {
	case rm.m.Aggregation == metric.AggCount:
		a.add(Sum{Small: g.Count}, g.ShareBP)
	case rm.m.Field == metric.FieldAmount:
		a.add(g.Amount, g.ShareBP)
	case rm.scaled != nil:
		f, err := rm.factor(g.Product)
		if err != nil {
			return err
		}
		if f.IsInt64() {
			if m, ok := mul64(f.Int64(), g.ShareBP); ok {
				a.add(g.Quantity, m)
				return nil
			}
		}
		a.addBig(g.Quantity.Int(), new(big.Int).Mul(f, big.NewInt(g.ShareBP)))
	default:
		a.add(g.Quantity, g.ShareBP)
	}
	return nil
}

// calc computes one month's values of some metrics for the subjects of one level.
type calc struct {
	s      *Service
	f      *frame
	cat    *metric.Catalogue
	level  string
	keys   []string // every metric computed: the requested ones and their formulas' inputs
	pos    map[string]int
	recs   []*recMetric
	byType map[string][]*recMetric // sum and count metrics by record type
	last   map[string][]*recMetric
	avg    map[string][]*recMetric
	dist   map[string][]*recMetric
	subj   []*subject
	index  map[int64]int // person or unit id → subject
	subjOf map[int64]int // unit levels: unit → the subject it rolls up to
	people map[int64]Person
	// targets of the requested metrics by subject and metric.
	targets map[subjectKey]map[string]target.Target
}

// closure returns keys and every metric their formulas use, directly or
// not, in catalogue order.
func closure(cat *metric.Catalogue, keys []string) []string {
	need := map[string]bool{}
	var visit func(k string)
	visit = func(k string) {
		if need[k] {
			return
		}
		need[k] = true
		if f := cat.Formula(k); f != nil {
			for _, in := range f.Inputs {
				visit(in)
			}
		}
	}
	for _, k := range keys {
		visit(k)
	}
	var out []string
	for _, m := range cat.Metrics() {
		if need[m.Key] {
			out = append(out, m.Key)
		}
	}
	return out
}

func (s *Service) newCalc(f *frame, cat *metric.Catalogue, level string, requested []string) (*calc, error) {
	c := &calc{s: s, f: f, cat: cat, level: level, keys: closure(cat, requested), pos: map[string]int{},
		byType: map[string][]*recMetric{}, last: map[string][]*recMetric{}, avg: map[string][]*recMetric{}, dist: map[string][]*recMetric{},
		index: map[int64]int{}, people: map[int64]Person{}, targets: map[subjectKey]map[string]target.Target{}}
	for i, k := range c.keys {
		c.pos[k] = i
		m, _ := cat.Metric(k)
		if m.IsFormula() {
			continue
		}
		rm, err := newRecMetric(m, i, f.q.Days)
		if err != nil {
			return nil, platform.Conflict("conversion", "metrics", err.Error())
		}
		c.recs = append(c.recs, rm)
		switch m.Aggregation {
		case metric.AggSum, metric.AggCount:
			c.byType[m.RecordType] = append(c.byType[m.RecordType], rm)
		case metric.AggLast:
			c.last[m.RecordType] = append(c.last[m.RecordType], rm)
		case metric.AggAvgDailyBalance:
			c.avg[m.RecordType] = append(c.avg[m.RecordType], rm)
		case metric.AggDistinctCustomers:
			c.dist[m.RecordType] = append(c.dist[m.RecordType], rm)
		}
	}
	return c, nil
}

// addSubject adds a row and returns its index.
func (c *calc) addSubject(sb *subject) int {
	i := len(c.subj)
	sb.vals = make([]*big.Rat, len(c.keys))
	c.subj = append(c.subj, sb)
	c.index[sb.id] = i
	for _, rm := range c.recs {
		rm.acc = append(rm.acc, acc{})
	}
	return i
}

// subjectOf returns the subject a row of the given person and unit counts
// for at this level, or -1.
func (c *calc) subjectOf(person, unit int64) int {
	if c.level != LevelManager {
		if i, ok := c.subjOf[unit]; ok {
			return i
		}
		return -1
	}
	if person == 0 {
		return -1
	}
	if counts := c.f.base[unit] || (c.f.unitID == 0 && person == c.f.self); !counts {
		return -1
	}
	if i, ok := c.index[person]; ok {
		return i
	}
	return c.addSubject(&subject{person: true, id: person, unitID: unit})
}

// run computes the values: subjects, records, formulas.
func (c *calc) run(ctx context.Context, requested []string) error {
	f := c.f
	// The details query scans the month's records while the targets,
	// people and month totals are read and placed: on two cores the month
	// costs one scan's time.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	details := c.startDetails(ctx)
	if err := c.loadTargets(ctx, requested); err != nil {
		return err
	}
	if c.level == LevelManager {
		ps, err := c.s.Store.StatsPeople(ctx, f.scope, f.q, nil)
		if err != nil {
			return fmt.Errorf("people: %w", err)
		}
		for _, p := range ps {
			c.people[p.ID] = p
			if !c.listed(p) {
				continue
			}
			if _, ok := c.index[p.ID]; !ok {
				c.addSubject(&subject{person: true, id: p.ID, unitID: p.UnitID})
			}
		}
	} else {
		kind := unitKind(c.level)
		c.subjOf = map[int64]int{}
		var ids []int64
		for id := range f.base {
			if u := f.units[id]; u != nil && u.Kind == kind {
				ids = append(ids, id)
			}
		}
		slices.SortFunc(ids, func(a, b int64) int { return f.order[a] - f.order[b] })
		for _, id := range ids {
			u := f.units[id]
			c.addSubject(&subject{id: id, name: u.Name, path: f.path(u.ParentID)})
		}
		for id := range f.base {
			if k := f.tree.NearestOfKind(id, kind); k != 0 {
				if i, ok := c.index[k]; ok {
					c.subjOf[id] = i
				}
			}
		}
	}
	if err := c.records(ctx, details); err != nil {
		return err
	}
	if c.level == LevelManager {
		if err := c.describePeople(ctx); err != nil {
			return err
		}
	}
	for _, rm := range c.recs {
		for i, sb := range c.subj {
			sb.vals[rm.pos] = rm.acc[i].rat(rm.den)
		}
	}
	return c.formulas()
}

// listed reports whether a person placed by their month-end record is a
// row of the manager level even with nothing credited: the viewer
// themself (with no unit chosen), anyone with a personal target, and
// every current manager placed in a region, team, group or channel.
func (c *calc) listed(p Person) bool {
	f := c.f
	if f.unitID == 0 && p.ID == f.self && f.self != 0 {
		return true
	}
	if !f.base[p.UnitID] {
		return false
	}
	if len(c.targets[subjectKey{true, p.ID}]) > 0 {
		return true
	}
	u := f.units[p.UnitID]
	return u != nil && managerKinds[u.Kind] && p.Status != people.StatusTerminated && p.Status != people.StatusCandidate
}

// describePeople fills the names and paths of the person rows, loading
// the people credited in scope who are placed outside it.
func (c *calc) describePeople(ctx context.Context) error {
	f := c.f
	var missing []int64
	for _, sb := range c.subj {
		if _, ok := c.people[sb.id]; !ok {
			missing = append(missing, sb.id)
		}
	}
	if len(missing) > 0 {
		ps, err := c.s.Store.StatsPeople(ctx, f.scope, f.q, missing)
		if err != nil {
			return fmt.Errorf("people: %w", err)
		}
		for _, p := range ps {
			c.people[p.ID] = p
		}
	}
	for _, sb := range c.subj {
		p, ok := c.people[sb.id]
		sb.name, sb.empNo = p.Name, p.EmpNo
		if !ok {
			sb.name = fmt.Sprintf("#%d", sb.id)
		}
		// Shown under their month-end unit when it is in view, otherwise
		// under the unit their counted records were credited in.
		if p.UnitID != 0 && (f.base[p.UnitID] || f.unitID == 0 && sb.id == f.self) {
			sb.unitID = p.UnitID
		}
		sb.path = f.path(sb.unitID)
	}
	return nil
}

// loadTargets reads the month's targets of the requested metrics.
func (c *calc) loadTargets(ctx context.Context, requested []string) error {
	f := c.f
	ts, err := c.s.Store.StatsTargets(ctx, f.scope, f.q.Institution, f.per.String(), requested, f.q.AsOf)
	if err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	for _, t := range ts {
		k := subjectKey{t.PersonID != 0, t.PersonID + t.UnitID}
		if c.targets[k] == nil {
			c.targets[k] = map[string]target.Target{}
		}
		c.targets[k][t.Metric] = t
	}
	return nil
}

// records reads the month's records: the sum aggregate for sums and
// counts, and one more query for the metrics a sum cannot give.
// detailGroups is what the details query returned, read ahead.
type detailGroups struct {
	groups []Group
	err    error
}

// query is the month query of the metrics: by product when a metric
// converts by product.
func (c *calc) query() Query {
	q := c.f.q
	for _, rm := range c.recs {
		if rm.scaled != nil {
			q.ByProduct = true
		}
	}
	return q
}

// startDetails starts the details query, when a metric needs it, on its
// own goroutine (and connection); its groups arrive on the channel, or
// nil when there is no query. The groups are copied: the store reuses
// its Group.
func (c *calc) startDetails(ctx context.Context) <-chan detailGroups {
	if len(c.dist)+len(c.last)+len(c.avg) == 0 {
		return nil
	}
	dq := c.query()
	dq.Distinct, dq.Last, dq.Avg = sortedKeys(c.dist), sortedKeys(c.last), sortedKeys(c.avg)
	ch := make(chan detailGroups, 1) // never blocks: the goroutine ends even if run has returned
	go func() {
		var d detailGroups
		d.err = c.s.Store.StatsDetails(ctx, c.f.scope, dq, func(g *Group) error {
			d.groups = append(d.groups, *g)
			return nil
		})
		ch <- d
	}()
	return ch
}

func (c *calc) records(ctx context.Context, details <-chan detailGroups) error {
	f := c.f
	q := c.query()
	type pk struct {
		typ                string
		subj               int
		customer, personID int64
	}
	best := map[pk]int64{} // distinct customers: largest share per subject, customer and person
	fn := func(g *Group) error {
		i := c.subjectOf(g.PersonID, g.UnitID)
		if i < 0 {
			return nil
		}
		var ms []*recMetric
		switch g.Kind {
		case KindSum:
			ms = c.byType[g.RecordType]
		case KindLast:
			ms = c.last[g.RecordType]
		case KindAvg:
			ms = c.avg[g.RecordType]
		case KindDistinct:
			k := pk{g.RecordType, i, g.CustomerID, g.PersonID}
			if g.ShareBP > best[k] {
				best[k] = g.ShareBP
			}
			return nil
		}
		for _, rm := range ms {
			if err := rm.add(i, g); err != nil {
				return err
			}
		}
		return nil
	}
	if len(c.byType) > 0 {
		sq := q
		sq.Types = typeFilter(c.cat, c.byType)
		if err := c.s.Store.StatsSums(ctx, f.scope, sq, fn); err != nil {
			return fmt.Errorf("sums: %w", err)
		}
	}
	if details == nil {
		return nil
	}
	d := <-details
	if d.err != nil {
		return fmt.Errorf("details: %w", d.err)
	}
	for i := range d.groups {
		if err := fn(&d.groups[i]); err != nil {
			return err
		}
	}
	// Distinct customers: per subject, each customer counts with the share
	// the subject holds of it — a manager's largest share of the customer
	// in the month; for a unit the sum of those of the managers (and of
	// nobody) credited in it, at most one.
	type ck struct {
		typ      string
		subj     int
		customer int64
	}
	per := map[ck]int64{}
	for k, v := range best {
		per[ck{k.typ, k.subj, k.customer}] += v
	}
	sums := map[string][]int64{}
	for k, v := range per {
		if sums[k.typ] == nil {
			sums[k.typ] = make([]int64, len(c.subj))
		}
		sums[k.typ][k.subj] += min(v, share10k)
	}
	for typ, ms := range c.dist {
		for _, rm := range ms {
			for i := range c.subj {
				if sums[typ] != nil {
					rm.acc[i].addInt(sums[typ][i])
				}
			}
		}
	}
	return nil
}

// typeFilter narrows the sum aggregate to the record types its metrics
// use when they are at most half of the catalogue's types (a trend of one
// metric, a table of a few); otherwise it reads every type, which costs
// less than testing each record's type — the groups of types no metric
// uses are few and ignored.
func typeFilter(cat *metric.Catalogue, used map[string][]*recMetric) []string {
	if 2*len(used) > len(cat.RecordTypes()) {
		return nil
	}
	return sortedKeys(used)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// formulas evaluates the formula metrics of each subject from its other
// values, in dependency order, with the catalogue's evaluation (floats in
// the natural unit; money rounded to the fen; a division by zero or an
// input without value gives no value).
func (c *calc) formulas() error {
	var order []string
	for _, k := range c.cat.Order() {
		if _, ok := c.pos[k]; ok {
			order = append(order, k)
		}
	}
	if len(order) == 0 {
		return nil
	}
	var inputs []string // the record metrics the formulas read
	for _, k := range order {
		for _, in := range c.cat.Formula(k).Inputs {
			if c.cat.Formula(in) == nil && !slices.Contains(inputs, in) {
				inputs = append(inputs, in)
			}
		}
	}
	values := make(map[string]float64, len(inputs)+len(order))
	for _, sb := range c.subj {
		for _, k := range inputs {
			values[k] = toFloat(sb.vals[c.pos[k]])
		}
		for _, k := range order {
			r, err := c.cat.Evaluate(k, values)
			if err != nil {
				return fmt.Errorf("formula %s: %w", k, err)
			}
			var v *big.Rat
			switch {
			case r.Null:
				values[k] = math.NaN()
			case r.Unit == metric.UnitYuan:
				v = big.NewRat(r.Fen(), 100)
				values[k] = r.Value
			default:
				v = new(big.Rat).SetFloat64(r.Value)
				values[k] = r.Value
			}
			sb.vals[c.pos[k]] = v
		}
	}
	return nil
}

func toFloat(v *big.Rat) float64 {
	if v == nil {
		return math.NaN()
	}
	f, _ := v.Float64()
	return f
}

// sortRows orders the rows: people by employee number, units as in the tree.
func (c *calc) sortRows() {
	if c.level == LevelManager {
		slices.SortFunc(c.subj, func(a, b *subject) int {
			if x := strings.Compare(a.empNo, b.empNo); x != 0 {
				return x
			}
			return compareInt(a.id, b.id)
		})
	}
}

// subjectKey names a person or a unit.
type subjectKey struct {
	person bool
	id     int64
}

// targetsOf returns the subject's targets by metric.
func (c *calc) targetsOf(sb *subject) map[string]target.Target {
	return c.targets[subjectKey{sb.person, sb.id}]
}

// completion is actual ÷ target; no target (none, or 0) or no actual gives none.
func completion(actual *big.Rat, t target.Target, ok bool) target.Rate {
	if !ok || actual == nil {
		return target.Rate{}
	}
	return target.Completion(actual, target.MinorRat(t.Value, t.Unit))
}

// ranks returns the competition ranks of vals (1 = the greatest; equal
// values share a rank and the next rank skips; nil has none: 0). The
// values are sorted by their float64 first — a monotonic key — and
// compared exactly only where those are equal.
func ranks(vals []*big.Rat) []int {
	type item struct {
		i int
		f float64
	}
	items := make([]item, 0, len(vals))
	for i, v := range vals {
		if v != nil {
			f, _ := v.Float64()
			items = append(items, item{i, f})
		}
	}
	cmp := func(a, b item) int {
		switch {
		case a.f < b.f:
			return -1
		case a.f > b.f:
			return 1
		}
		return vals[a.i].Cmp(vals[b.i])
	}
	slices.SortStableFunc(items, func(a, b item) int { return -cmp(a, b) })
	out := make([]int, len(vals))
	for k, it := range items {
		if k > 0 && cmp(it, items[k-1]) == 0 {
			out[it.i] = out[items[k-1].i]
		} else {
			out[it.i] = k + 1
		}
	}
	return out
}
