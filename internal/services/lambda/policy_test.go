package lambda_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fogbank/fogbank/fogbanktest"
)

func TestPermissions(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	create(t, c, "pol", zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return e\n"}))
	arn := "arn:aws:lambda:us-east-1:000000000000:function:pol"

	_, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol")})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")

	out, err := c.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String("pol"), StatementId: aws.String("s3invoke"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::my-bucket"), SourceAccount: aws.String("000000000000"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Sid":"s3invoke","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + arn + `",` +
		`"Condition":{"StringEquals":{"AWS:SourceAccount":"000000000000"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket"}}}`
	if *out.Statement != want {
		t.Errorf("Statement\n got %s\nwant %s", *out.Statement, want)
	}
	// An account principal becomes its root ARN.
	if _, err := c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(arn), StatementId: aws.String("acct"),
		Action: aws.String("lambda:*"), Principal: aws.String("111122223333")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("acct"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	wantCode(t, err, "ResourceConflictException", "The statement id (acct) provided already exists")
	_, err = c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("x"),
		Action: aws.String("s3:GetObject"), Principal: aws.String("*")})
	wantCode(t, err, "ValidationException", "at 'action' failed to satisfy constraint")
	_, err = c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("nope"), StatementId: aws.String("x"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")

	pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version, Id string
		Statement   []struct {
			Sid       string
			Principal map[string]string
			Resource  string
		}
	}
	if err := json.Unmarshal([]byte(*pol.Policy), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || doc.Id != "default" || len(doc.Statement) != 2 ||
		doc.Statement[1].Principal["AWS"] != "arn:aws:iam::111122223333:root" || doc.Statement[1].Resource != arn {
		t.Errorf("policy %s", *pol.Policy)
	}
	cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("pol")})
	if err != nil {
		t.Fatal(err)
	}
	if *cfg.RevisionId != *pol.RevisionId {
		t.Errorf("policy revision %s, function revision %s", *pol.RevisionId, *cfg.RevisionId)
	}

	// RevisionId guards both changes.
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("acct"), RevisionId: aws.String("stale")})
	wantCode(t, err, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id")
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("acct"), RevisionId: pol.RevisionId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("acct")})
	wantCode(t, err, "ResourceNotFoundException", "Statement acct is not found in resource policy.")
	if _, err := c.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("s3invoke")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol")})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")

	// A deleted function's policy goes with it.
	if _, err := c.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("pol"), StatementId: aws.String("s"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("pol")}); err != nil {
		t.Fatal(err)
	}
	create(t, c, "pol", zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return e\n"}))
	_, err = c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("pol")})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
}
