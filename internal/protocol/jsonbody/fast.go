package jsonbody

import (
	"encoding/json"
	"reflect"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// Limits of the parser. AWS's JSON front end is Java (Jackson), whose defaults
// refuse nesting deeper than 1000; the request size limit is the service's
// (jsonrpc.MaxBody). What one body may become is bounded in bytes of memory:
// without a bound a 16 MB body of `{"S":"x"},` becomes 1.6 million Go maps
// (~330 bytes of memory for every 10 bytes of body). The budget is
// MinBudget, or BudgetFactor times the body when that is more: a body of
// ordinary items (a 400 KB DynamoDB item of 40,000 tiny values takes ~14 MB)
// fits, a body built to cost the most per byte is refused early.
const (
	MaxDepth     = 1000
	MinBudget    = 32 << 20
	BudgetFactor = 2
)

// Estimated memory of kept values (Go 1.26's maps and size classes): a map
// of up to 8 entries is one group, a member beyond them ~40 bytes; a list
// slot is 16 bytes (lists are paid for as their arrays are allocated); a
// string or number is its bytes and the 16 of its interface box.
const (
	costMap      = 288
	costMapEntry = 40
	costSlot     = 16
	costScalar   = 16
)

// wrongKindObject stands for every object where the type wants no object: one
// shared empty map rather than one allocated for each (Assign refuses it, and
// never writes to it).
var wrongKindObject = map[string]any{}

// budgetFor is the memory budget for what a body of n bytes becomes.
func budgetFor(n int) int {
	return max(MinBudget, BudgetFactor*n)
}

// parseErr is why a body is not the JSON AWS accepts. The message is Jackson's
// gist, never the body's own text.
type parseErr string

// parse reads data as one JSON value (numbers as json.Number) into the values
// encoding/json's Decoder with UseNumber gives (map[string]any, []any, string,
// json.Number, bool, nil), strictly: invalid UTF-8, unescaped control
// characters and lone surrogate escapes (\ud800) are refused rather than
// replaced by U+FFFD, as Jackson refuses them, so that two different byte
// strings never become one value.
//
// When t is not nil it is the Go type the value will be assigned to (as by
// Assign): members a structure does not have are checked but not kept, and a
// value of the wrong kind is kept only as an empty value of its kind, which is
// all Assign's error needs. Memory is then bounded by what the target can hold.
func parse(data []byte, t reflect.Type) (any, parseErr) {
	p := fastParser{data: data, budget: budgetFor(len(data))}
	p.space()
	v := p.value(0, t, true)
	if p.err != "" {
		return nil, p.err
	}
	p.space()
	if p.i != len(p.data) {
		return nil, "unexpected data after the top-level value"
	}
	return v, ""
}

// Valid tells whether data is one JSON value (or only white space) that parse
// accepts, keeping nothing.
func Valid(data []byte) bool {
	p := fastParser{data: data}
	p.space()
	if p.i == len(p.data) {
		return true
	}
	p.value(0, nil, false)
	p.space()
	return p.err == "" && p.i == len(p.data)
}

type fastParser struct {
	data   []byte
	i      int
	err    parseErr
	budget int // bytes of memory kept values may still take
}

// spend takes n bytes from the budget; false (and the parse fails) when it
// is spent.
func (p *fastParser) spend(n int) bool {
	p.budget -= n
	if p.budget < 0 {
		p.fail("too many values")
		return false
	}
	return true
}

func (p *fastParser) fail(msg parseErr) {
	if p.err == "" {
		p.err = msg
	}
}

// space skips JSON's white space (and nothing else).
func (p *fastParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// separator reads what follows an object member or array element: a comma
// (more follows) or the closing byte (done); anything else is not valid.
// After an error nothing more is read: the body is refused as it stands.
func (p *fastParser) separator(closing byte) (more bool) {
	if p.err != "" {
		return false
	}
	p.space()
	if p.i >= len(p.data) {
		p.fail("unexpected end of input")
		return false
	}
	switch p.data[p.i] {
	case ',':
		p.i++
		return true
	case closing:
		p.i++
		return false
	}
	p.fail("unexpected character")
	return false
}

// value reads one value. keep false only checks it. t is the target type, nil
// for "keep everything".
func (p *fastParser) value(depth int, t reflect.Type, keep bool) any {
	if p.err != "" {
		return nil
	}
	if p.i >= len(p.data) {
		p.fail("unexpected end of input")
		return nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch c := p.data[p.i]; {
	case c == '{':
		if depth >= MaxDepth {
			p.fail("nesting too deep")
			return nil
		}
		p.i++
		var m map[string]any
		var members map[string]reflect.Type
		var elem reflect.Type
		mode := 0 // 0 keep all, 1 struct members, 2 map elements, 3 check only
		switch {
		case !keep:
			mode = 3
		case t == nil || t.Kind() == reflect.Interface:
			t = nil
		case t.Kind() == reflect.Struct && t != timeType:
			mode, members = 1, memberTypes(t)
		case t.Kind() == reflect.Map:
			mode, elem = 2, t.Elem()
		default:
			mode = 3
		}
		if mode != 3 {
			if !p.spend(costMap) {
				return nil
			}
			m = map[string]any{}
		}
		p.space()
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
		} else {
			for {
				p.space()
				k, ok := p.str(mode != 3)
				if !ok {
					p.fail("unexpected character where a member name was expected")
					return nil
				}
				p.space()
				if p.i >= len(p.data) || p.data[p.i] != ':' {
					p.fail("unexpected character where ':' was expected")
					return nil
				}
				p.i++
				p.space()
				if mode != 3 && len(m) >= 8 && !p.spend(costMapEntry) {
					return nil
				}
				if (mode == 0 || mode == 2) && !p.spend(len(k)) {
					return nil
				}
				switch mode {
				case 0:
					m[k] = p.value(depth+1, nil, true) // a repeated key: the last wins
				case 1:
					if ft, known := members[k]; known {
						m[k] = p.value(depth+1, ft, true)
					} else {
						p.value(depth+1, nil, false) // AWS ignores unknown members
					}
				case 2:
					m[k] = p.value(depth+1, elem, true)
				default:
					p.value(depth+1, nil, false)
				}
				if !p.separator('}') {
					break
				}
			}
		}
		if p.err != "" || !keep {
			return nil
		}
		if mode == 3 {
			return wrongKindObject // Assign only looks at its kind
		}
		return m
	case c == '[':
		if depth >= MaxDepth {
			p.fail("nesting too deep")
			return nil
		}
		p.i++
		var elem reflect.Type
		mode := 0
		switch {
		case !keep:
			mode = 3
		case t == nil || t.Kind() == reflect.Interface:
		case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
			elem = t.Elem()
		default:
			mode = 3
		}
		var l []any
		if mode != 3 {
			l = []any{} // encoding/json gives an empty, not a nil, slice
		}
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
		} else {
			for {
				p.space()
				if mode == 3 {
					p.value(depth+1, nil, false)
				} else {
					v := p.value(depth+1, elem, true)
					if len(l) == cap(l) {
						// Grown by doubling, each new array paid for: what a
						// long list costs is what it allocates, garbage included
						// (append's 1.25x steps allocate five times the list).
						n := max(4, 2*cap(l))
						if !p.spend(n * costSlot) {
							return nil
						}
						l = append(make([]any, 0, n), l...)
					}
					l = append(l, v)
				}
				if !p.separator(']') {
					break
				}
			}
		}
		if p.err != "" || !keep {
			return nil
		}
		if mode == 3 {
			return []any{}
		}
		return l
	case c == '"':
		s, ok := p.str(keep)
		if !ok {
			p.fail("invalid string")
			return nil
		}
		if !keep || !p.spend(costScalar+len(s)) {
			return nil
		}
		return s
	case c == 't':
		p.literal("true")
		return true
	case c == 'f':
		p.literal("false")
		return false
	case c == 'n':
		p.literal("null")
		return nil
	case c == '-' || '0' <= c && c <= '9':
		n := p.number()
		if num, ok := n.(json.Number); ok && keep && !p.spend(costScalar+len(num)) {
			return nil
		}
		return n
	}
	p.fail("unexpected character")
	return nil
}

func (p *fastParser) literal(word string) {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		p.fail("unrecognized token")
		return
	}
	p.i += len(word)
}

