package pay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/expr-lang/expr/vm"
)

// Facts are everything a plan may read about one person and month.
type Facts struct {
	Person Person
	// Metrics are the person's metric values of the month in natural
	// units (yuan, lots, counts), exact. A metric the plan reads must be
	// present: 0 when nothing happened, absent when it has no value (a
	// formula metric divided by zero) — and then the evaluation stops.
	Metrics map[string]Num
	// Attendance is the monthly summary; nil when there is none yet.
	Attendance *Attendance
	// History holds history inputs by name without "history.", e.g.
	// "months_without_new_valid_accounts".
	History map[string]Num
	// Adjustments are corrections of closed months carried into this one.
	Adjustments []Adjustment
}

// Person are the facts of the person in the month.
type Person struct {
	Grade           string
	Position        string
	Status          string
	MonthsInService int
}

// Attendance is the monthly attendance summary. Days may be halves.
type Attendance struct {
	RequiredDays Num
	PresentDays  Num
	AbsentDays   Num
	LeaveDays    Num
	Late         int
	EarlyLeave   int
	Full         bool
}

// Adjustment is a correction of a closed month: a locked month never
// changes, so the difference is paid or withheld in the next open one,
// naming what it corrects (SPEC §6).
type Adjustment struct {
	Ref  string `json:"ref"` // what it corrects, e.g. "2026-03 commission"
	Note string `json:"note,omitempty"`
	Fen  int64  `json:"fen"`
}

// Statement is one person's pay of one month under one plan version,
// explained line by line.
type Statement struct {
	Plan    string `json:"plan"`
	Version int    `json:"version"`
	Lines   []Line `json:"lines"`
	// Totals in fen: Net = Earnings − Deductions + Adjustments.
	EarningsFen    int64 `json:"earningsFen"`
	DeductionsFen  int64 `json:"deductionsFen"`
	AdjustmentsFen int64 `json:"adjustmentsFen"`
	NetFen         int64 `json:"netFen"`
	// The buffers the lines' inputs and tier tables live in, kept for
	// EvaluateInto to reuse.
	inputs []Input
	tiers  []TierUse
}

// Line is one component's result, or an adjustment.
type Line struct {
	Key    string `json:"key"`
	NameZh string `json:"nameZh"`
	NameEn string `json:"nameEn"`
	Kind   Kind   `json:"kind"`
	// When is the condition; Applied says it held (always true without
	// one). A line whose condition does not hold is 0.
	When    string `json:"when,omitempty"`
	Applied bool   `json:"applied"`
	Formula string `json:"formula,omitempty"`
	// Inputs are the values the component read, by name, sorted.
	Inputs []Input  `json:"inputs,omitempty"`
	Tier   *TierUse `json:"tier,omitempty"`
	Exact  Num      `json:"exact"` // the result before rounding
	Fen    int64    `json:"fen"`   // the amount paid or withheld; 0 for info
	Ref    string   `json:"ref,omitempty"`
	Note   string   `json:"note,omitempty"`
	Source string   `json:"source,omitempty"`
}

// Input is a value a component read: a number, or (IsText) the text of
// a text fact (person.position) or a condition (attendance.full:
// "true"/"false").
type Input struct {
	Name   string
	Value  Num
	Text   string
	IsText bool
}

// MarshalJSON writes {"name", "value"} with the value as exact text.
func (in Input) MarshalJSON() ([]byte, error) {
	v := in.Text
	if !in.IsText {
		v = in.Value.String()
	}
	return json.Marshal(struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}{in.Name, v})
}

// ErrMissingInput is wrapped by the error of an evaluation that needs a
// value the facts do not have.
var ErrMissingInput = errors.New("缺少输入 missing input")

// EvalError is an evaluation that stopped at a component: a division by
// zero, a missing input. The monthly close adds the person.
type EvalError struct {
	Component string // its key
	Field     string // "components.commission.formula"
	Err       error
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("计算项 %s 无法计算 component %s cannot be computed (%s): %v", e.Component, e.Component, e.Field, e.Err)
}

func (e *EvalError) Unwrap() error { return e.Err }

// Evaluator evaluates one compiled plan, reusing its buffers: the input
// slots, the environment the formulas read them from, and the VM. It is
// not safe for concurrent use; take one per goroutine.
type Evaluator struct {
	c     *Compiled
	nums  []Num
	texts []string // last text per slot, to box a new string only on change
	env   map[string]any
	vm    vm.VM
}

