package restxml

// The tests check the wire of real services, so they take each service's
// dialect from its package, as the binary does.
import (
	_ "github.com/fogbank/fogbank/internal/services/s3"
)
