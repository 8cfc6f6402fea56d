package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/fogbank/fogbank/internal/api"
)

var testNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

var testCreds = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// outcome is what the server side saw of one request.
type outcome struct {
	res     *Result
	err     error
	body    []byte
	readErr error
	trailer http.Header
	header  http.Header
	length  int64
}

// serve sends req to a test server whose handler runs v.Verify and then reads
// the body, as the gateway will, and reports what happened.
func serve(t *testing.T, v *Verifier, req *http.Request) outcome {
	t.Helper()
	var o outcome
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.res, o.err = v.Verify(r)
		if o.err == nil {
			o.body, o.readErr = io.ReadAll(r.Body)
			o.trailer = r.Trailer
			o.header = r.Header.Clone()
			o.length = r.ContentLength
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	req.URL.Scheme, req.URL.Host, req.Host = u.Scheme, u.Host, ""
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sending: %v", err)
	}
	resp.Body.Close()
	return o
}

// request builds a request for the test server (its host is set by sign).
func request(method, target string, body []byte) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, "http://placeholder"+target, rd)
	if err != nil {
		panic(err)
	}
	return r
}

// signed sends req signed by the AWS SDK for Go v2 at signTime, with the host
// of the test server in the signature.
func sendSigned(t *testing.T, v *Verifier, req *http.Request, creds aws.Credentials, payloadHash, service string,
	signTime time.Time, tamper func(*http.Request), opts ...func(*v4.SignerOptions)) outcome {
	t.Helper()
	var o outcome
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.res, o.err = v.Verify(r)
		if o.err == nil {
			o.body, o.readErr = io.ReadAll(r.Body)
			o.trailer = r.Trailer
			o.header = r.Header.Clone()
			o.length = r.ContentLength
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	req.URL.Scheme, req.URL.Host, req.Host = u.Scheme, u.Host, ""
	if payloadHash != "" && service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if err := v4.NewSigner(opts...).SignHTTP(context.Background(), creds, req, payloadHash, service, "us-east-1", signTime); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sending: %v", err)
	}
	resp.Body.Close()
	return o
}

