package gateway_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/gateway"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

// echoInput and echoOutput are the shapes of the test services' one operation,
// tagged for every protocol: the rest codecs read Name from the query string,
// the others from the body.
type echoInput struct {
	_    struct{} `type:"structure"`
	Name *string  `name:"Name" location:"querystring" locationName:"name" type:"string" required:"true"`
}

type echoBodyInput struct {
	_    struct{} `type:"structure"`
	Name *string  `name:"Name" type:"string" required:"true"`
}

type echoOutput struct {
	_        struct{} `type:"structure"`
	Greeting *string  `name:"Greeting" type:"string"`
}

// testService is a made-up service speaking one protocol, whose Echo answers
// "hello <Name>".
func testService(name, proto string) *api.Service {
	rest := proto == protocol.RestXML || proto == protocol.RestJSON
	newIn := func() any { return &echoBodyInput{} }
	if rest {
		newIn = func() any { return &echoInput{} }
	}
	echo := &api.Operation{Name: "Echo", HTTPMethod: "POST", RequestURI: "/", NewInput: newIn,
		NewOutput: func() any { return &echoOutput{} },
		Call: func(ctx context.Context, impl any, in any) (any, error) {
			var n *string
			switch in := in.(type) {
			case *echoInput:
				n = in.Name
			case *echoBodyInput:
				n = in.Name
			}
			return &echoOutput{Greeting: aws.String("hello " + aws.ToString(n))}, nil
		}}
	if rest {
		echo.HTTPMethod, echo.RequestURI = "GET", "/echo"
	}
	return &api.Service{Name: name, ServiceID: name, EndpointPrefix: name, SigningName: name,
		APIVersion: "2024-01-01", Protocols: []string{proto}, JSONVersion: "1.0", TargetPrefix: name,
		Operations: []*api.Operation{echo}}
}

