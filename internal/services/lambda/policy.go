package lambda

import (
	"context"
	"encoding/json"
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/store"
)

// A function's resource-based policy (AddPermission, RemovePermission,
// GetPolicy): one document per function and qualifier, in bucket
// "lambda"/"policies" under the function's key, "\x00" and the qualifier
// ("" for the unqualified function). Changing it gives the function a new
// RevisionId, which GetPolicy answers and AddPermission/RemovePermission's
// RevisionId is checked against, as on AWS.

const policyBucket = "policies"

// maxPolicy is AWS's limit on a function's policy document.
const maxPolicy = 20480

// policyDoc is the document GetPolicy answers, members in AWS's order.
type policyDoc struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string     `json:"Sid"`
	Effect    string     `json:"Effect"`
	Principal any        `json:"Principal"` // "*" or {"Service": ...} or {"AWS": ...}
	Action    string     `json:"Action"`
	Resource  string     `json:"Resource"`
	Condition *condition `json:"Condition,omitempty"`
}

type condition struct {
	StringEquals map[string]string `json:"StringEquals,omitempty"`
	ArnLike      map[string]string `json:"ArnLike,omitempty"`
	Bool         map[string]string `json:"Bool,omitempty"`
}

func policyKey(account, region, name, qualifier string) []byte {
	return append(key(account, region, name), append([]byte{0}, qualifier...)...)
}

// qualified takes a qualifier off a FunctionName (invoke.go's
// splitQualifier) and checks it against the Qualifier parameter.
func qualified(fn, param string) (name, qualifier string, err error) {
	name, q, err := splitQualifier(fn)
	if err != nil {
		return "", "", err
	}
	if q == "" {
		return name, param, nil
	}
	if param != "" && param != q {
		return "", "", invalid("The derived qualifier from the function name does not match the specified qualifier.")
	}
	return name, q, nil
}

var (
	statementIDRE = lazy.Regexp{Expr: `^[a-zA-Z0-9-_.]+$`}
	actionRE      = lazy.Regexp{Expr: `^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`}
	accountRE     = lazy.Regexp{Expr: `^\d{12}$`}
)

// principal is a Principal parameter as the policy states it.
func principal(p string) (any, error) {
	switch {
	case p == "*":
		return "*", nil
	case accountRE.Get().MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}, nil
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}, nil
	case strings.Contains(p, ".") && !strings.ContainsAny(p, " \t/:"):
		return map[string]string{"Service": p}, nil
	}
	return nil, invalid("The provided principal was invalid. Please check the principal and try again.")
}

// policyTarget resolves a FunctionName and Qualifier to the function's key
// parts and the qualifier.
func policyTarget(ctx context.Context, fn *string, qualifier *string) (account, region, name, q string, err error) {
	bare, q, err := qualified(api.ToString(fn), api.ToString(qualifier))
	if err != nil {
		return "", "", "", "", err
	}
	account, region, name, err = resolve(ctx, &bare)
	return account, region, name, q, err
}

// readPolicy reads a function's policy (nil when it has none) and the
// function's record; the function must exist.
func (s *Service) readPolicy(tx *store.Tx, account, region, name, q string) (*function, *policyDoc, error) {
	fb := tx.Bucket(rootBucket, fnBucket)
	k := key(account, region, name)
	if fb == nil || fb.Get(k) == nil {
		return nil, nil, notFound(account, region, name)
	}
	f := new(function)
	if err := fb.GetJSON(k, f); err != nil {
		return nil, nil, err
	}
	if q != "" && q != "$LATEST" {
		// The version or alias must exist (versions.go).
		if _, err := s.resolveQualified(tx, account, region, name, q, false); err != nil {
			return nil, nil, err
		}
	}
	pb := tx.Bucket(rootBucket, policyBucket)
	if pb == nil {
		return f, nil, nil
	}
	v := pb.Get(policyKey(account, region, name, q))
	if v == nil {
		return f, nil, nil
	}
	doc := new(policyDoc)
	if err := json.Unmarshal(v, doc); err != nil {
		return nil, nil, err
	}
	return f, doc, nil
}

