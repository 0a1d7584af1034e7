package metric

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"cmhub/internal/platform"
)

// Formula is the compiled formula of one metric version. Its variables
// are other metrics' values as float64 in their natural unit (yuan, not
// fen); see docs/decisions/0008-metric-formulas.md. A compiled Formula is
// immutable and safe for concurrent use.
type Formula struct {
	Text    string
	Inputs  []string // the metric keys it refers to, sorted, without repeats
	program *vm.Program
}

// ErrDivisionByZero is what evaluating a division by zero yields; the
// metric's value is then null (no value), never a panic or an infinity.
var ErrDivisionByZero = errors.New("除数为零 division by zero")

// Functions a formula may call.
var allowedFuncs = map[string]bool{"min": true, "max": true, "abs": true, "round": true, "floor": true, "ceil": true}

// Operators a formula may use (see walker.walk): + - * / on numbers,
// comparisons, && || ! and or not, ?: and if/else. Not allowed: %
// (integers only), ** and ^ (overflow), ?? (no nils), in, matches,
// contains, ranges, pipes into anything but the allowed functions.

// reserved holds the words a metric key cannot be, because the formula
// language gives them a meaning: keywords and every builtin's name.
var reserved = func() map[string]bool {
	r := map[string]bool{}
	for _, w := range []string{"true", "false", "nil", "not", "in", "or", "and", "matches", "contains", "let", "if", "else"} {
		r[w] = true
	}
	for _, n := range builtin.Names {
		r[n] = true
	}
	return r
}()

// divFunc is the name division is rewritten to. Metric keys start with a
// letter, so no metric can take it, and no user formula can call it
// (calls outside allowedFuncs are refused before compiling).
const divFunc = "_div"

// CompileFormula checks and compiles the formula of metric self. keys are
// the other metrics of the catalogue it may refer to. Every problem comes
// back as a field error on "formula", Chinese first, then English.
func CompileFormula(self, text string, keys []string) (*Formula, error) {
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[k] = true
	}
	f, msg := compileFormula(self, text, known)
	if msg != "" {
		return nil, invalidFormula(msg)
	}
	return f, nil
}

func invalidFormula(msg string) error { return platform.Invalid("formula", msg) }

// compileFormula returns the compiled formula or a message saying why not.
func compileFormula(self, text string, known map[string]bool) (f *Formula, msg string) {
	defer func() {
		// The checks above expr make a panic in it unlikely; should one
		// happen, the formula is refused rather than the server crashing.
		if r := recover(); r != nil {
			f, msg = nil, fmt.Sprintf("公式无法编译 does not compile: %v", r)
		}
	}()
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, "公式不能为空 the formula is empty"
	case !utf8.ValidString(text):
		return nil, "公式含无效字符 the formula is not valid text"
	case utf8.RuneCountInString(text) > maxFormula:
		return nil, "公式最多 500 个字符 at most 500 characters"
	}
	tree, err := parser.Parse(text)
	if err != nil {
		return nil, "公式语法错误 syntax error: " + exprMessage(err)
	}
	w := walker{refs: map[string]bool{}}
	if w.walk(tree.Node) == kindBool {
		w.problem("公式结果须为数值，不能是比较或逻辑值 the result must be a number, not a comparison or a boolean")
	}
	var problems []string
	problems = append(problems, w.problems...)
	if w.refs[self] {
		problems = append(problems, fmt.Sprintf("公式不能引用自身 %s a formula cannot refer to its own metric", self))
	}
	var unknown []string
	for _, r := range slices.Sorted(maps.Keys(w.refs)) {
		if r != self && !known[r] {
			unknown = append(unknown, r)
		}
	}
	if len(unknown) > 0 {
		problems = append(problems, fmt.Sprintf("公式引用了未知指标 %s unknown metric(s): %s",
			strings.Join(unknown, "、"), strings.Join(unknown, ", ")))
	}
	if len(problems) == 0 && len(w.refs) == 0 {
		problems = append(problems, "公式须引用至少一个指标 a formula must refer to at least one metric")
	}
	if len(problems) > 0 {
		return nil, strings.Join(problems, "；")
	}
	inputs := slices.Sorted(maps.Keys(w.refs))
	env := make(map[string]any, len(inputs))
	for _, k := range inputs {
		env[k] = float64(0)
	}
	opts := []expr.Option{
		expr.Env(env),
		expr.DisableAllBuiltins(),
	}
	opts = append(opts, SafeDivision()...)
	for name := range allowedFuncs {
		opts = append(opts, expr.EnableBuiltin(name))
	}
	program, err := expr.Compile(text, append(opts, expr.AsFloat64())...)
	if err != nil {
		if _, err2 := expr.Compile(text, opts...); err2 == nil {
			return nil, "公式结果须为数值，不能是比较或逻辑值 the result must be a number, not a comparison or a boolean"
		}
		return nil, "公式无法编译 does not compile: " + exprMessage(err)
	}
	return &Formula{Text: text, Inputs: inputs, program: program}, ""
}

