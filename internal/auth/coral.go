package auth

import (
	"net/http"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
)

// coralPrecheck applies the checks AWS's JSON-protocol services (DynamoDB,
// Kinesis, Logs... all served by AWS's "Coral" front end) make before they read a
// signature, in their order and words, as real clients and the dynalite suite see
// them. It returns nil when the request carries a complete SigV4 header or
// presigned query, for the usual verification to go on:
//
//   - no "AWS4-" Authorization header and no X-Amz-Algorithm query parameter:
//     MissingAuthenticationTokenException (these services have no anonymous calls);
//   - both: InvalidSignatureException;
//   - an "AWS4-" header lacking Credential, Signature, SignedHeaders or a date, or a
//     presigned query lacking one of its five parameters: IncompleteSignatureException
//     naming every missing part.
func coralPrecheck(r *http.Request, params []queryParam) error {
	authz := r.Header.Get("Authorization")
	_, hasAlg := lookup(params, "X-Amz-Algorithm")
	switch {
	case hasAlg && authz != "":
		return api.Errorf(http.StatusBadRequest, "InvalidSignatureException",
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case strings.HasPrefix(authz, "AWS4-"):
		// Fields are separated by spaces and commas; a part counts when it has a value.
		var haveCred, haveSig, haveSigned bool
		for rest := authz; rest != ""; {
			i := strings.IndexAny(rest, " ,")
			f := rest
			if i >= 0 {
				f, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			if k, v, ok := strings.Cut(f, "="); ok && v != "" {
				switch k {
				case "Credential":
					haveCred = true
				case "Signature":
					haveSig = true
				case "SignedHeaders":
					haveSigned = true
				}
			}
		}
		var msg strings.Builder
		for _, p := range []struct {
			name string
			have bool
		}{{"Credential", haveCred}, {"Signature", haveSig}, {"SignedHeaders", haveSigned}} {
			if !p.have {
				msg.WriteString("Authorization header requires '" + p.name + "' parameter. ")
			}
		}
		if r.Header.Get("X-Amz-Date") == "" && r.Header.Get("Date") == "" {
			msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		if msg.Len() > 0 {
			return incomplete(StyleJSON, msg.String()+"Authorization="+authz)
		}
		return nil
	case hasAlg:
		var msg strings.Builder
		for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
			if v, _ := lookup(params, p); v == "" {
				msg.WriteString("AWS query-string parameters must include '" + p + "'. ")
			}
		}
		if msg.Len() > 0 {
			return incomplete(StyleJSON, msg.String()+"Re-examine the query-string parameters.")
		}
		return nil
	}
	return api.Errorf(http.StatusBadRequest, "MissingAuthenticationTokenException",
		"Request is missing Authentication Token")
}
