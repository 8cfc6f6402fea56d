package partiql

import (
	"fmt"
	"strconv"
	"strings"

	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
)

// Statement is a parsed statement, translated into DynamoDB expression syntax
// with #names and :values.
type Statement struct {
	Kind  string // SELECT, INSERT, UPDATE, DELETE
	Table string
	Index string // SELECT ... FROM "table"."index"

	Projection string     // SELECT: expression, "" for *
	Where      string     // the whole WHERE clause, "" for none
	Conjuncts  []Conjunct // WHERE split at top-level ANDs

	Item   map[string]*ddb.AttributeValue // INSERT's VALUE
	Update string                         // UPDATE: "SET ... REMOVE ..."

	Names  map[string]string
	Values map[string]*ddb.AttributeValue
}

// Conjunct is one AND-ed part of a WHERE clause. When it is a simple comparison
// of a top-level attribute with values, Attr/Op/Args say so (for key lookups).
type Conjunct struct {
	Text string
	Attr string
	Op   string // =, <, <=, >, >=, BETWEEN, begins_with; "" when not simple
	Args []*ddb.AttributeValue
}

// Error is a statement error; Msg is DynamoDB's text.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

type tok struct {
	kind byte // 'i' identifier, 'q' quoted identifier, 's' string, 'n' number, '?' parameter, 'p' punctuation, 0 end
	text string
}

func lex(s string) ([]tok, error) {
	var out []tok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(s) {
					return nil, &Error{"Statement wasn't well formed, can't be processed: unterminated quote"}
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			k := byte('s')
			if c == '"' {
				k = 'q'
			}
			out = append(out, tok{k, b.String()})
			i = j + 1
		case c >= '0' && c <= '9' || (c == '-' || c == '.') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' && !prevIsValue(out):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			out = append(out, tok{'n', s[i:j]})
			i = j
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			j := i + 1
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_') {
				j++
			}
			out = append(out, tok{'i', s[i:j]})
			i = j
		case c == '?':
			out = append(out, tok{'?', "?"})
			i++
		default:
			for _, p := range []string{"<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "+", "-", "*"} {
				if strings.HasPrefix(s[i:], p) {
					out = append(out, tok{'p', p})
					i += len(p)
					goto next
				}
			}
			return nil, &Error{fmt.Sprintf("Statement wasn't well formed, can't be processed: Unexpected character: %q", c)}
		next:
		}
	}
	return append(out, tok{}), nil
}

func prevIsValue(out []tok) bool {
	if len(out) == 0 {
		return false
	}
	t := out[len(out)-1]
	return t.kind == 'i' || t.kind == 'q' || t.kind == 'n' || t.kind == 's' || t.kind == '?' || t.text == ")" || t.text == "]"
}

type parser struct {
	toks   []tok
	pos    int
	params []*ddb.AttributeValue
	nparam int
	st     *Statement
	// lastTop is the first name of the last path parsed; lastSimple tells
	// whether the path was that name alone.
	lastTop    string
	lastSimple bool
}

func (p *parser) peek() tok { return p.toks[p.pos] }
func (p *parser) next() tok {
	t := p.toks[p.pos]
	if t.kind != 0 {
		p.pos++
	}
	return t
}
func (p *parser) isKW(k string) bool {
	t := p.peek()
	return t.kind == 'i' && strings.EqualFold(t.text, k)
}
func (p *parser) isP(s string) bool { t := p.peek(); return t.kind == 'p' && t.text == s }

type failure struct{ err error }

func (p *parser) fail(format string, args ...any) {
	panic(failure{&Error{"Statement wasn't well formed, can't be processed: " + fmt.Sprintf(format, args...)}})
}

func (p *parser) expectKW(k string) {
	if !p.isKW(k) {
		p.fail("expected %s, found %q", k, p.peek().text)
	}
	p.next()
}

func (p *parser) expectP(s string) {
	if !p.isP(s) {
		p.fail("expected %q, found %q", s, p.peek().text)
	}
	p.next()
}

