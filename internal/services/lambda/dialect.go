package lambda

import (
	"github.com/fogbank/fogbank/internal/api"
)

// Dialect is how Lambda departs from plain rest-json: its errors read
// {"Type": "User", "Message": ...}.
var Dialect = api.Dialect{ErrorMessageKey: "Message", ErrorType: true}
