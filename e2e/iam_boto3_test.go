package e2e

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// IAM's errors and limits, as boto3 (both generations) sees them: AWS's codes,
// messages and statuses.
func TestIAMErrorsBoto3(t *testing.T) {
	f := start(t, "")
	script := `
import boto3, os, json
from botocore.exceptions import ClientError
iam = boto3.client("iam", endpoint_url=os.environ["FOGBANK_URL"], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
out = {}
def err(f, **kw):
    try:
        f(**kw)
        return None
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
out["nosuch"] = err(iam.get_user, UserName="u")
iam.create_user(UserName="u")
out["exists"] = err(iam.create_user, UserName="U")
out["malformed"] = err(iam.create_policy, PolicyName="p", PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}')
out["principal"] = err(iam.put_user_policy, UserName="u", PolicyName="x",
    PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}')
arn = iam.create_policy(PolicyName="p", PolicyDocument=doc)["Policy"]["Arn"]
out["arn"] = arn
out["dup"] = err(iam.create_policy, PolicyName="p", PolicyDocument=doc)
for i in range(4):
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc, SetAsDefault=(i == 3))
out["versions"] = err(iam.create_policy_version, PolicyArn=arn, PolicyDocument=doc)
out["default"] = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
out["deldefault"] = err(iam.delete_policy_version, PolicyArn=arn, VersionId="v5")
iam.attach_user_policy(UserName="u", PolicyArn=arn)
out["attached"] = iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"]
out["conflict"] = err(iam.delete_user, UserName="u")
out["delpolicy"] = err(iam.delete_policy, PolicyArn=arn)
iam.put_user_policy(UserName="u", PolicyName="inline", PolicyDocument=doc)
out["inline"] = iam.get_user_policy(UserName="u", PolicyName="inline")["PolicyDocument"]["Statement"][0]["Action"]
out["nosuchpolicy"] = err(iam.get_user_policy, UserName="u", PolicyName="nope")
aws = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")["Policy"]
out["aws"] = [aws["PolicyName"], aws["Path"]]
iam.create_access_key(UserName="u")
iam.create_access_key(UserName="u")
out["keys"] = err(iam.create_access_key, UserName="u")
d = iam.get_account_authorization_details()
u = d["UserDetailList"][0]
out["details"] = [u["UserName"], u["AttachedManagedPolicies"][0]["PolicyName"],
    u["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"], len(d["Policies"][0]["PolicyVersionList"])]
sim = iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:user/u", ActionNames=["s3:GetObject", "s3:PutObject"])["EvaluationResults"]
out["sim"] = [[r["EvalActionName"], r["EvalDecision"], sorted(m["SourcePolicyId"] + "/" + m["SourcePolicyType"] for m in r["MatchedStatements"])] for r in sim]
cus = iam.simulate_custom_policy(PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})],
    ActionNames=["s3:GetObject", "s3:DeleteBucket"], ContextEntries=[])["EvaluationResults"]
out["custom"] = [[r["EvalActionName"], r["EvalDecision"], r["MissingContextValues"]] for r in cus]
out["role"] = err(iam.create_role, RoleName="r", AssumeRolePolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}]}))
print(json.dumps(out))
`
	want := map[string]any{
		"nosuch":       []any{"NoSuchEntity", "The user with name u cannot be found.", 404.0},
		"exists":       []any{"EntityAlreadyExists", "User with name U already exists.", 409.0},
		"malformed":    []any{"MalformedPolicyDocument", "Policy statement must contain resources.", 400.0},
		"principal":    []any{"MalformedPolicyDocument", "Policy document should not specify a principal.", 400.0},
		"arn":          "arn:aws:iam::000000000000:policy/p",
		"dup":          []any{"EntityAlreadyExists", "A policy called p already exists. Duplicate names are not allowed.", 409.0},
		"versions":     []any{"LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", 409.0},
		"default":      "v5",
		"deldefault":   []any{"DeleteConflict", "Cannot delete the default version of a policy.", 409.0},
		"attached":     1.0,
		"conflict":     []any{"DeleteConflict", "Cannot delete entity, must detach all policies first.", 409.0},
		"delpolicy":    []any{"DeleteConflict", "Cannot delete a policy attached to entities.", 409.0},
		"inline":       "s3:GetObject",
		"nosuchpolicy": []any{"NoSuchEntity", "The user policy with name nope cannot be found.", 404.0},
		"aws":          []any{"AWSLambdaBasicExecutionRole", "/service-role/"},
		"keys":         []any{"LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409.0},
		"details":      []any{"u", "p", "s3:GetObject", 5.0},
		"sim": []any{[]any{"s3:GetObject", "allowed", []any{"inline/user", "p/user-managed"}},
			[]any{"s3:PutObject", "implicitDeny", []any{}}},
		"custom": []any{[]any{"s3:GetObject", "implicitDeny", []any{"aws:SourceIp"}},
			[]any{"s3:DeleteBucket", "explicitDeny", []any{"aws:SourceIp"}}},
		"role": []any{"MalformedPolicyDocument", "Has prohibited field Resource", 400.0},
	}
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			f.run(t, nil, "curl", "-s", "-X", "POST", f.URL+"/_fogbank/reset")
			out, errOut, code := f.run(t, nil, p.bin, "-c", script)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			for k, w := range want {
				if !reflect.DeepEqual(got[k], w) {
					t.Errorf("%s = %v, want %v", k, got[k], w)
				}
			}
		})
	}
}
