package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Ten signed 20 MB PUT ?tagging bodies of <a/> at once take less than 200 MiB.
func TestHostileS3TaggingMemoryTen(t *testing.T) {
	body := fill("<Tagging>", "<a/>", "", "</Tagging>", 20*mib-1)
	f := start(t, "")
	if _, err := s3Client(f).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hostile")}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]hostileResult, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPut, f.URL+"/hostile?tagging", nil)
			results[i] = send(t, req, body, "s3", "")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>MalformedXML</Code>") {
			t.Errorf("request %d = %d %.200s, want 400 MalformedXML", i, r.status, r.body)
		}
	}
	if rss := peakRSS(t, f); rss > 200*mib {
		t.Errorf("peak RSS %d MiB after ten 20 MB bodies at once, want < 200 MiB", rss/mib)
	} else {
		t.Logf("peak RSS %d MiB", rss/mib)
	}
}

// Hostile bodies: whatever a request holds, fogbank's memory stays bounded by
// a small multiple of the body, measured as the peak resident size (VmHWM) of
// the real binary, each case in a fresh process.

const mib = 1 << 20

// peakRSS is the process's peak resident set size in bytes (VmHWM).
func peakRSS(t *testing.T, f *fogbank) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(f.cmd.Process.Pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// hostileResult is what one request got.
type hostileResult struct {
	status int
	body   string
	header http.Header
}

// send sends req (signed with test/test for service when service is not ""; a
// signature from an unknown key when akid is set) and reads the answer.
func send(t *testing.T, req *http.Request, body []byte, service, akid string) hostileResult {
	t.Helper()
	req.ContentLength = int64(len(body))
	req.Body = io.NopCloser(bytes.NewReader(body))
	switch {
	case service != "":
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		if service == "s3" {
			req.Header.Set("X-Amz-Content-Sha256", hash)
		}
		id, secret := "test", "test"
		if akid != "" {
			id, secret = akid, "not-known-to-fogbank"
		}
		creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
		// S3 signs the path as sent; other services escape it once more.
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
		if err := signer.SignHTTP(context.Background(), creds, req, hash, service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return hostileResult{status: -1, body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return hostileResult{status: resp.StatusCode, body: string(b), header: resp.Header}
}

func ddbRequest(t *testing.T, f *fogbank, op string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, f.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	return req
}

// fill is a body of about n bytes: head, then rep repeated, then tail.
func fill(head, rep, sep, tail string, n int) []byte {
	var b bytes.Buffer
	b.Grow(n + len(head) + len(tail))
	b.WriteString(head)
	for i := 0; b.Len() < n-len(tail)-len(rep)-len(sep); i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(rep)
	}
	b.WriteString(tail)
	return b.Bytes()
}

func errType(r hostileResult) string {
	if t := r.header.Get("X-Amzn-Errortype"); t != "" {
		return strings.SplitN(t, ":", 2)[0]
	}
	var e struct {
		Type string `json:"__type"`
	}
	json.Unmarshal([]byte(r.body), &e)
	return e.Type[strings.LastIndexByte(e.Type, '#')+1:]
}

// One 20 MB S3 PUT ?tagging of millions of <a/>, unsigned and signed, takes
// less than 100 MiB and is refused as S3 refuses it.
func TestHostileS3TaggingMemory(t *testing.T) {
	body := fill("<Tagging>", "<a/>", "", "</Tagging>", 20*mib-1)
	for _, signed := range []bool{false, true} {
		name := map[bool]string{false: "unsigned", true: "signed"}[signed]
		t.Run(name, func(t *testing.T) {
			f := start(t, "")
			bucket := "hostile"
			if signed {
				if _, err := s3Client(f).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
					t.Fatal(err)
				}
			}
			req, _ := http.NewRequest(http.MethodPut, f.URL+"/"+bucket+"?tagging", nil)
			svc := ""
			if signed {
				svc = "s3"
			}
			r := send(t, req, body, svc, "")
			// S3 looks the bucket up before it reads the body: the unsigned
			// request, for a bucket that does not exist, is NoSuchBucket.
			want, wantCode := http.StatusNotFound, "NoSuchBucket"
			if signed {
				want, wantCode = http.StatusBadRequest, "MalformedXML"
			}
			if r.status != want || !strings.Contains(r.body, "<Code>"+wantCode+"</Code>") {
				t.Errorf("PUT ?tagging (%s) = %d %.300s, want %d %s", name, r.status, r.body, want, wantCode)
			}
			if rss := peakRSS(t, f); rss > 100*mib {
				t.Errorf("peak RSS %d MiB after one 20 MB body, want < 100 MiB", rss/mib)
			} else {
				t.Logf("peak RSS %d MiB", rss/mib)
			}
		})
	}
}

// Ten 16 MB DynamoDB bodies of {} at once take less than 200 MiB: unsigned
// (refused before anything is kept), with a signature fogbank checks and finds
// wrong, and with a key it does not check, whose unknown members are not kept.
func TestHostileDynamoDBMemory(t *testing.T) {
	body := fill(`{"TableName":"hostile","Junk":[`, "{}", ",", "]}", 16*mib)
	for _, tc := range []struct {
		name, service, akid, want string
	}{
		{"unsigned", "", "", "MissingAuthenticationTokenException"},
		{"wrong-signature", "dynamodb", "", ""},
		{"unknown-key", "dynamodb", "AKIDHOSTILE", "ValidationException"}, // PutItem without Item
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, "")
			var wg sync.WaitGroup
			results := make([]hostileResult, 10)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := ddbRequest(t, f, "PutItem")
					if tc.name == "wrong-signature" {
						// Signed for other bytes: the check fails.
						req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
						sum := sha256.Sum256([]byte("other"))
						creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
						v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now())
						results[i] = send(t, req, body, "", "")
						return
					}
					results[i] = send(t, req, body, tc.service, tc.akid)
				}()
			}
			wg.Wait()
			want := tc.want
			if want == "" {
				want = "InvalidSignatureException"
			}
			for i, r := range results {
				if r.status != http.StatusBadRequest || errType(r) != want {
					t.Errorf("request %d = %d %.200s, want 400 %s", i, r.status, r.body, want)
				}
			}
			if rss := peakRSS(t, f); rss > 200*mib {
				t.Errorf("peak RSS %d MiB after ten 16 MB bodies at once, want < 200 MiB", rss/mib)
			} else {
				t.Logf("peak RSS %d MiB", rss/mib)
			}
		})
	}
}

