package glue

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// Databases.

func (s *Service) createDatabase(tx *store.Tx, account, region string, in *glueapi.DatabaseInput) error {
	name := norm(in.Name)
	var old glueapi.Database
	if ok, err := getRec(tx, &old, name, p(account, region, kDatabases)...); err != nil {
		return err
	} else if ok {
		return exists("Database already exists.")
	}
	now := s.now().UTC().Truncate(time.Second)
	db := &glueapi.Database{
		Name:                          api.String(name),
		Description:                   in.Description,
		LocationUri:                   in.LocationUri,
		Parameters:                    in.Parameters,
		CreateTime:                    &now,
		CreateTableDefaultPermissions: in.CreateTableDefaultPermissions,
		TargetDatabase:                in.TargetDatabase,
		FederatedDatabase:             in.FederatedDatabase,
		CatalogId:                     api.String(account),
	}
	if db.CreateTableDefaultPermissions == nil {
		// What AWS answers for a catalogue not governed by Lake Formation.
		db.CreateTableDefaultPermissions = []*glueapi.PrincipalPermissions{{
			Principal:   &glueapi.DataLakePrincipal{DataLakePrincipalIdentifier: api.String("IAM_ALLOWED_PRINCIPALS")},
			Permissions: []string{"ALL"},
		}}
	}
	if db.Parameters == nil {
		db.Parameters = map[string]string{}
	}
	return putRec(tx, db, name, p(account, region, kDatabases)...)
}

func getDatabase(tx *store.Tx, account, region, name string) (*glueapi.Database, error) {
	db := new(glueapi.Database)
	ok, err := getRec(tx, db, name, p(account, region, kDatabases)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, dbNotFound(name)
	}
	return db, nil
}

