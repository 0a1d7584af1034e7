package approval

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"cmhub/internal/metric"
)

// condition is a compiled Condition. It is immutable.
type condition struct {
	text  string   // as shown to people: "days > 3"
	attrs []string // the attributes it reads, sorted
	// A threshold, when program is nil.
	attr  string
	op    string
	value float64
	// An expr boolean.
	program *vm.Program
}

// problem is what is wrong with a condition, in both languages.
type problem struct{ zh, en string }

// compileCondition checks c against the declared attributes. It returns
// a problem instead of the condition when c is not usable.
func compileCondition(c Condition, declared map[string]bool) (*condition, *problem) {
	if c.Expr != "" {
		if c.Attr != "" || c.Op != "" || c.Value != 0 {
			return nil, &problem{"条件须为阈值（attr、op、value）或表达式（expr）之一，不能同时使用", "a condition is a threshold (attr, op, value) or an expression (expr), not both"}
		}
		return compileExpr(c.Expr, declared)
	}
	switch {
	case c.Attr == "":
		return nil, &problem{"条件须为阈值（attr、op、value）或表达式（expr）", "a condition is a threshold (attr, op, value) or an expression (expr)"}
	case !declared[c.Attr]:
		return nil, &problem{fmt.Sprintf("条件的属性 %q 不是该类申请的属性（可用：%s）", c.Attr, known(declared, "、")),
			fmt.Sprintf("the condition's attribute %q is not one of this kind of request (known: %s)", c.Attr, known(declared, ", "))}
	case !validOp(c.Op):
		return nil, &problem{fmt.Sprintf("比较符须为 >、>=、<、<=、== 或 !=，而不是 %q", c.Op), fmt.Sprintf("the comparison must be >, >=, <, <=, == or !=, not %q", c.Op)}
	case math.IsNaN(c.Value) || math.IsInf(c.Value, 0):
		return nil, &problem{"阈值须为有限数", "the threshold must be a finite number"}
	}
	return &condition{
		text:  c.Attr + " " + c.Op + " " + formatNum(c.Value),
		attrs: []string{c.Attr},
		attr:  c.Attr, op: c.Op, value: c.Value,
	}, nil
}

func validOp(op string) bool {
	switch op {
	case ">", ">=", "<", "<=", "==", "!=":
		return true
	}
	return false
}

func compileExpr(text string, declared map[string]bool) (c *condition, p *problem) {
	defer func() {
		// expr should not panic on checked input; if it does, refuse the condition.
		if r := recover(); r != nil {
			c, p = nil, &problem{fmt.Sprintf("条件表达式无法编译：%v", r), fmt.Sprintf("the condition does not compile: %v", r)}
		}
	}()
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, &problem{"条件表达式为空", "the condition is empty"}
	case !utf8.ValidString(text):
		return nil, &problem{"条件表达式含无效字符", "the condition is not valid text"}
	case utf8.RuneCountInString(text) > maxExpr:
		return nil, &problem{fmt.Sprintf("条件表达式最多 %d 个字符", maxExpr), fmt.Sprintf("the condition has at most %d characters", maxExpr)}
	}
	tree, err := parser.Parse(text)
	if err != nil {
		zh, en := exprProblem(err)
		return nil, &problem{"条件表达式语法错误：" + zh, "syntax error in the condition: " + en}
	}
	g := &grammar{declared: declared, source: file.NewSource(text), seen: map[string]bool{}}
	ast.Walk(&tree.Node, g)
	if g.bad != nil {
		return nil, g.bad
	}
	env := make(map[string]any, len(declared))
	for name := range declared {
		env[name] = 0.0
	}
	// The grammar has refused everything but the attributes, arithmetic,
	// comparisons, logic and min/max/abs; expr checks the types.
	opts := []expr.Option{expr.Env(env), expr.AsBool(), expr.DisableAllBuiltins(),
		expr.EnableBuiltin("min"), expr.EnableBuiltin("max"), expr.EnableBuiltin("abs")}
	opts = append(opts, metric.SafeDivision()...)
	program, err := expr.Compile(text, opts...)
	if err != nil {
		zh, en := exprProblem(err)
		return nil, &problem{fmt.Sprintf("条件表达式须为对属性（%s）的真假判断：%s", known(declared, "、"), zh),
			fmt.Sprintf("the condition must be a true/false test of the attributes (%s): %s", known(declared, ", "), en)}
	}
	attrs := make([]string, 0, len(g.seen))
	for name := range g.seen {
		attrs = append(attrs, name)
	}
	slices.Sort(attrs)
	return &condition{text: text, attrs: attrs, program: program}, nil
}

