package dynamodb

import (
	"crypto/md5"
	"encoding/binary"
	"github.com/fogbank/fogbank/internal/lazy"

	"github.com/fogbank/fogbank/internal/services/dynamodb/expr"
)

// Items are stored in a compact binary form rather than JSON: a put or get then
// costs one pass over the bytes with no reflection. Layout: uvarint attribute
// count, then per attribute uvarint name length, name, value. A value is a type
// byte followed by its body (strings and numbers length-prefixed; sets, lists
// and maps count-prefixed).
const (
	vS byte = iota + 1
	vN
	vB
	vBOOL
	vNULL
	vSS
	vNS
	vBS
	vL
	vM
)

func encodeItem(it expr.Item) []byte {
	b := make([]byte, 0, 64)
	b = binary.AppendUvarint(b, uint64(len(it)))
	for k, v := range it {
		b = appendBytes(b, []byte(k))
		b = appendValue(b, v)
	}
	return b
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValue(b []byte, v *expr.AV) []byte {
	switch {
	case v.S != nil:
		return appendString(append(b, vS), *v.S)
	case v.N != nil:
		return appendString(append(b, vN), *v.N)
	case v.B != nil:
		return appendBytes(append(b, vB), v.B)
	case v.BOOL != nil:
		if *v.BOOL {
			return append(b, vBOOL, 1)
		}
		return append(b, vBOOL, 0)
	case v.NULL != nil:
		return append(b, vNULL)
	case v.SS != nil:
		b = binary.AppendUvarint(append(b, vSS), uint64(len(v.SS)))
		for _, s := range v.SS {
			b = appendString(b, s)
		}
	case v.NS != nil:
		b = binary.AppendUvarint(append(b, vNS), uint64(len(v.NS)))
		for _, s := range v.NS {
			b = appendString(b, s)
		}
	case v.BS != nil:
		b = binary.AppendUvarint(append(b, vBS), uint64(len(v.BS)))
		for _, s := range v.BS {
			b = appendBytes(b, s)
		}
	case v.L != nil:
		b = binary.AppendUvarint(append(b, vL), uint64(len(v.L)))
		for _, e := range v.L {
			b = appendValue(b, e)
		}
	case v.M != nil:
		b = binary.AppendUvarint(append(b, vM), uint64(len(v.M)))
		for k, e := range v.M {
			b = appendString(b, k)
			b = appendValue(b, e)
		}
	default:
		return append(b, vNULL)
	}
	return b
}

var errCorrupt error = lazy.Error("dynamodb: stored item is corrupt")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() int {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)) {
		r.err = errCorrupt
		r.b = nil
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > len(r.b) {
		r.err = errCorrupt
		r.b = nil
		return nil
	}
	s := make([]byte, n)
	copy(s, r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > len(r.b) {
		r.err = errCorrupt
		r.b = nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func decodeItem(b []byte) (expr.Item, error) {
	r := &reader{b: b}
	n := r.uvarint()
	it := make(expr.Item, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.str()
		it[k] = r.value(0)
	}
	if r.err != nil {
		return nil, r.err
	}
	return it, nil
}

var trueV, falseV = true, false

func (r *reader) value(depth int) *expr.AV {
	if depth > 64 {
		r.err = errCorrupt
		return nil
	}
	v := &expr.AV{}
	switch r.byte() {
	case vS:
		s := r.str()
		v.S = &s
	case vN:
		s := r.str()
		v.N = &s
	case vB:
		v.B = r.bytes()
	case vBOOL:
		if r.byte() == 1 {
			v.BOOL = &trueV
		} else {
			v.BOOL = &falseV
		}
	case vNULL:
		v.NULL = &trueV
	case vSS:
		n := r.uvarint()
		v.SS = make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			v.SS = append(v.SS, r.str())
		}
	case vNS:
		n := r.uvarint()
		v.NS = make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			v.NS = append(v.NS, r.str())
		}
	case vBS:
		n := r.uvarint()
		v.BS = make([][]byte, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			v.BS = append(v.BS, r.bytes())
		}
	case vL:
		n := r.uvarint()
		v.L = make([]*expr.AV, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			v.L = append(v.L, r.value(depth+1))
		}
	case vM:
		n := r.uvarint()
		v.M = make(map[string]*expr.AV, n)
		for i := 0; i < n && r.err == nil; i++ {
			k := r.str()
			v.M[k] = r.value(depth + 1)
		}
	default:
		r.err = errCorrupt
	}
	return v
}

// ---- keys ----

// Key bytes are order-preserving, so that bbolt's bytewise order is DynamoDB's
// order: strings and binaries compare as bytes, numbers by value. Each key value
// is self-delimiting, so a partition key followed by a sort key is unambiguous.
//
// A table's item key is: 4 bytes of hash of the partition key (so a Scan walks
// partitions in hash order, as DynamoDB does, and a parallel Scan segment is a
// contiguous hash range), the partition key, then the sort key if any.

// appendKeyValue appends one key attribute's encoding: S and B as bytes with 0x00
// escaped as 0x00 0xFF and a 0x00 0x01 terminator; N as appendNum.
func appendKeyValue(b []byte, v *expr.AV) []byte {
	switch {
	case v.S != nil:
		return appendEscaped(b, []byte(*v.S))
	case v.B != nil:
		return appendEscaped(b, v.B)
	case v.N != nil:
		d, _ := expr.ParseNumber(*v.N)
		return appendNum(b, d)
	}
	return b
}

func appendEscaped(b, s []byte) []byte {
	for _, c := range s {
		if c == 0 {
			b = append(b, 0, 0xFF)
		} else {
			b = append(b, c)
		}
	}
	return append(b, 0, 1)
}

// appendNum encodes a number so that bytes order as values: a class byte
// (negative 1, zero 2, positive 3), then for positives the exponent (biased, 2
// bytes) and the digits (each +1, so none is 0) ended by 0; for negatives the
// same with every byte complemented and ended by 0xFF, reversing the order.
func appendNum(b []byte, d expr.Dec) []byte {
	if d.IsZero() {
		return append(b, 2)
	}
	e := uint16(d.Exp + 1000)
	if !d.Neg {
		b = append(b, 3, byte(e>>8), byte(e))
		for i := 0; i < len(d.Digits); i++ {
			b = append(b, d.Digits[i]-'0'+1)
		}
		return append(b, 0)
	}
	e = ^e
	b = append(b, 1, byte(e>>8), byte(e))
	for i := 0; i < len(d.Digits); i++ {
		b = append(b, ^(d.Digits[i] - '0' + 1))
	}
	return append(b, 0xFF)
}

// hashPrefix is the 4-byte partition hash placed before a partition key: the
// start of MD5("Outliers" + key bytes), the hash DynamoDB Local and dynalite use,
// so that a Scan of string and binary keys comes back in their order.
func hashPrefix(b []byte, vals ...*expr.AV) []byte {
	h := md5.New()
	h.Write([]byte("Outliers"))
	for _, v := range vals {
		h.Write(keyBytes(v))
	}
	var sum [md5.Size]byte
	h.Sum(sum[:0])
	return append(b, sum[:4]...)
}
