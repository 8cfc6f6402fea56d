package dynamodbstreams

import (
	"github.com/fogbank/fogbank/internal/api"
)

// Dialect is how DynamoDB Streams departs from the plain json protocol: as
// DynamoDB, without its compression, Server header and body limit.
var Dialect = api.Dialect{
	RequestID:      api.RequestIDAlnum,
	CRC32:          true,
	ErrorNamespace: "com.amazonaws.dynamodb.v20120810#",
}
