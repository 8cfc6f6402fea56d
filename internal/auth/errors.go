package auth

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
)

// StyleRestJSON: rest-json services (Lambda, API Gateway): the JSON codes, but
// with status 403 where the json-protocol services answer 400.
const StyleRestJSON Style = StyleJSON + 1

// Signing names whose services answer in a style other than StyleQuery. Services
// absent from the table are query-style (IAM, STS, SNS, SQS, CloudWatch, Redshift,
// EC2...), which is also what AWS's oldest services do.
var styles = map[string]Style{
	"s3": StyleS3, "s3-object-lambda": StyleS3, "s3-outposts": StyleS3,

	"dynamodb": StyleJSON, "kinesis": StyleJSON, "logs": StyleJSON, "events": StyleJSON,
	"firehose": StyleJSON, "glue": StyleJSON, "athena": StyleJSON, "kms": StyleJSON,
	"ssm": StyleJSON, "secretsmanager": StyleJSON, "states": StyleJSON, "ce": StyleJSON,
	"redshift-data": StyleJSON, "ecr": StyleJSON, "ecs": StyleJSON, "codebuild": StyleJSON,
	"cognito-idp": StyleJSON, "cognito-identity": StyleJSON, "elasticmapreduce": StyleJSON,
	"cloudtrail": StyleJSON, "config": StyleJSON, "acm": StyleJSON, "budgets": StyleJSON,
	"application-autoscaling": StyleJSON, "servicecatalog": StyleJSON,

	"lambda": StyleRestJSON, "apigateway": StyleRestJSON, "execute-api": StyleRestJSON,
	"scheduler": StyleRestJSON, "pipes": StyleRestJSON, "lakeformation": StyleRestJSON,
	"eks": StyleRestJSON, "batch": StyleRestJSON, "appsync": StyleRestJSON,
	"glacier": StyleRestJSON, "emr-serverless": StyleRestJSON,
}

// DefaultStyle is the error style of a signing service, from a built-in table.
func DefaultStyle(signingName string) Style {
	if s, ok := styles[signingName]; ok {
		return s
	}
	return StyleQuery
}

// StyleForProtocol gives the error style of a service from its signing name and
// the first protocol of its model, for a gateway that knows the model.
func StyleForProtocol(signingName, protocol string) Style {
	switch {
	case strings.HasPrefix(signingName, "s3"):
		return StyleS3
	case protocol == "json":
		return StyleJSON
	case protocol == "rest-json":
		return StyleRestJSON
	}
	return StyleQuery
}

// serverTime is how S3 writes <ServerTime> and <Expires>.
const serverTime = "2006-01-02T15:04:05Z"

// amzDateFormat is ISO 8601 basic, as in X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// maxSkew is how far a request's time may be from the server's.
const maxSkew = 15 * time.Minute

// Messages as AWS writes them. S3's signature message is shorter than the other
// services' one.
const (
	msgMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgMismatchS3   = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgHeaderMalf   = "The authorization header is malformed; "
	msgCredFormat   = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgNoDateS3     = "AWS authentication requires a valid Date or x-amz-date header"
	msgQueryParams  = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgNotSupported = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)

// mismatch is the wrong-signature error. canonical and toSign are what this side
// signed; S3 shows them to the client to help it find the difference.
func mismatch(st Style, akid, signature, toSign, canonical string) *api.Err {
	switch st {
	case StyleS3:
		return api.Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "%s", msgMismatchS3).
			With("AWSAccessKeyId", akid).
			With("StringToSign", toSign).
			With("SignatureProvided", signature).
			With("StringToSignBytes", spacedHex(toSign)).
			With("CanonicalRequest", canonical).
			With("CanonicalRequestBytes", spacedHex(canonical))
	case StyleJSON:
		return api.Errorf(http.StatusBadRequest, "InvalidSignatureException", "%s", msgMismatch)
	case StyleRestJSON:
		return api.Errorf(http.StatusForbidden, "InvalidSignatureException", "%s", msgMismatch)
	}
	return api.Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "%s", msgMismatch)
}

// plainMismatch is a signature error without the S3 details (chunk signatures,
// body hashes of non-S3 services).
func plainMismatch(st Style) *api.Err {
	if st == StyleS3 {
		return api.Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "%s", msgMismatchS3)
	}
	return mismatch(st, "", "", "", "")
}

