package rest

import (
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// refEncodeNonBody is EncodeNonBody as it was before its per-shape plan: every
// member rendered through Text. TestEncodeNonBodyAsReference holds the two to
// the same headers and status.
func refEncodeNonBody(h http.Header, op *api.Operation, out any) int {
	status := http.StatusOK
	if op != nil && op.ResponseCode != 0 {
		status = op.ResponseCode
	}
	sv, s, ok := structOf(out)
	if !ok {
		return status
	}
	statusMember := false
	for _, f := range s.Fields {
		fv := sv.Field(f.Index)
		typ := TypeOf(f)
		switch f.Location {
		case "header":
			switch {
			case typ == "list":
				if fv.Len() == 0 {
					continue
				}
				parts := make([]string, 0, fv.Len())
				for i := 0; i < fv.Len(); i++ {
					t, _ := Text(fv.Index(i), ModelType(fv.Type().Elem()), RFC822, false)
					if strings.ContainsAny(t, ",\"") {
						t = strconv.Quote(t)
					}
					parts = append(parts, t)
				}
				h[f.HeaderKey] = []string{strings.Join(parts, ",")} // h.Set, without canonicalizing again
			case f.JSONValue || typ == "jsonvalue":
				if fv.IsNil() {
					continue
				}
				t, ok := Text(fv, "jsonvalue", "", false)
				if ok {
					h[f.HeaderKey] = []string{base64.StdEncoding.EncodeToString([]byte(t))}
				}
			default:
				if t, ok := Text(fv, typ, def(f.TimestampFormat, RFC822), false); ok {
					h[f.HeaderKey] = []string{t}
				}
			}
		case "headers":
			if fv.Kind() != reflect.Map || fv.Len() == 0 {
				continue
			}
			keys := fv.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
			for _, k := range keys {
				if t, ok := Text(fv.MapIndex(k), ModelType(fv.Type().Elem()), RFC822, false); ok {
					// Written as is, not canonicalized: S3 sends x-amz-meta-color
					// and botocore keeps the case of what follows the prefix.
					h[f.LocationName+k.String()] = []string{t}
				}
			}
		case "statusCode":
			statusMember = true
			if fv.Kind() == reflect.Pointer && !fv.IsNil() {
				fv = fv.Elem()
			}
			switch fv.Kind() {
			case reflect.Int, reflect.Int32, reflect.Int64:
				if n := fv.Int(); n >= 100 && n <= 999 {
					status = int(n)
				}
			}
		}
	}
	if !statusMember && status == http.StatusOK && h.Get("Content-Range") != "" {
		status = http.StatusPartialContent
	}
	return status
}

// fill sets a random value, or none, in each located member of the struct sv.
func fill(r *rand.Rand, sv reflect.Value, s *shape.Struct) {
	for _, f := range s.Fields {
		if f.Location == "" || r.IntN(3) == 0 {
			continue
		}
		fv := sv.Field(f.Index)
		t := fv.Type()
		ptr := t.Kind() == reflect.Pointer
		if ptr {
			t = t.Elem()
		}
		var x reflect.Value
		switch {
		case t == reflect.TypeFor[time.Time]():
			x = reflect.ValueOf(time.Unix(r.Int64N(1<<34), r.Int64N(2)*r.Int64N(1e9)))
		case t.Kind() == reflect.String:
			x = reflect.ValueOf([]string{"", "v", "a,b", `q"x`, "ünï"}[r.IntN(5)]).Convert(t)
		case t.Kind() == reflect.Int64 || t.Kind() == reflect.Int32:
			x = reflect.ValueOf(r.Int64N(1000) - 100).Convert(t)
		case t.Kind() == reflect.Bool:
			x = reflect.ValueOf(r.IntN(2) == 0)
		case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String:
			m := reflect.MakeMap(t)
			for i := r.IntN(3); i > 0; i-- {
				m.SetMapIndex(reflect.ValueOf("k"+strconv.Itoa(r.IntN(5))), reflect.ValueOf("v"))
			}
			x = m
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
			l := reflect.MakeSlice(t, r.IntN(3), r.IntN(3)+3)
			for i := 0; i < l.Len(); i++ {
				l.Index(i).SetString([]string{"a", "b,c", `d"e`}[r.IntN(3)])
			}
			x = l
		default:
			continue
		}
		if ptr {
			p := reflect.New(t)
			p.Elem().Set(x)
			x = p
		}
		fv.Set(x)
	}
}

func TestEncodeNonBodyAsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, svc := range []*api.Service{s3api.Service, lambdaapi.Service} {
		for _, op := range svc.Operations {
			for range 30 {
				out := op.NewOutput()
				sv, s, ok := structOf(out)
				if !ok {
					continue
				}
				fill(r, sv, s)
				got, want := http.Header{}, http.Header{}
				gs, ws := EncodeNonBody(got, op, out), refEncodeNonBody(want, op, out)
				if gs != ws || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: EncodeNonBody = %d %v, reference %d %v", op.Name, gs, got, ws, want)
				}
			}
		}
	}
}
