package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Starter is implemented by services with work to do once every service exists:
// looking others up, registering routes, subscribing to the outbox. Start runs
// before the server answers its first request.
type Starter interface {
	Start(ctx context.Context) error
}

// Stopper is implemented by services with work to end before the store closes
// (deliverers, listeners' connections). Stop runs in the reverse order of Start.
type Stopper interface {
	Stop(ctx context.Context) error
}

// RoutePrefix is where services' own routes live on the main listener: a
// service named n serves RoutePrefix+n+"/...". No S3 bucket name may begin
// with "_", so path-style S3 requests never reach here.
const RoutePrefix = "/_fogbank/"

// Host creates, starts and stops the registered services of one server, each
// when it is first needed (see the package doc).
type Host struct {
	base  Env
	regs  map[string]Registration
	order []string // registration order

	// ready holds the started services (name → implementation), read
	// without the lock by Get: every request asks for its service.
	ready sync.Map

	mu      sync.Mutex // guards the fields below
	cond    *sync.Cond // signalled when a service changes state
	svcs    map[string]*entry
	created []string // creation order
	started []string // the order their Start finished
	url     string
	closed  bool // Stop has begun: nothing more is created

	rmu        sync.Mutex              // guards routes, hostRoutes and listeners
	routes     map[string]http.Handler // full path prefix → handler
	hostRoutes []hostRoute
	listeners  []net.Listener
}

// hostRoute serves the requests whose Host name match accepts.
type hostRoute struct {
	match func(name string) bool
	h     http.Handler
}

// entry is one service's progress through its lifecycle.
type entry struct {
	state int // one of the constants below
	impl  any
	err   error // the failure that ended it in failed
}

const (
	creating = iota
	created
	starting
	started
	failed
)

// NewHost prepares the services of regs, each to be created with its own copy
// of base when first needed; it creates none of them.
func NewHost(base Env, regs []Registration) (*Host, error) {
	h := &Host{base: base, regs: map[string]Registration{}, svcs: map[string]*entry{}, routes: map[string]http.Handler{}}
	h.cond = sync.NewCond(&h.mu)
	for _, reg := range regs {
		if _, dup := h.regs[reg.Service.Name]; dup {
			return nil, fmt.Errorf("host: service %q registered twice", reg.Service.Name)
		}
		h.regs[reg.Service.Name] = reg
		h.order = append(h.order, reg.Service.Name)
	}
	return h, nil
}

// Impl is the implementation of the service named name if it has been
// created, else nil (it is not created for the asking).
func (h *Host) Impl(name string) any {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e := h.svcs[name]; e != nil && e.state != creating && e.state != failed {
		return e.impl
	}
	return nil
}

// Get is the started implementation of the service named name, created and
// started now if it was not yet; it waits for a Start under way elsewhere.
func (h *Host) Get(name string) (any, error) {
	if impl, ok := h.ready.Load(name); ok {
		return impl, nil
	}
	return h.ensure(name, true)
}

// Start records the server's URL and creates and starts, in registration
// order, the services that want says must run from the start (nil: all of
// them); the others wait for their first use. When one fails, those started
// are stopped again, in reverse.
func (h *Host) Start(ctx context.Context, url string, want func(name string) bool) error {
	h.mu.Lock()
	h.url = url
	h.mu.Unlock()
	for _, reg := range h.regs {
		if reg.AtServerStart != nil {
			go reg.AtServerStart()
		}
	}
	if err := h.Ensure(want); err != nil {
		h.Stop(ctx)
		return err
	}
	return nil
}

