package jsonbody

import (
	"bufio"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Check reads r to its end, or to max bytes, and tells whether it holds
// exactly one JSON value (or only white space) that parse would accept: the
// same grammar, UTF-8, surrogate and depth rules. It keeps nothing: memory is
// a read buffer and the nesting stack whatever the size of the body, so a body
// can be judged before anyone is known to be allowed to send it. tooLarge is
// true when r holds more than max bytes (the rest is not read).
func Check(r io.Reader, max int64) (ok, tooLarge bool) {
	lr := &io.LimitedReader{R: r, N: max + 1}
	c := checker{r: bufio.NewReaderSize(lr, 32<<10)}
	c.space()
	if _, err := c.r.Peek(1); err == io.EOF {
		return lr.N > 0, lr.N <= 0 // blank
	}
	c.value(0)
	if !c.bad {
		c.space()
		if _, err := c.r.ReadByte(); err != io.EOF {
			c.bad = true
		}
	}
	if lr.N <= 0 {
		return false, true
	}
	if c.bad {
		// Read on, so that a body too large is told so whatever it holds.
		io.Copy(io.Discard, c.r)
		if lr.N <= 0 {
			return false, true
		}
	}
	return !c.bad, false
}

type checker struct {
	r   *bufio.Reader
	bad bool
}

func (c *checker) next() byte {
	b, err := c.r.ReadByte()
	if err != nil {
		c.bad = true
		return 0
	}
	return b
}

func (c *checker) peek() byte {
	b, err := c.r.Peek(1)
	if err != nil {
		c.bad = true
		return 0
	}
	return b[0]
}

func (c *checker) space() {
	for {
		b, err := c.r.Peek(1)
		if err != nil {
			return
		}
		switch b[0] {
		case ' ', '\t', '\n', '\r':
			c.r.ReadByte()
		default:
			return
		}
	}
}

func (c *checker) value(depth int) {
	if c.bad {
		return
	}
	switch b := c.peek(); {
	case c.bad:
	case b == '{' || b == '[':
		if depth >= MaxDepth {
			c.bad = true
			return
		}
		c.r.ReadByte()
		closing := byte('}')
		if b == '[' {
			closing = ']'
		}
		c.space()
		if c.peek() == closing {
			c.r.ReadByte()
			return
		}
		for !c.bad {
			c.space()
			if b == '{' {
				if c.peek() != '"' {
					c.bad = true
					return
				}
				c.str()
				c.space()
				if c.next() != ':' {
					c.bad = true
					return
				}
				c.space()
			}
			c.value(depth + 1)
			c.space()
			switch c.next() {
			case ',':
			case closing:
				return
			default:
				c.bad = true
			}
		}
	case b == '"':
		c.str()
	case b == 't':
		c.word("true")
	case b == 'f':
		c.word("false")
	case b == 'n':
		c.word("null")
	case b == '-' || '0' <= b && b <= '9':
		c.number()
	default:
		c.bad = true
	}
}

func (c *checker) word(w string) {
	for i := 0; i < len(w); i++ {
		if c.next() != w[i] {
			c.bad = true
			return
		}
	}
}

func (c *checker) digits() bool {
	n := 0
	for {
		b, err := c.r.Peek(1)
		if err != nil || b[0] < '0' || b[0] > '9' {
			return n > 0
		}
		c.r.ReadByte()
		n++
	}
}

func (c *checker) number() {
	if c.peek() == '-' {
		c.r.ReadByte()
	}
	if c.peek() == '0' {
		c.r.ReadByte()
	} else if !c.digits() {
		c.bad = true
		return
	}
	if b, err := c.r.Peek(1); err == nil && b[0] == '.' {
		c.r.ReadByte()
		if !c.digits() {
			c.bad = true
			return
		}
	}
	if b, err := c.r.Peek(1); err == nil && (b[0] == 'e' || b[0] == 'E') {
		c.r.ReadByte()
		if b, err := c.r.Peek(1); err == nil && (b[0] == '+' || b[0] == '-') {
			c.r.ReadByte()
		}
		if !c.digits() {
			c.bad = true
		}
	}
}

func (c *checker) hex4() rune {
	var r rune
	for i := 0; i < 4; i++ {
		v, ok := hexDigit(c.next())
		if !ok {
			c.bad = true
			return 0
		}
		r = r<<4 | v
	}
	return r
}

// str checks a string as fastParser.str reads it.
func (c *checker) str() {
	c.next() // the opening quote
	for !c.bad {
		b := c.next()
		switch {
		case c.bad:
		case b == '"':
			return
		case b < ' ':
			c.bad = true
		case b == '\\':
			switch c.next() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				r := c.hex4()
				switch {
				case c.bad:
				case utf16.IsSurrogate(r) && r < 0xDC00:
					if c.next() != '\\' || c.next() != 'u' {
						c.bad = true
						return
					}
					if lo := c.hex4(); lo < 0xDC00 || lo > 0xDFFF {
						c.bad = true
					}
				case utf16.IsSurrogate(r):
					c.bad = true
				}
			default:
				c.bad = true
			}
		case b >= utf8.RuneSelf:
			// A multi-byte sequence: its length from the first byte, then valid as a whole.
			n := 0
			switch {
			case b&0xE0 == 0xC0:
				n = 2
			case b&0xF0 == 0xE0:
				n = 3
			case b&0xF8 == 0xF0:
				n = 4
			default:
				c.bad = true
				return
			}
			var buf [4]byte
			buf[0] = b
			for i := 1; i < n; i++ {
				buf[i] = c.next()
			}
			if _, size := utf8.DecodeRune(buf[:n]); size != n {
				c.bad = true
			}
		}
	}
}
