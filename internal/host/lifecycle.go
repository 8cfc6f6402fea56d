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

// Host creates, starts and stops the registered services of one server.
type Host struct {
	order []string       // creation order
	impls map[string]any // by service name
	envs  map[string]*Env
	url   string // set by Start

	mu         sync.Mutex // guards started, routes, hostRoutes and listeners
	started    []string
	routes     map[string]http.Handler // full path prefix → handler
	hostRoutes []hostRoute
	listeners  []net.Listener
}

// hostRoute serves the requests whose Host name match accepts.
type hostRoute struct {
	match func(name string) bool
	h     http.Handler
}

// NewHost creates every service of regs, each with its own copy of base. A
// factory must not look other services up (they may not exist yet); it may
// fail, and then no service is left created (those created are closed).
func NewHost(base Env, regs []Registration) (*Host, error) {
	h := &Host{impls: map[string]any{}, envs: map[string]*Env{}, routes: map[string]http.Handler{}}
	for _, reg := range regs {
		name := reg.Service.Name
		env := base
		env.host, env.name = h, name
		impl, err := reg.New(&env)
		if err != nil {
			h.Stop(context.Background())
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
		h.order = append(h.order, name)
		h.impls[name] = impl
		h.envs[name] = &env
	}
	return h, nil
}

// Impl is the created implementation of the service named name (nil if none).
func (h *Host) Impl(name string) any { return h.impls[name] }

// Start records the server's URL and starts the services in creation order.
// When one fails, those started are stopped again, in reverse.
func (h *Host) Start(ctx context.Context, url string) error {
	h.url = url
	for _, name := range h.order {
		if s, ok := h.impls[name].(Starter); ok {
			if err := s.Start(ctx); err != nil {
				h.Stop(ctx)
				return fmt.Errorf("starting %s: %w", name, err)
			}
		}
		h.mu.Lock()
		h.started = append(h.started, name)
		h.mu.Unlock()
	}
	return nil
}

// Stop stops the started services in reverse order (Stopper), closes the
// listeners they opened, then closes every created service in reverse (Closer).
// It returns the first error and goes on past it.
func (h *Host) Stop(ctx context.Context) error {
	var errs []error
	h.mu.Lock()
	started := h.started
	h.started = nil
	h.mu.Unlock()
	for i := len(started) - 1; i >= 0; i-- {
		if s, ok := h.impls[started[i]].(Stopper); ok {
			if err := s.Stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stopping %s: %w", started[i], err))
			}
		}
	}
	h.mu.Lock()
	lns := h.listeners
	h.listeners = nil
	h.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	for i := len(h.order) - 1; i >= 0; i-- {
		if c, ok := h.impls[h.order[i]].(Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing %s: %w", h.order[i], err))
			}
		}
	}
	h.order = nil
	return errors.Join(errs...)
}

// ServeRoute answers r with the service route its path falls under, and tells
// whether there was one. The server offers it every request before the gateway.
func (h *Host) ServeRoute(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, RoutePrefix) {
		return false
	}
	h.mu.Lock()
	var best string
	for p := range h.routes {
		if strings.HasPrefix(r.URL.Path, p) && len(p) > len(best) {
			best = p
		}
	}
	hd := h.routes[best]
	h.mu.Unlock()
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
	h.mu.Lock()
	routes := h.hostRoutes
	h.mu.Unlock()
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
	return e.host.url
}

// Service is the created implementation of the service named name. Call it from
// Start on: during creation another service may not exist yet.
func (e *Env) Service(name string) (any, bool) {
	if e.host == nil {
		return nil, false
	}
	impl, ok := e.host.impls[name]
	return impl, ok
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
	e.host.mu.Lock()
	defer e.host.mu.Unlock()
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
	e.host.mu.Lock()
	defer e.host.mu.Unlock()
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
	e.host.mu.Lock()
	e.host.listeners = append(e.host.listeners, ln)
	e.host.mu.Unlock()
	return ln, nil
}