// The smaller cases of bodies.
func TestHostileDynamoDBBodies(t *testing.T) {
	f := start(t, "")
	// A body over DynamoDB's 16 MB is 413 whatever its signature.
	big := fill(`{"TableName":"`, "a", "", `"}`, 17*mib)
	if r := send(t, ddbRequest(t, f, "DescribeTable"), big, "dynamodb", ""); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("17 MB signed body = %d %.200s, want 413", r.status, r.body)
	}
	// A 15 MB TableName is not echoed back.
	long := fill(`{"Key":{},"TableName":"`, "a", "", `"}`, 15*mib)
	r := send(t, ddbRequest(t, f, "GetItem"), long, "dynamodb", "")
	if r.status != http.StatusBadRequest || errType(r) != "ValidationException" || len(r.body) > 20<<10 {
		t.Errorf("15 MB TableName = %d, %d bytes: %.300s; want a short ValidationException", r.status, len(r.body), r.body)
	}
	// Invalid UTF-8 and lone surrogates are SerializationExceptions, never U+FFFD.
	for _, b := range []string{"{\"TableName\":\"t\xff(\"}", "{\"TableName\":\"t\xc3(\"}", `{"TableName":"\ud800abc"}`, `{"TableName":"abc\udc00"}`} {
		r := send(t, ddbRequest(t, f, "DescribeTable"), []byte(b), "dynamodb", "")
		if r.status != http.StatusBadRequest || errType(r) != "SerializationException" {
			t.Errorf("body %q = %d %.200s, want SerializationException", b, r.status, r.body)
		}
	}
	// A good surrogate pair is a character.
	r = send(t, ddbRequest(t, f, "DescribeTable"), []byte(`{"TableName":"t\ud83d\ude00"}`), "dynamodb", "")
	if errType(r) != "ValidationException" || !strings.Contains(r.body, "t\U0001F600") {
		t.Errorf("surrogate pair = %d %.300s, want a ValidationException naming t\U0001F600", r.status, r.body)
	}
}