func s3Opts(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

func errCode(err error) (code string, status int) {
	var e *api.Err
	if errors.As(err, &e) {
		return e.Code, e.Status
	}
	if err != nil {
		return "not an *api.Err: " + err.Error(), 0
	}
	return "", 0
}

func extra(err error, name string) string {
	var e *api.Err
	if errors.As(err, &e) {
		for _, f := range e.Extra {
			if f.Name == name {
				return f.Value
			}
		}
	}
	return ""
}

func TestVerifyHeaderSigned(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	body := []byte(`{"TableName":"t"}`)
	tests := []struct {
		name     string
		req      func() *http.Request
		creds    aws.Credentials
		payload  string
		service  string
		signAt   time.Time
		tamper   func(*http.Request)
		s3       bool
		wantCode string
		wantStat int
		wantRead string // the code of the error reading the body, if any
		wantBody string
		verified bool
		account  string
	}{
		{name: "s3 get unsigned payload", req: func() *http.Request { return request("GET", "/bucket/key.txt?list-type=2&prefix=a%20b", nil) },
			payload: "UNSIGNED-PAYLOAD", service: "s3", s3: true, verified: true, account: "000000000000"},
		{name: "s3 put hashed body", req: func() *http.Request { return request("PUT", "/bucket/k", []byte("hello")) },
			payload: hashHex([]byte("hello")), service: "s3", s3: true, verified: true, wantBody: "hello"},
		{name: "s3 put body not matching its hash", req: func() *http.Request { return request("PUT", "/bucket/k", []byte("hellO")) },
			payload: hashHex([]byte("hello")), service: "s3", s3: true, verified: true, wantRead: "XAmzContentSHA256Mismatch"},
		{name: "s3 key with odd characters", req: func() *http.Request {
			r := request("GET", "/bucket/a%20b/c%2Fd+e!%24'()*,;=@~%25", nil)
			return r
		}, payload: "UNSIGNED-PAYLOAD", service: "s3", s3: true, verified: true},
		{name: "s3 repeated and valueless query", req: func() *http.Request { return request("GET", "/bucket?uploads&b=2&a=2&a=1&c=x%2Fy", nil) },
			payload: emptySHA256, service: "s3", s3: true, verified: true},
		{name: "dynamodb body hashed by the service", req: func() *http.Request {
			r := request("POST", "/", body)
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
			r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			return r
		}, payload: hashHex(body), service: "dynamodb", verified: true, wantBody: string(body)},
		{name: "lambda path double-encoded", req: func() *http.Request {
			return request("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations", []byte("{}"))
		}, payload: hashHex([]byte("{}")), service: "lambda", verified: true, wantBody: "{}"},
		{name: "session token", req: func() *http.Request { return request("GET", "/bucket", nil) },
			creds:   aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", SessionToken: "tok"},
			payload: emptySHA256, service: "s3", s3: true, verified: true},
		{name: "unknown key, any secret", req: func() *http.Request { return request("GET", "/bucket", nil) },
			creds:   aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "whatever"},
			payload: emptySHA256, service: "s3", s3: true, account: "000000000000"},
		{name: "12-digit key is its account", req: func() *http.Request { return request("GET", "/bucket", nil) },
			creds:   aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: "x"},
			payload: emptySHA256, service: "s3", s3: true, account: "123456789012"},

		{name: "wrong secret s3", req: func() *http.Request { return request("GET", "/bucket", nil) },
			creds:   aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"},
			payload: emptySHA256, service: "s3", s3: true, wantCode: "SignatureDoesNotMatch", wantStat: 403},
		{name: "wrong secret dynamodb", req: func() *http.Request {
			r := request("POST", "/", body)
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
			return r
		}, creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"},
			payload: hashHex(body), service: "dynamodb", wantCode: "InvalidSignatureException", wantStat: 400},
		{name: "wrong secret lambda", req: func() *http.Request { return request("GET", "/2015-03-31/functions/", nil) },
			creds:   aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"},
			payload: emptySHA256, service: "lambda", wantCode: "InvalidSignatureException", wantStat: 403},
		{name: "wrong secret sts", req: func() *http.Request {
			return request("POST", "/", []byte("Action=GetCallerIdentity&Version=2011-06-15"))
		},
			creds:   aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"},
			payload: hashHex([]byte("Action=GetCallerIdentity&Version=2011-06-15")), service: "sts", wantCode: "SignatureDoesNotMatch", wantStat: 403},
		{name: "changed signed header", req: func() *http.Request {
			r := request("POST", "/", body)
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
			return r
		}, payload: hashHex(body), service: "dynamodb",
			tamper:   func(r *http.Request) { r.Header.Set("X-Amz-Target", "DynamoDB_20120810.DeleteTable") },
			wantCode: "InvalidSignatureException", wantStat: 400},
		{name: "changed query", req: func() *http.Request { return request("GET", "/bucket?prefix=a", nil) },
			payload: emptySHA256, service: "s3", s3: true,
			tamper:   func(r *http.Request) { r.URL.RawQuery = "prefix=b" },
			wantCode: "SignatureDoesNotMatch", wantStat: 403},
		{name: "changed path", req: func() *http.Request { return request("GET", "/bucket/a", nil) },
			payload: emptySHA256, service: "s3", s3: true,
			tamper:   func(r *http.Request) { r.URL.Path = "/bucket/b" },
			wantCode: "SignatureDoesNotMatch", wantStat: 403},
		{name: "changed body of a json service", req: func() *http.Request {
			r := request("POST", "/", body)
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
			return r
		}, payload: hashHex(body), service: "dynamodb",
			tamper: func(r *http.Request) {
				r.Body = io.NopCloser(strings.NewReader(`{"TableName":"u"}`))
			},
			wantCode: "InvalidSignatureException", wantStat: 400},
		{name: "skewed s3", req: func() *http.Request { return request("GET", "/bucket", nil) },
			payload: emptySHA256, service: "s3", s3: true, signAt: testNow.Add(-20 * time.Minute),
			wantCode: "RequestTimeTooSkewed", wantStat: 403},
		{name: "skewed dynamodb", req: func() *http.Request {
			r := request("POST", "/", body)
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
			return r
		}, payload: hashHex(body), service: "dynamodb", signAt: testNow.Add(20 * time.Minute),
			wantCode: "InvalidSignatureException", wantStat: 400},
		{name: "skewed sts", req: func() *http.Request { return request("POST", "/", []byte("Action=GetCallerIdentity")) },
			payload: hashHex([]byte("Action=GetCallerIdentity")), service: "sts", signAt: testNow.Add(-time.Hour),
			wantCode: "SignatureDoesNotMatch", wantStat: 403},
		{name: "skewed unknown key still refused", req: func() *http.Request { return request("GET", "/bucket", nil) },
			creds:   aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "x"},
			payload: emptySHA256, service: "s3", s3: true, signAt: testNow.Add(-20 * time.Minute),
			wantCode: "RequestTimeTooSkewed", wantStat: 403},
		{name: "s3 without x-amz-content-sha256", req: func() *http.Request { return request("GET", "/bucket", nil) },
			payload: emptySHA256, service: "s3", s3: true,
			tamper:   func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") },
			wantCode: "InvalidRequest", wantStat: 400},
		{name: "s3 bad x-amz-content-sha256", req: func() *http.Request { return request("GET", "/bucket", nil) },
			payload: "NOT-A-HASH", service: "s3", s3: true, wantCode: "InvalidArgument", wantStat: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			creds := tc.creds
			if creds.AccessKeyID == "" {
				creds = testCreds
			}
			at := tc.signAt
			if at.IsZero() {
				at = testNow
			}
			var opts []func(*v4.SignerOptions)
			if tc.s3 {
				opts = append(opts, s3Opts)
			}
			o := sendSigned(t, v, tc.req(), creds, tc.payload, tc.service, at, tc.tamper, opts...)
			if code, status := errCode(o.err); code != tc.wantCode || status != tc.wantStat {
				t.Fatalf("Verify error = %q %d (%v), want %q %d", code, status, o.err, tc.wantCode, tc.wantStat)
			}
			if o.err != nil {
				return
			}
			if code, _ := errCode(o.readErr); code != tc.wantRead {
				t.Errorf("reading body: error %q (%v), want %q", code, o.readErr, tc.wantRead)
			}
			if tc.wantBody != "" && string(o.body) != tc.wantBody {
				t.Errorf("body = %q, want %q", o.body, tc.wantBody)
			}
			if o.res.Verified != tc.verified {
				t.Errorf("Verified = %v, want %v", o.res.Verified, tc.verified)
			}
			if tc.account != "" && o.res.Principal.Account != tc.account {
				t.Errorf("Account = %q, want %q", o.res.Principal.Account, tc.account)
			}
			if o.res.Service != tc.service || o.res.Region != "us-east-1" {
				t.Errorf("scope = %q %q, want %q us-east-1", o.res.Service, o.res.Region, tc.service)
			}
			if o.res.SessionToken != creds.SessionToken {
				t.Errorf("SessionToken = %q, want %q", o.res.SessionToken, creds.SessionToken)
			}
		})
	}
}

