package logs

import (
	"encoding/json"
	"github.com/fogbank/fogbank/internal/lazy"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A pattern is a compiled CloudWatch Logs filter pattern (FilterLogEvents'
// filterPattern): terms and phrases, a JSON condition in braces, a
// space-delimited field list in brackets, or a regular expression in %...%.
type pattern interface {
	match(msg string) bool
}

var errPattern error = lazy.Error("invalid filter pattern")

// compilePattern parses a filter pattern; "" (or blanks) matches every event.
func compilePattern(s string) (pattern, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return matchAll{}, nil
	case s[0] == '{':
		p := &jsonParser{s: s}
		return p.parse()
	case s[0] == '[':
		return parseDelimited(s)
	}
	return parseTerms(s)
}

type matchAll struct{}

func (matchAll) match(string) bool { return true }

// --- terms ---

// termPattern is the unstructured form: every plain term must be in the
// message, at least one of the ?-terms (when there are any), and none of the
// -terms. A term or quoted phrase matches where it appears with no letter or
// digit running on at its edges, so ERROR finds "[ERROR] x" but not "ERRORS"
// (filter patterns match whole terms, case-sensitively).
type termPattern struct {
	all, any, none []matcher
}

type matcher func(string) bool

func (p *termPattern) match(msg string) bool {
	for _, m := range p.none {
		if m(msg) {
			return false
		}
	}
	for _, m := range p.all {
		if !m(msg) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, m := range p.any {
		if m(msg) {
			return true
		}
	}
	return false
}

func parseTerms(s string) (pattern, error) {
	p := &termPattern{}
	for i := 0; i < len(s); {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		kind := byte(0)
		if s[i] == '?' || s[i] == '-' {
			kind = s[i]
			i++
			if i == len(s) || s[i] == ' ' {
				return nil, errPattern
			}
		}
		var m matcher
		switch s[i] {
		case '"':
			text, n, err := quoted(s[i:])
			if err != nil {
				return nil, err
			}
			i += n
			m = termMatcher(text)
		case '%':
			end := strings.IndexByte(s[i+1:], '%')
			if end < 0 {
				return nil, errPattern
			}
			re, err := regexp.Compile(s[i+1 : i+1+end])
			if err != nil {
				return nil, errPattern
			}
			i += end + 2
			m = re.MatchString
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			m = termMatcher(s[i:j])
			i = j
		}
		switch kind {
		case '?':
			p.any = append(p.any, m)
		case '-':
			p.none = append(p.none, m)
		default:
			p.all = append(p.all, m)
		}
	}
	return p, nil
}

// quoted reads a double-quoted string at the start of s (backslash escapes
// the next character) and returns its text and the bytes it took.
func quoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, errPattern
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// termMatcher finds term in a message as a whole term: where the term begins
// (ends) with a letter or digit, the message may not have one just before
// (after) it.
func termMatcher(term string) matcher {
	if term == "" {
		return func(string) bool { return true }
	}
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	checkStart, checkEnd := isWord(first), isWord(last)
	return func(msg string) bool {
		for off := 0; off <= len(msg); {
			i := strings.Index(msg[off:], term)
			if i < 0 {
				return false
			}
			i += off
			ok := true
			if checkStart && i > 0 {
				r, _ := utf8.DecodeLastRuneInString(msg[:i])
				ok = !isWord(r)
			}
			if ok && checkEnd && i+len(term) < len(msg) {
				r, _ := utf8.DecodeRuneInString(msg[i+len(term):])
				ok = !isWord(r)
			}
			if ok {
				return true
			}
			off = i + 1
		}
		return false
	}
}

// --- values compared by JSON and space-delimited conditions ---

// cond is one comparison of a field's value: op is = != < <= > >=.
type cond struct {
	op    string
	text  string         // the literal as written (quotes removed)
	num   float64        // the literal as a number, when isNum
	isNum bool           // the literal is a number
	re    *regexp.Regexp // %regex%
	glob  bool           // the literal holds * wildcards
}

func newCond(op, lit string, wasQuoted bool) (*cond, error) {
	c := &cond{op: op, text: lit}
	if !wasQuoted && len(lit) >= 2 && lit[0] == '%' && lit[len(lit)-1] == '%' {
		re, err := regexp.Compile(lit[1 : len(lit)-1])
		if err != nil {
			return nil, errPattern
		}
		c.re = re
	} else if f, err := strconv.ParseFloat(lit, 64); err == nil && !wasQuoted {
		c.num, c.isNum = f, true
	}
	c.glob = strings.Contains(lit, "*")
	if op != "=" && op != "!=" && !c.isNum {
		return nil, errPattern // ordering needs a number
	}
	return c, nil
}

// test compares a value: s is its text, and n its number when isNum.
func (c *cond) test(s string, n float64, isNum bool) bool {
	switch c.op {
	case "=", "!=":
		var eq bool
		switch {
		case c.re != nil:
			eq = c.re.MatchString(s)
		case c.isNum && isNum:
			eq = n == c.num
		case c.glob:
			eq = globMatch(c.text, s)
		default:
			eq = s == c.text
		}
		return eq == (c.op == "=")
	}
	if !isNum {
		return false
	}
	switch c.op {
	case "<":
		return n < c.num
	case "<=":
		return n <= c.num
	case ">":
		return n > c.num
	case ">=":
		return n >= c.num
	}
	return false
}

// globMatch matches s against pat, where * stands for any run of characters.
func globMatch(pat, s string) bool {
	parts := strings.Split(pat, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

// --- JSON: { $.a.b = "x" && ($.n > 3 || $.c IS NULL) } ---

type jsonNode interface {
	eval(doc any) bool
}

type jsonAnd struct{ l, r jsonNode }
type jsonOr struct{ l, r jsonNode }

func (n jsonAnd) eval(d any) bool { return n.l.eval(d) && n.r.eval(d) }
func (n jsonOr) eval(d any) bool  { return n.l.eval(d) || n.r.eval(d) }

// jsonCond tests the values a selector reaches: any one passing is a match.
type jsonCond struct {
	sel []string // path steps: a member name, "[n]", or "*" for every element
	c   *cond    // nil for the IS/EXISTS forms
	is  string   // "NULL", "TRUE", "FALSE", "EXISTS", "NOT EXISTS"
}

func (n *jsonCond) eval(doc any) bool {
	vals := selectJSON(doc, n.sel)
	if n.is == "NOT EXISTS" {
		return len(vals) == 0
	}
	for _, v := range vals {
		switch n.is {
		case "EXISTS":
			return true
		case "NULL":
			if v == nil {
				return true
			}
		case "TRUE", "FALSE":
			if b, ok := v.(bool); ok && b == (n.is == "TRUE") {
				return true
			}
		default:
			switch x := v.(type) {
			case json.Number:
				f, err := x.Float64()
				if n.c.test(x.String(), f, err == nil) {
					return true
				}
			case string:
				if n.c.test(x, 0, false) {
					return true
				}
			case bool:
				if n.c.test(strconv.FormatBool(x), 0, false) {
					return true
				}
			}
		}
	}
	return false
}

func selectJSON(v any, sel []string) []any {
	if len(sel) == 0 {
		return []any{v}
	}
	step, rest := sel[0], sel[1:]
	var out []any
	switch x := v.(type) {
	case map[string]any:
		if step == "*" {
			for _, c := range x {
				out = append(out, selectJSON(c, rest)...)
			}
		} else if c, ok := x[step]; ok && step[0] != '[' {
			out = selectJSON(c, rest)
		}
	case []any:
		if step == "*" || step == "[*]" {
			for _, c := range x {
				out = append(out, selectJSON(c, rest)...)
			}
		} else if strings.HasPrefix(step, "[") {
			i, err := strconv.Atoi(step[1 : len(step)-1])
			if err == nil && i >= 0 && i < len(x) {
				out = selectJSON(x[i], rest)
			}
		}
	}
	return out
}

type jsonPattern struct{ root jsonNode }

func (p *jsonPattern) match(msg string) bool {
	d := json.NewDecoder(strings.NewReader(msg))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return false
	}
	return p.root.eval(doc)
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *jsonParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *jsonParser) parse() (pattern, error) {
	if !p.eat("{") {
		return nil, errPattern
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if !p.eat("}") {
		return nil, errPattern
	}
	if p.skip(); p.i != len(p.s) {
		return nil, errPattern
	}
	return &jsonPattern{root: n}, nil
}

func (p *jsonParser) or() (jsonNode, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = jsonOr{l, r}
	}
	return l, nil
}

func (p *jsonParser) and() (jsonNode, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = jsonAnd{l, r}
	}
	return l, nil
}

func (p *jsonParser) unary() (jsonNode, error) {
	if p.eat("(") {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, errPattern
		}
		return n, nil
	}
	return p.cond()
}

func (p *jsonParser) cond() (jsonNode, error) {
	if !p.eat("$") {
		return nil, errPattern
	}
	n := &jsonCond{}
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '.':
			p.i++
			if p.i < len(p.s) && p.s[p.i] == '*' {
				p.i++
				n.sel = append(n.sel, "*")
				continue
			}
			j := p.i
			for j < len(p.s) && (isWord(rune(p.s[j])) || p.s[j] == '-' || p.s[j] == '@' || p.s[j] >= 0x80) {
				j++
			}
			if j == p.i {
				return nil, errPattern
			}
			n.sel = append(n.sel, p.s[p.i:j])
			p.i = j
			continue
		case '[':
			j := strings.IndexByte(p.s[p.i:], ']')
			if j < 0 {
				return nil, errPattern
			}
			step := p.s[p.i : p.i+j+1]
			if step == "[*]" {
				step = "*"
			}
			n.sel = append(n.sel, step)
			p.i += j + 1
			continue
		}
		break
	}
	p.skip()
	rest := p.s[p.i:]
	for _, kw := range []string{"IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS", "EXISTS"} {
		if strings.HasPrefix(rest, kw) {
			p.i += len(kw)
			n.is = strings.TrimPrefix(kw, "IS ")
			return n, nil
		}
	}
	op := ""
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.eat(o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, errPattern
	}
	lit, q, err := p.literal()
	if err != nil {
		return nil, err
	}
	if n.c, err = newCond(op, lit, q); err != nil {
		return nil, err
	}
	return n, nil
}

