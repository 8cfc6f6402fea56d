package expr

import (
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"strconv"
	"strings"
)

// Error is an expression error. Msg is DynamoDB's text after the
// "Invalid <Kind>Expression: " prefix the caller adds.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// PathElem is one step of a document path: an attribute or map key, or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path with every #name already substituted.
type Path []PathElem

// String prints the path as DynamoDB's messages do: [a, b, [2]].
func (p Path) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.IsIndex {
			parts[i] = "[" + strconv.Itoa(e.Index) + "]"
		} else {
			parts[i] = e.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Operand kinds.
const (
	OpPath = iota
	OpValue
	OpSize
	OpIfNotExists
	OpListAppend
	OpPlus
	OpMinus
	OpFunc // any other function used as an operand (an error, kept for messages)
)

// Operand is a value in an expression: a path, a :value, or a function or
// arithmetic over operands.
type Operand struct {
	Kind  int
	Path  Path
	Value *AV
	Name  string // function name for OpFunc
	Args  []*Operand
}

// Condition kinds.
const (
	CondAnd = iota
	CondOr
	CondNot
	CondCmp     // Op is = <> < <= > >=
	CondBetween // Args: value, low, high
	CondIn      // Args: value, candidates...
	CondFunc    // Op is the function name
)

// Cond is a boolean expression.
type Cond struct {
	Kind        int
	Op          string
	Left, Right *Cond
	Args        []*Operand
}

// Update is a parsed UpdateExpression.
type Update struct {
	Set    []SetAction
	Remove []Path
	Add    []SetAction
	Delete []SetAction
}

// SetAction is one "path = value" of SET, or "path value" of ADD and DELETE.
type SetAction struct {
	Path  Path
	Value *Operand
}

// Context holds a request's ExpressionAttributeNames and Values, and records
// which of them the request's expressions used.
type Context struct {
	Names  map[string]string
	Values map[string]*AV
	UsedN  map[string]bool
	UsedV  map[string]bool
}

// NewContext starts a context for one request.
func NewContext(names map[string]string, values map[string]*AV) *Context {
	return &Context{Names: names, Values: values, UsedN: map[string]bool{}, UsedV: map[string]bool{}}
}

// Unused returns DynamoDB's error for names or values defined but not used by any
// expression of the request, or nil.
func (c *Context) Unused() error {
	var un, uv []string
	for k := range c.Names {
		if !c.UsedN[k] {
			un = append(un, k)
		}
	}
	for k := range c.Values {
		if !c.UsedV[k] {
			uv = append(uv, k)
		}
	}
	if len(un) > 0 {
		return &Error{"Value provided in ExpressionAttributeNames unused in expressions: keys: {" + strings.Join(sortStrings(un), ", ") + "}"}
	}
	if len(uv) > 0 {
		return &Error{"Value provided in ExpressionAttributeValues unused in expressions: keys: {" + strings.Join(sortStrings(uv), ", ") + "}"}
	}
	return nil
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

type parser struct {
	src  string
	toks []token
	pos  int
	ctx  *Context
	errs map[string]string // first semantic error of each category
	// paths collects the paths an update or projection names, for overlap checks.
	paths []Path
	ops   int // operators and functions seen; DynamoDB allows 300
	// cond is set while parsing a condition, whose per-comparison errors are
	// ranked by node (see nodeRank); node counts the comparisons begun.
	cond                   bool
	node                   int
	nodeErr                string
	nodeErrAt, nodeErrRank int
	depth                  int // parenthesis nesting, bounded to keep recursion shallow
}

type syntaxError struct{ err *Error }

func newParser(ctx *Context, src string) *parser {
	return &parser{src: src, toks: lex(src), ctx: ctx, errs: map[string]string{}}
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

// fail aborts the parse with a syntax error at the current token.
func (p *parser) fail() {
	t := p.peek()
	var near string
	start := t.pos
	if p.pos > 0 {
		start = p.toks[p.pos-1].pos
	}
	end := len(p.src)
	if t.kind != tEOF && p.pos+1 < len(p.toks) {
		n := p.toks[p.pos+1]
		end = n.pos + len(n.text)
	}
	if start < end {
		near = p.src[start:end]
	}
	if t.kind == tEOF {
		panic(syntaxError{&Error{fmt.Sprintf("Syntax error; token: <EOF>, near: %q", near)}})
	}
	if t.kind == tBad {
		panic(syntaxError{&Error{fmt.Sprintf("Syntax error; token: %q, near: %q", t.text, near)}})
	}
	panic(syntaxError{&Error{fmt.Sprintf("Syntax error; token: %q, near: %q", t.text, near)}})
}

func (p *parser) expect(punct string) {
	if !p.peek().is(punct) {
		p.fail()
	}
	p.next()
}

// nodeRank orders the per-comparison error categories of a condition: within
// one comparison or function, DynamoDB reports an undefined name or value first,
// then operand counts, then non-distinct operands, then operand types; across
// them, the first comparison with any of these wins.
var nodeRank = lazy.Value[map[string]int]{New: func() map[string]int {
	return map[string]int{"attrName": 0, "attrVal": 0, "operand": 1, "distinct": 2, "function": 3}
}}

func (p *parser) setErr(cat, msg string) {
	if r, ok := nodeRank.Get()[cat]; ok && p.cond {
		if p.nodeErr == "" || p.node < p.nodeErrAt || (p.node == p.nodeErrAt && r < p.nodeErrRank) {
			p.nodeErr, p.nodeErrAt, p.nodeErrRank = msg, p.node, r
		}
		return
	}
	if _, ok := p.errs[cat]; !ok {
		p.errs[cat] = msg
	}
}

func (p *parser) firstErr(order ...string) error {
	for _, c := range order {
		if c == "node" {
			if p.nodeErr != "" {
				return &Error{p.nodeErr}
			}
			continue
		}
		if m, ok := p.errs[c]; ok {
			return &Error{m}
		}
	}
	return nil
}

// run parses with f, turning a syntax panic into the error.
func (p *parser) run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if se, ok := r.(syntaxError); ok {
				err = se.err
				return
			}
			panic(r)
		}
	}()
	if strings.TrimSpace(p.src) == "" {
		return &Error{"The expression can not be empty;"}
	}
	if len(p.src) > 4096 {
		return &Error{fmt.Sprintf("Expression size has exceeded the maximum allowed size; expression size: %d", len(p.src))}
	}
	f()
	if p.ops > 300 {
		return &Error{fmt.Sprintf("The expression contains too many operators; operator count: %d", p.ops)}
	}
	if p.peek().kind != tEOF {
		p.fail()
	}
	return nil
}

