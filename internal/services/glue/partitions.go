package glue

import (
	"context"
	"hash/fnv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// partKey is a partition's key in its table's bucket: its values joined by NUL,
// which no partition value holds.
func partKey(values []string) string { return strings.Join(values, "\x00") }

func partNotFound() error { return notFound("Cannot find partition.") }

func checkValues(t *glueapi.Table, values []string) error {
	if len(values) != len(t.PartitionKeys) {
		return invalidInput("The number of partition keys do not match the number of partition values")
	}
	return nil
}

func partitionFrom(t *glueapi.Table, account string, in *glueapi.PartitionInput, now time.Time) *glueapi.Partition {
	pt := &glueapi.Partition{
		Values:            in.Values,
		DatabaseName:      t.DatabaseName,
		TableName:         t.Name,
		CreationTime:      &now,
		LastAccessTime:    in.LastAccessTime,
		StorageDescriptor: in.StorageDescriptor,
		Parameters:        in.Parameters,
		LastAnalyzedTime:  in.LastAnalyzedTime,
		CatalogId:         api.String(account),
	}
	if pt.Parameters == nil {
		pt.Parameters = map[string]string{}
	}
	return pt
}

// addPartition stores one partition; an existing one is an AlreadyExistsException.
func (s *Service) addPartition(tx *store.Tx, account, region string, t *glueapi.Table, in *glueapi.PartitionInput) error {
	if err := checkValues(t, in.Values); err != nil {
		return err
	}
	path := p(account, region, kPartitions, *t.DatabaseName, *t.Name)
	k := partKey(in.Values)
	if b := tx.Bucket(path...); b != nil && b.Get([]byte(k)) != nil {
		return exists("Partition already exists.")
	}
	return putRec(tx, partitionFrom(t, account, in, s.now().UTC().Truncate(time.Second)), k, path...)
}

func getPartition(tx *store.Tx, account, region string, t *glueapi.Table, values []string) (*glueapi.Partition, error) {
	if err := checkValues(t, values); err != nil {
		return nil, err
	}
	pt := new(glueapi.Partition)
	ok, err := getRec(tx, pt, partKey(values), p(account, region, kPartitions, *t.DatabaseName, *t.Name)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, partNotFound()
	}
	return pt, nil
}

func deletePartition(tx *store.Tx, account, region string, t *glueapi.Table, values []string) error {
	if _, err := getPartition(tx, account, region, t, values); err != nil {
		return err
	}
	path := p(account, region, kPartitions, *t.DatabaseName, *t.Name)
	if err := delRec(tx, partKey(values), path...); err != nil {
		return err
	}
	// The partition's column statistics go with it.
	if b := tx.Bucket(p(account, region, kColStats, *t.DatabaseName, *t.Name)...); b != nil {
		var ks [][]byte
		b.ForEachPrefix([]byte("P\x00"+partKey(values)+"\x00"), func(k, _ []byte) error {
			ks = append(ks, append([]byte(nil), k...))
			return nil
		})
		for _, k := range ks {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

func updatePartition(tx *store.Tx, account, region string, t *glueapi.Table, values []string, in *glueapi.PartitionInput) error {
	old, err := getPartition(tx, account, region, t, values)
	if err != nil {
		return err
	}
	if err := checkValues(t, in.Values); err != nil {
		return err
	}
	pt := partitionFrom(t, account, in, *old.CreationTime)
	path := p(account, region, kPartitions, *t.DatabaseName, *t.Name)
	if nk := partKey(in.Values); nk != partKey(values) {
		b := tx.Bucket(path...)
		if b.Get([]byte(nk)) != nil {
			return exists("Partition already exists.")
		}
		if err := b.Delete([]byte(partKey(values))); err != nil {
			return err
		}
	}
	return putRec(tx, pt, partKey(in.Values), path...)
}

// withTable runs fn on a table inside an Update (write) or a View.
func (s *Service) withTable(ctx context.Context, catalogID, dbName, tableName *string, write bool, fn func(tx *store.Tx, account, region string, t *glueapi.Table) error) error {
	account, region := where(ctx, catalogID)
	run := s.st.View
	if write {
		run = s.st.Update
	}
	return run(func(tx *store.Tx) error {
		t, err := getTable(tx, account, region, norm(dbName), norm(tableName))
		if err != nil {
			return err
		}
		return fn(tx, account, region, t)
	})
}

// CreatePartition adds one partition.
func (s *Service) CreatePartition(ctx context.Context, in *glueapi.CreatePartitionRequest) (*glueapi.CreatePartitionResponse, error) {
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		return s.addPartition(tx, account, region, t, in.PartitionInput)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreatePartitionResponse{}, nil
}

// BatchCreatePartition adds up to 100 partitions, reporting each that failed.
func (s *Service) BatchCreatePartition(ctx context.Context, in *glueapi.BatchCreatePartitionRequest) (*glueapi.BatchCreatePartitionResponse, error) {
	out := &glueapi.BatchCreatePartitionResponse{Errors: []*glueapi.PartitionError{}}
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		for _, pi := range in.PartitionInputList {
			if err := s.addPartition(tx, account, region, t, pi); err != nil {
				ed, ok := errorDetail(err)
				if !ok {
					return err
				}
				out.Errors = append(out.Errors, &glueapi.PartitionError{PartitionValues: pi.Values, ErrorDetail: ed})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetPartition answers one partition.
func (s *Service) GetPartition(ctx context.Context, in *glueapi.GetPartitionRequest) (*glueapi.GetPartitionResponse, error) {
	var pt *glueapi.Partition
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, false, func(tx *store.Tx, account, region string, t *glueapi.Table) (err error) {
		pt, err = getPartition(tx, account, region, t, in.PartitionValues)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetPartitionResponse{Partition: pt}, nil
}

// BatchGetPartition answers the partitions found; the missing ones are left
// out, as Glue does (UnprocessedKeys is for throttling, not absence).
func (s *Service) BatchGetPartition(ctx context.Context, in *glueapi.BatchGetPartitionRequest) (*glueapi.BatchGetPartitionResponse, error) {
	out := &glueapi.BatchGetPartitionResponse{Partitions: []*glueapi.Partition{}, UnprocessedKeys: []*glueapi.PartitionValueList{}}
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, false, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		for _, v := range in.PartitionsToGet {
			pt, err := getPartition(tx, account, region, t, v.Values)
			if err == nil {
				out.Partitions = append(out.Partitions, pt)
				continue
			}
			if _, ok := err.(*glueapi.EntityNotFoundException); !ok {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdatePartition replaces a partition (its values may change).
func (s *Service) UpdatePartition(ctx context.Context, in *glueapi.UpdatePartitionRequest) (*glueapi.UpdatePartitionResponse, error) {
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		return updatePartition(tx, account, region, t, in.PartitionValueList, in.PartitionInput)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdatePartitionResponse{}, nil
}

// BatchUpdatePartition replaces up to 100 partitions, reporting each failure.
func (s *Service) BatchUpdatePartition(ctx context.Context, in *glueapi.BatchUpdatePartitionRequest) (*glueapi.BatchUpdatePartitionResponse, error) {
	out := &glueapi.BatchUpdatePartitionResponse{Errors: []*glueapi.BatchUpdatePartitionFailureEntry{}}
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		for _, e := range in.Entries {
			if err := updatePartition(tx, account, region, t, e.PartitionValueList, e.PartitionInput); err != nil {
				ed, ok := errorDetail(err)
				if !ok {
					return err
				}
				out.Errors = append(out.Errors, &glueapi.BatchUpdatePartitionFailureEntry{PartitionValueList: e.PartitionValueList, ErrorDetail: ed})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePartition deletes one partition.
func (s *Service) DeletePartition(ctx context.Context, in *glueapi.DeletePartitionRequest) (*glueapi.DeletePartitionResponse, error) {
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		return deletePartition(tx, account, region, t, in.PartitionValues)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeletePartitionResponse{}, nil
}

// BatchDeletePartition deletes up to 25 partitions, reporting each failure.
func (s *Service) BatchDeletePartition(ctx context.Context, in *glueapi.BatchDeletePartitionRequest) (*glueapi.BatchDeletePartitionResponse, error) {
	out := &glueapi.BatchDeletePartitionResponse{Errors: []*glueapi.PartitionError{}}
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		for _, v := range in.PartitionsToDelete {
			if err := deletePartition(tx, account, region, t, v.Values); err != nil {
				ed, ok := errorDetail(err)
				if !ok {
					return err
				}
				out.Errors = append(out.Errors, &glueapi.PartitionError{PartitionValues: v.Values, ErrorDetail: ed})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// partitions lists a table's partitions that pass expr (all when empty), raw
// records in key order, after optional segmenting.
func partitions(tx *store.Tx, account, region string, t *glueapi.Table, expr string, seg *glueapi.Segment) (keys []string, raws [][]byte, err error) {
	var f filter
	if strings.TrimSpace(expr) != "" {
		types := map[string]string{}
		for _, c := range t.PartitionKeys {
			types[strings.ToLower(api.ToString(c.Name))] = strings.ToLower(api.ToString(c.Type))
		}
		if f, err = compileFilter(expr, types); err != nil {
			return nil, nil, invalidInput("Unsupported expression: %s (%v)", expr, err)
		}
	}
	if seg != nil && api.ToInt64(seg.SegmentNumber) >= api.ToInt64(seg.TotalSegments) {
		return nil, nil, invalidInput("Segment number %d must be less than total segments %d", api.ToInt64(seg.SegmentNumber), api.ToInt64(seg.TotalSegments))
	}
	b := tx.Bucket(p(account, region, kPartitions, *t.DatabaseName, *t.Name)...)
	if b == nil {
		return nil, nil, nil
	}
	err = b.ForEach(func(k, v []byte) error {
		values := strings.Split(string(k), "\x00")
		if seg != nil {
			h := fnv.New32a()
			h.Write(k)
			if int64(h.Sum32()%uint32(*seg.TotalSegments)) != *seg.SegmentNumber {
				return nil
			}
		}
		if f != nil {
			m := make(map[string]string, len(values))
			for i, c := range t.PartitionKeys {
				if i < len(values) {
					m[strings.ToLower(api.ToString(c.Name))] = values[i]
				}
			}
			if !f(m) {
				return nil
			}
		}
		keys = append(keys, string(k))
		raws = append(raws, append([]byte(nil), v...))
		return nil
	})
	return keys, raws, err
}

// GetPartitions lists partitions, filtered by Expression and cut in Segments;
// a page holds up to 1000 (MaxResults).
func (s *Service) GetPartitions(ctx context.Context, in *glueapi.GetPartitionsRequest) (*glueapi.GetPartitionsResponse, error) {
	var keys []string
	var raws [][]byte
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, false, func(tx *store.Tx, account, region string, t *glueapi.Table) (err error) {
		keys, raws, err = partitions(tx, account, region, t, api.ToString(in.Expression), in.Segment)
		return err
	})
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	got, next, err := page(idx, func(i int) string { return keys[i] }, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, err
	}
	out := &glueapi.GetPartitionsResponse{Partitions: make([]*glueapi.Partition, 0, len(got)), NextToken: next}
	for _, i := range got {
		pt := new(glueapi.Partition)
		if err := unmarshal(raws[i], pt); err != nil {
			return nil, err
		}
		if api.ToBool(in.ExcludeColumnSchema) && pt.StorageDescriptor != nil {
			pt.StorageDescriptor.Columns = nil
		}
		out.Partitions = append(out.Partitions, pt)
	}
	return out, nil
}