// NewEvaluator returns an evaluator of c.
func (c *Compiled) NewEvaluator() *Evaluator {
	e := &Evaluator{c: c, nums: make([]Num, len(c.slots)), texts: make([]string, len(c.slots)), env: make(map[string]any, len(c.slots))}
	for i, s := range c.slots {
		switch s.kind {
		case kindText:
			e.env[s.name] = ""
		case kindBool:
			e.env[s.name] = false
		default:
			// The environment points into the slots once; an evaluation
			// only writes the slots.
			e.env[s.name] = &e.nums[i]
		}
	}
	return e
}

// Evaluate evaluates c for one person with a fresh evaluator; a close
// over many people keeps one Evaluator per goroutine instead.
func (c *Compiled) Evaluate(f *Facts) (*Statement, error) { return c.NewEvaluator().Evaluate(f) }

// Evaluate computes the statement for f. The same facts always give the
// same statement.
func (e *Evaluator) Evaluate(f *Facts) (*Statement, error) {
	st := new(Statement)
	if err := e.EvaluateInto(f, st); err != nil {
		return nil, err
	}
	return st, nil
}

// EvaluateInto computes the statement for f into st, reusing the memory
// of the statement st held before: a close that stores each statement
// before computing the next evaluates without allocating statements. The
// previous content of st, its lines and inputs included, is overwritten.
// On error st holds no complete statement.
func (e *Evaluator) EvaluateInto(f *Facts, st *Statement) error {
	c := e.c
	if err := e.load(f); err != nil {
		return err
	}
	lines, inputs, tiers := st.Lines[:0], st.inputs, st.tiers[:0]
	if n := len(c.comps) + len(f.Adjustments); cap(lines) < n {
		lines = make([]Line, 0, n)
	}
	if cap(inputs) < c.reads {
		inputs = make([]Input, c.reads)
	}
	if cap(tiers) < c.tiered {
		tiers = make([]TierUse, 0, c.tiered)
	}
	*st = Statement{Plan: c.plan.Key, Version: c.plan.Version, Lines: lines[:len(c.comps)], inputs: inputs, tiers: tiers}
	inputs = inputs[:cap(inputs)]
	for i := range c.comps {
		cp := &c.comps[i]
		ln := &st.Lines[i]
		*ln = Line{Key: cp.Key, NameZh: cp.NameZh, NameEn: cp.NameEn, Kind: cp.Kind, When: cp.When, Formula: cp.Formula, Applied: true, Source: cp.Source}
		if err := e.component(cp, ln, &tiers); err != nil {
			return err
		}
		ln.Inputs, inputs = inputs[:len(cp.reads):len(cp.reads)], inputs[len(cp.reads):]
		for j, r := range cp.reads {
			ln.Inputs[j] = e.input(r)
		}
		if err := st.add(ln); err != nil {
			return &EvalError{Component: cp.Key, Field: cp.field, Err: err}
		}
	}
	st.tiers = tiers
	for _, a := range f.Adjustments {
		st.Lines = append(st.Lines, Line{Key: "adjustment", NameZh: "调整", NameEn: "Adjustment", Kind: KindAdjustment, Applied: true,
			Exact: Fen(a.Fen), Fen: a.Fen, Ref: a.Ref, Note: a.Note})
		if err := st.add(&st.Lines[len(st.Lines)-1]); err != nil {
			return &EvalError{Component: "adjustment", Field: "adjustments", Err: err}
		}
	}
	return nil
}

// ErrOutOfRange is wrapped by the error of an amount that does not fit
// int64 fen (about 92 trillion yuan): a formula gone wrong, not a pay.
var ErrOutOfRange = errors.New("金额超出范围 the amount is out of range")

// add counts a line into the totals.
func (st *Statement) add(ln *Line) error {
	var ok bool
	switch ln.Kind {
	case KindEarning:
		st.EarningsFen, ok = add64(st.EarningsFen, ln.Fen)
	case KindDeduction:
		st.DeductionsFen, ok = add64(st.DeductionsFen, ln.Fen)
	case KindAdjustment:
		st.AdjustmentsFen, ok = add64(st.AdjustmentsFen, ln.Fen)
	default:
		return nil
	}
	if !ok || st.DeductionsFen == math.MinInt64 {
		return ErrOutOfRange
	}
	net, ok1 := add64(st.EarningsFen, -st.DeductionsFen)
	net, ok2 := add64(net, st.AdjustmentsFen)
	if !ok1 || !ok2 {
		return ErrOutOfRange
	}
	st.NetFen = net
	return nil
}