// str reads a string. Escapes are decoded; a \u escape of one half of a
// surrogate pair must be followed by the other half. Raw bytes must be valid
// UTF-8 and not control characters. keep false only checks it.
func (p *fastParser) str(keep bool) (string, bool) {
	if p.i >= len(p.data) || p.data[p.i] != '"' {
		return "", false
	}
	start := p.i + 1
	i := start
	// The common case: no escapes.
	for i < len(p.data) {
		c := p.data[i]
		if c == '"' {
			if !utf8.Valid(p.data[start:i]) {
				return "", false
			}
			p.i = i + 1
			if !keep {
				return "", true
			}
			return string(p.data[start:i]), true
		}
		if c == '\\' || c < ' ' {
			break
		}
		i++
	}
	var b []byte
	if keep {
		b = make([]byte, 0, i-start+16)
	}
	from := start // raw bytes not yet checked or copied start here
	flush := func(to int) bool {
		if !utf8.Valid(p.data[from:to]) {
			return false
		}
		if keep {
			b = append(b, p.data[from:to]...)
		}
		return true
	}
	for i < len(p.data) {
		c := p.data[i]
		switch {
		case c == '"':
			if !flush(i) {
				return "", false
			}
			p.i = i + 1
			return string(b), true
		case c < ' ':
			return "", false
		case c == '\\':
			if !flush(i) || i+1 >= len(p.data) {
				return "", false
			}
			e := p.data[i+1]
			i += 2
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				var ok bool
				if r, ok = hex4(p.data, i); !ok {
					return "", false
				}
				i += 4
				switch {
				case utf16.IsSurrogate(r) && r < 0xDC00:
					// A high surrogate: its low half must follow.
					if i+6 > len(p.data) || p.data[i] != '\\' || p.data[i+1] != 'u' {
						return "", false
					}
					lo, ok := hex4(p.data, i+2)
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return "", false
					}
					i += 6
					r = utf16.DecodeRune(r, lo)
				case utf16.IsSurrogate(r):
					return "", false // a low half alone
				}
			default:
				return "", false
			}
			if keep {
				b = utf8.AppendRune(b, r)
			}
			from = i
		default:
			i++
		}
	}
	return "", false
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		v, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | v
	}
	return r, true
}

// hexDigit is the value of one hex digit of a \u escape.
func hexDigit(c byte) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10), true
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as its text.
func (p *fastParser) number() any {
	d, i := p.data, p.i
	digits := func() bool {
		n := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(d) && d[i] == '-' {
		i++
	}
	bad := false
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		bad = true
	}
	if !bad && i < len(d) && d[i] == '.' {
		i++
		bad = !digits()
	}
	if !bad && i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		bad = !digits()
	}
	if bad {
		p.fail("invalid number")
		return nil
	}
	n := json.Number(d[p.i:i])
	p.i = i
	return n
}

// memberTypes maps the wire names of the body members of structure t to
// their Go types, as assignStruct reads them.
func memberTypes(t reflect.Type) map[string]reflect.Type {
	if m, ok := memberCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for _, f := range shape.Of(t).Fields {
		if f.Location != "" || f.Type == "eventstream" {
			continue
		}
		ft := t.Field(f.Index).Type
		if f.JSONValue {
			ft = nil // JSON text inside a string
		}
		m[f.LocationName] = ft
	}
	memberCache.Store(t, m)
	return m
}

var memberCache sync.Map // reflect.Type → map[string]reflect.Type
