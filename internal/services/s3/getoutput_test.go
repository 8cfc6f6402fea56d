package s3

import (
	"reflect"
	"testing"
	"time"

	s3api "github.com/fogbank/fogbank/internal/api/s3"
)

// copyFields copies every exported field of src into the field of the same name
// and type in dst (both pointers to structs), as GetObject did before getOutput.
func copyFields(dst, src any) {
	dv := reflect.ValueOf(dst).Elem()
	sv := reflect.ValueOf(src).Elem()
	for i := 0; i < sv.NumField(); i++ {
		f := sv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		// Settable: exported, and not reached through an embedded pointer.
		if df, ok := dv.Type().FieldByName(f.Name); ok && df.IsExported() && len(df.Index) == 1 && df.Type == f.Type {
			dv.Field(df.Index[0]).Set(sv.Field(i))
		}
	}
}

// getOutput must copy what copyFields copies: every member the two outputs
// share. Each member of the HEAD answer gets a value of its own here, so a
// member added to both by the generator and missing from getOutput fails.
func TestGetOutputAsCopyFields(t *testing.T) {
	h := &s3api.HeadObjectOutput{}
	hv := reflect.ValueOf(h).Elem()
	for i := 0; i < hv.NumField(); i++ {
		f := hv.Field(i)
		if !f.CanSet() {
			continue
		}
		switch typ := f.Type(); {
		case typ.Kind() == reflect.Pointer:
			p := reflect.New(typ.Elem())
			switch typ.Elem().Kind() {
			case reflect.String:
				p.Elem().SetString("v" + typ.Elem().Name() + hv.Type().Field(i).Name)
			case reflect.Int64, reflect.Int32:
				p.Elem().SetInt(int64(i))
			case reflect.Bool:
				p.Elem().SetBool(true)
			case reflect.Struct:
				if typ.Elem() == reflect.TypeFor[time.Time]() {
					p.Elem().Set(reflect.ValueOf(time.Unix(int64(i), 0)))
				}
			}
			f.Set(p)
		case typ.Kind() == reflect.Map:
			m := reflect.MakeMap(typ)
			m.SetMapIndex(reflect.ValueOf("k").Convert(typ.Key()), reflect.ValueOf("v").Convert(typ.Elem()))
			f.Set(m)
		default:
			t.Fatalf("HeadObjectOutput.%s: a %s, which this test cannot fill", hv.Type().Field(i).Name, typ)
		}
	}
	want := &s3api.GetObjectOutput{}
	copyFields(want, h)
	if got := getOutput(h); !reflect.DeepEqual(got, want) {
		t.Errorf("getOutput = %+v\nwant (copyFields) %+v", got, want)
	}
}
