// A Lambda handler built with aws-lambda-go, run by the tests as a
// provided.al2023 bootstrap (and as a go1.x handler).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Name string `json:"name"`
	Fail bool   `json:"fail"`
}

type result struct {
	Greeting    string `json:"greeting"`
	RequestID   string `json:"request_id"`
	ARN         string `json:"arn"`
	Function    string `json:"function"`
	HasDeadline bool   `json:"has_deadline"`
}

func handle(ctx context.Context, e event) (result, error) {
	if e.Fail {
		return result{}, errors.New("asked to fail")
	}
	lc, _ := lambdacontext.FromContext(ctx)
	_, dl := ctx.Deadline()
	fmt.Println("hello from go")
	return result{Greeting: "hello " + e.Name, RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn,
		Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), HasDeadline: dl}, nil
}

func main() { lambda.Start(handle) }
