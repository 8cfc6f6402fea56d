package glue

import (
	"context"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// SearchTables finds tables of every database whose name, description,
// column names or comments, or parameters hold SearchText (case-insensitive),
// and that pass the Filters (DatabaseName, TableType, Name and parameters by
// key; EQUALS, GREATER_THAN, LESS_THAN…; for a filter without a Comparator,
// a match anywhere in the value), sorted by SortCriteria (a field of the
// table) or by database and name.
func (s *Service) SearchTables(ctx context.Context, in *glueapi.SearchTablesRequest) (*glueapi.SearchTablesResponse, error) {
	account, region := where(ctx, in.CatalogId)
	text := strings.ToLower(api.ToString(in.SearchText))
	var ts []*glueapi.Table
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kTables)...)
		if b == nil {
			return nil
		}
		var dbs []string
		b.ForEachBucket(func(n []byte) error { dbs = append(dbs, string(n)); return nil })
		for _, db := range dbs {
			if err := tx.Bucket(p(account, region, kTables, db)...).ForEach(func(_, v []byte) error {
				t := new(glueapi.Table)
				if err := unmarshal(v, t); err != nil {
					return err
				}
				if (text == "" || strings.Contains(searchable(t), text)) && passes(t, in.Filters) {
					ts = append(ts, t)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	key := func(t *glueapi.Table) string { return *t.DatabaseName + "\x00" + *t.Name }
	sort.Slice(ts, func(i, j int) bool { return key(ts[i]) < key(ts[j]) })
	if len(in.SortCriteria) == 1 {
		field, desc := api.ToString(in.SortCriteria[0].FieldName), api.ToString(in.SortCriteria[0].Sort) == "DESC"
		sort.SliceStable(ts, func(i, j int) bool {
			a, b := tableField(ts[i], field), tableField(ts[j], field)
			if desc {
				return a > b
			}
			return a < b
		})
	}
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	// The page token is the position in the sorted result (as a zero-padded
	// name, for page's comparison).
	got, next, err := page(idx, func(i int) string { return padInt(i) }, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, err
	}
	out := &glueapi.SearchTablesResponse{TableList: []*glueapi.Table{}, NextToken: next}
	for _, i := range got {
		out.TableList = append(out.TableList, ts[i])
	}
	return out, nil
}

func padInt(i int) string {
	s := "0000000000" + itoa(i)
	return s[len(s)-10:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// searchable is the text SearchText is looked for in.
func searchable(t *glueapi.Table) string {
	var b strings.Builder
	b.WriteString(api.ToString(t.Name) + "\n" + api.ToString(t.Description) + "\n")
	cols := append([]*glueapi.Column(nil), t.PartitionKeys...)
	if t.StorageDescriptor != nil {
		cols = append(cols, t.StorageDescriptor.Columns...)
	}
	for _, c := range cols {
		b.WriteString(api.ToString(c.Name) + "\n" + api.ToString(c.Comment) + "\n")
	}
	for k, v := range t.Parameters {
		b.WriteString(k + "\n" + v + "\n")
	}
	return strings.ToLower(b.String())
}

func tableField(t *glueapi.Table, field string) string {
	switch field {
	case "Name", "NAME":
		return api.ToString(t.Name)
	case "DatabaseName":
		return api.ToString(t.DatabaseName)
	case "TableType":
		return api.ToString(t.TableType)
	case "Description":
		return api.ToString(t.Description)
	case "Owner":
		return api.ToString(t.Owner)
	case "CreateTime":
		if t.CreateTime != nil {
			return t.CreateTime.UTC().Format("2006-01-02T15:04:05")
		}
	case "UpdateTime":
		if t.UpdateTime != nil {
			return t.UpdateTime.UTC().Format("2006-01-02T15:04:05")
		}
	default:
		return t.Parameters[field]
	}
	return ""
}

func passes(t *glueapi.Table, fs []*glueapi.PropertyPredicate) bool {
	for _, f := range fs {
		got, want := tableField(t, api.ToString(f.Key)), api.ToString(f.Value)
		ok := false
		switch api.ToString(f.Comparator) {
		case "EQUALS":
			ok = got == want
		case "GREATER_THAN":
			ok = got > want
		case "LESS_THAN":
			ok = got < want
		case "GREATER_THAN_EQUALS":
			ok = got >= want
		case "LESS_THAN_EQUALS":
			ok = got <= want
		default:
			ok = strings.Contains(strings.ToLower(got), strings.ToLower(want))
		}
		if !ok {
			return false
		}
	}
	return true
}