// grammar refuses every construct outside the small language of
// conditions — numbers, the declared attributes, + - * /, comparisons,
// and/or/not, ?: and if/else, min max abs — so that strings, lists,
// ranges, closures and variables never reach a route, and collects the
// attributes the expression reads. It reports the first problem with its
// position.
type grammar struct {
	declared map[string]bool
	source   file.Source
	seen     map[string]bool
	bad      *problem
}

func (g *grammar) refuse(n ast.Node, zh, en string) {
	if g.bad != nil {
		return
	}
	e := (&file.Error{Location: n.Location()}).Bind(g.source)
	g.bad = &problem{fmt.Sprintf("%s（第 %d 行第 %d 列）", zh, e.Line, e.Column+1), fmt.Sprintf("%s (line %d, column %d)", en, e.Line, e.Column+1)}
}

// Visit is called after the node's children (ast.Walk).
func (g *grammar) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if !g.declared[n.Value] {
			g.refuse(n, fmt.Sprintf("未知属性 %s（可用：%s）", n.Value, known(g.declared, "、")), fmt.Sprintf("unknown attribute %s (known: %s)", n.Value, known(g.declared, ", ")))
			return
		}
		g.seen[n.Value] = true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.ConditionalNode:
	case *ast.UnaryNode:
		switch n.Operator {
		case "-", "+", "!", "not":
		default:
			g.refuse(n, "不支持运算符 "+n.Operator, "operator "+n.Operator+" is not allowed")
		}
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "and", "or":
		default:
			g.refuse(n, "不支持运算符 "+n.Operator, "operator "+n.Operator+" is not allowed")
		}
	case *ast.BuiltinNode:
		switch n.Name {
		case "min", "max", "abs":
		default:
			g.refuse(n, "不支持函数 "+n.Name+"；可用 min、max、abs", "function "+n.Name+" is not allowed (use min, max, abs)")
		}
	case *ast.StringNode:
		g.refuse(n, "条件中不能使用文字", "text is not allowed in a condition")
	case *ast.ArrayNode, *ast.MapNode:
		g.refuse(n, "条件中不能使用列表", "lists are not allowed in a condition")
	default:
		g.refuse(n, "不支持的写法，只能使用属性、数字、运算和 min、max、abs", "only attributes, numbers, operators and min, max, abs are allowed")
	}
}

// holds evaluates the condition on a request's attributes, which must
// hold every attribute it reads (Resolve checks that first).
func (c *condition) holds(attrs map[string]float64) (bool, error) {
	if c.program == nil {
		v := attrs[c.attr]
		switch c.op {
		case ">":
			return v > c.value, nil
		case ">=":
			return v >= c.value, nil
		case "<":
			return v < c.value, nil
		case "<=":
			return v <= c.value, nil
		case "==":
			return v == c.value, nil
		default: // "!=", the only other operator Compile lets through
			return v != c.value, nil
		}
	}
	env := make(map[string]any, len(c.attrs))
	for _, name := range c.attrs {
		env[name] = attrs[name]
	}
	out, err := expr.Run(c.program, env)
	if err != nil {
		return false, fmt.Errorf("evaluate %q: %w", c.text, err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("evaluate %q: got %T, not a boolean", c.text, out)
	}
	return b, nil
}

// values shows the attributes the condition read: "days = 2".
func (c *condition) values(attrs map[string]float64) string {
	parts := make([]string, len(c.attrs))
	for i, name := range c.attrs {
		parts[i] = name + " = " + formatNum(attrs[name])
	}
	return strings.Join(parts, ", ")
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func known(declared map[string]bool, sep string) string {
	if len(declared) == 0 {
		return "—"
	}
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, sep)
}

// exprProblem is the first line of an expr error with its position, in
// each language.
func exprProblem(err error) (zh, en string) {
	var fe *file.Error
	if errors.As(err, &fe) && fe.Line > 0 {
		return fmt.Sprintf("%s（第 %d 行第 %d 列）", fe.Message, fe.Line, fe.Column+1), fmt.Sprintf("%s (line %d, column %d)", fe.Message, fe.Line, fe.Column+1)
	}
	msg := exprMessage(err)
	return msg, msg
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
