package lambda_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// Versions are frozen copies; aliases name them and split traffic by weight;
// qualified names and ARNs reach them; X-Amz-Executed-Version says which ran.
func TestVersionsAndAliases(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	code := func(v string) []byte {
		return zipOf(t, map[string]string{"app.py": "import os\ndef handler(e, c):\n    return ['" + v + "', os.environ['AWS_LAMBDA_FUNCTION_VERSION'], c.invoked_function_arn]\n"})
	}
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("ver"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: code("one")}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	v2, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("ver"), ZipFile: code("two"), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v2.Version) != "2" || aws.ToString(v2.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:ver:2" {
		t.Errorf("published: %s %s", aws.ToString(v2.Version), aws.ToString(v2.FunctionArn))
	}
	// Unchanged $LATEST: the same version again.
	again, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(again.Version) != "2" {
		t.Errorf("PublishVersion of an unchanged $LATEST: %v %v", err, again)
	}
	c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("ver"), ZipFile: code("three")})

	check := func(name, qual, wantPayload, wantVersion string) {
		t.Helper()
		in := &lambda.InvokeInput{FunctionName: aws.String(name)}
		if qual != "" {
			in.Qualifier = aws.String(qual)
		}
		out, err := c.Invoke(ctx, in)
		if err != nil {
			t.Fatalf("invoke %s %s: %v", name, qual, err)
		}
		if string(out.Payload) != wantPayload || aws.ToString(out.ExecutedVersion) != wantVersion {
			t.Errorf("invoke %s %s: %s, version %s; want %s, %s", name, qual, out.Payload, aws.ToString(out.ExecutedVersion), wantPayload, wantVersion)
		}
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:ver"
	check("ver", "", `["three", "$LATEST", "`+arn+`"]`, "$LATEST")
	check("ver", "1", `["one", "1", "`+arn+`:1"]`, "1")
	check("ver:2", "", `["two", "2", "`+arn+`:2"]`, "2")
	check(arn+":1", "", `["one", "1", "`+arn+`:1"]`, "1")

	vs, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("ver")})
	if err != nil || len(vs.Versions) != 3 || aws.ToString(vs.Versions[0].Version) != "$LATEST" || aws.ToString(vs.Versions[2].Version) != "2" {
		t.Errorf("ListVersionsByFunction: %v %+v", err, vs)
	}
	gc, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("ver"), Qualifier: aws.String("1")})
	if err != nil || aws.ToString(gc.Version) != "1" {
		t.Errorf("GetFunctionConfiguration:1: %v", err)
	}

	// An alias, then a 50/50 split between 1 and 2.
	a, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if err != nil || aws.ToString(a.AliasArn) != arn+":live" {
		t.Fatalf("CreateAlias: %v %+v", err, a)
	}
	check("ver", "live", `["one", "1", "`+arn+`:live"]`, "1")
	if _, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.5}}}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := 0; i < 40; i++ {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver:live")})
		if err != nil {
			t.Fatal(err)
		}
		seen[aws.ToString(out.ExecutedVersion)]++
	}
	if seen["1"] == 0 || seen["2"] == 0 || seen["1"]+seen["2"] != 40 {
		t.Errorf("a 50/50 alias over 40 invokes ran %v", seen)
	}
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("2")})
	wantCode(t, err, "ResourceConflictException", "Unable to delete version because the following aliases reference it: [live]")
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver"), Qualifier: aws.String("9")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: "+arn+":9")
	_, err = c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	wantCode(t, err, "ResourceConflictException", "Alias already exists")
	if _, err := c.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("2")}); err != nil {
		t.Errorf("delete version 2: %v", err)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver:2")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found")
}
