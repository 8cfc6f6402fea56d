package dynamodb

import (
	"github.com/fogbank/fogbank/internal/api"
)

// Dialect is how DynamoDB departs from the plain json protocol.
var Dialect = api.Dialect{
	RequestID: api.RequestIDAlnum,
	// AWS's JSON front end answers an unsigned POST / without a target (with
	// UnknownOperationException) and browsers' preflights; DynamoDB is the JSON
	// service clients most often reach that way.
	BareJSON: true,
	MaxBody:  16 << 20, // DynamoDB's stated request limit
	CRC32:    true,
	Compress: true,
	Server:   "Server", // what DynamoDB sends on every answer
	// The namespace-qualified __type DynamoDB's errors carry on the wire.
	ErrorNamespace: "com.amazonaws.dynamodb.v20120810#",
	CheckJSON:      checkJSON,
}
