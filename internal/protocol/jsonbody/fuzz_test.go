package jsonbody

import (
	"reflect"
	"testing"
	"time"
)

// FuzzDecodeJSONBody checks that any body either fails cleanly or decodes to a
// value that survives Marshal and Unmarshal unchanged.
func FuzzDecodeJSONBody(f *testing.F) {
	for _, s := range []string{
		`{"Name":"a","renamed":"r","Count":1,"Ratio":0.5,"Ok":true,"When":1.5,"WhenISO":"2014-04-29T18:30:38Z","Data":"aGk=","Tags":["x"],"Attrs":{"k":{"S":"v","L":[{"N":"1"}],"M":{}}},"Doc":{"a":[1,null]},"Numbers":{"a":1},"Children":[{"Name":"c"}],"Empty":[]}`,
		`{"Ratio":"NaN"}`, `{"Count":1e3}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v := &item{}
		if err := Unmarshal(body, v); err != nil {
			return
		}
		b, err := Marshal(v)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		w := &item{}
		if err := Unmarshal(b, w); err != nil {
			t.Fatalf("re-Unmarshal(%s): %v", b, err)
		}
		if v.Ratio != nil && *v.Ratio != *v.Ratio {
			return // NaN is never equal to itself
		}
		if !reflect.DeepEqual(docless(v), docless(w)) {
			t.Fatalf("round trip differs:\n%s\n%+v\n%+v", b, v, w)
		}
	})
}

// docless drops the document member, whose numbers may change form (1e3 → 1000),
// and cuts timestamps to the milliseconds the wire carries.
func docless(v *item) item {
	c := *v
	c.Doc = nil
	for _, p := range []**time.Time{&c.When, &c.WhenISO} {
		if *p != nil {
			t := (*p).Truncate(time.Millisecond)
			*p = &t
		}
	}
	return c
}
