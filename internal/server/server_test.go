package server_test

import (
	"bufio"
	"context"
	"encoding/xml"
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
func TestBodyStallAnswersRequestTimeout(t *testing.T) {
	srv := start(t, server.Options{Timeouts: server.Timeouts{Body: 300 * time.Millisecond}})
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
	srv := start(t, server.Options{Timeouts: server.Timeouts{Idle: 200 * time.Millisecond}})
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
