package gateway

import (
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
)

// unsignedRefused is the error AWS answers a request without a signature for
// an operation that needs one, or nil. Query-protocol services (STS, and IAM,
// SQS, SNS... in their query dialect) answer 403 MissingAuthenticationToken;
// only operations the model marks unsigned (STS's AssumeRoleWithWebIdentity
// and AssumeRoleWithSAML) take anonymous callers. JSON services answer the
// same before routing (auth's Coral checks); S3 serves anonymous callers by
// bucket policy and ACL.
func unsignedRefused(c *protocol.Call, caller *api.Caller) error {
	if !caller.Anonymous || c.Protocol != protocol.Query || c.Op == nil || c.Op.AuthType == "none" {
		return nil
	}
	return api.Errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
}
