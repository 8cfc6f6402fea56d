package lambda_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// Each invocation writes START, the handler's output, END and REPORT to
// /aws/lambda/<name>, in a stream per environment named as AWS names them.
func TestInvokeLogsToCloudWatch(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	cw := cloudwatchlogs.NewFromConfig(srv.Config)
	fn(t, c, "logged", types.RuntimePython312, "app.handler", 3, map[string]string{"app.py": `print("module loaded")
def handler(e, c):
    print("handling", e["n"])
    return e["n"]
`})
	first := invoke(t, c, "logged", `{"n": 1}`)
	invoke(t, c, "logged", `{"n": 2}`)
	want := []string{"module loaded", "START RequestId: ", "handling 1", "END RequestId: ", "REPORT RequestId: ", "START RequestId: ", "handling 2", "END RequestId: ", "REPORT RequestId: "}
	var msgs []string
	var streams map[string]bool
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := cw.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/logged")})
		if err != nil {
			continue // the group appears with the first batch
		}
		msgs, streams = nil, map[string]bool{}
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
			streams[aws.ToString(e.LogStreamName)] = true
		}
		if len(msgs) >= len(want) {
			break
		}
	}
	if len(msgs) != len(want) {
		t.Fatalf("log events:\n%s", strings.Join(msgs, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(msgs[i], w) {
			t.Errorf("event %d = %q, want it to begin %q", i, msgs[i], w)
		}
	}
	if !strings.Contains(msgs[4], "Init Duration: ") || strings.Contains(msgs[8], "Init Duration") {
		t.Errorf("Init Duration on the cold start only:\n%s\n%s", msgs[4], msgs[8])
	}
	if !strings.Contains(logTail(t, first), msgs[4]) {
		t.Errorf("the tail and the log group disagree")
	}
	streamRE := regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`)
	for s := range streams {
		if !streamRE.MatchString(s) || len(streams) != 1 {
			t.Errorf("streams %v: want one, named as AWS names them", streams)
		}
	}
}
