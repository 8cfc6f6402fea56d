package dynamodbstreams

import (
	"github.com/fogbank/fogbank/internal/api"
	sapi "github.com/fogbank/fogbank/internal/api/dynamodbstreams"
)

// dialect is how DynamoDB Streams departs from the plain json protocol: as
// DynamoDB, without its compression, Server header and body limit.
var dialect = api.Dialect{
	RequestID:      api.RequestIDAlnum,
	CRC32:          true,
	ErrorNamespace: "com.amazonaws.dynamodb.v20120810#",
}

func init() { sapi.Service.Dialect = dialect }
