package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory, unmounted at
// the end of the test (after fogbank stops: cleanups run last first). Where it
// cannot (not root, not Linux) the test skips, except under CI=true.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10), "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs (needs root on Linux): %v", err)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// quickRetries is the SDK's standard retryer (3 attempts), with short waits.
func quickRetries() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 20 * time.Millisecond, nil })
	})
}

// wantRetried checks that err is the SDK giving up after retrying the AWS
// error code at status.
func wantRetried(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var me *retry.MaxAttemptsError
	var re *awshttp.ResponseError
	var ae smithy.APIError
	switch {
	case err == nil:
		t.Fatalf("%s succeeded on a full disk", what)
	case !errors.As(err, &me):
		t.Errorf("%s: %v: the SDK did not retry it", what, err)
	}
	if !errors.As(err, &re) || re.HTTPStatusCode() != status || !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: %v, want %d %s", what, err, status, code)
	}
}

// A full disk through the real binary and aws-sdk-go-v2: PUTs fill it and then
// answer 503 ServiceUnavailable, which the SDK retries; deleting objects frees
// space and PUTs succeed again, with no restart. A file filling the rest makes
// DynamoDB writes answer 500 InternalServerError (retried too); removing it
// lets them through. One ERROR line names the data directory, and every write
// answered 200 is there, byte for byte, before and after a restart.
func TestDiskFullHeals(t *testing.T) {
	mnt := mountTmpfs(t, 24<<20)
	data := filepath.Join(mnt, "data")
	f := start(t, data)
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.URL), UsePathStyle: true,
		Credentials: creds, Retryer: quickRetries()})
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: creds, Retryer: quickRetries()})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("full")}); err != nil {
		t.Fatal(err)
	}
	ddbCreateTable(t, ddb, "full")

	objects := map[string][32]byte{} // key → hash of the body answered 200
	put := func(key string, size int) error {
		body := make([]byte, size)
		rand.Read(body)
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err == nil {
			objects[key] = sha256.Sum256(body)
		}
		return err
	}
	var err error
	n := 0
	for ; err == nil; n++ {
		if n == 48 {
			t.Fatal("48 PUTs of 1 MiB fit in 24 MiB")
		}
		err = put(fmt.Sprintf("obj/%02d", n), 1<<20)
	}
	wantRetried(t, "PUT on a full disk", err, 503, "ServiceUnavailable")

	// Deleting objects frees space (their deletes fit in the log's reserve).
	var del []s3types.ObjectIdentifier
	for i := 0; i < 4; i++ {
		key := fmt.Sprintf("obj/%02d", i)
		del = append(del, s3types.ObjectIdentifier{Key: aws.String(key)})
		delete(objects, key)
	}
	out, err := s3c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("full"), Delete: &s3types.Delete{Objects: del}})
	if err != nil || len(out.Errors) != 0 || len(out.Deleted) != 4 {
		t.Fatalf("DeleteObjects on the full disk: %v %+v", err, out)
	}
	if err := put("after-delete", 1<<20); err != nil {
		t.Fatalf("PUT after deleting objects: %v", err)
	}

	// Now fill what is left with a file: DynamoDB writes fill the log's
	// reserve, then fail.
	filler := filepath.Join(mnt, "filler")
	fillDisk(t, filler)
	items := map[int]string{}
	big := strings.Repeat("v", 300<<10)
	for i := 0; ; i++ {
		if i == 16 {
			t.Fatal("16 items of 300 KiB fit on a full disk")
		}
		v := fmt.Sprintf("%d:%s", i, big)
		_, err = ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("full"),
			Item: map[string]types.AttributeValue{"pk": ddbS("item"), "sk": ddbN(i), "v": ddbS(v)}})
		if err != nil {
			break
		}
		items[i] = v
	}
	wantRetried(t, "PutItem on a full disk", err, 500, "InternalServerError")
	wantRetried(t, "PUT on a full disk", put("while-full", 100<<10), 503, "ServiceUnavailable")

	// Free it: writes go through again, on the same server.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for i, end := len(items), len(items)+2; i < end; i++ {
		v := fmt.Sprintf("%d:after", i)
		if _, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("full"),
			Item: map[string]types.AttributeValue{"pk": ddbS("item"), "sk": ddbN(i), "v": ddbS(v)}}); err != nil {
			t.Fatalf("PutItem after the filler was removed: %v", err)
		}
		items[i] = v
	}
	if err := put("after-filler", 1<<20); err != nil {
		t.Fatalf("PUT after the filler was removed: %v", err)
	}

	verify := func(when string) {
		t.Helper()
		for key, want := range objects {
			o, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String(key)})
			if err != nil {
				t.Errorf("%s: GET %s: %v", when, key, err)
				continue
			}
			h := sha256.New()
			io.Copy(h, o.Body)
			o.Body.Close()
			if got := [32]byte(h.Sum(nil)); got != want {
				t.Errorf("%s: GET %s: body differs from the one answered 200", when, key)
			}
		}
		for i, want := range items {
			o, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("full"), ConsistentRead: aws.Bool(true),
				Key: map[string]types.AttributeValue{"pk": ddbS("item"), "sk": ddbN(i)}})
			if err != nil {
				t.Errorf("%s: GetItem %d: %v", when, i, err)
				continue
			}
			if v, ok := o.Item["v"].(*types.AttributeValueMemberS); !ok || v.Value != want {
				t.Errorf("%s: item %d is not the one acknowledged", when, i)
			}
		}
		for _, key := range []string{"while-full", fmt.Sprintf("obj/%02d", n-1)} {
			if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("full"), Key: aws.String(key)}); err == nil {
				t.Errorf("%s: %s, whose PUT failed, exists", when, key)
			}
		}
	}
	verify("healed")
	var errLines []string
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 || !strings.Contains(errLines[0], data) || !strings.Contains(errLines[0], "full") {
		t.Errorf("ERROR lines: %q, want one naming %s as full", errLines, data)
	}

	f.stop()
	f = start(t, data)
	s3c = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.URL), UsePathStyle: true, Credentials: creds})
	ddb = dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.URL), Credentials: creds})
	verify("restarted")
}

// fillDisk writes name until its file system is full.
func fillDisk(t *testing.T, name string) {
	t.Helper()
	fd, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := fd.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}
