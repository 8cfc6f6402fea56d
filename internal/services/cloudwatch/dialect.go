package cloudwatch

import (
	"github.com/fogbank/fogbank/internal/api"
	cwapi "github.com/fogbank/fogbank/internal/api/cloudwatch"
)

// dialect is how CloudWatch departs from the plain query, json and CBOR protocols.
var dialect = api.Dialect{
	Validation:       api.ValidationParameter,
	MissingParameter: "The parameter %s is required.",
	ErrorNamespace:   "com.amazonaws.cloudwatch#",
}

func init() { cwapi.Service.Dialect = dialect }
