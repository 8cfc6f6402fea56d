package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fogbank/fogbank/internal/server"
	s3svc "github.com/fogbank/fogbank/internal/services/s3"
)

// blobFiles counts the blob files in the store's directory.
func blobFiles(t *testing.T, srv *server.Server) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(srv.Store.Dir(), "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(p)) != "tmp" {
			n++
		}
		return nil
	})
	return n
}

// A GET of a multipart object reads the object it started with to the last
// byte while the key is overwritten and then deleted, as S3 does; the old
// parts' storage is freed when the reader is done, not before. The object is
// 40 MiB (eight 5 MiB parts and a small last part, kept inside the database),
// more than the socket buffers take, so most parts are opened after the
// overwrite.
func TestGetReadsTheObjectItStarted(t *testing.T) {
	srv := start(t, server.Options{})
	ctx := context.Background()
	c := s3.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *s3.Options) { o.UsePathStyle = true })
	bucket, key := aws.String("life"), aws.String("big")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	var whole []byte
	var parts []types.CompletedPart
	for i := int32(1); i <= 9; i++ {
		p := make([]byte, 5<<20)
		if i == 9 {
			p = p[:10<<10] // under 64 KiB: kept inside the database, not in a file
		}
		rand.Read(p)
		whole = append(whole, p...)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: out.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	files := blobFiles(t, srv)
	if files != 8 {
		t.Fatalf("%d blob files for 8 big parts, want 8", files)
	}

	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 1<<20)
	if _, err := io.ReadFull(get.Body, got); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader([]byte("new"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key}); err != nil {
		t.Fatal(err)
	}
	if n := blobFiles(t, srv); n != files {
		t.Errorf("%d blob files while the GET reads, want its %d kept", n, files)
	}
	rest, err := io.ReadAll(get.Body)
	get.Body.Close()
	got = append(got, rest...)
	if err != nil || len(got) != len(whole) || !bytes.Equal(got, whole) {
		t.Fatalf("GET read %d bytes (%v), want the %d of the object it started with (equal: %v)", len(got), err, len(whole), bytes.Equal(got, whole))
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key}); err == nil {
		t.Error("the deleted key is still there")
	}

	// The server releases the parts once it has written the body: wait for that.
	for deadline := time.Now().Add(20 * time.Second); blobFiles(t, srv) != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := blobFiles(t, srv); n != 0 {
		t.Errorf("%d blob files after the GET ended, want 0", n)
	}
	if err := srv.Store.Check(s3svc.RefWalker); err != nil {
		t.Errorf("Check: %v", err)
	}
}