// Parse parses one statement with its parameters.
func Parse(src string, params []*ddb.AttributeValue) (st *Statement, err error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	st = &Statement{Names: map[string]string{}, Values: map[string]*ddb.AttributeValue{}}
	p := &parser{toks: toks, params: params, st: st}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			st, err = nil, f.err
		}
	}()
	switch {
	case p.isKW("SELECT"):
		p.next()
		st.Kind = "SELECT"
		p.selectStmt()
	case p.isKW("INSERT"):
		p.next()
		st.Kind = "INSERT"
		p.expectKW("INTO")
		st.Table = p.tableName()
		p.expectKW("VALUE")
		v := p.literal()
		if v.M == nil {
			p.fail("INSERT needs a tuple value")
		}
		st.Item = v.M
	case p.isKW("UPDATE"):
		p.next()
		st.Kind = "UPDATE"
		st.Table = p.tableName()
		p.updateClauses()
		p.where()
	case p.isKW("DELETE"):
		p.next()
		st.Kind = "DELETE"
		p.expectKW("FROM")
		st.Table = p.tableName()
		p.where()
	default:
		p.fail("unsupported statement %q", p.peek().text)
	}
	if p.isKW("RETURNING") {
		p.fail("RETURNING is not supported")
	}
	if p.peek().kind != 0 {
		p.fail("unexpected %q", p.peek().text)
	}
	if p.nparam != len(params) {
		return nil, &Error{"Number of parameters in request and statement don't match."}
	}
	return st, nil
}

func (p *parser) tableName() string {
	t := p.next()
	if t.kind != 'q' && t.kind != 'i' {
		p.fail("expected a table name, found %q", t.text)
	}
	return t.text
}

func (p *parser) selectStmt() {
	st := p.st
	if p.isP("*") {
		p.next()
	} else {
		var parts []string
		for {
			parts = append(parts, p.path())
			if !p.isP(",") {
				break
			}
			p.next()
		}
		st.Projection = strings.Join(parts, ", ")
	}
	p.expectKW("FROM")
	st.Table = p.tableName()
	if p.isP(".") {
		p.next()
		st.Index = p.tableName()
	}
	p.where()
}

func (p *parser) where() {
	if !p.isKW("WHERE") {
		return
	}
	p.next()
	start := len(p.st.Conjuncts)
	var parts []string
	for {
		c := p.conjunct()
		parts = append(parts, c.Text)
		p.st.Conjuncts = append(p.st.Conjuncts, c)
		if !p.isKW("AND") {
			break
		}
		p.next()
	}
	if p.isKW("OR") {
		// A top-level OR: the whole clause is one condition, nothing keyed.
		for p.isKW("OR") {
			p.next()
			c := p.conjunct()
			parts[len(parts)-1] = parts[len(parts)-1] + " OR " + c.Text
		}
		all := "(" + strings.Join(parts, ") AND (") + ")"
		p.st.Conjuncts = append(p.st.Conjuncts[:start], Conjunct{Text: all})
		p.st.Where = all
		return
	}
	p.st.Where = "(" + strings.Join(parts, ") AND (") + ")"
}

