package s3

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/host"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/store"
)

// Impl is how the server creates this service (internal/services/all).
var Impl = host.Impl{New: New, Proto: (*Service)(nil)}

// Service is fogbank's S3.
type Service struct {
	s3api.Unimplemented
	st     *store.Store
	events *outbox.Outbox // wakes the deliverers of s3event.Topic
	log    *slog.Logger
	now    func() time.Time
	keys   auth.Keys // secrets for browser POST upload signatures
	env    *host.Env // other services (Lambda, for notification targets); nil in NewService's tests
}

var _ s3api.API = (*Service)(nil)

// New creates the service on env's store; event notifications go to env.Outbox,
// POST upload signatures are checked with env.Keys.
func New(env *host.Env) (any, error) {
	s := NewService(env.Store, env.Outbox, env.Logger, env.Now)
	s.env = env
	if env.Keys != nil {
		s.keys = env.Keys
	}
	return s, nil
}

// NewService is New with every dependency explicit, for tests.
// A nil ob wakes nobody: events are still written, and deliverers find them
// when they next look.
func NewService(st *store.Store, ob *outbox.Outbox, log *slog.Logger, now func() time.Time) *Service {
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, events: ob, log: log, now: now, keys: auth.DefaultKeys()}
}

// The store layout. Every path starts at the root bucket "s3".
//
//	s3/buckets                  bucket name → bucketRec (names are global, as on AWS)
//	s3/b/<bucket>/o             key → objRec of the current version (never a delete marker)
//	s3/b/<bucket>/v             key \x00 ^seq → objRec: every version, newest first per key
//	s3/b/<bucket>/u             upload id → uploadRec
//	s3/b/<bucket>/p             upload id / part number → partRec
//	s3/b/<bucket>/c             configuration name → its JSON
const root = "s3"

var (
	bucketsPath = []string{root, "buckets"}
)

func bpath(bucket string, sub string) []string { return []string{root, "b", bucket, sub} }

// nowSec returns the service clock at the precision S3 keeps object times:
// whole seconds (HTTP dates carry no more, and listings show .000Z). It rounds
// up, so that an object is never older than a file written just before its
// upload: aws s3 sync compares the two and would upload the file again.
func (s *Service) nowSec() time.Time {
	t := s.now().UTC()
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}

// canonicalID is the 64-hex canonical user id S3 shows as an account's owner id.
func canonicalID(account string) string {
	h := sha256.Sum256([]byte("fogbank-s3-owner:" + account))
	return hex.EncodeToString(h[:])
}

// displayName is the owner display name; AWS shows the account's e-mail user part.
func displayName(account string) string { return "fogbank-" + account }

func ownerOf(account string) *s3api.Owner {
	return &s3api.Owner{ID: api.String(canonicalID(account)), DisplayName: api.String(displayName(account))}
}

// caller is the request's caller (a default one in direct tests).
func caller(ctx context.Context) *api.Caller { return api.CallerFrom(ctx) }

// newVersionID makes a version id shaped like AWS's: 32 URL-safe characters.
// Every PUT makes one, so it comes from math/rand/v2's per-thread generator
// (unique enough, and not a secret) rather than a crypto/rand read.
func newVersionID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
	var b [32]byte
	var x uint64
	for i := range b {
		if i%8 == 0 {
			x = mrand.Uint64()
		}
		b[i] = alphabet[int(byte(x))%len(alphabet)]
		x >>= 8
	}
	return string(b[:])
}

// newUploadID makes a multipart upload id; AWS's are long and opaque.
func newUploadID() string {
	var b [24]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// internal wraps a store failure: logged with its cause, answered as InternalError.
func (s *Service) internal(op string, err error) error {
	var ae api.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, store.ErrFull) {
		// The store logged it (once) and nothing of the write remains.
		return errDiskFull()
	}
	s.log.Error("s3: "+op, "err", err)
	return api.InternalError()
}

// errDiskFull is the answer to a write that found fogbank's disk full: S3's
// 503 for a server that cannot take the request now, which SDKs retry.
func errDiskFull() error {
	return api.Errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unable to handle request.")
}

// headerError is an error answer that carries response headers besides its
// body, as S3's do: x-amz-delete-marker on a 404, ETag on a 304. Codecs that know
// the ResponseHeaders method write them.
type headerError struct {
	*api.Err
	hdr http.Header
}

func (e *headerError) ResponseHeaders() http.Header { return e.hdr }
func (e *headerError) Unwrap() error                { return e.Err }

func withHeaders(err error, kv ...string) error {
	ae, ok := err.(*api.Err)
	if !ok {
		return err
	}
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &headerError{Err: ae, hdr: h}
}

// Errors AWS S3 answers that the model has no shape for (or whose shape lacks the
// extra fields S3 sends). Messages are AWS's, word for word.

func errNoSuchBucket(bucket string) error {
	return api.Errorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", bucket)
}

func errNoSuchKey(key string) error {
	return api.Errorf(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").With("Key", key)
}

func errNoSuchVersion(key, version string) error {
	return api.Errorf(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.").With("Key", key).With("VersionId", version)
}

func errNoSuchUpload(id string) error {
	return api.Errorf(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").With("UploadId", id)
}

func errInvalidArgument(msg, name, value string) error {
	e := api.Errorf(http.StatusBadRequest, "InvalidArgument", "%s", msg)
	if name != "" {
		e.With("ArgumentName", name).With("ArgumentValue", value)
	}
	return e
}

func errInvalidRequest(msg string) error {
	return api.Errorf(http.StatusBadRequest, "InvalidRequest", "%s", msg)
}

func errMalformedXML() error {
	return api.Errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

func errPrecondition(cond string) error {
	return api.Errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").With("Condition", cond)
}

func errNotModified() error {
	return api.Errorf(http.StatusNotModified, "NotModified", "Not Modified")
}

func errAccessDenied() error {
	return api.Errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
}

func errMethodNotAllowed(method, resource string) error {
	return api.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		With("Method", method).With("ResourceType", resource)
}

func errBadDigest() error {
	return api.Errorf(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
}

func errInvalidDigest() error {
	return api.Errorf(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
}

func errNotImplementedHeader(header string) error {
	return api.Errorf(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented").With("Header", header)
}
