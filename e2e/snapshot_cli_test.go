package e2e

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// fogbank snapshot save from one server, load into another: the objects (a
// small one and one kept in a blob file) read back; a damaged file is refused
// and changes nothing.
func TestSnapshotCommand(t *testing.T) {
	a, b := start(t, ""), start(t, "")
	ctx := context.Background()
	ca, cb := s3Client(a), s3Client(b)
	bodies := map[string]string{"small": "small body", "large": strings.Repeat("large body ", 20_000)}
	for _, c := range []*s3.Client{ca, cb} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("snap")}); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range bodies {
		if _, err := ca.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("snap"), Key: aws.String(k), Body: strings.NewReader(v)}); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "state.snap")
	snapshot := func(f *fogbank, verb, path string) (string, int) {
		_, errOut, code := f.run(t, nil, binary, "snapshot", verb, path, "--endpoint", f.URL)
		return errOut, code
	}
	if out, code := snapshot(a, "save", file); code != 0 || !strings.Contains(out, "saved") {
		t.Fatalf("save: exit %d: %s", code, out)
	}
	// A damaged copy: refused, b keeps its (empty) bucket.
	data, _ := os.ReadFile(file)
	bad := filepath.Join(t.TempDir(), "bad.snap")
	os.WriteFile(bad, data[:len(data)-10], 0o644)
	if out, code := snapshot(b, "load", bad); code != 1 || !strings.Contains(out, "400") {
		t.Errorf("load of a truncated file: exit %d: %s", code, out)
	}
	if out, err := cb.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("snap")}); err != nil || len(out.Contents) != 0 {
		t.Fatalf("after the refused load: %v", err)
	}
	if out, code := snapshot(b, "load", file); code != 0 {
		t.Fatalf("load: exit %d: %s", code, out)
	}
	for k, v := range bodies {
		out, err := cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("snap"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != v {
			t.Errorf("%s: %d bytes back, want %d", k, len(got), len(v))
		}
	}
}
