package s3

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// fill sets every field reachable from v to a non-zero value, so that a field
// added to a record later is covered here without being named.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i))
		}
	}
}

// disjoint reports a path where a and b share a pointer, slice array or map.
func disjoint(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer, reflect.Map:
		if a.Pointer() == b.Pointer() {
			return path
		}
		if a.Kind() == reflect.Pointer {
			return disjoint(a.Elem(), b.Elem(), path+".*")
		}
	case reflect.Slice:
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := 0; i < a.Len(); i++ {
			if p := disjoint(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeOf(time.Time{}) {
			return ""
		}
		for i := 0; i < a.NumField(); i++ {
			if p := disjoint(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// The record caches hand out deep copies: equal, sharing nothing.
func TestRecordClonesAreDeep(t *testing.T) {
	var o objRec
	fill(reflect.ValueOf(&o).Elem())
	var b bucketRec
	fill(reflect.ValueOf(&b).Elem())
	for name, pair := range map[string][2]any{"objRec": {&o, o.clone()}, "bucketRec": {&b, b.clone()}} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s clone differs", name)
		}
		if p := disjoint(reflect.ValueOf(pair[0]).Elem(), reflect.ValueOf(pair[1]).Elem(), name); p != "" {
			t.Errorf("%s clone shares %s with the original", name, p)
		}
	}
}

// A cached record decodes as json.Unmarshal does, and changing one copy leaves
// the next untouched.
func TestRecCacheDecode(t *testing.T) {
	var o objRec
	fill(reflect.ValueOf(&o).Elem())
	raw, _ := json.Marshal(&o)
	var want objRec
	json.Unmarshal(raw, &want)
	first, err := objRecs.decode(raw)
	if err != nil || !reflect.DeepEqual(first, &want) {
		t.Fatalf("decode = %+v, %v; want %+v", first, err, want)
	}
	first.Meta["x"] = "changed"
	first.Segs[0].ID = "changed"
	second, _ := objRecs.decode(raw)
	if !reflect.DeepEqual(second, &want) {
		t.Errorf("second decode = %+v; want %+v", second, want)
	}
	if _, err := objRecs.decode([]byte("{bad")); err == nil {
		t.Errorf("bad JSON decoded")
	}
}
