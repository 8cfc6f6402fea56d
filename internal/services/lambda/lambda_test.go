package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/fogbanktest"
)

const role = "arn:aws:iam::000000000000:role/lambda-role"

// zipOf builds a zip in memory from name → content.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(h[:])
}

func create(t *testing.T, c *lambda.Client, name string, code []byte) *lambda.CreateFunctionOutput {
	t.Helper()
	out, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimePython312,
		Role:         aws.String(role),
		Handler:      aws.String("app.handler"),
		Code:         &types.FunctionCode{ZipFile: code},
		Environment:  &types.Environment{Variables: map[string]string{"GREETING": "hi"}},
		Timeout:      aws.Int32(10),
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("err = %s %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestFunctionLifecycle(t *testing.T) {
	dir := t.TempDir()
	srv := fogbanktest.Start(t, fogbanktest.WithDataDir(dir))
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	code := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return e\n"})

	out := create(t, c, "fn1", code)
	if got, want := aws.ToString(out.FunctionArn), "arn:aws:lambda:us-east-1:000000000000:function:fn1"; got != want {
		t.Errorf("FunctionArn = %q, want %q", got, want)
	}
	if aws.ToString(out.CodeSha256) != sha(code) || out.CodeSize != int64(len(code)) {
		t.Errorf("CodeSha256/CodeSize = %s/%d, want %s/%d", aws.ToString(out.CodeSha256), out.CodeSize, sha(code), len(code))
	}
	if out.State != types.StateActive || out.LastUpdateStatus != types.LastUpdateStatusSuccessful {
		t.Errorf("State/LastUpdateStatus = %s/%s", out.State, out.LastUpdateStatus)
	}
	if aws.ToInt32(out.Timeout) != 10 || aws.ToInt32(out.MemorySize) != 128 || out.Environment.Variables["GREETING"] != "hi" {
		t.Errorf("Timeout/MemorySize/Env = %d/%d/%v", aws.ToInt32(out.Timeout), aws.ToInt32(out.MemorySize), out.Environment.Variables)
	}

	// The SDK's waiters pass at once.
	if err := lambda.NewFunctionActiveV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fn1")}, 5*time.Second); err != nil {
		t.Fatalf("function_active_v2: %v", err)
	}

	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("fn1"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: code}})
	wantCode(t, err, "ResourceConflictException", "Function already exist: fn1")

	// Code update: new hash; configuration update: new env and timeout.
	code2 := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 2\n"})
	up, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("fn1"), ZipFile: code2})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.CodeSha256) != sha(code2) {
		t.Errorf("after UpdateFunctionCode CodeSha256 = %s, want %s", aws.ToString(up.CodeSha256), sha(code2))
	}
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("fn1"),
		Timeout: aws.Int32(30), Environment: &types.Environment{Variables: map[string]string{"A": "b"}}}); err != nil {
		t.Fatal(err)
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fn1")}, 5*time.Second); err != nil {
		t.Fatalf("function_updated_v2: %v", err)
	}

	// The function survives a restart over the same data directory.
	srv.Stop()
	srv = fogbanktest.Start(t, fogbanktest.WithDataDir(dir))
	c = lambda.NewFromConfig(srv.Config)
	got, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:fn1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(got.Timeout) != 30 || got.Environment.Variables["A"] != "b" || aws.ToString(got.CodeSha256) != sha(code2) || aws.ToString(got.Handler) != "app.handler" {
		t.Errorf("after restart: Timeout %d Env %v CodeSha256 %s", aws.ToInt32(got.Timeout), got.Environment.Variables, aws.ToString(got.CodeSha256))
	}

	create(t, c, "fn0", code)
	create(t, c, "fn2", code)
	var names []string
	p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if strings.Join(names, ",") != "fn0,fn1,fn2" {
		t.Errorf("ListFunctions = %v", names)
	}

	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("fn1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fn1")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn1")
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("fn1")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn1")
}

func TestCreateRefuses(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	good := zipOf(t, map[string]string{"app.py": "x = 1\n"})
	for _, tc := range []struct {
		name      string
		in        lambda.CreateFunctionInput
		code, msg string
	}{
		{"dotdot", lambda.CreateFunctionInput{Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"../evil.py": "x"})}},
			"InvalidParameterValueException", "leaves the function's directory"},
		{"nested dotdot", lambda.CreateFunctionInput{Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"a/../../evil.py": "x"})}},
			"InvalidParameterValueException", "leaves the function's directory"},
		{"absolute", lambda.CreateFunctionInput{Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"/etc/evil": "x"})}},
			"InvalidParameterValueException", "absolute path"},
		{"not a zip", lambda.CreateFunctionInput{Role: aws.String(role), Code: &types.FunctionCode{ZipFile: []byte("hello")}},
			"InvalidParameterValueException", "Could not unzip uploaded file"},
		{"bad role", lambda.CreateFunctionInput{Role: aws.String("lambda-role"), Code: &types.FunctionCode{ZipFile: good}},
			"ValidationException", "Value 'lambda-role' at 'role' failed to satisfy constraint"},
		{"runtime not run yet", lambda.CreateFunctionInput{Role: aws.String(role), Runtime: types.RuntimeJava21, Code: &types.FunctionCode{ZipFile: good}},
			"InvalidParameterValueException", "The runtime parameter of java21 is not supported by fogbank yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.FunctionName = aws.String("bad")
			if in.Runtime == "" {
				in.Runtime = types.RuntimePython312
			}
			in.Handler = aws.String("app.handler")
			_, err := c.CreateFunction(ctx, &in)
			wantCode(t, err, tc.code, tc.msg)
		})
	}
	// Nothing refused was kept.
	_, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("bad")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found")
}
