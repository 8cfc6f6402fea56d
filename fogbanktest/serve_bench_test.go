package fogbanktest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbt "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The BenchmarkServe* benchmarks measure the server's share of a request alone:
// a request signed by aws-sdk-go-v2 (configured as the shared load generator
// configures it) is recorded once, then replayed straight into the gateway's
// ServeHTTP with a response writer that discards, so neither the client nor
// net/http's connection handling is in ns/op and allocs/op. Each replay builds a
// fresh *http.Request (a few allocations of its own). Signatures stay valid for
// the 15 minutes of clock skew AWS allows, far longer than a benchmark runs.

// recorded is one request as the client sent it.
type recorded struct {
	method, host string
	url          *url.URL
	header       http.Header
	body         []byte
}

// recorder is an http.RoundTripper that remembers the last request it carried.
type recorder struct {
	next http.RoundTripper
	last recorded
}

func (rt *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	u := *r.URL
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	rt.last = recorded{method: r.Method, host: host, url: &u, header: r.Header.Clone(), body: body}
	return rt.next.RoundTrip(r)
}

// request builds the recorded request afresh, as net/http's server would hand it over.
func (rc *recorded) request() *http.Request {
	u := *rc.url
	u.Host, u.Scheme = "", ""
	r := &http.Request{Method: rc.method, URL: &u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rc.header.Clone(), Host: rc.host, RemoteAddr: "127.0.0.1:1234", RequestURI: u.RequestURI(),
		ContentLength: int64(len(rc.body)), Body: http.NoBody}
	if len(rc.body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(rc.body))
	}
	return r
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}

// replayClients starts fogbank and returns S3 and DynamoDB clients whose requests
// are recorded, with bucket "bench" and table "bench" created.
func replayClients(b *testing.B, ephemeral bool) (*Server, *recorder, *s3.Client, *dynamodb.Client) {
	// As the load generator's server runs: --log-level error.
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	opts := []Option{WithLogger(quiet)}
	if !ephemeral {
		opts = append(opts, WithDataDir(b.TempDir()))
	}
	srv := Start(b, opts...)
	rec := &recorder{next: http.DefaultTransport}
	cfg := srv.Config.Copy()
	cfg.HTTPClient = &http.Client{Transport: rec}
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	sc := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	dc := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	if _, err := dc.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bench"),
		KeySchema:            []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}},
		AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS}},
		BillingMode:          ddbt.BillingModePayPerRequest}); err != nil {
		b.Fatal(err)
	}
	return srv, rec, sc, dc
}

// replay serves rc b.N times (in parallel with -cpu N) and checks the status.
func replay(b *testing.B, srv *Server, rc recorded, want int) {
	g := srv.srv.Gateway
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := &discard{h: http.Header{}}
			g.ServeHTTP(w, rc.request())
			if w.status != want {
				b.Errorf("status %d, want %d", w.status, want)
				return
			}
		}
	})
}

var benchItem = map[string]ddbt.AttributeValue{
	"pk":   &ddbt.AttributeValueMemberS{Value: "get-1"},
	"name": &ddbt.AttributeValueMemberS{Value: "some-small-string-value-0123456789"},
	"n":    &ddbt.AttributeValueMemberN{Value: "42"},
}

func BenchmarkServeS3PutObject4KiB(b *testing.B) { bothModes(b, benchServeS3PutObject4KiB) }

func benchServeS3PutObject4KiB(b *testing.B, ephemeral bool) {
	srv, rec, sc, _ := replayClients(b, ephemeral)
	body := bytes.Repeat([]byte("x"), 4096)
	if _, err := sc.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("put/1"), Body: bytes.NewReader(body)}); err != nil {
		b.Fatal(err)
	}
	replay(b, srv, rec.last, http.StatusOK)
}

func BenchmarkServeS3GetObject4KiB(b *testing.B) { bothModes(b, benchServeS3GetObject4KiB) }

func benchServeS3GetObject4KiB(b *testing.B, ephemeral bool) {
	srv, rec, sc, _ := replayClients(b, ephemeral)
	body := bytes.Repeat([]byte("x"), 4096)
	ctx := context.Background()
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("get/1"), Body: bytes.NewReader(body)}); err != nil {
		b.Fatal(err)
	}
	out, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("get/1")})
	if err != nil {
		b.Fatal(err)
	}
	out.Body.Close()
	replay(b, srv, rec.last, http.StatusOK)
}