func TestSignatureMismatchDetails(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	o := sendSigned(t, v, request("GET", "/bucket/k", nil), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "bad"},
		emptySHA256, "s3", testNow, nil, s3Opts)
	var e *api.Err
	if !errors.As(o.err, &e) {
		t.Fatalf("err = %v, want *api.Err", o.err)
	}
	if got, want := e.Message, "The request signature we calculated does not match the signature you provided. Check your key and signing method."; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	var names []string
	for _, f := range e.Extra {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, ","), "AWSAccessKeyId,StringToSign,SignatureProvided,StringToSignBytes,CanonicalRequest,CanonicalRequestBytes"; got != want {
		t.Errorf("extra fields = %s, want %s", got, want)
	}
	if got := extra(o.err, "StringToSign"); !strings.HasPrefix(got, "AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/s3/aws4_request\n") {
		t.Errorf("StringToSign = %q", got)
	}
	if got := extra(o.err, "CanonicalRequest"); !strings.HasPrefix(got, "GET\n/bucket/k\n\nhost:") {
		t.Errorf("CanonicalRequest = %q", got)
	}
	if got, want := extra(o.err, "StringToSignBytes")[:11], "41 57 53 34"; got != want {
		t.Errorf("StringToSignBytes starts %q, want %q", got, want)
	}
}

