package rpcv2cbor

// The tests check the wire of real services, so they take each service's
// dialect from its package, as the binary does (internal/services/all).
import (
	cloudwatchapi "github.com/fogbank/fogbank/internal/api/cloudwatch"
	cloudwatchsvc "github.com/fogbank/fogbank/internal/services/cloudwatch"
)

func init() {
	cloudwatchapi.Service.Dialect = cloudwatchsvc.Dialect
}
