package gateway

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/protocol"
)

// Bound is a service description with the value implementing its API interface.
type Bound struct {
	Service *api.Service
	Impl    any
	// Resolve, when set, gives the implementation instead of Impl, on each
	// request: the server creates a service on its first request.
	Resolve func() (any, error)
	// Implemented is false when Impl is only the generated Unimplemented: every
	// operation answers 501. Health reports such services as "available", not "running".
	Implemented bool
	// Interceptors are the service's own steps, inside Config.Interceptors:
	// what it does for every request whatever the operation (S3's CORS
	// headers from the bucket's rules).
	Interceptors []Interceptor

	chain Handler // Config.Interceptors, then Interceptors, then the call
}

// Config is what a Gateway is built from.
type Config struct {
	Services []Bound
	Codecs   map[string]protocol.Codec // by protocol name
	Verifier *auth.Verifier
	Logger   *slog.Logger
	Version  string
	// Interceptors are the chain every operation of every service passes
	// between decoding and the call, the first outermost; After are the hooks
	// that see every answered request. See Invocation.
	Interceptors []Interceptor
	After        []AfterHook
	Admin        Admin // reset, snapshots, init state (introspect.go); nil: none
	Local        Local // the hosts and browser origins served (local.go)
}

// Gateway is the one http.Handler in front of every service.
type Gateway struct {
	cfg Config
	// unsigned and bareJSON are the services whose dialects claim requests
	// with no clue of their service (api.Dialect's Unsigned and BareJSON).
	unsigned, bareJSON *Bound
	byTarget           map[string]*Bound   // json/cbor target prefix → service
	bySign             map[string][]*Bound // SigV4 signing name → services
	log                *slog.Logger
	// verifiers are cfg.Verifier with the error style of each protocol, made
	// once rather than for every request.
	verifiers map[string]*auth.Verifier
}

// New builds a Gateway.
func New(cfg Config) *Gateway {
	g := &Gateway{cfg: cfg, byTarget: map[string]*Bound{},
		bySign: map[string][]*Bound{}, log: cfg.Logger}
	if g.log == nil {
		g.log = slog.Default()
	}
	// The gateway's own copy, whose chains it sets.
	cfg.Services = append([]Bound(nil), cfg.Services...)
	g.cfg.Services = cfg.Services
	for i := range cfg.Services {
		b := &cfg.Services[i]
		ics := append(cfg.Interceptors[:len(cfg.Interceptors):len(cfg.Interceptors)], serviceStep)
		b.chain = chain(append(ics, b.Interceptors...))
		if b.Service.Dialect.Unsigned && g.unsigned == nil {
			g.unsigned = b
		}
		if b.Service.Dialect.BareJSON && b.Service.HasProtocol(protocol.JSON) && g.bareJSON == nil {
			g.bareJSON = b
		}
		if b.Service.TargetPrefix != "" {
			g.byTarget[b.Service.TargetPrefix] = b
		}
		g.bySign[b.Service.SigningName] = append(g.bySign[b.Service.SigningName], b)
	}
	if cfg.Verifier != nil {
		g.verifiers = map[string]*auth.Verifier{}
		for name := range cfg.Codecs {
			g.verifiers[name] = verifierFor(cfg.Verifier, name)
		}
	}
	return g
}

// verifierFor is v answering signature errors in the words of the services
// that speak protocol (S3, json and query services disagree on codes and statuses).
func verifierFor(v *auth.Verifier, protocol string) *auth.Verifier {
	pv := *v
	pv.Style = func(signing string) auth.Style { return auth.StyleForProtocol(signing, protocol) }
	return &pv
}

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.wrote += int64(n)
	return n, err
}

// Flush lets streaming answers reach the client as they are written.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestState is what ServeHTTP keeps for one request.
type requestState struct {
	w      statusWriter
	c      protocol.Call
	caller api.Caller
	inv    Invocation
	// pathStyle: r's path names the bucket of a virtual-hosted request.
	pathStyle bool
	// admitted is the share of the body gate (bodygate.go) the request holds.
	admitted int64
}