// exprMessage is the first line of an expr error with its position.
func exprMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		if fe.Line > 0 {
			return fmt.Sprintf("%s（第 %d 列 at column %d）", fe.Message, fe.Column+1, fe.Column+1)
		}
		return fe.Message
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// walker collects the identifiers a formula refers to, refuses every
// construct outside the small arithmetic language formulas are, and
// infers each node's kind: every metric is a number, comparisons and
// logic give booleans, and the formula as a whole must be a number.
type walker struct {
	refs     map[string]bool
	problems []string
	seen     map[string]bool
}

type kind int

const (
	kindBad  kind = iota // already reported
	kindNum              // a number
	kindBool             // a comparison or logical value
)

func (w *walker) problem(msg string) kind {
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if !w.seen[msg] {
		w.seen[msg] = true
		w.problems = append(w.problems, msg)
	}
	return kindBad
}

// want reports a mismatch unless got is want (or already bad).
func (w *walker) want(got, want kind, what string) bool {
	if got == kindBad || got == want {
		return got == want
	}
	if want == kindNum {
		w.problem(what + " 须作用于数值 needs numbers")
	} else {
		w.problem(what + " 须作用于比较或逻辑值 needs comparisons or logical values")
	}
	return false
}

func (w *walker) walk(n ast.Node) kind {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		w.refs[n.Value] = true
		return kindNum
	case *ast.IntegerNode, *ast.FloatNode:
		return kindNum
	case *ast.BoolNode:
		return kindBool
	case *ast.UnaryNode:
		k := w.walk(n.Node)
		switch n.Operator {
		case "-", "+":
			if w.want(k, kindNum, "运算符 "+n.Operator+" operator "+n.Operator) {
				return kindNum
			}
		case "!", "not":
			if w.want(k, kindBool, "运算符 "+n.Operator+" operator "+n.Operator) {
				return kindBool
			}
		default:
			w.problem(fmt.Sprintf("不支持运算符 %s operator %s is not allowed", n.Operator, n.Operator))
		}
		return kindBad
	case *ast.BinaryNode:
		l, r := w.walk(n.Left), w.walk(n.Right)
		what := "运算符 " + n.Operator + " operator " + n.Operator
		switch n.Operator {
		case "+", "-", "*", "/":
			if w.want(l, kindNum, what) && w.want(r, kindNum, what) {
				return kindNum
			}
		case "<", "<=", ">", ">=":
			if w.want(l, kindNum, what) && w.want(r, kindNum, what) {
				return kindBool
			}
		case "==", "!=":
			if l != kindBad && r != kindBad && l != r {
				return w.problem(what + " 两边须同为数值或同为比较值 compares a number with a logical value")
			}
			if l != kindBad && r != kindBad {
				return kindBool
			}
		case "&&", "||", "and", "or":
			if w.want(l, kindBool, what) && w.want(r, kindBool, what) {
				return kindBool
			}
		default:
			w.problem(fmt.Sprintf("不支持运算符 %s operator %s is not allowed", n.Operator, n.Operator))
		}
		return kindBad
	case *ast.ConditionalNode:
		c, a, b := w.walk(n.Cond), w.walk(n.Exp1), w.walk(n.Exp2)
		w.want(c, kindBool, "条件 the condition")
		if a != kindBad && b != kindBad && a != b {
			return w.problem("条件表达式的两个分支须同为数值 both branches of a condition must be numbers")
		}
		if c == kindBad || a == kindBad || b == kindBad {
			return kindBad
		}
		return a
	case *ast.BuiltinNode:
		ks := make([]kind, len(n.Arguments))
		for i, a := range n.Arguments {
			ks[i] = w.walk(a)
		}
		if !allowedFuncs[n.Name] {
			return w.problem(fmt.Sprintf("不支持函数 %s；可用 min、max、abs、round、floor、ceil function %s is not allowed (use min, max, abs, round, floor, ceil)", n.Name, n.Name))
		}
		what := "函数 " + n.Name + " function " + n.Name
		switch {
		case (n.Name == "min" || n.Name == "max") && len(ks) == 0:
			return w.problem(what + " 至少需要一个参数 needs at least one argument")
		case n.Name != "min" && n.Name != "max" && len(ks) != 1:
			return w.problem(what + " 需要一个参数 takes one argument")
		}
		for _, k := range ks {
			if !w.want(k, kindNum, what) {
				return kindBad
			}
		}
		return kindNum
	case *ast.CallNode:
		name := "?"
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			name = id.Value
		}
		for _, a := range n.Arguments {
			w.walk(a)
		}
		return w.problem(fmt.Sprintf("不支持函数 %s；可用 min、max、abs、round、floor、ceil function %s is not allowed (use min, max, abs, round, floor, ceil)", name, name))
	default:
		return w.problem("不支持的写法 " + construct(n) + " is not allowed")
	}
}