// conjunct parses one comparison, function, NOT or parenthesised condition.
func (p *parser) conjunct() Conjunct {
	if p.isKW("NOT") {
		p.next()
		c := p.conjunct()
		return Conjunct{Text: "NOT (" + c.Text + ")"}
	}
	if p.isP("(") {
		p.next()
		var parts []string
		ops := []string{}
		for {
			c := p.conjunct()
			parts = append(parts, c.Text)
			if p.isKW("AND") || p.isKW("OR") {
				ops = append(ops, strings.ToUpper(p.next().text))
				continue
			}
			break
		}
		p.expectP(")")
		var b strings.Builder
		for i, part := range parts {
			if i > 0 {
				b.WriteString(" " + ops[i-1] + " ")
			}
			b.WriteString("(" + part + ")")
		}
		return Conjunct{Text: b.String()}
	}
	// function call: begins_with(a, 'x'), contains, attribute_type, size(...) op x
	if t := p.peek(); t.kind == 'i' && p.toks[p.pos+1].kind == 'p' && p.toks[p.pos+1].text == "(" {
		name := strings.ToLower(p.next().text)
		p.expectP("(")
		var args []string
		var vals []*ddb.AttributeValue
		attr := ""
		for !p.isP(")") {
			if p.isValueStart() {
				v := p.literal()
				vals = append(vals, v)
				args = append(args, p.value(v))
			} else {
				a := p.path()
				if attr == "" {
					attr = p.lastTop
				}
				args = append(args, a)
			}
			if p.isP(",") {
				p.next()
			}
		}
		p.expectP(")")
		text := name + "(" + strings.Join(args, ", ") + ")"
		if name == "size" {
			op := p.cmpOp()
			return Conjunct{Text: text + " " + op + " " + p.operand()}
		}
		c := Conjunct{Text: text}
		if name == "begins_with" && len(vals) == 1 && len(args) == 2 {
			c.Attr, c.Op, c.Args = attr, "begins_with", vals
		}
		return c
	}
	left := p.path()
	attr := p.lastTop
	simple := p.lastSimple
	switch {
	case p.isKW("IS"):
		p.next()
		not := false
		if p.isKW("NOT") {
			p.next()
			not = true
		}
		switch {
		case p.isKW("MISSING"):
			p.next()
			if not {
				return Conjunct{Text: "attribute_exists(" + left + ")"}
			}
			return Conjunct{Text: "attribute_not_exists(" + left + ")"}
		case p.isKW("NULL"):
			p.next()
			if not {
				return Conjunct{Text: "NOT attribute_type(" + left + ", " + p.value(&ddb.AttributeValue{S: strPtr("NULL")}) + ")"}
			}
			return Conjunct{Text: "attribute_type(" + left + ", " + p.value(&ddb.AttributeValue{S: strPtr("NULL")}) + ")"}
		}
		p.fail("expected MISSING or NULL after IS")
	case p.isKW("BETWEEN"):
		p.next()
		lo := p.literal()
		p.expectKW("AND")
		hi := p.literal()
		c := Conjunct{Text: left + " BETWEEN " + p.value(lo) + " AND " + p.value(hi)}
		if simple {
			c.Attr, c.Op, c.Args = attr, "BETWEEN", []*ddb.AttributeValue{lo, hi}
		}
		return c
	case p.isKW("IN"):
		p.next()
		open, close := "[", "]"
		if p.isP("(") {
			open, close = "(", ")"
		}
		p.expectP(open)
		var vs []string
		for !p.isP(close) {
			vs = append(vs, p.value(p.literal()))
			if p.isP(",") {
				p.next()
			}
		}
		p.expectP(close)
		return Conjunct{Text: left + " IN (" + strings.Join(vs, ", ") + ")"}
	}
	op := p.cmpOp()
	if p.isValueStart() {
		v := p.literal()
		c := Conjunct{Text: left + " " + op + " " + p.value(v)}
		if simple && op != "<>" {
			c.Attr, c.Op, c.Args = attr, op, []*ddb.AttributeValue{v}
		}
		return c
	}
	return Conjunct{Text: left + " " + op + " " + p.path()}
}

func (p *parser) operand() string {
	if p.isValueStart() {
		return p.value(p.literal())
	}
	return p.path()
}

func (p *parser) cmpOp() string {
	t := p.next()
	if t.kind != 'p' {
		p.fail("expected a comparison, found %q", t.text)
	}
	switch t.text {
	case "=", "<>", "<", "<=", ">", ">=":
		return t.text
	case "!=":
		return "<>"
	}
	p.fail("expected a comparison, found %q", t.text)
	return ""
}

func (p *parser) isValueStart() bool {
	t := p.peek()
	switch t.kind {
	case 's', 'n', '?':
		return true
	case 'i':
		u := strings.ToUpper(t.text)
		return u == "TRUE" || u == "FALSE" || u == "NULL"
	case 'p':
		return t.text == "[" || t.text == "{" || t.text == "<<" || t.text == "-"
	}
	return false
}

// value registers a literal as a :value and returns its placeholder.
func (p *parser) value(v *ddb.AttributeValue) string {
	k := ":v" + strconv.Itoa(len(p.st.Values))
	p.st.Values[k] = v
	return k
}

func (p *parser) name(n string) string { return p.st.NameOf(n) }

// NameOf is the #placeholder of attribute name n, added when missing.
func (st *Statement) NameOf(n string) string {
	for k, v := range st.Names {
		if v == n {
			return k
		}
	}
	k := "#n" + strconv.Itoa(len(st.Names))
	st.Names[k] = n
	return k
}