// ServeHTTP is the path of a request: introspection, service, auth, route,
// decode, the interceptor chain and the call, encode, the after-hooks, log.
func (g *Gateway) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if g.refuseForeign(rw, r) { // a Host or browser origin fogbank does not serve (local.go)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_fogbank/") || strings.HasPrefix(r.URL.Path, "/_localstack/") ||
		r.Method == http.MethodPost && r.URL.Path == "/moto-api/reset" && r.URL.RawQuery == "" { // S3's POSTs to a key carry a query
		g.serveIntrospection(rw, r)
		return
	}
	start := time.Now()
	// The writer, the call, the caller and the invocation live as long as the
	// request: one allocation for the four.
	st := &requestState{w: statusWriter{ResponseWriter: rw}}
	w, c, inv := &st.w, &st.c, &st.inv
	var b *Bound
	defer func() {
		if p := recover(); p != nil {
			// A panic is fogbank's bug: log it with its stack, answer 500, stay up.
			g.log.Error("panic", "request_id", c.RequestID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			inv.Err = api.InternalError()
			if w.status == 0 {
				if b != nil {
					g.codecFor(c).EncodeError(c, w, inv.Err)
				} else {
					writePlainError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", c.RequestID)
				}
			}
		}
		if (b != nil || inv.Operation == UnknownService) && len(g.cfg.After) > 0 {
			g.after(r, c, w, inv)
		}
		g.logRequest(r, c, w, start)
		st.leaveGate(r)
	}()

	preflight := g.isPreflight(r)
	if preflight {
		b, c.Protocol = g.bareJSON, protocol.JSON
	} else {
		b, c.Protocol = g.identify(r)
	}
	if b == nil {
		c.RequestID = newRequestID()
		inv.Operation, inv.Header, inv.ResponseHeader = UnknownService, r.Header, w.Header()
		const msg = "fogbank could not tell which AWS service this request is for (no SigV4 credential scope, X-Amz-Target or known Action)"
		inv.Err = api.Errorf(http.StatusBadRequest, "UnknownService", msg)
		writePlainError(w, http.StatusBadRequest, "UnknownService", msg, c.RequestID)
		return
	}
	c.Service = b.Service
	c.RequestID = requestIDFor(b.Service)
	inv.Service, inv.Header, inv.ResponseHeader, inv.impl = b.Service, r.Header, w.Header(), b.Impl
	if b.Resolve != nil {
		impl, err := b.Resolve()
		if err != nil {
			g.log.Error("service unavailable", "request_id", c.RequestID, "service", b.Service.Name, "err", err)
			g.failEarly(st, b, r, api.InternalError())
			return
		}
		inv.impl = impl
	}

	if b.Service.Dialect.CORS == api.CORSAnyOrigin {
		// AWS's JSON and query services let any origin read their answers; here
		// the origins allowed (S3 answers from the bucket's CORS configuration).
		g.allowOrigin(w, r)
	}
	c.ContentType = mediaType(r.Header.Get("Content-Type"))
	c.AcceptEncoding = r.Header.Get("Accept-Encoding")
	if preflight {
		g.servePreflight(w, r, st, b)
		return
	}
	if c.Protocol == protocol.JSON {
		if err := g.jsonPreflight(c, r, st); err != nil {
			g.failEarly(st, b, r, err)
			return
		}
	} else if err := g.bodyPreflight(c, r, st); err != nil {
		g.failEarly(st, b, r, err)
		return
	}

	// Signature errors are written in the service's own words (S3, json and query
	// services disagree on codes and statuses), which depend on the protocol in use.
	v := g.verifiers[c.Protocol]
	if v == nil {
		v = verifierFor(g.cfg.Verifier, c.Protocol)
	}
	res, err := verify(v, b, r)
	if err != nil {
		g.failEarly(st, b, r, err)
		return
	}
	caller := &st.caller
	*caller = api.Caller{
		Account:     res.Principal.Account,
		Region:      res.Region,
		RequestID:   c.RequestID,
		AccessKeyID: res.Principal.AccessKeyID,
		ARN:         res.Principal.ARN,
		UserID:      res.Principal.UserID,
		Anonymous:   res.Principal.Anonymous,
		Host:        r.Host,
	}
	if caller.Region == "" {
		caller.Region = "us-east-1"
	}
	c.Account, c.Region = caller.Account, caller.Region
	inv.Caller = caller

	d := &b.Service.Dialect
	// Virtual-hosted S3 is rewritten to path style only now: the signature covers
	// the path and host as the client sent them.
	if d.VirtualHosts {
		virtualHostToPath(r, b.Service.EndpointPrefix)
	}
	st.pathStyle = true
	if d.EarlyContinue && !caller.Anonymous && r.ContentLength == 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// S3 always answers 100 Continue first. Go's servers send it only when
		// the handler reads a non-empty body, and botocore, given a final answer
		// instead, leaves the pooled connection out of step: the next request on
		// it stalls (boto/botocore#3755; aws s3 sync of a tree with empty files
		// hangs). The interim answer goes to the connection directly, so the
		// status bookkeeping sees the final status. Only signed requests get it
		// early: an anonymous one may yet be refused, and a client waiting for
		// 100 Continue must see the refusal instead.
		rw.WriteHeader(http.StatusContinue)
	}

	codec := g.codecFor(c)
	if c.Op == nil { // json requests were routed before the signature check
		if err := codec.Route(c, r); err != nil {
			g.failEarly(st, b, r, err)
			return
		}
	}
	inv.Operation, inv.Op = c.Op.Name, c.Op
	if err := unsignedRefused(c, caller); err != nil { // unsigned.go
		g.failEarly(st, b, r, err)
		return
	}
	if a, ok := inv.impl.(Admitting); ok {
		if err := a.Admit(api.WithCaller(r.Context(), caller), inv, r); err != nil {
			g.failEarly(st, b, r, err)
			return
		}
	}
	in := c.Op.NewInput()
	if err := codec.DecodeInput(c, r, in); err != nil {
		g.failEarly(st, b, r, err)
		return
	}
	inv.Input = in
	// A panic in the operation reaches ServeHTTP's recover, which knows whether
	// anything was written yet.
	out, err := b.chain(api.WithCaller(r.Context(), caller), inv)
	if err != nil {
		if _, ok := err.(api.Error); !ok {
			g.log.Error("operation failed", "request_id", c.RequestID, "service", b.Service.Name,
				"operation", c.Op.Name, "err", err)
		}
		g.fail(c, w, inv, err)
		return
	}
	if err := codec.EncodeOutput(c, w, out); err != nil {
		g.log.Error("encoding output", "request_id", c.RequestID, "err", err)
		if w.status == 0 {
			g.fail(c, w, inv, api.InternalError())
		}
	}
}

