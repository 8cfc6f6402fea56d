package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIAMConditionKeysCLI: under --enforce-iam, the condition keys requests
// carry themselves decide, with the AWS CLI as the client: s3:prefix and
// s3:max-keys on listings, s3:x-amz-acl on writes, aws:RequestTag/… and
// aws:TagKeys on DynamoDB's CreateTable, dynamodb:Attributes and
// dynamodb:LeadingKeys (the partition key, of a table whose key has two
// parts) on items, aws:ResourceTag on tables and buckets,
// s3:ExistingObjectTag on objects: the examples of AWS's S3 and DynamoDB user guides.
func TestIAMConditionKeysCLI(t *testing.T) {
	bin := clis[0].bin
	need(t, bin)
	f := start(t, "", "--enforce-iam")
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("x"), 0o644)
	as := func(env []string, args ...string) (string, string, int) {
		t.Helper()
		return f.run(t, env, bin, append([]string{"--endpoint-url", f.URL, "--output", "json"}, args...)...)
	}
	ok := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, code := as(env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	refused := func(env []string, want string, args ...string) {
		t.Helper()
		if _, errOut, code := as(env, args...); code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("%v: exit %d, stderr %q; want a refusal containing %q", args, code, errOut, want)
		}
	}

	ok(nil, "s3", "mb", "s3://bkt")
	ok(nil, "s3", "mb", "s3://untagged")
	ok(nil, "s3api", "put-bucket-tagging", "--bucket", "bkt", "--tagging", "TagSet=[{Key=env,Value=dev}]")
	ok(nil, "s3api", "put-object", "--bucket", "bkt", "--key", "pub/x", "--body", file, "--tagging", "class=public")
	ok(nil, "s3api", "put-object", "--bucket", "bkt", "--key", "pub/y", "--body", file)
	ok(nil, "dynamodb", "create-table", "--table-name", "items", "--billing-mode", "PAY_PER_REQUEST",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH")
	ok(nil, "dynamodb", "create-table", "--table-name", "notes", "--billing-mode", "PAY_PER_REQUEST",
		"--attribute-definitions", "AttributeName=sk,AttributeType=S", "AttributeName=owner,AttributeType=S",
		"--key-schema", "AttributeName=owner,KeyType=HASH", "AttributeName=sk,KeyType=RANGE")
	ok(nil, "iam", "create-user", "--user-name", "u")
	ok(nil, "iam", "put-user-policy", "--user-name", "u", "--policy-name", "conditions", "--policy-document", `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bkt",
	     "Condition": {"StringLike": {"s3:prefix": ["home/*"]}}},
	    {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bkt",
	     "Condition": {"NumericGreaterThan": {"s3:max-keys": "100"}}},
	    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bkt/*",
	     "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
	    {"Effect": "Allow", "Action": "dynamodb:CreateTable", "Resource": "*",
	     "Condition": {"StringEquals": {"aws:RequestTag/team": "data"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
	    {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Resource": "arn:aws:dynamodb:*:*:table/items",
	     "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "v"]}}},
	    {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:Query"], "Resource": "arn:aws:dynamodb:*:*:table/notes",
	     "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}},
	    {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": "*",
	     "Condition": {"StringEquals": {"aws:ResourceTag/team": "data"}}},
	    {"Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": "*",
	     "Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}}},
	    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*",
	     "Condition": {"StringEquals": {"s3:ExistingObjectTag/class": "public"}}}
	  ]
	}`)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	json.Unmarshal([]byte(ok(nil, "iam", "create-access-key", "--user-name", "u")), &key)
	u := []string{"AWS_ACCESS_KEY_ID=" + key.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + key.AccessKey.SecretAccessKey}

	// s3:prefix and s3:max-keys.
	ok(u, "s3api", "list-objects-v2", "--bucket", "bkt", "--prefix", "home/u/")
	refused(u, "because no identity-based policy allows the s3:ListBucket action", "s3api", "list-objects-v2", "--bucket", "bkt", "--prefix", "other/")
	refused(u, "with an explicit deny in an identity-based policy", "s3api", "list-objects-v2", "--bucket", "bkt", "--prefix", "home/", "--page-size", "500")
	// s3:x-amz-acl.
	ok(u, "s3api", "put-object", "--bucket", "bkt", "--key", "home/a", "--body", file, "--acl", "bucket-owner-full-control")
	refused(u, "s3:PutObject", "s3api", "put-object", "--bucket", "bkt", "--key", "home/b", "--body", file)
	// aws:RequestTag and aws:TagKeys.
	table := func(name string, tags ...string) []string {
		return append([]string{"dynamodb", "create-table", "--table-name", name, "--billing-mode", "PAY_PER_REQUEST",
			"--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH", "--tags"}, tags...)
	}
	ok(u, table("tbl1", "Key=team,Value=data")...)
	refused(u, "AccessDeniedException", table("tbl2", "Key=team,Value=web")...)
	refused(u, "AccessDeniedException", table("tbl3", "Key=team,Value=data", "Key=cost,Value=1")...)
	// dynamodb:Attributes.
	ok(u, "dynamodb", "put-item", "--table-name", "items", "--item", `{"pk":{"S":"1"},"v":{"S":"a"}}`)
	refused(u, "is not authorized to perform: dynamodb:PutItem", "dynamodb", "put-item", "--table-name", "items", "--item", `{"pk":{"S":"2"},"secret":{"S":"a"}}`)
	ok(u, "dynamodb", "get-item", "--table-name", "items", "--key", `{"pk":{"S":"1"}}`, "--projection-expression", "v")
	refused(u, "AccessDeniedException", "dynamodb", "get-item", "--table-name", "items", "--key", `{"pk":{"S":"1"}}`, "--projection-expression", "secret")
	// dynamodb:LeadingKeys: only items whose partition key is the user's name.
	ok(u, "dynamodb", "put-item", "--table-name", "notes", "--item", `{"owner":{"S":"u"},"sk":{"S":"1"}}`)
	refused(u, "is not authorized to perform: dynamodb:PutItem", "dynamodb", "put-item", "--table-name", "notes", "--item", `{"owner":{"S":"v"},"sk":{"S":"u"}}`)
	if out := ok(u, "dynamodb", "query", "--table-name", "notes", "--key-condition-expression", "#o = :o AND sk > :s",
		"--expression-attribute-names", `{"#o":"owner"}`, "--expression-attribute-values", `{":o":{"S":"u"},":s":{"S":"0"}}`); !strings.Contains(out, `"Count": 1`) {
		t.Errorf("query of the user's own items = %s", out)
	}
	refused(u, "is not authorized to perform: dynamodb:Query", "dynamodb", "query", "--table-name", "notes", "--key-condition-expression", "#o = :o",
		"--expression-attribute-names", `{"#o":"owner"}`, "--expression-attribute-values", `{":o":{"S":"v"}}`)
	// aws:ResourceTag: the table's and the bucket's own tags.
	ok(u, "dynamodb", "describe-table", "--table-name", "tbl1")
	refused(u, "is not authorized to perform: dynamodb:DescribeTable", "dynamodb", "describe-table", "--table-name", "items")
	ok(u, "s3api", "get-bucket-location", "--bucket", "bkt")
	refused(u, "s3:GetBucketLocation", "s3api", "get-bucket-location", "--bucket", "untagged")
	// s3:ExistingObjectTag: the object's own tags.
	out := filepath.Join(filepath.Dir(file), "out")
	ok(u, "s3api", "get-object", "--bucket", "bkt", "--key", "pub/x", out)
	refused(u, "s3:GetObject", "s3api", "get-object", "--bucket", "bkt", "--key", "pub/y", out)
}