// literal reads a quoted string, a %regex% or a bare value (up to a blank,
// ')', '}', '&' or '|').
func (p *jsonParser) literal() (string, bool, error) {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		text, n, err := quoted(p.s[p.i:])
		p.i += n
		return text, true, err
	}
	if p.i < len(p.s) && p.s[p.i] == '%' {
		j := strings.IndexByte(p.s[p.i+1:], '%')
		if j < 0 {
			return "", false, errPattern
		}
		lit := p.s[p.i : p.i+j+2]
		p.i += j + 2
		return lit, false, nil
	}
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(" \t)}&|", rune(p.s[j])) {
		j++
	}
	if j == p.i {
		return "", false, errPattern
	}
	lit := p.s[p.i:j]
	p.i = j
	return lit, false, nil
}

// --- space-delimited: [ip, user, ..., status = 4*, bytes > 1000] ---

type field struct {
	name  string
	any   bool // "...": any number of fields
	conds []*cond
	ors   []bool // ors[i]: conds[i+1] joins with || (else &&)
}

func (f *field) test(v string) bool {
	if len(f.conds) == 0 {
		return true
	}
	n, err := strconv.ParseFloat(v, 64)
	isNum := err == nil
	res := f.conds[0].test(v, n, isNum)
	for i, c := range f.conds[1:] {
		if f.ors[i] {
			res = res || c.test(v, n, isNum)
		} else {
			res = res && c.test(v, n, isNum)
		}
	}
	return res
}