// load writes the facts into the input slots.
func (e *Evaluator) load(f *Facts) error {
	c := e.c
	for i, s := range c.slots {
		var (
			v  Num
			ok = true
		)
		switch s.src {
		case srcMetric:
			v, ok = f.Metrics[s.key]
		case srcHistory:
			v, ok = f.History["months_without_"+s.key]
		case srcAttendance:
			if f.Attendance == nil {
				ok = false
				break
			}
			if s.kind == kindBool {
				e.env[s.name] = f.Attendance.Full
				continue
			}
			v = f.Attendance.field(s.key)
		case srcPerson:
			if s.kind == kindText {
				e.setText(i, s.name, f.Person.text(s.key))
				continue
			}
			v = Int(int64(f.Person.MonthsInService))
		default:
			continue // components and the tier are written as they are computed
		}
		if !ok {
			cp := c.comps[s.first]
			return &EvalError{Component: cp.Key, Field: cp.field, Err: fmt.Errorf("%w %s", ErrMissingInput, s.name)}
		}
		e.nums[i] = v
	}
	return nil
}

func (e *Evaluator) setText(i int, name, v string) {
	if e.texts[i] != v {
		e.texts[i] = v
		e.env[name] = v
	}
}

func (a *Attendance) field(key string) Num {
	switch key {
	case "required_days":
		return a.RequiredDays
	case "present_days":
		return a.PresentDays
	case "absent_days":
		return a.AbsentDays
	case "leave_days":
		return a.LeaveDays
	case "late":
		return Int(int64(a.Late))
	case "early_leave":
		return Int(int64(a.EarlyLeave))
	}
	return Num{}
}

func (p *Person) text(key string) string {
	switch key {
	case "grade":
		return p.Grade
	case "position":
		return p.Position
	}
	return p.Status
}

// component evaluates one component into its line and its slot.
func (e *Evaluator) component(cp *component, ln *Line, tiers *[]TierUse) error {
	fail := func(part string, err error) error {
		if errors.Is(err, ErrDivisionByZero) {
			err = ErrDivisionByZero // without expr's position text
		}
		return &EvalError{Component: cp.Key, Field: cp.field + "." + part, Err: err}
	}
	if cp.when != nil {
		ok, err := e.cond(cp.when)
		if err != nil {
			return fail("when", err)
		}
		if !ok {
			ln.Applied = false
			e.nums[cp.slot] = Num{}
			return nil
		}
	}
	var v Num
	if t := cp.tiers; t != nil {
		by, err := e.num(t.by)
		if err != nil {
			return fail("tiers.by", err)
		}
		of := by
		if t.of != nil {
			if of, err = e.num(t.of); err != nil {
				return fail("tiers.of", err)
			}
		}
		*tiers = append(*tiers, t.apply(by, of))
		ln.Tier = &(*tiers)[len(*tiers)-1]
		v = ln.Tier.Value
		e.nums[e.c.tierSlot] = v
	}
	if cp.formula != nil {
		var err error
		if v, err = e.num(cp.formula); err != nil {
			return fail("formula", err)
		}
	}
	ln.Exact = v
	if cp.Kind == KindInfo {
		e.nums[cp.slot] = v
		return nil
	}
	fen, ok := v.fen()
	if !ok {
		return fail("formula", ErrOutOfRange)
	}
	ln.Fen = fen
	// Later components read the amount as paid, so a statement's lines
	// add up to its total whatever reads what.
	e.nums[cp.slot] = Fen(fen)
	return nil
}

// num runs a numeric formula.
func (e *Evaluator) num(f *formula) (Num, error) {
	switch {
	case f.konst != nil:
		return *f.konst, nil
	case f.slot >= 0:
		return e.nums[f.slot], nil
	}
	out, err := e.vm.Run(f.program, e.env)
	if err != nil {
		return Num{}, err
	}
	p, ok := out.(*Num)
	if !ok || p == nil {
		return Num{}, fmt.Errorf("formula %q gave %T", f.text, out)
	}
	return *p, nil
}

// cond runs a condition.
func (e *Evaluator) cond(f *formula) (bool, error) {
	out, err := e.vm.Run(f.program, e.env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("condition %q gave %T", f.text, out)
	}
	return b, nil
}

func (e *Evaluator) input(r read) Input {
	switch {
	case r.slot < 0:
		return Input{Name: r.name, Value: r.konst}
	case r.kind == kindText:
		return Input{Name: r.name, Text: e.texts[r.slot], IsText: true}
	case r.kind == kindBool:
		if b, _ := e.env[r.name].(bool); b {
			return Input{Name: r.name, Text: "true", IsText: true}
		}
		return Input{Name: r.name, Text: "false", IsText: true}
	}
	return Input{Name: r.name, Value: e.nums[r.slot]}
}
