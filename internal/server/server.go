// Package server assembles fogbank: it opens the store, starts the registered
// services that have state (the others on first use), builds the gateway with the codecs and the signature verifier, and
// listens. cmd/fogbank and fogbanktest both start fogbank through it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/gateway"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/http1"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonrpc"
	"github.com/fogbank/fogbank/internal/protocol/query"
	"github.com/fogbank/fogbank/internal/protocol/rest"
	"github.com/fogbank/fogbank/internal/protocol/restjson"
	"github.com/fogbank/fogbank/internal/protocol/restxml"
	"github.com/fogbank/fogbank/internal/protocol/rpcv2cbor"
	"github.com/fogbank/fogbank/internal/store"
)

// Options say how to run.
type Options struct {
	Addr    string // "127.0.0.1:4566"; port 0 picks a free one
	DataDir string // where state lives; ignored when Ephemeral
	// Ephemeral keeps state in memory (big object bodies in a temporary
	// directory removed by Close): writes are acknowledged without a log or an
	// fsync, through the same store code (store.Options.Memory).
	Ephemeral bool
	NoSync    bool // skip fsync (tests only: an acknowledged write may be lost on a crash)
	Logger    *slog.Logger
	Version   string
	// HTTP chooses the HTTP/1.1 server: "" or "fogbank" for internal/http1, "std"
	// for net/http's Server (the same gateway behind it, so a suspected bug in
	// http1 can be bisected with one flag).
	HTTP string
	// Interceptors and After are the gateway's interceptor chain and
	// after-hooks (gateway.Config): what sees every operation of every service.
	Interceptors []gateway.Interceptor
	After        []gateway.AfterHook
	// EnforceIAM is how IAM policies apply to requests: "" or "off" (nothing
	// is checked; unknown access keys are accepted as their account's root),
	// "on" (requests their policies do not allow are refused, unknown keys
	// too) or "log" (would-be refusals are logged, nothing refused).
	EnforceIAM string
	// InitDir holds scripts to run once the server answers (inithooks.go).
	InitDir string
	// AllowHosts and CORSOrigins widen who may talk to fogbank (gateway.Local:
	// by default local Host names and local browser origins only). The host of
	// Addr, when it names one, is allowed too.
	AllowHosts  []string
	CORSOrigins []string
	// Timeouts of the connections; zero values take fogbank's defaults.
	Timeouts Timeouts
	// Models are all the services fogbank knows the API of. A model without a
	// registered implementation still answers: 501 NotImplemented for every operation.
	Models []Model
}

// Timeouts bound how long a connection may do nothing. Each is measured as
// inactivity: a slow client that makes progress is never cut off.
type Timeouts struct {
	Idle   time.Duration // a keep-alive connection between requests (default 2 minutes)
	Header time.Duration // a request's header (default 30 s)
	// Body is the longest silence within a request body (default 20 s, as
	// S3, which then answers 400 RequestTimeout).
	Body  time.Duration
	Write time.Duration // a client that stops reading its answer (default 60 s)
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&t.Idle, 2*time.Minute)
	def(&t.Header, 30*time.Second)
	def(&t.Body, 20*time.Second)
	def(&t.Write, 60*time.Second)
	return t
}

// allowHosts are the names fogbank answers beyond the local ones: those asked
// for, and the host it listens on when that is a name or an address of its own
// (--addr myhost:4566), not "every address".
func allowHosts(opts Options) []string {
	hosts := opts.AllowHosts
	if h, _, err := net.SplitHostPort(opts.Addr); err == nil && h != "" {
		if ip := net.ParseIP(h); ip == nil || !ip.IsUnspecified() {
			hosts = append(hosts[:len(hosts):len(hosts)], h)
		}
	}
	return hosts
}

// errRequestTimeout is what a request body that stalls reads as: S3's answer
// to it (status, code and words), which SDKs retry.
var errRequestTimeout = api.Errorf(http.StatusBadRequest, "RequestTimeout",
	"Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")

// Model is a generated service description with its generated Unimplemented value,
// which answers NotImplemented to every operation, and the implementation, if
// the service has one yet.
type Model struct {
	Service       *api.Service
	Unimplemented any
	Impl          *host.Impl // nil: every operation answers 501
}

// Server is a running fogbank.
type Server struct {
	URL     string // "http://127.0.0.1:4566"
	Addr    string
	Gateway *gateway.Gateway
	Store   *store.Store

	// Outbox delivers this server's durable events (tests subscribe to it as
	// the SQS or Lambda services will).
	Outbox *outbox.Outbox

	http   httpServer
	ln     net.Listener
	host   *host.Host
	regs   []host.Registration // the implemented services
	models map[string]bool     // every modelled service's name
	tmpDir string
	done   chan error

	init     initState
	stopInit context.CancelFunc // ends a running init script at Close
	initRun  chan struct{}      // closed when the init scripts' goroutine has returned
}

// httpServer is what Server needs of http1.Server and net/http's Server.
type httpServer interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
}