func TestSkewMessages(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	r := request("POST", "/", []byte("{}"))
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	o := sendSigned(t, v, r, testCreds, hashHex([]byte("{}")), "dynamodb", testNow.Add(-20*time.Minute), nil)
	var e *api.Err
	if !errors.As(o.err, &e) {
		t.Fatalf("err = %v", o.err)
	}
	if got, want := e.Message, "Signature expired: 20260101T114000Z is now earlier than 20260101T114500Z (20260101T120000Z - 15 min.)"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	o = sendSigned(t, v, request("GET", "/b", nil), testCreds, emptySHA256, "s3", testNow.Add(-20*time.Minute), nil, s3Opts)
	if got, want := extra(o.err, "RequestTime"), "20260101T114000Z"; got != want {
		t.Errorf("RequestTime = %q, want %q", got, want)
	}
	if got, want := extra(o.err, "ServerTime"), "2026-01-01T12:00:00Z"; got != want {
		t.Errorf("ServerTime = %q, want %q", got, want)
	}
	if got, want := extra(o.err, "MaxAllowedSkewMilliseconds"), "900000"; got != want {
		t.Errorf("MaxAllowedSkewMilliseconds = %q, want %q", got, want)
	}
}

func TestPresigned(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	presign := func(t *testing.T, srvURL string, method, target, service string, expires string, creds aws.Credentials, at time.Time, payload string) *http.Request {
		t.Helper()
		r := request(method, target, nil)
		u, _ := url.Parse(srvURL)
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, ""
		if expires != "" {
			q := r.URL.Query()
			q.Set("X-Amz-Expires", expires)
			r.URL.RawQuery = q.Encode()
		}
		var opts []func(*v4.SignerOptions)
		if service == "s3" {
			opts = append(opts, s3Opts)
		}
		signedURL, hdr, err := v4.NewSigner(opts...).PresignHTTP(context.Background(), creds, r, payload, service, "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := http.NewRequest(method, signedURL, nil)
		for k, vs := range hdr {
			if !strings.EqualFold(k, "Host") {
				out.Header[k] = vs
			}
		}
		return out
	}
	tests := []struct {
		name, method, target, service, expires string
		creds                                  aws.Credentials
		at                                     time.Time
		payload                                string
		tamper                                 func(*http.Request)
		wantCode                               string
		wantStat                               int
		verified                               bool
	}{
		{name: "s3 get", method: "GET", target: "/bucket/some%20key", service: "s3", expires: "3600", payload: "UNSIGNED-PAYLOAD", verified: true},
		{name: "s3 put", method: "PUT", target: "/bucket/k?x-id=PutObject", service: "s3", expires: "60", payload: "UNSIGNED-PAYLOAD", verified: true},
		{name: "sts get caller identity", method: "GET", target: "/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", expires: "60", payload: emptySHA256, verified: true},
		{name: "unknown key", method: "GET", target: "/bucket/k", service: "s3", expires: "60", payload: "UNSIGNED-PAYLOAD",
			creds: aws.Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "y"}},
		{name: "expired", method: "GET", target: "/bucket/k", service: "s3", expires: "60", payload: "UNSIGNED-PAYLOAD",
			at: testNow.Add(-2 * time.Minute), wantCode: "AccessDenied", wantStat: 403},
		{name: "not yet valid", method: "GET", target: "/bucket/k", service: "s3", expires: "60", payload: "UNSIGNED-PAYLOAD",
			at: testNow.Add(time.Hour), wantCode: "AccessDenied", wantStat: 403},
		{name: "expires too long", method: "GET", target: "/bucket/k", service: "s3", expires: "604801", payload: "UNSIGNED-PAYLOAD",
			wantCode: "AuthorizationQueryParametersError", wantStat: 400},
		{name: "expires not a number", method: "GET", target: "/bucket/k", service: "s3", expires: "soon", payload: "UNSIGNED-PAYLOAD",
			wantCode: "AuthorizationQueryParametersError", wantStat: 400},
		{name: "expires missing", method: "GET", target: "/bucket/k", service: "s3", payload: "UNSIGNED-PAYLOAD",
			wantCode: "AuthorizationQueryParametersError", wantStat: 400},
		{name: "tampered query", method: "GET", target: "/bucket/k?response-content-type=text%2Fplain", service: "s3", expires: "60", payload: "UNSIGNED-PAYLOAD",
			tamper: func(r *http.Request) {
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "text%2Fplain", "text%2Fhtml", 1)
			}, wantCode: "SignatureDoesNotMatch", wantStat: 403},
		{name: "wrong secret", method: "GET", target: "/bucket/k", service: "s3", expires: "60", payload: "UNSIGNED-PAYLOAD",
			creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "nope"}, wantCode: "SignatureDoesNotMatch", wantStat: 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o outcome
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o.res, o.err = v.Verify(r)
			}))
			defer srv.Close()
			creds := tc.creds
			if creds.AccessKeyID == "" {
				creds = testCreds
			}
			at := tc.at
			if at.IsZero() {
				at = testNow
			}
			r := presign(t, srv.URL, tc.method, tc.target, tc.service, tc.expires, creds, at, tc.payload)
			if tc.tamper != nil {
				tc.tamper(r)
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if code, status := errCode(o.err); code != tc.wantCode || status != tc.wantStat {
				t.Fatalf("Verify error = %q %d (%v), want %q %d", code, status, o.err, tc.wantCode, tc.wantStat)
			}
			if o.err != nil {
				return
			}
			if !o.res.Presigned || o.res.Verified != tc.verified || o.res.Service != tc.service {
				t.Errorf("Result = %+v, want presigned, verified %v, service %s", o.res, tc.verified, tc.service)
			}
		})
	}
}

