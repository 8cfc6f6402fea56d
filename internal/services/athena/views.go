package athena

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fogbank/fogbank/internal/sqlengine/wire"
)

// Views are kept as Athena keeps them in the Glue catalogue: a table of type
// VIRTUAL_VIEW whose ViewOriginalText is "/* Presto View: <base64 JSON> */",
// the JSON holding the view's SQL and its columns with Trino's types.

type prestoView struct {
	OriginalSQL  string      `json:"originalSql"`
	Catalog      string      `json:"catalog"`
	Schema       string      `json:"schema"`
	Columns      []prestoCol `json:"columns"`
	Owner        string      `json:"owner,omitempty"`
	RunAsInvoker bool        `json:"runAsInvoker"`
}

type prestoCol struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

const (
	viewPrefix = "/* Presto View: "
	viewSuffix = " */"
)

// viewSQL reads a view's SQL and schema from its table.
func viewSQL(t *glueTable) (*prestoView, error) {
	s := strings.TrimSpace(t.ViewOriginalText)
	if !strings.HasPrefix(s, viewPrefix) || !strings.HasSuffix(s, viewSuffix) {
		return nil, userError("HIVE_VIEW_TRANSLATION_ERROR: %s is not a view Athena can read", t.Name)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(s, viewPrefix), viewSuffix))
	if err != nil {
		return nil, userError("HIVE_VIEW_TRANSLATION_ERROR: %s: %v", t.Name, err)
	}
	v := new(prestoView)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, userError("HIVE_VIEW_TRANSLATION_ERROR: %s: %v", t.Name, err)
	}
	return v, nil
}

// viewDef binds a view's own tables and returns the engine's view over its
// rewritten query.
func (b *binder) viewDef(db, name string, t *glueTable) error {
	v, err := viewSQL(t)
	if err != nil {
		return err
	}
	toks := lex(trimStatement(v.OriginalSQL))
	schema := firstNonEmpty(v.Schema, db)
	if err := b.bind(toks, schema, nil); err != nil {
		return err
	}
	rw, err := rewrite(toks, nil)
	if err != nil {
		return err
	}
	// bind set the search path to the view's schema; the statement's own
	// default is set again after (bind appends it last for the statement).
	b.setup = append(b.setup, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(db),
		fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s AS %s", quoteIdent(db), quoteIdent(name), rw.sql))
	return nil
}

// createView runs CREATE [OR REPLACE] VIEW name AS query.
func (x *stmt) createView() error {
	st := x.st
	i, replace := 2, false
	if words(st, "CREATE", "OR", "REPLACE", "VIEW") {
		i, replace = 4, true
	}
	db, name, i, err := x.tableName(i)
	if err != nil {
		return err
	}
	if !words(st[i:], "AS") {
		return x.mismatch(i)
	}
	body, _, _ := x.queryBody(i)
	existing, err := x.s.lookup(x.e.Account, x.e.Region, db, name)
	if err != nil {
		return err
	}
	if existing != nil && (!replace || existing.TableType != "VIRTUAL_VIEW") {
		return userError("TABLE_ALREADY_EXISTS: line 1:1: View '%s.%s' already exists", db, name)
	}
	// The view's columns: what the engine describes its query as.
	toks := lex(body)
	b := &binder{s: x.s, account: x.e.Account, region: x.e.Region, dir: x.res.dir, seen: map[string]bool{}}
	defer b.close()
	if err := b.bind(toks, x.db, nil); err != nil {
		return err
	}
	rw, err := rewrite(toks, nil)
	if err != nil {
		return err
	}
	out := filepath.Join(x.res.dir, "describe.csv")
	resp, err := x.s.engine.Run(x.ctx, &wire.Request{Op: "query", Setup: setupFor(rw.sql, b.setup),
		SQL: "DESCRIBE " + rw.sql, CSV: out})
	if err != nil {
		return err
	}
	if resp.Error != "" {
		return x.engineError(resp.Error, &rewritten{sql: rw.sql, spans: rw.spans})
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	// Unqualified names in the view are the session's database's, as when
	// the view was created (Athena records it as the view's schema).
	v := &prestoView{OriginalSQL: body, Catalog: "awsdatacatalog", Schema: x.db}
	t := &glueTable{Name: name, TableType: "VIRTUAL_VIEW", Parameters: map[string]string{"presto_view": "true", "comment": "Presto View"},
		PartitionKeys: []glueColumn{}, StorageDescriptor: &glueSD{Columns: []glueColumn{}, SerdeInfo: &glueSerde{}}}
	for _, r := range recs[1:] {
		typ, _, _ := athenaType(r[1])
		v.Columns = append(v.Columns, prestoCol{Name: r[0], Type: typ})
		t.StorageDescriptor.Columns = append(t.StorageDescriptor.Columns, glueColumn{Name: strings.ToLower(r[0]), Type: glueType(r[1])})
	}
	raw, _ := json.Marshal(v)
	t.ViewOriginalText = viewPrefix + base64.StdEncoding.EncodeToString(raw) + viewSuffix
	t.ViewExpandedText = "/* Presto View */"
	if err := x.putTable(db, t); err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}

// dropView runs DROP VIEW [IF EXISTS] name.
func (x *stmt) dropView() error {
	i, ifExists := 2, false
	if words(x.st[i:], "IF", "EXISTS") {
		i, ifExists = 4, true
	}
	db, name, _, err := x.tableName(i)
	if err != nil {
		return err
	}
	t, err := x.s.lookup(x.e.Account, x.e.Region, db, name)
	if err != nil {
		return err
	}
	if t == nil || t.TableType != "VIRTUAL_VIEW" {
		if ifExists && t == nil {
			return x.rowsResult(nil, nil)
		}
		return userError("TABLE_NOT_FOUND: line 1:1: View 'awsdatacatalog.%s.%s' does not exist", db, name)
	}
	if err := x.s.catalog.CatalogDeleteTable(x.e.Account, x.e.Region, db, name); err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}
