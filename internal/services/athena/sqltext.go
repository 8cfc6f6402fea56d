package athena

import (
	"strings"
)

// token is one lexical piece of a statement. Joining every token's text gives
// the statement back, comments and spaces included, so rewriting replaces
// tokens and never re-prints what it did not understand.
type token struct {
	kind byte   // 'w' word, 'q' "quoted" identifier, 'b' `backquoted`, 's' 'string', 'n' number, 'p' punctuation, ' ' space or comment
	text string // as written
	pos  int    // byte offset in the statement
}

// val is a word's upper case, a quoted identifier's or string's content.
func (t token) val() string {
	switch t.kind {
	case 'w':
		return strings.ToUpper(t.text)
	case 'q', 'b':
		return strings.ReplaceAll(t.text[1:len(t.text)-1], t.text[:1]+t.text[:1], t.text[:1])
	case 's':
		return strings.ReplaceAll(t.text[1:len(t.text)-1], "''", "'")
	}
	return t.text
}

// ident is an identifier's name as the catalogue keeps it (lower case).
func (t token) ident() string {
	switch t.kind {
	case 'w':
		return strings.ToLower(t.text)
	case 'q', 'b':
		return strings.ToLower(t.val())
	}
	return ""
}

func (t token) isIdent() bool { return t.kind == 'w' || t.kind == 'q' || t.kind == 'b' }

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// lex splits s into tokens. An unterminated quote or comment runs to the end
// (the engine reports the syntax error).
func lex(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		start := i
		c := s[i]
		var kind byte
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			for i < len(s) && strings.IndexByte(" \t\n\r\f", s[i]) >= 0 {
				i++
			}
			kind = ' '
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			kind = ' '
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				i = len(s)
			} else {
				i += j + 4
			}
			kind = ' '
		case c == '\'' || c == '"' || c == '`':
			i++
			for i < len(s) {
				if s[i] == c {
					if i+1 < len(s) && s[i+1] == c {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			kind = map[byte]byte{'\'': 's', '"': 'q', '`': 'b'}[c]
			if i-start < 2 || s[i-1] != c {
				kind = 'p' // unterminated: let the engine complain
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			for i < len(s) && (isWordByte(s[i]) || s[i] == '.') {
				i++
			}
			kind = 'n'
		case isWordByte(c):
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
			kind = 'w'
		default:
			i++
			kind = 'p'
		}
		out = append(out, token{kind: kind, text: s[start:i], pos: start})
	}
	return out
}

// sig drops spaces and comments.
func sig(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.kind != ' ' {
			out = append(out, t)
		}
	}
	return out
}

func join(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// words tells whether toks begins with the given keywords.
func words(toks []token, kw ...string) bool {
	if len(toks) < len(kw) {
		return false
	}
	for i, k := range kw {
		if toks[i].kind != 'w' || toks[i].val() != k {
			return false
		}
	}
	return true
}

// trimStatement drops a trailing semicolon and surrounding space.
func trimStatement(q string) string {
	q = strings.TrimSpace(q)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	return q
}

// lineCol is the 1-based line and column of byte offset pos of s.
func lineCol(s string, pos int) (int, int) {
	if pos > len(s) {
		pos = len(s)
	}
	line := 1 + strings.Count(s[:pos], "\n")
	col := pos - strings.LastIndexByte(s[:pos], '\n')
	return line, col
}