// Ensure creates and starts the services that want names (nil: all) and are
// not running yet: at Start, and after a snapshot gave services new state.
func (h *Host) Ensure(want func(name string) bool) error {
	for _, name := range h.order {
		if want == nil || want(name) {
			if _, err := h.ensure(name, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensure creates and starts the service named name as needed and returns its
// implementation. A Lookup made from another service's Start does not wait
// for a Start under way (wait false): two services that look each other up
// while starting would otherwise wait for each other forever.
func (h *Host) ensure(name string, wait bool) (any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		e := h.svcs[name]
		switch {
		case e == nil:
			reg, ok := h.regs[name]
			if !ok {
				return nil, fmt.Errorf("host: no service %q", name)
			}
			if h.closed {
				return nil, fmt.Errorf("host: the server is stopping; %s was never started", name)
			}
			e = &entry{state: creating}
			h.svcs[name] = e
			env := h.base
			env.host, env.name = h, name
			h.mu.Unlock()
			impl, err := reg.New(&env)
			h.mu.Lock()
			if err != nil {
				e.state, e.err = failed, fmt.Errorf("creating %s: %w", name, err)
				h.cond.Broadcast()
				return nil, e.err
			}
			e.state, e.impl = created, impl
			h.created = append(h.created, name)
			h.cond.Broadcast()
		case e.state == created:
			e.state = starting
			if s, ok := e.impl.(Starter); ok {
				h.mu.Unlock()
				err := s.Start(context.Background())
				h.mu.Lock()
				if err != nil {
					e.state, e.err = failed, fmt.Errorf("starting %s: %w", name, err)
					h.cond.Broadcast()
					return nil, e.err
				}
			}
			e.state = started
			h.started = append(h.started, name)
			h.ready.Store(name, e.impl)
			h.cond.Broadcast()
			return e.impl, nil
		case e.state == started:
			return e.impl, nil
		case e.state == failed:
			return nil, e.err
		case e.state == starting && !wait:
			return e.impl, nil
		default: // creating, or starting elsewhere
			h.cond.Wait()
		}
	}
}

// Stop stops the started services in reverse order (Stopper), closes the
// listeners they opened, then closes every created service in reverse (Closer).
// Nothing is created after it begins. It returns the first error and goes on
// past it.
func (h *Host) Stop(ctx context.Context) error {
	var errs []error
	h.mu.Lock()
	h.closed = true
	started := h.started
	h.started = nil
	h.mu.Unlock()
	for i := len(started) - 1; i >= 0; i-- {
		if s, ok := h.Impl(started[i]).(Stopper); ok {
			if err := s.Stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stopping %s: %w", started[i], err))
			}
		}
	}
	h.rmu.Lock()
	lns := h.listeners
	h.listeners = nil
	h.rmu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	h.mu.Lock()
	created := h.created
	h.created = nil
	impls := make([]any, len(created))
	for i, name := range created {
		impls[i] = h.svcs[name].impl // a service whose Start failed is closed too
	}
	h.mu.Unlock()
	for i := len(created) - 1; i >= 0; i-- {
		if c, ok := impls[i].(Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing %s: %w", created[i], err))
			}
		}
	}
	return errors.Join(errs...)
}

// ServeRoute answers r with the service route its path falls under, and tells
// whether there was one. The server offers it every request before the gateway.
func (h *Host) ServeRoute(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, RoutePrefix) {
		return false
	}
	// The service a route names registers its routes when it starts: start it.
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, RoutePrefix), "/")
	if _, ok := h.regs[name]; ok {
		if _, err := h.Get(name); err != nil {
			return false
		}
	}
	h.rmu.Lock()
	var best string
	for p := range h.routes {
		if strings.HasPrefix(r.URL.Path, p) && len(p) > len(best) {
			best = p
		}
	}
	hd := h.routes[best]
	h.rmu.Unlock()
	if hd == nil {
		return false
	}
	hd.ServeHTTP(w, r)
	return true
}

// ServeHostRoute answers r with the host route its Host name matches (see
// Env.HandleHost), and tells whether there was one. The server offers it
// every request first.
func (h *Host) ServeHostRoute(w http.ResponseWriter, r *http.Request) bool {
	h.rmu.Lock()
	routes := h.hostRoutes
	h.rmu.Unlock()
	if len(routes) == 0 {
		return false
	}
	name := r.Host
	if hn, _, err := net.SplitHostPort(name); err == nil {
		name = hn
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, rt := range routes {
		if rt.match(name) {
			rt.h.ServeHTTP(w, r)
			return true
		}
	}
	return false
}

// URL is the server's own base URL ("http://127.0.0.1:4566"), for services
// that hand it to others (Lambda's AWS_ENDPOINT_URL). It is "" until Start.
func (e *Env) URL() string {
	if e.host == nil {
		return ""
	}
	e.host.mu.Lock()
	defer e.host.mu.Unlock()
	return e.host.url
}

// Service is the implementation of the service named name, created and
// started now if it was not yet. Call it from Start on, never from a Factory.
func (e *Env) Service(name string) (any, bool) {
	if e.host == nil {
		return nil, false
	}
	impl, err := e.host.ensure(name, false)
	return impl, err == nil
}

// Lookup finds the service named name as T, a small interface of what the
// caller needs (never a service package's type: services do not import one
// another).
func Lookup[T any](e *Env, name string) (T, error) {
	var zero T
	impl, ok := e.Service(name)
	if !ok {
		return zero, fmt.Errorf("host: no service %q", name)
	}
	t, ok := impl.(T)
	if !ok {
		return zero, fmt.Errorf("host: service %q (%T) is not a %T", name, impl, &zero)
	}
	return t, nil
}

// Handle serves h on the main listener for paths beginning with
// RoutePrefix+<service name>+path (path begins with "/"). The route answers only
// after Start; the gateway sees none of its requests.
func (e *Env) Handle(path string, h http.Handler) error {
	if e.host == nil {
		return errors.New("host: no host")
	}
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("host: route %q does not begin with /", path)
	}
	full := RoutePrefix + e.name + path
	e.host.rmu.Lock()
	defer e.host.rmu.Unlock()
	if _, dup := e.host.routes[full]; dup {
		return fmt.Errorf("host: route %s registered twice", full)
	}
	e.host.routes[full] = h
	return nil
}

// HandleHost serves h on the main listener for requests whose Host name
// (lower case, without port or final dot) match accepts, whatever their
// path: a service's own host names, such as Lambda's function URLs
// (<id>.lambda-url.<region>.localhost). match must accept only local names
// (those the gateway's Host check allows): the gateway sees none of these
// requests.
func (e *Env) HandleHost(match func(name string) bool, h http.Handler) error {
	if e.host == nil {
		return errors.New("host: no host")
	}
	e.host.rmu.Lock()
	defer e.host.rmu.Unlock()
	e.host.hostRoutes = append(e.host.hostRoutes, hostRoute{match, h})
	return nil
}

// Listen opens a listener of the service's own on addr ("127.0.0.1:0" picks a
// free port); the host closes it when the services stop. The service serves it
// (net/http's Server suits long polls and streams).
func (e *Env) Listen(addr string) (net.Listener, error) {
	if e.host == nil {
		return nil, errors.New("host: no host")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	e.host.rmu.Lock()
	e.host.listeners = append(e.host.listeners, ln)
	e.host.rmu.Unlock()
	return ln, nil
}
