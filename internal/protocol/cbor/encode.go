package cbor

import (
	"encoding/binary"
	"math"
)

// Major types (RFC 8949 §3.1).
const (
	MajorUint   = 0
	MajorNegInt = 1
	MajorBytes  = 2
	MajorText   = 3
	MajorArray  = 4
	MajorMap    = 5
	MajorTag    = 6
	MajorSimple = 7
)

// TagEpoch is tag 1, an epoch-based date/time.
const TagEpoch = 1

// AppendHead appends an item head: the major type and the argument n, in the
// shortest form (preferred serialization, RFC 8949 §4.1).
func AppendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

// AppendUint appends an unsigned integer.
func AppendUint(b []byte, n uint64) []byte { return AppendHead(b, MajorUint, n) }

// AppendInt appends a signed integer as major type 0 or 1.
func AppendInt(b []byte, n int64) []byte {
	if n >= 0 {
		return AppendHead(b, MajorUint, uint64(n))
	}
	return AppendHead(b, MajorNegInt, uint64(-1-n))
}

// AppendFloat64 appends a double-precision float.
func AppendFloat64(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(f))
}

// AppendFloat32 appends a single-precision float.
func AppendFloat32(b []byte, f float32) []byte {
	return binary.BigEndian.AppendUint32(append(b, 0xfa), math.Float32bits(f))
}

// AppendFloat appends f in the smallest of single or double precision that holds
// it exactly; Smithy asks for no half-precision floats on the wire.
func AppendFloat(b []byte, f float64) []byte {
	if f32 := float32(f); float64(f32) == f || math.IsNaN(f) {
		return AppendFloat32(b, f32)
	}
	return AppendFloat64(b, f)
}

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xf5)
	}
	return append(b, 0xf4)
}

// AppendNull appends null.
func AppendNull(b []byte) []byte { return append(b, 0xf6) }

// AppendText appends a text string.
func AppendText(b []byte, s string) []byte {
	return append(AppendHead(b, MajorText, uint64(len(s))), s...)
}

// AppendBytes appends a byte string.
func AppendBytes(b []byte, p []byte) []byte {
	return append(AppendHead(b, MajorBytes, uint64(len(p))), p...)
}

// AppendArrayHead starts an array of n items.
func AppendArrayHead(b []byte, n int) []byte { return AppendHead(b, MajorArray, uint64(n)) }

// AppendMapHead starts a map of n pairs.
func AppendMapHead(b []byte, n int) []byte { return AppendHead(b, MajorMap, uint64(n)) }

// AppendTag starts a tagged item.
func AppendTag(b []byte, tag uint64) []byte { return AppendHead(b, MajorTag, tag) }

// AppendIndefiniteMap starts a map whose end is a Break; useful when the number
// of pairs is not known until they are written.
func AppendIndefiniteMap(b []byte) []byte { return append(b, 0xbf) }

// AppendIndefiniteArray starts an array whose end is a Break.
func AppendIndefiniteArray(b []byte) []byte { return append(b, 0x9f) }

// AppendBreak ends an indefinite-length item.
func AppendBreak(b []byte) []byte { return append(b, 0xff) }

// Encode appends the CBOR of a decoded value: the inverse of Decode, for tests
// and for values built by hand. Maps are written in Go's map order.
func Encode(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return AppendNull(b)
	case Undefined:
		return append(b, 0xf7)
	case bool:
		return AppendBool(b, x)
	case uint64:
		return AppendUint(b, x)
	case int64:
		return AppendInt(b, x)
	case int:
		return AppendInt(b, int64(x))
	case float64:
		return AppendFloat64(b, x)
	case float32:
		return AppendFloat32(b, x)
	case string:
		return AppendText(b, x)
	case []byte:
		return AppendBytes(b, x)
	case []any:
		b = AppendArrayHead(b, len(x))
		for _, e := range x {
			b = Encode(b, e)
		}
		return b
	case map[string]any:
		b = AppendMapHead(b, len(x))
		for k, e := range x {
			b = AppendText(b, k)
			b = Encode(b, e)
		}
		return b
	case Tag:
		return Encode(AppendTag(b, x.Number), x.Content)
	case Simple:
		if x < 24 {
			return append(b, 0xe0|byte(x))
		}
		return append(b, 0xf8, byte(x))
	}
	return AppendNull(b)
}
