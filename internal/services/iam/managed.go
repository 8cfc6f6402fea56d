package iam

import (
	_ "embed"
	"encoding/json"
	"github.com/fogbank/fogbank/internal/lazy"
	"time"

	"github.com/fogbank/fogbank/internal/iam/policy"
)

// managed.json holds AWS managed policies with their real documents, ARNs and
// versions (genmanaged/main.go says how it is made).
//
//go:embed managed.json
var managedJSON []byte

// awsManaged returns the AWS managed policies, by ARN; parsedAWS their parsed
// documents. Both are built on first use, not at start: parsing 32 documents
// took a megabyte and 7 ms of every start-up, needed only once IAM is asked.
func awsManaged() map[string]*managed { return loadManaged.Get().byARN }

func parsedAWS() map[string]*policy.Policy { return loadManaged.Get().parsed }

// managedSet is AWS's managed policies, by ARN, as records and parsed.
type managedSet struct {
	byARN  map[string]*managed
	parsed map[string]*policy.Policy
}

var loadManaged = lazy.Value[managedSet]{New: func() managedSet {
	var entries []struct {
		Name, ARN, Path, Version, Created, Updated, Document string
	}
	if err := json.Unmarshal(managedJSON, &entries); err != nil {
		panic("iam: managed.json: " + err.Error())
	}
	byARN := make(map[string]*managed, len(entries))
	parsed := make(map[string]*policy.Policy, len(entries))
	for _, e := range entries {
		created, _ := time.Parse(time.RFC3339, e.Created)
		updated, _ := time.Parse(time.RFC3339, e.Updated)
		byARN[e.ARN] = &managed{Name: e.Name, Path: e.Path, ARN: e.ARN, ID: "ANPA" + awsID(e.Name),
			Created: created, Updated: updated, Default: e.Version,
			Versions: []version{{ID: e.Version, Doc: e.Document, Created: updated}}}
		parsed[e.ARN] = policy.MustParse(e.Document, policy.Identity)
	}
	return managedSet{byARN, parsed}
}}

// awsID makes a stable 17-character id from a policy's name (AWS's ids are
// fixed per policy; ours only need to be stable and unique).
func awsID(name string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var h uint64 = 14695981039346656037
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	b := make([]byte, 17)
	for i := range b {
		b[i] = alphabet[h%32]
		h = h/32 + uint64(i)*2654435761
	}
	return string(b)
}
