package assess

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"cmhub/internal/metric"
)

// InputDef is a named input a computed scorecard item may use. The set is
// what the system can supply for a subject and period, so it is declared
// here, not in a preset: a formula naming anything else is refused when
// its template is loaded.
type InputDef struct {
	Name string `json:"name"` // "completion", "attendance.late"
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// The names of the inputs.
const (
	InputCompletion = "completion" // task completion, a ratio (1 = 100%)
	InputFull       = "full"       // the item's maximum points, supplied by the template itself
)

// Inputs lists the inputs a formula may use. Attendance inputs are
// declared now so templates can name them; until attendance is recorded
// no subject has them and an item using them cannot be computed.
func Inputs() []InputDef {
	return []InputDef{
		{InputCompletion, "任务完成率（小数，1 即 100%）", "task completion rate (a decimal, 1 = 100%)"},
		{InputFull, "本项满分", "the item's maximum points"},
		{"attendance.required_days", "应出勤天数", "working days required"},
		{"attendance.present_days", "实际出勤天数", "days present"},
		{"attendance.late", "迟到次数", "times late"},
		{"attendance.early_leave", "早退次数", "times left early"},
		{"attendance.absent_days", "旷工天数", "days absent without leave"},
		{"attendance.leave_days", "请假天数", "days on leave"},
	}
}

// Formula is the compiled formula of one computed item. Its result is the
// item's points; see Formula.points for rounding and bounds. A Formula is
// immutable and safe for concurrent use.
type Formula struct {
	Text    string
	Inputs  []string // the inputs it names, sorted, without "full"
	program *vm.Program
}

// errDivisionByZero is what a division by zero yields: no value.
var errDivisionByZero = metric.ErrDivisionByZero

const maxFormula = 500

var allowedFuncs = map[string]bool{"min": true, "max": true, "abs": true, "round": true, "floor": true, "ceil": true}

// compileFormula checks and compiles text. It returns a message (Chinese
// first, then English) with the position of the problem, or the formula.
func compileFormula(text string) (f *Formula, msg string) {
	defer func() {
		// expr should not panic on checked input; if it does, refuse the formula.
		if r := recover(); r != nil {
			f, msg = nil, fmt.Sprintf("公式无法编译 does not compile: %v", r)
		}
	}()
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, "计算项须有公式 a computed item needs a formula"
	case !utf8.ValidString(text):
		return nil, "公式含无效字符 the formula is not valid text"
	case utf8.RuneCountInString(text) > maxFormula:
		return nil, "公式最多 500 个字符 the formula has at most 500 characters"
	}
	tree, err := parser.Parse(text)
	if err != nil {
		return nil, "公式语法错误 syntax error: " + exprMessage(err)
	}
	known := map[string]bool{}
	for _, in := range Inputs() {
		known[in.Name] = true
	}
	w := &walker{text: text, known: known, refs: map[string]bool{}}
	ast.Walk(&tree.Node, w)
	w.finish()
	if w.msg != "" {
		return nil, w.msg
	}
	opts := []expr.Option{
		expr.Env(sampleEnv()),
		expr.DisableAllBuiltins(),
		expr.AsFloat64(),
	}
	opts = append(opts, metric.SafeDivision()...)
	for name := range allowedFuncs {
		opts = append(opts, expr.EnableBuiltin(name))
	}
	program, err := expr.Compile(text, opts...)
	if err != nil {
		return nil, "公式无法编译，结果须为数值 does not compile to a number: " + exprMessage(err)
	}
	refs := make([]string, 0, len(w.refs))
	for r := range w.refs {
		if r != InputFull {
			refs = append(refs, r)
		}
	}
	slices.Sort(refs)
	return &Formula{Text: text, Inputs: refs, program: program}, ""
}

// sampleEnv is the typed environment formulas are checked against: every
// input a float64, the attendance inputs under one map.
func sampleEnv() map[string]any {
	env := map[string]any{}
	for _, in := range Inputs() {
		setEnv(env, in.Name, 0)
	}
	return env
}

func setEnv(env map[string]any, name string, v float64) {
	group, field, ok := strings.Cut(name, ".")
	if !ok {
		env[name] = v
		return
	}
	m, _ := env[group].(map[string]float64)
	if m == nil {
		m = map[string]float64{}
		env[group] = m
	}
	m[field] = v
}

// exprMessage is the first line of an expr error with its position.
func exprMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		if fe.Line > 0 {
			return fmt.Sprintf("%s（第 %d 行第 %d 列 at line %d, column %d）", fe.Message, fe.Line, fe.Column+1, fe.Line, fe.Column+1)
		}
		return fe.Message
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// walker refuses every construct outside the small arithmetic language
// (numbers, declared inputs, + - * /, comparisons, logic, ?:, if/else and
// min max abs round floor ceil) and every name that is not a declared
// input, reporting the first problem with its position.
type walker struct {
	text  string
	known map[string]bool
	refs  map[string]bool
	msg   string
	// pending holds identifiers that are not inputs, until the walk
	// shows whether a member node or a call takes them.
	pending map[*ast.IdentifierNode]bool
}

// isGroup reports whether name is the prefix of dotted inputs.
func (w *walker) isGroup(name string) bool {
	for k := range w.known {
		if g, _, ok := strings.Cut(k, "."); ok && g == name {
			return true
		}
	}
	return false
}

