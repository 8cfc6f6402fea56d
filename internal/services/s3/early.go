package s3

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/gateway"
	"github.com/fogbank/fogbank/internal/protocol/shape"
	"github.com/fogbank/fogbank/internal/store"
)

// What S3 decides before it reads a request's body, and the headers of the
// answers the gateway gives before the interceptor chain.

// bucketOfPath is the bucket a path-style request names, or "".
func bucketOfPath(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, _, _ := strings.Cut(p, "/")
	if r.URL.RawPath != "" {
		raw, _, _ := strings.Cut(strings.TrimPrefix(r.URL.RawPath, "/"), "/")
		if b, err := url.PathUnescape(raw); err == nil {
			bucket = b
		}
	}
	return bucket
}

// Admit looks the bucket up before an XML body is decoded, as S3 does: a
// request for a missing bucket is NoSuchBucket, and an anonymous one the
// bucket's ACL and policy do not let in is AccessDenied, whatever the body
// holds (S3 does not read the body of a request it refuses). Callers that
// signed are judged by the operation itself, which knows the permission it
// needs; it checks again for anonymous callers too.
func (s *Service) Admit(ctx context.Context, inv *gateway.Invocation, r *http.Request) error {
	if inv.Op == nil || inv.Operation == "CreateBucket" || !xmlPayload(inv.Op) {
		return nil
	}
	bucket := bucketOfPath(r)
	if bucket == "" {
		return nil
	}
	c := caller(ctx)
	return s.st.View(func(tx *store.Tx) error {
		b, err := sharedBucket(tx, bucket)
		if err != nil || c == nil || !c.Anonymous {
			return err
		}
		perm := permWrite
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			perm = permRead
		}
		return authorize(tx, c, b, nil, "", actionOf(inv.Operation), perm)
	})
}

// xmlPayload tells whether op's input is an XML document in the body.
func xmlPayload(op *api.Operation) bool {
	t := reflect.TypeOf(op.NewInput())
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	plan := shape.Of(t)
	if plan.Payload == "" {
		return false
	}
	for _, f := range plan.Fields {
		if f.Name == plan.Payload {
			return f.Type == "structure"
		}
	}
	return false
}

// EarlyHeaders adds the bucket's CORS headers to an answer given before the
// chain (a bad signature, an unknown bucket sub-resource, a malformed body),
// as the interceptor adds them to the others: a browser on an allowed origin
// can then read the error.
func (s *Service) EarlyHeaders(inv *gateway.Invocation, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" || r.Method == http.MethodOptions {
		return
	}
	s.corsActual(inv.ResponseHeader, bucketOfPath(r), origin, r.Header.Get("Access-Control-Request-Method"), r.Method)
}