// verify judges r's signature. A service that answers browsers itself (S3)
// takes every OPTIONS for a CORS preflight and checks no signature on it: a
// browser's preflight repeats the presigned query of the request to come
// (signed for that request's method, not OPTIONS), and S3 answers from the
// bucket's CORS rules, or 400 when the Origin is missing, never 403.
func verify(v *auth.Verifier, b *Bound, r *http.Request) (*auth.Result, error) {
	if r.Method == http.MethodOptions && b.Service.Dialect.CORS == api.CORSService {
		return &auth.Result{Principal: auth.AnonymousPrincipal()}, nil
	}
	return v.Verify(r)
}

// fail answers err in the codec's words and keeps it for the after-hooks.
func (g *Gateway) fail(c *protocol.Call, w *statusWriter, inv *Invocation, err error) {
	inv.Err = err
	g.codecFor(c).EncodeError(c, w, err)
}

// failEarly is fail for a request refused before the chain: the service may
// add the headers its interceptor adds to the others (EarlyHeaders).
func (g *Gateway) failEarly(st *requestState, b *Bound, r *http.Request, err error) {
	if eh, ok := st.inv.impl.(EarlyHeaders); ok && st.w.status == 0 {
		rr := r
		if !st.pathStyle && b.Service.Dialect.VirtualHosts {
			// Before the signature check: the path is still as sent.
			rr = r.WithContext(r.Context())
			u := *r.URL
			rr.URL = &u
			virtualHostToPath(rr, b.Service.EndpointPrefix)
		}
		eh.EarlyHeaders(&st.inv, rr)
	}
	g.fail(&st.c, &st.w, &st.inv, err)
}