// A key holding a character XML cannot carry literally is listed as S3 lists
// it, as a numeric character reference, in every XML answer that names it.
func TestS3ControlCharacterKeys(t *testing.T) {
	f := start(t, "")
	c := s3Client(f)
	ctx := context.Background()
	bucket, key := "ctl", "a\x01b\x1fc"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	// Raw, since a Go SDK (encoding/xml) refuses the reference as it would
	// refuse S3's own answer.
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/"+bucket+"/a%01b%1Fc?uploads", nil)
	r := send(t, req, nil, "s3", "")
	const want = "<Key>a&#x1;b&#x1F;c</Key>"
	if r.status != http.StatusOK || !strings.Contains(r.body, want) {
		t.Fatalf("CreateMultipartUpload = %d %.600s; want %s", r.status, r.body, want)
	}
	_, rest, _ := strings.Cut(r.body, "<UploadId>")
	uploadID, _, _ := strings.Cut(rest, "</UploadId>")
	for _, q := range []string{"list-type=2", "", "versions", "uploads", "uploadId=" + url.QueryEscape(uploadID)} {
		path := "/" + bucket + "?" + q
		if strings.HasPrefix(q, "uploadId") {
			path = "/" + bucket + "/a%01b%1Fc?" + q
		}
		req, _ := http.NewRequest(http.MethodGet, f.URL+path, nil)
		r := send(t, req, nil, "s3", "")
		if r.status != http.StatusOK || !strings.Contains(r.body, want) {
			t.Errorf("GET %s = %d %.600s; want %s", path, r.status, r.body, want)
		}
	}
	// With encoding-type=url (what botocore asks for) the name comes back whole.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), EncodingType: types.EncodingTypeUrl})
	if err != nil || len(out.Contents) != 1 {
		t.Fatalf("ListObjectsV2 = %v, %v", out, err)
	}
	if got, _ := urlUnescape(*out.Contents[0].Key); got != key {
		t.Errorf("listed key %q, want %q", got, key)
	}
}

func urlUnescape(s string) (string, error) {
	return url.QueryUnescape(s)
}

// The smaller cases of S3 bodies.
func TestHostileS3Bodies(t *testing.T) {
	f := start(t, "")
	c := s3Client(f)
	ctx := context.Background()
	bucket := "bodies"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	// A CompleteMultipartUpload whose root element is not CompleteMultipartUpload.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	doc := "<Foo><Part><PartNumber>1</PartNumber><ETag>" + *part.ETag + "</ETag></Part></Foo>"
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/"+bucket+"/k?uploadId="+*up.UploadId, nil)
	if r := send(t, req, []byte(doc), "s3", ""); r.status != http.StatusBadRequest || !strings.Contains(r.body, "<Code>MalformedXML</Code>") {
		t.Errorf("CompleteMultipartUpload with root <Foo> = %d %.300s, want 400 MalformedXML", r.status, r.body)
	}
	doc = strings.ReplaceAll(doc, "Foo", "CompleteMultipartUpload")
	req, _ = http.NewRequest(http.MethodPost, f.URL+"/"+bucket+"/k?uploadId="+*up.UploadId, nil)
	if r := send(t, req, []byte(doc), "s3", ""); r.status != http.StatusOK {
		t.Errorf("CompleteMultipartUpload = %d %.300s, want 200", r.status, r.body)
	}
	// A chunked PUT with neither Content-Length nor x-amz-decoded-content-length:
	// S3 refuses the Transfer-Encoding header as not implemented.
	req, _ = http.NewRequest(http.MethodPut, f.URL+"/"+bucket+"/chunked", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(strings.NewReader("body"))
	req.ContentLength = -1 // sent chunked
	req.TransferEncoding = []string{"chunked"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(b), "<Code>NotImplemented</Code>") ||
		!strings.Contains(string(b), "<Header>Transfer-Encoding</Header>") {
		t.Errorf("chunked PUT = %d %.300s, want 501 NotImplemented naming Transfer-Encoding", resp.StatusCode, b)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("chunked")}); err == nil {
		t.Errorf("the chunked PUT stored an object")
	}
}

// hostileShapes are 16 MB DynamoDB PutItem bodies built to cost the most
// memory per byte once decoded: tiny values in a list or map the operation
// keeps (Item), the same under a member it does not have, deep nesting, and
// one long string.
func hostileShapes() []struct {
	name string
	body []byte
} {
	manyKeys := func() []byte {
		var b bytes.Buffer
		b.WriteString(`{"TableName":"hostile","Item":{`)
		for i := 0; b.Len() < 16*mib-64; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strconv.Itoa(i) + `":{"S":"x"}`)
		}
		b.WriteString(`}}`)
		return b.Bytes()
	}
	deep := strings.Repeat(`{"M":{"a":`, 300) + `{"S":"x"}` + strings.Repeat(`}}`, 300)
	return []struct {
		name string
		body []byte
	}{
		{"list-of-S", fill(`{"TableName":"hostile","Item":{"pk":{"L":[`, `{"S":"x"}`, ",", `]}}}`, 16*mib)},
		{"list-of-N", fill(`{"TableName":"hostile","Item":{"pk":{"L":[`, `{"N":"1"}`, ",", `]}}}`, 16*mib)},
		{"list-unknown-member", fill(`{"TableName":"hostile","Junk":[`, `{"S":"x"}`, ",", `]}`, 16*mib)},
		{"many-keys", manyKeys()},
		{"deep", fill(`{"TableName":"hostile","Item":{"pk":{"L":[`, deep, ",", `]}}}`, 16*mib)},
		{"long-string", fill(`{"TableName":"hostile","Item":{"pk":{"S":"`, "x", "", `"}}}`, 16*mib)},
	}
}

