package auth

import "time"

// DefaultAccount is the account of the built-in credentials, of anonymous callers,
// and of every access key id that is not itself 12 digits.
const DefaultAccount = "000000000000"

// Principal is who made a request.
type Principal struct {
	Account     string // 12 digits
	AccessKeyID string
	ARN         string // "arn:aws:iam::000000000000:root" for root keys
	UserID      string
	Anonymous   bool // unsigned request
	// Temporary credentials (STS) are valid only with their SessionToken,
	// and only until Expires.
	Temporary    bool
	SessionToken string
	Expires      time.Time
}

// Keys knows secret keys. Lookup returns ok=false for a key it does not know.
type Keys interface {
	Lookup(accessKeyID string) (secret string, p Principal, ok bool)
}

// Result of verifying one request.
type Result struct {
	Principal       Principal
	Service, Region string // from the credential scope ("" if unsigned)
	Presigned       bool
	// Verified is true when the signature was checked against a known secret;
	// false for anonymous requests and for keys Keys does not know (accepted
	// as their account's root without a check).
	Verified bool
	// SessionToken is X-Amz-Security-Token, if any: checked against the
	// key's when the key is temporary.
	SessionToken string
}

// Verifier checks SigV4 signatures. Its zero value is usable: nil Keys means the
// built-in test/test only, nil Now means time.Now, zero MaxBody means 20 MiB.
type Verifier struct {
	Keys Keys
	Now  func() time.Time
	// MaxBody bounds the bodies Verify reads into memory to hash them: requests
	// to non-S3 services that sign the body without an x-amz-content-sha256
	// header. Larger bodies are refused with 413.
	MaxBody int64
	// RefuseUnknown refuses access keys Keys does not know (IAM enforcement)
	// instead of accepting them as their account's root.
	RefuseUnknown bool
	// Style tells which family of AWS error codes a signing service answers with
	// (see Style). Nil means DefaultStyle.
	Style func(signingName string) Style
}

// Style is a family of authentication errors: services of one family answer
// the same failure with the same code and status.
type Style int

const (
	// StyleQuery: query-protocol services (STS, IAM, SNS, SQS, CloudWatch):
	// SignatureDoesNotMatch 403, IncompleteSignature 400.
	StyleQuery Style = iota
	// StyleS3: S3's own codes, with the extra fields S3 puts in <Error>.
	StyleS3
	// StyleJSON: JSON-protocol services (DynamoDB, Kinesis, Lambda, Logs...):
	// InvalidSignatureException, IncompleteSignatureException.
	StyleJSON
)

// StaticKeys is a fixed set of access key id → secret key, all roots of their
// account (AccountFor). The zero value knows nothing; DefaultKeys knows test/test.
type StaticKeys map[string]string

// DefaultKeys returns the built-in credentials: test/test in account 000000000000.
func DefaultKeys() StaticKeys { return StaticKeys{"test": "test"} }

// Lookup implements Keys.
func (k StaticKeys) Lookup(accessKeyID string) (string, Principal, bool) {
	secret, ok := k[accessKeyID]
	if !ok {
		return "", Principal{}, false
	}
	return secret, RootPrincipal(accessKeyID), true
}

// RootPrincipal is the principal of an access key id that is its account's root.
func RootPrincipal(accessKeyID string) Principal {
	acct := AccountFor(accessKeyID)
	return Principal{
		Account:     acct,
		AccessKeyID: accessKeyID,
		ARN:         "arn:aws:iam::" + acct + ":root",
		UserID:      acct,
	}
}

// AnonymousPrincipal is the principal of an unsigned request.
func AnonymousPrincipal() Principal {
	return Principal{Account: DefaultAccount, ARN: "*", UserID: "anonymous", Anonymous: true}
}

// AccountFor gives the account of an access key: 12 digits → itself, else "000000000000".
func AccountFor(accessKeyID string) string {
	if len(accessKeyID) != 12 {
		return DefaultAccount
	}
	for i := 0; i < len(accessKeyID); i++ {
		if c := accessKeyID[i]; c < '0' || c > '9' {
			return DefaultAccount
		}
	}
	return accessKeyID
}
