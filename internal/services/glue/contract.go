package glue

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// The catalogue contract: what Athena (and any other service) uses to read
// and change the one Data Catalog it shares with Glue, looked up with
// host.Lookup by these exact method sets. Tables and partitions travel as
// AWS's JSON objects (GetTable's "Table", GetPartitions' "Partition",
// TableInput, PartitionInput), so the caller needs no Glue types. A missing
// database, table or partition is an error wrapping fs.ErrNotExist (test it
// with errors.Is); other errors carry Glue's AWS code (InvalidInputException…)
// and message.

// CatalogDatabases lists the names of the databases of an account and region.
func (s *Service) CatalogDatabases(account, region string) ([]string, error) {
	dbs, err := s.listDatabases(account, region)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(dbs))
	for i, d := range dbs {
		names[i] = *d.Name
	}
	return names, nil
}

// CatalogPutDatabase creates a database unless it exists.
func (s *Service) CatalogPutDatabase(account, region, name string) error {
	return s.st.Update(func(tx *store.Tx) error {
		err := s.createDatabase(tx, account, region, &glueapi.DatabaseInput{Name: &name})
		var ae *glueapi.AlreadyExistsException
		if errors.As(err, &ae) {
			return nil
		}
		return err
	})
}

// CatalogDeleteDatabase deletes a database with its tables, partitions and
// everything else kept under it, as DeleteDatabase does.
func (s *Service) CatalogDeleteDatabase(account, region, name string) error {
	_, err := s.DeleteDatabase(api.WithCaller(context.Background(), &api.Caller{Account: account, Region: region}), &glueapi.DeleteDatabaseRequest{Name: &name})
	return notExist(err)
}

// CatalogTableJSON answers a table as GetTable's "Table" object.
func (s *Service) CatalogTableJSON(account, region, database, table string) ([]byte, error) {
	var out []byte
	err := s.st.View(func(tx *store.Tx) error {
		t, err := getTable(tx, account, region, lower(database), lower(table))
		if err != nil {
			return err
		}
		out = marshal(t)
		return nil
	})
	return out, notExist(err)
}

// CatalogTables lists the table names of a database.
func (s *Service) CatalogTables(account, region, database string) ([]string, error) {
	ts, err := s.listTables(account, region, lower(database))
	if err != nil {
		return nil, notExist(err)
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = *t.Name
	}
	return names, nil
}

// CatalogPutTableJSON creates a table, or replaces it (archiving the old
// version), from a TableInput-shaped JSON object.
func (s *Service) CatalogPutTableJSON(account, region, database string, table []byte) error {
	in := new(glueapi.TableInput)
	if err := unmarshal(table, in); err != nil {
		return fmt.Errorf("glue: table input: %w", err)
	}
	if in.Name == nil || *in.Name == "" {
		return invalidInput("TableInput.Name is required.")
	}
	err := s.st.Update(func(tx *store.Tx) error {
		_, err := s.putTable(tx, account, region, lower(database), in, true, true, false, "")
		return err
	})
	return notExist(err)
}

// CatalogDeleteTable deletes a table with its partitions.
func (s *Service) CatalogDeleteTable(account, region, database, table string) error {
	return notExist(s.st.Update(func(tx *store.Tx) error {
		return deleteTable(tx, account, region, lower(database), lower(table))
	}))
}

// CatalogPartitionsJSON lists a table's partitions as "Partition" objects,
// filtered by expression (GetPartitions' Expression; "" for all).
func (s *Service) CatalogPartitionsJSON(account, region, database, table, expression string) ([][]byte, error) {
	var raws [][]byte
	err := s.st.View(func(tx *store.Tx) error {
		t, err := getTable(tx, account, region, lower(database), lower(table))
		if err != nil {
			return err
		}
		_, raws, err = partitions(tx, account, region, t, expression, nil)
		return err
	})
	return raws, notExist(err)
}

// CatalogAddPartitionsJSON adds partitions from PartitionInput-shaped JSON
// objects; partitions that exist already are kept as they are.
func (s *Service) CatalogAddPartitionsJSON(account, region, database, table string, parts [][]byte) error {
	ins := make([]*glueapi.PartitionInput, len(parts))
	for i, raw := range parts {
		ins[i] = new(glueapi.PartitionInput)
		if err := unmarshal(raw, ins[i]); err != nil {
			return fmt.Errorf("glue: partition input: %w", err)
		}
	}
	return notExist(s.st.Update(func(tx *store.Tx) error {
		t, err := getTable(tx, account, region, lower(database), lower(table))
		if err != nil {
			return err
		}
		for _, in := range ins {
			err := s.addPartition(tx, account, region, t, in)
			var ae *glueapi.AlreadyExistsException
			if err != nil && !errors.As(err, &ae) {
				return err
			}
		}
		return nil
	}))
}

// CatalogDeletePartitions deletes the partitions with these values (each a
// list of values in partition-key order); missing ones are ignored.
func (s *Service) CatalogDeletePartitions(account, region, database, table string, values [][]string) error {
	return notExist(s.st.Update(func(tx *store.Tx) error {
		t, err := getTable(tx, account, region, lower(database), lower(table))
		if err != nil {
			return err
		}
		for _, v := range values {
			err := deletePartition(tx, account, region, t, v)
			var nf *glueapi.EntityNotFoundException
			if err != nil && !errors.As(err, &nf) {
				return err
			}
		}
		return nil
	}))
}

// notFoundError is an EntityNotFoundException that also says fs.ErrNotExist,
// for callers outside the package.
type notFoundError struct {
	*glueapi.EntityNotFoundException
}

func (e notFoundError) Unwrap() []error { return []error{e.EntityNotFoundException, fs.ErrNotExist} }

func notExist(err error) error {
	var nf *glueapi.EntityNotFoundException
	if errors.As(err, &nf) {
		return notFoundError{nf}
	}
	return err
}

func lower(s string) string { return norm(&s) }

// CatalogParquetColumns reads the top-level columns of the Parquet file at
// path (a local file) from its footer, with their types as Glue names them
// ("bigint", "string", "decimal(10,2)", "array<int>"...), in file order.
// Athena uses it to check a table's declared columns against its files, as
// Hive does when it reads them, and bytes (each column's compressed size over
// all row groups) to count what a query scans.
func (s *Service) CatalogParquetColumns(path string) (names, types []string, bytes []int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	size := st.Size()
	if size < 12 {
		return nil, nil, nil, errors.New("not a Parquet file (too short)")
	}
	tail := make([]byte, 8)
	if _, err := f.ReadAt(tail, size-8); err != nil {
		return nil, nil, nil, err
	}
	if string(tail[4:]) != "PAR1" {
		return nil, nil, nil, errors.New("not a Parquet file (no closing magic number)")
	}
	n := int64(binary.LittleEndian.Uint32(tail))
	if n > maxFooter || n > size-12 {
		return nil, nil, nil, fmt.Errorf("a Parquet footer of %d bytes in a file of %d", n, size)
	}
	footer := make([]byte, n)
	if _, err := f.ReadAt(footer, size-8-n); err != nil {
		return nil, nil, nil, err
	}
	cols, _, err := parquetSchema(footer)
	if err != nil {
		return nil, nil, nil, err
	}
	sizes, err := parquetColumnBytes(footer)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range cols {
		names, types, bytes = append(names, c.name), append(types, c.t.String()), append(bytes, sizes[c.name])
	}
	return names, types, bytes, nil
}
