package sqs

import (
	"github.com/fogbank/fogbank/internal/api"
)

// Dialect is how SQS departs from the plain query and json protocols.
var Dialect = api.Dialect{
	// SQS's json model lost the query namespace its query clients still read.
	XMLNamespace:     "http://queue.amazonaws.com/doc/2012-11-05/",
	Validation:       api.ValidationParameter,
	MissingParameter: "The request must contain the parameter %s.",
	ErrorNamespace:   "com.amazonaws.sqs#",
}
