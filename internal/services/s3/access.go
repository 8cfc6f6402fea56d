package s3

import (
	"encoding/json"
	"github.com/fogbank/fogbank/internal/lazy"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// Access control, the part S3 does itself: the owner may do anything; others
// (other accounts, anonymous callers) need an ACL grant or a bucket policy
// statement, and a Deny statement binds everyone. This is the S3 half only:
// IAM identity policies of the caller are not consulted. Policy conditions
// are evaluated for the String, Numeric, Bool and Null operators (with
// IfExists) over the S3 condition keys the request carries; a statement using
// another operator does not apply.

// condKeys are the condition keys of a request, lower-cased: "s3:x-amz-acl".
type condKeys map[string][]string

// Permissions of ACL grants.
const (
	permRead     = "READ"
	permWrite    = "WRITE"
	permReadACP  = "READ_ACP"
	permWriteACP = "WRITE_ACP"
	permOwner    = "" // only the owner
)

// aclAllows tells whether acl grants perm to the caller; ignorePublic drops the
// grants to everyone and to all authenticated users (IgnorePublicAcls).
func aclAllows(acl *aclRec, c *api.Caller, perm string, ignorePublic bool) bool {
	if acl == nil || perm == permOwner {
		return false
	}
	for _, g := range acl.Grants {
		if g.Perm != perm && g.Perm != "FULL_CONTROL" {
			continue
		}
		switch {
		case ignorePublic && (g.URI == allUsers || g.URI == authUsers):
		case g.URI == allUsers:
			return true
		case g.URI == authUsers && !c.Anonymous:
			return true
		case g.Type == "CanonicalUser" && !c.Anonymous && g.ID == canonicalID(c.Account):
			return true
		}
	}
	return false
}

// policyDecision is what a bucket policy says of a request.
type policyDecision int

const (
	policyNone policyDecision = iota
	policyAllow
	policyDeny
)

// evalPolicy applies a bucket policy to action on resource for the caller.
func evalPolicy(doc string, c *api.Caller, action, resource string, keys condKeys) policyDecision {
	if doc == "" {
		return policyNone
	}
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return policyNone
	}
	var stmts []map[string]any
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(p.Statement, &one) != nil {
			return policyNone
		}
		stmts = []map[string]any{one}
	}
	out := policyNone
	for _, st := range stmts {
		if !principalMatches(st["Principal"], c) || !anyMatch(st["Action"], action, true) || !anyMatch(st["Resource"], resource, false) {
			continue
		}
		if cond, ok := st["Condition"]; ok && !conditionsHold(cond, keys) {
			continue
		}
		switch st["Effect"] {
		case "Deny":
			return policyDeny
		case "Allow":
			out = policyAllow
		}
	}
	return out
}

// writeKeys are the condition keys of an object write.
func writeKeys(sse, kms, acl, grantFull, grantRead, grantReadACP, grantWriteACP, tagging, ssecAlgo, storageClass *string) condKeys {
	k := condKeys{}
	set := func(name string, v *string) {
		if v != nil {
			k[name] = []string{*v}
		}
	}
	set("s3:x-amz-server-side-encryption", sse)
	set("s3:x-amz-server-side-encryption-aws-kms-key-id", kms)
	set("s3:x-amz-acl", acl)
	set("s3:x-amz-grant-full-control", grantFull)
	set("s3:x-amz-grant-read", grantRead)
	set("s3:x-amz-grant-read-acp", grantReadACP)
	set("s3:x-amz-grant-write-acp", grantWriteACP)
	set("s3:x-amz-server-side-encryption-customer-algorithm", ssecAlgo)
	set("s3:x-amz-storage-class", storageClass)
	if tags, err := parseTagHeader(tagging); err == nil && len(tags) > 0 {
		var names []string
		for _, t := range tags {
			k["s3:requestobjecttag/"+strings.ToLower(t.K)] = []string{t.V}
			names = append(names, t.K)
		}
		k["s3:requestobjecttagkeys"] = names
	}
	return k
}

