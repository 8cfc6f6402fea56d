package glue

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode"
)

// A partition filter, as GetPartitions' Expression: SQL's WHERE syntax over
// the partition keys, with =, <>, !=, <, >, <=, >=, AND, OR, NOT, parentheses,
// [NOT] IN (...), [NOT] BETWEEN a AND b, [NOT] LIKE 'pat', IS [NOT] NULL.
// Values of integer-typed keys (tinyint, smallint, int, bigint, long) compare
// as numbers, every other type as text (dates and timestamps in their ISO form
// sort as text).

// filter is a compiled expression: true when the partition (key name → value)
// passes.
type filter func(vals map[string]string) bool

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number, 'o' operator or punctuation, 'k' keyword
	text string
	pos  int
}

func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(src); j++ {
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			out = append(out, token{'s', b.String(), i})
			i = j + 1
		case c == '`' || c == '"':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated identifier at %d", i)
			}
			out = append(out, token{'i', strings.ToLower(src[i+1 : i+1+j]), i})
			i += j + 2
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' && lastIsOperator(out):
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			out = append(out, token{'n', src[i:j], i})
			i = j
		case strings.ContainsRune("=<>!(),", rune(c)):
			op := string(c)
			if i+1 < len(src) {
				two := src[i : i+2]
				if two == "<=" || two == ">=" || two == "<>" || two == "!=" {
					op = two
				}
			}
			if op == "!" {
				return nil, fmt.Errorf("unexpected ! at %d", i)
			}
			out = append(out, token{'o', op, i})
			i += len(op)
		case c == '_' || unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '.' || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
				j++
			}
			w := src[i:j]
			switch u := strings.ToUpper(w); u {
			case "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL":
				out = append(out, token{'k', u, i})
			default:
				out = append(out, token{'i', strings.ToLower(w), i})
			}
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at %d", c, i)
		}
	}
	return out, nil
}

func lastIsOperator(ts []token) bool {
	return len(ts) == 0 || ts[len(ts)-1].kind == 'o' || ts[len(ts)-1].kind == 'k'
}

type parser struct {
	ts    []token
	i     int
	types map[string]string // partition key → its type, lower case
}

// compileFilter parses expr against the table's partition keys (name → type).
func compileFilter(expr string, types map[string]string) (filter, error) {
	ts, err := lex(expr)
	if err != nil {
		return nil, err
	}
	ps := &parser{ts: ts, types: types}
	f, err := ps.or()
	if err != nil {
		return nil, err
	}
	if ps.i < len(ts) {
		return nil, fmt.Errorf("unexpected %q at %d", ts[ps.i].text, ts[ps.i].pos)
	}
	return f, nil
}

func (ps *parser) peek() *token {
	if ps.i < len(ps.ts) {
		return &ps.ts[ps.i]
	}
	return nil
}

func (ps *parser) accept(kind byte, text string) bool {
	if t := ps.peek(); t != nil && t.kind == kind && t.text == text {
		ps.i++
		return true
	}
	return false
}

func (ps *parser) expect(kind byte, text string) error {
	if !ps.accept(kind, text) {
		if t := ps.peek(); t != nil {
			return fmt.Errorf("expected %s at %d, found %q", text, t.pos, t.text)
		}
		return fmt.Errorf("expected %s at end of expression", text)
	}
	return nil
}

func (ps *parser) or() (filter, error) {
	l, err := ps.and()
	if err != nil {
		return nil, err
	}
	for ps.accept('k', "OR") {
		r, err := ps.and()
		if err != nil {
			return nil, err
		}
		a := l
		l = func(v map[string]string) bool { return a(v) || r(v) }
	}
	return l, nil
}

func (ps *parser) and() (filter, error) {
	l, err := ps.not()
	if err != nil {
		return nil, err
	}
	for ps.accept('k', "AND") {
		r, err := ps.not()
		if err != nil {
			return nil, err
		}
		a := l
		l = func(v map[string]string) bool { return a(v) && r(v) }
	}
	return l, nil
}

func (ps *parser) not() (filter, error) {
	if ps.accept('k', "NOT") {
		f, err := ps.not()
		if err != nil {
			return nil, err
		}
		return func(v map[string]string) bool { return !f(v) }, nil
	}
	return ps.predicate()
}

// operand is a key or a literal.
type operand struct {
	key string // a partition key, or ""
	lit string
	num bool // the literal was a number
}

func (o operand) value(v map[string]string) (string, bool) {
	if o.key == "" {
		return o.lit, true
	}
	s, ok := v[o.key]
	return s, ok
}