// One 16 MB hostile PutItem of each shape takes less than 100 MiB, ten at once
// less than 200 MiB, signed with a key fogbank does not check (so the body is
// decoded), and each is refused.
func TestHostileDynamoDBShapes(t *testing.T) {
	for _, sh := range hostileShapes() {
		for _, n := range []int{1, 10} {
			t.Run(sh.name+"/"+strconv.Itoa(n), func(t *testing.T) {
				f := start(t, "")
				var wg sync.WaitGroup
				results := make([]hostileResult, n)
				for i := range results {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[i] = send(t, ddbRequest(t, f, "PutItem"), sh.body, "dynamodb", "AKIDHOSTILE")
					}()
				}
				wg.Wait()
				for i, r := range results {
					if r.status != http.StatusBadRequest {
						t.Errorf("request %d = %d %.200s, want 400", i, r.status, r.body)
					} else if i == 0 {
						t.Logf("%s: %.200s", errType(r), r.body)
					}
				}
				checkPeakRSS(t, f, n, "16 MB bodies")
			})
		}
	}
}

// S3 judges the bucket before the body: an unsigned request with a malformed
// body is NoSuchBucket for a missing bucket and AccessDenied for a private
// one; errors answered before the operation (a malformed body, a bad
// signature) carry the bucket's CORS headers, so a browser on an allowed
// origin can read them.
func TestS3EarlyErrors(t *testing.T) {
	f := start(t, "")
	c := s3Client(f)
	ctx := context.Background()
	bucket := "early"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"http://localhost:3000"}, AllowedMethods: []string{"PUT", "GET"}, ExposeHeaders: []string{"x-amz-request-id"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte("<Tagging><TagSet><Tag>")
	for _, tc := range []struct {
		name, bucket, svc string
		status            int
		code              string
	}{
		{"unsigned-missing-bucket", "nosuchbucket-early", "", http.StatusNotFound, "NoSuchBucket"},
		{"unsigned-private-bucket", bucket, "", http.StatusForbidden, "AccessDenied"},
		{"signed-missing-bucket", "nosuchbucket-early", "s3", http.StatusNotFound, "NoSuchBucket"},
		{"signed-malformed", bucket, "s3", http.StatusBadRequest, "MalformedXML"},
	} {
		req, _ := http.NewRequest(http.MethodPut, f.URL+"/"+tc.bucket+"?tagging", nil)
		req.Header.Set("Origin", "http://localhost:3000")
		r := send(t, req, bad, tc.svc, "")
		if r.status != tc.status || !strings.Contains(r.body, "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s: PUT ?tagging = %d %q, want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
		}
		if tc.bucket == bucket && r.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
			t.Errorf("%s: Access-Control-Allow-Origin = %q, want the bucket's CORS headers", tc.name, r.header.Get("Access-Control-Allow-Origin"))
		}
	}
	// A signature that does not match is answered before anything else, with
	// the bucket's CORS headers too.
	req, _ := http.NewRequest(http.MethodGet, f.URL+"/"+bucket+"/k", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	now := time.Now().UTC()
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/"+now.Format("20060102")+"/us-east-1/s3/aws4_request, SignedHeaders=host, Signature="+strings.Repeat("0", 64))
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	r := send(t, req, nil, "", "")
	if r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("bad signature = %d %q %q, want 403 with the bucket's CORS headers", r.status, r.header.Get("Access-Control-Allow-Origin"), r.body)
	}
	// A local origin the bucket does not allow gets none.
	req, _ = http.NewRequest(http.MethodPut, f.URL+"/"+bucket+"?tagging", nil)
	req.Header.Set("Origin", "http://localhost:4000")
	if r := send(t, req, bad, "s3", ""); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin got Access-Control-Allow-Origin %q", r.header.Get("Access-Control-Allow-Origin"))
	}
}

// checkPeakRSS holds the server to issue 11's memory bounds for hostile bodies:
// peak RSS under 100 MiB after one, under 200 MiB after several at once.
func checkPeakRSS(t *testing.T, f *fogbank, n int, what string) {
	t.Helper()
	limit := int64(100 * mib)
	if n > 1 {
		limit = 200 * mib
	}
	if rss := peakRSS(t, f); rss > limit {
		t.Errorf("peak RSS %d MiB after %d %s, want < %d MiB", rss/mib, n, what, limit/mib)
	} else {
		t.Logf("peak RSS %d MiB", rss/mib)
	}
}
