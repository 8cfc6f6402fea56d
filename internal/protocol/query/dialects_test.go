package query

// The tests check the wire of real services, so they take each service's
// dialect from its package, as the binary does (internal/services/all).
import (
	cloudwatchapi "github.com/fogbank/fogbank/internal/api/cloudwatch"
	sqsapi "github.com/fogbank/fogbank/internal/api/sqs"
	cloudwatchsvc "github.com/fogbank/fogbank/internal/services/cloudwatch"
	sqssvc "github.com/fogbank/fogbank/internal/services/sqs"
)

func init() {
	cloudwatchapi.Service.Dialect = cloudwatchsvc.Dialect
	sqsapi.Service.Dialect = sqssvc.Dialect
}