// incomplete is a malformed signature outside S3: IncompleteSignature(Exception).
func incomplete(st Style, msg string) *api.Err {
	if st == StyleJSON || st == StyleRestJSON {
		return api.Errorf(http.StatusBadRequest, "IncompleteSignatureException", "%s", msg)
	}
	return api.Errorf(http.StatusBadRequest, "IncompleteSignature", "%s", msg)
}

// headerMalformed is S3's AuthorizationHeaderMalformed.
func headerMalformed(msg string) *api.Err {
	return api.Errorf(http.StatusBadRequest, "AuthorizationHeaderMalformed", "%s%s", msgHeaderMalf, msg)
}

// queryParamsError is S3's AuthorizationQueryParametersError.
func queryParamsError(msg string) *api.Err {
	return api.Errorf(http.StatusBadRequest, "AuthorizationQueryParametersError", "%s", msg)
}

// skewed is the error for a request time more than 15 minutes from now.
// sent is the request time as the client wrote it.
func skewed(st Style, sent string, t, now time.Time) *api.Err {
	if st == StyleS3 {
		return api.Errorf(http.StatusForbidden, "RequestTimeTooSkewed",
			"The difference between the request time and the current time is too large.").
			With("RequestTime", sent).
			With("ServerTime", now.UTC().Format(serverTime)).
			With("MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10))
	}
	var msg string
	if t.Before(now) {
		msg = "Signature expired: " + t.UTC().Format(amzDateFormat) + " is now earlier than " +
			now.Add(-maxSkew).UTC().Format(amzDateFormat) + " (" + now.UTC().Format(amzDateFormat) + " - 15 min.)"
	} else {
		msg = "Signature not yet current: " + t.UTC().Format(amzDateFormat) + " is still later than " +
			now.Add(maxSkew).UTC().Format(amzDateFormat) + " (" + now.UTC().Format(amzDateFormat) + " + 15 min.)"
	}
	e := mismatch(st, "", "", "", "")
	e.Message = msg
	return e
}

// notSupported answers a signature this package cannot verify for a known key.
func notSupported() *api.Err {
	return api.Errorf(http.StatusBadRequest, "InvalidRequest", "%s", msgNotSupported)
}

// tooLarge answers a body too big to buffer for hashing.
func tooLarge(max int64) *api.Err {
	return api.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		"Request must be smaller than %d bytes.", max)
}

// spacedHex writes s's bytes as S3 does in <StringToSignBytes>: "41 57 53 34".
func spacedHex(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}

// Messages of the credential errors.
const (
	msgTokenInvalid = "The security token included in the request is invalid."
	msgTokenExpired = "The security token included in the request is expired"
)

// unknownKey answers an access key fogbank does not know, when such keys are
// refused (IAM enforcement on).
func unknownKey(st Style, akid string) *api.Err {
	switch st {
	case StyleS3:
		return api.Errorf(http.StatusForbidden, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", akid)
	case StyleJSON:
		return api.Errorf(http.StatusBadRequest, "UnrecognizedClientException", "%s", msgTokenInvalid)
	case StyleRestJSON:
		return api.Errorf(http.StatusForbidden, "UnrecognizedClientException", "%s", msgTokenInvalid)
	}
	return api.Errorf(http.StatusForbidden, "InvalidClientTokenId", "%s", msgTokenInvalid)
}

// invalidToken answers a temporary key sent without its session token, or with another.
func invalidToken(st Style) *api.Err {
	switch st {
	case StyleS3:
		return api.Errorf(http.StatusBadRequest, "InvalidToken", "The provided token is malformed or otherwise invalid.")
	case StyleJSON:
		return api.Errorf(http.StatusBadRequest, "UnrecognizedClientException", "%s", msgTokenInvalid)
	case StyleRestJSON:
		return api.Errorf(http.StatusForbidden, "UnrecognizedClientException", "%s", msgTokenInvalid)
	}
	return api.Errorf(http.StatusForbidden, "InvalidClientTokenId", "%s", msgTokenInvalid)
}

// expiredToken answers temporary credentials past their expiry.
func expiredToken(st Style) *api.Err {
	switch st {
	case StyleS3:
		return api.Errorf(http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
	case StyleJSON:
		return api.Errorf(http.StatusBadRequest, "ExpiredTokenException", "%s", msgTokenExpired)
	case StyleRestJSON:
		return api.Errorf(http.StatusForbidden, "ExpiredTokenException", "%s", msgTokenExpired)
	}
	return api.Errorf(http.StatusForbidden, "ExpiredToken", "%s", msgTokenExpired)
}