// CreateDatabase creates a database (names are kept lower-cased, as Glue does).
func (s *Service) CreateDatabase(ctx context.Context, in *glueapi.CreateDatabaseRequest) (*glueapi.CreateDatabaseResponse, error) {
	account, region := where(ctx, in.CatalogId)
	err := s.st.Update(func(tx *store.Tx) error {
		if err := s.createDatabase(tx, account, region, in.DatabaseInput); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			return mergeTags(tx, account, region, arn(account, region, "database", norm(in.DatabaseInput.Name)), in.Tags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreateDatabaseResponse{}, nil
}

// GetDatabase answers one database.
func (s *Service) GetDatabase(ctx context.Context, in *glueapi.GetDatabaseRequest) (*glueapi.GetDatabaseResponse, error) {
	account, region := where(ctx, in.CatalogId)
	var db *glueapi.Database
	err := s.st.View(func(tx *store.Tx) (err error) {
		db, err = getDatabase(tx, account, region, norm(in.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetDatabaseResponse{Database: db}, nil
}

func (s *Service) listDatabases(account, region string) ([]*glueapi.Database, error) {
	var dbs []*glueapi.Database
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kDatabases)...)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			db := new(glueapi.Database)
			if err := unmarshal(v, db); err != nil {
				return err
			}
			dbs = append(dbs, db)
			return nil
		})
	})
	return dbs, err
}

// GetDatabases lists the databases by name, 100 a page unless MaxResults says fewer.
func (s *Service) GetDatabases(ctx context.Context, in *glueapi.GetDatabasesRequest) (*glueapi.GetDatabasesResponse, error) {
	account, region := where(ctx, in.CatalogId)
	dbs, err := s.listDatabases(account, region)
	if err != nil {
		return nil, err
	}
	out, next, err := page(dbs, func(d *glueapi.Database) string { return *d.Name }, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	if len(in.AttributesToGet) > 0 {
		// Only the fields asked for (NAME, TARGET_DATABASE); the name always.
		for i, d := range out {
			slim := &glueapi.Database{Name: d.Name}
			for _, a := range in.AttributesToGet {
				if a == "TARGET_DATABASE" {
					slim.TargetDatabase = d.TargetDatabase
				}
			}
			out[i] = slim
		}
	}
	return &glueapi.GetDatabasesResponse{DatabaseList: out, NextToken: next}, nil
}

// UpdateDatabase replaces a database's definition, keeping its creation time.
func (s *Service) UpdateDatabase(ctx context.Context, in *glueapi.UpdateDatabaseRequest) (*glueapi.UpdateDatabaseResponse, error) {
	account, region := where(ctx, in.CatalogId)
	name := norm(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		db, err := getDatabase(tx, account, region, name)
		if err != nil {
			return err
		}
		if norm(in.DatabaseInput.Name) != name {
			return invalidInput("Database name cannot be changed.")
		}
		db.Description, db.LocationUri = in.DatabaseInput.Description, in.DatabaseInput.LocationUri
		db.Parameters = in.DatabaseInput.Parameters
		if db.Parameters == nil {
			db.Parameters = map[string]string{}
		}
		if in.DatabaseInput.CreateTableDefaultPermissions != nil {
			db.CreateTableDefaultPermissions = in.DatabaseInput.CreateTableDefaultPermissions
		}
		return putRec(tx, db, name, p(account, region, kDatabases)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateDatabaseResponse{}, nil
}

// DeleteDatabase deletes a database with its tables, partitions, versions,
// statistics and functions, as Glue does.
func (s *Service) DeleteDatabase(ctx context.Context, in *glueapi.DeleteDatabaseRequest) (*glueapi.DeleteDatabaseResponse, error) {
	account, region := where(ctx, in.CatalogId)
	name := norm(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getDatabase(tx, account, region, name); err != nil {
			return err
		}
		if err := delRec(tx, name, p(account, region, kDatabases)...); err != nil {
			return err
		}
		if err := delRec(tx, arn(account, region, "database", name), p(account, region, kTags)...); err != nil {
			return err
		}
		for _, k := range []string{kTables, kVersions, kPartitions, kIndexes, kColStats, kFunctions} {
			if err := dropBucket(tx, p(account, region, k, name)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeleteDatabaseResponse{}, nil
}

// Tables.

// tableFrom builds a stored table from a TableInput.
func tableFrom(in *glueapi.TableInput, account, db string, now time.Time) *glueapi.Table {
	t := &glueapi.Table{
		Name:                          api.String(norm(in.Name)),
		DatabaseName:                  api.String(db),
		Description:                   in.Description,
		Owner:                         in.Owner,
		CreateTime:                    &now,
		UpdateTime:                    &now,
		LastAccessTime:                in.LastAccessTime,
		LastAnalyzedTime:              in.LastAnalyzedTime,
		Retention:                     in.Retention,
		StorageDescriptor:             in.StorageDescriptor,
		PartitionKeys:                 in.PartitionKeys,
		ViewOriginalText:              in.ViewOriginalText,
		ViewExpandedText:              in.ViewExpandedText,
		TableType:                     in.TableType,
		Parameters:                    in.Parameters,
		TargetTable:                   in.TargetTable,
		CatalogId:                     api.String(account),
		IsRegisteredWithLakeFormation: api.Bool(false),
		IsMultiDialectView:            api.Bool(false),
	}
	if t.Retention == nil {
		t.Retention = api.Int64(0)
	}
	if t.PartitionKeys == nil {
		t.PartitionKeys = []*glueapi.Column{}
	}
	if t.Parameters == nil {
		t.Parameters = map[string]string{}
	}
	return t
}

func getTable(tx *store.Tx, account, region, db, name string) (*glueapi.Table, error) {
	if _, err := getDatabase(tx, account, region, db); err != nil {
		return nil, err
	}
	t := new(glueapi.Table)
	ok, err := getRec(tx, t, name, p(account, region, kTables, db)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, tableNotFound(name)
	}
	return t, nil
}

func checkTableInput(in *glueapi.TableInput) error {
	if in == nil {
		return invalidInput("TableInput is required.")
	}
	seen := map[string]bool{}
	var cols []*glueapi.Column
	if in.StorageDescriptor != nil {
		cols = in.StorageDescriptor.Columns
	}
	for _, c := range append(append([]*glueapi.Column{}, cols...), in.PartitionKeys...) {
		n := strings.ToLower(api.ToString(c.Name))
		if seen[n] {
			return invalidInput("Column name %s is duplicated.", api.ToString(c.Name))
		}
		seen[n] = true
	}
	return nil
}

// putTable creates a table (replace false) or replaces one, archiving the
// version it replaces unless skipArchive. version, when not empty, must be the
// current VersionId (optimistic concurrency, UpdateTable's VersionId).
func (s *Service) putTable(tx *store.Tx, account, region, db string, in *glueapi.TableInput, create, replace, skipArchive bool, version string) (*glueapi.Table, error) {
	if err := checkTableInput(in); err != nil {
		return nil, err
	}
	if _, err := getDatabase(tx, account, region, db); err != nil {
		return nil, err
	}
	name := norm(in.Name)
	now := s.now().UTC().Truncate(time.Second)
	old := new(glueapi.Table)
	had, err := getRec(tx, old, name, p(account, region, kTables, db)...)
	if err != nil {
		return nil, err
	}
	switch {
	case had && !replace:
		return nil, exists("Table already exists.")
	case !had && !create:
		return nil, tableNotFound(name)
	}
	t := tableFrom(in, account, db, now)
	vb, err := tx.CreateBucket(p(account, region, kVersions, db, name)...)
	if err != nil {
		return nil, err
	}
	var n uint64
	if had {
		if version != "" && version != api.ToString(old.VersionId) {
			return nil, &glueapi.ConcurrentModificationException{Message: api.String("Update table failed due to concurrent modifications.")}
		}
		t.CreateTime = old.CreateTime
		if t.Owner == nil {
			t.Owner = old.Owner
		}
		cur, _ := strconv.ParseUint(api.ToString(old.VersionId), 10, 64)
		if k, _ := vb.Cursor().Last(); k != nil {
			n = store.ParseUint64Key(k) + 1
		} else {
			n = cur + 1
		}
		if skipArchive {
			if err := vb.Delete(store.Uint64Key(cur)); err != nil {
				return nil, err
			}
		}
	}
	t.VersionId = api.String(strconv.FormatUint(n, 10))
	raw := marshal(t)
	if err := vb.Put(store.Uint64Key(n), raw); err != nil {
		return nil, err
	}
	tb, err := tx.CreateBucket(p(account, region, kTables, db)...)
	if err != nil {
		return nil, err
	}
	return t, tb.Put([]byte(name), raw)
}

func deleteTable(tx *store.Tx, account, region, db, name string) error {
	if _, err := getTable(tx, account, region, db, name); err != nil {
		return err
	}
	if err := delRec(tx, name, p(account, region, kTables, db)...); err != nil {
		return err
	}
	if err := delRec(tx, arn(account, region, "table", db+"/"+name), p(account, region, kTags)...); err != nil {
		return err
	}
	for _, k := range []string{kVersions, kPartitions, kIndexes, kColStats} {
		if err := dropBucket(tx, p(account, region, k, db, name)...); err != nil {
			return err
		}
	}
	return nil
}

// CreateTable creates a table from its TableInput, with its partition indexes.
func (s *Service) CreateTable(ctx context.Context, in *glueapi.CreateTableRequest) (*glueapi.CreateTableResponse, error) {
	account, region := where(ctx, in.CatalogId)
	if in.OpenTableFormatInput != nil {
		return nil, invalidInput("fogbank does not create Iceberg tables through OpenTableFormatInput yet.")
	}
	db := norm(in.DatabaseName)
	err := s.st.Update(func(tx *store.Tx) error {
		t, err := s.putTable(tx, account, region, db, in.TableInput, true, false, false, "")
		if err != nil {
			return err
		}
		for _, ix := range in.PartitionIndexes {
			if err := addIndex(tx, account, region, t, ix); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreateTableResponse{}, nil
}

// GetTable answers one table.
func (s *Service) GetTable(ctx context.Context, in *glueapi.GetTableRequest) (*glueapi.GetTableResponse, error) {
	account, region := where(ctx, in.CatalogId)
	var t *glueapi.Table
	err := s.st.View(func(tx *store.Tx) (err error) {
		t, err = getTable(tx, account, region, norm(in.DatabaseName), norm(in.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetTableResponse{Table: t}, nil
}

// namePattern turns GetTables' Expression (a regular expression in which a
// bare * means any run of characters, as in Hive's SHOW TABLES) into a regexp.
func namePattern(expr string) (*regexp.Regexp, error) {
	var b strings.Builder
	for i, r := range expr {
		if r == '*' && (i == 0 || expr[i-1] != '.') {
			b.WriteString(".*")
			continue
		}
		b.WriteRune(r)
	}
	re, err := regexp.Compile("(?i)^(?:" + b.String() + ")$")
	if err != nil {
		return nil, invalidInput("Invalid expression: %s", expr)
	}
	return re, nil
}

func (s *Service) listTables(account, region, db string) ([]*glueapi.Table, error) {
	var ts []*glueapi.Table
	err := s.st.View(func(tx *store.Tx) error {
		if _, err := getDatabase(tx, account, region, db); err != nil {
			return err
		}
		b := tx.Bucket(p(account, region, kTables, db)...)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			t := new(glueapi.Table)
			if err := unmarshal(v, t); err != nil {
				return err
			}
			ts = append(ts, t)
			return nil
		})
	})
	return ts, err
}

// GetTables lists a database's tables, filtered by Expression.
func (s *Service) GetTables(ctx context.Context, in *glueapi.GetTablesRequest) (*glueapi.GetTablesResponse, error) {
	account, region := where(ctx, in.CatalogId)
	ts, err := s.listTables(account, region, norm(in.DatabaseName))
	if err != nil {
		return nil, err
	}
	if e := api.ToString(in.Expression); e != "" {
		re, err := namePattern(e)
		if err != nil {
			return nil, err
		}
		kept := ts[:0]
		for _, t := range ts {
			if re.MatchString(*t.Name) {
				kept = append(kept, t)
			}
		}
		ts = kept
	}
	out, next, err := page(ts, func(t *glueapi.Table) string { return *t.Name }, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	if len(in.AttributesToGet) > 0 {
		// Only the fields asked for (NAME, TABLE_TYPE); the name always.
		for i, t := range out {
			slim := &glueapi.Table{Name: t.Name}
			for _, a := range in.AttributesToGet {
				if a == "TABLE_TYPE" {
					slim.TableType = t.TableType
				}
			}
			out[i] = slim
		}
	}
	return &glueapi.GetTablesResponse{TableList: out, NextToken: next}, nil
}

// UpdateTable replaces a table's definition and archives the previous version.
func (s *Service) UpdateTable(ctx context.Context, in *glueapi.UpdateTableRequest) (*glueapi.UpdateTableResponse, error) {
	account, region := where(ctx, in.CatalogId)
	if in.TableInput == nil {
		return nil, invalidInput("TableInput is required.")
	}
	err := s.st.Update(func(tx *store.Tx) error {
		_, err := s.putTable(tx, account, region, norm(in.DatabaseName), in.TableInput, false, true, api.ToBool(in.SkipArchive), api.ToString(in.VersionId))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateTableResponse{}, nil
}

// DeleteTable deletes a table with its partitions, versions and statistics.
func (s *Service) DeleteTable(ctx context.Context, in *glueapi.DeleteTableRequest) (*glueapi.DeleteTableResponse, error) {
	account, region := where(ctx, in.CatalogId)
	err := s.st.Update(func(tx *store.Tx) error {
		return deleteTable(tx, account, region, norm(in.DatabaseName), norm(in.Name))
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeleteTableResponse{}, nil
}

// BatchDeleteTable deletes tables, reporting each one it could not.
func (s *Service) BatchDeleteTable(ctx context.Context, in *glueapi.BatchDeleteTableRequest) (*glueapi.BatchDeleteTableResponse, error) {
	account, region := where(ctx, in.CatalogId)
	db := norm(in.DatabaseName)
	out := &glueapi.BatchDeleteTableResponse{Errors: []*glueapi.TableError{}}
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getDatabase(tx, account, region, db); err != nil {
			return err
		}
		for _, name := range in.TablesToDelete {
			if err := deleteTable(tx, account, region, db, strings.ToLower(name)); err != nil {
				ed, ok := errorDetail(err)
				if !ok {
					return err
				}
				out.Errors = append(out.Errors, &glueapi.TableError{TableName: api.String(name), ErrorDetail: ed})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errorDetail turns a modelled error into a batch answer's ErrorDetail.
func errorDetail(err error) (*glueapi.ErrorDetail, bool) {
	type coded interface {
		ErrorCode() string
		Error() string
	}
	c, ok := err.(coded)
	if !ok {
		return nil, false
	}
	msg := strings.TrimPrefix(c.Error(), c.ErrorCode()+": ")
	return &glueapi.ErrorDetail{ErrorCode: api.String(c.ErrorCode()), ErrorMessage: api.String(msg)}, true
}

func tableVersions(tx *store.Tx, account, region, db, name string) ([]*glueapi.TableVersion, error) {
	if _, err := getTable(tx, account, region, db, name); err != nil {
		return nil, err
	}
	var vs []*glueapi.TableVersion
	b := tx.Bucket(p(account, region, kVersions, db, name)...)
	if b == nil {
		return vs, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		t := new(glueapi.Table)
		if err := unmarshal(v, t); err != nil {
			return err
		}
		vs = append(vs, &glueapi.TableVersion{Table: t, VersionId: t.VersionId})
		return nil
	})
	return vs, err
}

// GetTableVersions lists a table's versions, newest first, as Glue answers.
func (s *Service) GetTableVersions(ctx context.Context, in *glueapi.GetTableVersionsRequest) (*glueapi.GetTableVersionsResponse, error) {
	account, region := where(ctx, in.CatalogId)
	var vs []*glueapi.TableVersion
	err := s.st.View(func(tx *store.Tx) (err error) {
		vs, err = tableVersions(tx, account, region, norm(in.DatabaseName), norm(in.TableName))
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(vs, func(i, j int) bool { return vnum(vs[i]) > vnum(vs[j]) })
	// Paging walks versions downwards: the token is the last version seen, and
	// the page cut compares names, so compare inverted zero-padded numbers.
	key := func(v *glueapi.TableVersion) string { return strconv.FormatUint(^uint64(0)-vnum(v), 10) }
	padded := func(v *glueapi.TableVersion) string {
		k := key(v)
		return strings.Repeat("0", 20-len(k)) + k
	}
	out, next, err := page(vs, padded, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetTableVersionsResponse{TableVersions: out, NextToken: next}, nil
}

func vnum(v *glueapi.TableVersion) uint64 {
	n, _ := strconv.ParseUint(api.ToString(v.VersionId), 10, 64)
	return n
}

// GetTableVersion answers one version (the current one when VersionId is not given).
func (s *Service) GetTableVersion(ctx context.Context, in *glueapi.GetTableVersionRequest) (*glueapi.GetTableVersionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	db, name := norm(in.DatabaseName), norm(in.TableName)
	var tv *glueapi.TableVersion
	err := s.st.View(func(tx *store.Tx) error {
		t, err := getTable(tx, account, region, db, name)
		if err != nil {
			return err
		}
		if in.VersionId == nil {
			tv = &glueapi.TableVersion{Table: t, VersionId: t.VersionId}
			return nil
		}
		n, err := strconv.ParseUint(*in.VersionId, 10, 64)
		if err != nil {
			return invalidInput("Invalid version id: %s", *in.VersionId)
		}
		v := new(glueapi.Table)
		ok, err := getRec(tx, v, string(store.Uint64Key(n)), p(account, region, kVersions, db, name)...)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("Version %s of table %s not found.", *in.VersionId, name)
		}
		tv = &glueapi.TableVersion{Table: v, VersionId: v.VersionId}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetTableVersionResponse{TableVersion: tv}, nil
}

func deleteVersion(tx *store.Tx, account, region, db, name, version string) error {
	t, err := getTable(tx, account, region, db, name)
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(version, 10, 64)
	if err != nil {
		return invalidInput("Invalid version id: %s", version)
	}
	if version == api.ToString(t.VersionId) {
		return invalidInput("Cannot delete the current version of table %s.", name)
	}
	b := tx.Bucket(p(account, region, kVersions, db, name)...)
	if b == nil || b.Get(store.Uint64Key(n)) == nil {
		return notFound("Version %s of table %s not found.", version, name)
	}
	return b.Delete(store.Uint64Key(n))
}

// DeleteTableVersion deletes an archived version of a table.
func (s *Service) DeleteTableVersion(ctx context.Context, in *glueapi.DeleteTableVersionRequest) (*glueapi.DeleteTableVersionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	err := s.st.Update(func(tx *store.Tx) error {
		return deleteVersion(tx, account, region, norm(in.DatabaseName), norm(in.TableName), api.ToString(in.VersionId))
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeleteTableVersionResponse{}, nil
}

// BatchDeleteTableVersion deletes archived versions, reporting each failure.
func (s *Service) BatchDeleteTableVersion(ctx context.Context, in *glueapi.BatchDeleteTableVersionRequest) (*glueapi.BatchDeleteTableVersionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	db, name := norm(in.DatabaseName), norm(in.TableName)
	out := &glueapi.BatchDeleteTableVersionResponse{Errors: []*glueapi.TableVersionError{}}
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getTable(tx, account, region, db, name); err != nil {
			return err
		}
		for _, v := range in.VersionIds {
			if err := deleteVersion(tx, account, region, db, name, v); err != nil {
				ed, ok := errorDetail(err)
				if !ok {
					return err
				}
				out.Errors = append(out.Errors, &glueapi.TableVersionError{TableName: api.String(name), VersionId: api.String(v), ErrorDetail: ed})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