// conditionsHold evaluates a statement's Condition block: every operator and
// every key in it must hold.
func conditionsHold(cond any, keys condKeys) bool {
	m, ok := cond.(map[string]any)
	if !ok {
		return false
	}
	for op, kv := range m {
		entries, ok := kv.(map[string]any)
		if !ok {
			return false
		}
		for k, want := range entries {
			if !conditionHolds(op, strings.ToLower(k), want, keys) {
				return false
			}
		}
	}
	return true
}

func conditionHolds(op, key string, want any, keys condKeys) bool {
	var wants []string
	switch w := want.(type) {
	case string:
		wants = []string{w}
	case bool:
		wants = []string{strconv.FormatBool(w)}
	case float64:
		wants = []string{strconv.FormatFloat(w, 'f', -1, 64)}
	case []any:
		for _, x := range w {
			switch v := x.(type) {
			case string:
				wants = append(wants, v)
			case float64:
				wants = append(wants, strconv.FormatFloat(v, 'f', -1, 64))
			case bool:
				wants = append(wants, strconv.FormatBool(v))
			}
		}
	}
	op = strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:")
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	have, present := keys[key]
	if op == "Null" {
		return len(wants) == 1 && (wants[0] == "true") == !present
	}
	if !present {
		switch op {
		case "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals":
			return true
		}
		return ifExists
	}
	anyOf := func(match func(h, w string) bool) bool {
		for _, h := range have {
			for _, w := range wants {
				if match(h, w) {
					return true
				}
			}
		}
		return false
	}
	num := func(cmp func(a, b float64) bool) func(h, w string) bool {
		return func(h, w string) bool {
			a, err1 := strconv.ParseFloat(h, 64)
			b, err2 := strconv.ParseFloat(w, 64)
			return err1 == nil && err2 == nil && cmp(a, b)
		}
	}
	switch op {
	case "StringEquals":
		return anyOf(func(h, w string) bool { return h == w })
	case "StringNotEquals":
		return !anyOf(func(h, w string) bool { return h == w })
	case "StringEqualsIgnoreCase":
		return anyOf(strings.EqualFold)
	case "StringNotEqualsIgnoreCase":
		return !anyOf(strings.EqualFold)
	case "StringLike":
		return anyOf(func(h, w string) bool { return wildMatch(w, h) })
	case "StringNotLike":
		return !anyOf(func(h, w string) bool { return wildMatch(w, h) })
	case "NumericEquals":
		return anyOf(num(func(a, b float64) bool { return a == b }))
	case "NumericNotEquals":
		return !anyOf(num(func(a, b float64) bool { return a == b }))
	case "NumericLessThan":
		return anyOf(num(func(a, b float64) bool { return a < b }))
	case "NumericLessThanEquals":
		return anyOf(num(func(a, b float64) bool { return a <= b }))
	case "NumericGreaterThan":
		return anyOf(num(func(a, b float64) bool { return a > b }))
	case "NumericGreaterThanEquals":
		return anyOf(num(func(a, b float64) bool { return a >= b }))
	case "Bool":
		return anyOf(strings.EqualFold)
	}
	return false
}

func principalMatches(p any, c *api.Caller) bool {
	var list []any
	switch v := p.(type) {
	case string:
		return v == "*"
	case map[string]any:
		switch a := v["AWS"].(type) {
		case string:
			list = []any{a}
		case []any:
			list = a
		}
	}
	for _, x := range list {
		s, _ := x.(string)
		switch {
		case s == "*":
			return true
		case c.Anonymous:
		case s == c.Account, s == "arn:aws:iam::"+c.Account+":root", s == c.ARN, s == canonicalID(c.Account):
			return true
		}
	}
	return false
}

