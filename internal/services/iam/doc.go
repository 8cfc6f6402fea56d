// Package iam implements AWS Identity and Access Management: users, groups,
// roles with trust policies, customer managed policies with versions (the
// default version, at most 5), the AWS managed policies people attach
// (managed.json: AdministratorAccess, ReadOnlyAccess, AmazonS3ReadOnlyAccess,
// AWSLambdaBasicExecutionRole... with their real documents, ARNs and version
// ids), inline policies, attachments, permissions boundaries, tags, access
// keys, instance profiles (profiles.go: one role each), the account alias
// and password policy (account.go). It is also where credentials live: its
// users' access keys and the temporary credentials STS issues (sessions.go:
// AssumeRole with the role's trust policy evaluated, GetSessionToken,
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML, whose tokens are read
// without verifying their signatures or issuers) are the server's
// auth.Keys, so their signatures are checked and session tokens and expiry
// enforced.
//
// Policy documents are checked with internal/iam/policy (MalformedPolicyDocument
// with IAM's messages), and so are requests when enforcement is on
// (enforce.go: Authorize, which the server puts first in the gateway's chain
// for --enforce-iam; IdentityOf resolves a caller's policies once per change
// of IAM's state).
//
// # State
//
// An account's IAM state is one record ("iam"/<account>/"state"): IAM's
// quotas keep it small, it changes rarely, and one record makes every change
// atomic. Credentials are keyed by access key id ("iam"/"_creds"), as a key
// id alone must find its account. Decoded state is cached, replaced whole by
// each write (writes are serialised).
//
// Names are unique case-insensitively and found so, as in IAM; policy
// documents are answered URL-encoded, as IAM does (the CLI and boto3 decode
// them). Quotas: 10 managed policies per entity, 2 access keys per user, 10
// groups per user, 5 versions, 6,144 characters per managed policy,
// 2,048/5,120/10,240 of inline policies per user/group/role.
//
// # Missing
//
// Service-linked roles, login profiles and passwords (the
// account's password policy is kept and answered, account.go, but there are
// no passwords to apply it to), MFA devices, SAML/OIDC providers,
// ListEntitiesForPolicy, last-used data (answered as N/A). Account aliases
// are not checked for uniqueness across accounts. Deleting a role does not
// revoke its live sessions' keys, but they lose every right (the role's id
// no longer matches).
package iam
