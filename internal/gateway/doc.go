// Package gateway is the one http.Handler in front of every service. For each
// request it first refuses a Host or browser Origin that is not local (Local,
// local.go: fogbank's credentials are public, so who can send is what protects
// it), then works out the service and protocol (X-Amz-Target, the CBOR path, the
// SigV4 credential scope, the Action field, the Host for virtual-hosted S3),
// verifies the signature (internal/auth), lets the protocol's codec route and decode
// the request into the generated input type, passes it through the interceptor
// chain (Config.Interceptors, then the service's own) to the service with the
// caller (account, region, principal) in the context, encodes the answer or the
// error, runs the after-hooks (Config.After) and logs one line.
//
// Every request of every service is an Invocation on that path: requests the
// model does not describe are pseudo-operations (S3's PostObject and
// PreflightRequest, in its dialect; the PreflightRequest of a browser's CORS
// preflight of /, answered here for services that let any origin in), so an
// authorizer or a meter placed in the chain sees them all; requests refused
// before their service is known (a foreign Host or origin, no known service)
// reach only the after-hooks, as RefusedForeign and UnknownService. Before
// decoding, a service may judge the request (Admitting: S3 looks the bucket up
// first) and add headers to errors answered before the chain (EarlyHeaders:
// S3's CORS headers). Large bodies held in memory (json, query, rest-json, CBOR;
// each protocol's limit in bodylimit.go) take turns through a
// gate (bodygate.go). What differs by
// service is read from its api.Dialect, never from its name. A panic in a handler becomes a 500 InternalError with its stack
// in the log; the server stays up. It also serves /_fogbank/health (and the same body
// at /_localstack/health).
package gateway
