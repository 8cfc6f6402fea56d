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
	idx      int // place in the service's operations: the first of equals wins
	segs     []segment
	query    []qlit
	literals int // literal path segments, for specificity
	greedy   bool
	greedyAt int // index of the first greedy segment, or -1
	// required querystring and header members: present ones make the route more
	// specific (see required)
	reqOnce             sync.Once
	reqQuery, reqHeader []string
}

var routeCache sync.Map // *api.Service → *routeTable

// routeTable is a service's templates, all of them in model order and indexed
// for Match: a request is tried only against templates of its method whose query
// literals it could satisfy (S3 has 111 templates, and a GET /bucket/key fits
// three of the 46 GET ones).
type routeTable struct {
	all      []*route
	byMethod map[string]*methodRoutes // by upper-case method
}

type methodRoutes struct {
	plain []*route            // templates without query literals
	byKey map[string][]*route // the others, by the key of their first query literal
}

func routesOf(svc *api.Service) []*route { return tableOf(svc).all }

func tableOf(svc *api.Service) *routeTable {
	if v, ok := routeCache.Load(svc); ok {
		return v.(*routeTable)
	}
	t := &routeTable{byMethod: map[string]*methodRoutes{}}
	// The service's pseudo-operations (requests its model does not describe)
	// come after the model's, so that a model operation wins a tie.
	ops := svc.Operations
	if len(svc.Dialect.PseudoOperations) > 0 {
		ops = append(ops[:len(ops):len(ops)], svc.Dialect.PseudoOperations...)
	}
	for i, op := range ops {
		rt := compile(op)
		rt.idx = i
		t.all = append(t.all, rt)
		m := t.byMethod[strings.ToUpper(op.HTTPMethod)]
		if m == nil {
			m = &methodRoutes{byKey: map[string][]*route{}}
			t.byMethod[strings.ToUpper(op.HTTPMethod)] = m
		}
		if len(rt.query) == 0 {
			m.plain = append(m.plain, rt)
		} else {
			m.byKey[rt.query[0].key] = append(m.byKey[rt.query[0].key], rt)
		}
	}
	v, _ := routeCache.LoadOrStore(svc, t)
	return v.(*routeTable)
}

