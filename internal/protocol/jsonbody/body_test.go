package jsonbody

import (
	"encoding/json"
	"io"
	"reflect"
	"testing"
)

// ParseValid accepts exactly what json.Valid accepts, and parses as Parse does.
func TestParseValidAsValid(t *testing.T) {
	for _, s := range []string{`{}`, ` {"a": 1} `, "{}\n\t\r ", `{}` + "\u00a0", "{} \v", `{}{}`, `1 2`, `123abc`, `"x"`, `null`,
		`[1, 2.5e3, "s", true, null, {"k": [{}]}]`, `{"a": "\ud800"}`, "{\"a\": \"\xff\"}", `{"a":`, ``, ` `, `{"a": 1,}`} {
		v, ok := ParseValid([]byte(s))
		if ok != json.Valid([]byte(s)) {
			t.Errorf("ParseValid(%q) ok = %v, json.Valid %v", s, ok, !ok)
			continue
		}
		if ok {
			want, err := Parse([]byte(s))
			if err != nil || !reflect.DeepEqual(v, want) {
				t.Errorf("ParseValid(%q) = %#v, Parse = %#v, %v", s, v, want, err)
			}
		}
	}
}

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