func (ps *parser) operand() (operand, error) {
	t := ps.peek()
	if t == nil {
		return operand{}, fmt.Errorf("expression ends too soon")
	}
	ps.i++
	switch t.kind {
	case 'i':
		if _, ok := ps.types[t.text]; !ok {
			return operand{}, fmt.Errorf("unknown partition key %s", t.text)
		}
		return operand{key: t.text}, nil
	case 's':
		return operand{lit: t.text}, nil
	case 'n':
		return operand{lit: t.text, num: true}, nil
	}
	return operand{}, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}

// numeric reports whether comparisons involving a and b are numeric: one of
// them is a key of an integer type.
func (ps *parser) numeric(ops ...operand) bool {
	for _, o := range ops {
		if o.key != "" {
			switch ps.types[o.key] {
			case "tinyint", "smallint", "int", "integer", "bigint", "long":
				return true
			}
		}
	}
	return false
}

// compare orders two values: numerically when num and both parse, else as text.
func compare(a, b string, num bool) int {
	if num {
		x, ok1 := new(big.Rat).SetString(a)
		y, ok2 := new(big.Rat).SetString(b)
		if ok1 && ok2 {
			return x.Cmp(y)
		}
	}
	return strings.Compare(a, b)
}

func (ps *parser) predicate() (filter, error) {
	if ps.accept('o', "(") {
		f, err := ps.or()
		if err != nil {
			return nil, err
		}
		return f, ps.expect('o', ")")
	}
	l, err := ps.operand()
	if err != nil {
		return nil, err
	}
	if ps.accept('k', "IS") {
		neg := ps.accept('k', "NOT")
		if err := ps.expect('k', "NULL"); err != nil {
			return nil, err
		}
		return func(v map[string]string) bool {
			s, ok := l.value(v)
			null := !ok || s == "__HIVE_DEFAULT_PARTITION__"
			return null != neg
		}, nil
	}
	neg := ps.accept('k', "NOT")
	switch {
	case ps.accept('k', "IN"):
		if err := ps.expect('o', "("); err != nil {
			return nil, err
		}
		var set []operand
		for {
			o, err := ps.operand()
			if err != nil {
				return nil, err
			}
			set = append(set, o)
			if !ps.accept('o', ",") {
				break
			}
		}
		if err := ps.expect('o', ")"); err != nil {
			return nil, err
		}
		num := ps.numeric(append(set, l)...)
		return func(v map[string]string) bool {
			a, ok := l.value(v)
			if !ok {
				return false
			}
			for _, o := range set {
				if b, ok := o.value(v); ok && compare(a, b, num) == 0 {
					return !neg
				}
			}
			return neg
		}, nil
	case ps.accept('k', "BETWEEN"):
		lo, err := ps.operand()
		if err != nil {
			return nil, err
		}
		if err := ps.expect('k', "AND"); err != nil {
			return nil, err
		}
		hi, err := ps.operand()
		if err != nil {
			return nil, err
		}
		num := ps.numeric(l, lo, hi)
		return func(v map[string]string) bool {
			a, ok1 := l.value(v)
			x, ok2 := lo.value(v)
			y, ok3 := hi.value(v)
			if !ok1 || !ok2 || !ok3 {
				return false
			}
			in := compare(a, x, num) >= 0 && compare(a, y, num) <= 0
			return in != neg
		}, nil
	case ps.accept('k', "LIKE"):
		pat, err := ps.operand()
		if err != nil {
			return nil, err
		}
		if pat.key != "" {
			return nil, fmt.Errorf("LIKE needs a string pattern")
		}
		re := likeRegexp(pat.lit)
		return func(v map[string]string) bool {
			a, ok := l.value(v)
			return ok && re.MatchString(a) != neg
		}, nil
	}
	if neg {
		return nil, fmt.Errorf("NOT must be followed by IN, BETWEEN or LIKE here")
	}
	t := ps.peek()
	if t == nil || t.kind != 'o' {
		return nil, fmt.Errorf("expected a comparison after %s", l.key+l.lit)
	}
	op := t.text
	ps.i++
	r, err := ps.operand()
	if err != nil {
		return nil, err
	}
	num := ps.numeric(l, r)
	var test func(c int) bool
	switch op {
	case "=":
		test = func(c int) bool { return c == 0 }
	case "<>", "!=":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">=":
		test = func(c int) bool { return c >= 0 }
	default:
		return nil, fmt.Errorf("unexpected %q at %d", op, t.pos)
	}
	return func(v map[string]string) bool {
		a, ok1 := l.value(v)
		b, ok2 := r.value(v)
		return ok1 && ok2 && test(compare(a, b, num))
	}, nil
}

// likeRegexp turns a SQL LIKE pattern (% any run, _ one character) into a regexp.
func likeRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range pat {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
