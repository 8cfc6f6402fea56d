// Package host is what services are given to run (Env: the store, the outbox, a
// clock, a logger, other services, the server's URL) and their lifecycle (Host,
// lifecycle.go). Each service package declares its Impl as static data;
// internal/services/all lists every model with its Impl, so the binary is one
// list and a service package runs nothing at start (internal/lint checks it).
//
// # Lifecycle
//
// A service is created (Factory) and started (Starter) when it is first
// needed: a request for it, another service's Lookup, a route of its own, or
// at server start when it has state in the store (work left to resume:
// schedules, queued invocations). A service nobody has used costs nothing:
// no table built, no goroutine, none of its code paged in. At shutdown the
// started services stop in reverse (Stopper), then the created ones close
// (Closer). Creation must not look other services up; from Start on, a
// service may find another with Lookup, asserting it to a small interface of
// what it needs (Athena reading S3 objects, S3 checking a Lambda
// destination), which creates and starts that one if need be. It knows the
// server's URL (Env.URL), may serve routes of its own under the main listener
// (Env.Handle, paths under /_fogbank/) or open a listener of its own
// (Env.Listen, Lambda's Runtime API). Start must stay cheap.
package host

import (
	"log/slog"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/store"
)

// Env is what a service is given when it is created.
type Env struct {
	Store  *store.Store
	Logger *slog.Logger
	Now    func() time.Time
	// Outbox delivers the durable events of this server (S3 notifications,
	// stream records...): appended in a service's transaction, delivered at
	// least once. Each server has its own, so two fogbanks in one process (tests)
	// never wake each other.
	Outbox *outbox.Outbox
	// Keys are the access keys whose secrets the server knows, for services that
	// check signatures themselves (S3's browser POST uploads).
	Keys auth.Keys

	host *Host  // set by NewHost: lookups, URL, routes, listeners
	name string // the service this copy was given to
}

// Factory creates a service implementation: a value implementing the generated API
// interface of its api.Service (usually by embedding its Unimplemented).
type Factory func(env *Env) (any, error)

// Impl is the code behind one service, declared by its package as static data
// (`var Impl = host.Impl{New: New, Proto: (*Service)(nil)}`) so that linking a
// service costs nothing until it is used; internal/services/all pairs it with
// the service's model.
type Impl struct {
	New Factory
	// Proto is a typed nil of the implementation, e.g. (*Service)(nil): it tells
	// `fogbank coverage` which operations the type defines, without creating it.
	Proto any
	// AtServerStart, when set, runs in a goroutine of its own each time a server
	// starts, whether or not the service is ever created: for clean-up that
	// cannot wait for its first use, such as what an earlier fogbank killed
	// with -9 left running.
	AtServerStart func()
}

// Registration binds a service description to the code that implements it.
type Registration struct {
	Service *api.Service
	Impl
}

// Closer is implemented by services that hold resources to release at shutdown;
// it is called after Stop, in the same reverse order.
type Closer interface{ Close() error }

// Resetter is implemented by services that keep anything derived from their
// state outside the store (decoded records, caches): Reset forgets it. The
// server calls it after replacing the service's state in the store, on a reset
// or when a snapshot is loaded. A service's state in the store is everything
// under the root bucket named after it (api.Service.Name), which a reset of
// that service deletes.
type Resetter interface{ Reset() }

// BlobHolder is implemented by services whose records reference store blobs:
// BlobRefs reports every reference (as store.RefWalker), so that a reset of
// the service alone can drop them.
type BlobHolder interface {
	BlobRefs(tx *store.Tx, ref func(blobID string)) error
}
