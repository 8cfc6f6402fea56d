package lambda_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// FOGBANK_DEBUG_PORT: Node's inspector listens on the chosen port while the
// environment lives, and the function's timeout is suspended (a 1 s function
// that takes 2 s answers); a function without it is unaffected.
func TestDebugger(t *testing.T) {
	needProgram(t, "node")
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	code := map[string]string{"index.js": "exports.handler = async () => { await new Promise(r => setTimeout(r, 2000)); return 'slow'; };\n"}
	for _, name := range []string{"debugged", "plain"} {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: types.RuntimeNodejs20x, Role: aws.String(role),
			Handler: aws.String("index.handler"), Timeout: aws.Int32(1), Code: &types.FunctionCode{ZipFile: zipOf(t, code)}}
		if name == "debugged" {
			in.Environment = &types.Environment{Variables: map[string]string{"FOGBANK_DEBUG_PORT": strconv.Itoa(port)}}
		}
		if _, err := c.CreateFunction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	out := invoke(t, c, "debugged", "")
	if out.FunctionError != nil || string(out.Payload) != `"slow"` {
		t.Errorf("debugged: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if logs := logTail(t, out); !strings.Contains(logs, "Debugger listening on ws://127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("no inspector in the log:\n%s", logs)
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/json/list")
	if err != nil {
		t.Fatalf("the inspector is not there: %v", err)
	}
	var targets []struct{ WebSocketDebuggerURL string }
	json.NewDecoder(resp.Body).Decode(&targets)
	resp.Body.Close()
	if len(targets) != 1 || !strings.HasPrefix(targets[0].WebSocketDebuggerURL, "ws://127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("inspector targets %+v", targets)
	}
	out = invoke(t, c, "plain", "")
	if !strings.Contains(string(out.Payload), "Task timed out after 1.00 seconds") {
		t.Errorf("plain: %s", out.Payload)
	}
}