func compile(op *api.Operation) *route {
	rt := &route{op: op, greedyAt: -1}
	path, query, _ := strings.Cut(op.RequestURI, "?")
	path = strings.TrimPrefix(path, "/")
	if path != "" {
		for _, p := range strings.Split(path, "/") {
			s := segment{lit: p}
			if i := strings.IndexByte(p, '{'); i >= 0 {
				if j := strings.IndexByte(p[i:], '}'); j > 0 {
					name := p[i+1 : i+j]
					s = segment{prefix: p[:i], suffix: p[i+j+1:], label: strings.TrimSuffix(name, "+"), greedy: strings.HasSuffix(name, "+")}
					if s.greedy && !rt.greedy {
						rt.greedy, rt.greedyAt = true, len(rt.segs)
					}
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
	return rt
}

// matches tells whether the escaped request path segments (segs, which are p
// split at '/', or a prefix of them) fit the template. It allocates nothing: it
// runs for every template on every request, and only the winner's labels are
// unescaped (labels).
func (rt *route) matches(p string, segs []string) bool {
	if rt.greedyAt < 0 {
		if len(segs) != len(rt.segs) {
			return false
		}
		for i := range rt.segs {
			if !rt.segs[i].fits(segs[i]) {
				return false
			}
		}
		return true
	}
	g, after := rt.greedyAt, len(rt.segs)-rt.greedyAt-1
	if len(segs) < len(rt.segs) {
		return false
	}
	for i := 0; i < g; i++ {
		if !rt.segs[i].fits(segs[i]) {
			return false
		}
	}
	for i := 0; i < after; i++ {
		if !rt.segs[g+1+i].fits(segs[len(segs)-after+i]) {
			return false
		}
	}
	return rt.segs[g].fits(joined(p, segs, g, len(segs)-after))
}

// joined is strings.Join(segs[from:to], "/") without building it: segs are p
// split at '/', so the joined segments are a substring of p (to > from).
func joined(p string, segs []string, from, to int) string {
	start := 0
	for i := 0; i < from; i++ {
		start += len(segs[i]) + 1
	}
	end := start
	for i := from; i < to; i++ {
		end += len(segs[i]) + 1
	}
	return p[start : end-1]
}

// fits tells whether one escaped path segment v fits the template segment.
func (s *segment) fits(v string) bool {
	if s.label == "" {
		return v == s.lit
	}
	if len(v) < len(s.prefix)+len(s.suffix) || !strings.HasPrefix(v, s.prefix) || !strings.HasSuffix(v, s.suffix) {
		return false
	}
	v = v[len(s.prefix) : len(v)-len(s.suffix)]
	return v != "" && validEscapes(v)
}

// validEscapes tells whether url.PathUnescape accepts v: every '%' starts a
// two-digit hex escape.
func validEscapes(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] == '%' {
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// labels unescapes the labels of a template that matches (rt.matches(p, segs)),
// in the order the segments are read: before the greedy label, after it, then it.
func (rt *route) labels(p string, segs []string) map[string]string {
	labels := map[string]string{}
	one := func(s *segment, v string) {
		if s.label == "" {
			return
		}
		u, _ := url.PathUnescape(v[len(s.prefix) : len(v)-len(s.suffix)])
		labels[s.label] = u
	}
	if rt.greedyAt < 0 {
		for i := range rt.segs {
			one(&rt.segs[i], segs[i])
		}
		return labels
	}
	g, after := rt.greedyAt, len(rt.segs)-rt.greedyAt-1
	for i := 0; i < g; i++ {
		one(&rt.segs[i], segs[i])
	}
	for i := 0; i < after; i++ {
		one(&rt.segs[g+1+i], segs[len(segs)-after+i])
	}
	// The greedy label keeps its slashes: "a//b/./c" stays exactly that.
	one(&rt.segs[g], joined(p, segs, g, len(segs)-after))
	return labels
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

// required lists the input's required querystring and header members, on the
// first call: reading the input shape touches its code and type data, and doing
// that for all of a service's templates when the table is built cost S3 ~0.25 MiB
// of idle memory for templates most requests never try.
func (rt *route) required() (query, header []string) {
	rt.reqOnce.Do(func() {
		op := rt.op
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
						// Canonical, so that looking it up allocates nothing.
						rt.reqHeader = append(rt.reqHeader, http.CanonicalHeaderKey(f.LocationName))
					}
				}
			}
		}
	})
	return rt.reqQuery, rt.reqHeader
}

// present counts the required querystring and header members the request carries.
func (rt *route) present(q url.Values, h http.Header) (n int, all bool) {
	reqQuery, reqHeader := rt.required()
	all = true
	for _, k := range reqQuery {
		if _, ok := q[k]; ok {
			n++
		} else {
			all = false
		}
	}
	for _, k := range reqHeader {
		if vs := h[k]; len(vs) > 0 && vs[0] != "" {
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
	m := &matcher{r: r, p: strings.TrimPrefix(escaped, "/")}
	if m.p != "" {
		m.segs = strings.Split(m.p, "/")
	}
	// "/bucket/" addresses the bucket, not an empty key.
	if n := len(m.segs); n > 0 && m.segs[n-1] == "" {
		m.trimmed = m.segs[:n-1]
	}
	// Kept out of m, whose contents escape: a map that stays on the stack costs
	// no allocation.
	q, _ := url.ParseQuery(r.URL.RawQuery)
	m.xid = q.Get("x-id")

	t := tableOf(svc)
	if mr := t.byMethod[upperASCII(r.Method)]; mr != nil {
		for _, rt := range mr.plain {
			m.try(rt, q)
		}
		for k := range q {
			for _, rt := range mr.byKey[k] {
				m.try(rt, q)
			}
		}
	}
	if m.best == nil {
		// Nothing of this method fits (or the method is not plain ASCII): every
		// template is tried, which also tells a path that fits another method
		// (405) from one that fits none (404).
		for _, rt := range t.all {
			m.try(rt, q)
		}
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

// matcher is one request being matched against templates.
type matcher struct {
	r             *http.Request
	p             string   // escaped path without its leading '/'
	segs, trimmed []string // p split at '/'; without its last, empty, segment
	xid           string

	best        *route
	bestSegs    []string
	bestScore   [7]int
	pathMatched bool
}

// try scores one template against the request. The most specific template
// wins; among equals, the first in model order.
func (m *matcher) try(rt *route, q url.Values) {
	used := m.segs
	ok := rt.matches(m.p, m.segs)
	if !ok && m.trimmed != nil {
		used, ok = m.trimmed, rt.matches(m.p, m.trimmed)
	}
	if !ok || !rt.matchQuery(q) {
		return
	}
	m.pathMatched = true
	if !strings.EqualFold(rt.op.HTTPMethod, m.r.Method) {
		return
	}
	n, all := rt.present(q, m.r.Header)
	score := [7]int{rt.literals, b2i(!rt.greedy), len(rt.query), b2i(m.xid != "" && m.xid == rt.op.Name), b2i(all)*1000 + n,
		b2i(!otherEndpoint[rt.op.Name] || m.xid == rt.op.Name), len(rt.op.Name)}
	if m.best == nil || less(m.bestScore, score) || (score == m.bestScore && rt.idx < m.best.idx) {
		m.best, m.bestSegs, m.bestScore = rt, used, score
	}
}

// upperASCII is s in upper case when it is plain ASCII (methods are), else ""
// (which no method is indexed under).
func upperASCII(s string) string {
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return ""
		}
		if 'a' <= c && c <= 'z' {
			upper = false
		}
	}
	if upper {
		return s
	}
	return strings.ToUpper(s)
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
