package rest

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// segment is one '/'-separated piece of a URI template: a literal, or a label
// with optional literal text around it ("{Name}", "{Key+}", "v-{Id}.json").
type segment struct {
	lit            string // the whole segment when label == ""
	prefix, suffix string
	label          string
	greedy         bool
}

// qlit is a literal query requirement of a template: "?uploads" or "?list-type=2".
type qlit struct {
	key, val string
	hasVal   bool
}

type route struct {
	op       *api.Operation
	segs     []segment
	query    []qlit
	literals int // literal path segments, for specificity
	greedy   bool
	// required querystring and header members: present ones make the route more specific
	reqQuery, reqHeader []string
}

var routeCache sync.Map // *api.Service → []*route

func routesOf(svc *api.Service) []*route {
	if v, ok := routeCache.Load(svc); ok {
		return v.([]*route)
	}
	var rs []*route
	for _, op := range svc.Operations {
		rs = append(rs, compile(op))
	}
	v, _ := routeCache.LoadOrStore(svc, rs)
	return v.([]*route)
}

func compile(op *api.Operation) *route {
	rt := &route{op: op}
	path, query, _ := strings.Cut(op.RequestURI, "?")
	path = strings.TrimPrefix(path, "/")
	if path != "" {
		for _, p := range strings.Split(path, "/") {
			s := segment{lit: p}
			if i := strings.IndexByte(p, '{'); i >= 0 {
				if j := strings.IndexByte(p[i:], '}'); j > 0 {
					name := p[i+1 : i+j]
					s = segment{prefix: p[:i], suffix: p[i+j+1:], label: strings.TrimSuffix(name, "+"), greedy: strings.HasSuffix(name, "+")}
					rt.greedy = rt.greedy || s.greedy
				}
			}
			if s.label == "" {
				rt.literals++
			}
			rt.segs = append(rt.segs, s)
		}
	}
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			if kv == "" {
				continue
			}
			k, v, has := strings.Cut(kv, "=")
			rt.query = append(rt.query, qlit{key: k, val: v, hasVal: has})
		}
	}
	if op.NewInput != nil {
		if in := op.NewInput(); in != nil {
			for _, f := range shape.Of(reflect.TypeOf(in)).Fields {
				if !f.Required {
					continue
				}
				switch f.Location {
				case "querystring":
					if f.Type != "map" {
						rt.reqQuery = append(rt.reqQuery, f.LocationName)
					}
				case "header":
					rt.reqHeader = append(rt.reqHeader, f.LocationName)
				}
			}
		}
	}
	return rt
}

// matchPath matches the escaped request path segments against the template and
// returns the unescaped labels, or ok=false.
func (rt *route) matchPath(segs []string) (map[string]string, bool) {
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
	// The greedy label keeps its slashes: "a//b/./c" stays exactly that.
	if !one(rt.segs[g], strings.Join(segs[g:len(segs)-after], "/")) {
		return nil, false
	}
	return labels, true
}

func (rt *route) matchQuery(q url.Values) bool {
	for _, l := range rt.query {
		vs, ok := q[l.key]
		if !ok {
			return false
		}
		if l.hasVal && (len(vs) == 0 || vs[0] != l.val) {
			return false
		}
	}
	return true
}

// present counts the required querystring and header members the request carries.
func (rt *route) present(q url.Values, h http.Header) (n int, all bool) {
	all = true
	for _, k := range rt.reqQuery {
		if _, ok := q[k]; ok {
			n++
		} else {
			all = false
		}
	}
	for _, k := range rt.reqHeader {
		if h.Get(k) != "" {
			n++
		} else {
			all = false
		}
	}
	return n, all
}

// Match finds the operation whose method and URI template match r, and returns
// its unescaped labels.
func Match(svc *api.Service, r *http.Request) (*api.Operation, map[string]string, error) {
	escaped := r.URL.EscapedPath()
	p := strings.TrimPrefix(escaped, "/")
	var segs []string
	if p != "" {
		segs = strings.Split(p, "/")
	}
	// "/bucket/" addresses the bucket, not an empty key.
	var trimmed []string
	if n := len(segs); n > 0 && segs[n-1] == "" {
		trimmed = segs[:n-1]
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	xid := q.Get("x-id")

	var best *route
	var bestLabels map[string]string
	var bestScore [7]int
	pathMatched := false
	for _, rt := range routesOf(svc) {
		labels, ok := rt.matchPath(segs)
		if !ok && trimmed != nil {
			labels, ok = rt.matchPath(trimmed)
		}
		if !ok || !rt.matchQuery(q) {
			continue
		}
		pathMatched = true
		if !strings.EqualFold(rt.op.HTTPMethod, r.Method) {
			continue
		}
		n, all := rt.present(q, r.Header)
		score := [7]int{rt.literals, b2i(!rt.greedy), len(rt.query), b2i(xid != "" && xid == rt.op.Name), b2i(all)*1000 + n,
			b2i(!otherEndpoint[rt.op.Name] || xid == rt.op.Name), len(rt.op.Name)}
		if best == nil || less(bestScore, score) {
			best, bestLabels, bestScore = rt, labels, score
		}
	}
	if best == nil {
		if pathMatched {
			return nil, nil, &api.Err{Code: "MethodNotAllowed", Status: http.StatusMethodNotAllowed,
				Message: "The specified method is not allowed against this resource."}
		}
		return nil, nil, &api.Err{Code: "UnknownOperationException", Status: http.StatusNotFound,
			Message: "No operation matches " + r.Method + " " + escaped}
	}
	return best.op, bestLabels, nil
}

// otherEndpoint lists operations whose template collides with a common one but
// which AWS serves on another endpoint (S3 Express's directory buckets are listed
// by the s3express control endpoint): without an x-id naming them, the common
// operation wins (a plain GET / is ListBuckets, not ListDirectoryBuckets).
var otherEndpoint = map[string]bool{"ListDirectoryBuckets": true}

func less(a, b [7]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
