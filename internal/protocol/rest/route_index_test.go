package rest

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
)

// refMatch is Match without the index: every template tried, in model order, the
// first of the most specific winning. TestMatchIndexAsReference holds Match to it.
func refMatch(svc *api.Service, r *http.Request) (*api.Operation, map[string]string, error) {
	escaped := r.URL.EscapedPath()
	m := &matcher{r: r, p: strings.TrimPrefix(escaped, "/")}
	if m.p != "" {
		m.segs = strings.Split(m.p, "/")
	}
	if n := len(m.segs); n > 0 && m.segs[n-1] == "" {
		m.trimmed = m.segs[:n-1]
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	m.xid = q.Get("x-id")
	for _, rt := range routesOf(svc) {
		m.try(rt, q)
	}
	if m.best == nil {
		if m.pathMatched {
			return nil, nil, &api.Err{Code: "MethodNotAllowed", Status: http.StatusMethodNotAllowed,
				Message: "The specified method is not allowed against this resource."}
		}
		return nil, nil, &api.Err{Code: "UnknownOperationException", Status: http.StatusNotFound,
			Message: "No operation matches " + r.Method + " " + escaped}
	}
	return m.best.op, m.best.labels(m.p, m.bestSegs), nil
}

func TestMatchIndexAsReference(t *testing.T) {
	methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "get", "Put", "ſ", ""}
	for _, svc := range []*api.Service{s3api.Service, lambdaapi.Service, fakeS3} {
		// Paths and queries from every template, with labels filled in, and some
		// that fit none.
		paths := map[string]bool{"/": true, "/b": true, "/b/": true, "/b/k": true, "/b/a/b/c": true, "//": true, "/b/%zz": true}
		queries := map[string]bool{"": true, "x-id=GetObject": true, "x-id=ListDirectoryBuckets": true, "uploads&x-id=PutObject": true,
			"list-type=2&prefix=a": true, "list-type=1": true, "versionId=v&tagging": true, "acl&tagging": true}
		for _, op := range svc.Operations {
			path, query, _ := strings.Cut(op.RequestURI, "?")
			filled := path
			for strings.Contains(filled, "{") {
				i := strings.IndexByte(filled, '{')
				j := strings.IndexByte(filled[i:], '}')
				filled = filled[:i] + "x" + filled[i+j+1:]
			}
			paths[filled] = true
			paths[filled+"/more"] = true
			queries[query] = true
			queries[query+"&uploadId=u&partNumber=1"] = true
		}
		for p := range paths {
			for q := range queries {
				for _, m := range methods {
					r := &http.Request{Method: m, URL: &url.URL{Path: p, RawQuery: q}, Header: http.Header{}}
					if strings.Contains(p, "%") {
						r.URL.RawPath = p
						r.URL.Path, _ = url.PathUnescape(p)
					}
					gotOp, gotLabels, gotErr := Match(svc, r)
					wantOp, wantLabels, wantErr := refMatch(svc, r)
					if gotOp != wantOp || !reflect.DeepEqual(gotLabels, wantLabels) || !reflect.DeepEqual(gotErr, wantErr) {
						t.Errorf("%s %s %s ?%s: Match = %v %v %v, reference %v %v %v", svc.Name, m, p, q,
							opName(gotOp), gotLabels, gotErr, opName(wantOp), wantLabels, wantErr)
					}
				}
			}
		}
	}
}

func opName(op *api.Operation) string {
	if op == nil {
		return "<nil>"
	}
	return op.Name
}

func BenchmarkMatchGetObject(b *testing.B) {
	r := &http.Request{Method: "GET", URL: &url.URL{Path: "/bench/get/1", RawQuery: "x-id=GetObject"}, Header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if op, _, err := Match(s3api.Service, r); err != nil || op.Name != "GetObject" {
			b.Fatal(op, err)
		}
	}
}
