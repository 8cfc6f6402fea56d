package lambda_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fogbank/fogbank/fogbanktest"
)

// Layers are unpacked in order where /opt's paths would be: a Python module
// under python/, a Node package under nodejs/node_modules, a program under
// bin/; a later layer's file replaces an earlier one's.
func TestLayers(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := lambda.NewFromConfig(srv.Config)
	ctx := context.Background()
	publish := func(name string, files map[string]string) string {
		t.Helper()
		out, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String(name),
			Content: &types.LayerVersionContentInput{ZipFile: zipOf(t, files)}, CompatibleRuntimes: []types.Runtime{types.RuntimePython312}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.LayerVersionArn)
	}
	base := publish("shared", map[string]string{
		"python/helper.py": "WHO = 'layer one'\n",
		"python/lib/python3.12/site-packages/sitepkg.py": "X = 'site'\n",
		"nodejs/node_modules/greet/index.js":             "module.exports = (n) => 'hi ' + n;\n",
	})
	over := publish("shared", map[string]string{"python/helper.py": "WHO = 'layer two'\n"})
	if base != "arn:aws:lambda:us-east-1:000000000000:layer:shared:1" || over != "arn:aws:lambda:us-east-1:000000000000:layer:shared:2" {
		t.Errorf("layer version ARNs %s %s", base, over)
	}
	tool := publish("tools", map[string]string{"bin/hello-tool": "#!/bin/sh\necho tool says hi\n"})

	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("withlayers"), Runtime: types.RuntimePython312,
		Role: aws.String(role), Handler: aws.String("app.handler"), Layers: []string{base, over},
		Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": `import helper, sitepkg
def handler(e, c):
    return [helper.WHO, sitepkg.X]
`})}})
	if err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, c, "withlayers", ""); string(out.Payload) != `["layer two", "site"]` {
		t.Errorf("python with layers: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	gf, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("withlayers")})
	if err != nil || len(gf.Layers) != 2 || aws.ToString(gf.Layers[0].Arn) != base || gf.Layers[0].CodeSize == 0 {
		t.Errorf("Layers in the configuration: %v %+v", err, gf.Layers)
	}

	// A program from a layer on PATH (zips made here carry no mode: the test
	// layer's file is run through sh).
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("withlayers"),
		Layers: []string{base, tool}})
	if err != nil {
		t.Fatal(err)
	}
	c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("withlayers"), ZipFile: zipOf(t, map[string]string{"app.py": `import helper, os, subprocess
def handler(e, c):
    tool = [os.path.join(d, "hello-tool") for d in os.environ["PATH"].split(":") if os.path.exists(os.path.join(d, "hello-tool"))][0]
    return [helper.WHO, subprocess.run(["sh", tool], capture_output=True, text=True).stdout.strip()]
`})})
	if out := invoke(t, c, "withlayers", ""); string(out.Payload) != `["layer one", "tool says hi"]` {
		t.Errorf("layer's bin on PATH: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	needProgram(t, "node")
	fn(t, c, "nodelayer", types.RuntimeNodejs20x, "index.handler", 3, map[string]string{"index.js": "const greet = require('greet');\nexports.handler = async (e) => greet(e.name);\n"})
	c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("nodelayer"), Layers: []string{base}})
	if out := invoke(t, c, "nodelayer", `{"name": "node"}`); string(out.Payload) != `"hi node"` {
		t.Errorf("node with a layer: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	ls, err := c.ListLayers(ctx, &lambda.ListLayersInput{})
	if err != nil || len(ls.Layers) != 2 || aws.ToString(ls.Layers[0].LayerName) != "shared" || ls.Layers[0].LatestMatchingVersion.Version != 2 {
		t.Errorf("ListLayers: %v %+v", err, ls)
	}
	lv, err := c.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: aws.String("shared")})
	if err != nil || len(lv.LayerVersions) != 2 || lv.LayerVersions[0].Version != 2 {
		t.Errorf("ListLayerVersions: %v %+v", err, lv)
	}
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("nodelayer"),
		Layers: []string{"arn:aws:lambda:us-east-1:000000000000:layer:shared:9"}})
	wantCode(t, err, "InvalidParameterValueException", "Layer version arn:aws:lambda:us-east-1:000000000000:layer:shared:9 does not exist.")
	if _, err := c.DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("shared"), VersionNumber: aws.Int64(1)})
	wantCode(t, err, "ResourceNotFoundException", "")
	// A function using a deleted layer version keeps working (its next cold
	// start still finds the zip).
	c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("withlayers"), Description: aws.String("cold again")})
	if out := invoke(t, c, "withlayers", ""); string(out.Payload) != `["layer one", "tool says hi"]` {
		t.Errorf("after deleting a layer version it uses: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	again := publish("shared", map[string]string{"python/helper.py": "WHO = 3\n"})
	if again != "arn:aws:lambda:us-east-1:000000000000:layer:shared:3" {
		t.Errorf("a deleted version's number was reused: %s", again)
	}
}
