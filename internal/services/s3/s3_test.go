package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/outbox"
	"github.com/fogbank/fogbank/internal/s3event"
	"github.com/fogbank/fogbank/internal/store"
)

// env is one service on a fresh store; tests end with the store's Check.
type env struct {
	t   *testing.T
	s   *Service
	st  *store.Store
	ob  *outbox.Outbox
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), NoSync: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ob := outbox.New(st, nil)
	e := &env{t: t, st: st, ob: ob, s: NewService(st, ob, nil, nil),
		ctx: api.WithCaller(context.Background(), &api.Caller{Account: "000000000000", Region: "us-east-1", RequestID: "req-1"})}
	t.Cleanup(func() {
		if err := st.Check(RefWalker); err != nil {
			t.Errorf("store.Check: %v", err)
		}
		st.Close()
	})
	return e
}

func s(v string) *string { return &v }

func code(err error) string {
	var ae api.Error
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return "non-api:" + err.Error()
}

// consume registers the test as a consumer of S3's events, as the SQS or Lambda
// service would register; events then answers what it has not seen yet.
func (e *env) consume() {
	e.t.Helper()
	if err := e.st.Update(func(tx *store.Tx) error { return outbox.Register(tx, s3event.Topic, "test") }); err != nil {
		e.t.Fatal(err)
	}
}

// notifyAll configures bucket to send every event to a queue.
func (e *env) notifyAll(bucket string) {
	e.t.Helper()
	_, err := e.s.PutBucketNotificationConfiguration(e.ctx, &s3api.PutBucketNotificationConfigurationRequest{Bucket: s(bucket),
		NotificationConfiguration: &s3api.NotificationConfiguration{QueueConfigurations: []*s3api.QueueConfiguration{{
			QueueArn: s("arn:aws:sqs:us-east-1:000000000000:all"), Events: []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*",
				"s3:ObjectRestore:*", "s3:ObjectTagging:*"}}}}})
	if err != nil {
		e.t.Fatal(err)
	}
}

