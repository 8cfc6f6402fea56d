package expr

import (
	"strings"
)

// tokKind is the kind of one lexical token.
type tokKind int

const (
	tEOF   tokKind = iota
	tName          // a bare identifier (attribute name, keyword or function)
	tAttrN         // #name
	tAttrV         // :value
	tNum           // digits (list indexes)
	tPunct         // ( ) [ ] , . = <> < <= > >= + -
	tBad           // a character that starts no token
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) is(p string) bool { return t.kind == tPunct && t.text == p }

// kw tells whether t is the keyword k (case-insensitive).
func (t token) kw(k string) bool { return t.kind == tName && strings.EqualFold(t.text, k) }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

// lex splits an expression into tokens. A character that starts no token ends the
// list with a tBad token, which the parser reports as a syntax error.
func lex(s string) []token {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isLetter(c):
			j := i + 1
			for j < len(s) && isWord(s[j]) {
				j++
			}
			out = append(out, token{tName, s[i:j], i})
			i = j
		case c == '#' || c == ':':
			j := i + 1
			for j < len(s) && isWord(s[j]) {
				j++
			}
			k := tAttrN
			if c == ':' {
				k = tAttrV
			}
			if j == i+1 {
				out = append(out, token{tBad, s[i : i+1], i})
				return append(out, token{tEOF, "", len(s)})
			}
			out = append(out, token{k, s[i:j], i})
			i = j
		case isDigit(c):
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			out = append(out, token{tNum, s[i:j], i})
			i = j
		case c == '<':
			if i+1 < len(s) && (s[i+1] == '>' || s[i+1] == '=') {
				out = append(out, token{tPunct, s[i : i+2], i})
				i += 2
			} else {
				out = append(out, token{tPunct, "<", i})
				i++
			}
		case c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				out = append(out, token{tPunct, ">=", i})
				i += 2
			} else {
				out = append(out, token{tPunct, ">", i})
				i++
			}
		case strings.IndexByte("()[],.=+-", c) >= 0:
			out = append(out, token{tPunct, s[i : i+1], i})
			i++
		default:
			out = append(out, token{tBad, s[i : i+1], i})
			return append(out, token{tEOF, "", len(s)})
		}
	}
	return append(out, token{tEOF, "", len(s)})
}