// anyMatch matches v (a string or list of patterns with * and ?) against s.
func anyMatch(v any, s string, fold bool) bool {
	var pats []string
	switch x := v.(type) {
	case string:
		pats = []string{x}
	case []any:
		for _, e := range x {
			if str, ok := e.(string); ok {
				pats = append(pats, str)
			}
		}
	}
	for _, p := range pats {
		if fold {
			if wildMatch(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if wildMatch(p, s) {
			return true
		}
	}
	return false
}

// wildMatch is IAM's glob: * any run, ? one character.
func wildMatch(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			if p == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if wildMatch(p, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			p, s = p[1:], s[1:]
		default:
			if s == "" || p[0] != s[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return s == ""
}

// iamAction names the IAM action of an operation where it differs from
// "s3:"+operation.
var iamAction = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock", "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
		"DeletePublicAccessBlock":         "s3:PutBucketPublicAccessBlock",
		"PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration", "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
		"DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
		"PutBucketCors":         "s3:PutBucketCORS", "GetBucketCors": "s3:GetBucketCORS", "DeleteBucketCors": "s3:PutBucketCORS",
		"PutBucketEncryption": "s3:PutEncryptionConfiguration", "GetBucketEncryption": "s3:GetEncryptionConfiguration",
		"DeleteBucketEncryption":             "s3:PutEncryptionConfiguration",
		"PutBucketNotificationConfiguration": "s3:PutBucketNotification", "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
		"DeleteBucketTagging": "s3:PutBucketTagging", "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
		"PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration", "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
		"DeleteObjectTagging": "s3:DeleteObjectTagging",
	}
}}

func actionOf(op string) string {
	if a, ok := iamAction.Get()[op]; ok {
		return a
	}
	return "s3:" + op
}

// authorize decides whether the caller may do action (an IAM action name such
// as "s3:GetObject") needing ACL permission perm, on bucket b or on object r of
// it (nil for bucket operations).
func authorize(tx *store.Tx, c *api.Caller, b *bucketRec, r *objRec, key, action, perm string, extra ...condKeys) error {
	return authorizeIn(tx, tx.Bucket(bpath(b.Name, "c")...), c, b, r, key, action, perm, extra...)
}

// authorizeIn is authorize with the bucket's configuration table already found
// (getConfigIn), as a GET has it at hand.
func authorizeIn(tx *store.Tx, cfg *store.Bucket, c *api.Caller, b *bucketRec, r *objRec, key, action, perm string, extra ...condKeys) error {
	var doc string
	if _, err := getConfigIn(cfg, b.Name, cfgPolicy, &doc); err != nil {
		return err
	}
	var dec policyDecision
	if doc != "" {
		// Only a policy needs the resource's name (and most buckets have none).
		resource := b.arn()
		if r != nil || key != "" {
			resource += "/" + key
		}
		keys := condKeys{"aws:securetransport": {"false"}}
		if r != nil {
			for _, t := range r.Tags {
				keys["s3:existingobjecttag/"+strings.ToLower(t.K)] = []string{t.V}
			}
		}
		for _, e := range extra {
			for k, v := range e {
				keys[strings.ToLower(k)] = v
			}
		}
		dec = evalPolicy(doc, c, action, resource, keys)
	}
	if dec == policyDeny && !(c.Account == b.Account && !c.Anonymous && strings.HasPrefix(action, "s3:PutBucketPolicy")) {
		return errAccessDenied()
	}
	// The bucket owner may do anything to the bucket and to objects it owns;
	// an object another account wrote (ObjectWriter ownership) needs a grant.
	if !c.Anonymous && c.Account == b.Account && (r == nil || r.Owner == "" || r.Owner == b.Account) {
		return nil
	}
	var pab s3api.PublicAccessBlockConfiguration
	if _, err := getConfigIn(cfg, b.Name, cfgPublicAccess, &pab); err != nil {
		return err
	}
	if dec == policyAllow && !(api.ToBool(pab.RestrictPublicBuckets) && publicPolicy(doc)) {
		return nil
	}
	ignore := api.ToBool(pab.IgnorePublicAcls)
	if r != nil {
		if !c.Anonymous && c.Account == r.Owner {
			return nil
		}
		if aclAllows(r.ACL, c, perm, ignore) {
			return nil
		}
		return errAccessDenied()
	}
	if aclAllows(b.ACL, c, perm, ignore) {
		return nil
	}
	return errAccessDenied()
}
