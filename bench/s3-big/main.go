// Command s3-big measures one large PUT and GET against an S3 endpoint and the
// server's peak RSS (VmHWM of -pid), beside a plain file copy of the same size on
// the same disk. It prints one JSON line.
//
//	s3-big -endpoint http://127.0.0.1:PORT -pid PID -size 1GiB -dir /tmp
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// zeroish is a cheap, incompressible-enough body: a 1 MiB random block repeated.
type repeatReader struct {
	block []byte
	left  int64
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.block[r.off:])
	if int64(n) > r.left {
		n = int(r.left)
	}
	r.off = (r.off + n) % len(r.block)
	r.left -= int64(n)
	return n, nil
}

func hwm(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4566", "S3 endpoint")
	pid := flag.Int("pid", 0, "server pid, for peak RSS")
	size := flag.Int64("size", 1<<30, "bytes")
	dir := flag.String("dir", os.TempDir(), "where the plain-copy reference files go")
	tag := flag.String("tag", "", "label")
	flag.Parse()

	block := make([]byte, 1<<20)
	rand.Read(block)
	res := map[string]any{"tag": *tag, "bytes": *size}

	// The reference: write a file of the same size with fsync, then copy it
	// with fsync (what a durable PUT must at least do), and read it back.
	src := filepath.Join(*dir, "s3big-src")
	dst := filepath.Join(*dir, "s3big-dst")
	defer os.Remove(src)
	defer os.Remove(dst)
	f, _ := os.Create(src)
	io.Copy(f, &repeatReader{block: block, left: *size})
	f.Sync()
	f.Close()
	t0 := time.Now()
	in, _ := os.Open(src)
	out, _ := os.Create(dst)
	io.Copy(out, in)
	out.Sync()
	out.Close()
	in.Close()
	res["copy_MBps"] = float64(*size) / 1e6 / time.Since(t0).Seconds()

	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(*endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired},
		// UNSIGNED-PAYLOAD: the client would otherwise hash 1 GiB on the same
		// two cores before sending a byte, and the figure would be its own.
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	ctx := context.Background()
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")})
	before := hwm(*pid)
	t0 = time.Now()
	body, _ := os.Open(src) // a file: seekable, so the SDK sends a plain body
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("big"), Key: aws.String("one"), Body: body, ContentLength: size})
	body.Close()
	if err != nil {
		res["error"] = "put: " + err.Error()
	}
	res["put_MBps"] = float64(*size) / 1e6 / time.Since(t0).Seconds()
	t0 = time.Now()
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("big"), Key: aws.String("one")})
	if err == nil {
		n, _ := io.Copy(io.Discard, g.Body)
		g.Body.Close()
		if n != *size {
			res["error"] = fmt.Sprintf("get returned %d bytes", n)
		}
	} else {
		res["error"] = "get: " + err.Error()
	}
	res["get_MBps"] = float64(*size) / 1e6 / time.Since(t0).Seconds()
	res["rss_before_MiB"] = float64(before) / (1 << 20)
	res["rss_peak_MiB"] = float64(hwm(*pid)) / (1 << 20)
	json.NewEncoder(os.Stdout).Encode(res)
}
