package cloudwatch

import (
	"github.com/fogbank/fogbank/internal/api"
)

// Dialect is how CloudWatch departs from the plain query, json and CBOR protocols.
var Dialect = api.Dialect{
	Validation:       api.ValidationParameter,
	MissingParameter: "The parameter %s is required.",
	ErrorNamespace:   "com.amazonaws.cloudwatch#",
}
