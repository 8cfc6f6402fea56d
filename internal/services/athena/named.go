package athena

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	aapi "github.com/fogbank/fogbank/internal/api/athena"
	"github.com/fogbank/fogbank/internal/store"
)

// ---- named queries (bucket athena/named, key account/region/id) ----

type namedQuery struct {
	ID, Name, Description, Database, Query, WorkGroup string
}

func (n *namedQuery) api() *aapi.NamedQuery {
	q := &aapi.NamedQuery{NamedQueryId: api.String(n.ID), Name: api.String(n.Name), Database: api.String(n.Database),
		QueryString: api.String(n.Query), WorkGroup: api.String(n.WorkGroup)}
	if n.Description != "" {
		q.Description = api.String(n.Description)
	}
	return q
}

func (s *Service) CreateNamedQuery(ctx context.Context, in *aapi.CreateNamedQueryInput) (*aapi.CreateNamedQueryOutput, error) {
	c := api.CallerFrom(ctx)
	wg := api.ToString(in.WorkGroup)
	if wg == "" {
		wg = "primary"
	}
	if _, err := s.getWorkGroup(ctx, wg); err != nil {
		return nil, err
	}
	n := &namedQuery{ID: newID(), Name: *in.Name, Description: api.ToString(in.Description), Database: *in.Database,
		Query: *in.QueryString, WorkGroup: wg}
	err := s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "named")
		if err != nil {
			return err
		}
		return b.PutJSON(key(c.Account, c.Region, n.ID), n)
	})
	if err != nil {
		return nil, err
	}
	return &aapi.CreateNamedQueryOutput{NamedQueryId: api.String(n.ID)}, nil
}

func (s *Service) getNamed(ctx context.Context, id string) (*namedQuery, error) {
	c := api.CallerFrom(ctx)
	var n *namedQuery
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "named")
		if b == nil || b.Get(key(c.Account, c.Region, id)) == nil {
			return nil
		}
		n = new(namedQuery)
		return b.GetJSON(key(c.Account, c.Region, id), n)
	})
	if err == nil && n == nil {
		err = invalid("NamedQuery %s was not found", id)
	}
	return n, err
}

func (s *Service) GetNamedQuery(ctx context.Context, in *aapi.GetNamedQueryInput) (*aapi.GetNamedQueryOutput, error) {
	n, err := s.getNamed(ctx, api.ToString(in.NamedQueryId))
	if err != nil {
		return nil, err
	}
	return &aapi.GetNamedQueryOutput{NamedQuery: n.api()}, nil
}

func (s *Service) BatchGetNamedQuery(ctx context.Context, in *aapi.BatchGetNamedQueryInput) (*aapi.BatchGetNamedQueryOutput, error) {
	out := &aapi.BatchGetNamedQueryOutput{NamedQueries: []*aapi.NamedQuery{}, UnprocessedNamedQueryIds: []*aapi.UnprocessedNamedQueryId{}}
	for _, id := range in.NamedQueryIds {
		n, err := s.getNamed(ctx, id)
		if err != nil {
			out.UnprocessedNamedQueryIds = append(out.UnprocessedNamedQueryIds, &aapi.UnprocessedNamedQueryId{
				NamedQueryId: api.String(id), ErrorCode: api.String("INVALID_INPUT"), ErrorMessage: api.String("NamedQuery " + id + " was not found")})
			continue
		}
		out.NamedQueries = append(out.NamedQueries, n.api())
	}
	return out, nil
}

