package pay

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// The formula language is expr's syntax over exact numbers. expr computes
// with float64; pay must not (a float decides 19.99 vs 20 lots or the
// fen of a commission by luck), so before expr type-checks a formula the
// lowerer below rewrites every arithmetic operator, numeric comparison,
// literal and function into calls of functions over *Num. expr still
// parses, type-checks, compiles and runs the formula; only the numbers
// are ours. See docs/decisions/0016-pay-plans.md.

// kind is what a formula node yields.
type kind uint8

const (
	kindBad   kind = iota // already reported
	kindNum               // an exact number
	kindBool              // a condition
	kindText              // a text fact: person.grade, person.position, person.status
	kindTexts             // a list of text literals, the right side of in
)

func (k kind) String() string {
	switch k {
	case kindNum:
		return "数值 a number"
	case kindBool:
		return "条件 a condition"
	case kindText:
		return "文字 text"
	case kindTexts:
		return "文字列表 a list of text"
	}
	return "无效 invalid"
}

const maxFormula = 1000 // runes

// userFunc is the internal function a formula's call of name becomes, ""
// when formulas may not call it. Formulas cannot call the internal ones
// directly: a name starting with "_" is not a name they may use.
func userFunc(name string) string {
	switch name {
	case "min", "max", "abs", "round", "floor", "ceil":
		return "_" + name
	}
	return ""
}

// opFunc is the internal function a numeric operator becomes.
func opFunc(op string) string {
	switch op {
	case "+":
		return "_add"
	case "-":
		return "_sub"
	case "*":
		return "_mul"
	case "/":
		return "_div"
	case "<":
		return "_lt"
	case "<=":
		return "_le"
	case ">":
		return "_gt"
	case ">=":
		return "_ge"
	case "==":
		return "_eq"
	case "!=":
		return "_ne"
	}
	return ""
}

// funcs are the expr options declaring the functions of the language.
// They are pure and shared by every compiled formula.
func funcs() []expr.Option {
	arith := func(name string, f func(a, b Num) Num) expr.Option {
		return expr.Function(name, func(ps ...any) (any, error) {
			r := f(*ps[0].(*Num), *ps[1].(*Num))
			return &r, nil
		}, new(func(*Num, *Num) *Num))
	}
	compare := func(name string, ok func(c int) bool) expr.Option {
		return expr.Function(name, func(ps ...any) (any, error) {
			return ok(ps[0].(*Num).Cmp(*ps[1].(*Num))), nil
		}, new(func(*Num, *Num) bool))
	}
	unary := func(name string, f func(a Num) Num) expr.Option {
		return expr.Function(name, func(ps ...any) (any, error) {
			r := f(*ps[0].(*Num))
			return &r, nil
		}, new(func(*Num) *Num))
	}
	pick := func(name string, better func(c int) bool) expr.Option {
		return expr.Function(name, func(ps ...any) (any, error) {
			best := ps[0].(*Num)
			for _, p := range ps[1:] {
				if v := p.(*Num); better(v.Cmp(*best)) {
					best = v
				}
			}
			return best, nil
		}, new(func(...*Num) *Num))
	}
	return []expr.Option{
		expr.DisableAllBuiltins(),
		arith("_add", add), arith("_sub", sub), arith("_mul", mul),
		expr.Function("_div", func(ps ...any) (any, error) {
			r, err := quo(*ps[0].(*Num), *ps[1].(*Num))
			if err != nil {
				return nil, err
			}
			return &r, nil
		}, new(func(*Num, *Num) *Num)),
		compare("_lt", func(c int) bool { return c < 0 }), compare("_le", func(c int) bool { return c <= 0 }),
		compare("_gt", func(c int) bool { return c > 0 }), compare("_ge", func(c int) bool { return c >= 0 }),
		compare("_eq", func(c int) bool { return c == 0 }), compare("_ne", func(c int) bool { return c != 0 }),
		unary("_neg", neg), unary("_abs", absNum), unary("_round", roundNum),
		unary("_floor", floorNum), unary("_ceil", ceilNum),
		pick("_min", func(c int) bool { return c < 0 }), pick("_max", func(c int) bool { return c > 0 }),
	}
}

// formula is one compiled formula of a plan. It is immutable and safe
// for concurrent use; the per-evaluation state lives in an Evaluator.
type formula struct {
	text    string
	program *vm.Program
	reads   []string // the names it reads, params included, sorted
	// A formula that is one numeric name (name, its slot) is read
	// without running the VM, as is one that is a number or a parameter
	// (konst). slot is -1 otherwise.
	name  string
	slot  int
	konst *Num
}

