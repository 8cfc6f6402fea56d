package server_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fogbank/fogbank/internal/server"
)

// An OPTIONS sent to a presigned URL is a CORS preflight to S3, whose
// signature (made for GET or PUT) is not checked: without an Origin it is
// S3's 400 BadRequest "Insufficient information. Origin request header
// needed.", not a 403 SignatureDoesNotMatch; with one, the bucket's CORS rules
// answer. (ceph/s3-tests' test_cors_presigned_* and
// test_object_raw_get_x_amz_expires_not_expired.)
func TestPresignedURLPreflight(t *testing.T) {
	srv := start(t, server.Options{})
	ctx := context.Background()
	client := s3.New(s3.Options{BaseEndpoint: aws.String("http://" + srv.Addr), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pre")}); err != nil {
		t.Fatal(err)
	}
	presign := s3.NewPresignClient(client)
	get, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	put, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	options := func(url, origin, method string) (*http.Response, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, url, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", method)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct{ Code, Message string }
		xml.Unmarshal(body, &e)
		return resp, e.Code, e.Message
	}
	for _, u := range []struct{ name, url, method string }{{"GET", get.URL, "GET"}, {"PUT", put.URL, "PUT"}} {
		resp, code, msg := options(u.url, "", "")
		if resp.StatusCode != 400 || code != "BadRequest" || msg != "Insufficient information. Origin request header needed." {
			t.Errorf("OPTIONS of a presigned %s without Origin: %d %s %q; want 400 BadRequest", u.name, resp.StatusCode, code, msg)
		}
		resp, code, _ = options(u.url, "http://localhost:8000", u.method)
		if resp.StatusCode != 403 || code != "AccessForbidden" {
			t.Errorf("preflight of a presigned %s, no CORS rules: %d %s; want 403 AccessForbidden", u.name, resp.StatusCode, code)
		}
	}
	if _, err := client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("pre"), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"http://localhost:8000"}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, url, method string }{{"GET", get.URL, "GET"}, {"PUT", put.URL, "PUT"}} {
		resp, code, _ := options(u.url, "http://localhost:8000", u.method)
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8000" ||
			resp.Header.Get("Access-Control-Allow-Methods") != "GET, PUT" {
			t.Errorf("preflight of a presigned %s: %d %s %v; want 200 from the bucket's CORS rule", u.name, resp.StatusCode, code, resp.Header)
		}
	}
	// The presigned GET itself is still checked: it works as signed...
	resp, err := http.Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 { // NoSuchKey: the signature passed
		t.Errorf("presigned GET: %d, want 404 NoSuchKey", resp.StatusCode)
	}
	// ...and not as any other method.
	req, _ := http.NewRequest(http.MethodDelete, get.URL, nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("DELETE with a presigned GET's query: %d, want 403 SignatureDoesNotMatch", resp.StatusCode)
	}
}