func (s *Service) ListNamedQueries(ctx context.Context, in *aapi.ListNamedQueriesInput) (*aapi.ListNamedQueriesOutput, error) {
	c := api.CallerFrom(ctx)
	wg := api.ToString(in.WorkGroup)
	if wg == "" {
		wg = "primary"
	}
	if _, err := s.getWorkGroup(ctx, wg); err != nil {
		return nil, err
	}
	var ids []string
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "named")
		if b == nil {
			return nil
		}
		return b.ForEachPrefix(key(c.Account, c.Region, ""), func(k, v []byte) error {
			var n namedQuery
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			if n.WorkGroup == wg {
				ids = append(ids, n.ID)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	got, next, err := page(ids, in.NextToken, in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	return &aapi.ListNamedQueriesOutput{NamedQueryIds: append([]string{}, got...), NextToken: next}, nil
}

func (s *Service) DeleteNamedQuery(ctx context.Context, in *aapi.DeleteNamedQueryInput) (*aapi.DeleteNamedQueryOutput, error) {
	c := api.CallerFrom(ctx)
	id := api.ToString(in.NamedQueryId)
	if _, err := s.getNamed(ctx, id); err != nil {
		return nil, err
	}
	return &aapi.DeleteNamedQueryOutput{}, s.st.Update(func(tx *store.Tx) error {
		return tx.Bucket(root, "named").Delete(key(c.Account, c.Region, id))
	})
}

// ---- prepared statements (bucket athena/prepared, key account/region/workgroup/name) ----

type prepared struct {
	Name, WorkGroup, Query, Description string
	Modified                            time.Time
}

func (s *Service) putPrepared(ctx context.Context, p *prepared, mode string) error {
	c := api.CallerFrom(ctx)
	return s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(root, "prepared")
		if err != nil {
			return err
		}
		k := key(c.Account, c.Region, p.WorkGroup, p.Name)
		exists := b.Get(k) != nil
		if mode == "create" && exists {
			return invalid("Prepared statement %s already exists in WorkGroup %s", p.Name, p.WorkGroup)
		}
		if mode == "update" && !exists {
			return &aapi.ResourceNotFoundException{Message: api.String("Prepared statement " + p.Name + " was not found in WorkGroup " + p.WorkGroup), ResourceName: api.String(p.Name)}
		}
		return b.PutJSON(k, p)
	})
}

func (s *Service) getPrepared(ctx context.Context, wg, name string) (*prepared, error) {
	c := api.CallerFrom(ctx)
	var p *prepared
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "prepared")
		k := key(c.Account, c.Region, wg, name)
		if b == nil || b.Get(k) == nil {
			return nil
		}
		p = new(prepared)
		return b.GetJSON(k, p)
	})
	if err == nil && p == nil {
		err = &aapi.ResourceNotFoundException{Message: api.String("Prepared statement " + name + " was not found in WorkGroup " + wg), ResourceName: api.String(name)}
	}
	return p, err
}

func (s *Service) CreatePreparedStatement(ctx context.Context, in *aapi.CreatePreparedStatementInput) (*aapi.CreatePreparedStatementOutput, error) {
	if _, err := s.getWorkGroup(ctx, *in.WorkGroup); err != nil {
		return nil, err
	}
	p := &prepared{Name: *in.StatementName, WorkGroup: *in.WorkGroup, Query: *in.QueryStatement,
		Description: api.ToString(in.Description), Modified: s.now().UTC()}
	return &aapi.CreatePreparedStatementOutput{}, s.putPrepared(ctx, p, "create")
}

func (s *Service) UpdatePreparedStatement(ctx context.Context, in *aapi.UpdatePreparedStatementInput) (*aapi.UpdatePreparedStatementOutput, error) {
	p := &prepared{Name: *in.StatementName, WorkGroup: *in.WorkGroup, Query: *in.QueryStatement,
		Description: api.ToString(in.Description), Modified: s.now().UTC()}
	return &aapi.UpdatePreparedStatementOutput{}, s.putPrepared(ctx, p, "update")
}

