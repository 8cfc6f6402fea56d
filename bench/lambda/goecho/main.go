// An echo handler built with aws-lambda-go, for bench/lambda.sh's provided.al2023 figures.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, e json.RawMessage) (json.RawMessage, error) { return e, nil })
}
