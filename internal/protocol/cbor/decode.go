package cbor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Tag is a tagged item (major type 6) other than those Decode resolves itself.
type Tag struct {
	Number  uint64
	Content any
}

// Simple is a simple value (major type 7) with no meaning of its own here.
type Simple uint8

// Undefined is the CBOR undefined value (simple 23).
type Undefined struct{}

// MaxDepth bounds nesting so hostile input cannot exhaust the stack.
const MaxDepth = 256

// What one body may become is bounded in bytes of memory, as jsonbody bounds
// JSON: without a bound 16 MB of one-byte empty maps (0xa0) would become 16
// million Go maps (~4.6 GB). The budget is MinBudget, or BudgetFactor times
// the data when that is more; the costs are jsonbody's estimates of Go's
// maps, slices and boxed values.
const (
	MinBudget    = 32 << 20
	BudgetFactor = 2

	costMap      = 288
	costMapEntry = 40
	costElem     = 32
	costScalar   = 16
)

// Error is a malformed-input error, with the offset where decoding stopped.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("cbor: %s at offset %d", e.Msg, e.Offset) }

var errBreak = errors.New("break")

// Decode reads the single data item that makes up data. Values come back as:
// uint64 (major 0), int64 (major 1; float64 when below math.MinInt64), []byte,
// string, []any, map[string]any (only text keys are accepted), Tag, bool, nil,
// Undefined, Simple, and float64 (half, single and double precision alike).
// Indefinite-length strings, arrays and maps are accepted.
func Decode(data []byte) (any, error) {
	d := decoder{data: data, budget: max(MinBudget, BudgetFactor*len(data))}
	v, err := d.item(0)
	if err == errBreak {
		return nil, d.fail("unexpected break")
	}
	if err != nil {
		return nil, err
	}
	if d.off != len(d.data) {
		return nil, d.fail("unexpected data after the item")
	}
	return v, nil
}

type decoder struct {
	data   []byte
	off    int
	budget int // bytes of memory the decoded values may still take
}

// spend takes n bytes from the budget; an error once it is spent.
func (d *decoder) spend(n int) error {
	if d.budget -= n; d.budget < 0 {
		return d.fail("data decodes to more than its memory budget")
	}
	return nil
}

func (d *decoder) fail(msg string) error { return &Error{Offset: d.off, Msg: msg} }

// head reads an item head: its major type, additional info and argument.
// For indefinite lengths (info 31) the argument is meaningless.
func (d *decoder) head() (major, info byte, arg uint64, err error) {
	if d.off >= len(d.data) {
		return 0, 0, 0, d.fail("unexpected end of data")
	}
	ib := d.data[d.off]
	d.off++
	major, info = ib>>5, ib&0x1f
	switch {
	case info < 24:
		return major, info, uint64(info), nil
	case info <= 27:
		n := 1 << (info - 24)
		if len(d.data)-d.off < n {
			return 0, 0, 0, d.fail("unexpected end of data")
		}
		p := d.data[d.off : d.off+n]
		d.off += n
		switch n {
		case 1:
			arg = uint64(p[0])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(p))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(p))
		default:
			arg = binary.BigEndian.Uint64(p)
		}
		return major, info, arg, nil
	case info == 31:
		if major == MajorUint || major == MajorNegInt || major == MajorTag {
			return 0, 0, 0, d.fail("indefinite length not allowed for this major type")
		}
		return major, info, 0, nil
	}
	return 0, 0, 0, d.fail("reserved additional information")
}

func (d *decoder) item(depth int) (any, error) {
	if depth > MaxDepth {
		return nil, d.fail("nesting too deep")
	}
	major, info, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	if err := d.spend(costScalar); err != nil {
		return nil, err
	}
	switch major {
	case MajorUint:
		return arg, nil
	case MajorNegInt:
		if arg > math.MaxInt64 {
			return -1 - float64(arg), nil
		}
		return -1 - int64(arg), nil
	case MajorBytes, MajorText:
		var p []byte
		if info == 31 {
			p, err = d.chunks(major)
		} else {
			p, err = d.take(arg)
		}
		if err != nil {
			return nil, err
		}
		if err := d.spend(len(p)); err != nil {
			return nil, err
		}
		if major == MajorBytes {
			out := make([]byte, len(p))
			copy(out, p)
			return out, nil
		}
		if !utf8.Valid(p) {
			return nil, d.fail("text string is not valid UTF-8")
		}
		return string(p), nil
	case MajorArray:
		if info == 31 {
			list := []any{}
			for {
				v, err := d.item(depth + 1)
				if err == errBreak {
					return list, nil
				}
				if err != nil {
					return nil, err
				}
				if err := d.spend(costElem); err != nil {
					return nil, err
				}
				list = append(list, v)
			}
		}
		// Each item takes at least one byte: a length beyond what is left is a lie.
		if arg > uint64(len(d.data)-d.off) {
			return nil, d.fail("array longer than the data")
		}
		if err := d.spend(int(arg) * costElem); err != nil {
			return nil, err
		}
		list := make([]any, 0, arg)
		for i := uint64(0); i < arg; i++ {
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, d.noBreak(err)
			}
			list = append(list, v)
		}
		return list, nil
	case MajorMap:
		if info != 31 && arg > uint64(len(d.data)-d.off)/2 {
			return nil, d.fail("map longer than the data")
		}
		if err := d.spend(costMap); err != nil {
			return nil, err
		}
		m := make(map[string]any, min(arg, 64))
		for i := uint64(0); info == 31 || i < arg; i++ {
			if i >= 8 {
				if err := d.spend(costMapEntry); err != nil {
					return nil, err
				}
			}
			k, err := d.item(depth + 1)
			if err == errBreak && info == 31 {
				return m, nil
			}
			if err != nil {
				return nil, d.noBreak(err)
			}
			key, ok := k.(string)
			if !ok {
				return nil, d.fail("map key is not a text string")
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, d.noBreak(err)
			}
			m[key] = v
		}
		return m, nil
	case MajorTag:
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, d.noBreak(err)
		}
		return Tag{Number: arg, Content: v}, nil
	}
	// Major type 7.
	switch info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22:
		return nil, nil
	case 23:
		return Undefined{}, nil
	case 24:
		if arg < 32 {
			return nil, d.fail("invalid simple value")
		}
		return Simple(arg), nil
	case 25:
		return halfToFloat(uint16(arg)), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	case 31:
		return nil, errBreak
	}
	return Simple(info), nil
}

// noBreak turns a break where an item was due into an error.
func (d *decoder) noBreak(err error) error {
	if err == errBreak {
		return d.fail("unexpected break")
	}
	return err
}

func (d *decoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.off) {
		return nil, d.fail("string longer than the data")
	}
	p := d.data[d.off : d.off+int(n)]
	d.off += int(n)
	return p, nil
}

// chunks reads the definite-length chunks of an indefinite-length string.
func (d *decoder) chunks(major byte) ([]byte, error) {
	var out []byte
	for {
		m, info, arg, err := d.head()
		if err != nil {
			return nil, err
		}
		if m == MajorSimple && info == 31 {
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		if m != major || info == 31 {
			return nil, d.fail("bad chunk in indefinite-length string")
		}
		p, err := d.take(arg)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
}

// halfToFloat widens an IEEE 754 half-precision float.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(mant, -24)
	case 31:
		if mant == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(mant+1024, exp-25)
}
