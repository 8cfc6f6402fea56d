package restjson

// The tests check the wire of real services, so they take each service's
// dialect from its package, as the binary does (internal/services/all).
import (
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	lambdasvc "github.com/fogbank/fogbank/internal/services/lambda"
)

func init() {
	lambdaapi.Service.Dialect = lambdasvc.Dialect
}
