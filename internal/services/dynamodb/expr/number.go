package expr

import (
	"github.com/fogbank/fogbank/internal/lazy"
	"math/big"
	"strings"
)

// Dec is a DynamoDB number: a decimal of up to 38 significant digits, between
// 1E-130 and 9.99...E+125 in magnitude (or zero). Value = 0.Digits × 10^Exp.
// Digits has no leading or trailing zeros; it is empty for zero.
type Dec struct {
	Neg    bool
	Digits string
	Exp    int
}

// The errors of ParseNumber and arithmetic, in DynamoDB's words.
var (
	ErrNumberPrecision error = lazy.Error("Attempting to store more than 38 significant digits in a Number")
	ErrNumberOverflow  error = lazy.Error("Number overflow. Attempting to store a number with magnitude larger than supported range")
	ErrNumberUnderflow error = lazy.Error("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	ErrNumberSyntax    error = lazy.Error("The parameter cannot be converted to a numeric value")
)

// ParseNumber parses a number as DynamoDB accepts it: optional sign, digits with
// an optional point, optional exponent. Spaces around are allowed, as AWS does.
func ParseNumber(s string) (Dec, error) {
	var d Dec
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.Neg = s[i] == '-'
		i++
	}
	var digits []byte
	pointPos := -1
	seen := false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
			seen = true
		} else if c == '.' && pointPos < 0 {
			pointPos = len(digits)
		} else {
			break
		}
	}
	if !seen {
		return Dec{}, ErrNumberSyntax
	}
	if pointPos < 0 {
		pointPos = len(digits)
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		if i >= len(s) {
			return Dec{}, ErrNumberSyntax
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return Dec{}, ErrNumberSyntax
			}
			if exp < 100000 {
				exp = exp*10 + int(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return Dec{}, ErrNumberSyntax
	}
	// Strip leading zeros (moving the point) and trailing zeros.
	lead := 0
	for lead < len(digits) && digits[lead] == '0' {
		lead++
	}
	digits = digits[lead:]
	pointPos -= lead
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		return Dec{}, nil
	}
	d.Digits = string(digits)
	d.Exp = pointPos + exp
	return d, d.check()
}

// check applies DynamoDB's precision and range limits.
func (d Dec) check() error {
	if d.Digits == "" {
		return nil
	}
	if len(d.Digits) > 38 {
		return ErrNumberPrecision
	}
	if d.Exp > 126 {
		return ErrNumberOverflow
	}
	if d.Exp < -129 {
		return ErrNumberUnderflow
	}
	return nil
}

// IsZero tells whether d is zero.
func (d Dec) IsZero() bool { return d.Digits == "" }

// String is the canonical form DynamoDB returns: plain decimal notation, no
// exponent, no superfluous zeros.
func (d Dec) String() string {
	if d.Digits == "" {
		return "0"
	}
	var b strings.Builder
	if d.Neg {
		b.WriteByte('-')
	}
	switch {
	case d.Exp <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -d.Exp))
		b.WriteString(d.Digits)
	case d.Exp >= len(d.Digits):
		b.WriteString(d.Digits)
		b.WriteString(strings.Repeat("0", d.Exp-len(d.Digits)))
	default:
		b.WriteString(d.Digits[:d.Exp])
		b.WriteByte('.')
		b.WriteString(d.Digits[d.Exp:])
	}
	return b.String()
}

// Cmp compares a and b: -1, 0 or 1.
func (a Dec) Cmp(b Dec) int {
	as, bs := a.sign(), b.sign()
	if as != bs {
		if as < bs {
			return -1
		}
		return 1
	}
	if as == 0 {
		return 0
	}
	m := cmpMag(a, b)
	if as < 0 {
		return -m
	}
	return m
}

func (d Dec) sign() int {
	switch {
	case d.Digits == "":
		return 0
	case d.Neg:
		return -1
	}
	return 1
}

func cmpMag(a, b Dec) int {
	if a.Exp != b.Exp {
		if a.Exp < b.Exp {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Digits, b.Digits)
}

// Add returns a+b, or an error when the result leaves DynamoDB's range or needs
// more than 38 digits.
func (a Dec) Add(b Dec) (Dec, error) {
	if a.IsZero() {
		return b, nil
	}
	if b.IsZero() {
		return a, nil
	}
	// value = int(Digits) × 10^(Exp-len(Digits)); align on the smaller scale.
	sa, sb := a.Exp-len(a.Digits), b.Exp-len(b.Digits)
	scale := min(sa, sb)
	ia, ib := a.bigAt(scale), b.bigAt(scale)
	sum := new(big.Int).Add(ia, ib)
	return fromBig(sum, scale)
}

// Sub returns a-b.
func (a Dec) Sub(b Dec) (Dec, error) {
	if !b.IsZero() {
		b.Neg = !b.Neg
	}
	return a.Add(b)
}

func (d Dec) bigAt(scale int) *big.Int {
	n, _ := new(big.Int).SetString(d.Digits, 10)
	shift := d.Exp - len(d.Digits) - scale
	if shift > 0 {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	}
	if d.Neg {
		n.Neg(n)
	}
	return n
}

func fromBig(n *big.Int, scale int) (Dec, error) {
	if n.Sign() == 0 {
		return Dec{}, nil
	}
	s := n.String()
	var d Dec
	if s[0] == '-' {
		d.Neg = true
		s = s[1:]
	}
	d.Exp = len(s) + scale
	d.Digits = strings.TrimRight(s, "0")
	return d, d.check()
}
