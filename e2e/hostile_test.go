package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

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
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, service, "us-east-1", time.Now()); err != nil {
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
	long := fill(`{"TableName":"`, "a*", "", `"}`, 15*mib)
	r := send(t, ddbRequest(t, f, "DescribeTable"), long, "dynamodb", "")
	if r.status != http.StatusBadRequest || errType(r) != "ValidationException" || len(r.body) > 4096 {
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
