package policy

import "strings"

// substitute replaces the policy variables of s (${key}, ${key, 'default'},
// ${*}, ${?}, ${$}) from the request's context. ok is false when a variable has
// no value and no default: a Resource holding it matches nothing, a condition
// value holding it matches nothing. Literal characters that would be
// wildcards come back as litStar/litQuest when pattern is true.
func substitute(s string, r *Request, pattern bool) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		name := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch name {
		case "*":
			b.WriteByte(lit('*', pattern))
			continue
		case "?":
			b.WriteByte(lit('?', pattern))
			continue
		case "$":
			b.WriteByte('$')
			continue
		}
		def, hasDef := "", false
		if k := strings.IndexByte(name, ','); k >= 0 {
			d := strings.TrimSpace(name[k+1:])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
			name = strings.TrimSpace(name[:k])
		}
		v, ok := r.value(strings.ToLower(name))
		switch {
		case ok && len(v) == 1:
			writeLiteral(&b, v[0], pattern)
		case hasDef:
			writeLiteral(&b, def, pattern)
		default:
			return "", false
		}
	}
}

func lit(c byte, pattern bool) byte {
	if !pattern {
		return c
	}
	if c == '*' {
		return litStar
	}
	return litQuest
}

// writeLiteral writes a substituted value, its wildcard characters literal.
func writeLiteral(b *strings.Builder, v string, pattern bool) {
	if !pattern || !strings.ContainsAny(v, "*?") {
		b.WriteString(v)
		return
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '*', '?':
			b.WriteByte(lit(v[i], true))
		default:
			b.WriteByte(v[i])
		}
	}
}