// signed is a request for the test service, signed with test/test as an SDK would.
func signed(t *testing.T, method, url, service string, header http.Header, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seen is what the chain and the after-hook of a test saw.
type seen struct {
	mu     sync.Mutex
	chain  []*gateway.Invocation // copies, taken in the interceptor
	after  []gateway.Invocation  // copies, taken in the after-hook
	refuse bool
}

func (s *seen) interceptor(ctx context.Context, inv *gateway.Invocation, next gateway.Handler) (any, error) {
	s.mu.Lock()
	cp := *inv
	s.chain = append(s.chain, &cp)
	refuse := s.refuse
	s.mu.Unlock()
	if api.CallerFrom(ctx) != inv.Caller {
		return nil, errors.New("the caller in ctx is not inv.Caller")
	}
	if refuse {
		return nil, &api.Err{Code: "AccessDenied", Message: "refused by the test's interceptor", Status: http.StatusForbidden}
	}
	return next(ctx, inv)
}

func (s *seen) hook(_ context.Context, inv *gateway.Invocation) {
	s.mu.Lock()
	s.after = append(s.after, *inv)
	s.mu.Unlock()
}

func (s *seen) reset(refuse bool) {
	s.mu.Lock()
	s.chain, s.after, s.refuse = nil, nil, refuse
	s.mu.Unlock()
}

// Every protocol's requests pass the chain with their operation, caller and
// decoded input, and the after-hook sees status and size; an interceptor that
// refuses is answered in the protocol's own error shape.
func TestChainEveryProtocol(t *testing.T) {
	s := &seen{}
	protos := []string{protocol.RestXML, protocol.RestJSON, protocol.JSON, protocol.Query, protocol.RPCv2CBOR}
	var bound []gateway.Bound
	for _, p := range protos {
		name := "test" + strings.NewReplacer("-", "", "smithy", "").Replace(p)
		bound = append(bound, gateway.Bound{Service: testService(name, p), Impl: struct{}{}, Implemented: true})
	}
	var logs syncBuffer
	g := gateway.New(gateway.Config{
		Services: bound, Codecs: server.Codecs(),
		Verifier:     &auth.Verifier{Keys: auth.DefaultKeys(), Now: time.Now},
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		Interceptors: []gateway.Interceptor{s.interceptor},
		After:        []gateway.AfterHook{s.hook},
	})
	srv := httptest.NewServer(g)
	defer srv.Close()

	request := func(i int) *http.Request {
		svc := bound[i].Service
		switch svc.Protocols[0] {
		case protocol.RestXML, protocol.RestJSON:
			return signed(t, "GET", srv.URL+"/echo?name=x", svc.SigningName, nil, nil)
		case protocol.JSON:
			return signed(t, "POST", srv.URL+"/", svc.SigningName, http.Header{
				"X-Amz-Target": {svc.TargetPrefix + ".Echo"}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(`{"Name":"x"}`))
		case protocol.Query:
			return signed(t, "POST", srv.URL+"/", svc.SigningName, http.Header{
				"Content-Type": {"application/x-www-form-urlencoded"}}, []byte("Action=Echo&Version=2024-01-01&Name=x"))
		default: // CBOR: {"Name": "x"}
			return signed(t, "POST", srv.URL+"/service/"+svc.TargetPrefix+"/operation/Echo", svc.SigningName, http.Header{
				"Smithy-Protocol": {"rpc-v2-cbor"}, "Content-Type": {"application/cbor"}, "Accept": {"application/cbor"}},
				[]byte{0xa1, 0x64, 'N', 'a', 'm', 'e', 0x61, 'x'})
		}
	}
	for i, p := range protos {
		s.reset(false)
		resp, err := http.DefaultClient.Do(request(i))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("hello x")) {
			t.Errorf("%s: %d %q, want 200 with hello x", p, resp.StatusCode, body)
			continue
		}
		if len(s.chain) != 1 {
			t.Fatalf("%s: the chain saw %d requests, want 1", p, len(s.chain))
		}
		inv := s.chain[0]
		var name *string
		switch in := inv.Input.(type) {
		case *echoInput:
			name = in.Name
		case *echoBodyInput:
			name = in.Name
		}
		if inv.Service != bound[i].Service || inv.Operation != "Echo" || aws.ToString(name) != "x" ||
			inv.Caller == nil || inv.Caller.AccessKeyID != "test" || inv.Caller.Region != "us-east-1" {
			t.Errorf("%s: the chain saw %+v (input name %q)", p, inv, aws.ToString(name))
		}
		if len(s.after) != 1 || s.after[0].Status != 200 || s.after[0].Size != int64(len(body)) || s.after[0].Err != nil {
			t.Errorf("%s: after-hook saw %+v, want status 200, size %d", p, s.after, len(body))
		}

		s.reset(true)
		resp, err = http.DefaultClient.Do(request(i))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || bytes.Contains(body, []byte("hello")) {
			t.Errorf("%s refused: %d %q, want 403 and no answer", p, resp.StatusCode, body)
		}
		if !bytes.Contains(body, []byte("AccessDenied")) && resp.Header.Get("X-Amzn-Errortype") != "AccessDenied" {
			t.Errorf("%s refused: neither body %q nor x-amzn-ErrorType names AccessDenied", p, body)
		}
		if len(s.after) != 1 || s.after[0].Status != http.StatusForbidden || s.after[0].Err == nil {
			t.Errorf("%s refused: after-hook saw %+v", p, s.after)
		}
	}
	if n := strings.Count(logs.String(), "op=Echo"); n != 2*len(protos) {
		t.Errorf("request log names Echo %d times, want %d:\n%s", n, 2*len(protos), logs.String())
	}
}

// S3's POST uploads and CORS preflights (and the JSON services' preflight of /)
// are pseudo-operations: they pass the same chain, so an interceptor that
// refuses refuses them too, and the request log names them.
func TestChainRefusesPseudoOperations(t *testing.T) {
	s := &seen{}
	var logs syncBuffer
	srv, err := server.Start(server.Options{Addr: "127.0.0.1:0", Ephemeral: true, NoSync: true, Models: all.Models(),
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		Interceptors: []gateway.Interceptor{s.interceptor}, After: []gateway.AfterHook{s.hook}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	c := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}), RetryMaxAttempts: 1}, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("chain")}); err != nil {
		t.Fatal(err)
	}

	upload := func() *http.Response {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		policy := base64.StdEncoding.EncodeToString([]byte(`{"expiration":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) +
			`","conditions":[{"bucket":"chain"},["starts-with","$key",""]]}`))
		mac := hmac.New(sha1.New, []byte("test"))
		mac.Write([]byte(policy))
		mw.WriteField("key", "posted")
		mw.WriteField("AWSAccessKeyId", "test")
		mw.WriteField("policy", policy)
		mw.WriteField("signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		fw, _ := mw.CreateFormFile("file", "f.txt")
		fw.Write([]byte("body"))
		mw.Close()
		resp, err := http.Post(srv.URL+"/chain", mw.FormDataContentType(), &b)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	preflight := func(path string) *http.Response {
		r, _ := http.NewRequest("OPTIONS", srv.URL+path, nil)
		r.Header.Set("Origin", "http://localhost:3000") // a local page: foreign ones are refused before anything
		r.Header.Set("Access-Control-Request-Method", "PUT")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	// Let through, each is the pseudo-operation it should be.
	s.reset(false)
	if resp := upload(); resp.StatusCode != http.StatusNoContent {
		t.Errorf("upload: %d, want 204", resp.StatusCode)
	}
	if resp := preflight("/chain/k"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amz-Request-Id") == "" {
		t.Errorf("preflight of a bucket without CORS: %d, want S3's 403", resp.StatusCode)
	}
	if resp := preflight("/"); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "PUT" {
		t.Errorf("preflight of /: %d %v, want 200 allowing the page PUT", resp.StatusCode, resp.Header)
	}
	var ops []string
	for _, inv := range s.chain {
		ops = append(ops, inv.Service.Name+":"+inv.Operation)
	}
	if got, want := strings.Join(ops, " "), "s3:PostObject s3:PreflightRequest dynamodb:PreflightRequest"; got != want {
		t.Errorf("the chain saw %q, want %q", got, want)
	}
	if in := fmt.Sprintf("%T", s.chain[0].Input); in != "*s3.PostObjectInput" || s.chain[0].Caller == nil || !s.chain[0].Caller.Anonymous {
		t.Errorf("the upload reached the chain as %s from %+v", in, s.chain[0].Caller)
	}

	// Refused: nothing is stored, and each answer is the refusal.
	s.reset(true)
	if resp := upload(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("refused upload: %d, want 403", resp.StatusCode)
	}
	if resp := preflight("/chain/k"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("refused preflight: %d, want 403", resp.StatusCode)
	}
	if resp := preflight("/"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("refused preflight of /: %d %v, want 403 without CORS permissions", resp.StatusCode, resp.Header)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("chain"), Key: aws.String("put"), Body: strings.NewReader("x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Errorf("refused PutObject: %v, want AccessDenied", err)
	}
	if len(s.chain) != 4 || len(s.after) != 4 {
		t.Errorf("chain saw %d and after-hook %d requests, want 4 each", len(s.chain), len(s.after))
	}
	s.reset(false)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("chain"), Key: aws.String("put")})
	if err == nil {
		t.Error("a refused PutObject stored its object")
	}
	for _, want := range []string{"op=PostObject", "op=PreflightRequest", "op=PutObject"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("request log has no %s:\n%s", want, logs.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Requests refused before their service is known reach the after-hooks too,
// as pseudo-operations: a foreign Host or origin, and a request of no known
// service.
func TestAfterHookSeesRefusalsBeforeIdentification(t *testing.T) {
	s := &seen{}
	svc := testService("testjson", protocol.JSON)
	g := gateway.New(gateway.Config{
		Services: []gateway.Bound{{Service: svc, Impl: struct{}{}, Implemented: true}}, Codecs: server.Codecs(),
		Verifier: &auth.Verifier{Keys: auth.DefaultKeys(), Now: time.Now},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		After:    []gateway.AfterHook{s.hook},
	})
	srv := httptest.NewServer(g)
	defer srv.Close()
	for _, tc := range []struct {
		name   string
		mod    func(r *http.Request)
		op     string
		status int
		svc    *api.Service
	}{
		{"foreign-host", func(r *http.Request) { r.Host = "evil.example" }, gateway.RefusedForeign, http.StatusForbidden, svc},
		{"foreign-origin", func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, gateway.RefusedForeign, http.StatusForbidden, svc},
		{"unknown-service", func(r *http.Request) { r.Header.Del("X-Amz-Target"); r.Header.Del("Authorization") }, gateway.UnknownService, http.StatusBadRequest, nil},
	} {
		s.reset(false)
		req := signed(t, "POST", srv.URL+"/", svc.SigningName, http.Header{
			"X-Amz-Target": {svc.TargetPrefix + ".Echo"}, "Content-Type": {"text/plain"}}, []byte(`{"Name":"x"}`))
		tc.mod(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.status)
		}
		if len(s.after) != 1 {
			t.Errorf("%s: after-hook saw %d requests, want 1", tc.name, len(s.after))
			continue
		}
		a := s.after[0]
		if a.Operation != tc.op || a.Status != tc.status || a.Err == nil || a.Size != int64(len(body)) || a.Service != tc.svc || a.Caller != nil {
			t.Errorf("%s: after-hook saw %+v, want %s %d", tc.name, a, tc.op, tc.status)
		}
	}
}

// Large json bodies take turns: while one 16 MB body holds the gate (its
// client sends nothing), another waits, and is answered 503
// ServiceUnavailable (which SDKs retry) when its turn does not come in time.
func TestLargeBodiesTakeTurns(t *testing.T) {
	defer func(d time.Duration) { *gateway.GateWait = d }(*gateway.GateWait)
	*gateway.GateWait = 300 * time.Millisecond
	svc := testService("testjson", protocol.JSON)
	g := gateway.New(gateway.Config{
		Services: []gateway.Bound{{Service: svc, Impl: struct{}{}, Implemented: true}}, Codecs: server.Codecs(),
		Verifier: &auth.Verifier{Keys: auth.DefaultKeys(), Now: time.Now},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	srv := httptest.NewServer(g)
	defer srv.Close()
	big := func(body io.Reader) *http.Request {
		r := signed(t, "POST", srv.URL+"/", svc.SigningName, http.Header{
			"X-Amz-Target": {svc.TargetPrefix + ".Echo"}, "Content-Type": {"application/x-amz-json-1.0"}}, nil)
		r.Body, r.ContentLength = io.NopCloser(body), 16<<20
		return r
	}
	stalled, stall := io.Pipe()
	defer stall.Close()
	go http.DefaultClient.Do(big(stalled)) // holds the gate until the pipe closes
	time.Sleep(200 * time.Millisecond)
	resp, err := http.DefaultClient.Do(big(bytes.NewReader(make([]byte, 16<<20))))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("ServiceUnavailable")) {
		t.Errorf("second large body = %d %s, want 503 ServiceUnavailable", resp.StatusCode, body)
	}
	// A small body passes meanwhile.
	resp, err = http.DefaultClient.Do(signed(t, "POST", srv.URL+"/", svc.SigningName, http.Header{
		"X-Amz-Target": {svc.TargetPrefix + ".Echo"}, "Content-Type": {"application/x-amz-json-1.0"}}, []byte(`{"Name":"x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("small body while the gate is held = %d, want 200", resp.StatusCode)
	}
}
