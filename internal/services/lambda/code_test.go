package lambda_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// Code from fogbank's own S3, by version; GetFunction's Code.Location
// downloads the same zip.
func TestCodeFromS3(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	s3c := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("code"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v1 := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 'v1'\n"})
	v2 := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 'v2'\n"})
	put, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String("fn.zip"), Body: bytes.NewReader(v1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String("fn.zip"), Body: bytes.NewReader(v2)}); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("froms3"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("fn.zip"), S3ObjectVersion: put.VersionId}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.CodeSha256) != sha(v1) || cfg.CodeSize != int64(len(v1)) {
		t.Errorf("CodeSha256 %s, want the first version's", aws.ToString(cfg.CodeSha256))
	}
	if out := invoke(t, c, "froms3", ""); string(out.Payload) != `"v1"` {
		t.Errorf("invoke: %s", out.Payload)
	}
	// Without a version: the latest.
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("froms3"),
		S3Bucket: aws.String("code"), S3Key: aws.String("fn.zip")}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, c, "froms3", ""); string(out.Payload) != `"v2"` {
		t.Errorf("invoke after UpdateFunctionCode: %s", out.Payload)
	}

	gf, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("froms3")})
	if err != nil {
		t.Fatal(err)
	}
	loc := aws.ToString(gf.Code.Location)
	resp, err := http.Get(loc)
	if err != nil {
		t.Fatalf("GET %q: %v", loc, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, v2) {
		t.Errorf("Code.Location %s: %d, %d bytes, want the zip", loc, resp.StatusCode, len(body))
	}
	if resp, err := http.Get(loc + "x"); err == nil {
		if resp.StatusCode != 403 {
			t.Errorf("a tampered Code.Location answered %d", resp.StatusCode)
		}
		resp.Body.Close()
	}

	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("nokey"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("missing.zip")}})
	wantCode(t, err, "InvalidParameterValueException", "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
}

// LocalStack's hot reload: code from a folder, edits picked up by the next
// invoke with nothing in between.
func TestHotReload(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	dir := t.TempDir()
	write := func(body string) {
		if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("def handler(e, c):\n    return 1\n")
	cfg, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("hot"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{S3Bucket: aws.String("hot-reload"), S3Key: aws.String(dir)}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.CodeSha256) != "hot-reloading-hash-not-available" {
		t.Errorf("CodeSha256 %q", aws.ToString(cfg.CodeSha256))
	}
	if out := invoke(t, c, "hot", ""); string(out.Payload) != "1" {
		t.Fatalf("first: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	write("def handler(e, c):\n    return 2\n") // same size
	if out := invoke(t, c, "hot", ""); string(out.Payload) != "2" {
		t.Errorf("after the edit: %s", out.Payload)
	}
	if _, err := os.Stat(filepath.Join(dir, "__pycache__")); err == nil {
		t.Errorf("fogbank wrote __pycache__ into the user's folder")
	}
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("hot2"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{S3Bucket: aws.String("hot-reload"), S3Key: aws.String("relative/dir")}})
	wantCode(t, err, "InvalidParameterValueException", "absolute path")
}
