package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	atypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// peakKiB is a process's peak resident set (VmHWM), from /proc.
func peakKiB(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	t.Fatalf("no VmHWM for %d", pid)
	return 0
}

// children lists a process's child processes (the SQL engine is fogbank's).
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
	}
	return out
}

// A query whose result is ten times larger streams to the result object
// without either process's memory following it: rows go from DuckDB to the
// CSV file as they come, and the file to S3 as a stream.
func TestAthenaLargeResultFlatMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc to read memory from")
	}
	need(t, "g++")
	f := start(t, "")
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	a := athena.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big-results")}); err != nil {
		t.Fatal(err)
	}
	run := func(rows int) (size int64, fogbankKiB, engineKiB int64) {
		t.Helper()
		q := "SELECT range AS id, md5(CAST(range AS varchar)) AS h, repeat('x', 50) AS pad FROM range(" + strconv.Itoa(rows) + ")"
		out, err := a.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String(q),
			ResultConfiguration: &atypes.ResultConfiguration{OutputLocation: aws.String("s3://big-results/q/")}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Minute)
		var e *atypes.QueryExecution
		for {
			g, err := a.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: out.QueryExecutionId})
			if err != nil {
				t.Fatal(err)
			}
			e = g.QueryExecution
			if st := e.Status.State; st != atypes.QueryExecutionStateQueued && st != atypes.QueryExecutionStateRunning {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("query still running")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if e.Status.State != atypes.QueryExecutionStateSucceeded {
			t.Fatalf("%s: %s", e.Status.State, aws.ToString(e.Status.StateChangeReason))
		}
		h, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("big-results"), Key: aws.String("q/" + *out.QueryExecutionId + ".csv")})
		if err != nil {
			t.Fatal(err)
		}
		// the last page is where NextToken says, without reading what is before
		r, err := a.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: out.QueryExecutionId, MaxResults: aws.Int32(2)})
		if err != nil || len(r.ResultSet.Rows) != 2 || aws.ToString(r.ResultSet.Rows[1].Data[0].VarCharValue) != "0" {
			t.Fatalf("first page: %+v %v", r, err)
		}
		kids := children(f.cmd.Process.Pid)
		if len(kids) != 1 {
			t.Fatalf("fogbank's children: %v, want the engine", kids)
		}
		return aws.ToInt64(h.ContentLength), peakKiB(t, f.cmd.Process.Pid), peakKiB(t, kids[0])
	}
	small, fb1, en1 := run(200_000)
	big, fb2, en2 := run(2_000_000)
	t.Logf("result %d MB: fogbank peak RSS %d MiB, engine %d MiB; result %d MB: fogbank %d MiB, engine %d MiB",
		small>>20, fb1>>10, en1>>10, big>>20, fb2>>10, en2>>10)
	if big < 9*small {
		t.Fatalf("results of %d and %d bytes: not ten times larger", small, big)
	}
	// Ten times the rows may not cost ten times the memory: a few MiB of
	// buffers and allocator noise is all either process may add.
	if fb2-fb1 > 24<<10 {
		t.Errorf("fogbank's peak grew %d MiB for a result %d MB larger", (fb2-fb1)>>10, (big-small)>>20)
	}
	if en2-en1 > 64<<10 {
		t.Errorf("the engine's peak grew %d MiB for a result %d MB larger", (en2-en1)>>10, (big-small)>>20)
	}
}
