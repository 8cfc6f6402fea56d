// Command iam-s3 measures S3 GetObject throughput with an IAM user as the
// caller, so that a server run with and without --enforce-iam can be compared
// (bench/iam.sh). As the account's root (test/test) it creates a bucket of 256
// objects of 4 KiB and a user "bench" with five policies: three AWS managed
// ones (AmazonDynamoDBReadOnlyAccess, CloudWatchLogsReadOnlyAccess,
// AmazonS3ReadOnlyAccess), a customer managed policy of 10 statements and an
// inline policy with a Deny; then WORKERS clients GET those objects with the
// user's access key for DUR. It prints one JSON line, the shape of
// ../shared/loadgen's: ops/s, p50/p99, errors, the server's CPU seconds.
//
//	iam-s3 -endpoint http://127.0.0.1:PORT -workers 8 -dur 10s -pid PID -tag NAME
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const bucket = "loadbkt"

func client(ep, key, secret string) *s3.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 64
	tr.MaxIdleConnsPerHost = 64
	tr.Proxy = nil
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(ep), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:  &http.Client{Transport: tr, Timeout: 30 * time.Second},
		Retryer:     aws.NopRetryer{}, RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
}

// iamCall sends one IAM query request signed as the root (test/test) and
// returns its body; IAM has no SDK client in the project's go.mod.
func iamCall(ep string, params url.Values) ([]byte, error) {
	params.Set("Version", "2010-05-08")
	body := params.Encode()
	req, _ := http.NewRequest("POST", ep+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now())
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %d %s", params.Get("Action"), resp.StatusCode, b)
	}
	return b, nil
}

func must(b []byte, err error) []byte {
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
	return b
}

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// customerPolicy has 10 statements, none of which allows GetObject on the
// bucket, so an evaluation reads them all.
func customerPolicy() string {
	var st []string
	for i := 0; i < 10; i++ {
		cond := ""
		if i%3 == 0 {
			cond = `,"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-` + strconv.Itoa(i) + `"}}`
		}
		st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["dynamodb:Put*","sqs:Send*","s3:PutObject"],"Resource":"arn:aws:s3:::other-%d/*"%s}`, i, i, cond))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

func setup(ep string) (key, secret string) {
	ctx := context.Background()
	root := client(ep, "test", "test")
	if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		must(nil, err)
	}
	body := make([]byte, 4096)
	rand.Read(body)
	for i := 0; i < 256; i++ {
		k := "obj-" + strconv.Itoa(i)
		if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: &k, Body: bytes.NewReader(body)}); err != nil {
			must(nil, err)
		}
	}
	must(iamCall(ep, vals("Action", "CreateUser", "UserName", "bench")))
	out := must(iamCall(ep, vals("Action", "CreatePolicy", "PolicyName", "bench-ten", "PolicyDocument", customerPolicy())))
	var cp struct {
		Arn string `xml:"CreatePolicyResult>Policy>Arn"`
	}
	xml.Unmarshal(out, &cp)
	for _, arn := range []string{"arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
		cp.Arn, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"} {
		must(iamCall(ep, vals("Action", "AttachUserPolicy", "UserName", "bench", "PolicyArn", arn)))
	}
	must(iamCall(ep, vals("Action", "PutUserPolicy", "UserName", "bench", "PolicyName", "no-secrets", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::secrets","arn:aws:s3:::secrets/*"]}]}`)))
	out = must(iamCall(ep, vals("Action", "CreateAccessKey", "UserName", "bench")))
	var ak struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(out, &ak); err != nil || ak.ID == "" {
		must(nil, fmt.Errorf("CreateAccessKey answered %s", out))
	}
	return ak.ID, ak.Secret
}

// cpuSeconds is a process's user+system CPU time from /proc.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) / 100 // USER_HZ
}

func main() {
	ep := flag.String("endpoint", "http://127.0.0.1:4566", "")
	workers := flag.Int("workers", 8, "")
	dur := flag.Duration("dur", 10*time.Second, "")
	pid := flag.Int("pid", 0, "server pid, for its CPU time")
	tag := flag.String("tag", "", "label")
	flag.Parse()

	key, secret := setup(*ep)
	c := client(*ep, key, secret)
	ctx := context.Background()
	// The user's key works and is the caller (a check that cannot pass
	// silently as root).
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj-0")}); err != nil {
		must(nil, err)
	}
	// Whether the server enforces: the user may not write (reported, and
	// checked by bench/iam.sh, so that an "enforced" run that is not fails).
	_, perr := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("w"), Body: strings.NewReader("x")})
	refused := perr != nil && strings.Contains(perr.Error(), "AccessDenied")

	var (
		n, errs  atomic.Int64
		firstErr atomic.Value
		mu       sync.Mutex
		lat      []time.Duration
		wg       sync.WaitGroup
	)
	cpu0 := cpuSeconds(*pid)
	start := time.Now()
	deadline := start.Add(*dur)
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			for i := w; time.Now().Before(deadline); i++ {
				k := "obj-" + strconv.Itoa(i%256)
				t0 := time.Now()
				o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: &k})
				if err == nil {
					_, err = io.Copy(io.Discard, o.Body)
					o.Body.Close()
				}
				if err != nil {
					if errs.Add(1) == 1 {
						firstErr.Store(err.Error())
					}
					continue
				}
				mine = append(mine, time.Since(t0))
				n.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	cpu := cpuSeconds(*pid) - cpu0
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	r := map[string]any{"op": "s3get", "ops": n.Load(), "errors": errs.Load(), "ops_per_s": float64(n.Load()) / el,
		"p50_ms": pct(0.5), "p99_ms": pct(0.99), "server_cpu_s": cpu, "put_refused": refused}
	if e, ok := firstErr.Load().(string); ok {
		r["first_err"] = e
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"tag": *tag, "r": r})
}
