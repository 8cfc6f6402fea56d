package e2e

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// rawPut sends a signed PUT of body exactly as given (no Content-Length or
// Transfer-Encoding added: those are in header when wanted) and returns the
// status and body of the answer.
func rawPut(t *testing.T, f *fogbank, path, payload string, header map[string]string, body string) (int, string) {
	t.Helper()
	u, err := url.Parse(f.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, u.String(), nil)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	for k, v := range header {
		if k != "Content-Length" && k != "Transfer-Encoding" {
			req.Header.Set(k, v)
		}
	}
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	b.WriteString("PUT " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n")
	for k, vs := range req.Header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	for _, k := range []string{"Content-Length", "Transfer-Encoding"} {
		if v, ok := header[k]; ok {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("Connection: close\r\n\r\n" + body)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(rb)
}

// Object bodies whose length S3 cannot know are refused as S3 refuses them
// (docs/s3-tests-failures.md, "Bodies without a length"); those whose length
// it knows are stored.
func TestS3BodyLength(t *testing.T) {
	f := start(t, "")
	c := s3Client(f)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("len")}); err != nil {
		t.Fatal(err)
	}
	const trailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	awsChunked := "4\r\nbody\r\n0\r\n\r\n"                // aws-chunked, no trailing checksum
	httpChunked := "e\r\n" + awsChunked + "\r\n0\r\n\r\n" // the same sent with Transfer-Encoding: chunked
	chunkedPlain := "4\r\nbody\r\n0\r\n\r\n"              // plain chunked
	ae := map[string]string{"Content-Encoding": "aws-chunked"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name, payload string
		header        map[string]string
		body          string
		status        int
		code          string // "" for stored
	}{
		{"no-length", "UNSIGNED-PAYLOAD", nil, "", 411, "MissingContentLength"},
		{"zero-length", "UNSIGNED-PAYLOAD", map[string]string{"Content-Length": "0"}, "", 200, ""},
		{"chunked", "UNSIGNED-PAYLOAD", map[string]string{"Transfer-Encoding": "chunked"}, chunkedPlain, 501, "NotImplemented"},
		{"aws-chunked-no-decoded-length", trailer, with(ae, "Transfer-Encoding", "chunked"), httpChunked, 411, "MissingContentLength"},
		{"aws-chunked-bad-decoded-length", trailer, with(ae, "Transfer-Encoding", "chunked", "X-Amz-Decoded-Content-Length", "abc"), httpChunked, 411, "MissingContentLength"},
		{"aws-chunked-content-length-only", trailer, with(ae, "Content-Length", "14"), awsChunked, 411, "MissingContentLength"},
		{"aws-chunked-transfer-encoding", trailer, with(ae, "Transfer-Encoding", "chunked", "X-Amz-Decoded-Content-Length", "4"), httpChunked, 200, ""},
		{"aws-chunked-content-length", trailer, with(ae, "Content-Length", "14", "X-Amz-Decoded-Content-Length", "4"), awsChunked, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.name
			status, body := rawPut(t, f, "/len/"+key, tc.payload, tc.header, tc.body)
			if status != tc.status || tc.code != "" && !strings.Contains(body, "<Code>"+tc.code+"</Code>") {
				t.Fatalf("PUT = %d %.300s, want %d %s", status, body, tc.status, tc.code)
			}
			if tc.code == "NotImplemented" && !strings.Contains(body, "<Header>Transfer-Encoding</Header>") {
				t.Errorf("NotImplemented names no Transfer-Encoding header: %.300s", body)
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("len"), Key: aws.String(key)})
			if tc.code != "" {
				if err == nil {
					out.Body.Close()
					t.Errorf("the refused PUT stored an object")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if want := map[bool]string{true: "", false: "body"}[tc.name == "zero-length"]; string(got) != want {
				t.Errorf("stored %q, want %q", got, want)
			}
		})
	}
}