func BenchmarkServeDynamoDBPutItem(b *testing.B) { bothModes(b, benchServeDynamoDBPutItem) }

func benchServeDynamoDBPutItem(b *testing.B, ephemeral bool) {
	srv, rec, _, dc := replayClients(b, ephemeral)
	if _, err := dc.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: benchItem}); err != nil {
		b.Fatal(err)
	}
	replay(b, srv, rec.last, http.StatusOK)
}

func BenchmarkServeDynamoDBGetItem(b *testing.B) { bothModes(b, benchServeDynamoDBGetItem) }

func benchServeDynamoDBGetItem(b *testing.B, ephemeral bool) {
	srv, rec, _, dc := replayClients(b, ephemeral)
	ctx := context.Background()
	if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: benchItem}); err != nil {
		b.Fatal(err)
	}
	out, err := dc.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bench"),
		Key: map[string]ddbt.AttributeValue{"pk": benchItem["pk"]}})
	if err != nil || out.Item == nil {
		b.Fatal("GetItem:", err, out)
	}
	replay(b, srv, rec.last, http.StatusOK)
}

// bothModes runs a benchmark against a durable fogbank ("durable": its own data
// directory, every write fsynced) and an ephemeral one ("ephemeral": in memory).
func bothModes(b *testing.B, bench func(b *testing.B, ephemeral bool)) {
	b.Run("durable", func(b *testing.B) { bench(b, false) })
	b.Run("ephemeral", func(b *testing.B) { bench(b, true) })
}

// BenchmarkServeS3PutObject4KiBNewKeys is BenchmarkServeS3PutObject4KiB as the
// shared load generator writes: every PUT a new key, so the store grows as it
// does under bench/s3.sh (its overlay's trees deepen, the heap takes new pages)
// where the replay of one key overwrites one object. The b.N requests are
// signed before the timer starts (aws-sdk-go-v2's SigV4 signer, the recorded
// request's headers). cpu-ns/op is the process's CPU time (user and system, every
// thread: the collector's too) per PUT, steadier than ns/op on a shared machine;
// faults/op its minor page faults (a page the heap touches for the first time).
func BenchmarkServeS3PutObject4KiBNewKeys(b *testing.B) {
	bothModes(b, benchServeS3PutObject4KiBNewKeys)
}

func benchServeS3PutObject4KiBNewKeys(b *testing.B, ephemeral bool) {
	srv, rec, sc, _ := replayClients(b, ephemeral)
	body := bytes.Repeat([]byte("x"), 4096)
	ctx := context.Background()
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("put/0"), Body: bytes.NewReader(body)}); err != nil {
		b.Fatal(err)
	}
	tmpl := rec.last
	creds, err := srv.Config.Credentials.Retrieve(ctx)
	if err != nil {
		b.Fatal(err)
	}
	signer := v4.NewSigner()
	payloadHash := tmpl.header.Get("X-Amz-Content-Sha256")
	reqs := make([]recorded, b.N)
	for i := range reqs {
		u := *tmpl.url
		u.Path = fmt.Sprintf("/bench/put/%d/%d", i%8, i)
		u.RawPath = ""
		h := tmpl.header.Clone()
		h.Del("Authorization")
		h.Del("X-Amz-Date")
		r := &http.Request{Method: tmpl.method, URL: &u, Host: tmpl.host, Header: h, ContentLength: int64(len(body))}
		if err := signer.SignHTTP(ctx, creds, r, payloadHash, "s3", srv.Config.Region, time.Now()); err != nil {
			b.Fatal(err)
		}
		reqs[i] = recorded{method: tmpl.method, host: tmpl.host, url: &u, header: r.Header, body: tmpl.body}
	}
	g := srv.srv.Gateway
	var next atomic.Int64
	b.ReportAllocs()
	cpu0, flt0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rc := &reqs[next.Add(1)-1]
			w := &discard{h: http.Header{}}
			g.ServeHTTP(w, rc.request())
			if w.status != http.StatusOK {
				b.Errorf("status %d, want 200", w.status)
				return
			}
		}
	})
	b.StopTimer()
	cpu1, flt1 := cpuTime()
	b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(flt1-flt0)/float64(b.N), "faults/op")
}
