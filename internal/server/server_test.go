package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fogbank/fogbank/internal/server"
	"github.com/fogbank/fogbank/internal/services/all"
)

func start(t *testing.T, opts server.Options) *server.Server {
	t.Helper()
	opts.Addr, opts.Ephemeral, opts.NoSync = "127.0.0.1:0", true, true
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Models = all.Models()
	srv, err := server.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// A PUT whose body stops arriving gets S3's answer after the body timeout:
// 400 RequestTimeout in S3's words, and the connection closes. The request is
// a presigned URL made by aws-sdk-go-v2, sent by hand so that the body can stall.
// Both HTTP servers (fogbank's and net/http's, --http=std) do.
func TestBodyStallAnswersRequestTimeout(t *testing.T) {
	for _, h := range server.HTTPServers {
		t.Run(h, func(t *testing.T) { testBodyStall(t, h) })
	}
}

func testBodyStall(t *testing.T, httpServer string) {
	srv := start(t, server.Options{HTTP: httpServer, Timeouts: server.Timeouts{Body: 300 * time.Millisecond}})
	ctx := context.Background()
	client := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("stall")}); err != nil {
		t.Fatal(err)
	}
	pre, err := s3.NewPresignClient(client).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("stall"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(pre.URL)
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "PUT "+u.RequestURI()+" HTTP/1.1\r\nHost: "+u.Host+"\r\nContent-Length: 10\r\n\r\nabc")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Code, Message string }
	body, _ := io.ReadAll(resp.Body)
	xml.Unmarshal(body, &e)
	if resp.StatusCode != 400 || e.Code != "RequestTimeout" ||
		e.Message != "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed." {
		t.Errorf("stalled body: %d %s, want 400 RequestTimeout", resp.StatusCode, body)
	}
	if !resp.Close {
		t.Error("no Connection: close after a stalled body")
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("stall"), Key: aws.String("k")}); err == nil {
		t.Error("the object of a stalled PUT exists")
	}
}

// An idle keep-alive connection is closed after the idle timeout.
func TestIdleConnectionCloses(t *testing.T) {
	for _, h := range server.HTTPServers {
		t.Run(h, func(t *testing.T) { testIdle(t, h) })
	}
}

func testIdle(t *testing.T, httpServer string) {
	srv := start(t, server.Options{HTTP: httpServer, Timeouts: server.Timeouts{Idle: 200 * time.Millisecond}})
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /_fogbank/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: %v, want EOF (closed by fogbank)", err)
	}
}

// A client that stops reading its answer is cut off after the write timeout
// (a silence, not the whole answer: a slow reader that keeps reading is
// served), on both HTTP servers.
func TestWriteStallCloses(t *testing.T) {
	for _, h := range server.HTTPServers {
		t.Run(h, func(t *testing.T) { testWriteStall(t, h) })
	}
}

func testWriteStall(t *testing.T, httpServer string) {
	srv := start(t, server.Options{HTTP: httpServer, Timeouts: server.Timeouts{Write: 300 * time.Millisecond}})
	ctx := context.Background()
	client := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("stall")}); err != nil {
		t.Fatal(err)
	}
	const size = 32 << 20
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("stall"), Key: aws.String("big"),
		Body: bytes.NewReader(make([]byte, size))}); err != nil {
		t.Fatal(err)
	}
	pre, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stall"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(pre.URL)
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(64 << 10)
	io.WriteString(c, "GET "+u.RequestURI()+" HTTP/1.1\r\nHost: "+u.Host+"\r\n\r\n")
	time.Sleep(2 * time.Second) // not reading: the server's writes stall
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if n >= size {
		t.Errorf("read %d bytes (%v) after stalling, want the connection cut off before the whole answer", n, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the connection stayed open after the write timeout (read %d bytes)", n)
	}
	// A reader that keeps reading, slowly, is served whole.
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("stall"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	var got int64
	buf := make([]byte, 4<<20)
	for {
		k, err := out.Body.Read(buf)
		got += int64(k)
		if err != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got != size {
		t.Errorf("slow reader got %d bytes, want %d", got, size)
	}
}