// events reads and acknowledges the events the consumer has not seen.
func (e *env) events() []s3event.Event {
	e.t.Helper()
	var got []s3event.Event
	var last uint64
	err := e.st.View(func(tx *store.Tx) error {
		cur, _ := outbox.Acked(tx, s3event.Topic, "test")
		return outbox.Read(tx, s3event.Topic, cur+1, func(ev outbox.Event) error {
			d, err := s3event.Decode(ev.Payload)
			if err != nil {
				return err
			}
			got, last = append(got, *d), ev.Seq
			return nil
		})
	})
	if err == nil && last > 0 {
		err = e.st.Update(func(tx *store.Tx) error { return outbox.Ack(tx, s3event.Topic, "test", last) })
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *env) mb(name string) {
	e.t.Helper()
	if _, err := e.s.CreateBucket(e.ctx, &s3api.CreateBucketRequest{Bucket: s(name)}); err != nil {
		e.t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

func (e *env) put(bucket, key, body string) *s3api.PutObjectOutput {
	e.t.Helper()
	n := int64(len(body))
	out, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s(bucket), Key: s(key), Body: strings.NewReader(body), ContentLength: &n})
	if err != nil {
		e.t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return out
}

func (e *env) get(bucket, key string, mod func(*s3api.GetObjectRequest)) (string, *s3api.GetObjectOutput, error) {
	in := &s3api.GetObjectRequest{Bucket: s(bucket), Key: s(key)}
	if mod != nil {
		mod(in)
	}
	out, err := e.s.GetObject(e.ctx, in)
	if err != nil {
		return "", nil, err
	}
	b, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		e.t.Fatalf("reading body: %v", err)
	}
	return string(b), out, nil
}

func md5hex(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

func TestBucketLifecycle(t *testing.T) {
	e := newEnv(t)
	e.mb("alpha")
	_, err := e.s.CreateBucket(e.ctx, &s3api.CreateBucketRequest{Bucket: s("alpha")})
	if got := code(err); got != "" {
		t.Errorf("re-create in us-east-1: code %q, want success", got)
	}
	other := api.WithCaller(context.Background(), &api.Caller{Account: "111111111111", Region: "us-east-1"})
	_, err = e.s.CreateBucket(other, &s3api.CreateBucketRequest{Bucket: s("alpha")})
	if got := code(err); got != "BucketAlreadyExists" {
		t.Errorf("other account: code %q, want BucketAlreadyExists", got)
	}
	for _, bad := range []string{"ab", "Upper", "a..b", "192.168.1.1", "-ab", "xn--abc", strings.Repeat("a", 64)} {
		_, err := e.s.CreateBucket(e.ctx, &s3api.CreateBucketRequest{Bucket: s(bad)})
		if got := code(err); got != "InvalidBucketName" {
			t.Errorf("CreateBucket(%q): code %q, want InvalidBucketName", bad, got)
		}
	}
	eu := api.WithCaller(context.Background(), &api.Caller{Account: "000000000000", Region: "eu-west-1"})
	_, err = e.s.CreateBucket(eu, &s3api.CreateBucketRequest{Bucket: s("beta")})
	if got := code(err); got != "IllegalLocationConstraintException" {
		t.Errorf("eu-west-1 without constraint: %q, want IllegalLocationConstraintException", got)
	}
	out, err := e.s.CreateBucket(eu, &s3api.CreateBucketRequest{Bucket: s("my-bucket"),
		CreateBucketConfiguration: &s3api.CreateBucketConfiguration{LocationConstraint: s("eu-west-1")}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := api.ToString(out.Location), "http://my-bucket.s3.amazonaws.com/"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	_, err = e.s.CreateBucket(e.ctx, &s3api.CreateBucketRequest{Bucket: s("gamma"),
		CreateBucketConfiguration: &s3api.CreateBucketConfiguration{LocationConstraint: s("us-east-1")}})
	if got := code(err); got != "InvalidLocationConstraint" {
		t.Errorf("us-east-1 constraint: %q, want InvalidLocationConstraint", got)
	}
	loc, err := e.s.GetBucketLocation(e.ctx, &s3api.GetBucketLocationRequest{Bucket: s("my-bucket")})
	if err != nil || api.ToString(loc.LocationConstraint) != "eu-west-1" {
		t.Errorf("GetBucketLocation = %v, %v; want eu-west-1", loc, err)
	}
	lb, err := e.s.ListBuckets(e.ctx, &s3api.ListBucketsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, *b.Name)
	}
	if got, want := strings.Join(names, ","), "alpha,my-bucket"; got != want {
		t.Errorf("ListBuckets = %s, want %s", got, want)
	}
	e.put("alpha", "k", "v")
	_, err = e.s.DeleteBucket(e.ctx, &s3api.DeleteBucketRequest{Bucket: s("alpha")})
	if got := code(err); got != "BucketNotEmpty" {
		t.Errorf("DeleteBucket non-empty: %q, want BucketNotEmpty", got)
	}
	e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("alpha"), Key: s("k")})
	if _, err := e.s.DeleteBucket(e.ctx, &s3api.DeleteBucketRequest{Bucket: s("alpha")}); err != nil {
		t.Errorf("DeleteBucket empty: %v", err)
	}
	_, err = e.s.HeadBucket(e.ctx, &s3api.HeadBucketRequest{Bucket: s("alpha")})
	if got := code(err); got != "NoSuchBucket" {
		t.Errorf("HeadBucket deleted: %q, want NoSuchBucket", got)
	}
}

func TestPutGetObject(t *testing.T) {
	e := newEnv(t)
	e.mb("bkt")
	body := "hello, world"
	ct := "text/plain"
	n := int64(len(body))
	out, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("dir/../a b+c%2F//x"), Body: strings.NewReader(body),
		ContentLength: &n, ContentType: &ct, Metadata: map[string]string{"Color": "blue"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := api.ToString(out.ETag), `"`+md5hex(body)+`"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
	got, g, err := e.get("bkt", "dir/../a b+c%2F//x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != body || api.ToString(g.ContentType) != ct || g.Metadata["color"] != "blue" || api.ToInt64(g.ContentLength) != n {
		t.Errorf("GetObject = %q type %q meta %v len %d", got, api.ToString(g.ContentType), g.Metadata, api.ToInt64(g.ContentLength))
	}
	// Ranges.
	for _, tc := range []struct{ rng, want, cr string }{
		{"bytes=0-4", "hello", "bytes 0-4/12"},
		{"bytes=7-", "world", "bytes 7-11/12"},
		{"bytes=-5", "world", "bytes 7-11/12"},
		{"bytes=7-100", "world", "bytes 7-11/12"},
		{"junk", body, ""},
	} {
		got, g, err := e.get("bkt", "dir/../a b+c%2F//x", func(in *s3api.GetObjectRequest) { in.Range = s(tc.rng) })
		if err != nil || got != tc.want || api.ToString(g.ContentRange) != tc.cr {
			t.Errorf("Range %s = %q (%v), Content-Range %q; want %q, %q", tc.rng, got, err, api.ToString(g.ContentRange), tc.want, tc.cr)
		}
	}
	_, _, err = e.get("bkt", "dir/../a b+c%2F//x", func(in *s3api.GetObjectRequest) { in.Range = s("bytes=100-") })
	if c := code(err); c != "InvalidRange" {
		t.Errorf("unsatisfiable range: %q, want InvalidRange", c)
	}
	// Conditionals.
	etag := api.ToString(out.ETag)
	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name string
		mod  func(*s3api.GetObjectRequest)
		want string
	}{
		{"if-match ok", func(in *s3api.GetObjectRequest) { in.IfMatch = s(etag) }, ""},
		{"if-match bad", func(in *s3api.GetObjectRequest) { in.IfMatch = s(`"nope"`) }, "PreconditionFailed"},
		{"if-none-match hit", func(in *s3api.GetObjectRequest) { in.IfNoneMatch = s(etag) }, "NotModified"},
		{"if-modified-since future", func(in *s3api.GetObjectRequest) { in.IfModifiedSince = &future }, "NotModified"},
		{"if-modified-since past", func(in *s3api.GetObjectRequest) { in.IfModifiedSince = &past }, ""},
		{"if-unmodified-since past", func(in *s3api.GetObjectRequest) { in.IfUnmodifiedSince = &past }, "PreconditionFailed"},
		{"if-match beats unmodified", func(in *s3api.GetObjectRequest) { in.IfMatch = s(etag); in.IfUnmodifiedSince = &past }, ""},
	} {
		_, _, err := e.get("bkt", "dir/../a b+c%2F//x", tc.mod)
		if got := code(err); got != tc.want {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.want)
		}
	}
	_, _, err = e.get("bkt", "missing", nil)
	if c := code(err); c != "NoSuchKey" {
		t.Errorf("missing key: %q, want NoSuchKey", c)
	}
	_, _, err = e.get("nobucket", "x", nil)
	if c := code(err); c != "NoSuchBucket" {
		t.Errorf("missing bucket: %q, want NoSuchBucket", c)
	}
}

func TestPutChecksumsAndConditions(t *testing.T) {
	e := newEnv(t)
	e.mb("bkt")
	body := "checksum me"
	n := int64(len(body))
	sum := md5.Sum([]byte(body))
	good := base64.StdEncoding.EncodeToString(sum[:])
	if _, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("k"), Body: strings.NewReader(body), ContentLength: &n, ContentMD5: &good}); err != nil {
		t.Errorf("good Content-MD5: %v", err)
	}
	bad := base64.StdEncoding.EncodeToString(make([]byte, 16))
	_, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("k"), Body: strings.NewReader(body), ContentLength: &n, ContentMD5: &bad})
	if c := code(err); c != "BadDigest" {
		t.Errorf("bad Content-MD5: %q, want BadDigest", c)
	}
	_, err = e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("k"), Body: strings.NewReader(body), ContentLength: &n, ContentMD5: s("zz")})
	if c := code(err); c != "InvalidDigest" {
		t.Errorf("malformed Content-MD5: %q, want InvalidDigest", c)
	}
	// CRC32 of "checksum me".
	d := newDigest("CRC32")
	d.Write([]byte(body))
	crc := base64.StdEncoding.EncodeToString(d.Sum(nil))
	out, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("cfg"), Body: strings.NewReader(body), ContentLength: &n, ChecksumCRC32: &crc})
	if err != nil || api.ToString(out.ChecksumCRC32) != crc {
		t.Errorf("CRC32 put: %v, echoed %q want %q", err, api.ToString(out.ChecksumCRC32), crc)
	}
	_, err = e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("cfg"), Body: strings.NewReader(body), ContentLength: &n, ChecksumCRC32: s("AAAAAA==")})
	if c := code(err); c != "BadDigest" {
		t.Errorf("bad CRC32: %q, want BadDigest", c)
	}
	h, err := e.s.HeadObject(e.ctx, &s3api.HeadObjectRequest{Bucket: s("bkt"), Key: s("cfg"), ChecksumMode: s("ENABLED")})
	if err != nil || api.ToString(h.ChecksumCRC32) != crc {
		t.Errorf("HeadObject checksum: %v %q, want %q", err, api.ToString(h.ChecksumCRC32), crc)
	}
	// Over 5 GiB in one PUT.
	huge := int64(6 << 30)
	_, err = e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("huge"), Body: strings.NewReader(body), ContentLength: &huge})
	if c := code(err); c != "EntityTooLarge" {
		t.Errorf("6 GiB PUT: %q, want EntityTooLarge", c)
	}
	// Short body.
	long := int64(100)
	_, err = e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("short"), Body: strings.NewReader(body), ContentLength: &long})
	if c := code(err); c != "IncompleteBody" {
		t.Errorf("short body: %q, want IncompleteBody", c)
	}
	// If-None-Match: * refuses to overwrite.
	_, err = e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("k"), Body: strings.NewReader(body), ContentLength: &n, IfNoneMatch: s("*")})
	if c := code(err); c != "PreconditionFailed" {
		t.Errorf("If-None-Match * on existing: %q, want PreconditionFailed", c)
	}
	if _, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("new"), Body: strings.NewReader(body), ContentLength: &n, IfNoneMatch: s("*")}); err != nil {
		t.Errorf("If-None-Match * on new key: %v", err)
	}
	_, err = e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("bkt"), Key: s("k"), Body: strings.NewReader(body), ContentLength: &n, IfMatch: s(`"0000"`)})
	if c := code(err); c != "PreconditionFailed" {
		t.Errorf("If-Match wrong: %q, want PreconditionFailed", c)
	}
}

func TestCopyObject(t *testing.T) {
	e := newEnv(t)
	e.mb("src")
	e.mb("dst")
	ct := "text/plain"
	n := int64(3)
	e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("src"), Key: s("a b"), Body: strings.NewReader("abc"), ContentLength: &n,
		ContentType: &ct, Metadata: map[string]string{"m": "1"}})
	out, err := e.s.CopyObject(e.ctx, &s3api.CopyObjectRequest{Bucket: s("dst"), Key: s("copy"), CopySource: s("src/a%20b")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := api.ToString(out.CopyObjectResult.ETag), `"`+md5hex("abc")+`"`; got != want {
		t.Errorf("copy ETag %s, want %s", got, want)
	}
	body, g, _ := e.get("dst", "copy", nil)
	if body != "abc" || g.Metadata["m"] != "1" || api.ToString(g.ContentType) != ct {
		t.Errorf("copy = %q meta %v type %q", body, g.Metadata, api.ToString(g.ContentType))
	}
	_, err = e.s.CopyObject(e.ctx, &s3api.CopyObjectRequest{Bucket: s("src"), Key: s("a b"), CopySource: s("/src/a%20b")})
	if c := code(err); c != "InvalidRequest" {
		t.Errorf("copy onto itself: %q, want InvalidRequest", c)
	}
	_, err = e.s.CopyObject(e.ctx, &s3api.CopyObjectRequest{Bucket: s("src"), Key: s("a b"), CopySource: s("/src/a%20b"),
		MetadataDirective: s("REPLACE"), Metadata: map[string]string{"n": "2"}})
	if err != nil {
		t.Errorf("copy onto itself with REPLACE: %v", err)
	}
	_, g, _ = e.get("src", "a b", nil)
	if g.Metadata["n"] != "2" || g.Metadata["m"] != "" || api.ToString(g.ContentType) != "binary/octet-stream" {
		t.Errorf("after REPLACE meta %v type %q", g.Metadata, api.ToString(g.ContentType))
	}
	_, err = e.s.CopyObject(e.ctx, &s3api.CopyObjectRequest{Bucket: s("dst"), Key: s("c2"), CopySource: s("src/a%20b"), CopySourceIfMatch: s(`"x"`)})
	if c := code(err); c != "PreconditionFailed" {
		t.Errorf("copy-source-if-match: %q, want PreconditionFailed", c)
	}
	// Deleting the source leaves the copy's bytes (shared blob) intact.
	e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("src"), Key: s("a b")})
	if body, _, err := e.get("dst", "copy", nil); err != nil || body != "abc" {
		t.Errorf("copy after source delete = %q, %v", body, err)
	}
}

func keysOf(objs []*s3api.Object) string {
	var k []string
	for _, o := range objs {
		k = append(k, *o.Key)
	}
	return strings.Join(k, ",")
}

func prefixesOf(ps []*s3api.CommonPrefix) string {
	var k []string
	for _, p := range ps {
		k = append(k, *p.Prefix)
	}
	return strings.Join(k, ",")
}

func TestListing(t *testing.T) {
	e := newEnv(t)
	e.mb("bkt")
	for _, k := range []string{"a", "b/1", "b/2", "c/x/1", "d", "e f"} {
		e.put("bkt", k, k)
	}
	v2, err := e.s.ListObjectsV2(e.ctx, &s3api.ListObjectsV2Request{Bucket: s("bkt"), Delimiter: s("/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(v2.Contents) + "|" + prefixesOf(v2.CommonPrefixes); got != "a,d,e f|b/,c/" {
		t.Errorf("delimiter listing = %s", got)
	}
	// Paginate by 2 through everything with a delimiter.
	var all []string
	var token *string
	for i := 0; i < 10; i++ {
		mk := int64(2)
		p, err := e.s.ListObjectsV2(e.ctx, &s3api.ListObjectsV2Request{Bucket: s("bkt"), Delimiter: s("/"), MaxKeys: &mk, ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Contents {
			all = append(all, *o.Key)
		}
		for _, c := range p.CommonPrefixes {
			all = append(all, *c.Prefix)
		}
		if !api.ToBool(p.IsTruncated) {
			break
		}
		token = p.NextContinuationToken
	}
	sort.Strings(all)
	if got := strings.Join(all, ","); got != "a,b/,c/,d,e f" {
		t.Errorf("paginated = %s", got)
	}
	v1, err := e.s.ListObjects(e.ctx, &s3api.ListObjectsRequest{Bucket: s("bkt"), Prefix: s("b/"), Marker: s("b/1")})
	if err != nil || keysOf(v1.Contents) != "b/2" {
		t.Errorf("v1 marker = %s, %v", keysOf(v1.Contents), err)
	}
	enc, err := e.s.ListObjectsV2(e.ctx, &s3api.ListObjectsV2Request{Bucket: s("bkt"), Prefix: s("e"), EncodingType: s("url")})
	if err != nil || keysOf(enc.Contents) != "e%20f" {
		t.Errorf("encoding-type=url = %s, %v", keysOf(enc.Contents), err)
	}
	sa, _ := e.s.ListObjectsV2(e.ctx, &s3api.ListObjectsV2Request{Bucket: s("bkt"), StartAfter: s("c")})
	if got := keysOf(sa.Contents); got != "c/x/1,d,e f" {
		t.Errorf("start-after = %s", got)
	}
}

func TestVersioning(t *testing.T) {
	e := newEnv(t)
	e.mb("ver")
	e.put("ver", "k", "null-version")
	e.s.PutBucketVersioning(e.ctx, &s3api.PutBucketVersioningRequest{Bucket: s("ver"), VersioningConfiguration: &s3api.VersioningConfiguration{Status: s("Enabled")}})
	v1 := e.put("ver", "k", "one")
	v2 := e.put("ver", "k", "two")
	if api.ToString(v1.VersionId) == "" || api.ToString(v1.VersionId) == api.ToString(v2.VersionId) {
		t.Fatalf("version ids %q %q", api.ToString(v1.VersionId), api.ToString(v2.VersionId))
	}
	body, _, _ := e.get("ver", "k", nil)
	if body != "two" {
		t.Errorf("latest = %q, want two", body)
	}
	body, _, _ = e.get("ver", "k", func(in *s3api.GetObjectRequest) { in.VersionId = v1.VersionId })
	if body != "one" {
		t.Errorf("by version = %q, want one", body)
	}
	body, _, _ = e.get("ver", "k", func(in *s3api.GetObjectRequest) { in.VersionId = s("null") })
	if body != "null-version" {
		t.Errorf("null version = %q", body)
	}
	del, err := e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("ver"), Key: s("k")})
	if err != nil || !api.ToBool(del.DeleteMarker) || api.ToString(del.VersionId) == "" {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	_, _, err = e.get("ver", "k", nil)
	if c := code(err); c != "NoSuchKey" {
		t.Errorf("after delete marker: %q, want NoSuchKey", c)
	}
	_, _, err = e.get("ver", "k", func(in *s3api.GetObjectRequest) { in.VersionId = del.VersionId })
	if c := code(err); c != "MethodNotAllowed" {
		t.Errorf("GET delete marker by id: %q, want MethodNotAllowed", c)
	}
	lv, err := e.s.ListObjectVersions(e.ctx, &s3api.ListObjectVersionsRequest{Bucket: s("ver")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lv.Versions) != 3 || len(lv.DeleteMarkers) != 1 || !api.ToBool(lv.DeleteMarkers[0].IsLatest) || api.ToBool(lv.Versions[0].IsLatest) {
		t.Errorf("versions %d markers %d", len(lv.Versions), len(lv.DeleteMarkers))
	}
	if got := api.ToString(lv.Versions[0].VersionId); got != api.ToString(v2.VersionId) {
		t.Errorf("first version %s, want newest %s", got, api.ToString(v2.VersionId))
	}
	// Removing the delete marker brings "two" back.
	if _, err := e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("ver"), Key: s("k"), VersionId: del.VersionId}); err != nil {
		t.Fatal(err)
	}
	body, _, _ = e.get("ver", "k", nil)
	if body != "two" {
		t.Errorf("after removing marker = %q, want two", body)
	}
	// Paginate versions one at a time.
	var seen []string
	var km, vm *string
	for i := 0; i < 10; i++ {
		one := int64(1)
		p, err := e.s.ListObjectVersions(e.ctx, &s3api.ListObjectVersionsRequest{Bucket: s("ver"), MaxKeys: &one, KeyMarker: km, VersionIdMarker: vm})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Versions {
			seen = append(seen, *v.VersionId)
		}
		if !api.ToBool(p.IsTruncated) {
			break
		}
		km, vm = p.NextKeyMarker, p.NextVersionIdMarker
	}
	if len(seen) != 3 {
		t.Errorf("paginated versions = %v, want 3", seen)
	}
	// Suspended: writes replace the null version.
	e.s.PutBucketVersioning(e.ctx, &s3api.PutBucketVersioningRequest{Bucket: s("ver"), VersioningConfiguration: &s3api.VersioningConfiguration{Status: s("Suspended")}})
	out := e.put("ver", "k", "suspended")
	if out.VersionId != nil {
		t.Errorf("suspended put answered version %q, want none", api.ToString(out.VersionId))
	}
	lv, _ = e.s.ListObjectVersions(e.ctx, &s3api.ListObjectVersionsRequest{Bucket: s("ver")})
	if len(lv.Versions) != 3 {
		t.Errorf("after suspended put: %d versions, want 3 (null replaced)", len(lv.Versions))
	}
	// Clean up every version so the bucket can go.
	for _, v := range lv.Versions {
		e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("ver"), Key: v.Key, VersionId: v.VersionId})
	}
	if _, err := e.s.DeleteBucket(e.ctx, &s3api.DeleteBucketRequest{Bucket: s("ver")}); err != nil {
		t.Errorf("DeleteBucket after removing versions: %v", err)
	}
}

func TestMultipart(t *testing.T) {
	e := newEnv(t)
	e.mb("mpu")
	cr, err := e.s.CreateMultipartUpload(e.ctx, &s3api.CreateMultipartUploadRequest{Bucket: s("mpu"), Key: s("big"), ChecksumAlgorithm: s("CRC32")})
	if err != nil {
		t.Fatal(err)
	}
	id := cr.UploadId
	p1 := bytes.Repeat([]byte("a"), minPartSize)
	p2 := []byte("tail")
	var parts []*s3api.CompletedPart
	for i, p := range [][]byte{p1, p2} {
		n := int64(len(p))
		pn := int64(i + 1)
		out, err := e.s.UploadPart(e.ctx, &s3api.UploadPartRequest{Bucket: s("mpu"), Key: s("big"), UploadId: id, PartNumber: &pn, Body: bytes.NewReader(p), ContentLength: &n})
		if err != nil {
			t.Fatal(err)
		}
		if out.ChecksumCRC32 == nil {
			t.Errorf("part %d: no CRC32 answered", pn)
		}
		parts = append(parts, &s3api.CompletedPart{PartNumber: &pn, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	lp, err := e.s.ListParts(e.ctx, &s3api.ListPartsRequest{Bucket: s("mpu"), Key: s("big"), UploadId: id})
	if err != nil || len(lp.Parts) != 2 {
		t.Fatalf("ListParts = %v, %v", lp, err)
	}
	lu, err := e.s.ListMultipartUploads(e.ctx, &s3api.ListMultipartUploadsRequest{Bucket: s("mpu")})
	if err != nil || len(lu.Uploads) != 1 {
		t.Fatalf("ListMultipartUploads = %v, %v", lu, err)
	}
	_, err = e.s.CompleteMultipartUpload(e.ctx, &s3api.CompleteMultipartUploadRequest{Bucket: s("mpu"), Key: s("big"), UploadId: id,
		MultipartUpload: &s3api.CompletedMultipartUpload{Parts: []*s3api.CompletedPart{parts[1], parts[0]}}})
	if c := code(err); c != "InvalidPartOrder" {
		t.Errorf("wrong order: %q, want InvalidPartOrder", c)
	}
	done, err := e.s.CompleteMultipartUpload(e.ctx, &s3api.CompleteMultipartUploadRequest{Bucket: s("mpu"), Key: s("big"), UploadId: id,
		MultipartUpload: &s3api.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(api.ToString(done.ETag), `-2"`) || !strings.HasSuffix(api.ToString(done.ChecksumCRC32), "-2") {
		t.Errorf("complete ETag %s checksum %s", api.ToString(done.ETag), api.ToString(done.ChecksumCRC32))
	}
	body, g, err := e.get("mpu", "big", func(in *s3api.GetObjectRequest) { in.Range = s(fmt.Sprintf("bytes=%d-", minPartSize-2)) })
	if err != nil || body != "aatail" {
		t.Errorf("range across parts = %q, %v", body, err)
	}
	_, g, _ = e.get("mpu", "big", func(in *s3api.GetObjectRequest) { in.PartNumber = api.Int64(2) })
	if api.ToInt64(g.PartsCount) != 2 || api.ToInt64(g.ContentLength) != 4 {
		t.Errorf("part 2: count %d length %d", api.ToInt64(g.PartsCount), api.ToInt64(g.ContentLength))
	}
	// Small parts are refused.
	cr2, _ := e.s.CreateMultipartUpload(e.ctx, &s3api.CreateMultipartUploadRequest{Bucket: s("mpu"), Key: s("small")})
	var small []*s3api.CompletedPart
	for pn := int64(1); pn <= 2; pn++ {
		n := int64(1)
		out, err := e.s.UploadPart(e.ctx, &s3api.UploadPartRequest{Bucket: s("mpu"), Key: s("small"), UploadId: cr2.UploadId, PartNumber: api.Int64(pn), Body: strings.NewReader("x"), ContentLength: &n})
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, &s3api.CompletedPart{PartNumber: api.Int64(pn), ETag: out.ETag})
	}
	_, err = e.s.CompleteMultipartUpload(e.ctx, &s3api.CompleteMultipartUploadRequest{Bucket: s("mpu"), Key: s("small"), UploadId: cr2.UploadId,
		MultipartUpload: &s3api.CompletedMultipartUpload{Parts: small}})
	if c := code(err); c != "EntityTooSmall" {
		t.Errorf("small parts: %q, want EntityTooSmall", c)
	}
	if _, err := e.s.AbortMultipartUpload(e.ctx, &s3api.AbortMultipartUploadRequest{Bucket: s("mpu"), Key: s("small"), UploadId: cr2.UploadId}); err != nil {
		t.Errorf("abort: %v", err)
	}
	_, err = e.s.AbortMultipartUpload(e.ctx, &s3api.AbortMultipartUploadRequest{Bucket: s("mpu"), Key: s("small"), UploadId: cr2.UploadId})
	if c := code(err); c != "NoSuchUpload" {
		t.Errorf("abort twice: %q, want NoSuchUpload", c)
	}
}

