package policy

import (
	"fmt"
	"testing"
)

// The cases below are built from the examples of AWS's IAM User Guide ("Policy
// evaluation logic", "IAM JSON policy elements: Condition operators", "IAM
// policy elements: Variables and tags", "NotAction", "NotResource",
// "Permissions boundaries", "Session policies", "Cross-account policy
// evaluation logic", and the example policies of "Example IAM
// identity-based policies"), each with the decision AWS documents.

type ctx map[string][]string

// A group is one set of policies and a principal, asked several requests.
type group struct {
	name      string
	identity  []string
	boundary  string
	session   []string
	resource  string
	principal Principal
	resAcct   string // the resource's account when it differs
	cases     []tc
}

type tc struct {
	action, resource string
	ctx              ctx
	want             Reason // Allowed, or why denied
}

const acct = "111122223333"
const other = "444455556666"

var (
	alice   = Principal{Kind: User, ARN: "arn:aws:iam::" + acct + ":user/alice", Account: acct}
	bob     = Principal{Kind: User, ARN: "arn:aws:iam::" + acct + ":user/bob", Account: acct}
	carol   = Principal{Kind: User, ARN: "arn:aws:iam::" + other + ":user/carol", Account: other}
	session = Principal{Kind: AssumedRole, ARN: "arn:aws:sts::" + acct + ":assumed-role/R/s1", Account: acct,
		RoleARN: "arn:aws:iam::" + acct + ":role/R"}
	rootP = Principal{Kind: Root, ARN: "arn:aws:iam::" + acct + ":root", Account: acct}
	anon  = Principal{Kind: Anonymous, ARN: "*", Account: acct}
	lsvc  = Principal{Kind: ServicePrincipal, Service: "lambda.amazonaws.com"}
)

func doc(stmts ...string) string {
	s := `{"Version":"2012-10-17","Statement":[`
	for i, st := range stmts {
		if i > 0 {
			s += ","
		}
		s += st
	}
	return s + "]}"
}

const (
	D  = ImplicitDenyIdentity
	DR = ImplicitDenyResource
	DB = ImplicitDenyBoundary
	DS = ImplicitDenySession
	XI = ExplicitDenyIdentity
	XR = ExplicitDenyResource
	XB = ExplicitDenyBoundary
	XS = ExplicitDenySession
	A  = Allowed
)