// path parses a document path: a.b[1]."c d"; lastTop and lastSimple describe it.
func (p *parser) path() string {
	t := p.next()
	if t.kind != 'i' && t.kind != 'q' {
		p.fail("expected an attribute name, found %q", t.text)
	}
	p.lastTop, p.lastSimple = t.text, true
	out := p.name(t.text)
	for {
		switch {
		case p.isP("."):
			p.next()
			n := p.next()
			if n.kind != 'i' && n.kind != 'q' {
				p.fail("expected an attribute name after '.'")
			}
			out += "." + p.name(n.text)
			p.lastSimple = false
		case p.isP("["):
			p.next()
			n := p.next()
			if n.kind != 'n' {
				p.fail("expected a list index")
			}
			p.expectP("]")
			out += "[" + n.text + "]"
			p.lastSimple = false
		default:
			return out
		}
	}
}

func strPtr(s string) *string { return &s }

// literal parses a PartiQL value: 'string', number, TRUE/FALSE/NULL, ?, [list],
// {'k': v} tuple, <<set>>.
func (p *parser) literal() *ddb.AttributeValue {
	t := p.next()
	switch t.kind {
	case 's':
		return &ddb.AttributeValue{S: strPtr(t.text)}
	case 'n':
		return &ddb.AttributeValue{N: strPtr(t.text)}
	case '?':
		if p.nparam >= len(p.params) {
			p.nparam++
			panic(failure{&Error{"Number of parameters in request and statement don't match."}})
		}
		v := p.params[p.nparam]
		p.nparam++
		return v
	case 'i':
		switch strings.ToUpper(t.text) {
		case "TRUE":
			b := true
			return &ddb.AttributeValue{BOOL: &b}
		case "FALSE":
			b := false
			return &ddb.AttributeValue{BOOL: &b}
		case "NULL":
			b := true
			return &ddb.AttributeValue{NULL: &b}
		}
	case 'p':
		switch t.text {
		case "-":
			n := p.next()
			if n.kind != 'n' {
				p.fail("expected a number after '-'")
			}
			return &ddb.AttributeValue{N: strPtr("-" + n.text)}
		case "[":
			l := []*ddb.AttributeValue{}
			for !p.isP("]") {
				l = append(l, p.literal())
				if p.isP(",") {
					p.next()
				}
			}
			p.next()
			return &ddb.AttributeValue{L: l}
		case "{":
			m := map[string]*ddb.AttributeValue{}
			for !p.isP("}") {
				k := p.next()
				if k.kind != 's' && k.kind != 'q' && k.kind != 'i' {
					p.fail("expected a key in a tuple, found %q", k.text)
				}
				p.expectP(":")
				m[k.text] = p.literal()
				if p.isP(",") {
					p.next()
				}
			}
			p.next()
			return &ddb.AttributeValue{M: m}
		case "<<":
			var ss, ns []string
			for !p.isP(">>") {
				v := p.literal()
				switch {
				case v.S != nil:
					ss = append(ss, *v.S)
				case v.N != nil:
					ns = append(ns, *v.N)
				default:
					p.fail("a set holds strings or numbers")
				}
				if p.isP(",") {
					p.next()
				}
			}
			p.next()
			if ns != nil {
				return &ddb.AttributeValue{NS: ns}
			}
			return &ddb.AttributeValue{SS: ss}
		}
	}
	p.fail("unexpected %q where a value was expected", t.text)
	return nil
}

// updateClauses parses SET a = v, b = b + 1 ... REMOVE c ... (repeatable).
func (p *parser) updateClauses() {
	var sets, removes []string
	for {
		switch {
		case p.isKW("SET"):
			p.next()
			for {
				path := p.path()
				p.expectP("=")
				val := p.operand()
				if p.isP("+") || p.isP("-") {
					op := p.next().text
					val += " " + op + " " + p.operand()
				}
				sets = append(sets, path+" = "+val)
				if !p.isP(",") {
					break
				}
				p.next()
			}
		case p.isKW("REMOVE"):
			p.next()
			for {
				removes = append(removes, p.path())
				if !p.isP(",") {
					break
				}
				p.next()
			}
		default:
			if len(sets)+len(removes) == 0 {
				p.fail("UPDATE needs SET or REMOVE")
			}
			var parts []string
			if len(sets) > 0 {
				parts = append(parts, "SET "+strings.Join(sets, ", "))
			}
			if len(removes) > 0 {
				parts = append(parts, "REMOVE "+strings.Join(removes, ", "))
			}
			p.st.Update = strings.Join(parts, " ")
			return
		}
	}
}
