package lambda_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// buildGoHandler builds testdata/gofn (a handler using aws-lambda-go, a module
// of its own) for Linux and zips it as name, executable.
func buildGoHandler(t *testing.T, name string) []byte {
	t.Helper()
	goBuild.Do(func() { goBinary, goSkip, goErr = buildGo(t.TempDir()) })
	if goSkip != "" {
		t.Skip(goSkip)
	}
	if goErr != nil {
		t.Fatal(goErr)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write(goBinary)
	zw.Close()
	return buf.Bytes()
}

var (
	goBuild  sync.Once
	goBinary []byte
	goSkip   string
	goErr    error
)

func buildGo(dir string) (bin []byte, skip string, err error) {
	if runtime.GOOS != "linux" {
		return nil, "provided runtimes run Linux binaries", nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, "no go command to build the handler", nil
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command(goBin, "build", "-o", out, ".")
	cmd.Dir = filepath.Join("testdata", "gofn")
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(msg), "dial tcp") || strings.Contains(string(msg), "proxy.golang.org") {
			return nil, "aws-lambda-go cannot be fetched here: " + string(msg), nil
		}
		return nil, "", fmt.Errorf("building testdata/gofn: %v\n%s", err, msg)
	}
	bin, err = os.ReadFile(out)
	return bin, "", err
}

func TestInvokeGo(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	for _, tc := range []struct {
		runtime types.Runtime
		file    string
		handler string
	}{
		{types.RuntimeProvidedal2023, "bootstrap", "whatever"},
		{types.RuntimeProvidedal2, "bootstrap", "whatever"},
		{types.RuntimeGo1x, "gofn", "gofn"},
	} {
		t.Run(string(tc.runtime), func(t *testing.T) {
			name := "go-" + strings.ReplaceAll(string(tc.runtime), ".", "-")
			_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: tc.runtime, Role: aws.String(role),
				Handler: aws.String(tc.handler), Code: &types.FunctionCode{ZipFile: buildGoHandler(t, tc.file)},
			})
			if err != nil {
				t.Fatal(err)
			}
			out := invoke(t, c, name, `{"name": "gopher"}`)
			var got map[string]any
			json.Unmarshal(out.Payload, &got)
			if out.FunctionError != nil || got["greeting"] != "hello gopher" || got["function"] != name ||
				got["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:"+name || len(got["request_id"].(string)) != 36 || got["has_deadline"] != true {
				t.Errorf("payload %s %s", aws.ToString(out.FunctionError), out.Payload)
			}
			if logs := logTail(t, out); !strings.Contains(logs, "hello from go\nEND RequestId") {
				t.Errorf("logs:\n%s", logs)
			}
			out = invoke(t, c, name, `{"fail": true}`)
			if aws.ToString(out.FunctionError) != "Unhandled" || string(out.Payload) != `{"errorMessage":"asked to fail","errorType":"errorString"}` {
				t.Errorf("error: %s %s", aws.ToString(out.FunctionError), out.Payload)
			}
		})
	}
}
