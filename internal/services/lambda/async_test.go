package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/fogbanktest"
)

// recorder is a Python handler that appends each event it gets to the file
// $OUT (one JSON line), and fails when the event says so.
const recorder = `import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(event) + "\n")
    if isinstance(event, dict) and event.get("fail"):
        raise RuntimeError("asked to fail")
    return {"seen": event}
`

func recorderFn(t *testing.T, c *lambda.Client, name, out string) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": recorder})},
		Timeout: aws.Int32(10), Environment: &types.Environment{Variables: map[string]string{"OUT": out}},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// lines waits until path holds at least n lines (60 s at most) and returns them.
func lines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		ls := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(b) == 0 {
			ls = nil
		}
		if len(ls) >= n || time.Now().After(deadline) {
			return ls
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAsyncInvokeRetriesAndDestinations(t *testing.T) {
	t.Setenv("FOGBANK_LAMBDA_RETRY_DELAY", "200ms")
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	dir := t.TempDir()
	recorderFn(t, c, "worker", filepath.Join(dir, "worker"))
	recorderFn(t, c, "failures", filepath.Join(dir, "failures"))
	recorderFn(t, c, "successes", filepath.Join(dir, "successes"))

	_, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("worker")})
	wantCode(t, err, "ResourceNotFoundException", "The function arn:aws:lambda:us-east-1:000000000000:function:worker:$LATEST doesn't have an EventInvokeConfig")
	cfg, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("worker"),
		DestinationConfig: &types.DestinationConfig{
			OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:failures")},
			OnSuccess: &types.OnSuccess{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:successes")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:worker:$LATEST" || cfg.MaximumRetryAttempts != nil || cfg.LastModified == nil {
		t.Errorf("put config: %+v", cfg)
	}

	// Success: one run, then the success destination gets the record.
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("worker"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"n": 1}`)})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("Event invoke: %v %+v", err, out)
	}
	succ := lines(t, filepath.Join(dir, "successes"), 1)
	var rec struct {
		Version        string
		RequestContext struct {
			Condition              string
			ApproximateInvokeCount int
			FunctionArn            string
		}
		RequestPayload  map[string]any
		ResponseContext struct{ StatusCode int }
		ResponsePayload map[string]any
	}
	if len(succ) != 1 || json.Unmarshal([]byte(succ[0]), &rec) != nil || rec.Version != "1.0" || rec.RequestContext.Condition != "Success" ||
		rec.RequestContext.ApproximateInvokeCount != 1 || rec.RequestPayload["n"] != float64(1) || rec.ResponseContext.StatusCode != 200 || rec.ResponsePayload["seen"] == nil {
		t.Errorf("success record: %q", succ)
	}

	// Failure: the first run and 2 retries, then the failure destination.
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("worker"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"fail": true}`)}); err != nil {
		t.Fatal(err)
	}
	fails := lines(t, filepath.Join(dir, "failures"), 1)
	if len(fails) != 1 || json.Unmarshal([]byte(fails[0]), &rec) != nil || rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 {
		t.Errorf("failure record: %q", fails)
	}
	if runs := lines(t, filepath.Join(dir, "worker"), 4); len(runs) != 4 {
		t.Errorf("worker ran %d times, want 1 + 3: %q", len(runs), runs)
	}

	// MaximumRetryAttempts 0: one run only.
	if _, err := c.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("worker"), MaximumRetryAttempts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("worker")})
	if err != nil || aws.ToInt32(got.MaximumRetryAttempts) != 0 || got.DestinationConfig.OnFailure.Destination == nil {
		t.Fatalf("after update: %v %+v", err, got)
	}
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("worker"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"fail": "once"}`)}); err != nil {
		t.Fatal(err)
	}
	fails = lines(t, filepath.Join(dir, "failures"), 2)
	if len(fails) != 2 || json.Unmarshal([]byte(fails[1]), &rec) != nil || rec.RequestContext.ApproximateInvokeCount != 1 {
		t.Errorf("failure record with no retries: %q", fails)
	}
	if runs := lines(t, filepath.Join(dir, "worker"), 5); len(runs) != 5 {
		t.Errorf("worker ran %d times, want 5", len(runs))
	}

	list, err := c.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("worker")})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 {
		t.Errorf("list: %v %+v", err, list)
	}
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("worker"), MaximumRetryAttempts: aws.Int32(5)})
	wantCode(t, err, "ValidationException", "")
	if _, err := c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("worker")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("worker")})
	wantCode(t, err, "ResourceNotFoundException", "doesn't have an EventInvokeConfig")
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("nope"), MaximumRetryAttempts: aws.Int32(1)})
	wantCode(t, err, "ResourceNotFoundException", "Function not found")

	// An async payload over 256 KB is refused.
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("worker"), InvocationType: types.InvocationTypeEvent,
		Payload: append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 262144)...), '"', '}')})
	wantCode(t, err, "RequestTooLargeException", "")
}

// A bucket's LambdaFunctionConfigurations deliver the S3 record, honouring
// event types and prefix/suffix filters; a missing function is refused.
func TestS3TriggersLambda(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	sc := s3.NewFromConfig(srv.Config, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	dir := t.TempDir()
	recorderFn(t, c, "ingest", filepath.Join(dir, "ingest"))
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatal(err)
	}
	conf := func(arn string) error {
		_, err := sc.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
			NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				Id: aws.String("csv-in"), LambdaFunctionArn: aws.String(arn), Events: []s3types.Event{"s3:ObjectCreated:*"},
				Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
					{Name: s3types.FilterRuleNamePrefix, Value: aws.String("in/")}, {Name: s3types.FilterRuleNameSuffix, Value: aws.String(".csv")}}}},
			}}}})
		return err
	}
	err := conf("arn:aws:lambda:us-east-1:000000000000:function:missing")
	var ae smithy.APIError
	if !errorsAs(err, &ae) || ae.ErrorCode() != "InvalidArgument" || ae.ErrorMessage() != "Unable to validate the following destination configurations" {
		t.Fatalf("missing function: %v", err)
	}
	if err := conf("arn:aws:lambda:us-east-1:000000000000:function:ingest"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"in/a.csv", "in/b.txt", "other/c.csv", "in/sub/d.csv"} {
		if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String(k), Body: strings.NewReader("1,2,3\n")}); err != nil {
			t.Fatal(err)
		}
	}
	got := lines(t, filepath.Join(dir, "ingest"), 2)
	time.Sleep(500 * time.Millisecond) // nothing else should come
	got = lines(t, filepath.Join(dir, "ingest"), 0)
	var keys []string
	for _, l := range got {
		var ev struct {
			Records []struct {
				EventSource, EventName, AwsRegion string
				S3                                struct {
					ConfigurationId string
					Bucket          struct{ Name, Arn string }
					Object          struct {
						Key  string
						Size int64
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil || len(ev.Records) != 1 {
			t.Fatalf("event %q: %v", l, err)
		}
		r := ev.Records[0]
		if r.EventSource != "aws:s3" || r.EventName != "ObjectCreated:Put" || r.AwsRegion != "us-east-1" || r.S3.ConfigurationId != "csv-in" ||
			r.S3.Bucket.Name != "uploads" || r.S3.Bucket.Arn != "arn:aws:s3:::uploads" || r.S3.Object.Size != 6 {
			t.Errorf("record %+v", r)
		}
		keys = append(keys, r.S3.Object.Key)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "in/a.csv,in/sub/d.csv" {
		t.Errorf("keys delivered: %v", keys)
	}
}

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

// DeadLetterConfig is recorded and answered; only SQS and SNS ARNs are taken.
func TestDeadLetterConfig(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	recorderFn(t, c, "dl", filepath.Join(t.TempDir(), "out"))
	q := "arn:aws:sqs:us-east-1:000000000000:dlq"
	out, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("dl"),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String(q)}})
	if err != nil {
		t.Fatal(err)
	}
	if out.DeadLetterConfig == nil || aws.ToString(out.DeadLetterConfig.TargetArn) != q {
		t.Errorf("DeadLetterConfig %+v", out.DeadLetterConfig)
	}
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("dl")})
	if err != nil || got.DeadLetterConfig == nil || aws.ToString(got.DeadLetterConfig.TargetArn) != q {
		t.Errorf("read back: %v %+v", err, got)
	}
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("dl"),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String("arn:aws:s3:::bucket")}})
	wantCode(t, err, "InvalidParameterValueException", "The provided target arn is invalid")
	out, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("dl"),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String("")}})
	if err != nil || out.DeadLetterConfig != nil {
		t.Errorf("removing: %v %+v", err, out.DeadLetterConfig)
	}
}
