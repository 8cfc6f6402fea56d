package rest

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	s3api "github.com/fogbank/fogbank/internal/api/s3"
)

// refMatchPath is the straightforward matcher that matches and labels replace (it
// unescaped and kept labels for every template tried); the test below holds the
// two to the same answers.
func (rt *route) refMatchPath(segs []string) (map[string]string, bool) {
	g := -1
	for i, s := range rt.segs {
		if s.greedy {
			g = i
			break
		}
	}
	labels := map[string]string{}
	one := func(s segment, v string) bool {
		if s.label == "" {
			return v == s.lit
		}
		if len(v) < len(s.prefix)+len(s.suffix) || !strings.HasPrefix(v, s.prefix) || !strings.HasSuffix(v, s.suffix) {
			return false
		}
		v = v[len(s.prefix) : len(v)-len(s.suffix)]
		if v == "" {
			return false
		}
		u, err := url.PathUnescape(v)
		if err != nil {
			return false
		}
		labels[s.label] = u
		return true
	}
	if g < 0 {
		if len(segs) != len(rt.segs) {
			return nil, false
		}
		for i, s := range rt.segs {
			if !one(s, segs[i]) {
				return nil, false
			}
		}
		return labels, true
	}
	after := len(rt.segs) - g - 1
	if len(segs) < len(rt.segs) {
		return nil, false
	}
	for i := 0; i < g; i++ {
		if !one(rt.segs[i], segs[i]) {
			return nil, false
		}
	}
	for i := 0; i < after; i++ {
		if !one(rt.segs[g+1+i], segs[len(segs)-after+i]) {
			return nil, false
		}
	}
	if !one(rt.segs[g], strings.Join(segs[g:len(segs)-after], "/")) {
		return nil, false
	}
	return labels, true
}

func TestMatchesAsReference(t *testing.T) {
	paths := []string{"", "b", "b/", "b/k", "b/k/", "b//k", "b/a//b/./c", "b/a%2Fb%20c", "b/bad%zz", "b/%", "b/%4",
		"b/k%41", "b/dir/sub/leaf", "b/x/y/z/w", "/", "//", "a/b/c/d/e/f", "%", "b/v-1.json", "v-.json", "b/%2F"}
	extra := []*route{
		compile(op("Fix", "GET", "/{A}/v-{Id}.json", nil)),
		compile(op("Mid", "GET", "/{A}/{Rest+}/tail", nil)),
		compile(op("Pre", "GET", "/x{G+}", nil)),
	}
	for _, rs := range [][]*route{routesOf(s3api.Service), routesOf(fakeS3), extra} {
		for _, rt := range rs {
			for _, p := range paths {
				var all []string
				if p != "" {
					all = strings.Split(p, "/")
				}
				for n := len(all); n >= 0 && n >= len(all)-1; n-- { // whole, and trimmed of its last segment
					segs := all[:n]
					want, wantOK := rt.refMatchPath(segs)
					ok := rt.matches(p, segs)
					if ok != wantOK {
						t.Errorf("%s %q: matches = %v, reference %v", rt.op.RequestURI, p, ok, wantOK)
						continue
					}
					if ok {
						if got := rt.labels(p, segs); !reflect.DeepEqual(got, want) {
							t.Errorf("%s %q: labels = %v, reference %v", rt.op.RequestURI, p, got, want)
						}
					}
				}
			}
		}
	}
}
