package dynamodb

import "github.com/fogbank/fogbank/internal/store"

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
