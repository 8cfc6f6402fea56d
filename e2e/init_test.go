package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// --init-dir with LocalStack's ready.d layout: the scripts run in name order
// once fogbank answers, and the health endpoint says ready only after the last
// one. The first creates a bucket and a table with the AWS CLI: both exist at
// the first moment /_localstack/health answers 200. The second fails: it is
// logged at ERROR with its exit code, and the third still runs.
func TestInitScriptsBeforeReady(t *testing.T) {
	need(t, "aws")
	dir := t.TempDir()
	rd := filepath.Join(dir, "ready.d")
	os.Mkdir(rd, 0o755)
	write := func(name, body string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(rd, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	// Not executable: run with sh.
	write("10-create.sh", `set -e
aws s3 mb s3://init-bucket
aws dynamodb create-table --table-name init-table \
  --attribute-definitions AttributeName=pk,AttributeType=S \
  --key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
echo "created bucket and table at $AWS_ENDPOINT_URL"
`, 0o644)
	write("20-fail.sh", "echo about to fail >&2\nexit 3\n", 0o644)
	// Executable, with its own interpreter line.
	write("30-after", "#!/bin/sh\naws s3 mb s3://after-failure\n", 0o755)
	write("notes.txt", "not a script: skipped\n", 0o644)

	f, ready := launch(t, "", "--init-dir", dir)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ddb := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()

	notReady := 0
	deadline := time.Now().Add(120 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 120 s (%d answers 503)", notReady)
		}
		resp, err := http.Get(f.URL + "/_localstack/health")
		if err != nil { // not listening yet
			time.Sleep(10 * time.Millisecond)
			continue
		}
		var h struct {
			Ready bool `json:"ready"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && !h.Ready {
			notReady++
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if resp.StatusCode != http.StatusOK || !h.Ready {
			t.Fatalf("health: %d, ready %v", resp.StatusCode, h.Ready)
		}
		break
	}
	// Ready: everything the scripts made is there now.
	out, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	if !slices.Equal(names, []string{"after-failure", "init-bucket"}) {
		t.Errorf("buckets when ready: %v, want [after-failure init-bucket]", names)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("init-table")}); err != nil {
		t.Errorf("table when ready: %v", err)
	}
	if notReady == 0 {
		t.Errorf("health never answered 503 while the scripts ran")
	}
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Errorf(`no "fogbank ready" line after the health endpoint said ready`)
	}

	// LocalStack's view of the scripts.
	resp, err := http.Get(f.URL + "/_localstack/init/ready")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Completed bool `json:"completed"`
		Scripts   []struct{ Stage, Name, State string }
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	got := []string{}
	for _, s := range st.Scripts {
		got = append(got, s.Stage+" "+s.Name+" "+s.State)
	}
	want := []string{"READY 10-create.sh SUCCESSFUL", "READY 20-fail.sh ERROR", "READY 30-after SUCCESSFUL"}
	if !st.Completed || !slices.Equal(got, want) {
		t.Errorf("init/ready: completed %v, scripts %q; want true, %q", st.Completed, got, want)
	}

	f.stop()
	<-f.logsDone
	logs := f.logs.String()
	for _, re := range []string{
		`level=INFO msg="init script output" script=10-create.sh line="created bucket and table at http://127\.0\.0\.1:\d+"`,
		`level=INFO msg="init script output" script=20-fail.sh line="about to fail"`,
		`level=ERROR msg="init script failed" script=\S+/ready.d/20-fail.sh exit_code=3`,
		`msg="init scripts finished" dir=\S+ ran=3 failed=1`,
	} {
		if !regexp.MustCompile(re).MatchString(logs) {
			t.Errorf("log has no line matching %s:\n%s", re, logs)
		}
	}
	if strings.Contains(logs, "notes.txt") {
		t.Errorf("notes.txt (not executable, not .sh or .py) was run:\n%s", logs)
	}
	// The ready line comes after the last script.
	if i, j := strings.Index(logs, "init scripts finished"), strings.Index(logs, "fogbank ready"); i < 0 || j < i {
		t.Errorf(`"fogbank ready" at %d, before the scripts finished at %d`, j, i)
	}
}
