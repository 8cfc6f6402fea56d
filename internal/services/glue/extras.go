package glue

import (
	"context"
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// Partition indexes, column statistics, user-defined functions, connections
// and tags: recorded and answered back, as the catalogue's clients expect.
// Nothing uses an index to answer faster: GetPartitions reads every partition
// of the table either way.

func addIndex(tx *store.Tx, account, region string, t *glueapi.Table, ix *glueapi.PartitionIndex) error {
	types := map[string]string{}
	for _, c := range t.PartitionKeys {
		types[strings.ToLower(api.ToString(c.Name))] = api.ToString(c.Type)
	}
	d := &glueapi.PartitionIndexDescriptor{IndexName: ix.IndexName, IndexStatus: api.String("ACTIVE")}
	for _, k := range ix.Keys {
		typ, ok := types[strings.ToLower(k)]
		if !ok {
			return invalidInput("Partition index keys must be partition keys of the table: %s is not.", k)
		}
		d.Keys = append(d.Keys, &glueapi.KeySchemaElement{Name: api.String(k), Type: api.String(typ)})
	}
	path := p(account, region, kIndexes, *t.DatabaseName, *t.Name)
	if b := tx.Bucket(path...); b != nil {
		if b.Get([]byte(*ix.IndexName)) != nil {
			return exists("Partition index %s already exists.", *ix.IndexName)
		}
		n := 0
		b.ForEach(func(_, _ []byte) error { n++; return nil })
		if n >= 3 {
			return &glueapi.ResourceNumberLimitExceededException{Message: api.String("A table can have at most 3 partition indexes.")}
		}
	}
	return putRec(tx, d, *ix.IndexName, path...)
}

// CreatePartitionIndex records a partition index (ACTIVE at once).
func (s *Service) CreatePartitionIndex(ctx context.Context, in *glueapi.CreatePartitionIndexRequest) (*glueapi.CreatePartitionIndexResponse, error) {
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		return addIndex(tx, account, region, t, in.PartitionIndex)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreatePartitionIndexResponse{}, nil
}

// GetPartitionIndexes lists a table's partition indexes.
func (s *Service) GetPartitionIndexes(ctx context.Context, in *glueapi.GetPartitionIndexesRequest) (*glueapi.GetPartitionIndexesResponse, error) {
	out := &glueapi.GetPartitionIndexesResponse{PartitionIndexDescriptorList: []*glueapi.PartitionIndexDescriptor{}}
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, false, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		b := tx.Bucket(p(account, region, kIndexes, *t.DatabaseName, *t.Name)...)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			d := new(glueapi.PartitionIndexDescriptor)
			out.PartitionIndexDescriptorList = append(out.PartitionIndexDescriptorList, d)
			return unmarshal(v, d)
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePartitionIndex deletes a partition index.
func (s *Service) DeletePartitionIndex(ctx context.Context, in *glueapi.DeletePartitionIndexRequest) (*glueapi.DeletePartitionIndexResponse, error) {
	err := s.withTable(ctx, in.CatalogId, in.DatabaseName, in.TableName, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		path := p(account, region, kIndexes, *t.DatabaseName, *t.Name)
		b := tx.Bucket(path...)
		if b == nil || b.Get([]byte(api.ToString(in.IndexName))) == nil {
			return notFound("Partition index %s not found.", api.ToString(in.IndexName))
		}
		return b.Delete([]byte(*in.IndexName))
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeletePartitionIndexResponse{}, nil
}

// Column statistics: key "T\x00col" for the table's, "P\x00partKey\x00col" for a partition's.

func colStatsPrefix(values []string) string {
	if values == nil {
		return "T\x00"
	}
	return "P\x00" + partKey(values) + "\x00"
}

func (s *Service) putColStats(ctx context.Context, catalogID, db, table *string, values []string, list []*glueapi.ColumnStatistics) ([]*glueapi.ColumnStatisticsError, error) {
	errs := []*glueapi.ColumnStatisticsError{}
	err := s.withTable(ctx, catalogID, db, table, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		if values != nil {
			if _, err := getPartition(tx, account, region, t, values); err != nil {
				return err
			}
		}
		cols := map[string]bool{}
		if t.StorageDescriptor != nil {
			for _, c := range t.StorageDescriptor.Columns {
				cols[strings.ToLower(api.ToString(c.Name))] = true
			}
		}
		for _, cs := range list {
			name := strings.ToLower(api.ToString(cs.ColumnName))
			if !cols[name] {
				errs = append(errs, &glueapi.ColumnStatisticsError{ColumnStatistics: cs,
					Error: &glueapi.ErrorDetail{ErrorCode: api.String("EntityNotFoundException"), ErrorMessage: api.String("Column " + name + " not found.")}})
				continue
			}
			if err := putRec(tx, cs, colStatsPrefix(values)+name, p(account, region, kColStats, *t.DatabaseName, *t.Name)...); err != nil {
				return err
			}
		}
		return nil
	})
	return errs, err
}

func (s *Service) getColStats(ctx context.Context, catalogID, db, table *string, values []string, names []string) ([]*glueapi.ColumnStatistics, []*glueapi.ColumnError, error) {
	list, errs := []*glueapi.ColumnStatistics{}, []*glueapi.ColumnError{}
	err := s.withTable(ctx, catalogID, db, table, false, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		if values != nil {
			if _, err := getPartition(tx, account, region, t, values); err != nil {
				return err
			}
		}
		for _, n := range names {
			cs := new(glueapi.ColumnStatistics)
			ok, err := getRec(tx, cs, colStatsPrefix(values)+strings.ToLower(n), p(account, region, kColStats, *t.DatabaseName, *t.Name)...)
			if err != nil {
				return err
			}
			if !ok {
				errs = append(errs, &glueapi.ColumnError{ColumnName: api.String(n),
					Error: &glueapi.ErrorDetail{ErrorCode: api.String("EntityNotFoundException"), ErrorMessage: api.String("Column statistics for " + n + " not found.")}})
				continue
			}
			list = append(list, cs)
		}
		return nil
	})
	return list, errs, err
}

func (s *Service) deleteColStats(ctx context.Context, catalogID, db, table *string, values []string, name string) error {
	return s.withTable(ctx, catalogID, db, table, true, func(tx *store.Tx, account, region string, t *glueapi.Table) error {
		b := tx.Bucket(p(account, region, kColStats, *t.DatabaseName, *t.Name)...)
		k := []byte(colStatsPrefix(values) + strings.ToLower(name))
		if b == nil || b.Get(k) == nil {
			return notFound("Column statistics for %s not found.", name)
		}
		return b.Delete(k)
	})
}

// UpdateColumnStatisticsForTable records statistics of the table's columns.
func (s *Service) UpdateColumnStatisticsForTable(ctx context.Context, in *glueapi.UpdateColumnStatisticsForTableRequest) (*glueapi.UpdateColumnStatisticsForTableResponse, error) {
	errs, err := s.putColStats(ctx, in.CatalogId, in.DatabaseName, in.TableName, nil, in.ColumnStatisticsList)
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateColumnStatisticsForTableResponse{Errors: errs}, nil
}

// GetColumnStatisticsForTable answers recorded statistics.
func (s *Service) GetColumnStatisticsForTable(ctx context.Context, in *glueapi.GetColumnStatisticsForTableRequest) (*glueapi.GetColumnStatisticsForTableResponse, error) {
	list, errs, err := s.getColStats(ctx, in.CatalogId, in.DatabaseName, in.TableName, nil, in.ColumnNames)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetColumnStatisticsForTableResponse{ColumnStatisticsList: list, Errors: errs}, nil
}

// DeleteColumnStatisticsForTable forgets one column's statistics.
func (s *Service) DeleteColumnStatisticsForTable(ctx context.Context, in *glueapi.DeleteColumnStatisticsForTableRequest) (*glueapi.DeleteColumnStatisticsForTableResponse, error) {
	if err := s.deleteColStats(ctx, in.CatalogId, in.DatabaseName, in.TableName, nil, api.ToString(in.ColumnName)); err != nil {
		return nil, err
	}
	return &glueapi.DeleteColumnStatisticsForTableResponse{}, nil
}

// UpdateColumnStatisticsForPartition records statistics of a partition's columns.
func (s *Service) UpdateColumnStatisticsForPartition(ctx context.Context, in *glueapi.UpdateColumnStatisticsForPartitionRequest) (*glueapi.UpdateColumnStatisticsForPartitionResponse, error) {
	errs, err := s.putColStats(ctx, in.CatalogId, in.DatabaseName, in.TableName, nonNil(in.PartitionValues), in.ColumnStatisticsList)
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateColumnStatisticsForPartitionResponse{Errors: errs}, nil
}

// GetColumnStatisticsForPartition answers a partition's recorded statistics.
func (s *Service) GetColumnStatisticsForPartition(ctx context.Context, in *glueapi.GetColumnStatisticsForPartitionRequest) (*glueapi.GetColumnStatisticsForPartitionResponse, error) {
	list, errs, err := s.getColStats(ctx, in.CatalogId, in.DatabaseName, in.TableName, nonNil(in.PartitionValues), in.ColumnNames)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetColumnStatisticsForPartitionResponse{ColumnStatisticsList: list, Errors: errs}, nil
}

// DeleteColumnStatisticsForPartition forgets one column's statistics in a partition.
func (s *Service) DeleteColumnStatisticsForPartition(ctx context.Context, in *glueapi.DeleteColumnStatisticsForPartitionRequest) (*glueapi.DeleteColumnStatisticsForPartitionResponse, error) {
	if err := s.deleteColStats(ctx, in.CatalogId, in.DatabaseName, in.TableName, nonNil(in.PartitionValues), api.ToString(in.ColumnName)); err != nil {
		return nil, err
	}
	return &glueapi.DeleteColumnStatisticsForPartitionResponse{}, nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// User-defined functions.

func udfFrom(in *glueapi.UserDefinedFunctionInput, account, db string, created time.Time) *glueapi.UserDefinedFunction {
	return &glueapi.UserDefinedFunction{
		FunctionName: api.String(strings.ToLower(api.ToString(in.FunctionName))), DatabaseName: api.String(db),
		ClassName: in.ClassName, OwnerName: in.OwnerName, FunctionType: in.FunctionType, OwnerType: in.OwnerType,
		CreateTime: &created, ResourceUris: in.ResourceUris, CatalogId: api.String(account),
	}
}

// CreateUserDefinedFunction records a function (nothing runs it).
func (s *Service) CreateUserDefinedFunction(ctx context.Context, in *glueapi.CreateUserDefinedFunctionRequest) (*glueapi.CreateUserDefinedFunctionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	db := norm(in.DatabaseName)
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getDatabase(tx, account, region, db); err != nil {
			return err
		}
		f := udfFrom(in.FunctionInput, account, db, s.now().UTC().Truncate(time.Second))
		if b := tx.Bucket(p(account, region, kFunctions, db)...); b != nil && b.Get([]byte(*f.FunctionName)) != nil {
			return exists("Function already exists.")
		}
		return putRec(tx, f, *f.FunctionName, p(account, region, kFunctions, db)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreateUserDefinedFunctionResponse{}, nil
}

func getUDF(tx *store.Tx, account, region, db, name string) (*glueapi.UserDefinedFunction, error) {
	if _, err := getDatabase(tx, account, region, db); err != nil {
		return nil, err
	}
	f := new(glueapi.UserDefinedFunction)
	ok, err := getRec(tx, f, name, p(account, region, kFunctions, db)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("Function %s not found.", name)
	}
	return f, nil
}

// GetUserDefinedFunction answers one function.
func (s *Service) GetUserDefinedFunction(ctx context.Context, in *glueapi.GetUserDefinedFunctionRequest) (*glueapi.GetUserDefinedFunctionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	var f *glueapi.UserDefinedFunction
	err := s.st.View(func(tx *store.Tx) (err error) {
		f, err = getUDF(tx, account, region, norm(in.DatabaseName), norm(in.FunctionName))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetUserDefinedFunctionResponse{UserDefinedFunction: f}, nil
}

// UpdateUserDefinedFunction replaces a function's definition.
func (s *Service) UpdateUserDefinedFunction(ctx context.Context, in *glueapi.UpdateUserDefinedFunctionRequest) (*glueapi.UpdateUserDefinedFunctionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	db, name := norm(in.DatabaseName), norm(in.FunctionName)
	err := s.st.Update(func(tx *store.Tx) error {
		old, err := getUDF(tx, account, region, db, name)
		if err != nil {
			return err
		}
		f := udfFrom(in.FunctionInput, account, db, *old.CreateTime)
		f.FunctionName = api.String(name)
		return putRec(tx, f, name, p(account, region, kFunctions, db)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateUserDefinedFunctionResponse{}, nil
}

// DeleteUserDefinedFunction forgets a function.
func (s *Service) DeleteUserDefinedFunction(ctx context.Context, in *glueapi.DeleteUserDefinedFunctionRequest) (*glueapi.DeleteUserDefinedFunctionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	db, name := norm(in.DatabaseName), norm(in.FunctionName)
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getUDF(tx, account, region, db, name); err != nil {
			return err
		}
		return delRec(tx, name, p(account, region, kFunctions, db)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeleteUserDefinedFunctionResponse{}, nil
}

// GetUserDefinedFunctions lists functions whose names match Pattern, in one
// database or (DatabaseName absent) all.
func (s *Service) GetUserDefinedFunctions(ctx context.Context, in *glueapi.GetUserDefinedFunctionsRequest) (*glueapi.GetUserDefinedFunctionsResponse, error) {
	account, region := where(ctx, in.CatalogId)
	re, err := namePattern(api.ToString(in.Pattern))
	if err != nil {
		return nil, err
	}
	var fs []*glueapi.UserDefinedFunction
	err = s.st.View(func(tx *store.Tx) error {
		var dbs []string
		if in.DatabaseName != nil {
			if _, err := getDatabase(tx, account, region, norm(in.DatabaseName)); err != nil {
				return err
			}
			dbs = []string{norm(in.DatabaseName)}
		} else if b := tx.Bucket(p(account, region, kFunctions)...); b != nil {
			b.ForEachBucket(func(n []byte) error { dbs = append(dbs, string(n)); return nil })
		}
		for _, db := range dbs {
			b := tx.Bucket(p(account, region, kFunctions, db)...)
			if b == nil {
				continue
			}
			if err := b.ForEach(func(k, v []byte) error {
				if !re.MatchString(string(k)) {
					return nil
				}
				f := new(glueapi.UserDefinedFunction)
				fs = append(fs, f)
				return unmarshal(v, f)
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, next, err := page(fs, func(f *glueapi.UserDefinedFunction) string { return *f.DatabaseName + "\x00" + *f.FunctionName }, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetUserDefinedFunctionsResponse{UserDefinedFunctions: out, NextToken: next}, nil
}

// Connections.

func connectionFrom(in *glueapi.ConnectionInput, created, updated time.Time) *glueapi.Connection {
	return &glueapi.Connection{
		Name: in.Name, Description: in.Description, ConnectionType: in.ConnectionType,
		MatchCriteria: in.MatchCriteria, ConnectionProperties: in.ConnectionProperties,
		SparkProperties: in.SparkProperties, AthenaProperties: in.AthenaProperties, PythonProperties: in.PythonProperties,
		PhysicalConnectionRequirements: in.PhysicalConnectionRequirements,
		CreationTime:                   &created, LastUpdatedTime: &updated, Status: api.String("READY"),
	}
}

// CreateConnection records a connection (fogbank connects to nothing).
func (s *Service) CreateConnection(ctx context.Context, in *glueapi.CreateConnectionRequest) (*glueapi.CreateConnectionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	now := s.now().UTC().Truncate(time.Second)
	name := api.ToString(in.ConnectionInput.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		if b := tx.Bucket(p(account, region, kConnections)...); b != nil && b.Get([]byte(name)) != nil {
			return exists("Connection already exists.")
		}
		if len(in.Tags) > 0 {
			if err := mergeTags(tx, account, region, arn(account, region, "connection", name), in.Tags); err != nil {
				return err
			}
		}
		return putRec(tx, connectionFrom(in.ConnectionInput, now, now), name, p(account, region, kConnections)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreateConnectionResponse{CreateConnectionStatus: api.String("READY")}, nil
}

func getConnection(tx *store.Tx, account, region, name string) (*glueapi.Connection, error) {
	c := new(glueapi.Connection)
	ok, err := getRec(tx, c, name, p(account, region, kConnections)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("Connection %s not found.", name)
	}
	return c, nil
}

func hidePassword(c *glueapi.Connection) {
	if _, ok := c.ConnectionProperties["PASSWORD"]; ok {
		props := make(map[string]string, len(c.ConnectionProperties))
		for k, v := range c.ConnectionProperties {
			if k != "PASSWORD" {
				props[k] = v
			}
		}
		c.ConnectionProperties = props
	}
}

// GetConnection answers one connection.
func (s *Service) GetConnection(ctx context.Context, in *glueapi.GetConnectionRequest) (*glueapi.GetConnectionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	var c *glueapi.Connection
	err := s.st.View(func(tx *store.Tx) (err error) {
		c, err = getConnection(tx, account, region, api.ToString(in.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	if api.ToBool(in.HidePassword) {
		hidePassword(c)
	}
	return &glueapi.GetConnectionResponse{Connection: c}, nil
}

// GetConnections lists connections, filtered by type and match criteria.
func (s *Service) GetConnections(ctx context.Context, in *glueapi.GetConnectionsRequest) (*glueapi.GetConnectionsResponse, error) {
	account, region := where(ctx, in.CatalogId)
	var cs []*glueapi.Connection
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kConnections)...)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			c := new(glueapi.Connection)
			if err := unmarshal(v, c); err != nil {
				return err
			}
			if f := in.Filter; f != nil {
				if f.ConnectionType != nil && api.ToString(c.ConnectionType) != *f.ConnectionType {
					return nil
				}
				for _, m := range f.MatchCriteria {
					found := false
					for _, have := range c.MatchCriteria {
						found = found || have == m
					}
					if !found {
						return nil
					}
				}
			}
			if api.ToBool(in.HidePassword) {
				hidePassword(c)
			}
			cs = append(cs, c)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out, next, err := page(cs, func(c *glueapi.Connection) string { return *c.Name }, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetConnectionsResponse{ConnectionList: out, NextToken: next}, nil
}

// UpdateConnection replaces a connection's definition.
func (s *Service) UpdateConnection(ctx context.Context, in *glueapi.UpdateConnectionRequest) (*glueapi.UpdateConnectionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	name := api.ToString(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		old, err := getConnection(tx, account, region, name)
		if err != nil {
			return err
		}
		c := connectionFrom(in.ConnectionInput, *old.CreationTime, s.now().UTC().Truncate(time.Second))
		if newName := api.ToString(c.Name); newName != name {
			if err := delRec(tx, name, p(account, region, kConnections)...); err != nil {
				return err
			}
			name = newName
		}
		return putRec(tx, c, name, p(account, region, kConnections)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateConnectionResponse{}, nil
}

// DeleteConnection forgets a connection.
func (s *Service) DeleteConnection(ctx context.Context, in *glueapi.DeleteConnectionRequest) (*glueapi.DeleteConnectionResponse, error) {
	account, region := where(ctx, in.CatalogId)
	name := api.ToString(in.ConnectionName)
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getConnection(tx, account, region, name); err != nil {
			return err
		}
		return delRec(tx, name, p(account, region, kConnections)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeleteConnectionResponse{}, nil
}

// Tags, kept by ARN.

var arnRE = lazy.Regexp{Expr: `^arn:aws[a-z-]*:glue:([a-z0-9-]+):(\d{12}):(.+)$`}

func mergeTags(tx *store.Tx, account, region, resource string, add map[string]string) error {
	tags := map[string]string{}
	if b := tx.Bucket(p(account, region, kTags)...); b != nil {
		if raw := b.Get([]byte(resource)); raw != nil {
			if err := b.GetJSON([]byte(resource), &tags); err != nil {
				return err
			}
		}
	}
	for k, v := range add {
		tags[k] = v
	}
	if len(tags) > 50 {
		return invalidInput("Resource %s would have more than 50 tags.", resource)
	}
	b, err := tx.CreateBucket(p(account, region, kTags)...)
	if err != nil {
		return err
	}
	return b.PutJSON([]byte(resource), tags)
}

func splitARN(s string) (account, region string, err error) {
	m := arnRE.Get().FindStringSubmatch(s)
	if m == nil {
		return "", "", invalidInput("Invalid ARN: %s", s)
	}
	return m[2], m[1], nil
}

// TagResource adds tags to a resource named by its ARN.
func (s *Service) TagResource(ctx context.Context, in *glueapi.TagResourceRequest) (*glueapi.TagResourceResponse, error) {
	account, region, err := splitARN(api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx *store.Tx) error { return mergeTags(tx, account, region, *in.ResourceArn, in.TagsToAdd) })
	if err != nil {
		return nil, err
	}
	return &glueapi.TagResourceResponse{}, nil
}

// UntagResource removes tags.
func (s *Service) UntagResource(ctx context.Context, in *glueapi.UntagResourceRequest) (*glueapi.UntagResourceResponse, error) {
	account, region, err := splitARN(api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kTags)...)
		if b == nil || b.Get([]byte(*in.ResourceArn)) == nil {
			return nil
		}
		tags := map[string]string{}
		if err := b.GetJSON([]byte(*in.ResourceArn), &tags); err != nil {
			return err
		}
		for _, k := range in.TagsToRemove {
			delete(tags, k)
		}
		return b.PutJSON([]byte(*in.ResourceArn), tags)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UntagResourceResponse{}, nil
}

// GetTags answers a resource's tags.
func (s *Service) GetTags(ctx context.Context, in *glueapi.GetTagsRequest) (*glueapi.GetTagsResponse, error) {
	account, region, err := splitARN(api.ToString(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	err = s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kTags)...)
		if b == nil || b.Get([]byte(*in.ResourceArn)) == nil {
			return nil
		}
		return b.GetJSON([]byte(*in.ResourceArn), &tags)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetTagsResponse{Tags: tags}, nil
}