func (s *Service) GetPreparedStatement(ctx context.Context, in *aapi.GetPreparedStatementInput) (*aapi.GetPreparedStatementOutput, error) {
	p, err := s.getPrepared(ctx, *in.WorkGroup, *in.StatementName)
	if err != nil {
		return nil, err
	}
	out := &aapi.PreparedStatement{StatementName: api.String(p.Name), QueryStatement: api.String(p.Query),
		WorkGroupName: api.String(p.WorkGroup), LastModifiedTime: tp(p.Modified)}
	if p.Description != "" {
		out.Description = api.String(p.Description)
	}
	return &aapi.GetPreparedStatementOutput{PreparedStatement: out}, nil
}

func (s *Service) ListPreparedStatements(ctx context.Context, in *aapi.ListPreparedStatementsInput) (*aapi.ListPreparedStatementsOutput, error) {
	c := api.CallerFrom(ctx)
	if _, err := s.getWorkGroup(ctx, *in.WorkGroup); err != nil {
		return nil, err
	}
	var all []*prepared
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(root, "prepared")
		if b == nil {
			return nil
		}
		return b.ForEachPrefix(key(c.Account, c.Region, *in.WorkGroup, ""), func(k, v []byte) error {
			p := new(prepared)
			if err := json.Unmarshal(v, p); err != nil {
				return err
			}
			all = append(all, p)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	got, next, err := page(all, in.NextToken, in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	out := &aapi.ListPreparedStatementsOutput{PreparedStatements: []*aapi.PreparedStatementSummary{}, NextToken: next}
	for _, p := range got {
		out.PreparedStatements = append(out.PreparedStatements, &aapi.PreparedStatementSummary{StatementName: api.String(p.Name), LastModifiedTime: tp(p.Modified)})
	}
	return out, nil
}

func (s *Service) DeletePreparedStatement(ctx context.Context, in *aapi.DeletePreparedStatementInput) (*aapi.DeletePreparedStatementOutput, error) {
	c := api.CallerFrom(ctx)
	if _, err := s.getPrepared(ctx, *in.WorkGroup, *in.StatementName); err != nil {
		return nil, err
	}
	return &aapi.DeletePreparedStatementOutput{}, s.st.Update(func(tx *store.Tx) error {
		return tx.Bucket(root, "prepared").Delete(key(c.Account, c.Region, *in.WorkGroup, *in.StatementName))
	})
}

// prepare runs PREPARE name FROM statement: a prepared statement of the
// query's work group, as CreatePreparedStatement makes.
func (x *stmt) prepare() error {
	st := x.st
	if len(st) < 4 || !st[1].isIdent() || !words(st[2:], "FROM") {
		return x.mismatch(min(2, len(st)))
	}
	ctx := api.WithCaller(context.Background(), &x.e.Caller)
	p := &prepared{Name: st[1].ident(), WorkGroup: x.e.WorkGroup, Query: strings.TrimSpace(x.q[st[3].pos:]), Modified: x.s.now().UTC()}
	if err := x.s.putPrepared(ctx, p, ""); err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}

// executePrepared runs EXECUTE name [USING v1, v2...]: the statement with its
// ?s replaced by the USING values or the execution parameters.
func (x *stmt) executePrepared() error {
	st := x.st
	if len(st) < 2 || !st[1].isIdent() {
		return x.mismatch(1)
	}
	ctx := api.WithCaller(context.Background(), &x.e.Caller)
	p, err := x.s.getPrepared(ctx, x.e.WorkGroup, st[1].ident())
	if err != nil {
		return userError("PREPARED_STATEMENT_NOT_FOUND: Prepared statement not found: %s", st[1].ident())
	}
	params := x.e.Params
	if words(st[2:], "USING") && len(st) > 3 {
		params = nil
		for _, v := range splitTop(x.q[st[3].pos:], ',') {
			params = append(params, v)
		}
	}
	toks := lex(trimStatement(p.Query))
	inner := sig(toks)
	if !(words(inner, "SELECT") || words(inner, "WITH") || words(inner, "VALUES") || len(inner) > 0 && inner[0].text == "(") {
		return userError("NOT_SUPPORTED: fogbank executes prepared SELECT statements only")
	}
	x.q = trimStatement(p.Query)
	return x.query(toks, params)
}

func (x *stmt) deallocate() error {
	st := x.st
	if len(st) < 3 || !st[2].isIdent() {
		return x.mismatch(2)
	}
	c := x.e.Caller
	name := st[2].ident()
	if _, err := x.s.getPrepared(api.WithCaller(context.Background(), &c), x.e.WorkGroup, name); err != nil {
		return userError("PREPARED_STATEMENT_NOT_FOUND: Prepared statement not found: %s", name)
	}
	err := x.s.st.Update(func(tx *store.Tx) error {
		return tx.Bucket(root, "prepared").Delete(key(c.Account, c.Region, x.e.WorkGroup, name))
	})
	if err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}

// ---- data catalogs and Athena's view of the Glue catalogue ----

func (s *Service) checkCatalog(name *string) error {
	if !strings.EqualFold(api.ToString(name), "AwsDataCatalog") {
		return &aapi.MetadataException{Message: api.String("Catalog " + api.ToString(name) + " is not found")}
	}
	if s.catalog == nil {
		return &aapi.MetadataException{Message: api.String("The Glue Data Catalog is not available")}
	}
	return nil
}

func (s *Service) ListDataCatalogs(ctx context.Context, in *aapi.ListDataCatalogsInput) (*aapi.ListDataCatalogsOutput, error) {
	out := &aapi.ListDataCatalogsOutput{DataCatalogsSummary: []*aapi.DataCatalogSummary{
		{CatalogName: api.String("AwsDataCatalog"), Type: api.String("GLUE")}}}
	recorded, err := s.catalogs(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range recorded {
		out.DataCatalogsSummary = append(out.DataCatalogsSummary, &aapi.DataCatalogSummary{CatalogName: api.String(d.Name), Type: api.String(d.Type)})
	}
	return out, nil
}

func (s *Service) GetDataCatalog(ctx context.Context, in *aapi.GetDataCatalogInput) (*aapi.GetDataCatalogOutput, error) {
	if !strings.EqualFold(api.ToString(in.Name), "AwsDataCatalog") {
		d, err := s.getCatalog(ctx, api.ToString(in.Name))
		if err != nil {
			return nil, err
		}
		return &aapi.GetDataCatalogOutput{DataCatalog: d.api()}, nil
	}
	c := api.CallerFrom(ctx)
	return &aapi.GetDataCatalogOutput{DataCatalog: &aapi.DataCatalog{Name: api.String("AwsDataCatalog"),
		Description: api.String("AWS Glue Data Catalog"), Type: api.String("GLUE"),
		Parameters: map[string]string{"catalog-id": c.Account}}}, nil
}

func (s *Service) ListDatabases(ctx context.Context, in *aapi.ListDatabasesInput) (*aapi.ListDatabasesOutput, error) {
	if err := s.checkCatalog(in.CatalogName); err != nil {
		return nil, err
	}
	c := api.CallerFrom(ctx)
	dbs, err := s.catalog.CatalogDatabases(c.Account, c.Region)
	if err != nil {
		return nil, err
	}
	sort.Strings(dbs)
	got, next, err := page(dbs, in.NextToken, in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	out := &aapi.ListDatabasesOutput{DatabaseList: []*aapi.Database{}, NextToken: next}
	for _, d := range got {
		out.DatabaseList = append(out.DatabaseList, &aapi.Database{Name: api.String(d), Parameters: map[string]string{}})
	}
	return out, nil
}

func (s *Service) GetDatabase(ctx context.Context, in *aapi.GetDatabaseInput) (*aapi.GetDatabaseOutput, error) {
	if err := s.checkCatalog(in.CatalogName); err != nil {
		return nil, err
	}
	c := api.CallerFrom(ctx)
	dbs, err := s.catalog.CatalogDatabases(c.Account, c.Region)
	if err != nil {
		return nil, err
	}
	want := strings.ToLower(api.ToString(in.DatabaseName))
	for _, d := range dbs {
		if d == want {
			return &aapi.GetDatabaseOutput{Database: &aapi.Database{Name: api.String(d), Parameters: map[string]string{}}}, nil
		}
	}
	return nil, &aapi.MetadataException{Message: api.String("Database " + want + " not found.")}
}

func tableMetadata(t *glueTable) *aapi.TableMetadata {
	m := &aapi.TableMetadata{Name: api.String(t.Name), TableType: api.String(t.TableType), Columns: []*aapi.Column{},
		PartitionKeys: []*aapi.Column{}, Parameters: map[string]string{}}
	for k, v := range t.Parameters {
		m.Parameters[k] = v
	}
	// Glue keeps CreateTime as epoch seconds (AWS JSON).
	if secs, ok := t.CreateTime.(float64); ok {
		ct := time.Unix(int64(secs), int64((secs-float64(int64(secs)))*1e9)).UTC()
		m.CreateTime = &ct
	}
	if sd := t.StorageDescriptor; sd != nil {
		m.Parameters["location"] = sd.Location
		m.Parameters["inputformat"] = sd.InputFormat
		m.Parameters["outputformat"] = sd.OutputFormat
		if sd.SerdeInfo != nil {
			m.Parameters["serde.serialization.lib"] = sd.SerdeInfo.SerializationLibrary
			for k, v := range sd.SerdeInfo.Parameters {
				m.Parameters["serde.param."+k] = v
			}
		}
	}
	col := func(c glueColumn) *aapi.Column {
		out := &aapi.Column{Name: api.String(c.Name), Type: api.String(c.Type)}
		if c.Comment != "" {
			out.Comment = api.String(c.Comment)
		}
		return out
	}
	for _, c := range t.columns() {
		m.Columns = append(m.Columns, col(c))
	}
	for _, c := range t.PartitionKeys {
		m.PartitionKeys = append(m.PartitionKeys, col(c))
	}
	return m
}

func (s *Service) ListTableMetadata(ctx context.Context, in *aapi.ListTableMetadataInput) (*aapi.ListTableMetadataOutput, error) {
	if err := s.checkCatalog(in.CatalogName); err != nil {
		return nil, err
	}
	c := api.CallerFrom(ctx)
	db := strings.ToLower(api.ToString(in.DatabaseName))
	names, err := s.tableNames(c.Account, c.Region, db)
	if notExist(err) {
		return nil, &aapi.MetadataException{Message: api.String("Database " + db + " not found.")}
	}
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if e := api.ToString(in.Expression); e != "" {
		x := &stmt{st: []token{{kind: 's', text: quoteLit(e)}}}
		like := x.likeFilter(0)
		var kept []string
		for _, n := range names {
			if like(n) {
				kept = append(kept, n)
			}
		}
		names = kept
	}
	got, next, err := page(names, in.NextToken, in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	out := &aapi.ListTableMetadataOutput{TableMetadataList: []*aapi.TableMetadata{}, NextToken: next}
	for _, n := range got {
		t, err := s.lookup(c.Account, c.Region, db, n)
		if err != nil {
			return nil, err
		}
		if t != nil {
			out.TableMetadataList = append(out.TableMetadataList, tableMetadata(t))
		}
	}
	return out, nil
}

func (s *Service) GetTableMetadata(ctx context.Context, in *aapi.GetTableMetadataInput) (*aapi.GetTableMetadataOutput, error) {
	if err := s.checkCatalog(in.CatalogName); err != nil {
		return nil, err
	}
	c := api.CallerFrom(ctx)
	db, name := strings.ToLower(api.ToString(in.DatabaseName)), strings.ToLower(api.ToString(in.TableName))
	t, err := s.lookup(c.Account, c.Region, db, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, &aapi.MetadataException{Message: api.String("Table " + name + " not found in database " + db + ".")}
	}
	return &aapi.GetTableMetadataOutput{TableMetadata: tableMetadata(t)}, nil
}