func TestPresignedExpiredFields(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	r := httptest.NewRequest("GET", "/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T115000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", nil)
	_, err := v.Verify(r)
	var e *api.Err
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	if e.Code != "AccessDenied" || e.Message != "Request has expired" {
		t.Errorf("got %s %q, want AccessDenied \"Request has expired\"", e.Code, e.Message)
	}
	for _, f := range [][2]string{{"X-Amz-Expires", "60"}, {"Expires", "2026-01-01T11:51:00Z"}, {"ServerTime", "2026-01-01T12:00:00Z"}} {
		if got := extra(err, f[0]); got != f[1] {
			t.Errorf("%s = %q, want %q", f[0], got, f[1])
		}
	}
}

func TestUnsignedAndOtherSchemes(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }}
	tests := []struct {
		name     string
		req      func() *http.Request
		wantCode string
		anon     bool
		akid     string
	}{
		{name: "anonymous", req: func() *http.Request { return httptest.NewRequest("GET", "/bucket/k", nil) }, anon: true},
		{name: "sigv2 unknown key", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS AKIAOLD:c2lnbmF0dXJl")
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			return r
		}, akid: "AKIAOLD"},
		{name: "sigv2 known key, wrong signature", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS test:c2lnbmF0dXJl")
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			return r
		}, wantCode: "SignatureDoesNotMatch"},
		{name: "sigv2 no date", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS test:c2lnbmF0dXJl")
			return r
		}, wantCode: "AccessDenied"},
		// An x-amz-date sent empty is no date, even beside a valid Date, and a
		// date before 1970 is none either (ceph s3-tests' bad_date_empty_aws2
		// and bad_date_before_epoch_aws2): AccessDenied, not a skew or signature error.
		{name: "sigv2 empty x-amz-date", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			r.Header.Set("X-Amz-Date", "")
			r.Header.Set("Authorization", "AWS test:c2lnbmF0dXJl")
			return r
		}, wantCode: "AccessDenied"},
		{name: "sigv2 date before the epoch", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("X-Amz-Date", "Tue, 07 Jul 1950 21:53:04 GMT")
			r.Header.Set("Authorization", "AWS test:c2lnbmF0dXJl")
			return r
		}, wantCode: "AccessDenied"},
		{name: "sigv2 known key in query, wrong signature", req: func() *http.Request {
			return httptest.NewRequest("GET", "/bucket/k?AWSAccessKeyId=test&Expires=1893456000&Signature=abc", nil)
		}, wantCode: "SignatureDoesNotMatch"},
		{name: "sigv2 query unknown key", req: func() *http.Request {
			return httptest.NewRequest("GET", "/bucket/k?AWSAccessKeyId=AKIAOLD&Expires=1893456000&Signature=abc", nil)
		}, akid: "AKIAOLD"},
		{name: "sigv2 query expired", req: func() *http.Request {
			return httptest.NewRequest("GET", "/bucket/k?AWSAccessKeyId=AKIAOLD&Expires=1000&Signature=abc", nil)
		}, wantCode: "AccessDenied"},
		{name: "sigv4a unknown key", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential=AKIAV4A/20260101/s3/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045")
			r.Header.Set("X-Amz-Region-Set", "*")
			return r
		}, akid: "AKIAV4A"},
		{name: "sigv4a known key", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential=test/20260101/s3/aws4_request, SignedHeaders=host, Signature=3045")
			return r
		}, wantCode: "InvalidRequest"},
		{name: "malformed s3 header", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, Signature=00")
			r.Header.Set("X-Amz-Date", "20260101T120000Z")
			r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			return r
		}, wantCode: "AuthorizationHeaderMalformed"},
		{name: "malformed sts credential", req: func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/sts, SignedHeaders=host, Signature=00")
			r.Header.Set("X-Amz-Date", "20260101T120000Z")
			return r
		}, wantCode: "IncompleteSignature"},
		{name: "s3 credential date differs", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20251231/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
			r.Header.Set("X-Amz-Date", "20260101T120000Z")
			r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			return r
		}, wantCode: "AuthorizationHeaderMalformed"},
		{name: "s3 no date", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
			return r
		}, wantCode: "AccessDenied"},
		{name: "dynamodb no date", req: func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
			return r
		}, wantCode: "IncompleteSignatureException"},
		{name: "bearer token to s3", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k", nil)
			r.Header.Set("Authorization", "Bearer abc")
			r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			return r
		}, wantCode: "InvalidArgument"},
		{name: "two mechanisms", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			return r
		}, wantCode: "InvalidArgument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(tc.req())
			if code, _ := errCode(err); code != tc.wantCode {
				t.Fatalf("error = %q (%v), want %q", code, err, tc.wantCode)
			}
			if err != nil {
				return
			}
			if res.Principal.Anonymous != tc.anon || res.Principal.AccessKeyID != tc.akid || res.Verified {
				t.Errorf("Principal = %+v (verified %v), want anonymous %v, key %q", res.Principal, res.Verified, tc.anon, tc.akid)
			}
			if res.Principal.Account != "000000000000" {
				t.Errorf("Account = %q, want 000000000000", res.Principal.Account)
			}
		})
	}
}

