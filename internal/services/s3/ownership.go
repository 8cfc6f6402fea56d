package s3

import (
	"encoding/json"
	"net/http"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// Object ownership and the public access block: the two bucket settings that
// change what ACLs and policies may say.

// ownership returns the bucket's ObjectOwnership setting ("" when never set:
// fogbank then behaves as ObjectWriter, so that ACLs work as they always did).
func ownership(tx *store.Tx, bucket string) (string, error) {
	var cfg s3api.OwnershipControls
	ok, err := getConfig(tx, bucket, cfgOwnership, &cfg)
	if err != nil || !ok || len(cfg.Rules) == 0 {
		return "", err
	}
	return api.ToString(cfg.Rules[0].ObjectOwnership), nil
}

func errACLNotSupported() error {
	return api.Errorf(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
}

// applyOwnership settles who owns a new object version written with canned
// ACL canned (nil when none, grants says grant headers were sent): with
// BucketOwnerEnforced the bucket owner, and ACLs other than
// bucket-owner-full-control are refused; with BucketOwnerPreferred the bucket
// owner when the writer gave it full control.
func applyOwnership(tx *store.Tx, b *bucketRec, r *objRec, canned *string, grants bool) error {
	own, err := ownership(tx, b.Name)
	if err != nil {
		return err
	}
	bofc := canned != nil && *canned == "bucket-owner-full-control"
	switch own {
	case "BucketOwnerEnforced":
		if (canned != nil && !bofc) || grants {
			return errACLNotSupported()
		}
		r.Owner, r.ACL = b.Account, nil
	case "BucketOwnerPreferred":
		if bofc {
			r.Owner, r.ACL = b.Account, nil
		}
	}
	return nil
}

// publicAccessBlock returns the bucket's public access block (zero when unset).
func publicAccessBlock(tx *store.Tx, bucket string) (s3api.PublicAccessBlockConfiguration, error) {
	var cfg s3api.PublicAccessBlockConfiguration
	_, err := getConfig(tx, bucket, cfgPublicAccess, &cfg)
	return cfg, err
}

// publicACL tells whether an ACL grants anything to everyone or to every
// authenticated AWS user.
func publicACL(a *aclRec) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.URI == allUsers || g.URI == authUsers {
			return true
		}
	}
	return false
}

// checkPublicACL refuses a public ACL where BlockPublicAcls is on.
func checkPublicACL(tx *store.Tx, bucket string, a *aclRec) error {
	if !publicACL(a) {
		return nil
	}
	pab, err := publicAccessBlock(tx, bucket)
	if err != nil {
		return err
	}
	if api.ToBool(pab.BlockPublicAcls) {
		return errAccessDenied()
	}
	return nil
}

// publicPolicy tells whether a policy allows anyone (Principal "*") without a
// condition.
func publicPolicy(doc string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	var stmts []map[string]any
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	anyone := &api.Caller{Anonymous: true}
	for _, st := range stmts {
		if st["Effect"] == "Allow" && st["Condition"] == nil && principalMatches(st["Principal"], anyone) {
			return true
		}
	}
	return false
}
