package pay

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/builtin"

	"cmhub/internal/platform"
)

// Names are the names outside the plan that it may use.
type Names struct {
	// Metrics are the metric keys of the institution's catalogue.
	Metrics []string
	// Positions are the position codes of its dictionary; nil skips the
	// check of the plan's positions.
	Positions []string
}

// Names of the inputs the formulas of a plan may read besides metrics,
// earlier components and parameters.
const (
	inFull     = "attendance.full"
	inGrade    = "person.grade"
	inPosition = "person.position"
	inStatus   = "person.status"
)

// InputDef describes an input a formula may name, for the plan editor.
type InputDef struct {
	Name string `json:"name"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	Type string `json:"type"` // number, text or condition
}

// Inputs lists what formulas may read besides the plan's own components
// and parameters: the metrics given, the attendance summary, the person,
// and each metric's history. The labour-discipline scorecard item reads
// the same attendance summary (internal/assess); pay declares its own
// list because it needs attendance.full and the person, and none of the
// assessment's other inputs.
func Inputs(metrics []string) []InputDef {
	defs := []InputDef{
		{"attendance.required_days", "应出勤天数", "working days required", "number"},
		{"attendance.present_days", "实际出勤天数", "days present", "number"},
		{"attendance.late", "迟到次数", "times late", "number"},
		{"attendance.early_leave", "早退次数", "times left early", "number"},
		{"attendance.absent_days", "旷工天数", "days absent without leave", "number"},
		{"attendance.leave_days", "请假天数", "days on leave", "number"},
		{inFull, "是否满勤", "full attendance", "condition"},
		{inGrade, "等级代码", "grade code", "text"},
		{inPosition, "岗位代码", "position code", "text"},
		{inStatus, "人员状态代码", "status code", "text"},
		{"person.months_in_service", "在岗月数", "months in service", "number"},
	}
	for _, m := range metrics {
		defs = append(defs, InputDef{historyPrefix + m, "此前连续无 " + m + " 的月数", "consecutive months before this one without " + m, "number"})
	}
	return defs
}

// historyPrefix starts a history input: history.months_without_<metric>
// is the number of consecutive months right before the evaluated one in
// which the metric was 0 (or had no value).
const historyPrefix = "history.months_without_"

// source says where an input slot's value comes from.
type source uint8

const (
	srcMetric source = iota
	srcAttendance
	srcHistory
	srcPerson
	srcComponent
	srcTier
)

// slot is one value the formulas of a plan read, by name.
type slot struct {
	name string
	kind kind
	src  source
	key  string // metric key, or the field after the group
	comp int    // srcComponent: the component's position
	// first is the position of the first component reading the slot: a
	// missing input is reported against it.
	first int
}

// Compiled is a checked plan version with every formula compiled once.
// It is immutable and safe for concurrent use; evaluate it with an
// Evaluator per goroutine.
type Compiled struct {
	plan     Plan
	from     platform.Period
	params   map[string]Num
	comps    []component
	slots    []slot
	tierSlot int // -1 when no component has a table
	tiered   int // components with a table
	reads    int // inputs shown on all lines
	needs    Needs
	examples []string
}

// component is a compiled component.
type component struct {
	Component
	field   string // "components.<key>"
	when    *formula
	formula *formula
	tiers   *tierTable
	slot    int
	reads   []read
}

// read is an input a component's statement line shows.
type read struct {
	name  string
	slot  int  // -1 for a parameter
	konst Num  // a parameter's value
	kind  kind // of the slot
}

// Needs is what a plan reads, so a monthly close loads only that.
type Needs struct {
	Metrics    []string `json:"metrics"`
	Attendance bool     `json:"attendance"`
	// History lists the metrics whose runs of months without a value the
	// plan reads (history.months_without_<metric>).
	History []string `json:"history"`
	Person  []string `json:"person"` // grade, position, status, months_in_service
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Compile checks a plan and compiles its formulas. Every problem is a
// field error (platform.ValidationError) named like the plan's JSON
// ("components.commission.formula"), Chinese first, then English.
func Compile(p Plan, names Names) (*Compiled, error) {
	f := platform.Fields{}
	c := &Compiled{plan: clonePlan(p), params: map[string]Num{}, tierSlot: -1}
	c.checkHeader(f, names)
	c.checkParams(f)
	base := baseNames(names.Metrics)
	comps := c.checkComponents(f, base)
	if len(f) == 0 {
		c.compileComponents(f, base, comps)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c.layout()
	return c, nil
}

func (c *Compiled) checkHeader(f platform.Fields, names Names) {
	p := c.plan
	if !keyPattern.MatchString(p.Key) {
		f.Add("key", "代码须为小写字母开头，由小写字母、数字和下划线组成，最多 40 个字符 the key starts with a lowercase letter and has up to 40 of a-z, 0-9 and _")
	}
	if strings.TrimSpace(p.NameZh) == "" {
		f.Add("nameZh", "请填写中文名称 the Chinese name is required")
	}
	if p.Version < 1 {
		f.Add("version", "版本号须为正整数 the version must be a positive whole number")
	}
	per, err := platform.ParsePeriod(p.EffectiveFrom)
	if err != nil || per.Kind != platform.Month {
		f.Add("effectiveFrom", "生效月份须写成 YYYY-MM the effective month must be YYYY-MM")
	}
	c.from = per
	if len(p.Positions) == 0 {
		f.Add("positions", "须至少适用于一个岗位 the plan must apply to at least one position")
	}
	seen := map[string]bool{}
	for _, pos := range p.Positions {
		switch {
		case seen[pos]:
			f.Add("positions", "岗位 "+pos+" 重复 position "+pos+" is listed twice")
		case names.Positions != nil && !slices.Contains(names.Positions, pos):
			f.Add("positions", "岗位 "+pos+" 不在岗位字典中 position "+pos+" is not in the positions dictionary")
		}
		seen[pos] = true
	}
}

func (c *Compiled) checkParams(f platform.Fields) {
	for i, pm := range c.plan.Params {
		field := "params." + strconv.Itoa(i)
		switch {
		case !keyPattern.MatchString(pm.Key):
			f.Add(field+".key", "参数代码须为小写字母开头，由小写字母、数字和下划线组成 the key starts with a lowercase letter and uses a-z, 0-9 and _")
			continue
		case hasParam(c.plan.Params[:i], pm.Key):
			f.Add(field+".key", "参数 "+pm.Key+" 重复 parameter "+pm.Key+" is listed twice")
			continue
		}
		field = "params." + pm.Key
		if strings.TrimSpace(pm.NameZh) == "" {
			f.Add(field+".nameZh", "请填写中文名称 the Chinese name is required")
		}
		v, err := ParseNum(string(pm.Value))
		if err != nil {
			f.Add(field+".value", "参数值须为数值，例如 2500 或 0.05 the value must be a number, e.g. 2500 or 0.05")
		}
		c.params[pm.Key] = v
		if pm.Example {
			c.examples = append(c.examples, field+".value")
		}
	}
}

func hasParam(ps []Param, key string) bool {
	return slices.ContainsFunc(ps, func(p Param) bool { return p.Key == key })
}

// reservedKey reports whether a component key would clash with a name
// formulas already have a meaning for.
func reservedKey(key string, base map[string]kind) bool {
	if _, ok := base[key]; ok || isGroup(key) || key == "tier" {
		return true
	}
	switch key {
	case "true", "false", "nil", "not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else":
		return true
	}
	return slices.Contains(builtin.Names, key)
}

// checkComponents checks the components' shape and returns their
// positions by key.
func (c *Compiled) checkComponents(f platform.Fields, base map[string]kind) map[string]int {
	comps := map[string]int{}
	if len(c.plan.Components) == 0 {
		f.Add("components", "方案须至少有一个计算项 the plan needs at least one component")
	}
	for i, cp := range c.plan.Components {
		field := "components." + strconv.Itoa(i)
		switch _, dup := comps[cp.Key]; {
		case !keyPattern.MatchString(cp.Key):
			f.Add(field+".key", "代码须为小写字母开头，由小写字母、数字和下划线组成 the key starts with a lowercase letter and uses a-z, 0-9 and _")
		case dup:
			f.Add(field+".key", "计算项 "+cp.Key+" 重复 component "+cp.Key+" is listed twice")
		case reservedKey(cp.Key, base):
			f.Add(field+".key", "代码 "+cp.Key+" 已是指标、输入或保留字，请换一个 "+cp.Key+" is already a metric, an input or a reserved word")
		default:
			comps[cp.Key] = i
			field = "components." + cp.Key
		}
		if strings.TrimSpace(cp.NameZh) == "" {
			f.Add(field+".nameZh", "请填写中文名称 the Chinese name is required")
		}
		switch cp.Kind {
		case KindEarning, KindDeduction, KindInfo:
		default:
			f.Add(field+".kind", "类型须为 earning（应发）、deduction（扣款）或 info（仅显示） the kind must be earning, deduction or info")
		}
		if strings.TrimSpace(cp.Formula) == "" && cp.Tiers == nil {
			f.Add(field+".formula", "须有公式或分档表 a component needs a formula or a tier table")
		}
		if cp.Tiers != nil {
			c.checkTiers(f, field+".tiers", cp.Tiers)
		}
	}
	return comps
}

// compileComponents compiles every formula of a plan whose shape is
// fine, each against what comes before it.
func (c *Compiled) compileComponents(f platform.Fields, base map[string]kind, comps map[string]int) {
	env := sampleEnv(base, comps)
	for i, cp := range c.plan.Components {
		field := "components." + cp.Key
		s := &scope{base: base, params: c.params, comps: comps, self: i, env: env}
		cc := component{Component: cp, field: field, slot: -1}
		compile := func(part, text string, want kind, tier bool) *formula {
			s.tier = tier
			fm, msg := compileFormula(text, want, s)
			if msg != "" {
				f.Add(field+"."+part, msg)
			}
			return fm
		}
		if strings.TrimSpace(cp.When) != "" {
			cc.when = compile("when", cp.When, kindBool, false)
		}
		if cp.Tiers != nil {
			t := cp.Tiers
			cc.tiers = c.tierTable(t)
			cc.tiers.by = compile("tiers.by", t.By, kindNum, false)
			if strings.TrimSpace(t.Of) != "" {
				cc.tiers.of = compile("tiers.of", t.Of, kindNum, false)
			}
			c.examples = append(c.examples, cc.tiers.examples(field+".tiers.brackets")...)
		}
		if strings.TrimSpace(cp.Formula) != "" {
			cc.formula = compile("formula", cp.Formula, kindNum, cp.Tiers != nil)
		}
		c.comps = append(c.comps, cc)
	}
}

// baseNames are the names every formula of a plan may read, with kinds.
func baseNames(metrics []string) map[string]kind {
	m := map[string]kind{}
	for _, k := range metrics {
		m[k] = kindNum
	}
	for _, in := range Inputs(metrics) {
		switch in.Type {
		case "text":
			m[in.Name] = kindText
		case "condition":
			m[in.Name] = kindBool
		default:
			m[in.Name] = kindNum
		}
	}
	return m
}

// sampleEnv is the typed environment expr checks formulas against: a
// *Num for every number, a string for text, a bool for conditions.
func sampleEnv(base map[string]kind, comps map[string]int) map[string]any {
	env := make(map[string]any, len(base)+len(comps)+1)
	for name, k := range base {
		switch k {
		case kindText:
			env[name] = ""
		case kindBool:
			env[name] = false
		default:
			env[name] = (*Num)(nil)
		}
	}
	for name := range comps {
		env[name] = (*Num)(nil)
	}
	env["tier"] = (*Num)(nil)
	return env
}

// layout gives every name some formula reads a slot, in order of first
// use, and works out what each statement line shows and what the plan
// needs.
func (c *Compiled) layout() {
	index := map[string]int{}
	comps := map[string]int{}
	for i, cp := range c.comps {
		comps[cp.Key] = i
	}
	use := func(name string, at int) int {
		if i, ok := index[name]; ok {
			return i
		}
		s := slot{name: name, kind: kindNum, first: at}
		switch {
		case name == "tier":
			s.src = srcTier
		case strings.HasPrefix(name, historyPrefix):
			s.src, s.key = srcHistory, strings.TrimPrefix(name, historyPrefix)
		case strings.HasPrefix(name, "attendance."):
			s.src, s.key = srcAttendance, strings.TrimPrefix(name, "attendance.")
		case strings.HasPrefix(name, "person."):
			s.src, s.key = srcPerson, strings.TrimPrefix(name, "person.")
		default:
			if j, ok := comps[name]; ok {
				s.src, s.comp = srcComponent, j
			} else {
				s.src, s.key = srcMetric, name
			}
		}
		switch name {
		case inGrade, inPosition, inStatus:
			s.kind = kindText
		case inFull:
			s.kind = kindBool
		}
		index[name] = len(c.slots)
		c.slots = append(c.slots, s)
		return index[name]
	}
	for i := range c.comps {
		cp := &c.comps[i]
		cp.slot = use(cp.Key, i)
		var shown []string
		for _, fm := range cp.formulas() {
			for _, name := range fm.reads {
				if !strings.HasPrefix(name, "param.") {
					use(name, i)
				}
				if !slices.Contains(shown, name) {
					shown = append(shown, name)
				}
			}
			if fm.name != "" {
				fm.slot = use(fm.name, i)
			}
		}
		if cp.tiers != nil {
			c.tierSlot = use("tier", i)
			c.tiered++
		}
		slices.Sort(shown)
		for _, name := range shown {
			if p, ok := strings.CutPrefix(name, "param."); ok {
				cp.reads = append(cp.reads, read{name: name, slot: -1, konst: c.params[p], kind: kindNum})
				continue
			}
			j := index[name]
			cp.reads = append(cp.reads, read{name: name, slot: j, kind: c.slots[j].kind})
		}
		c.reads += len(cp.reads)
	}
	for _, s := range c.slots {
		switch s.src {
		case srcMetric:
			c.needs.Metrics = append(c.needs.Metrics, s.key)
		case srcHistory:
			c.needs.History = append(c.needs.History, s.key)
		case srcAttendance:
			c.needs.Attendance = true
		case srcPerson:
			c.needs.Person = append(c.needs.Person, s.key)
		}
	}
	slices.Sort(c.needs.Metrics)
	slices.Sort(c.needs.History)
	slices.Sort(c.needs.Person)
}

// formulas are the component's compiled formulas, in evaluation order.
func (cp *component) formulas() []*formula {
	var fs []*formula
	for _, f := range []*formula{cp.when, tierBy(cp.tiers), tierOf(cp.tiers), cp.formula} {
		if f != nil {
			fs = append(fs, f)
		}
	}
	return fs
}

func tierBy(t *tierTable) *formula {
	if t == nil {
		return nil
	}
	return t.by
}

func tierOf(t *tierTable) *formula {
	if t == nil {
		return nil
	}
	return t.of
}

// Plan returns the plan as written (a copy: the compiled plan never
// changes).
func (c *Compiled) Plan() Plan { return clonePlan(c.plan) }

// clonePlan copies p down to its brackets.
func clonePlan(p Plan) Plan {
	p.Positions = slices.Clone(p.Positions)
	p.Params = slices.Clone(p.Params)
	p.Components = slices.Clone(p.Components)
	for i, cp := range p.Components {
		if cp.Tiers != nil {
			t := *cp.Tiers
			t.Brackets = slices.Clone(t.Brackets)
			p.Components[i].Tiers = &t
		}
	}
	return p
}

// Key is the plan's key.
func (c *Compiled) Key() string { return c.plan.Key }

// Version is the plan's version.
func (c *Compiled) Version() int { return c.plan.Version }

// EffectiveFrom is the first month the version applies to.
func (c *Compiled) EffectiveFrom() platform.Period { return c.from }

// AppliesTo reports whether the plan is for people of position.
func (c *Compiled) AppliesTo(position string) bool {
	return slices.Contains(c.plan.Positions, position)
}

// Needs says what the plan reads.
func (c *Compiled) Needs() Needs { return c.needs }

// Examples lists the fields holding example values the seeds did not
// give ("params.base_low.value", "components.commission.tiers.brackets.1"):
// an institution must replace them before paying anyone with the plan.
func (c *Compiled) Examples() []string { return slices.Clone(c.examples) }

func (c *Compiled) String() string { return fmt.Sprintf("%s v%d", c.plan.Key, c.plan.Version) }
