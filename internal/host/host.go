// Package host is where services register themselves and what they are given to run:
// the store, a clock and a logger. Each service package calls Register in its init
// (Caddy's habit); internal/services/all imports them all, so the binary is one import
// list. A duplicate registration panics at start-up.
package host

import (
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/bus"
	"github.com/fogbank/fogbank/internal/store"
)

// Env is what a service is given when it is created.
type Env struct {
	Store  *store.Store
	Logger *slog.Logger
	Now    func() time.Time
	// Bus carries events between the services of this server (S3 notifications,
	// stream records...). Each server has its own, so two fogbanks in one process
	// (tests) never hear each other.
	Bus *bus.Bus
	// Keys are the access keys whose secrets the server knows, for services that
	// check signatures themselves (S3's browser POST uploads).
	Keys auth.Keys
}

// Factory creates a service implementation: a value implementing the generated API
// interface of its api.Service (usually by embedding its Unimplemented).
type Factory func(env *Env) (any, error)

// Registration binds a service description to the code that implements it.
type Registration struct {
	Service *api.Service
	Type    reflect.Type // the implementation's type, for the coverage listing
	New     Factory
}

// Closer is implemented by services that hold resources to release at shutdown.
type Closer interface{ Close() error }

var (
	mu  sync.Mutex // guards reg
	reg = map[string]Registration{}
)

// Register makes a service available; call it from the service package's init.
// proto is a typed nil of the implementation, e.g. (*Service)(nil): it tells
// `fogbank coverage` which operations the type defines, without creating it.
func Register(svc *api.Service, proto any, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := reg[svc.Name]; dup {
		panic(fmt.Sprintf("host: service %q registered twice", svc.Name))
	}
	reg[svc.Name] = Registration{Service: svc, Type: reflect.TypeOf(proto), New: f}
}

// Registered lists the registered services by name.
func Registered() []Registration {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Registration, 0, len(reg))
	for _, r := range reg {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Service.Name < out[j].Service.Name })
	return out
}