// scope is what one formula of one component may name.
type scope struct {
	base   map[string]kind // metrics, attendance.*, person.*, history.*
	params map[string]Num  // param.<key>
	comps  map[string]int  // component key → position
	self   int             // this component's position
	tier   bool            // "tier" is allowed (the formula of a component with a table)
	env    map[string]any  // typed sample environment for expr's checker
}

// isGroup reports whether name is the prefix of dotted names.
func isGroup(name string) bool {
	return name == "attendance" || name == "person" || name == "history" || name == "param"
}

// resolve says what name is, or why it cannot be used.
func (s *scope) resolve(name string) (kind, string) {
	if i, ok := s.comps[name]; ok {
		switch {
		case i < s.self:
			return kindNum, ""
		case i == s.self:
			return kindBad, fmt.Sprintf("计算项不能引用自身 %s（循环引用）a component cannot refer to itself (%s: a cycle)", name, name)
		default:
			return kindBad, fmt.Sprintf("引用了后面的计算项 %s，计算项按顺序计算，只能引用前面的 refers to %s, which comes later: components are computed in order and may only read earlier ones", name, name)
		}
	}
	if k, ok := s.base[name]; ok {
		return k, ""
	}
	if name == "tier" {
		if s.tier {
			return kindNum, ""
		}
		return kindBad, "tier 只能用于有分档表的计算项的公式 tier is only available in the formula of a component with a tier table"
	}
	if p, ok := strings.CutPrefix(name, "param."); ok {
		if _, ok := s.params[p]; ok {
			return kindNum, ""
		}
		return kindBad, fmt.Sprintf("方案没有参数 %s the plan has no parameter %s", p, p)
	}
	if g, _, ok := strings.Cut(name, "."); ok && isGroup(g) {
		return kindBad, fmt.Sprintf("未知变量 %s（%s 下没有此项）unknown variable %s", name, g, name)
	}
	if isGroup(name) {
		return kindBad, fmt.Sprintf("%s 须写成 %s.字段 %s needs a field, e.g. %s", name, name, name, example(name))
	}
	return kindBad, "未知变量 " + name + " unknown variable " + name
}

func example(group string) string {
	switch group {
	case "attendance":
		return "attendance.present_days"
	case "person":
		return "person.position"
	case "history":
		return "history.months_without_new_valid_accounts"
	}
	return "param.base_reduced"
}

// compileFormula checks and compiles text, which must yield want. It
// returns the formula, or a message (Chinese, then English) with the
// position of the first problem.
func compileFormula(text string, want kind, s *scope) (f *formula, msg string) {
	defer func() {
		// The walk refuses everything outside the small language before
		// expr's checker sees it; should expr still panic, the formula is
		// refused rather than the server crashing.
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
		return nil, fmt.Sprintf("公式最多 %d 个字符 at most %d characters", maxFormula, maxFormula)
	}
	w := &lowerer{src: []rune(text), text: text, scope: s, kinds: map[ast.Node]kind{}, reads: map[string]bool{}}
	opts := append(funcs(), expr.Env(s.env), expr.Patch(w))
	program, err := expr.Compile(text, opts...)
	w.flushPending()
	switch {
	case w.msg != "":
		return nil, w.msg
	case err != nil && !w.visited:
		return nil, "公式语法错误 syntax error: " + exprMessage(err)
	case err != nil:
		return nil, "公式无法编译 does not compile: " + exprMessage(err)
	}
	if got := w.kinds[w.last]; got != want {
		return nil, fmt.Sprintf("公式结果须为%s，现为%s the result must be %s, not %s", zhPart(want), zhPart(got), enPart(want), enPart(got))
	}
	f = &formula{text: text, program: program, slot: -1, reads: slices.Sorted(maps.Keys(w.reads))}
	switch n := w.last.(type) {
	case *ast.ConstantNode:
		f.konst, _ = n.Value.(*Num)
	case *ast.IdentifierNode:
		if want == kindNum {
			f.name = n.Value
		}
	}
	return f, ""
}

func zhPart(k kind) string { zh, _, _ := strings.Cut(k.String(), " "); return zh }
func enPart(k kind) string { _, en, _ := strings.Cut(k.String(), " "); return en }

