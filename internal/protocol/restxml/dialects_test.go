package restxml

// The tests check the wire of real services, so they take each service's
// dialect from its package, as the binary does (internal/services/all).
import (
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	s3svc "github.com/fogbank/fogbank/internal/services/s3"
)

func init() {
	s3api.Service.Dialect = s3svc.Dialect
}
