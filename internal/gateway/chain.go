package gateway

import (
	"context"
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
)

// Invocation is one request as the interceptor chain and the after-hooks see it:
// every request of every service becomes one, requests the model does not
// describe included (they are pseudo-operations: S3's PostObject, the
// PreflightRequest of a browser's CORS preflight).
type Invocation struct {
	Service *api.Service
	// Operation is the operation's name: the model's, or a pseudo-operation's.
	// It is "" for a request refused before its operation was known (an
	// unknown operation, a bad signature): only after-hooks see those.
	Operation string
	Op        *api.Operation // nil when Operation is "" or names a refusal before identification
	Caller    *api.Caller    // nil before the signature check
	// Input is the decoded input, a pointer to the operation's input struct (a
	// streaming body not read yet).
	Input any
	// Header is the request's header, to read only (condition keys, tracing).
	Header http.Header
	// ResponseHeader is the answer's header: an interceptor may add to it
	// before the answer is written (the codec then writes its own over it).
	ResponseHeader http.Header

	// Known to after-hooks only.
	Status int   // the answer's status
	Size   int64 // the bytes of the answer's body written
	Err    error // the error answered, if any

	impl any // the service implementation the operation is called on
}

// Handler calls the operation of inv, or the rest of the chain.
type Handler func(ctx context.Context, inv *Invocation) (any, error)

// Interceptor is one step of the chain every operation passes between decoding
// and the call (an IAM authorizer, a usage meter, a trace): it calls next to go
// on, and returns its answer or an error of its own (an api.Error to answer
// with; anything else is answered as 500 InternalError). The caller is in ctx
// (api.CallerFrom) and in inv.
type Interceptor func(ctx context.Context, inv *Invocation, next Handler) (any, error)

// AfterHook sees every request once its answer is written, with its status
// and size: requests refused before the chain too (inv.Operation is "" when
// the operation was not known yet; inv.Err says why), and those refused before
// their service was known, as the pseudo-operations RefusedForeign and
// UnknownService (inv.Service is then the service the request looked like,
// or nil; inv.Caller is nil). It must not keep inv.
type AfterHook func(ctx context.Context, inv *Invocation)

// Pseudo-operations of requests refused before identification, which only
// the after-hooks see.
const (
	// RefusedForeign is a request from a Host or browser origin fogbank does
	// not serve (local.go).
	RefusedForeign = "RefusedForeignRequest"
	// UnknownService is a request fogbank could not tell the service of.
	UnknownService = "UnknownServiceRequest"
)

// call is the end of every chain: the operation itself.
func call(ctx context.Context, inv *Invocation) (any, error) {
	return inv.Op.Call(ctx, inv.impl, inv.Input)
}

// serviceStep runs the service's own step (Intercepting) when it has one. It
// asks the implementation for every request, as the implementation may be
// created only on the first (Bound.Resolve).
func serviceStep(ctx context.Context, inv *Invocation, next Handler) (any, error) {
	if ic, ok := inv.impl.(Intercepting); ok {
		return ic.Intercept(ctx, inv, next)
	}
	return next(ctx, inv)
}

// chain composes interceptors around the call, once, so that a request builds
// no closures: the first interceptor is the outermost.
func chain(ics []Interceptor) Handler {
	h := Handler(call)
	for i := len(ics) - 1; i >= 0; i-- {
		ic, next := ics[i], h
		h = func(ctx context.Context, inv *Invocation) (any, error) { return ic(ctx, inv, next) }
	}
	return h
}

// Intercepting is implemented by services with a step of their own for every
// request they answer, whatever the operation; it runs inside the gateway's
// own chain, before the Bound's Interceptors (serviceStep).
type Intercepting interface {
	Intercept(ctx context.Context, inv *Invocation, next Handler) (any, error)
}

// Admitting is implemented by services that judge a request once its
// operation and caller are known, before its body is decoded: S3 looks the
// bucket up first, so that a request for a missing bucket, or one its caller
// may not touch, is NoSuchBucket or AccessDenied whatever its body holds, and
// an unsigned body is never parsed for a bucket it may not write.
type Admitting interface {
	Admit(ctx context.Context, inv *Invocation, r *http.Request) error
}

// EarlyHeaders is implemented by services that add headers to the answers
// refused before the chain (a bad signature, an unknown operation, a body that
// does not decode), as they do through their interceptor to the others: S3's
// CORS headers from the bucket's rules, without which a browser cannot read
// the error. r is in path style (a virtual-hosted bucket is in its path).
type EarlyHeaders interface {
	EarlyHeaders(inv *Invocation, r *http.Request)
}
