package policy

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		doc  string
		kind Kind
		want string // "" for valid
	}{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Identity, ""},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity, ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, Identity, ""},
		{`not json`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":null}]}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17"}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[]}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, Identity, "Policy statement must contain actions."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, Identity, "Policy statement must contain resources."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, Identity, "Policy document should not specify a principal."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allowed","Action":"s3:*","Resource":"*"}]}`, Identity, "Invalid effect: Allowed"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s 3:Get","Resource":"*"}]}`, Identity, "Vendor s 3 is not valid"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get","Resource":"bucket"}]}`, Identity, `Resource bucket must be in ARN format or "*".`},
		{`{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:Get","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"s3:Get","Resource":"*"}]}`, Identity, "Statement IDs (SID) in a single policy must be unique."},
		{`{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity, "The policy failed legacy parsing"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}]}`, Identity, "Invalid Condition type : StringEqualz"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:username":"maybe"}}}]}`, Identity, "Invalid Condition value for Null : maybe"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Extra":1}]}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]} {}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`, Resource, "Missing required field Principal"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`, Resource, ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, Trust, ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`, Trust, "Has prohibited field Resource"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, Trust, "Missing required field Principal"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}`, Trust, `Invalid principal in policy: "AWS":"bob"`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Nobody":"x"},"Action":"sts:AssumeRole"}]}`, Trust, `Invalid principal in policy: "Nobody"`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`, Trust, ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"],"Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}]}`, Identity, ""},
	}
	for _, c := range cases {
		_, err := Parse(c.doc, c.kind)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Parse(%s) = %q, want %q", c.doc, got, c.want)
		}
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "a", true}, {"a*b", "axxb", true}, {"a*b", "axxbc", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*a*b*", "xxaxxbxx", true}, {"**", "x", true},
		{"a\x01", "a*", true}, {"a\x01", "ab", false},
	}
	for _, c := range cases {
		if got := glob(c.p, c.s, false); got != c.want {
			t.Errorf("glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

// BenchmarkEvaluate is the measure: 10 attached policies of 10
// statements each, conditions in some, the request allowed by the last one.
func BenchmarkEvaluate(b *testing.B) {
	s := &Set{}
	for p := 0; p < 10; p++ {
		var st []string
		for i := 0; i < 10; i++ {
			cond := ""
			if i%3 == 0 {
				cond = `,"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]},"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`
			}
			st = append(st, fmt.Sprintf(`{"Effect":"Allow","Action":["dynamodb:Get*","s3:List%d*","sqs:Send%d"],"Resource":"arn:aws:s3:::bucket-%d-%d/*"%s}`, i, i, p, i, cond))
		}
		s.Identity = append(s.Identity, MustParse(doc(st...), Identity))
	}
	s.Identity[9].Statements[9].Actions = append(s.Identity[9].Statements[9].Actions, "s3:GetObject")
	r := &Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-9-9/some/key.csv", Context: Context{}}
	r.Context.Set("aws:RequestedRegion", "us-east-1")
	r.Context.Set("aws:SourceIp", "127.0.0.1")
	r.Context.Set("aws:username", "alice")
	if d := Evaluate(s, r); !d.Allowed {
		b.Fatalf("not allowed: %v", d.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(s, r)
	}
	_ = strings.ToLower
}