type delimPattern struct{ fields []*field }

func parseDelimited(s string) (pattern, error) {
	if !strings.HasSuffix(s, "]") {
		return nil, errPattern
	}
	body := s[1 : len(s)-1]
	p := &delimPattern{}
	for _, part := range splitTop(body, ',') {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, errPattern
		}
		if part == "..." {
			// Runs of "..." are one: it already takes any number of fields.
			if n := len(p.fields); n == 0 || !p.fields[n-1].any {
				p.fields = append(p.fields, &field{any: true})
			}
			continue
		}
		f, err := parseField(part)
		if err != nil {
			return nil, err
		}
		p.fields = append(p.fields, f)
	}
	return p, nil
}

// splitTop splits s at sep outside double quotes.
func splitTop(s string, sep byte) []string {
	var out []string
	in := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && in:
			i++
		case s[i] == '"':
			in = !in
		case s[i] == sep && !in:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// parseField reads "name" or "name op value [&&|| name op value ...]".
func parseField(s string) (*field, error) {
	jp := &jsonParser{s: s}
	f := &field{}
	for {
		jp.skip()
		j := jp.i
		for j < len(s) && (isWord(rune(s[j])) || s[j] == '-' || s[j] == '.') {
			j++
		}
		if j == jp.i {
			return nil, errPattern
		}
		name := s[jp.i:j]
		if f.name == "" {
			f.name = name
		} else if name != f.name {
			return nil, errPattern
		}
		jp.i = j
		if jp.skip(); jp.i == len(s) {
			if len(f.conds) == 0 {
				return f, nil
			}
			return nil, errPattern
		}
		op := ""
		for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
			if jp.eat(o) {
				op = o
				break
			}
		}
		if op == "" {
			return nil, errPattern
		}
		lit, q, err := jp.literal()
		if err != nil {
			return nil, err
		}
		c, err := newCond(op, lit, q)
		if err != nil {
			return nil, err
		}
		f.conds = append(f.conds, c)
		if jp.skip(); jp.i == len(s) {
			return f, nil
		}
		switch {
		case jp.eat("&&"):
			f.ors = append(f.ors, false)
		case jp.eat("||"):
			f.ors = append(f.ors, true)
		default:
			return nil, errPattern
		}
	}
}

// splitFields cuts a message into space-delimited fields; a field in double
// quotes or square brackets is one field, without its delimiters.
func splitFields(msg string) []string {
	var out []string
	for i := 0; i < len(msg); {
		switch msg[i] {
		case ' ', '\t':
			i++
			continue
		case '"', '[':
			close := byte('"')
			if msg[i] == '[' {
				close = ']'
			}
			j := strings.IndexByte(msg[i+1:], close)
			if j >= 0 {
				out = append(out, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(msg) && msg[j] != ' ' && msg[j] != '\t' {
			j++
		}
		out = append(out, msg[i:j])
		i = j
	}
	return out
}

func (p *delimPattern) match(msg string) bool {
	return matchFields(p.fields, splitFields(strings.TrimRight(msg, "\r\n")))
}

func matchFields(fs []*field, vs []string) bool {
	if len(fs) == 0 {
		return len(vs) == 0
	}
	if fs[0].any {
		for k := 0; k <= len(vs); k++ {
			if matchFields(fs[1:], vs[k:]) {
				return true
			}
		}
		return false
	}
	return len(vs) > 0 && fs[0].test(vs[0]) && matchFields(fs[1:], vs[1:])
}