// construct names a node kind formulas do not support.
func construct(n ast.Node) string {
	switch n.(type) {
	case *ast.StringNode, *ast.BytesNode:
		return "字符串 strings"
	case *ast.NilNode:
		return "nil"
	case *ast.MemberNode, *ast.ChainNode:
		return "成员访问 member access"
	case *ast.SliceNode:
		return "切片 slices"
	case *ast.ArrayNode:
		return "数组 arrays"
	case *ast.MapNode, *ast.PairNode:
		return "映射 maps"
	case *ast.PredicateNode, *ast.PointerNode:
		return "谓词 predicates"
	case *ast.VariableDeclaratorNode:
		return "let 变量 variables"
	case *ast.SequenceNode:
		return "分号分隔的多个表达式 sequences"
	}
	return fmt.Sprintf("%T", n)
}

// SafeDivision are the expr options that make a / b fail with
// ErrDivisionByZero instead of yielding an infinity: every formula over
// metrics (the catalogue's, the scorecards') compiles with them.
func SafeDivision() []expr.Option {
	return []expr.Option{
		expr.Function(divFunc, divide, new(func(float64, float64) float64)),
		expr.Patch(divPatcher{}),
	}
}

// divPatcher rewrites a / b into _div(a, b) before type checking, so a
// division by zero is an error the evaluation reports, not an infinity.
type divPatcher struct{}

func (divPatcher) Visit(node *ast.Node) {
	if b, ok := (*node).(*ast.BinaryNode); ok && b.Operator == "/" {
		ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: divFunc}, Arguments: []ast.Node{b.Left, b.Right}})
	}
}

func divide(ps ...any) (any, error) {
	if len(ps) != 2 {
		return nil, fmt.Errorf("%s: want 2 arguments, got %d", divFunc, len(ps))
	}
	a, b := toFloat(ps[0]), toFloat(ps[1])
	if b == 0 {
		return nil, ErrDivisionByZero
	}
	return a / b, nil
}

// ToFloat reads a formula's numeric result; anything else is NaN.
func ToFloat(v any) float64 { return toFloat(v) }

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return math.NaN()
}

// eval runs the formula on values (which must hold every input). It
// returns ErrDivisionByZero when a division by zero was reached.
func (f *Formula) eval(values map[string]float64) (float64, error) {
	env := make(map[string]any, len(f.Inputs))
	for _, k := range f.Inputs {
		env[k] = values[k]
	}
	out, err := expr.Run(f.program, env)
	if errors.Is(err, ErrDivisionByZero) {
		return 0, ErrDivisionByZero
	}
	if err != nil {
		return 0, fmt.Errorf("evaluate %q: %w", f.Text, err)
	}
	v := toFloat(out)
	return v, nil
}