// HTTPServers are the values Options.HTTP accepts.
var HTTPServers = []string{"fogbank", "std"}

// Codecs are the five protocols by name.
func Codecs() map[string]protocol.Codec {
	return map[string]protocol.Codec{
		protocol.RestXML:   restxml.Codec{},
		protocol.Query:     query.Codec{},
		protocol.JSON:      jsonrpc.Codec{},
		protocol.RestJSON:  restjson.Codec{},
		protocol.RPCv2CBOR: rpcv2cbor.Codec{},
	}
}

// Start opens the store, creates the services and starts listening. It returns
// once the listener is bound: the server answers from then on.
func Start(opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{done: make(chan error, 1), init: initState{done: make(chan struct{})}}
	switch opts.HTTP {
	case "", "fogbank", "std":
	default:
		return nil, fmt.Errorf("unknown HTTP server %q (fogbank or std)", opts.HTTP)
	}
	// Listen first: clients that connect while the store opens wait in the
	// listen backlog and are answered as soon as it is open, instead of being
	// refused and retrying later. A port in use also fails before any work.
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	warmed := make(chan struct{})
	go func() { warm(opts.Models); close(warmed) }()
	dir := opts.DataDir
	if opts.Ephemeral {
		d, err := os.MkdirTemp("", "fogbank-*")
		if err != nil {
			return nil, err
		}
		s.tmpDir, dir = d, d
	}
	st, err := store.Open(store.Options{Dir: dir, NoSync: opts.NoSync, Memory: opts.Ephemeral,
		Logf:   func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) },
		Errorf: func(f string, a ...any) { log.Error(fmt.Sprintf(f, a...)) }})
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("opening the data directory %s: %w", dir, err)
	}
	s.Store = st

	keys := &serverKeys{static: auth.DefaultKeys()}
	s.Outbox = outbox.New(st, log)
	// Services are created on first use (a request, another's Lookup, a route
	// of their own), except those with state in the store, which may have work
	// to resume (schedules, queued invocations, deliveries): those start now.
	// A service nobody calls costs nothing: no goroutine, none of its code paged in.
	var regs []host.Registration
	for _, m := range opts.Models {
		if m.Impl != nil {
			regs = append(regs, host.Registration{Service: m.Service, Impl: *m.Impl})
		}
	}
	h, err := host.NewHost(host.Env{Store: st, Logger: log, Now: time.Now, Outbox: s.Outbox, Keys: keys}, regs)
	if err != nil {
		s.cleanup()
		return nil, err
	}
	s.host, s.regs, s.models = h, regs, map[string]bool{}
	keys.host = h
	s.Addr = ln.Addr().String()
	s.URL = "http://" + s.Addr
	want := stateful(st, regs)
	if opts.EnforceIAM != "" && opts.EnforceIAM != "off" {
		hasState := want
		want = func(name string) bool { return name == "iam" || hasState(name) }
	}
	if err := h.Start(context.Background(), s.URL, want); err != nil {
		s.cleanup()
		return nil, err
	}
	interceptors := opts.Interceptors
	if opts.EnforceIAM != "" && opts.EnforceIAM != "off" {
		// IAM's step comes first in the chain.
		az, ok := h.Impl("iam").(iamEnforcer)
		if !ok {
			s.cleanup()
			return nil, fmt.Errorf("--enforce-iam needs the IAM service")
		}
		if err := az.SetEnforcement(opts.EnforceIAM); err != nil {
			s.cleanup()
			return nil, err
		}
		interceptors = append([]gateway.Interceptor{az.Authorize}, interceptors...)
	}
	var bound []gateway.Bound
	for _, m := range opts.Models {
		s.models[m.Service.Name] = true
		b := gateway.Bound{Service: m.Service, Impl: m.Unimplemented, Implemented: m.Impl != nil}
		if b.Implemented {
			name := m.Service.Name
			b.Resolve = func() (any, error) { return h.Get(name) }
		}
		bound = append(bound, b)
	}
	s.Gateway = gateway.New(gateway.Config{
		Services: bound,
		Codecs:   Codecs(),
		// Bodies signed without x-amz-content-sha256 are read whole to hash them.
		// Lambda's CreateFunction carries a 50 MB zip as base64 in JSON (~70 MB),
		// the largest such body AWS accepts; each codec applies its service's own
		// limit after that.
		Verifier: &auth.Verifier{Keys: keys, Now: time.Now, MaxBody: 72 << 20,
			RefuseUnknown: opts.EnforceIAM == "on"},
		Logger:       log,
		Version:      opts.Version,
		Interceptors: interceptors,
		After:        opts.After,
		Admin:        s,
		Local:        gateway.Local{AllowHosts: allowHosts(opts), CORSOrigins: opts.CORSOrigins},
	})

	// http1 rather than net/http's Server: the same requests and handlers for a
	// third less CPU per request (see its package doc). net/http's Server, with
	// --http=std, gets the same header limit and header and idle timeouts, and
	// the body and write inactivity timeouts through a wrapper (inactivity).
	t := opts.Timeouts.withDefaults()
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	if opts.HTTP == "std" {
		s.http = &http.Server{Handler: inactivity(s.root(), t), ReadHeaderTimeout: t.Header, IdleTimeout: t.Idle,
			MaxHeaderBytes: 16 << 10, ErrorLog: errLog}
	} else {
		s.http = &http1.Server{
			Handler:           s.root(),
			ReadHeaderTimeout: t.Header,
			IdleTimeout:       t.Idle,
			BodyTimeout:       t.Body,
			BodyTimeoutError:  errRequestTimeout,
			WriteTimeout:      t.Write,
			// AWS refuses a request whose line and header pass 16 KB, with a 400
			// (DynamoDB; S3's own limit, 8 KB, is not enforced).
			MaxHeaderBytes: 16 << 10,
			ErrorLog:       errLog,
		}
	}
	<-warmed
	go func() { s.done <- s.http.Serve(ln) }()
	if opts.InitDir != "" {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopInit, s.initRun = cancel, make(chan struct{})
		go func() { defer close(s.initRun); s.runInit(ctx, opts.InitDir, log) }()
	} else {
		close(s.init.done)
	}
	return s, nil
}