// exprMessage is the first line of an expr error with its position.
func exprMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) && fe.Line > 0 {
		return fmt.Sprintf("%s（第 %d 行第 %d 列 at line %d, column %d）", fe.Message, fe.Line, fe.Column+1, fe.Line, fe.Column+1)
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// lowerer is an expr patch visitor: it checks a formula against the
// language and the scope, infers each node's kind, and rewrites the
// numeric parts into calls over *Num. ast.Walk visits children first, so
// a node's children are already checked and rewritten when it is seen.
type lowerer struct {
	src     []rune
	text    string
	scope   *scope
	kinds   map[ast.Node]kind
	reads   map[string]bool
	msg     string
	last    ast.Node
	visited bool
	// names that are not resolvable alone ("attendance") wait here until
	// a member node or a call takes them.
	pending []*ast.IdentifierNode
}

func (w *lowerer) fail(n ast.Node, msg string) kind {
	if w.msg == "" {
		e := (&file.Error{Location: n.Location()}).Bind(file.NewSource(w.text))
		w.msg = fmt.Sprintf("%s（第 %d 行第 %d 列 at line %d, column %d）", msg, e.Line, e.Column+1, e.Line, e.Column+1)
	}
	return kindBad
}

// Visit implements ast.Visitor.
func (w *lowerer) Visit(node *ast.Node) {
	w.visited = true
	k := w.visit(node)
	w.kinds[*node] = k
	w.last = *node
}

// flushPending reports the names no member node or call took; it runs
// when the walk is over.
func (w *lowerer) flushPending() {
	for _, id := range w.pending {
		if id != nil {
			_, msg := w.scope.resolve(id.Value)
			w.fail(id, msg)
		}
	}
	w.pending = nil
}

// take removes id from the pending names.
func (w *lowerer) take(id ast.Node) {
	for i, p := range w.pending {
		if ast.Node(p) == id {
			w.pending[i] = nil
		}
	}
}

func (w *lowerer) kind(n ast.Node) kind { return w.kinds[n] }

// call replaces *node by a call of fn.
func call(node *ast.Node, fn string, args ...ast.Node) {
	c := &ast.CallNode{Callee: &ast.IdentifierNode{Value: fn}, Arguments: args}
	ast.Patch(node, c)
}

func (w *lowerer) visit(node *ast.Node) kind {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		return w.identifier(node, n, n.Value)
	case *ast.MemberNode:
		id, okID := n.Node.(*ast.IdentifierNode)
		prop, okProp := n.Property.(*ast.StringNode)
		if !okID || !okProp || n.Optional || n.Method {
			return w.fail(n, "不支持的成员访问 member access of this form is not allowed")
		}
		w.take(id)
		return w.identifier(node, n, id.Value+"."+prop.Value)
	case *ast.IntegerNode:
		v := Int(int64(n.Value))
		ast.Patch(node, &ast.ConstantNode{Value: &v})
		return kindNum
	case *ast.FloatNode:
		v, ok := w.literal(n)
		if !ok {
			return w.fail(n, "数值写法无效 invalid number")
		}
		ast.Patch(node, &ast.ConstantNode{Value: &v})
		return kindNum
	case *ast.BoolNode:
		return kindBool
	case *ast.StringNode:
		return kindText
	case *ast.ArrayNode:
		for _, e := range n.Nodes {
			if _, ok := e.(*ast.StringNode); !ok {
				return w.fail(n, "列表只能由文字组成，用于 in，例如 person.position in [\"sales_cm\", \"group_lead\"] a list holds text only, for in")
			}
		}
		return kindTexts
	case *ast.UnaryNode:
		return w.unary(node, n)
	case *ast.BinaryNode:
		return w.binary(node, n)
	case *ast.ConditionalNode:
		c, a, b := w.kind(n.Cond), w.kind(n.Exp1), w.kind(n.Exp2)
		if c == kindBad || a == kindBad || b == kindBad {
			return kindBad
		}
		if c != kindBool {
			return w.fail(n.Cond, "条件须为比较或逻辑值 the condition must be a comparison or a logical value")
		}
		if a != b || (a != kindNum && a != kindBool) {
			return w.fail(n, "条件表达式的两个分支须同为数值或同为条件 both branches must be numbers, or both conditions")
		}
		return a
	case *ast.CallNode:
		return w.call(node, n)
	case *ast.BuiltinNode:
		// Only when expr's builtins are enabled; they are not.
		return w.fail(n, "不支持函数 "+n.Name+" function "+n.Name+" is not allowed")
	default:
		return w.fail(n, "不支持的写法 "+construct(n)+" is not allowed")
	}
}

// identifier resolves a name (dotted or not) and rewrites the node to
// what the evaluation reads: an environment name, or a parameter's value.
func (w *lowerer) identifier(node *ast.Node, n ast.Node, name string) kind {
	k, msg := w.scope.resolve(name)
	if msg != "" {
		if id, ok := n.(*ast.IdentifierNode); ok && !strings.Contains(name, ".") {
			// Maybe the base of a member node or the callee of a call.
			w.pending = append(w.pending, id)
			return kindBad
		}
		return w.fail(n, msg)
	}
	if name != "tier" {
		w.reads[name] = true
	}
	if p, ok := strings.CutPrefix(name, "param."); ok {
		v := w.scope.params[p]
		ast.Patch(node, &ast.ConstantNode{Value: &v})
		return kindNum
	}
	if _, ok := n.(*ast.MemberNode); ok {
		ast.Patch(node, &ast.IdentifierNode{Value: name})
	}
	return k
}