func TestDeleteObjects(t *testing.T) {
	e := newEnv(t)
	e.mb("del")
	e.put("del", "a", "1")
	e.put("del", "b", "2")
	out, err := e.s.DeleteObjects(e.ctx, &s3api.DeleteObjectsRequest{Bucket: s("del"), Delete: &s3api.Delete{Objects: []*s3api.ObjectIdentifier{{Key: s("a")}, {Key: s("b")}, {Key: s("zz")}}}})
	if err != nil || len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects = %+v, %v", out, err)
	}
	l, _ := e.s.ListObjectsV2(e.ctx, &s3api.ListObjectsV2Request{Bucket: s("del")})
	if len(l.Contents) != 0 {
		t.Errorf("left %s", keysOf(l.Contents))
	}
}

func TestNotifications(t *testing.T) {
	e := newEnv(t)
	e.mb("ntf")
	e.put("ntf", "before", "no consumer yet: no event")
	e.consume()
	_, err := e.s.PutBucketNotificationConfiguration(e.ctx, &s3api.PutBucketNotificationConfigurationRequest{Bucket: s("ntf"),
		NotificationConfiguration: &s3api.NotificationConfiguration{QueueConfigurations: []*s3api.QueueConfiguration{{
			Id: s("uploads"), QueueArn: s("arn:aws:sqs:us-east-1:000000000000:q"), Events: []string{"s3:ObjectCreated:*"},
			Filter: &s3api.NotificationConfigurationFilter{Key: &s3api.S3KeyFilter{FilterRules: []*s3api.FilterRule{
				{Name: s("prefix"), Value: s("in/")}, {Name: s("suffix"), Value: s(".csv")}}}},
		}}, LambdaFunctionConfigurations: []*s3api.LambdaFunctionConfiguration{{
			LambdaFunctionArn: s("arn:aws:lambda:us-east-1:000000000000:function:f"), Events: []string{"s3:ObjectRemoved:*"}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.put("ntf", "in/data file.csv", "a,b")
	e.put("ntf", "out/x.csv", "a,b") // matches no destination: no event, as on AWS
	e.put("ntf", "in/y.csv", "c")
	e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("ntf"), Key: s("in/data file.csv")})
	got := e.events()
	if len(got) != 3 {
		t.Fatalf("got %d events, want 3", len(got))
	}
	r := got[0].Record
	if r.EventName != "ObjectCreated:Put" || r.EventVersion != "2.1" || r.S3.Object.Key != "in/data+file.csv" ||
		r.S3.ConfigurationID != "uploads" || r.S3.Bucket.ARN != "arn:aws:s3:::ntf" || api.ToInt64(r.S3.Object.Size) != 3 || r.S3.Object.ETag != md5hex("a,b") {
		t.Errorf("record = %+v", r)
	}
	if len(got[0].Targets) != 1 || got[0].Targets[0].ARN != "arn:aws:sqs:us-east-1:000000000000:q" {
		t.Errorf("targets = %+v", got[0].Targets)
	}
	if got[1].Record.S3.Object.Key != "in/y.csv" {
		t.Errorf("second event is for %s, want in/y.csv", got[1].Record.S3.Object.Key)
	}
	if got[2].Record.EventName != "ObjectRemoved:Delete" || got[2].Record.S3.Object.Size != nil || len(got[2].Targets) != 1 ||
		got[2].Targets[0].Kind != "lambda" || got[2].Record.S3.ConfigurationID != "notification-1" {
		t.Errorf("delete event = %+v targets %+v", got[2].Record, got[2].Targets)
	}
	if again := e.events(); len(again) != 0 {
		t.Errorf("%d events after all were acknowledged, want 0", len(again))
	}
	if got[0].Record.S3.Object.Sequencer >= got[1].Record.S3.Object.Sequencer {
		t.Errorf("sequencers not increasing: %s, %s", got[0].Record.S3.Object.Sequencer, got[1].Record.S3.Object.Sequencer)
	}
}

func TestConfigs(t *testing.T) {
	e := newEnv(t)
	e.mb("cfg")
	_, err := e.s.GetBucketTagging(e.ctx, &s3api.GetBucketTaggingRequest{Bucket: s("cfg")})
	if c := code(err); c != "NoSuchTagSet" {
		t.Errorf("no tags: %q", c)
	}
	e.s.PutBucketTagging(e.ctx, &s3api.PutBucketTaggingRequest{Bucket: s("cfg"), Tagging: &s3api.Tagging{TagSet: []*s3api.Tag{{Key: s("k"), Value: s("ver")}}}})
	tg, err := e.s.GetBucketTagging(e.ctx, &s3api.GetBucketTaggingRequest{Bucket: s("cfg")})
	if err != nil || len(tg.TagSet) != 1 || *tg.TagSet[0].Key != "k" {
		t.Errorf("tags = %v %v", tg, err)
	}
	_, err = e.s.PutBucketPolicy(e.ctx, &s3api.PutBucketPolicyRequest{Bucket: s("cfg"), Policy: s("not json")})
	if c := code(err); c != "MalformedPolicy" {
		t.Errorf("bad policy: %q", c)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg/*"}]}`
	if _, err := e.s.PutBucketPolicy(e.ctx, &s3api.PutBucketPolicyRequest{Bucket: s("cfg"), Policy: &pol}); err != nil {
		t.Errorf("good policy: %v", err)
	}
	gp, _ := e.s.GetBucketPolicy(e.ctx, &s3api.GetBucketPolicyRequest{Bucket: s("cfg")})
	if api.ToString(gp.Policy) != pol {
		t.Errorf("policy read back %q", api.ToString(gp.Policy))
	}
	e.put("cfg", "o", "x")
	tagging := "a=1&b=two%20words"
	n := int64(1)
	e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("cfg"), Key: s("t"), Body: strings.NewReader("x"), ContentLength: &n, Tagging: &tagging})
	ot, err := e.s.GetObjectTagging(e.ctx, &s3api.GetObjectTaggingRequest{Bucket: s("cfg"), Key: s("t")})
	if err != nil || len(ot.TagSet) != 2 || *ot.TagSet[1].Value != "two words" {
		t.Errorf("object tags = %v, %v", ot, err)
	}
	acl, err := e.s.GetObjectAcl(e.ctx, &s3api.GetObjectAclRequest{Bucket: s("cfg"), Key: s("o")})
	if err != nil || len(acl.Grants) != 1 || *acl.Grants[0].Permission != "FULL_CONTROL" {
		t.Errorf("default ACL = %v, %v", acl, err)
	}
	e.s.PutBucketAcl(e.ctx, &s3api.PutBucketAclRequest{Bucket: s("cfg"), ACL: s("public-read")})
	bacl, _ := e.s.GetBucketAcl(e.ctx, &s3api.GetBucketAclRequest{Bucket: s("cfg")})
	if len(bacl.Grants) != 2 || api.ToString(bacl.Grants[0].Grantee.URI) != allUsers {
		t.Errorf("public-read ACL = %+v", bacl.Grants)
	}
	enc, err := e.s.GetBucketEncryption(e.ctx, &s3api.GetBucketEncryptionRequest{Bucket: s("cfg")})
	if err != nil || *enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" {
		t.Errorf("default encryption = %v, %v", enc, err)
	}
	_, err = e.s.GetBucketCors(e.ctx, &s3api.GetBucketCorsRequest{Bucket: s("cfg")})
	if c := code(err); c != "NoSuchCORSConfiguration" {
		t.Errorf("no cors: %q", c)
	}
}

func TestObjectLock(t *testing.T) {
	e := newEnv(t)
	if _, err := e.s.CreateBucket(e.ctx, &s3api.CreateBucketRequest{Bucket: s("lck"), ObjectLockEnabledForBucket: api.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	out := e.put("lck", "k", "x")
	until := time.Now().Add(time.Hour)
	if _, err := e.s.PutObjectRetention(e.ctx, &s3api.PutObjectRetentionRequest{Bucket: s("lck"), Key: s("k"), VersionId: out.VersionId,
		Retention: &s3api.ObjectLockRetention{Mode: s("GOVERNANCE"), RetainUntilDate: &until}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("lck"), Key: s("k"), VersionId: out.VersionId})
	if c := code(err); c != "AccessDenied" {
		t.Errorf("delete retained version: %q, want AccessDenied", c)
	}
	if _, err := e.s.DeleteObject(e.ctx, &s3api.DeleteObjectRequest{Bucket: s("lck"), Key: s("k"), VersionId: out.VersionId, BypassGovernanceRetention: api.Bool(true)}); err != nil {
		t.Errorf("delete with bypass: %v", err)
	}
}

func TestAccessControl(t *testing.T) {
	e := newEnv(t)
	e.mb("acc")
	e.put("acc", "private", "p")
	n := int64(1)
	if _, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("acc"), Key: s("public"), Body: strings.NewReader("x"), ContentLength: &n, ACL: s("public-read")}); err != nil {
		t.Fatal(err)
	}
	anon := api.WithCaller(context.Background(), &api.Caller{Account: "000000000000", Region: "us-east-1", Anonymous: true})
	other := api.WithCaller(context.Background(), &api.Caller{Account: "222222222222", Region: "us-east-1"})
	get := func(ctx context.Context, key string) string {
		_, err := e.s.GetObject(ctx, &s3api.GetObjectRequest{Bucket: s("acc"), Key: s(key)})
		return code(err)
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		key  string
		want string
	}{
		{"owner private", e.ctx, "private", ""},
		{"anonymous private", anon, "private", "AccessDenied"},
		{"other account private", other, "private", "AccessDenied"},
		{"anonymous public-read", anon, "public", ""},
		{"anonymous missing key", anon, "missing", "AccessDenied"},
	} {
		if g := get(tc.ctx, tc.key); g != tc.want {
			t.Errorf("%s: code %q, want %q", tc.name, g, tc.want)
		}
	}
	_, err := e.s.PutObject(other, &s3api.PutObjectRequest{Bucket: s("acc"), Key: s("x"), Body: strings.NewReader("x"), ContentLength: &n})
	if c := code(err); c != "AccessDenied" {
		t.Errorf("other account PUT: %q, want AccessDenied", c)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acc/*"}]}`
	if _, err := e.s.PutBucketPolicy(e.ctx, &s3api.PutBucketPolicyRequest{Bucket: s("acc"), Policy: &pol}); err != nil {
		t.Fatal(err)
	}
	if g := get(other, "private"); g != "" {
		t.Errorf("other account with policy: %q, want success", g)
	}
	if g := get(anon, "private"); g != "AccessDenied" {
		t.Errorf("anonymous with policy for another account: %q, want AccessDenied", g)
	}
	_, err = e.s.ListObjectsV2(other, &s3api.ListObjectsV2Request{Bucket: s("acc")})
	if c := code(err); c != "AccessDenied" {
		t.Errorf("other account list: %q, want AccessDenied", c)
	}
}

func TestRestoreObject(t *testing.T) {
	e := newEnv(t)
	e.mb("arc")
	e.consume()
	e.notifyAll("arc")
	n := int64(1)
	if _, err := e.s.PutObject(e.ctx, &s3api.PutObjectRequest{Bucket: s("arc"), Key: s("cold"), Body: strings.NewReader("x"), ContentLength: &n, StorageClass: s("GLACIER")}); err != nil {
		t.Fatal(err)
	}
	e.put("arc", "warm", "y")
	_, err := e.s.RestoreObject(e.ctx, &s3api.RestoreObjectRequest{Bucket: s("arc"), Key: s("warm"), RestoreRequest: &s3api.RestoreRequest{Days: api.Int64(2)}})
	if c := code(err); c != "InvalidObjectState" {
		t.Errorf("restore of a STANDARD object: %q, want InvalidObjectState", c)
	}
	if _, err := e.s.RestoreObject(e.ctx, &s3api.RestoreObjectRequest{Bucket: s("arc"), Key: s("cold"), RestoreRequest: &s3api.RestoreRequest{Days: api.Int64(2)}}); err != nil {
		t.Fatal(err)
	}
	h, err := e.s.HeadObject(e.ctx, &s3api.HeadObjectRequest{Bucket: s("arc"), Key: s("cold")})
	if err != nil || !strings.HasPrefix(api.ToString(h.Restore), `ongoing-request="false", expiry-date=`) {
		t.Errorf("x-amz-restore = %q, %v", api.ToString(h.Restore), err)
	}
	var names []string
	events := e.events()
	for _, ev := range events {
		names = append(names, ev.Record.EventName)
	}
	if got := strings.Join(names, ","); got != "ObjectCreated:Put,ObjectCreated:Put,ObjectRestore:Post,ObjectRestore:Completed" {
		t.Errorf("events = %s", got)
	}
	if last := events[len(events)-1].Record; last.GlacierEventData == nil || last.GlacierEventData.RestoreEventData.LifecycleRestoreStorageClass != "GLACIER" {
		t.Errorf("completed event glacierEventData = %+v", last.GlacierEventData)
	}
}