// after runs the after-hooks with the answer's status and size.
func (g *Gateway) after(r *http.Request, c *protocol.Call, w *statusWriter, inv *Invocation) {
	inv.Status, inv.Size = w.status, w.wrote
	if inv.Status == 0 {
		inv.Status = http.StatusOK
	}
	ctx := r.Context()
	if inv.Caller != nil {
		ctx = api.WithCaller(ctx, inv.Caller)
	}
	for _, h := range g.cfg.After {
		h(ctx, inv)
	}
}

func (g *Gateway) codecFor(c *protocol.Call) protocol.Codec {
	if cd, ok := g.cfg.Codecs[c.Protocol]; ok {
		return cd
	}
	return plainCodec{}
}

func (g *Gateway) logRequest(r *http.Request, c *protocol.Call, w *statusWriter, start time.Time) {
	svc, op := "-", "-"
	if c.Service != nil {
		svc = c.Service.Name
	}
	if c.Op != nil {
		op = c.Op.Name
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelWarn
	}
	// Log checks this too, but only after the arguments (the escaped path, the
	// duration, a dozen boxed values) have been made.
	if !g.log.Enabled(r.Context(), lvl) {
		return
	}
	g.log.Log(r.Context(), lvl, "request",
		"service", svc, "op", op, "account", c.Account, "region", c.Region,
		"status", status, "ms", float64(time.Since(start).Microseconds())/1000,
		"method", r.Method, "path", r.URL.EscapedPath(), "request_id", c.RequestID)
}

// mediaType is the media type of a Content-Type value as mime.ParseMediaType
// gives it ("" when there is none or it is malformed), without its parsing and
// map for the values clients send on every request.
func mediaType(v string) string {
	switch v {
	case "", "application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json",
		"application/xml", "application/octet-stream", "application/x-www-form-urlencoded":
		return v
	}
	mt, _, _ := mime.ParseMediaType(v)
	return mt
}

// Request ids need to be unique, not secret: they come from math/rand/v2's
// per-thread generator, which costs a fraction of a crypto/rand read.

// requestIDFor makes a request id in the shape the service's clients see: S3's
// 16 upper-case hex digits, DynamoDB's 52 upper-case letters and digits, a UUID
// for the rest.
func requestIDFor(svc *api.Service) string {
	switch svc.Dialect.RequestID {
	case api.RequestIDHex:
		var b [16]byte
		putHex(b[:], rand.Uint64(), "0123456789ABCDEF")
		return string(b[:])
	case api.RequestIDAlnum:
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		var b [52]byte
		var x uint64
		for i := range b {
			if i%8 == 0 {
				x = rand.Uint64()
			}
			b[i] = alphabet[int(byte(x))%len(alphabet)]
			x >>= 8
		}
		return string(b[:])
	}
	return newRequestID()
}

// newRequestID is a random id in the UUID shape AWS's JSON and query services use.
func newRequestID() string {
	var h [32]byte
	putHex(h[:16], rand.Uint64(), "0123456789abcdef")
	putHex(h[16:], rand.Uint64(), "0123456789abcdef")
	var b [36]byte
	copy(b[0:8], h[0:8])
	copy(b[9:13], h[8:12])
	copy(b[14:18], h[12:16])
	copy(b[19:23], h[16:20])
	copy(b[24:36], h[20:32])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

// putHex writes the 16 hex digits of x into b.
func putHex(b []byte, x uint64, digits string) {
	for i := 15; i >= 0; i-- {
		b[i] = digits[x&15]
		x >>= 4
	}
}
