// Package all is the list that makes the binary: it imports every service
// implementation (each registers itself with internal/host in its init) and lists
// every generated model, so that a model without an implementation still answers
// 501 NotImplemented for each operation. Adding a service is one line in each list.
package all

import (
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
	_ "github.com/fogbank/fogbank/internal/services/athena"
	_ "github.com/fogbank/fogbank/internal/services/cloudwatch"
	_ "github.com/fogbank/fogbank/internal/services/dynamodb"
	_ "github.com/fogbank/fogbank/internal/services/dynamodbstreams"
	_ "github.com/fogbank/fogbank/internal/services/glue"
	_ "github.com/fogbank/fogbank/internal/services/iam"
	_ "github.com/fogbank/fogbank/internal/services/lambda"
	_ "github.com/fogbank/fogbank/internal/services/logs"
	_ "github.com/fogbank/fogbank/internal/services/s3"
	_ "github.com/fogbank/fogbank/internal/services/sqs"
	_ "github.com/fogbank/fogbank/internal/services/sts"
)

// Models lists every service fogbank has the API model of.
func Models() []server.Model {
	return []server.Model{
		{Service: athena.Service, Unimplemented: athena.Unimplemented{}},
		{Service: ce.Service, Unimplemented: ce.Unimplemented{}},
		{Service: cloudwatch.Service, Unimplemented: cloudwatch.Unimplemented{}},
		{Service: dynamodb.Service, Unimplemented: dynamodb.Unimplemented{}},
		{Service: dynamodbstreams.Service, Unimplemented: dynamodbstreams.Unimplemented{}},
		{Service: events.Service, Unimplemented: events.Unimplemented{}},
		{Service: glue.Service, Unimplemented: glue.Unimplemented{}},
		{Service: iam.Service, Unimplemented: iam.Unimplemented{}},
		{Service: kinesis.Service, Unimplemented: kinesis.Unimplemented{}},
		{Service: lambda.Service, Unimplemented: lambda.Unimplemented{}},
		{Service: logs.Service, Unimplemented: logs.Unimplemented{}},
		{Service: redshiftdata.Service, Unimplemented: redshiftdata.Unimplemented{}},
		{Service: s3.Service, Unimplemented: s3.Unimplemented{}},
		{Service: sns.Service, Unimplemented: sns.Unimplemented{}},
		{Service: sqs.Service, Unimplemented: sqs.Unimplemented{}},
		{Service: sts.Service, Unimplemented: sts.Unimplemented{}},
	}
}
