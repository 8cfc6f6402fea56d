package lambda_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// InvokeWithResponseStream through the SDK's event stream reader: the result
// as a PayloadChunk, then InvokeComplete; a failure in InvokeComplete.
func TestInvokeWithResponseStream(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	fn(t, c, "streamed", types.RuntimePython312, "app.handler", 10, map[string]string{"app.py": `def handler(event, context):
    print("handling", event.get("n"))
    if event.get("fail"):
        raise KeyError("boom")
    return {"n": event.get("n"), "text": "x" * 1000}
`})
	read := func(payload string) (chunks []string, done *types.InvokeWithResponseStreamCompleteEvent) {
		t.Helper()
		out, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("streamed"),
			Payload: []byte(payload), LogType: types.LogTypeTail})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ExecutedVersion) != "$LATEST" || out.StatusCode != 200 {
			t.Errorf("version %q status %d", aws.ToString(out.ExecutedVersion), out.StatusCode)
		}
		st := out.GetStream()
		defer st.Close()
		for ev := range st.Events() {
			switch ev := ev.(type) {
			case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
				chunks = append(chunks, string(ev.Value.Payload))
			case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
				v := ev.Value
				done = &v
			}
		}
		if err := st.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		return chunks, done
	}
	chunks, done := read(`{"n": 7}`)
	if strings.Join(chunks, "") != `{"n": 7, "text": "`+strings.Repeat("x", 1000)+`"}` || done == nil || done.ErrorCode != nil {
		t.Fatalf("chunks %q, complete %+v", chunks, done)
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(done.LogResult))
	if !strings.Contains(string(logs), "handling 7") || !strings.Contains(string(logs), "REPORT RequestId:") {
		t.Errorf("LogResult: %s", logs)
	}
	chunks, done = read(`{"fail": true}`)
	if len(chunks) != 0 || done == nil || aws.ToString(done.ErrorCode) != "KeyError" || aws.ToString(done.ErrorDetails) != "'boom'" {
		t.Errorf("a failure: chunks %q, complete %+v", chunks, done)
	}
	dry, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("streamed"),
		InvocationType: types.ResponseStreamingInvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun: %v %+v", err, dry)
	}
}