// path parses a document path.
func (p *parser) path() Path {
	return p.pathRest(Path{p.pathName()})
}

// pathRest parses the .name and [n] steps that follow a path's start.
func (p *parser) pathRest(out Path) Path {
	for {
		t := p.peek()
		if t.is(".") {
			p.next()
			out = append(out, p.pathName())
		} else if t.is("[") {
			p.next()
			n := p.peek()
			if n.kind != tNum {
				p.fail()
			}
			p.next()
			idx, err := strconv.Atoi(n.text)
			if err != nil || idx > 1<<31-1 {
				panic(syntaxError{&Error{"List index is not within the allowable range; index: [" + n.text + "]"}})
			}
			p.expect("]")
			out = append(out, PathElem{Index: idx, IsIndex: true})
		} else {
			break
		}
	}
	if len(out) > 32 {
		p.setErr("nesting", fmt.Sprintf("The document path has too many nesting levels; nesting levels: %d", len(out)))
	}
	return out
}

// keywords are tokens of the grammar: where a name is expected they are a
// syntax error, not an attribute name.
var keywords = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{"AND": true, "OR": true, "NOT": true, "BETWEEN": true, "IN": true, "SET": true, "REMOVE": true, "ADD": true, "DELETE": true}
}}

// matchParen is the index of the ")" closing the "(" at token i, or -1.
func (p *parser) matchParen(i int) int {
	depth := 0
	for j := i; j < len(p.toks); j++ {
		switch {
		case p.toks[j].is("("):
			depth++
		case p.toks[j].is(")"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func (p *parser) pathName() PathElem {
	t := p.next()
	if t.kind == tName && keywords.Get()[strings.ToUpper(t.text)] {
		p.pos--
		p.fail()
	}
	switch t.kind {
	case tName:
		if IsReserved(t.text) {
			p.setErr("reserved", "Attribute name is a reserved keyword; reserved keyword: "+t.text)
		}
		return PathElem{Name: t.text}
	case tAttrN:
		v, ok := p.ctx.Names[t.text]
		if !ok {
			p.setErr("attrName", "An expression attribute name used in the document path is not defined; attribute name: "+t.text)
		}
		p.ctx.UsedN[t.text] = true
		return PathElem{Name: v}
	}
	p.pos--
	p.fail()
	return PathElem{}
}

func (p *parser) value(t token) *AV {
	v, ok := p.ctx.Values[t.text]
	if !ok {
		p.setErr("attrVal", "An expression attribute value used in expression is not defined; attribute value: "+t.text)
		return nil
	}
	p.ctx.UsedV[t.text] = true
	return v
}

// operand parses a path, a :value or a function call.
func (p *parser) operand() *Operand {
	t := p.peek()
	if t.is("(") {
		open := p.pos
		p.next()
		if p.peek().is("(") && p.matchParen(p.pos) == p.matchParen(open)-1 {
			p.setErr("parens", "The expression has redundant parentheses;")
		}
		o := p.operand()
		p.expect(")")
		if o.Kind == OpPath && (p.peek().is(".") || p.peek().is("[")) {
			o.Path = p.pathRest(o.Path)
		}
		return o
	}
	switch {
	case t.kind == tAttrV:
		p.next()
		return &Operand{Kind: OpValue, Value: p.value(t)}
	case t.kind == tName && p.peekAt(1).is("("):
		return p.call()
	case t.kind == tName || t.kind == tAttrN:
		return &Operand{Kind: OpPath, Path: p.path()}
	}
	p.fail()
	return nil
}

// call parses name(args...).
func (p *parser) call() *Operand {
	name := p.next().text
	p.expect("(")
	var args []*Operand
	if !p.peek().is(")") {
		args = append(args, p.operand())
		for p.peek().is(",") {
			p.next()
			args = append(args, p.operand())
		}
	}
	p.expect(")")
	op := &Operand{Kind: OpFunc, Name: name, Args: args}
	switch name {
	case "size":
		op.Kind = OpSize
	case "if_not_exists":
		op.Kind = OpIfNotExists
	case "list_append":
		op.Kind = OpListAppend
	}
	return op
}

// ---- conditions ----

var condFuncs = lazy.Value[map[string]int]{New: func() map[string]int {
	return map[string]int{
		"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
		"begins_with": 2, "contains": 2, "size": 1,
	}
}}

var condErrOrder = []string{"syntax", "parens", "unknownFunction", "misusedFunction", "reserved", "node", "nesting"}

// ParseCondition parses a ConditionExpression, FilterExpression or
// KeyConditionExpression.
func ParseCondition(ctx *Context, src string) (*Cond, error) {
	p := newParser(ctx, src)
	p.cond = true
	var c *Cond
	if err := p.run(func() { c = p.or() }); err != nil {
		return nil, err
	}
	if err := p.firstErr(condErrOrder...); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) or() *Cond {
	l := p.and()
	for p.peek().kw("OR") {
		p.next()
		p.ops++
		r := p.and()
		l = &Cond{Kind: CondOr, Left: l, Right: r}
	}
	return l
}

func (p *parser) and() *Cond {
	l := p.not()
	for p.peek().kw("AND") {
		p.next()
		p.ops++
		r := p.not()
		l = &Cond{Kind: CondAnd, Left: l, Right: r}
	}
	return l
}

func (p *parser) not() *Cond {
	if p.peek().kw("NOT") {
		p.next()
		p.ops++
		return &Cond{Kind: CondNot, Left: p.not()}
	}
	return p.primary()
}

func (p *parser) primary() *Cond {
	p.ops++
	p.node++
	if p.depth++; p.depth > 200 {
		// Far beyond any expression DynamoDB accepts: stop before the stack grows.
		panic(syntaxError{&Error{"The expression has too many nested levels"}})
	}
	defer func() { p.depth-- }()
	t := p.peek()
	if t.is("(") {
		// Parentheses around an operand, as in (a) = :v or (a.b).c > :v, are
		// told from grouped conditions by what follows the closing one.
		end := p.matchParen(p.pos)
		operand := false
		if end >= 0 && end+1 < len(p.toks) {
			n := p.toks[end+1]
			operand = n.kind == tPunct && (n.text == "=" || n.text == "<>" || n.text == "<" || n.text == "<=" || n.text == ">" || n.text == ">=" || n.text == "." || n.text == "[") ||
				n.kw("BETWEEN") || n.kw("IN")
		}
		if !operand {
			open := p.pos
			p.next()
			if p.peek().is("(") && p.matchParen(p.pos) == p.matchParen(open)-1 {
				// ((a = b)): parentheses that group nothing more.
				p.setErr("parens", "The expression has redundant parentheses;")
			}
			c := p.or()
			p.expect(")")
			p.ops-- // the parentheses are no operator; primary counted them
			return c
		}
	}
	left := p.operand()
	n := p.peek()
	switch {
	case n.kind == tPunct && (n.text == "=" || n.text == "<>" || n.text == "<" || n.text == "<=" || n.text == ">" || n.text == ">="):
		p.next()
		right := p.operand()
		p.checkOperand(left)
		p.checkOperand(right)
		p.checkDistinct(n.text, left, right)
		if n.text != "=" && n.text != "<>" {
			p.checkScalar(n.text, left, right)
		}
		return &Cond{Kind: CondCmp, Op: n.text, Args: []*Operand{left, right}}
	case n.kw("BETWEEN"):
		p.next()
		lo := p.operand()
		if !p.peek().kw("AND") {
			p.fail()
		}
		p.next()
		hi := p.operand()
		p.checkOperand(left)
		p.checkOperand(lo)
		p.checkOperand(hi)
		p.checkScalar("BETWEEN", left, lo, hi)
		p.checkBetween(lo, hi)
		return &Cond{Kind: CondBetween, Op: "BETWEEN", Args: []*Operand{left, lo, hi}}
	case n.kw("IN"):
		p.next()
		p.expect("(")
		args := []*Operand{left}
		args = append(args, p.operand())
		for p.peek().is(",") {
			p.next()
			args = append(args, p.operand())
		}
		p.expect(")")
		for _, a := range args {
			p.checkOperand(a)
		}
		if len(args) > 101 {
			p.setErr("operand", fmt.Sprintf("Too many operands for operator or function; operator or function: IN, number of operands: %d", len(args)))
		}
		return &Cond{Kind: CondIn, Op: "IN", Args: args}
	}
	// A function used as a condition.
	if left.Kind == OpPath || left.Kind == OpValue {
		p.fail()
	}
	if left.Kind == OpSize {
		p.checkFunc(left)
		p.setErr("misusedFunction", "The function is not allowed to be used this way in an expression; function: size")
		return &Cond{Kind: CondFunc, Op: "size", Args: left.Args}
	}
	name := left.Name
	if left.Kind != OpFunc {
		name = funcName(left)
	}
	if _, ok := condFuncs.Get()[name]; ok {
		p.checkFunc(left)
	} else if name == "if_not_exists" || name == "list_append" {
		p.setErr("misusedFunction", "The function is not allowed to be used this way in an expression; function: "+name)
	} else {
		p.setErr("unknownFunction", "Invalid function name; function: "+name)
	}
	for _, a := range left.Args {
		p.checkOperand(a)
	}
	return &Cond{Kind: CondFunc, Op: name, Args: left.Args}
}

func funcName(o *Operand) string {
	switch o.Kind {
	case OpSize:
		return "size"
	case OpIfNotExists:
		return "if_not_exists"
	case OpListAppend:
		return "list_append"
	}
	return o.Name
}

// checkOperand validates an operand of a comparison: only size() may be a
// function there.
func (p *parser) checkOperand(o *Operand) {
	switch o.Kind {
	case OpSize:
		p.checkFunc(o)
	case OpIfNotExists, OpListAppend, OpFunc:
		name := funcName(o)
		if _, ok := condFuncs.Get()[name]; !ok && name != "if_not_exists" && name != "list_append" {
			p.setErr("unknownFunction", "Invalid function name; function: "+name)
		} else {
			p.setErr("misusedFunction", "The function is not allowed to be used this way in an expression; function: "+name)
		}
	}
}

// checkFunc checks a condition function's operands.
func (p *parser) checkFunc(o *Operand) {
	name := funcName(o)
	want := condFuncs.Get()[name]
	if len(o.Args) != want {
		p.setErr("operand", fmt.Sprintf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(o.Args)))
		return
	}
	for _, a := range o.Args {
		if a.Kind != OpPath && a.Kind != OpValue {
			if a.Kind == OpSize && name == "size" {
				// size(size(x)): the inner size is a number, which has no size.
				p.checkFunc(a)
				p.setErr("function", "Incorrect operand type for operator or function; operator or function: size, operand type: N")
				continue
			}
			if a.Kind == OpSize {
				p.checkFunc(a)
				continue
			}
			p.setErr("misusedFunction", "The function is not allowed to be used this way in an expression; function: "+funcName(a))
		}
	}
	if len(o.Args) == 2 {
		p.checkDistinct(name, o.Args[0], o.Args[1])
	}
	typ := func(a *Operand) string {
		if a.Kind == OpValue && a.Value != nil {
			return TypeOf(a.Value)
		}
		if a.Kind == OpSize {
			return "N"
		}
		return ""
	}
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type":
		if name == "attribute_type" && o.Args[1].Kind == OpSize {
			p.setErr("function", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N")
			return
		}
		if name == "attribute_type" && o.Args[1].Kind != OpValue {
			p.setErr("function", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
			return
		}
		if o.Args[0].Kind != OpPath && name != "attribute_type" {
			p.setErr("function", "Operator or function requires a document path; operator or function: "+name)
			return
		}
		if name == "attribute_type" {
			t := typ(o.Args[1])
			if t != "S" {
				if t == "" {
					return
				}
				p.setErr("function", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: "+t)
				return
			}
			switch *o.Args[1].Value.S {
			case "S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M":
			default:
				p.setErr("function", "Invalid attribute type name found; type: "+*o.Args[1].Value.S+", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
			}
		}
	case "begins_with":
		for _, a := range o.Args {
			if t := typ(a); t != "" && t != "S" && t != "B" {
				p.setErr("function", "Incorrect operand type for operator or function; operator or function: begins_with, operand type: "+t)
				return
			}
		}
	case "contains":
		if o.Args[0].Kind != OpPath && o.Args[0].Kind != OpSize {
			// contains(:v, path) is allowed by AWS only with a path first; a
			// constant first is still valid syntax, evaluated normally.
			return
		}
	case "size":
		if t := typ(o.Args[0]); t == "N" || t == "BOOL" || t == "NULL" {
			p.setErr("function", "Incorrect operand type for operator or function; operator or function: size, operand type: "+t)
		}
	}
}

// checkScalar rejects a constant that an ordering comparison cannot compare.
func (p *parser) checkScalar(op string, args ...*Operand) {
	for _, a := range args {
		if a.Kind == OpValue && a.Value != nil {
			switch t := TypeOf(a.Value); t {
			case "S", "N", "B":
			default:
				p.setErr("function", "Incorrect operand type for operator or function; operator or function: "+op+", operand type: "+t)
			}
		}
	}
}

func (p *parser) checkDistinct(op string, a, b *Operand) {
	if a.Kind == OpPath && b.Kind == OpPath && samePath(a.Path, b.Path) {
		p.setErr("distinct", "The first operand must be distinct from the remaining operands for this operator or function; operator: "+op+", first operand: "+a.Path.String())
	}
}

func samePath(a, b Path) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (p *parser) checkBetween(lo, hi *Operand) {
	if lo.Kind != OpValue || hi.Kind != OpValue || lo.Value == nil || hi.Value == nil {
		return
	}
	t1, t2 := TypeOf(lo.Value), TypeOf(hi.Value)
	if t1 != t2 {
		p.setErr("function", "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: "+Describe(lo.Value)+", upper bound operand: AttributeValue: "+Describe(hi.Value))
		return
	}
	if c, ok := Compare(lo.Value, hi.Value); ok && c > 0 {
		p.setErr("function", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: "+Describe(lo.Value)+", upper bound operand: AttributeValue: "+Describe(hi.Value))
	}
}

// ---- update expressions ----

var updErrOrder = []string{"parens", "reserved", "unknownFunction", "section", "attrName", "attrVal", "nesting", "pathOverlap", "pathConflict", "operand", "function", "misusedFunction"}

// ParseUpdate parses an UpdateExpression.
func ParseUpdate(ctx *Context, src string) (*Update, error) {
	p := newParser(ctx, src)
	u := &Update{}
	seen := map[string]bool{}
	err := p.run(func() {
		for {
			t := p.peek()
			var sec string
			switch {
			case t.kw("SET"), t.kw("REMOVE"), t.kw("ADD"), t.kw("DELETE"):
				sec = strings.ToUpper(t.text)
			default:
				p.fail()
			}
			p.next()
			if seen[sec] {
				p.setErr("section", `The "`+sec+`" section can only be used once in an update expression;`)
			}
			seen[sec] = true
			for {
				switch sec {
				case "SET":
					path := p.path()
					p.expect("=")
					v := p.setValue()
					p.addPath(path)
					u.Set = append(u.Set, SetAction{path, v})
				case "REMOVE":
					path := p.path()
					p.addPath(path)
					u.Remove = append(u.Remove, path)
				case "ADD", "DELETE":
					path := p.path()
					vt := p.peek()
					if vt.kind != tAttrV {
						p.fail()
					}
					p.next()
					v := p.value(vt)
					p.addPath(path)
					if v != nil {
						switch TypeOf(v) {
						case "S", "N", "B", "NULL", "BOOL", "L", "M":
							if !(sec == "ADD" && TypeOf(v) == "N") {
								p.setErr("operand", "Incorrect operand type for operator or function; operator: "+sec+", operand type: "+longType.Get()[TypeOf(v)])
							}
						}
					}
					a := SetAction{path, &Operand{Kind: OpValue, Value: v}}
					if sec == "ADD" {
						u.Add = append(u.Add, a)
					} else {
						u.Delete = append(u.Delete, a)
					}
				}
				if !p.peek().is(",") {
					break
				}
				p.next()
			}
			if p.peek().kind == tEOF {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if err := p.firstErr(updErrOrder...); err != nil {
		return nil, err
	}
	return u, nil
}

var longType = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{"S": "STRING", "N": "NUMBER", "B": "BINARY", "NULL": "NULL", "BOOL": "BOOLEAN", "L": "LIST", "M": "MAP"}
}}

// addPath records a path an update or projection names, reporting overlaps
// (one path a prefix of another) and conflicts (a key and an index at the
// same step).
func (p *parser) addPath(path Path) {
	for _, q := range p.paths {
		n := min(len(q), len(path))
		conflict, differ := false, false
		for i := 0; i < n; i++ {
			if q[i].IsIndex != path[i].IsIndex {
				conflict = true
				break
			}
			if q[i] != path[i] {
				differ = true
				break
			}
		}
		if conflict {
			p.setErr("pathConflict", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "+q.String()+", path two: "+path.String())
			continue
		}
		if !differ {
			p.setErr("pathOverlap", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+q.String()+", path two: "+path.String())
		}
	}
	p.paths = append(p.paths, path)
}

// setValue parses the right side of a SET action: operand [+|- operand].
func (p *parser) setValue() *Operand {
	l := p.updOperand()
	t := p.peek()
	if t.is("+") || t.is("-") {
		p.next()
		r := p.updOperand()
		k := OpPlus
		if t.text == "-" {
			k = OpMinus
		}
		for _, a := range []*Operand{l, r} {
			if a.Kind == OpValue && a.Value != nil && TypeOf(a.Value) != "N" {
				p.setErr("function", "Incorrect operand type for operator or function; operator or function: "+t.text+", operand type: "+TypeOf(a.Value))
			}
		}
		return &Operand{Kind: k, Args: []*Operand{l, r}}
	}
	return l
}

func (p *parser) updOperand() *Operand {
	t := p.peek()
	if t.is("(") {
		// (a + b) and (a): parentheses around a value of SET.
		open := p.pos
		p.next()
		if p.peek().is("(") && p.matchParen(p.pos) == p.matchParen(open)-1 {
			p.setErr("parens", "The expression has redundant parentheses;")
		}
		v := p.setValue()
		p.expect(")")
		return v
	}
	if t.kind == tName && p.peekAt(1).is("(") {
		name := p.next().text
		p.expect("(")
		var args []*Operand
		if !p.peek().is(")") {
			args = append(args, p.updOperand())
			for p.peek().is(",") {
				p.next()
				args = append(args, p.updOperand())
			}
		}
		p.expect(")")
		op := &Operand{Kind: OpFunc, Name: name, Args: args}
		switch name {
		case "if_not_exists":
			op.Kind = OpIfNotExists
		case "list_append":
			op.Kind = OpListAppend
		default:
			if _, ok := condFuncs.Get()[name]; ok {
				p.setErr("unknownFunction", "Invalid function name; function: "+name)
			} else {
				p.setErr("unknownFunction", "Invalid function name; function: "+name)
			}
			return op
		}
		if len(args) != 2 {
			p.setErr("function", fmt.Sprintf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args)))
			return op
		}
		if name == "if_not_exists" && args[0].Kind != OpPath {
			p.setErr("function", "Operator or function requires a document path; operator or function: if_not_exists")
		}
		if name == "list_append" {
			for _, a := range args {
				if a.Kind == OpListAppend {
					p.setErr("function", "The function is not allowed to be used this way in an expression; function: list_append")
				}
				if a.Kind == OpValue && a.Value != nil && TypeOf(a.Value) != "L" {
					p.setErr("function", "Incorrect operand type for operator or function; operator or function: list_append, operand type: "+TypeOf(a.Value))
				}
			}
		}
		return op
	}
	switch t.kind {
	case tAttrV:
		p.next()
		return &Operand{Kind: OpValue, Value: p.value(t)}
	case tName, tAttrN:
		return &Operand{Kind: OpPath, Path: p.path()}
	}
	p.fail()
	return nil
}

// ---- projections ----

// ParseProjection parses a ProjectionExpression.
func ParseProjection(ctx *Context, src string) ([]Path, error) {
	p := newParser(ctx, src)
	var out []Path
	err := p.run(func() {
		for {
			path := p.path()
			p.addPath(path)
			out = append(out, path)
			if !p.peek().is(",") {
				return
			}
			p.next()
		}
	})
	if err != nil {
		return nil, err
	}
	if err := p.firstErr("reserved", "attrName", "nesting", "pathOverlap", "pathConflict"); err != nil {
		return nil, err
	}
	return out, nil
}
