package dynamodb

import (
	"strings"

	"github.com/fogbank/fogbank/internal/store"
)

// PartitionKey answers the name of a table's partition key attribute, for
// IAM enforcement's dynamodb:LeadingKeys; ok is false when the table does
// not exist.
func (s *Service) PartitionKey(acct, region, table string) (name string, ok bool) {
	s.st.View(func(tx *store.Tx) error {
		t, err := s.loadTable(tx, acct, region, table)
		if err == nil && t != nil {
			name, ok = t.Hash, true
		}
		return nil
	})
	return name, ok
}

// ResourceTags answers a table's tags by its ARN (or one of its indexes'),
// for IAM enforcement's aws:ResourceTag/<key>; ok is false for other ARNs
// and tables that do not exist.
func (s *Service) ResourceTags(arn string) (tags map[string]string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return nil, false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "table/"), "/")
	s.st.View(func(tx *store.Tx) error {
		t, err := s.loadTable(tx, parts[4], parts[3], name)
		if err == nil && t != nil {
			ok, tags = true, map[string]string{}
			for _, tg := range t.Tags {
				tags[tg.Key] = tg.Value
			}
		}
		return nil
	})
	return tags, ok
}
