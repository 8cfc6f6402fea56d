package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"github.com/fogbank/fogbank/internal/lazy"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition is one key of one operator of a Condition block: the block holds
// when every Condition of the statement holds.
type Condition struct {
	Operator string // as written: "ForAnyValue:StringLikeIfExists"
	Key      string // as written; looked up case-insensitively
	Values   []string

	base     string // "StringLike"
	set      setQualifier
	ifExists bool
	negated  bool
	match    func(ctxValue, policyValue string) bool
	lkey     string // Key in lower case
	vars     bool   // some value holds a ${variable}
	globby   bool   // the operator reads wildcards in its values
}

type setQualifier int

const (
	setNone setQualifier = iota
	setForAll
	setForAny
)

// operators are the base operators (without IfExists or a set qualifier):
// the positive match and whether the operator is its negation.
type operator struct {
	match   func(c, p string) bool
	negated bool
}

var operators = lazy.Value[map[string]operator]{New: func() map[string]operator {
	return map[string]operator{
		"StringEquals":              {strEquals, false},
		"StringNotEquals":           {strEquals, true},
		"StringEqualsIgnoreCase":    {strings.EqualFold, false},
		"StringNotEqualsIgnoreCase": {strings.EqualFold, true},
		"StringLike":                {strLike, false},
		"StringNotLike":             {strLike, true},
		"NumericEquals":             {numCmp(func(c int) bool { return c == 0 }), false},
		"NumericNotEquals":          {numCmp(func(c int) bool { return c == 0 }), true},
		"NumericLessThan":           {numCmp(func(c int) bool { return c < 0 }), false},
		"NumericLessThanEquals":     {numCmp(func(c int) bool { return c <= 0 }), false},
		"NumericGreaterThan":        {numCmp(func(c int) bool { return c > 0 }), false},
		"NumericGreaterThanEquals":  {numCmp(func(c int) bool { return c >= 0 }), false},
		"DateEquals":                {dateCmp(func(c int) bool { return c == 0 }), false},
		"DateNotEquals":             {dateCmp(func(c int) bool { return c == 0 }), true},
		"DateLessThan":              {dateCmp(func(c int) bool { return c < 0 }), false},
		"DateLessThanEquals":        {dateCmp(func(c int) bool { return c <= 0 }), false},
		"DateGreaterThan":           {dateCmp(func(c int) bool { return c > 0 }), false},
		"DateGreaterThanEquals":     {dateCmp(func(c int) bool { return c >= 0 }), false},
		"Bool":                      {strings.EqualFold, false},
		"BinaryEquals":              {binEquals, false},
		"IpAddress":                 {ipIn, false},
		"NotIpAddress":              {ipIn, true},
		"ArnEquals":                 {arnLike, false},
		"ArnLike":                   {arnLike, false},
		"ArnNotEquals":              {arnLike, true},
		"ArnNotLike":                {arnLike, true},
		"Null":                      {nil, false},
	}
}}

func parseConditions(v any, vars bool) ([]*Condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	var out []*Condition
	for _, op := range sortedKeys(m) {
		keys, ok := m[op].(map[string]any)
		if !ok {
			return nil, malformed(msgSyntax)
		}
		c := Condition{Operator: op}
		name := op
		switch {
		case strings.HasPrefix(name, "ForAllValues:"):
			c.set, name = setForAll, name[len("ForAllValues:"):]
		case strings.HasPrefix(name, "ForAnyValue:"):
			c.set, name = setForAny, name[len("ForAnyValue:"):]
		}
		if n, ok := strings.CutSuffix(name, "IfExists"); ok && n != "Null" {
			c.ifExists, name = true, n
		}
		def, ok := operators.Get()[name]
		if !ok {
			return nil, malformed("Invalid Condition type : %s", op)
		}
		c.base, c.match, c.negated = name, def.match, def.negated
		c.globby = strings.HasSuffix(name, "Like") || strings.HasPrefix(name, "Arn")
		for _, key := range sortedKeys(keys) {
			if i := strings.IndexByte(key, ':'); i <= 0 {
				return nil, malformed(msgVendor)
			}
			vals, err := conditionValues(keys[key])
			if err != nil {
				return nil, err
			}
			cc := c
			cc.Key, cc.lkey, cc.Values = key, strings.ToLower(key), vals
			if vars {
				for _, v := range vals {
					if strings.Contains(v, "${") {
						cc.vars = true
					}
				}
			}
			if name == "Null" {
				for _, v := range vals {
					if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
						return nil, malformed("Invalid Condition value for Null : %s", v)
					}
				}
			}
			out = append(out, &cc)
		}
	}
	return out, nil
}

// conditionValues reads a condition's value: a string, number or boolean, or a
// list of them.
func conditionValues(v any) ([]string, error) {
	one := func(e any) (string, bool) {
		switch x := e.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			return nil, malformed(msgSyntax)
		}
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := one(e)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := one(v)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	return []string{s}, nil
}

// eval says whether c holds in the request's context.
func (c *Condition) eval(r *Request) bool {
	vals, present := r.value(c.lkey)
	if c.base == "Null" {
		// "true": the key must be absent (or empty); "false": present.
		want := strings.EqualFold(c.Values[0], "true")
		return want == (!present || len(vals) == 0)
	}
	if !present || len(vals) == 0 {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAll:
			return true // vacuously: no value fails
		case c.set == setForAny:
			return false
		}
		return c.negated
	}
	// matches is the positive operator on one context value against any of
	// the policy's values.
	matches := func(cv string) bool {
		for _, pv := range c.Values {
			if c.vars && strings.Contains(pv, "${") {
				var ok bool
				if pv, ok = substitute(pv, r, c.globby); !ok {
					continue
				}
			}
			if c.match(cv, pv) {
				return true
			}
		}
		return false
	}
	switch c.set {
	case setForAll:
		for _, v := range vals {
			if matches(v) == c.negated {
				return false
			}
		}
		return true
	case setForAny:
		for _, v := range vals {
			if matches(v) != c.negated {
				return true
			}
		}
		return false
	}
	any := false
	for _, v := range vals {
		if matches(v) {
			any = true
			break
		}
	}
	return any != c.negated
}

func strEquals(c, p string) bool { return c == p }

func strLike(c, p string) bool { return glob(p, c, false) }

func numCmp(ok func(int) bool) func(c, p string) bool {
	return func(c, p string) bool {
		a, ok1 := new(big.Float).SetString(c)
		b, ok2 := new(big.Float).SetString(p)
		if !ok1 || !ok2 {
			return false
		}
		return ok(a.Cmp(b))
	}
}

// parseDate reads the forms IAM accepts: ISO 8601 dates and times, or epoch
// seconds.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

func dateCmp(ok func(int) bool) func(c, p string) bool {
	return func(c, p string) bool {
		a, ok1 := parseDate(c)
		b, ok2 := parseDate(p)
		if !ok1 || !ok2 {
			return false
		}
		return ok(a.Compare(b))
	}
}

func binEquals(c, p string) bool {
	a, err1 := base64.StdEncoding.DecodeString(c)
	b, err2 := base64.StdEncoding.DecodeString(p)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

func ipIn(c, p string) bool {
	addr, err := netip.ParseAddr(c)
	if err != nil {
		return false
	}
	if pfx, err := netip.ParsePrefix(p); err == nil {
		return pfx.Masked().Contains(addr.Unmap())
	}
	if a, err := netip.ParseAddr(p); err == nil {
		return a == addr.Unmap()
	}
	return false
}

func arnLike(c, p string) bool { return matchARN(p, c) }