var groups = []group{
	{name: "default deny: no policy", principal: alice, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, D},
		{"iam:ListUsers", "*", nil, D},
	}},
	{name: "root is not limited by identity policies", principal: rootP, identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}, cases: []tc{
		{"s3:PutObject", "arn:aws:s3:::b/k", nil, A},
		{"iam:CreateUser", "arn:aws:iam::" + acct + ":user/x", nil, A},
	}},
	{name: "root is still bound by a resource policy's deny", principal: rootP,
		resource: doc(`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::b"}`), cases: []tc{
			{"s3:DeleteBucket", "arn:aws:s3:::b", nil, XR},
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		}},
	{name: "AmazonS3ReadOnlyAccess", principal: alice, identity: []string{doc(`{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		{"s3:ListBucket", "arn:aws:s3:::b", nil, A},
		{"s3:ListAllMyBuckets", "*", nil, A},
		{"s3:GetBucketPolicy", "arn:aws:s3:::b", nil, A},
		{"S3:GETOBJECT", "arn:aws:s3:::b/k", nil, A}, // actions are case-insensitive
		{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
		{"s3:DeleteObject", "arn:aws:s3:::b/k", nil, D},
		{"s3:CreateBucket", "arn:aws:s3:::b", nil, D},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, D},
		{"s3-object-lambda:GetObject", "arn:aws:s3-object-lambda:us-east-1:" + acct + ":accesspoint/ap", nil, A},
	}},
	{name: "AdministratorAccess", principal: alice, identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}, cases: []tc{
		{"s3:PutObject", "arn:aws:s3:::b/k", nil, A},
		{"iam:CreateUser", "arn:aws:iam::" + acct + ":user/u", nil, A},
		{"dynamodb:DeleteTable", "arn:aws:dynamodb:eu-west-1:" + acct + ":table/T", nil, A},
	}},
	{name: "PowerUserAccess: NotAction", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}`)}, cases: []tc{
		{"s3:PutObject", "arn:aws:s3:::b/k", nil, A},
		{"lambda:CreateFunction", "arn:aws:lambda:us-east-1:" + acct + ":function:f", nil, A},
		{"iam:CreateUser", "arn:aws:iam::" + acct + ":user/u", nil, D},
		{"iam:ListRoles", "*", nil, A},
		{"iam:AttachUserPolicy", "arn:aws:iam::" + acct + ":user/u", nil, D},
		{"organizations:DescribeOrganization", "*", nil, A},
		{"organizations:LeaveOrganization", "*", nil, D},
		{"IAM:CreateRole", "*", nil, D},
	}},
	{name: "explicit deny beats allow (NotAction with MFA, IAM guide example)", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"*","Resource":"*"}`,
		`{"Effect":"Deny","NotAction":["iam:ChangePassword","iam:GetUser","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, XI}, // key absent: IfExists holds
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:MultiFactorAuthPresent": {"false"}}, XI},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:MultiFactorAuthPresent": {"true"}}, A},
		{"iam:ChangePassword", "arn:aws:iam::" + acct + ":user/alice", nil, A},
		{"sts:GetSessionToken", "*", ctx{"aws:MultiFactorAuthPresent": {"false"}}, A},
		{"iam:CreateUser", "*", ctx{"aws:MultiFactorAuthPresent": {"TRUE"}}, A}, // Bool is case-insensitive
	}},
	{name: "NotResource: deny everything outside one bucket", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		`{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.csv", nil, A},
		{"s3:ListBucket", "arn:aws:s3:::HRBucket/Payroll", nil, A},
		{"s3:GetObject", "arn:aws:s3:::HRBucket/Other/x", nil, XI},
		{"s3:GetObject", "arn:aws:s3:::hrbucket/Payroll/jan.csv", nil, XI}, // resources are case-sensitive
		{"s3:GetObject", "arn:aws:s3:::OtherBucket/k", nil, XI},
		{"ec2:RunInstances", "*", nil, D},
	}},
	{name: "Allow with NotResource", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::public/k", nil, A},
		{"s3:GetObject", "arn:aws:s3:::secret/k", nil, D},
		{"s3:GetObject", "arn:aws:s3:::secret", nil, A},
	}},
	{name: "resource wildcards", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::logs-*/2024/*","arn:aws:s3:::exact/a?c"]}`,
		`{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:*:*:table/Orders*"}`,
		`{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:`+acct+`:log-group:/aws/lambda/*:*"}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::logs-app/2024/01/x", nil, A},
		{"s3:GetObject", "arn:aws:s3:::logs-/2024/x", nil, A},
		{"s3:GetObject", "arn:aws:s3:::logs-app/2023/x", nil, D},
		{"s3:GetObject", "arn:aws:s3:::exact/abc", nil, A},
		{"s3:GetObject", "arn:aws:s3:::exact/ac", nil, D},
		{"s3:GetObject", "arn:aws:s3:::exact/abbc", nil, D},
		{"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/Orders", nil, A},
		{"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:" + acct + ":table/Orders/index/byDate", nil, A},
		{"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:" + acct + ":table/Users", nil, D},
		{"logs:PutLogEvents", "arn:aws:logs:us-east-1:" + acct + ":log-group:/aws/lambda/f:log-stream:2024/x", nil, A},
		{"logs:PutLogEvents", "arn:aws:logs:us-west-2:" + acct + ":log-group:/aws/lambda/f:log-stream:x", nil, D},
		{"logs:CreateLogGroup", "arn:aws:logs:us-east-1:" + acct + ":log-group:/aws/lambda/f", nil, D},
	}},
	{name: "action wildcards", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":["s3:*Object","dynamodb:Get?tem","sqs:*"],"Resource":"*"}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		{"s3:PutObject", "arn:aws:s3:::b/k", nil, A},
		{"s3:GetObjectAcl", "arn:aws:s3:::b/k", nil, D},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, A},
		{"dynamodb:GetItems", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, D},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acct + ":q", nil, A},
		{"sns:Publish", "arn:aws:sns:us-east-1:" + acct + ":t", nil, D},
	}},
	{name: "home folder: ${aws:username} (Variables and tags)", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::amzn-s3-demo-bucket","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}}`,
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"}`)}, cases: []tc{
		{"s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/notes.txt", ctx{"aws:username": {"alice"}}, A},
		{"s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/notes.txt", ctx{"aws:username": {"alice"}}, D},
		{"s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/", ctx{"aws:username": {"alice"}}, A},
		{"s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/x", nil, D}, // no username: matches nothing
		{"s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", ctx{"aws:username": {"alice"}, "s3:prefix": {"home/alice/photos"}}, A},
		{"s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", ctx{"aws:username": {"alice"}, "s3:prefix": {""}}, A},
		{"s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", ctx{"aws:username": {"alice"}, "s3:prefix": {"home/"}}, A},
		{"s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", ctx{"aws:username": {"alice"}, "s3:prefix": {"home/bob/"}}, D},
		{"s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", ctx{"aws:username": {"alice"}}, D}, // no prefix
	}},
	{name: "variables: defaults, escapes, principal tags", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*"}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/literal${*}star"}`,
		`{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/q${?}/d${$}"}`,
		`{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/data/x", ctx{"aws:PrincipalTag/team": {"data"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/web/x", ctx{"aws:PrincipalTag/team": {"data"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/shared/x", nil, A},
		{"s3:GetObject", "arn:aws:s3:::b/data/x", ctx{"aws:principaltag/TEAM": {"data"}}, A}, // keys are case-insensitive
		{"s3:PutObject", "arn:aws:s3:::b/literal*star", nil, A},
		{"s3:PutObject", "arn:aws:s3:::b/literalXstar", nil, D},
		{"s3:DeleteObject", "arn:aws:s3:::b/q?/d$", nil, A},
		{"s3:DeleteObject", "arn:aws:s3:::b/qx/d$", nil, D},
		{"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", ctx{"aws:username": {"alice"}, "aws:ResourceTag/owner": {"alice"}}, A},
		{"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", ctx{"aws:username": {"alice"}, "aws:ResourceTag/owner": {"bob"}}, D},
		{"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", ctx{"aws:ResourceTag/owner": {"alice"}}, D},
	}},
	{name: "version 2008-10-17 does not substitute variables", principal: alice, identity: []string{
		`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/alice/x", ctx{"aws:username": {"alice"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/${aws:username}/x", ctx{"aws:username": {"alice"}}, A},
	}},
	{name: "region restriction: Deny StringNotEquals aws:RequestedRegion", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"*","Resource":"*"}`,
		`{"Effect":"Deny","NotAction":["iam:*","sts:*","cloudfront:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-central-1","eu-west-1"]}}}`)}, cases: []tc{
		{"ec2:RunInstances", "*", ctx{"aws:RequestedRegion": {"eu-west-1"}}, A},
		{"ec2:RunInstances", "*", ctx{"aws:RequestedRegion": {"us-east-1"}}, XI},
		{"ec2:RunInstances", "*", nil, XI}, // negated operator, key absent: true
		{"iam:CreateUser", "*", ctx{"aws:RequestedRegion": {"us-east-1"}}, A},
		{"sts:AssumeRole", "*", ctx{"aws:RequestedRegion": {"ap-south-1"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:RequestedRegion": {"eu-central-1"}}, A},
	}},
	{name: "source IP: Deny NotIpAddress", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]},"Bool":{"aws:ViaAWSService":"false"}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"192.0.2.7"}, "aws:ViaAWSService": {"false"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"203.0.113.200"}, "aws:ViaAWSService": {"false"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"198.51.100.1"}, "aws:ViaAWSService": {"false"}}, XI},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"198.51.100.1"}, "aws:ViaAWSService": {"true"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"127.0.0.1"}}, A}, // Bool without the key: false, so no deny
	}},
	{name: "IpAddress allow, IPv6 and single addresses", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","127.0.0.1"]}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"10.1.2.3"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"11.0.0.1"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"2001:db8:1::5"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"2001:db9::1"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"127.0.0.1"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SourceIp": {"not-an-ip"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
	}},
	{name: "SecureTransport: Deny Bool false", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":false}}}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SecureTransport": {"false"}}, XR},
			{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:SecureTransport": {"true"}}, A},
			{"s3:GetObject", "arn:aws:s3:::other/k", ctx{"aws:SecureTransport": {"false"}}, A},
			{"s3:ListBucket", "arn:aws:s3:::b", ctx{"aws:SecureTransport": {"false"}}, XR},
		}},
	{name: "time window: DateGreaterThan and DateLessThan aws:CurrentTime", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-04-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2020-06-30T23:59:59Z"}}}`,
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThanEquals":{"aws:EpochTime":"1700000000"}}}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":"2024-01-01"}}}`)}, cases: []tc{
		{"ec2:RunInstances", "*", ctx{"aws:CurrentTime": {"2020-05-01T12:00:00Z"}}, A},
		{"ec2:RunInstances", "*", ctx{"aws:CurrentTime": {"2020-03-31T23:00:00Z"}}, D},
		{"ec2:RunInstances", "*", ctx{"aws:CurrentTime": {"2020-07-01T00:00:00Z"}}, D},
		{"ec2:RunInstances", "*", ctx{"aws:CurrentTime": {"2020-04-01T00:00:00Z"}}, D}, // strictly greater
		{"ec2:RunInstances", "*", nil, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:EpochTime": {"1600000000"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:EpochTime": {"1700000000"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:EpochTime": {"1800000000"}}, D},
		{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"aws:CurrentTime": {"2024-01-01T00:00:00Z"}}, A},
		{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"aws:CurrentTime": {"2024-01-01T00:00:01Z"}}, D},
	}},
	{name: "numeric: s3:max-keys", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}}`,
		`{"Effect":"Allow","Action":"s3:ListBucketVersions","Resource":"*","Condition":{"NumericGreaterThan":{"s3:max-keys":5},"NumericNotEquals":{"s3:max-keys":7}}}`,
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericEquals":{"s3:x":"1.5"}}}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"NumericLessThan":{"s3:x":"-3"}}}`,
		`{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*","Condition":{"NumericGreaterThanEquals":{"s3:x":"100"}}}`)}, cases: []tc{
		{"s3:ListBucket", "arn:aws:s3:::b", ctx{"s3:max-keys": {"10"}}, A},
		{"s3:ListBucket", "arn:aws:s3:::b", ctx{"s3:max-keys": {"3"}}, A},
		{"s3:ListBucket", "arn:aws:s3:::b", ctx{"s3:max-keys": {"11"}}, D},
		{"s3:ListBucket", "arn:aws:s3:::b", ctx{"s3:max-keys": {"ten"}}, D},
		{"s3:ListBucket", "arn:aws:s3:::b", nil, D},
		{"s3:ListBucketVersions", "arn:aws:s3:::b", ctx{"s3:max-keys": {"6"}}, A},
		{"s3:ListBucketVersions", "arn:aws:s3:::b", ctx{"s3:max-keys": {"7"}}, D},
		{"s3:ListBucketVersions", "arn:aws:s3:::b", ctx{"s3:max-keys": {"5"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"1.50"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"1.51"}}, D},
		{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"-4"}}, A},
		{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"-3"}}, D},
		{"s3:DeleteObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"100"}}, A},
		{"s3:DeleteObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"99.9"}}, D},
	}},
	{name: "string operators", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/dept":["Eng","Ops"]}}}`,
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:PrincipalTag/dept":"eng"}}}`,
		`{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*","Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/dept":"ENG"}}}`,
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringNotLike":{"s3:prefix":"private/*"}}}`,
		`{"Effect":"Allow","Action":"s3:GetBucketTagging","Resource":"*","Condition":{"StringLike":{"aws:userid":"AIDA*:?ob"}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"Eng"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"Ops"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"eng"}}, D}, // values are case-sensitive
		{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"ENG"}}, A},
		{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"Sales"}}, D},
		{"s3:DeleteObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"Sales"}}, A},
		{"s3:DeleteObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"eng"}}, D},
		{"s3:DeleteObject", "arn:aws:s3:::b/k", nil, A},
		{"s3:ListBucket", "arn:aws:s3:::b", ctx{"s3:prefix": {"public/"}}, A},
		{"s3:ListBucket", "arn:aws:s3:::b", ctx{"s3:prefix": {"private/x"}}, D},
		{"s3:GetBucketTagging", "arn:aws:s3:::b", ctx{"aws:userid": {"AIDAEXAMPLE:bob"}}, A},
		{"s3:GetBucketTagging", "arn:aws:s3:::b", ctx{"aws:userid": {"AIDAEXAMPLE:bobb"}}, D},
		{"s3:GetBucketTagging", "arn:aws:s3:::b", ctx{"aws:userid": {"AROAEXAMPLE:bob"}}, D},
	}},
	{name: "IfExists", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}}`,
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThanIfExists":{"s3:x":"5"}}}`)}, cases: []tc{
		{"ec2:RunInstances", "*", ctx{"ec2:InstanceType": {"t2.micro"}}, A},
		{"ec2:RunInstances", "*", ctx{"ec2:InstanceType": {"c5.large"}}, D},
		{"ec2:RunInstances", "*", nil, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"4"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:x": {"5"}}, D},
	}},
	{name: "Null", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"true"}}}`,
		`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"false"}}}`,
		`{"Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"Null":{"aws:RequestTag/owner":"true"}}}`,
		`{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}`)}, cases: []tc{
		{"ec2:RunInstances", "*", nil, A},
		{"ec2:RunInstances", "*", ctx{"aws:TokenIssueTime": {"2024-01-01T00:00:00Z"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:TokenIssueTime": {"2024-01-01T00:00:00Z"}}, A},
		{"dynamodb:CreateTable", "*", nil, XI},
		{"dynamodb:CreateTable", "*", ctx{"aws:RequestTag/owner": {"alice"}}, A},
	}},
	{name: "ForAllValues and ForAnyValue on aws:TagKeys", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}}`,
		`{"Effect":"Allow","Action":"ec2:DeleteTags","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}}`,
		`{"Effect":"Deny","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"aws:*"}}}`,
		`{"Effect":"Allow","Action":"s3:PutObjectTagging","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":"secret"}}}`,
		`{"Effect":"Allow","Action":"s3:DeleteObjectTagging","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"secret"}}}`)}, cases: []tc{
		{"ec2:CreateTags", "*", ctx{"aws:TagKeys": {"environment"}}, A},
		{"ec2:CreateTags", "*", ctx{"aws:TagKeys": {"environment", "cost-center"}}, A},
		{"ec2:CreateTags", "*", ctx{"aws:TagKeys": {"environment", "owner"}}, D},
		{"ec2:CreateTags", "*", nil, A}, // ForAllValues with no values: true
		{"ec2:CreateTags", "*", ctx{"aws:TagKeys": {"aws:x"}}, XI},
		{"ec2:DeleteTags", "*", ctx{"aws:TagKeys": {"owner", "environment"}}, A},
		{"ec2:DeleteTags", "*", ctx{"aws:TagKeys": {"owner"}}, D},
		{"ec2:DeleteTags", "*", nil, D}, // ForAnyValue with no values: false
		{"s3:PutObjectTagging", "arn:aws:s3:::b/k", ctx{"aws:TagKeys": {"a", "b"}}, A},
		{"s3:PutObjectTagging", "arn:aws:s3:::b/k", ctx{"aws:TagKeys": {"a", "secret"}}, D},
		{"s3:DeleteObjectTagging", "arn:aws:s3:::b/k", ctx{"aws:TagKeys": {"a", "secret"}}, A},
		{"s3:DeleteObjectTagging", "arn:aws:s3:::b/k", ctx{"aws:TagKeys": {"secret"}}, D},
	}},
	{name: "multi-valued key without a qualifier: any value", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"environment"}}}`)}, cases: []tc{
		{"ec2:CreateTags", "*", ctx{"aws:TagKeys": {"owner", "environment"}}, A},
		{"ec2:CreateTags", "*", ctx{"aws:TagKeys": {"owner"}}, D},
	}},
	{name: "DynamoDB fine-grained access: dynamodb:LeadingKeys", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:*:*:table/GameScores","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:userid}"]}}}`,
		`{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:*:*:table/Public","Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["id","title"]},"StringEqualsIfExists":{"dynamodb:Select":"SPECIFIC_ATTRIBUTES"}}}`)}, cases: []tc{
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/GameScores", ctx{"aws:userid": {"AIDA1"}, "dynamodb:LeadingKeys": {"AIDA1"}}, A},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/GameScores", ctx{"aws:userid": {"AIDA1"}, "dynamodb:LeadingKeys": {"AIDA2"}}, D},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:" + acct + ":table/GameScores", ctx{"aws:userid": {"AIDA1"}, "dynamodb:LeadingKeys": {"AIDA1", "AIDA2"}}, D},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/Public", ctx{"dynamodb:Attributes": {"id"}, "dynamodb:Select": {"SPECIFIC_ATTRIBUTES"}}, A},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/Public", ctx{"dynamodb:Attributes": {"id", "secret"}}, D},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/Public", ctx{"dynamodb:Select": {"ALL_ATTRIBUTES"}}, D},
	}},
	{name: "Arn operators", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"sns:Publish","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket-*"}}}`,
		`{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:`+acct+`:topic"}}}`,
		`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/blocked-*"}}}`,
		`{"Effect":"Allow","Action":"lambda:GetFunction","Resource":"*","Condition":{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:`+acct+`:topic"}}}`)}, cases: []tc{
		{"sns:Publish", "*", ctx{"aws:SourceArn": {"arn:aws:s3:::bucket-logs"}}, A},
		{"sns:Publish", "*", ctx{"aws:SourceArn": {"arn:aws:s3:::other"}}, D},
		{"sqs:SendMessage", "*", ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:" + acct + ":topic"}}, A},
		{"sqs:SendMessage", "*", ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:" + acct + ":topic2"}}, D},
		{"sqs:SendMessage", "*", ctx{"aws:SourceArn": {"not-an-arn"}}, D},
		{"lambda:InvokeFunction", "*", ctx{"aws:PrincipalArn": {"arn:aws:iam::" + acct + ":role/app"}}, A},
		{"lambda:InvokeFunction", "*", ctx{"aws:PrincipalArn": {"arn:aws:iam::" + acct + ":role/blocked-x"}}, D},
		{"lambda:GetFunction", "*", ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:" + acct + ":other"}}, A},
		{"lambda:GetFunction", "*", ctx{"aws:SourceArn": {"arn:aws:sns:us-east-1:" + acct + ":topic"}}, D},
	}},
	{name: "BinaryEquals", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"BinaryEquals":{"s3:key":"QmluYXJ5VmFsdWU="}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:key": {"QmluYXJ5VmFsdWU="}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:key": {"T3RoZXI="}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:key": {"%%%"}}, D},
	}},
	{name: "several condition keys and operators: AND; several values: OR", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/dept":["a","b"],"aws:RequestedRegion":"us-east-1"},"Bool":{"aws:SecureTransport":"true"}}}`)}, cases: []tc{
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"b"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"}}, A},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"c"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"a"}, "aws:RequestedRegion": {"us-west-2"}, "aws:SecureTransport": {"true"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"a"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"false"}}, D},
		{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"aws:PrincipalTag/dept": {"a"}, "aws:RequestedRegion": {"us-east-1"}}, D},
	}},
	{name: "ABAC: resource tag equals principal tag", principal: alice, identity: []string{doc(
		`{"Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Project":"${aws:PrincipalTag/Project}"}}}`)}, cases: []tc{
		{"ec2:StartInstances", "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1", ctx{"aws:ResourceTag/Project": {"blue"}, "aws:PrincipalTag/Project": {"blue"}}, A},
		{"ec2:StopInstances", "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1", ctx{"aws:ResourceTag/Project": {"red"}, "aws:PrincipalTag/Project": {"blue"}}, D},
		{"ec2:StopInstances", "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1", ctx{"aws:ResourceTag/Project": {"blue"}}, D},
		{"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1", ctx{"aws:ResourceTag/Project": {"blue"}, "aws:PrincipalTag/Project": {"blue"}}, D},
	}},
	{name: "resource policy alone grants a named user in the same account", principal: bob,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
			{"s3:GetObject", "arn:aws:s3:::c/k", nil, D},
		}},
	{name: "resource policy naming another user does not grant", principal: alice,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + acct + `:user/bob"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "resource policy naming the account delegates to identity policies", principal: alice,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "resource policy naming the account root, with an identity grant", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "public bucket policy: Principal *", principal: anon,
		resource: doc(`{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::site/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::site/index.html", nil, A},
			{"s3:GetObjectVersion", "arn:aws:s3:::site/index.html", nil, A},
			{"s3:PutObject", "arn:aws:s3:::site/index.html", nil, D},
			{"s3:ListBucket", "arn:aws:s3:::site", nil, D},
		}},
	{name: "Principal {AWS: *} covers users, not anonymous callers", principal: anon,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		}},
	{name: "resource explicit deny overrides identity allow", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/alice"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:DeleteObject", "arn:aws:s3:::b/k", nil, XR},
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		}},
	{name: "NotPrincipal deny: everyone except alice", principal: bob,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::` + acct + `:user/alice","arn:aws:iam::` + acct + `:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::vault","arn:aws:s3:::vault/*"]}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::vault/k", nil, XR},
			{"s3:GetObject", "arn:aws:s3:::other/k", nil, A},
		}},
	{name: "NotPrincipal deny spares the named principal", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::` + acct + `:user/alice"]},"Action":"s3:*","Resource":["arn:aws:s3:::vault","arn:aws:s3:::vault/*"]}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::vault/k", nil, A},
		}},
	{name: "cross-account: identity allow alone is not enough", principal: carol, resAcct: acct,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)}, cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, DR},
		}},
	{name: "cross-account: resource allow alone is not enough", principal: carol, resAcct: acct,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "cross-account: both sides allow", principal: carol, resAcct: acct,
		identity: []string{doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, DR},
			{"s3:DeleteObject", "arn:aws:s3:::b/k", nil, DR},
		}},
	{name: "cross-account: resource policy naming the user, identity silent", principal: carol, resAcct: acct,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:user/carol"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "cross-account: the other account's root needs the resource policy", principal: Principal{Kind: Root, ARN: "arn:aws:iam::" + other + ":root", Account: other}, resAcct: acct,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, DR},
		}},
	{name: "permissions boundary: intersection with identity policies", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":["iam:CreateUser","s3:GetObject","cloudwatch:PutMetricData"],"Resource":"*"}`)},
		boundary: doc(`{"Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"}`), cases: []tc{
			{"iam:CreateUser", "arn:aws:iam::" + acct + ":user/x", nil, DB},
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"cloudwatch:PutMetricData", "*", nil, A},
			{"ec2:RunInstances", "*", nil, D}, // boundary alone grants nothing
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "permissions boundary with an explicit deny", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		boundary: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Deny","Action":"iam:DeleteUserPermissionsBoundary","Resource":"*"}`), cases: []tc{
			{"iam:DeleteUserPermissionsBoundary", "arn:aws:iam::" + acct + ":user/alice", nil, XB},
			{"iam:CreateUser", "arn:aws:iam::" + acct + ":user/x", nil, A},
		}},
	{name: "boundary does not limit a resource policy naming the user", principal: alice,
		boundary: doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`),
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "session policies limit the role's policies", principal: session,
		identity: []string{doc(`{"Effect":"Allow","Action":["s3:*","dynamodb:*"],"Resource":"*"}`)},
		session:  []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)}, cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, DS},
			{"s3:GetObject", "arn:aws:s3:::c/k", nil, DS},
			{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, DS},
			{"sqs:SendMessage", "*", nil, D}, // the session policy cannot add
		}},
	{name: "session policy with a deny", principal: session,
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		session:  []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}`)}, cases: []tc{
			{"s3:DeleteObject", "arn:aws:s3:::b/k", nil, XS},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, A},
		}},
	{name: "role session without session policies: the role's policies", principal: session,
		identity: []string{doc(`{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:` + acct + `:table/T"}`)}, cases: []tc{
			{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, A},
			{"dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/T", nil, D},
			{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" + acct + ":table/U", nil, D},
		}},
	{name: "resource policy naming the session ARN grants the session", principal: session,
		session:  []string{doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::` + acct + `:assumed-role/R/s1"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A}, // not limited by the session policy
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "resource policy naming the role: the session policy still limits", principal: session,
		session:  []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/R"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, D},
		}},
	{name: "resource policy naming the role grants its sessions", principal: session,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/R"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", nil, A},
		}},
	{name: "service principal in a resource policy (Lambda permission)", principal: Principal{Kind: ServicePrincipal, Service: "s3.amazonaws.com", Account: acct},
		resource: doc(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:` + acct + `:function:f","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::uploads"}}}`), cases: []tc{
			{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + acct + ":function:f", ctx{"aws:SourceArn": {"arn:aws:s3:::uploads"}}, A},
			{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + acct + ":function:f", ctx{"aws:SourceArn": {"arn:aws:s3:::other"}}, D},
			{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" + acct + ":function:g", ctx{"aws:SourceArn": {"arn:aws:s3:::uploads"}}, D},
		}},
	{name: "explicit deny in one of several identity policies", principal: alice,
		identity: []string{
			doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
			doc(`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}`),
			doc(`{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}`)}, cases: []tc{
			{"s3:DeleteBucket", "arn:aws:s3:::b", nil, XI},
			{"s3:CreateBucket", "arn:aws:s3:::b", nil, A},
			{"dynamodb:DeleteTable", "*", nil, A},
		}},
	{name: "statements that do not match do not deny", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
			`{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/secret/*"}`,
			`{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}`)}, cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/public/k", nil, A},
			{"s3:GetObject", "arn:aws:s3:::b/secret/k", nil, XI},
			{"s3:PutObject", "arn:aws:s3:::b/public/k", ctx{"s3:x-amz-server-side-encryption": {"AES256"}}, A},
			{"s3:PutObject", "arn:aws:s3:::b/public/k", ctx{"s3:x-amz-server-side-encryption": {"aws:kms"}}, XI},
			{"s3:PutObject", "arn:aws:s3:::b/public/k", nil, XI},
		}},
	{name: "S3 canned ACL condition on PutObject (bucket policy)", principal: carol, resAcct: acct,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}`), cases: []tc{
			{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"s3:x-amz-acl": {"bucket-owner-full-control"}}, A},
			{"s3:PutObject", "arn:aws:s3:::b/k", ctx{"s3:x-amz-acl": {"private"}}, DR},
			{"s3:PutObject", "arn:aws:s3:::b/k", nil, DR},
		}},
	{name: "ExistingObjectTag condition", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}}`)}, cases: []tc{
			{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:ExistingObjectTag/classification": {"public"}}, A},
			{"s3:GetObject", "arn:aws:s3:::b/k", ctx{"s3:ExistingObjectTag/classification": {"secret"}}, D},
		}},
	{name: "aws:PrincipalArn and aws:PrincipalAccount in a resource policy", principal: carol, resAcct: acct,
		identity: []string{doc(`{"Effect":"Allow","Action":"sqs:*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"`+other+`"}}}`,
			`{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/mallory"}}}`), cases: []tc{
			{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acct + ":q", ctx{"aws:PrincipalAccount": {other}, "aws:PrincipalArn": {carol.ARN}}, A},
			{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acct + ":q", ctx{"aws:PrincipalAccount": {"999999999999"}, "aws:PrincipalArn": {carol.ARN}}, DR},
			{"sqs:DeleteQueue", "arn:aws:sqs:us-east-1:" + acct + ":q", ctx{"aws:PrincipalAccount": {other}}, DR},
			{"sqs:SendMessage", "arn:aws:sqs:us-east-1:" + acct + ":q", ctx{"aws:PrincipalAccount": {other}, "aws:PrincipalArn": {"arn:aws:iam::" + other + ":user/mallory"}}, XR},
		}},
}

// Trust policies are resource policies on the role for sts:AssumeRole.
var trustGroups = []group{
	{name: "trust: a named user of the account", principal: bob,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/bob"},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, A},
			{"sts:TagSession", "arn:aws:iam::" + acct + ":role/R", nil, D},
		}},
	{name: "trust: another user is refused", principal: alice,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/bob"},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, D},
		}},
	{name: "trust: the account, with the user's identity policy", principal: alice,
		identity: []string{doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/R"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, A},
		}},
	{name: "trust: the account, without an identity policy", principal: bob,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, D},
		}},
	{name: "trust: ExternalId", principal: carol, resAcct: acct,
		identity: []string{doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique-ID-123"}}}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", ctx{"sts:ExternalId": {"Unique-ID-123"}}, A},
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", ctx{"sts:ExternalId": {"wrong"}}, DR},
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, DR},
		}},
	{name: "trust: the Lambda service", principal: lsvc,
		resource: doc(`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, A},
		}},
	{name: "trust: another service is refused", principal: Principal{Kind: ServicePrincipal, Service: "glue.amazonaws.com"},
		resource: doc(`{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, D},
		}},
	{name: "trust: MFA required", principal: bob,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/bob"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", ctx{"aws:MultiFactorAuthPresent": {"true"}}, A},
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/R", nil, D},
		}},
	{name: "trust: a role session assuming another role (chaining)", principal: session,
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/R"},"Action":"sts:AssumeRole"}`), cases: []tc{
			{"sts:AssumeRole", "arn:aws:iam::" + acct + ":role/Other", nil, A},
		}},
}

func build(t testing.TB, g group, k Kind) *Set {
	s := &Set{}
	for _, d := range g.identity {
		s.Identity = append(s.Identity, mustParse(t, d, Identity))
	}
	if g.boundary != "" {
		s.Boundary = mustParse(t, g.boundary, Identity)
	}
	for _, d := range g.session {
		s.Session = append(s.Session, mustParse(t, d, Identity))
		s.SessionPolicies = true
	}
	if g.resource != "" {
		s.Resource = mustParse(t, g.resource, k)
	}
	return s
}

func mustParse(t testing.TB, d string, k Kind) *Policy {
	t.Helper()
	p, err := Parse(d, k)
	if err != nil {
		t.Fatalf("Parse(%s): %v", d, err)
	}
	return p
}

func TestEvaluate(t *testing.T) {
	n := 0
	run := func(gs []group, k Kind) {
		for _, g := range gs {
			s := build(t, g, k)
			for i, c := range g.cases {
				n++
				r := &Request{Principal: g.principal, Action: c.action, Resource: c.resource, ResourceAccount: g.resAcct, Context: Context{}}
				for key, v := range c.ctx {
					r.Context.Set(key, v...)
				}
				d := Evaluate(s, r)
				if d.Allowed != (c.want == Allowed) || d.Reason != c.want {
					t.Errorf("%s #%d: %s on %s %v: got allowed=%v reason=%v, want reason %v", g.name, i, c.action, c.resource, c.ctx, d.Allowed, d.Reason, c.want)
				}
			}
		}
	}
	run(groups, Resource)
	run(trustGroups, Trust)
	t.Logf("%d evaluation cases", n)
}

func TestMessage(t *testing.T) {
	d := Decision{Reason: ImplicitDenyIdentity}
	got := d.Message("arn:aws:iam::000000000000:user/u", "s3:PutObject", "arn:aws:s3:::b/k", true)
	want := `User: arn:aws:iam::000000000000:user/u is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:PutObject action`
	if got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	d = Decision{Reason: ExplicitDenyIdentity}
	got = d.Message("arn:aws:sts::000000000000:assumed-role/R/s", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/T", false)
	want = "User: arn:aws:sts::000000000000:assumed-role/R/s is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T with an explicit deny in an identity-based policy"
	if got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
}

func (r Reason) String() string {
	return [...]string{"Allowed", "ImplicitDenyIdentity", "ImplicitDenyResource", "ImplicitDenyBoundary",
		"ImplicitDenySession", "ExplicitDenyIdentity", "ExplicitDenyResource", "ExplicitDenyBoundary", "ExplicitDenySession"}[r]
}

var _ = fmt.Sprint
