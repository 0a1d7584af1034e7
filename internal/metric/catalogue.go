package metric

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"cmhub/internal/platform"
)

// Catalogue is an institution's metrics checked as a whole, with every
// formula compiled once: keys unique, every formula referring only to
// known metrics (active formulas only to active ones), no cycles. It is
// immutable and safe for concurrent use.
type Catalogue struct {
	metrics  []Metric
	index    map[string]int
	formulas map[string]*Formula
	order    []string
}

// NewCatalogue checks ms as a whole and compiles their formulas. The
// errors name the metric: "conv_rate.formula".
func NewCatalogue(ms []Metric) (*Catalogue, error) {
	c, fs := build(ms, "")
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// build checks ms. Errors about the metric whose key is focus are reported
// under their plain field name ("formula"), others as "key.field".
func build(ms []Metric, focus string) (*Catalogue, platform.Fields) {
	fs := platform.Fields{}
	c := &Catalogue{index: make(map[string]int, len(ms)), formulas: map[string]*Formula{}}
	label := make(map[string]string, len(ms))
	name := func(key, field string) string {
		if focus != "" && key == focus {
			return field
		}
		return label[key] + "." + field
	}
	for i := range ms {
		m := ms[i]
		m.Conversion = maps.Clone(m.Conversion)
		l := m.Key
		if l == "" {
			l = fmt.Sprintf("metrics[%d]", i)
		}
		if _, ok := label[m.Key]; !ok {
			label[m.Key] = l
		}
		errs := m.Validate()
		for _, f := range slices.Sorted(maps.Keys(errs)) {
			fs.Add(name(m.Key, f), errs[f])
		}
		if _, dup := c.index[m.Key]; dup {
			fs.Add(name(m.Key, "key"), fmt.Sprintf("指标代码 %s 重复 duplicate metric key", m.Key))
			continue
		}
		c.index[m.Key] = len(c.metrics)
		c.metrics = append(c.metrics, m)
	}
	known := make(map[string]bool, len(c.metrics))
	for _, m := range c.metrics {
		known[m.Key] = true
	}
	for _, m := range c.metrics {
		if !m.IsFormula() {
			continue
		}
		f, msg := compileFormula(m.Key, m.Formula, known)
		if msg != "" {
			fs.Add(name(m.Key, "formula"), msg)
			continue
		}
		c.formulas[m.Key] = f
		if !m.Active {
			continue
		}
		var off []string
		for _, in := range f.Inputs {
			if !c.metrics[c.index[in]].Active {
				off = append(off, in)
			}
		}
		if len(off) > 0 {
			fs.Add(name(m.Key, "formula"), fmt.Sprintf("公式引用了已停用的指标 %s refers to inactive metric(s): %s",
				strings.Join(off, "、"), strings.Join(off, ", ")))
		}
	}
	if path := c.cycle(focus); path != nil {
		p := strings.Join(path, " → ")
		fs.Add(name(path[0], "formula"), fmt.Sprintf("公式循环引用 %s circular reference: %s", p, p))
	}
	if len(fs) > 0 {
		return nil, fs
	}
	c.order = c.topo()
	return c, fs
}

// cycle returns a cycle among the formulas as a path that ends where it
// starts (a → b → a), looking from start first; nil when there is none.
func (c *Catalogue) cycle(start string) []string {
	state := map[string]int{} // 0 unseen, 1 on the stack, 2 done
	var stack, found []string
	var visit func(k string) bool
	visit = func(k string) bool {
		state[k] = 1
		stack = append(stack, k)
		for _, in := range c.formulas[k].Inputs {
			if c.formulas[in] == nil {
				continue
			}
			switch state[in] {
			case 1:
				i := slices.Index(stack, in)
				found = append(slices.Clone(stack[i:]), in)
				return true
			case 0:
				if visit(in) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[k] = 2
		return false
	}
	roots := slices.Sorted(maps.Keys(c.formulas))
	if c.formulas[start] != nil {
		roots = append([]string{start}, roots...)
	}
	for _, k := range roots {
		if state[k] == 0 && visit(k) {
			return found
		}
	}
	return nil
}

// topo orders the active formula metrics so that each comes after every
// formula metric it uses (ties by key). The catalogue has no cycles.
func (c *Catalogue) topo() []string {
	done := map[string]bool{}
	var out []string
	var visit func(k string)
	visit = func(k string) {
		if done[k] {
			return
		}
		done[k] = true
		for _, in := range c.formulas[k].Inputs {
			if c.formulas[in] != nil {
				visit(in)
			}
		}
		out = append(out, k)
	}
	for _, k := range slices.Sorted(maps.Keys(c.formulas)) {
		if c.metrics[c.index[k]].Active {
			visit(k)
		}
	}
	return out
}

// Metrics returns the catalogue's metrics in the order it was built from.
func (c *Catalogue) Metrics() []Metric { return slices.Clone(c.metrics) }

// Metric returns the metric with key.
func (c *Catalogue) Metric(key string) (Metric, bool) {
	i, ok := c.index[key]
	if !ok {
		return Metric{}, false
	}
	return c.metrics[i], true
}

// Formula returns the compiled formula of a formula metric, or nil.
func (c *Catalogue) Formula(key string) *Formula { return c.formulas[key] }

// Order lists the active formula metrics in dependency order: computing
// them in this order, every formula input is ready when it is needed.
func (c *Catalogue) Order() []string { return slices.Clone(c.order) }

// UsedBy lists the active formula metrics whose formula refers to key.
func (c *Catalogue) UsedBy(key string) []string {
	var out []string
	for _, m := range c.metrics {
		if f := c.formulas[m.Key]; f != nil && m.Active && slices.Contains(f.Inputs, key) {
			out = append(out, m.Key)
		}
	}
	slices.Sort(out)
	return out
}

// RecordTypes lists the business-record types the active record metrics
// read, sorted: the types an import of business records accepts.
func (c *Catalogue) RecordTypes() []string {
	var out []string
	for _, m := range c.metrics {
		if m.Active && m.SourceKind == SourceRecord && !slices.Contains(out, m.RecordType) {
			out = append(out, m.RecordType)
		}
	}
	slices.Sort(out)
	return out
}

// Result is a formula metric's value with its derivation: the rule
// version and the inputs it was computed from.
type Result struct {
	Key     string             `json:"key"`
	Version int                `json:"version"`
	Formula string             `json:"formula"`
	Unit    string             `json:"unit"`
	Inputs  map[string]float64 `json:"inputs"` // the inputs that had a value
	Value   float64            `json:"value"`  // 0 when Null
	Null    bool               `json:"null"`   // no value: a division by zero, or an input without value
	Reason  string             `json:"reason,omitempty"`
}

// Fen returns a yuan value as exact integer fen.
func (r Result) Fen() int64 { return int64(math.Round(r.Value * 100)) }

// ErrNotFormula is returned when evaluating a metric that is not a formula.
var ErrNotFormula = errors.New("不是公式指标 not a formula metric")

// Evaluate computes formula metric key from values, which must hold every
// input (money in yuan, lots and ratios as they are). An input that is
// NaN (or infinite) has no value and makes the result null; so does a
// division by zero, and so does a result too large to be finite.
// A yuan result is rounded to the fen, half away from zero. Evaluation
// never panics.
func (c *Catalogue) Evaluate(key string, values map[string]float64) (Result, error) {
	i, ok := c.index[key]
	if !ok {
		return Result{}, fmt.Errorf("metric %q: %w", key, platform.ErrNotFound)
	}
	m := c.metrics[i]
	f := c.formulas[key]
	if f == nil {
		return Result{}, fmt.Errorf("metric %q: %w", key, ErrNotFormula)
	}
	r := Result{Key: key, Version: m.Version, Formula: f.Text, Unit: m.Unit, Inputs: make(map[string]float64, len(f.Inputs))}
	var missing, null []string
	for _, in := range f.Inputs {
		v, ok := values[in]
		switch {
		case !ok:
			missing = append(missing, in)
		case math.IsNaN(v) || math.IsInf(v, 0):
			null = append(null, in)
		default:
			r.Inputs[in] = v
		}
	}
	if len(missing) > 0 {
		return Result{}, fmt.Errorf("metric %q: missing input(s) %s", key, strings.Join(missing, ", "))
	}
	if len(null) > 0 {
		r.Null = true
		r.Reason = fmt.Sprintf("输入 %s 无值 input(s) without value: %s", strings.Join(null, "、"), strings.Join(null, ", "))
		return r, nil
	}
	v, err := f.eval(values)
	if errors.Is(err, ErrDivisionByZero) {
		r.Null, r.Reason = true, ErrDivisionByZero.Error()
		return r, nil
	}
	if err != nil {
		return Result{}, err
	}
	if m.Unit == UnitYuan {
		v = roundYuan(v)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		r.Null, r.Reason = true, "结果不是有限数 the result is not a finite number"
		return r, nil
	}
	r.Value = v
	return r, nil
}

// EvaluateAll computes every active formula metric in dependency order.
// values holds the record metrics' values (it is not modified); a formula
// whose input is null is null. The map has one result per formula metric.
func (c *Catalogue) EvaluateAll(values map[string]float64) (map[string]Result, error) {
	work := maps.Clone(values)
	if work == nil {
		work = map[string]float64{}
	}
	out := make(map[string]Result, len(c.order))
	for _, k := range c.order {
		r, err := c.Evaluate(k, work)
		if err != nil {
			return nil, err
		}
		out[k] = r
		work[k] = r.Value
		if r.Null {
			work[k] = math.NaN()
		}
	}
	return out, nil
}

// roundYuan rounds to the fen, half away from zero. The value is first
// snapped to a millionth of a fen so that binary noise (1.005 held as
// 1.00499999…) does not decide the rounding.
func roundYuan(v float64) float64 {
	x := v * 100
	if math.Abs(x) < 1e12 {
		x = math.Round(x*1e6) / 1e6
	}
	return math.Round(x) / 100
}