// finish reports the first name left over: unknown, or a group name
// used without a field.
func (w *walker) finish() {
	var first *ast.IdentifierNode
	for id := range w.pending {
		if first == nil || id.Location().From < first.Location().From {
			first = id
		}
	}
	switch {
	case first == nil:
	case w.isGroup(first.Value):
		w.fail(first, first.Value+" 须写成 "+first.Value+".字段", first.Value+" needs a field, e.g. "+first.Value+".late")
	default:
		w.fail(first, "未知变量 "+first.Value, "unknown variable "+first.Value)
	}
}

func (w *walker) at(n ast.Node) string {
	e := (&file.Error{Location: n.Location()}).Bind(file.NewSource(w.text))
	return fmt.Sprintf("（第 %d 行第 %d 列 at line %d, column %d）", e.Line, e.Column+1, e.Line, e.Column+1)
}

func (w *walker) fail(n ast.Node, zh, en string) {
	if w.msg == "" {
		w.msg = zh + " " + en + w.at(n)
	}
}

// Visit is called after the node's children (ast.Walk), so a name that
// is not an input waits in pending until its parent is seen.
func (w *walker) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if w.known[n.Value] {
			w.refs[n.Value] = true
			return
		}
		// Decided later: the base of a member node or the callee of a
		// call takes it; anything left is an unknown or bare name.
		if w.pending == nil {
			w.pending = map[*ast.IdentifierNode]bool{}
		}
		w.pending[n] = true
	case *ast.MemberNode:
		id, okID := n.Node.(*ast.IdentifierNode)
		prop, okProp := n.Property.(*ast.StringNode)
		if !okID || !okProp || n.Optional {
			w.fail(n, "不支持的成员访问", "member access of this form is not allowed")
			return
		}
		delete(w.pending, id)
		name := id.Value + "." + prop.Value
		if !w.known[name] {
			w.fail(n, "未知变量 "+name, "unknown variable "+name)
			return
		}
		w.refs[name] = true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.ConditionalNode:
	case *ast.StringNode:
		// Only as the property of a member node, checked there.
	case *ast.UnaryNode:
		switch n.Operator {
		case "-", "+", "!", "not":
		default:
			w.fail(n, "不支持运算符 "+n.Operator, "operator "+n.Operator+" is not allowed")
		}
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "and", "or":
		default:
			w.fail(n, "不支持运算符 "+n.Operator, "operator "+n.Operator+" is not allowed")
		}
	case *ast.BuiltinNode:
		if !allowedFuncs[n.Name] {
			w.fail(n, "不支持函数 "+n.Name+"；可用 min、max、abs、round、floor、ceil", "function "+n.Name+" is not allowed (use min, max, abs, round, floor, ceil)")
		}
	case *ast.CallNode:
		name := "?"
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			name = id.Value
			delete(w.pending, id)
		}
		w.fail(n, "不支持函数 "+name+"；可用 min、max、abs、round、floor、ceil", "function "+name+" is not allowed (use min, max, abs, round, floor, ceil)")
	default:
		w.fail(n, "不支持的写法", fmt.Sprintf("construct %T is not allowed", n))
	}
}

// ErrNoValue is wrapped by the error of a computed item that cannot be
// computed: an input the subject does not have (no target, no attendance
// yet), a division by zero, or a result that is not a finite number.
var ErrNoValue = errors.New("无法计算 cannot be computed")

// points evaluates the formula for an item of full whole points. inputs
// holds the subject's inputs by name; a NaN input counts as absent. The
// result is rounded half away from zero to a tenth of a point (after
// snapping binary noise: 0.95 × 10 is 9.5, not 9.4999…) and bounded to
// 0…full; clamped says the bound applied.
func (f *Formula) points(full int, inputs map[string]float64) (p Points, clamped bool, err error) {
	env := map[string]any{}
	var missing []string
	for _, in := range Inputs() {
		setEnv(env, in.Name, 0)
	}
	for _, name := range f.Inputs {
		v, ok := inputs[name]
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			missing = append(missing, name)
			continue
		}
		setEnv(env, name, v)
	}
	if len(missing) > 0 {
		return 0, false, fmt.Errorf("%w: 缺少输入 %s missing input(s) %s", ErrNoValue,
			strings.Join(missing, "、"), strings.Join(missing, ", "))
	}
	setEnv(env, InputFull, float64(full))
	out, err := expr.Run(f.program, env)
	if errors.Is(err, errDivisionByZero) {
		return 0, false, fmt.Errorf("%w: %w", ErrNoValue, errDivisionByZero)
	}
	if err != nil {
		return 0, false, fmt.Errorf("evaluate %q: %w", f.Text, err)
	}
	v := metric.ToFloat(out) * PointsScale
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("%w: 结果不是有限数 the result is not a finite number", ErrNoValue)
	}
	if math.Abs(v) < 1e12 {
		v = math.Round(v*1e6) / 1e6
	}
	v = math.Round(v)
	switch hi := float64(Whole(full)); {
	case v < 0:
		return 0, true, nil
	case v > hi:
		return Whole(full), true, nil
	}
	return Points(v), false, nil
}