// writePolicy stores doc (deleting it when it has no statement left) and
// gives the function a new RevisionId.
func writePolicy(tx *store.Tx, f *function, q string, doc *policyDoc) error {
	pb, err := tx.CreateBucket(rootBucket, policyBucket)
	if err != nil {
		return err
	}
	pk := policyKey(f.Account, f.Region, f.Name, q)
	if len(doc.Statement) == 0 {
		if err := pb.Delete(pk); err != nil {
			return err
		}
	} else {
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if len(b) > maxPolicy {
			return &lambdaapi.PolicyLengthExceededException{Type: api.String("User"),
				Message: api.String("The final policy size (" + itoa(len(b)) + ") is bigger than the limit (" + itoa(maxPolicy) + ").")}
		}
		if err := pb.Put(pk, b); err != nil {
			return err
		}
	}
	f.RevisionID = newRevision()
	return tx.Bucket(rootBucket, fnBucket).PutJSON(key(f.Account, f.Region, f.Name), f)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func checkRevision(f *function, rev *string) error {
	if rev != nil && *rev != f.RevisionID {
		return &lambdaapi.PreconditionFailedException{Type: api.String("User"),
			Message: api.String("The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id")}
	}
	return nil
}

// AddPermission adds a statement to a function's policy.
func (s *Service) AddPermission(ctx context.Context, in *lambdaapi.AddPermissionRequest) (*lambdaapi.AddPermissionResponse, error) {
	sid, action := api.ToString(in.StatementId), api.ToString(in.Action)
	if !statementIDRE.Get().MatchString(sid) {
		return nil, validation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)", sid)
	}
	if !actionRE.Get().MatchString(action) {
		return nil, validation("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", action)
	}
	prin, err := principal(api.ToString(in.Principal))
	if err != nil {
		return nil, err
	}
	account, region, name, q, err := policyTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	st := statement{Sid: sid, Effect: "Allow", Principal: prin, Action: action}
	c := &condition{}
	eq := func(k, v string) {
		if c.StringEquals == nil {
			c.StringEquals = map[string]string{}
		}
		c.StringEquals[k] = v
	}
	if in.SourceAccount != nil {
		eq("AWS:SourceAccount", *in.SourceAccount)
	}
	if in.PrincipalOrgID != nil {
		eq("aws:PrincipalOrgID", *in.PrincipalOrgID)
	}
	if in.EventSourceToken != nil {
		eq("lambda:EventSourceToken", *in.EventSourceToken)
	}
	if in.FunctionUrlAuthType != nil {
		eq("lambda:FunctionUrlAuthType", *in.FunctionUrlAuthType)
	}
	if in.SourceArn != nil {
		c.ArnLike = map[string]string{"AWS:SourceArn": *in.SourceArn}
	}
	if in.InvokedViaFunctionUrl != nil {
		c.Bool = map[string]string{"lambda:InvokedViaFunctionUrl": map[bool]string{true: "true", false: "false"}[*in.InvokedViaFunctionUrl]}
	}
	if c.StringEquals != nil || c.ArnLike != nil || c.Bool != nil {
		st.Condition = c
	}
	err = s.st.Update(func(tx *store.Tx) error {
		f, doc, err := s.readPolicy(tx, account, region, name, q)
		if err != nil {
			return err
		}
		if err := checkRevision(f, in.RevisionId); err != nil {
			return err
		}
		st.Resource = f.arn()
		if q != "" {
			st.Resource += ":" + q
		}
		if doc == nil {
			doc = &policyDoc{Version: "2012-10-17", ID: "default"}
		}
		for _, old := range doc.Statement {
			if old.Sid == sid {
				return &lambdaapi.ResourceConflictException{Type: api.String("User"),
					Message: api.String("The statement id (" + sid + ") provided already exists. Please provide a new statement id, or remove the existing statement.")}
			}
		}
		doc.Statement = append(doc.Statement, st)
		return writePolicy(tx, f, q, doc)
	})
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(st)
	return &lambdaapi.AddPermissionResponse{Statement: api.String(string(b))}, nil
}

// RemovePermission removes a statement from a function's policy.
func (s *Service) RemovePermission(ctx context.Context, in *lambdaapi.RemovePermissionRequest) (*lambdaapi.RemovePermissionOutput, error) {
	account, region, name, q, err := policyTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	sid := api.ToString(in.StatementId)
	err = s.st.Update(func(tx *store.Tx) error {
		f, doc, err := s.readPolicy(tx, account, region, name, q)
		if err != nil {
			return err
		}
		if err := checkRevision(f, in.RevisionId); err != nil {
			return err
		}
		if doc == nil {
			return &lambdaapi.ResourceNotFoundException{Type: api.String("User"), Message: api.String("No policy is associated with the given resource.")}
		}
		for i, st := range doc.Statement {
			if st.Sid == sid {
				doc.Statement = append(doc.Statement[:i], doc.Statement[i+1:]...)
				return writePolicy(tx, f, q, doc)
			}
		}
		return &lambdaapi.ResourceNotFoundException{Type: api.String("User"), Message: api.String("Statement " + sid + " is not found in resource policy.")}
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.RemovePermissionOutput{}, nil
}

// GetPolicy answers a function's policy document and revision.
func (s *Service) GetPolicy(ctx context.Context, in *lambdaapi.GetPolicyRequest) (*lambdaapi.GetPolicyResponse, error) {
	account, region, name, q, err := policyTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.GetPolicyResponse
	err = s.st.View(func(tx *store.Tx) error {
		f, doc, err := s.readPolicy(tx, account, region, name, q)
		if err != nil {
			return err
		}
		if doc == nil {
			return &lambdaapi.ResourceNotFoundException{Type: api.String("User"), Message: api.String("The resource you requested does not exist.")}
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		out = &lambdaapi.GetPolicyResponse{Policy: api.String(string(b)), RevisionId: api.String(f.RevisionID)}
		return nil
	})
	return out, err
}

// dropFunctionExtras deletes what this file (and the other per-function
// settings kept beside the function's record) holds for the function of key
// k; DeleteFunction calls it in its transaction.
func dropFunctionExtras(tx *store.Tx, k []byte) error {
	for _, name := range []string{policyBucket, eventConfigBucket, urlBucket} {
		b := tx.Bucket(rootBucket, name)
		if b == nil {
			continue
		}
		var keys [][]byte
		err := b.ForEachPrefix(append(append([]byte(nil), k...), 0), func(pk, _ []byte) error {
			keys = append(keys, append([]byte(nil), pk...))
			return nil
		})
		if err != nil {
			return err
		}
		for _, pk := range keys {
			if err := b.Delete(pk); err != nil {
				return err
			}
		}
	}
	return nil
}
