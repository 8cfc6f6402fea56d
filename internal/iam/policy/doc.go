// Package policy is the IAM policy language and its evaluation, as pure
// functions: no I/O, no clock of its own (the request context carries the
// time), nothing kept between calls.
//
// Parse reads a policy document (identity, resource or trust policy) and checks
// it the way IAM does, answering AWS's MalformedPolicyDocument messages
// (Error). A parsed Policy is immutable and safe to share between goroutines.
//
// Evaluate decides one request (Request: principal, action, resource, context
// keys) against the policies that apply to it (Set: identity policies, a
// permissions boundary, session policies, the resource's policy) with AWS's
// logic: an explicit Deny anywhere wins; within one account an Allow from the
// identity policies or from a resource policy naming the principal suffices;
// across accounts both sides must allow; a boundary and session policies only
// narrow identity-based grants. The Decision says why, in the words AWS puts
// in its AccessDenied messages (Decision.Message).
//
// # The grammar
//
// Version (2012-10-17, 2008-10-17: variables only in the former), Id,
// Statement (one object or a list), Sid (unique), Effect, Principal and
// NotPrincipal ("*", AWS, Service, Federated, CanonicalUser), Action and
// NotAction, Resource and NotResource (wildcards * and ?, matched per ARN
// segment, actions case-insensitively), and Condition with every operator
// family: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress and
// NotIpAddress, Arn*, Null, each with ...IfExists, and the set qualifiers
// ForAllValues: and ForAnyValue:. Policy variables ${aws:username},
// ${aws:PrincipalTag/k}, any context key, defaults (${key, 'default'}) and the
// escapes ${*}, ${?}, ${$} are replaced in Resource and in condition values.
//
// # Missing
//
// SCPs and resource control policies; the policy-type-specific checks of
// each service's resource policies (S3's own bucket-policy validation lives
// with S3); condition keys are not checked against the service's list.
package policy
