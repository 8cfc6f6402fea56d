package jsonbody

import (
	"bytes"
	"io"
)

// Body is a request body held in memory and, once someone has parsed it, its
// JSON value. A JSON request is needed whole by several steps in turn (the
// gateway's preflight, the signature check, DynamoDB's type check, the codec):
// with a Body as r.Body each takes the bytes without copying them again, and
// the JSON is parsed once. It reads like the bytes.Reader it replaces.
type Body struct {
	data   []byte
	rd     bytes.Reader
	value  any
	parsed bool
}

// NewBody returns a Body reading data.
func NewBody(data []byte) *Body {
	b := &Body{data: data}
	b.rd.Reset(data)
	return b
}

func (b *Body) Read(p []byte) (int, error) { return b.rd.Read(p) }

// Close does nothing: the bytes are in memory.
func (b *Body) Close() error { return nil }

// Unread returns the whole body and true when nothing has been read from it yet.
func (b *Body) Unread() ([]byte, bool) { return b.data, b.rd.Len() == len(b.data) }

// ReadAll is io.ReadAll of the body: the bytes not read yet, after which it is
// at its end. They are not copied: callers must not change them.
func (b *Body) ReadAll() []byte {
	rest := b.data[len(b.data)-b.rd.Len():]
	b.rd.Seek(0, io.SeekEnd)
	return rest
}

// SetValue records v as the JSON value of the whole body, as Parse gives it.
func (b *Body) SetValue(v any) { b.value, b.parsed = v, true }

// Value returns the JSON value SetValue recorded, if data is the whole body.
// The value is shared: whoever takes it last may change it (Assign does).
func (b *Body) Value(data []byte) (any, bool) {
	if !b.parsed || len(data) != len(b.data) || (len(data) > 0 && &data[0] != &b.data[0]) {
		return nil, false
	}
	return b.value, true
}
