package e2e

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func lambdaClient(f *fogbank) *lambda.Client {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.Retryer = oneAttempt() })
}

// writeZip writes a zip of name → content to path.
func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	zf, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for name, body := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zf.Close()
}

// kill -9 fogbank right after 100 asynchronous invocations were accepted
// (202); after a restart on the same data, every one of them runs (at least
// once: one cut short by the kill runs again).
func TestLambdaAsyncKill9(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "runs")
	f := start(t, dir)
	c := lambdaClient(f)
	ctx := context.Background()
	code := "import os, time\n" +
		"def handler(event, context):\n" +
		"    time.sleep(0.05)\n" +
		"    with open(os.environ['OUT'], 'a') as f:\n" +
		"        f.write('%d\\n' % event['n'])\n"
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	writeZip(t, zipPath, map[string]string{"app.py": code})
	zipBytes, _ := os.ReadFile(zipPath)
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("durable"), Runtime: ltypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("app.handler"),
		Code: &ltypes.FunctionCode{ZipFile: zipBytes}, Environment: &ltypes.Environment{Variables: map[string]string{"OUT": out}}})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 100 {
		res, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("durable"), InvocationType: ltypes.InvocationTypeEvent,
			Payload: []byte(fmt.Sprintf(`{"n": %d}`, n))})
		if err != nil || res.StatusCode != 202 {
			t.Fatalf("invoke %d: %v", n, err)
		}
	}
	f.cmd.Process.Kill()
	f.cmd.Wait()
	before := runsOf(out)
	t.Logf("%d of 100 had run before the kill", len(before))
	if len(before) == 100 {
		t.Fatal("all 100 had run before the kill: the test shows nothing (make the handler slower)")
	}

	restarted := time.Now()
	f2 := start(t, dir)
	deadline := time.Now().Add(120 * time.Second)
	for {
		got := runsOf(out)
		if len(got) == 100 {
			t.Logf("all 100 ran %v after the restart began", time.Since(restarted).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			var missing []int
			for n := range 100 {
				if !got[n] {
					missing = append(missing, n)
				}
			}
			f2.stop()
			<-f2.logsDone
			t.Fatalf("after the restart, %d of 100 ran; missing %v\n%s", len(got), missing, f2.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runsOf reads the distinct numbers the handler wrote.
func runsOf(path string) map[int]bool {
	b, _ := os.ReadFile(path)
	got := map[int]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		var n int
		if _, err := fmt.Sscan(l, &n); err == nil {
			got[n] = true
		}
	}
	return got
}

// The pipeline through the CLI: an upload to a bucket with a Lambda
// notification runs a Python function which writes the key and size to
// DynamoDB with plain boto3 (no endpoint in the handler); the item appears.
func TestLambdaS3ToDynamoDBCLI(t *testing.T) {
	need(t, "aws")
	f := start(t, "")
	dir := t.TempDir()
	run := func(args ...string) string {
		out, errOut, code := f.run(t, nil, "aws", append([]string{"--output", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	handler := "import boto3, urllib.parse\n" +
		"table = boto3.resource('dynamodb').Table('uploads')\n" +
		"def handler(event, context):\n" +
		"    for r in event['Records']:\n" +
		"        key = urllib.parse.unquote_plus(r['s3']['object']['key'])\n" +
		"        table.put_item(Item={'key': key, 'size': r['s3']['object']['size'], 'bucket': r['s3']['bucket']['name']})\n"
	writeZip(t, filepath.Join(dir, "function.zip"), map[string]string{"ingest.py": handler})
	run("dynamodb", "create-table", "--table-name", "uploads", "--attribute-definitions", "AttributeName=key,AttributeType=S",
		"--key-schema", "AttributeName=key,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
	run("lambda", "create-function", "--function-name", "ingest", "--zip-file", "fileb://"+filepath.Join(dir, "function.zip"),
		"--role", "arn:aws:iam::000000000000:role/r", "--handler", "ingest.handler", "--runtime", "python3.12", "--timeout", "30")
	run("lambda", "add-permission", "--function-name", "ingest", "--statement-id", "s3", "--action", "lambda:InvokeFunction",
		"--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::drop")
	run("s3api", "create-bucket", "--bucket", "drop")
	// A function that does not exist is refused, as on AWS.
	_, errOut, code := f.run(t, nil, "aws", "s3api", "put-bucket-notification-configuration", "--bucket", "drop", "--notification-configuration",
		`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":"arn:aws:lambda:us-east-1:000000000000:function:nope","Events":["s3:ObjectCreated:*"]}]}`)
	if code == 0 || !strings.Contains(errOut, "InvalidArgument") || !strings.Contains(errOut, "Unable to validate the following destination configurations") {
		t.Errorf("notification to a missing function: exit %d, %s", code, errOut)
	}
	run("s3api", "put-bucket-notification-configuration", "--bucket", "drop", "--notification-configuration",
		`{"LambdaFunctionConfigurations":[{"Id":"ingest","LambdaFunctionArn":"arn:aws:lambda:us-east-1:000000000000:function:ingest",`+
			`"Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":".csv"}]}}}]}`)
	os.WriteFile(filepath.Join(dir, "data.csv"), []byte("a,b\n1,2\n"), 0o644)
	run("s3", "cp", filepath.Join(dir, "data.csv"), "s3://drop/in/data file.csv")
	run("s3", "cp", filepath.Join(dir, "data.csv"), "s3://drop/in/skipped.txt")

	var item struct {
		Item map[string]map[string]string
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		item.Item = nil
		json.Unmarshal([]byte(run("dynamodb", "get-item", "--table-name", "uploads", "--key", `{"key":{"S":"in/data file.csv"}}`)), &item)
		if item.Item != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if item.Item == nil || item.Item["size"]["N"] != "8" || item.Item["bucket"]["S"] != "drop" {
		logs, _, _ := f.run(t, nil, "aws", "logs", "filter-log-events", "--log-group-name", "/aws/lambda/ingest")
		t.Fatalf("item: %+v\nfunction logs: %s", item.Item, logs)
	}
	var scan struct{ Count int }
	json.Unmarshal([]byte(run("dynamodb", "scan", "--table-name", "uploads", "--select", "COUNT")), &scan)
	if scan.Count != 1 {
		t.Errorf("%d items, want 1 (the .txt upload does not match the filter)", scan.Count)
	}
}

// POST /_fogbank/reset (all state, then Lambda's alone) while asynchronous
// invocations are queued and running: the reset answers at once, the running
// handlers' processes and directories are gone, the queued events never run,
// and events accepted after the reset run (the consumers were not lost).
func TestLambdaResetWithAsyncQueued(t *testing.T) {
	f := start(t, "")
	c := lambdaClient(f)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "runs")
	code := "import os, time\n" +
		"def handler(event, context):\n" +
		"    with open(os.environ['OUT'], 'a') as f:\n" +
		"        f.write('start %d %d %s\\n' % (event['n'], os.getpid(), os.getcwd()))\n" +
		"    time.sleep(event['sleep'])\n" +
		"    with open(os.environ['OUT'], 'a') as f:\n" +
		"        f.write('done %d\\n' % event['n'])\n"
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	writeZip(t, zipPath, map[string]string{"app.py": code})
	zipBytes, _ := os.ReadFile(zipPath)
	create := func() {
		t.Helper()
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("sleepy"), Runtime: ltypes.RuntimePython312,
			Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("app.handler"), Timeout: aws.Int32(60),
			Code: &ltypes.FunctionCode{ZipFile: zipBytes}, Environment: &ltypes.Environment{Variables: map[string]string{"OUT": out}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	invoke := func(n int, sleep float64) {
		t.Helper()
		res, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("sleepy"), InvocationType: ltypes.InvocationTypeEvent,
			Payload: []byte(fmt.Sprintf(`{"n": %d, "sleep": %g}`, n, sleep))})
		if err != nil || res.StatusCode != 202 {
			t.Fatalf("invoke %d: %v", n, err)
		}
	}
	lines := func() []string {
		b, _ := os.ReadFile(out)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	waitFor := func(what string, ok func([]string) bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !ok(lines()) {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s; the handler wrote:\n%s", what, strings.Join(lines(), "\n"))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for round, reset := range []string{"/_fogbank/reset", "/_fogbank/reset?service=lambda"} {
		base := (round + 1) * 1000
		create()
		for i := range 40 {
			invoke(base+i, 30)
		}
		// Until at least two run (each in its own environment).
		waitFor("two handlers running", func(ls []string) bool {
			n := 0
			for _, l := range ls {
				var k int
				if _, err := fmt.Sscanf(l, "start %d", &k); err == nil && k >= base && k < base+100 {
					n++
				}
			}
			return n >= 2
		})
		hc := &http.Client{Timeout: 10 * time.Second}
		began := time.Now()
		resp, err := hc.Post(f.URL+reset, "", nil)
		if err != nil {
			t.Fatalf("%s with async invocations running: %v", reset, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", reset, resp.Status)
		}
		t.Logf("%s answered in %v", reset, time.Since(began).Round(time.Millisecond))
		// The running handlers' processes and directories are gone.
		deadline := time.Now().Add(5 * time.Second)
		for _, l := range lines() {
			var n, pid int
			var dir string
			if _, err := fmt.Sscanf(l, "start %d %d %s", &n, &pid, &dir); err != nil || n < base || n >= base+100 {
				continue
			}
			for syscall.Kill(pid, 0) == nil || dirExists(dir) {
				if time.Now().After(deadline) {
					t.Fatalf("after %s, the runtime %d of event %d still runs (or its task root %s is still there)", reset, pid, n, dir)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		seen := len(lines())
		// Events accepted after the reset run.
		create()
		for i := range 5 {
			invoke(base+500+i, 0)
		}
		waitFor("the events accepted after the reset", func(ls []string) bool {
			n := 0
			for _, l := range ls {
				var k int
				if _, err := fmt.Sscanf(l, "done %d", &k); err == nil && k >= base+500 && k < base+505 {
					n++
				}
			}
			return n == 5
		})
		// No event queued before the reset ran after it.
		for _, l := range lines()[seen:] {
			var k int
			if _, err := fmt.Sscanf(l, "start %d", &k); err == nil && k >= base && k < base+100 {
				t.Errorf("event %d, queued before %s, ran after it", k, reset)
			}
		}
		if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("sleepy")}); err != nil {
			t.Fatal(err)
		}
	}
}

func dirExists(dir string) bool {
	_, err := os.Stat(dir)
	return err == nil
}

// kill -9 of fogbank ends its runtimes (they die with it) but not what their
// handlers left running in sessions of their own; the next fogbank kills
// those.
func TestLambdaKill9LeavesNoOrphans(t *testing.T) {
	f := start(t, "")
	c := lambdaClient(f)
	ctx := context.Background()
	pidfile := filepath.Join(t.TempDir(), "pid")
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	writeZip(t, zipPath, map[string]string{"app.py": "import subprocess\n" +
		"def handler(event, context):\n" +
		"    p = subprocess.Popen(['sleep', '300'], start_new_session=True)\n" +
		"    open(event['pidfile'], 'w').write(str(p.pid))\n" +
		"    return p.pid\n"})
	zipBytes, _ := os.ReadFile(zipPath)
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("leaver"), Runtime: ltypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("app.handler"), Code: &ltypes.FunctionCode{ZipFile: zipBytes}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("leaver"), Payload: []byte(`{"pidfile": "` + pidfile + `"}`)})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("invoke: %v", err)
	}
	b, _ := os.ReadFile(pidfile)
	var pid int
	fmt.Sscan(string(b), &pid)
	f.cmd.Process.Kill()
	f.cmd.Wait()
	time.Sleep(200 * time.Millisecond)
	if pid == 0 || syscall.Kill(pid, 0) != nil {
		t.Fatalf("the handler's child %d did not outlive the kill: the test shows nothing", pid)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	start(t, "")
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the orphan %d still runs after the next fogbank started", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
