package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// An operation fogbank does not implement answers 501 NotImplemented naming itself,
// in each protocol's own error format, and both CLI generations print it cleanly.
func TestUnimplementedOperationEachProtocol(t *testing.T) {
	f := start(t, "")
	cases := []struct {
		protocol string
		op       string // Service:Operation in the message
		args     []string
		v1Only   bool // the Debian CLI predates the protocol
	}{
		{"rest-xml", "s3:GetBucketAnalyticsConfiguration", []string{"s3api", "get-bucket-analytics-configuration", "--bucket", "b", "--id", "x"}, false},
		{"query", "iam:ListVirtualMFADevices", []string{"iam", "list-virtual-mfa-devices"}, false},
		{"json", "glue:ListBlueprints", []string{"glue", "list-blueprints"}, false},
		{"rest-json", "lambda:ListCodeSigningConfigs", []string{"lambda", "list-code-signing-configs"}, false},
		{"cbor/query", "monitoring:ListManagedInsightRules", []string{"cloudwatch", "list-managed-insight-rules", "--resource-arn", "arn:aws:x"}, false},
	}
	for _, c := range clis {
		for _, tc := range cases {
			t.Run(c.name+"/"+tc.protocol, func(t *testing.T) {
				need(t, c.bin)
				args := append([]string{"--endpoint-url", f.URL}, tc.args...)
				_, errOut, code := f.run(t, nil, c.bin, args...)
				if code == 0 {
					t.Fatal("exit 0, want an error")
				}
				op := tc.op[strings.Index(tc.op, ":")+1:]
				// CLI v2 adds "(reached max retries: N)" after the operation name.
				want := regexp.MustCompile(`An error occurred \(NotImplemented\) when calling the ` + op +
					` operation( \(reached max retries: \d+\))?: fogbank does not implement ` + tc.op + ` yet`)
				if !want.MatchString(errOut) || strings.Contains(errOut, "Traceback") {
					t.Errorf("stderr = %q\nwant it to match %s", errOut, want)
				}
			})
		}
	}
}

// A presigned URL past its expiry gets S3's AccessDenied "Request has expired".
func TestExpiredPresignedURL(t *testing.T) {
	needBoto3(t, "python3")
	f := start(t, "")
	script := `
import boto3, os
from botocore.config import Config
c = boto3.client("s3", endpoint_url=os.environ["FOGBANK_URL"], region_name="us-east-1",
                 config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
print(c.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=1))
`
	out, errOut, code := f.run(t, nil, "python3", "-c", script)
	if code != 0 {
		t.Fatalf("presign: %s", errOut)
	}
	time.Sleep(2100 * time.Millisecond)
	resp, err := http.Get(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code>") ||
		!strings.Contains(string(body), "<Message>Request has expired</Message>") {
		t.Errorf("status %d body %s; want 403 AccessDenied Request has expired", resp.StatusCode, body)
	}
}

// Requests fogbank cannot place get a clear 400, and the server stays up.
func TestUnknownRequests(t *testing.T) {
	f := start(t, "")
	cases := []struct {
		name    string
		req     func() *http.Request
		status  int
		contain string
	}{
		{"unknown target", func() *http.Request {
			r, _ := http.NewRequest("POST", f.URL+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "NoSuchService_2020.DoIt")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/nosuchservice/aws4_request, SignedHeaders=host, Signature=00")
			return r
		}, 400, "UnknownService"},
		{"unknown dynamodb operation", func() *http.Request {
			r, _ := http.NewRequest("POST", f.URL+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.NoSuchOperation")
			r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			return r
		}, 400, "UnknownOperationException"},
		{"unsigned dynamodb call", func() *http.Request {
			r, _ := http.NewRequest("POST", f.URL+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
			r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			return r
		}, 400, `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`},
		{"incomplete signature", func() *http.Request {
			r, _ := http.NewRequest("POST", f.URL+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
			r.Header.Set("Authorization", "AWS4- Signature=b, Credential=a")
			r.Header.Set("Date", "a")
			return r
		}, 400, "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"},
		{"garbage json", func() *http.Request {
			r, _ := http.NewRequest("POST", f.URL+"/", strings.NewReader("{not json"))
			r.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			return r
		}, 400, "SerializationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.req())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contain) {
				t.Errorf("status %d body %s; want %d containing %s", resp.StatusCode, body, tc.status, tc.contain)
			}
		})
	}
	// A browser's preflight for the JSON services, and their answers to an origin.
	req, _ := http.NewRequest("OPTIONS", f.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:8001")
	req.Header.Set("Access-Control-Request-Headers", "x-amz-target, content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8001" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "x-amz-target, content-type" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ = http.NewRequest("POST", f.URL+"/", strings.NewReader("{}"))
	req.Header.Set("Origin", "http://localhost:8001")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8001" || len(resp.Header.Get("X-Amzn-Requestid")) != 52 {
		t.Errorf("answer to an origin: %v; want Access-Control-Allow-Origin naming the (local) origin and a 52-character DynamoDB request id", resp.Header)
	}

	// Still up.
	resp, err = http.Get(f.URL + "/_fogbank/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health after bad requests: %v %v", resp, err)
	}
}
