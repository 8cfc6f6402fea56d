package actions

import (
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"
)

// The services without a mapping of their own (Athena, Glue, CloudWatch,
// EventBridge, Cost Explorer, Redshift Data): the action is the operation's
// name (after renamed), and its resources are built from the ARN formats of
// the action's resource types, filling each ${Variable} from the request.

// renamed are the operations whose IAM action is not their own name, checked
// by hand against the Service Authorization Reference (the services with a
// mapping of their own keep theirs: s3Actions, lambdaActions...).
var renamed = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"sqs:SendMessageBatch":               "sqs:SendMessage",
		"sqs:DeleteMessageBatch":             "sqs:DeleteMessage",
		"sqs:ChangeMessageVisibilityBatch":   "sqs:ChangeMessageVisibility",
		"sns:PublishBatch":                   "sns:Publish",
		"lambda:GetLayerVersionByArn":        "lambda:GetLayerVersion",
		"redshift-data:GetStatementResultV2": "redshift-data:GetStatementResult",
		// Glue's "unfiltered" reads are for Lake Formation integrations; they
		// need the read of what they return.
		"glue:GetUnfilteredTableMetadata":      "glue:GetTable",
		"glue:GetUnfilteredPartitionMetadata":  "glue:GetPartition",
		"glue:GetUnfilteredPartitionsMetadata": "glue:GetPartitions",
	}
}}

// iamPrefix is the IAM service prefix of a signing name.
func iamPrefix(signing string) string {
	if signing == "monitoring" {
		return "cloudwatch"
	}
	return signing
}

// fieldsFor are the input fields a ${Variable} of an ARN format is read from,
// besides a field of the variable's own name.
var fieldsFor = lazy.Value[map[string][]string]{New: func() map[string][]string {
	return map[string][]string{
		"WorkGroupName":   {"WorkGroup"},
		"DataCatalogName": {"CatalogName"},
		"BucketName":      {"Bucket"},
		"ObjectName":      {"Key"},
		"Account":         nil, // always the caller's
	}
}}

func generic(r *Request, prefix string) []Check {
	action := prefix + ":" + r.Operation
	if a := renamed.Get()[action]; a != "" {
		action = a
	}
	a := Lookup(action)
	if a == nil {
		return one(r, action, "*")
	}
	action = prefix + ":" + a.Name
	svc := services.Get()[prefix]
	var out []Check
	optional := false
	for _, ref := range a.Resources {
		if !ref.Required && optional {
			continue
		}
		rt := svc.ResourceTypes[ref.Type]
		if rt == nil {
			continue
		}
		if res, ok := fill(rt.ARN, r); ok {
			out = append(out, Check{Action: action, Resource: res})
			optional = optional || !ref.Required
		}
	}
	if len(out) == 0 {
		if res := arnField(r.Input); res != "" && len(a.Resources) > 0 {
			return one(r, action, res)
		}
		return one(r, action, "*")
	}
	return out
}

// fill replaces the variables of an ARN format with the request's values;
// ok is false when one of them has none. The name of what the operation is
// named after may come from the input's "Name" (Glue's GetDatabase names its
// database so, EventBridge's PutRule its rule).
func fill(format string, r *Request) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			b.WriteString(format)
			return b.String(), true
		}
		j := strings.IndexByte(format[i:], '}')
		if j < 0 {
			return "", false
		}
		b.WriteString(format[:i])
		v := format[i+2 : i+j]
		format = format[i+j+1:]
		var val string
		switch v {
		case "Partition":
			val = "aws"
		case "Region":
			val = r.Region
		case "Account":
			val = r.Account
		default:
			val = field(r.Input, v)
			for _, f := range fieldsFor.Get()[v] {
				if val == "" {
					val = field(r.Input, f)
				}
			}
			if noun, ok := strings.CutSuffix(v, "Name"); ok && val == "" && strings.Contains(r.Operation, noun) {
				val = field(r.Input, "Name")
			}
		}
		if val == "" {
			return "", false
		}
		b.WriteString(val)
	}
}

// arnField is an ARN the input names its resource by (TagResource...).
func arnField(in any) string {
	for _, f := range []string{"ResourceArn", "ResourceARN", "Arn", "ARN"} {
		if v := field(in, f); strings.HasPrefix(v, "arn:") {
			return v
		}
	}
	return ""
}
