// Package gateway is the one http.Handler in front of every service. For each
// request it first refuses a Host or browser Origin that is not local (Local,
// local.go: fogbank's credentials are public, so who can send is what protects
// it), then works out the service and protocol (X-Amz-Target, the CBOR path, the
// SigV4 credential scope, the Action field, the Host for virtual-hosted S3),
// verifies the signature (internal/auth), lets the protocol's codec route and decode
// the request into the generated input type, calls the service with the caller
// (account, region, principal) in the context, encodes the answer or the error,
// and logs one line. A panic in a handler becomes a 500 InternalError with its stack
// in the log; the server stays up. It also serves /_fogbank/health (and the same body
// at /_localstack/health).
package gateway