func TestAccountFor(t *testing.T) {
	for _, tc := range [][2]string{
		{"123456789012", "123456789012"}, {"test", "000000000000"}, {"AKIAIOSFODNN7EXAMPLE", "000000000000"},
		{"12345678901a", "000000000000"}, {"1234567890123", "000000000000"}, {"", "000000000000"},
	} {
		if got := AccountFor(tc[0]); got != tc[1] {
			t.Errorf("AccountFor(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
	if got, want := RootPrincipal("123456789012").ARN, "arn:aws:iam::123456789012:root"; got != want {
		t.Errorf("RootPrincipal ARN = %q, want %q", got, want)
	}
}

func TestBodyTooLarge(t *testing.T) {
	v := &Verifier{Now: func() time.Time { return testNow }, MaxBody: 10}
	body := []byte(strings.Repeat("x", 11))
	r := request("POST", "/", body)
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	o := sendSigned(t, v, r, testCreds, hashHex(body), "dynamodb", testNow, nil)
	if code, status := errCode(o.err); code != "RequestEntityTooLarge" || status != 413 {
		t.Errorf("error = %q %d, want RequestEntityTooLarge 413", code, status)
	}
}

// TestSigV2Examples uses the examples of the S3 documentation's "Authenticating
// Requests (AWS Signature Version 2)" page.
func TestSigV2Examples(t *testing.T) {
	keys := StaticKeys{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	tests := []struct {
		name, method, target, host, date, sig string
		header                                map[string]string
	}{
		{"virtual-hosted get", "GET", "/photos/puppy.jpg", "awsexamplebucket1.us-west-1.s3.amazonaws.com",
			"Tue, 27 Mar 2007 19:36:42 +0000", "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", nil},
		{"path-style get", "GET", "/awsexamplebucket1/photos/puppy.jpg", "example.com",
			"Tue, 27 Mar 2007 19:36:42 +0000", "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=", nil},
		{"put", "PUT", "/photos/puppy.jpg", "awsexamplebucket1.us-west-1.s3.amazonaws.com",
			"Tue, 27 Mar 2007 21:15:45 +0000", "iqRzw+ileNPu1fhspnRs8nOjjIA=", map[string]string{"Content-Type": "image/jpeg"}},
		{"list", "GET", "/?prefix=photos&max-keys=50&marker=puppy", "awsexamplebucket1.us-west-1.s3.amazonaws.com",
			"Tue, 27 Mar 2007 19:42:41 +0000", "m0WP8eCtspQl5Ahe6L1SozdX9YA=", map[string]string{"User-Agent": "Mozilla/5.0"}},
		// The same list path-style: the bucket's resource is /awsexamplebucket1/
		// whether or not the path ends in a slash (botocore's SigV2 signs it so).
		{"path-style list", "GET", "/awsexamplebucket1?prefix=photos&max-keys=50&marker=puppy", "example.com",
			"Tue, 27 Mar 2007 19:42:41 +0000", "m0WP8eCtspQl5Ahe6L1SozdX9YA=", map[string]string{"User-Agent": "Mozilla/5.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, tamper := range []bool{false, true} {
				r := httptest.NewRequest(tc.method, tc.target, nil)
				r.Host = tc.host
				r.Header.Set("Date", tc.date)
				for k, v := range tc.header {
					r.Header.Set(k, v)
				}
				r.Header.Set("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:"+tc.sig)
				if tamper {
					r.Header.Set("X-Amz-Meta-Extra", "1")
				}
				at, _ := parseDate(tc.date)
				v := &Verifier{Keys: keys, Now: func() time.Time { return at }}
				res, err := v.Verify(r)
				if tamper {
					if !isCode(err, "SignatureDoesNotMatch") {
						t.Errorf("tampered: error = %v, want SignatureDoesNotMatch", err)
					}
					continue
				}
				if err != nil || !res.Verified {
					t.Errorf("Verify = %+v, %v; want verified", res, err)
				}
			}
		})
	}
}