// literal is a float literal's exact value, read from the formula's text
// rather than from the float64 the parser made of it.
func (w *lowerer) literal(n *ast.FloatNode) (Num, bool) {
	loc := n.Location()
	if loc.From >= 0 && loc.To <= len(w.src) && loc.From < loc.To {
		t := strings.ReplaceAll(string(w.src[loc.From:loc.To]), "_", "")
		if v, err := ParseNum(t); err == nil {
			if f, err := strconv.ParseFloat(t, 64); err == nil && f == n.Value {
				return v, true
			}
		}
	}
	// Not expected: fall back to the shortest text of the float, which
	// is the literal as written for up to 15 significant digits.
	v, err := ParseNum(strconv.FormatFloat(n.Value, 'g', -1, 64))
	return v, err == nil
}

func (w *lowerer) unary(node *ast.Node, n *ast.UnaryNode) kind {
	k := w.kind(n.Node)
	if k == kindBad {
		return kindBad
	}
	switch n.Operator {
	case "-", "+":
		if k != kindNum {
			return w.fail(n, "运算符 "+n.Operator+" 须作用于数值 operator "+n.Operator+" needs a number")
		}
		if n.Operator == "+" {
			ast.Patch(node, n.Node)
		} else {
			call(node, "_neg", n.Node)
		}
		return kindNum
	case "!", "not":
		if k != kindBool {
			return w.fail(n, "运算符 "+n.Operator+" 须作用于条件 operator "+n.Operator+" needs a condition")
		}
		return kindBool
	}
	return w.fail(n, "不支持运算符 "+n.Operator+" operator "+n.Operator+" is not allowed")
}

func (w *lowerer) binary(node *ast.Node, n *ast.BinaryNode) kind {
	l, r := w.kind(n.Left), w.kind(n.Right)
	if l == kindBad || r == kindBad {
		return kindBad
	}
	op := n.Operator
	switch op {
	case "+", "-", "*", "/", "<", "<=", ">", ">=":
		if l != kindNum || r != kindNum {
			return w.fail(n, "运算符 "+op+" 须作用于数值 operator "+op+" needs numbers")
		}
		call(node, opFunc(op), n.Left, n.Right)
		if op == "+" || op == "-" || op == "*" || op == "/" {
			return kindNum
		}
		return kindBool
	case "==", "!=":
		switch {
		case l != r || l == kindTexts:
			return w.fail(n, "运算符 "+op+" 两边须同为数值、同为文字或同为条件 operator "+op+" compares values of different kinds")
		case l == kindNum:
			call(node, opFunc(op), n.Left, n.Right)
		}
		return kindBool
	case "&&", "||", "and", "or":
		if l != kindBool || r != kindBool {
			return w.fail(n, "运算符 "+op+" 须作用于条件 operator "+op+" needs conditions")
		}
		return kindBool
	case "in":
		if l != kindText || r != kindTexts {
			return w.fail(n, "in 的左边须为文字，右边须为文字列表，例如 person.position in [\"sales_cm\"] in needs text on the left and a list of text on the right")
		}
		return kindBool
	}
	return w.fail(n, "不支持运算符 "+op+" operator "+op+" is not allowed")
}

func (w *lowerer) call(node *ast.Node, n *ast.CallNode) kind {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if ok {
		w.take(id)
	}
	fn := ""
	if ok {
		fn = userFunc(id.Value)
	}
	if fn == "" {
		name := "?"
		if ok {
			name = id.Value
		}
		return w.fail(n, "不支持函数 "+name+"；可用 min、max、abs、round、floor、ceil function "+name+" is not allowed (use min, max, abs, round, floor, ceil)")
	}
	name := id.Value
	switch multi := name == "min" || name == "max"; {
	case multi && len(n.Arguments) == 0:
		return w.fail(n, "函数 "+name+" 至少需要一个参数 function "+name+" needs at least one argument")
	case !multi && len(n.Arguments) != 1:
		return w.fail(n, "函数 "+name+" 需要一个参数 function "+name+" takes one argument")
	}
	for _, a := range n.Arguments {
		switch w.kind(a) {
		case kindBad:
			return kindBad
		case kindNum:
		default:
			return w.fail(a, "函数 "+name+" 的参数须为数值 function "+name+" takes numbers")
		}
	}
	call(node, fn, n.Arguments...)
	return kindNum
}

// construct names a node kind formulas do not support.
func construct(n ast.Node) string {
	switch n.(type) {
	case *ast.NilNode:
		return "nil"
	case *ast.BytesNode:
		return "字节串 bytes"
	case *ast.ChainNode:
		return "可选链 ?. optional chaining"
	case *ast.SliceNode:
		return "切片 slices"
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
