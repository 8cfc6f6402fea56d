package jsonbody

import (
	"io"
	"testing"
)

type bodyIn struct {
	_    struct{} `type:"structure"`
	Name *string  `name:"Name" type:"string"`
}

// A Body hands over its bytes without a copy, and its recorded value only for
// those very bytes.
func TestBodyValue(t *testing.T) {
	data := []byte(`{"Name": "parsed"}`)
	b := NewBody(data)
	if got, whole := b.Unread(); !whole || &got[0] != &data[0] {
		t.Fatalf("Unread = %q, %v", got, whole)
	}
	b.SetValue(map[string]any{"Name": "recorded"})
	read := b.ReadAll()
	var in bodyIn
	if err := UnmarshalBody(b, read, &in); err != nil || *in.Name != "recorded" {
		t.Fatalf("UnmarshalBody = %v, %v; want the recorded value", in.Name, err)
	}
	if rest, _ := io.ReadAll(b); len(rest) != 0 {
		t.Errorf("after ReadAll, %q left", rest)
	}
	if _, whole := b.Unread(); whole {
		t.Errorf("Unread after ReadAll says whole")
	}
	copied := append([]byte(nil), data...)
	in = bodyIn{}
	if err := UnmarshalBody(b, copied, &in); err != nil || *in.Name != "parsed" {
		t.Errorf("UnmarshalBody of other bytes = %v, %v; want them parsed", in.Name, err)
	}
}
