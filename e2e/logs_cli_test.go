package e2e

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// CloudWatch Logs through both CLI generations: groups, streams, put-log-events,
// get-log-events and filter-log-events with filter patterns.
func TestLogsCLI(t *testing.T) {
	f := start(t, "")
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.bin)
			group := "/aws/lambda/cli-" + c.name
			aws := func(args ...string) (string, string, int) {
				return f.run(t, nil, c.bin, append([]string{"--endpoint-url", f.URL, "--output", "json", "logs"}, args...)...)
			}
			mustRun := func(args ...string) string {
				out, errOut, code := aws(args...)
				if code != 0 {
					t.Fatalf("logs %s: exit %d: %s", args[0], code, errOut)
				}
				return out
			}
			mustRun("create-log-group", "--log-group-name", group)
			_, errOut, code := aws("create-log-group", "--log-group-name", group)
			if code == 0 || !strings.Contains(errOut, "ResourceAlreadyExistsException") {
				t.Errorf("second create-log-group: exit %d, %s", code, errOut)
			}
			mustRun("create-log-stream", "--log-group-name", group, "--log-stream-name", "s1")
			now := time.Now().UnixMilli()
			events := fmt.Sprintf(`[{"timestamp":%d,"message":"START RequestId: 1"},{"timestamp":%d,"message":"[ERROR] boom"},`+
				`{"timestamp":%d,"message":"{\"level\":\"ERROR\",\"ms\":42}"},{"timestamp":%d,"message":"END RequestId: 1"}]`, now, now+1, now+2, now+3)
			mustRun("put-log-events", "--log-group-name", group, "--log-stream-name", "s1", "--log-events", events)

			var got struct {
				Events []struct {
					Message, LogStreamName, EventId string
					Timestamp                       int64
				}
			}
			json.Unmarshal([]byte(mustRun("filter-log-events", "--log-group-name", group)), &got)
			if len(got.Events) != 4 || got.Events[0].Message != "START RequestId: 1" || got.Events[3].Message != "END RequestId: 1" || got.Events[0].LogStreamName != "s1" {
				t.Errorf("filter-log-events: %+v", got.Events)
			}
			got.Events = nil
			json.Unmarshal([]byte(mustRun("filter-log-events", "--log-group-name", group, "--filter-pattern", `{ $.level = "ERROR" }`)), &got)
			if len(got.Events) != 1 || !strings.Contains(got.Events[0].Message, `"ms":42`) {
				t.Errorf("JSON pattern: %+v", got.Events)
			}
			got.Events = nil
			json.Unmarshal([]byte(mustRun("filter-log-events", "--log-group-name", group, "--filter-pattern", "?START ?END")), &got)
			if len(got.Events) != 2 {
				t.Errorf("?START ?END: %+v", got.Events)
			}
			got.Events = nil
			json.Unmarshal([]byte(mustRun("get-log-events", "--log-group-name", group, "--log-stream-name", "s1", "--start-from-head", "--limit", "2")), &got)
			if len(got.Events) != 2 || got.Events[1].Message != "[ERROR] boom" {
				t.Errorf("get-log-events: %+v", got.Events)
			}
			_, errOut, code = aws("filter-log-events", "--log-group-name", "/nope")
			if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") || !strings.Contains(errOut, "The specified log group does not exist.") {
				t.Errorf("filter-log-events of a missing group: exit %d, %s", code, errOut)
			}
			mustRun("delete-log-group", "--log-group-name", group)
		})
	}
}

// aws logs tail (a CLI v2 command: it pages FilterLogEvents) shows the
// events, and with --follow keeps polling and shows the ones put later.
func TestLogsTailCLI(t *testing.T) {
	need(t, "/usr/bin/aws")
	f := start(t, "")
	run := func(args ...string) string {
		// Debian's CLI 2.9 reads no AWS_ENDPOINT_URL.
		out, errOut, code := f.run(t, nil, "/usr/bin/aws", append([]string{"--endpoint-url", f.URL}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	run("logs", "create-log-group", "--log-group-name", "/tail")
	run("logs", "create-log-stream", "--log-group-name", "/tail", "--log-stream-name", "one")
	put := func(msg string) {
		run("logs", "put-log-events", "--log-group-name", "/tail", "--log-stream-name", "one",
			"--log-events", fmt.Sprintf(`[{"timestamp":%d,"message":%q}]`, time.Now().UnixMilli(), msg))
	}
	put("first line")
	put("second line")
	out := run("logs", "tail", "/tail")
	if !strings.Contains(out, "one first line") || !strings.Contains(out, "one second line") ||
		strings.Index(out, "first line") > strings.Index(out, "second line") {
		t.Errorf("logs tail:\n%s", out)
	}

	cmd := exec.Command("/usr/bin/aws", "--endpoint-url", f.URL, "logs", "tail", "/tail", "--follow", "--format", "short")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL="+f.URL, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// waitFor reads lines until one contains want; every line is kept.
	var seen []string
	waitFor := func(want string) {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("tail --follow ended; it printed %q", seen)
				}
				seen = append(seen, l)
				if strings.Contains(l, want) {
					return
				}
			case <-deadline:
				t.Fatalf("tail --follow did not print %q; it printed %q", want, seen)
			}
		}
	}
	waitFor("second line")
	put("third line")
	waitFor("third line")
	n := 0
	for _, l := range seen {
		if strings.Contains(l, "second line") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("tail --follow printed 'second line' %d times: %q", n, seen)
	}
}

// The must-show: a function's invocation writes START, its prints, END
// and REPORT to /aws/lambda/<name>, which filter-log-events and logs tail show.
func TestLambdaLogsCLI(t *testing.T) {
	need(t, "aws")
	f := start(t, "")
	dir := t.TempDir()
	zipPath := dir + "/function.zip"
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("helloworld.py")
	w.Write([]byte("def handler(event, context):\n    print('hello from the handler')\n    return {'ok': True}\n"))
	zw.Close()
	zf.Close()
	run := func(bin string, args ...string) string {
		out, errOut, code := f.run(t, nil, bin, append([]string{"--endpoint-url", f.URL}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	run("aws", "lambda", "create-function", "--function-name", "helloworld", "--zip-file", "fileb://"+zipPath,
		"--role", "arn:aws:iam::000000000000:role/r", "--handler", "helloworld.handler", "--runtime", "python3.12")
	run("aws", "lambda", "invoke", "--function-name", "helloworld", dir+"/out.json")
	// Lambda hands its lines to Logs in the background: poll a little.
	var out string
	for i := 0; i < 50; i++ {
		out = run("aws", "--output", "text", "logs", "filter-log-events", "--log-group-name", "/aws/lambda/helloworld")
		if strings.Contains(out, "REPORT RequestId:") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range []string{"START RequestId:", "hello from the handler", "END RequestId:", "REPORT RequestId:", "Billed Duration:"} {
		if !strings.Contains(out, want) {
			t.Errorf("filter-log-events lacks %q:\n%s", want, out)
		}
	}
	if _, err := exec.LookPath("/usr/bin/aws"); err == nil {
		tail := run("/usr/bin/aws", "logs", "tail", "/aws/lambda/helloworld")
		for _, want := range []string{"START RequestId:", "hello from the handler", "REPORT RequestId:"} {
			if !strings.Contains(tail, want) {
				t.Errorf("logs tail lacks %q:\n%s", want, tail)
			}
		}
	}
}
