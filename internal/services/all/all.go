// Package all is the list that makes the binary: every generated model, with the
// implementation where there is one (a model without one still answers 501
// NotImplemented for each operation) and the service's dialect where it departs
// from its protocols. Adding a service is one line in Models and, if it has a
// dialect, one in setDialects. Service packages register nothing themselves: their
// Impl and Dialect are static data, so a service nobody calls runs no code at start
// (internal/lint checks it).
package all

import (
	"sync"

	"github.com/fogbank/fogbank/internal/api/athena"
	"github.com/fogbank/fogbank/internal/api/ce"
	"github.com/fogbank/fogbank/internal/api/cloudwatch"
	"github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/api/dynamodbstreams"
	"github.com/fogbank/fogbank/internal/api/events"
	"github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/api/iam"
	"github.com/fogbank/fogbank/internal/api/kinesis"
	"github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/api/logs"
	"github.com/fogbank/fogbank/internal/api/redshiftdata"
	"github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/api/sns"
	"github.com/fogbank/fogbank/internal/api/sqs"
	"github.com/fogbank/fogbank/internal/api/sts"
	"github.com/fogbank/fogbank/internal/server"

	// The implementations (and, for services not written yet, their dialects).
	athenasvc "github.com/fogbank/fogbank/internal/services/athena"
	cloudwatchsvc "github.com/fogbank/fogbank/internal/services/cloudwatch"
	dynamodbsvc "github.com/fogbank/fogbank/internal/services/dynamodb"
	dynamodbstreamssvc "github.com/fogbank/fogbank/internal/services/dynamodbstreams"
	gluesvc "github.com/fogbank/fogbank/internal/services/glue"
	iamsvc "github.com/fogbank/fogbank/internal/services/iam"
	lambdasvc "github.com/fogbank/fogbank/internal/services/lambda"
	logssvc "github.com/fogbank/fogbank/internal/services/logs"
	s3svc "github.com/fogbank/fogbank/internal/services/s3"
	sqssvc "github.com/fogbank/fogbank/internal/services/sqs"
	stssvc "github.com/fogbank/fogbank/internal/services/sts"
)

// Models lists every service fogbank has the API model of.
func Models() []server.Model {
	dialects.Do(setDialects)
	return []server.Model{
		{Service: athena.Service, Unimplemented: athena.Unimplemented{}, Impl: &athenasvc.Impl},
		{Service: ce.Service, Unimplemented: ce.Unimplemented{}},
		{Service: cloudwatch.Service, Unimplemented: cloudwatch.Unimplemented{}},
		{Service: dynamodb.Service, Unimplemented: dynamodb.Unimplemented{}, Impl: &dynamodbsvc.Impl},
		{Service: dynamodbstreams.Service, Unimplemented: dynamodbstreams.Unimplemented{}, Impl: &dynamodbstreamssvc.Impl},
		{Service: events.Service, Unimplemented: events.Unimplemented{}},
		{Service: glue.Service, Unimplemented: glue.Unimplemented{}, Impl: &gluesvc.Impl},
		{Service: iam.Service, Unimplemented: iam.Unimplemented{}, Impl: &iamsvc.Impl},
		{Service: kinesis.Service, Unimplemented: kinesis.Unimplemented{}},
		{Service: lambda.Service, Unimplemented: lambda.Unimplemented{}, Impl: &lambdasvc.Impl},
		{Service: logs.Service, Unimplemented: logs.Unimplemented{}, Impl: &logssvc.Impl},
		{Service: redshiftdata.Service, Unimplemented: redshiftdata.Unimplemented{}},
		{Service: s3.Service, Unimplemented: s3.Unimplemented{}, Impl: &s3svc.Impl},
		{Service: sns.Service, Unimplemented: sns.Unimplemented{}},
		{Service: sqs.Service, Unimplemented: sqs.Unimplemented{}},
		{Service: sts.Service, Unimplemented: sts.Unimplemented{}, Impl: &stssvc.Impl},
	}
}

var dialects sync.Once

// setDialects gives each model its service's dialect, once, before any server
// reads it (codecs read it from the shared api.Service).
func setDialects() {
	cloudwatch.Service.Dialect = cloudwatchsvc.Dialect
	dynamodb.Service.Dialect = dynamodbsvc.Dialect
	dynamodbstreams.Service.Dialect = dynamodbstreamssvc.Dialect
	lambda.Service.Dialect = lambdasvc.Dialect
	s3.Service.Dialect = s3svc.Dialect
	sqs.Service.Dialect = sqssvc.Dialect
}
