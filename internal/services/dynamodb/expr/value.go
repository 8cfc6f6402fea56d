package expr

import (
	"bytes"
	"sort"
	"strings"

	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
)

// AV is a DynamoDB attribute value; Item is a whole item (or any map of them).
type (
	AV   = ddb.AttributeValue
	Item = map[string]*ddb.AttributeValue
)

// TypeOf names the type of v as DynamoDB does ("S", "N", "M", ...); "" when v
// sets no member.
func TypeOf(v *AV) string {
	switch {
	case v == nil:
		return ""
	case v.S != nil:
		return "S"
	case v.N != nil:
		return "N"
	case v.B != nil:
		return "B"
	case v.BOOL != nil:
		return "BOOL"
	case v.NULL != nil:
		return "NULL"
	case v.M != nil:
		return "M"
	case v.L != nil:
		return "L"
	case v.SS != nil:
		return "SS"
	case v.NS != nil:
		return "NS"
	case v.BS != nil:
		return "BS"
	}
	return ""
}

// Num parses v's number (v must be of type N and already validated).
func Num(v *AV) Dec {
	d, _ := ParseNumber(*v.N)
	return d
}

// NumAV makes an N value.
func NumAV(d Dec) *AV { s := d.String(); return &AV{N: &s} }

// Equal tells whether a and b are the same value: numbers by value, sets
// regardless of order.
func Equal(a, b *AV) bool {
	ta, tb := TypeOf(a), TypeOf(b)
	if ta != tb {
		return false
	}
	switch ta {
	case "S":
		return *a.S == *b.S
	case "N":
		return Num(a).Cmp(Num(b)) == 0
	case "B":
		return bytes.Equal(a.B, b.B)
	case "BOOL":
		return *a.BOOL == *b.BOOL
	case "NULL":
		return true
	case "M":
		if len(a.M) != len(b.M) {
			return false
		}
		for k, va := range a.M {
			vb, ok := b.M[k]
			if !ok || !Equal(va, vb) {
				return false
			}
		}
		return true
	case "L":
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !Equal(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case "SS":
		return sameStrings(a.SS, b.SS)
	case "NS":
		if len(a.NS) != len(b.NS) {
			return false
		}
		for _, x := range a.NS {
			if !hasNum(b.NS, x) {
				return false
			}
		}
		return true
	case "BS":
		if len(a.BS) != len(b.BS) {
			return false
		}
		for _, x := range a.BS {
			if !hasBytes(b.BS, x) {
				return false
			}
		}
		return true
	}
	return false
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := make(map[string]bool, len(a))
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

func hasNum(set []string, x string) bool {
	dx, _ := ParseNumber(x)
	for _, y := range set {
		dy, _ := ParseNumber(y)
		if dx.Cmp(dy) == 0 {
			return true
		}
	}
	return false
}

func hasBytes(set [][]byte, x []byte) bool {
	for _, y := range set {
		if bytes.Equal(x, y) {
			return true
		}
	}
	return false
}

// Compare orders two scalars of the same type S, N or B; ok is false for other
// types or mixed types (the comparison is then false, as in DynamoDB).
func Compare(a, b *AV) (c int, ok bool) {
	ta, tb := TypeOf(a), TypeOf(b)
	if ta != tb {
		return 0, false
	}
	switch ta {
	case "S":
		return strings.Compare(*a.S, *b.S), true
	case "N":
		return Num(a).Cmp(Num(b)), true
	case "B":
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// Size is the size of an attribute value as DynamoDB counts it for the 400 KB
// item limit and for capacity: strings and binaries by length, numbers by about
// one byte per two significant digits plus one, documents with a few bytes of
// overhead per element.
func Size(v *AV) int {
	switch TypeOf(v) {
	case "S":
		return len(*v.S)
	case "N":
		return numSize(*v.N)
	case "B":
		return len(v.B)
	case "BOOL", "NULL":
		return 1
	case "SS":
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case "NS":
		n := 0
		for _, s := range v.NS {
			n += numSize(s)
		}
		return n
	case "BS":
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case "M":
		n := 3
		for k, e := range v.M {
			n += len(k) + Size(e) + 1
		}
		return n
	case "L":
		n := 3
		for _, e := range v.L {
			n += Size(e) + 1
		}
		return n
	}
	return 0
}

func numSize(s string) int {
	d, err := ParseNumber(s)
	if err != nil || d.IsZero() {
		return 1
	}
	return (len(d.Digits)+1)/2 + 1
}

// ItemSize is the size of an item: each attribute's name plus its value.
func ItemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + Size(v)
	}
	return n
}

// Copy returns a deep copy of v.
func Copy(v *AV) *AV {
	if v == nil {
		return nil
	}
	c := *v
	if v.M != nil {
		c.M = make(map[string]*AV, len(v.M))
		for k, e := range v.M {
			c.M[k] = Copy(e)
		}
	}
	if v.L != nil {
		c.L = make([]*AV, len(v.L))
		for i, e := range v.L {
			c.L[i] = Copy(e)
		}
	}
	if v.SS != nil {
		c.SS = append([]string{}, v.SS...)
	}
	if v.NS != nil {
		c.NS = append([]string{}, v.NS...)
	}
	if v.BS != nil {
		c.BS = append([][]byte{}, v.BS...)
	}
	return &c
}

// CopyItem returns a deep copy of it.
func CopyItem(it Item) Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = Copy(v)
	}
	return c
}

// Describe prints v the way DynamoDB's error messages show a value:
// {S:abc}, {N:1}, {SS:[a, b]}.
func Describe(v *AV) string {
	t := TypeOf(v)
	var s string
	switch t {
	case "S":
		s = *v.S
	case "N":
		s = *v.N
	case "B":
		s = "0x" + strings.ToUpper(hexString(v.B))
	case "BOOL":
		if *v.BOOL {
			s = "true"
		} else {
			s = "false"
		}
	case "NULL":
		s = "true"
	case "SS":
		s = "[" + strings.Join(v.SS, ", ") + "]"
	case "NS":
		s = "[" + strings.Join(v.NS, ", ") + "]"
	case "M":
		keys := make([]string, 0, len(v.M))
		for k := range v.M {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + Describe(v.M[k])
		}
		s = "{" + strings.Join(parts, ", ") + "}"
	case "L":
		parts := make([]string, len(v.L))
		for i, e := range v.L {
			parts[i] = Describe(e)
		}
		s = "[" + strings.Join(parts, ", ") + "]"
	}
	return "{" + t + ":" + s + "}"
}

func hexString(b []byte) string {
	const h = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = h[c>>4], h[c&15]
	}
	return string(out)
}
