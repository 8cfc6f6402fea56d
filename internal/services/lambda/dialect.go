package lambda

import (
	"github.com/fogbank/fogbank/internal/api"
	lapi "github.com/fogbank/fogbank/internal/api/lambda"
)

// dialect is how Lambda departs from plain rest-json: its errors read
// {"Type": "User", "Message": ...}.
var dialect = api.Dialect{ErrorMessageKey: "Message", ErrorType: true}

func init() { lapi.Service.Dialect = dialect }