// Wait blocks until the server stops serving.
func (s *Server) Wait() error {
	err := <-s.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops listening, waits briefly for requests in flight, then closes the
// services and the store (and removes an ephemeral data directory).
func (s *Server) Close() error {
	if s.stopInit != nil {
		s.stopInit()
		<-s.initRun
	}
	var err error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.http.Shutdown(ctx)
		cancel()
	}
	s.cleanup()
	return err
}

func (s *Server) cleanup() {
	if s.http == nil && s.ln != nil {
		s.ln.Close() // Start failed before serving
	}
	if s.host != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.host.Stop(ctx); err != nil {
			slog.Default().Warn("stopping services", "err", err)
		}
		cancel()
		s.host = nil
	}
	if s.Outbox != nil {
		s.Outbox.Close() // deliverers the services did not stop (tests')
	}
	if s.Store != nil {
		s.Store.Close()
		s.Store = nil
	}
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
		s.tmpDir = ""
	}
}

// root is the listener's handler: the services' own host names (Lambda's
// function URLs), the services' own routes (host.RoutePrefix), asked for by
// the server's own host name, then the gateway. A virtual-hosted
// S3 request (bucket.localhost/_fogbank/...) names a bucket's key, so it goes to
// the gateway.
func (s *Server) root() http.Handler {
	_, port, _ := net.SplitHostPort(s.Addr)
	self := map[string]bool{s.Addr: true, "localhost:" + port: true}
	h := s.host
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.ServeHostRoute(w, r) || self[r.Host] && h.ServeRoute(w, r) {
			return
		}
		s.Gateway.ServeHTTP(w, r)
	})
}

// warm builds, on the other core while the store opens, what the first S3 request
// would otherwise build on its way: the rest-xml route table (S3's 111 templates).
// It takes ~1.5 ms off the first answer after start. Other rest services build
// theirs on first use: warming them all costs idle memory (~0.5 MiB) for a gain
// only their first caller sees.
func warm(models []Model) {
	for _, m := range models {
		if m.Service.HasProtocol(protocol.RestXML) {
			rest.Match(m.Service, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}})
		}
	}
}

// serverKeys are the access keys the server knows: the built-in test/test,
// then IAM's (its users' keys and STS's temporary credentials). IAM not
// created yet has no state, so no keys: it is not created for the asking.
type serverKeys struct {
	static auth.StaticKeys
	host   *host.Host // set before the first request
}

func (k *serverKeys) Lookup(id string) (string, auth.Principal, bool) {
	if secret, p, ok := k.static.Lookup(id); ok {
		return secret, p, true
	}
	if more, ok := k.host.Impl("iam").(auth.Keys); ok {
		return more.Lookup(id)
	}
	return "", auth.Principal{}, false
}

// stateful tells which services have state in st: a service's state is its
// root bucket (host.Resetter), and a service with none has no work to resume.
func stateful(st *store.Store, regs []host.Registration) func(name string) bool {
	has := map[string]bool{}
	st.View(func(tx *store.Tx) error {
		for _, r := range regs {
			name := r.Service.Name
			b := tx.Bucket(name)
			if b == nil {
				continue
			}
			if k, _ := b.Cursor().First(); k != nil {
				has[name] = true
				continue
			}
			b.ForEachBucket(func([]byte) error { has[name] = true; return errStop })
		}
		return nil
	})
	return func(name string) bool { return has[name] }
}

// errStop ends a walk early.
var errStop = errors.New("stop")

// iamEnforcer is what the server needs of IAM to enforce its policies.
type iamEnforcer interface {
	SetEnforcement(mode string) error
	Authorize(ctx context.Context, inv *gateway.Invocation, next gateway.Handler) (any, error)
}
