package athena

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/sqlengine"
	"github.com/fogbank/fogbank/internal/sqlengine/wire"
)

// execute runs one statement and returns its result file.
func (s *Service) execute(ctx context.Context, e *execution, wg *workGroup) (*result, error) {
	q := trimStatement(e.Query)
	toks := lex(q)
	st := sig(toks)
	if len(st) == 0 {
		return nil, userError("SYNTAX_ERROR: line 1:1: mismatched input '<EOF>'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'COMMENT', 'COMMIT', 'CREATE', 'DEALLOCATE', 'DELETE', 'DENY', 'DESC', 'DESCRIBE', 'DROP', 'EXECUTE', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'SHOW', 'START', 'TRUNCATE', 'UPDATE', 'USE', <query>")
	}
	for _, t := range st {
		if t.text == ";" {
			return nil, userError("SYNTAX_ERROR: line %d:%d: Only one sql statement is allowed. Got: %s", 1, t.pos+1, q)
		}
	}
	dir, err := s.scratchDir(e.ID)
	if err != nil {
		return nil, err
	}
	res := &result{dir: dir}
	db := e.Database
	if db == "" {
		db = "default"
	}
	x := &stmt{ctx: ctx, s: s, e: e, wg: wg, q: q, toks: toks, st: st, db: db, res: res}
	if s.catalog == nil && !words(st, "SELECT") && !words(st, "WITH") && !words(st, "VALUES") && !words(st, "UNLOAD") {
		return res, &queryError{cat: 1, typ: 204, msg: "HIVE_METASTORE_ERROR: the Glue Data Catalog is not available in this fogbank"}
	}
	switch {
	case words(st, "SELECT"), words(st, "WITH"), words(st, "VALUES"), words(st, "TABLE"), st[0].text == "(", words(st, "EXPLAIN"):
		err = x.query(toks, e.Params)
	case words(st, "SHOW"):
		err = x.show()
	case words(st, "DESCRIBE"), words(st, "DESC"):
		err = x.describe()
	case words(st, "CREATE", "DATABASE"), words(st, "CREATE", "SCHEMA"):
		err = x.createDatabase()
	case words(st, "CREATE", "EXTERNAL", "TABLE"):
		err = x.createTable()
	case words(st, "CREATE", "TABLE"):
		if x.hasAS() {
			err = x.ctas()
		} else {
			err = x.createTable()
		}
	case words(st, "CREATE", "VIEW"), words(st, "CREATE", "OR", "REPLACE", "VIEW"):
		err = x.createView()
	case words(st, "DROP", "VIEW"):
		err = x.dropView()
	case words(st, "DROP", "DATABASE"), words(st, "DROP", "SCHEMA"):
		err = x.dropDatabase()
	case words(st, "DROP", "TABLE"):
		err = x.dropTable()
	case words(st, "MSCK", "REPAIR", "TABLE"):
		err = x.repair()
	case words(st, "ALTER", "TABLE"):
		err = x.alterTable()
	case words(st, "INSERT", "INTO"):
		err = x.insert()
	case words(st, "UNLOAD"):
		err = x.unload()
	case words(st, "PREPARE"):
		err = x.prepare()
	case words(st, "EXECUTE"):
		err = x.executePrepared()
	case words(st, "DEALLOCATE", "PREPARE"):
		err = x.deallocate()
	default:
		t := st[0]
		err = userError("SYNTAX_ERROR: line 1:%d: mismatched input '%s'. Expecting: 'ALTER', 'CREATE', 'DEALLOCATE', 'DESCRIBE', 'DROP', 'EXECUTE', 'EXPLAIN', 'MSCK', 'PREPARE', 'SHOW', <query>", t.pos+1, t.text)
	}
	return res, err
}

// stmt is one statement being run.
type stmt struct {
	ctx  context.Context // ends when StopQueryExecution (or shutdown) cancels the query
	s    *Service
	e    *execution
	wg   *workGroup
	q    string
	toks []token
	st   []token // significant tokens
	db   string  // the default database
	res  *result
	// paths names the objects behind the engine's files in error messages.
	paths map[string]string
}

func (x *stmt) hasAS() bool {
	depth := 0
	for _, t := range x.st {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
		case depth == 0 && t.kind == 'w' && t.val() == "AS":
			return true
		}
	}
	return false
}

// rowsResult writes rows (tab-separated, as Athena's .txt results) with the
// given columns (all varchar).
func (x *stmt) rowsResult(cols []string, rows [][]string) error {
	f, err := os.Create(filepath.Join(x.res.dir, "result.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for _, r := range rows {
		w.WriteString(strings.Join(r, "\t"))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	x.res.file = f.Name()
	x.res.rows = int64(len(rows))
	for _, c := range cols {
		x.res.columns = append(x.res.columns, column{Name: c, Type: "string"})
	}
	return f.Close()
}

// query runs a SELECT (or WITH, VALUES, EXPLAIN) and writes its rows as
// Athena's CSV.
func (x *stmt) query(toks []token, params []string) error {
	b := &binder{s: x.s, account: x.e.Account, region: x.e.Region, dir: x.res.dir, seen: map[string]bool{}}
	defer b.close()
	if x.s.catalog != nil {
		if err := b.bind(toks, x.db, pruning(toks)); err != nil {
			return err
		}
	}
	x.paths = b.paths
	x.e.Scanned = b.bytes
	if err := x.checkCutoff(b.bytes); err != nil {
		return err
	}
	rw, err := rewrite(toks, params)
	if err != nil {
		return err
	}
	req := &wire.Request{Op: "query", Setup: b.setup, SQL: rw.sql, CSV: filepath.Join(x.res.dir, "result.csv"), Probes: b.probes, MaxProbed: x.probeLimit(b)}
	req.Setup = setupFor(req.SQL, req.Setup)
	req.TempDir = filepath.Join(x.res.dir, "spill")
	resp, err := x.s.engine.Run(x.ctx, req)
	if err != nil {
		if errors.Is(err, sqlengine.ErrNoEngine) {
			return &queryError{cat: 1, typ: 100, msg: "GENERIC_INTERNAL_ERROR: " + err.Error()}
		}
		return err
	}
	x.e.EngineMillis += resp.Millis
	if resp.Cancelled {
		return context.Canceled
	}
	if resp.OverLimit {
		return x.scanned(b, resp) // over the cutoff: CANCELLED
	}
	if resp.Error != "" {
		return x.engineError(resp.Error, rw)
	}
	if err := x.scanned(b, resp); err != nil {
		return err
	}
	x.res.file, x.res.header, x.res.rows = req.CSV, true, resp.Rows
	for _, c := range resp.Columns {
		t, p, sc := athenaType(c.Type)
		x.res.columns = append(x.res.columns, column{Name: c.Name, Type: t, Precision: p, Scale: sc})
	}
	return nil
}

// scanned records the bytes the query read (whole CSV and JSON objects, the
// Parquet columns it named) and applies the work group's cutoff to them.
func (x *stmt) scanned(b *binder, resp *wire.Response) error {
	x.e.Scanned = b.bytes
	for _, n := range resp.Probes {
		x.e.Scanned += n
	}
	return x.checkCutoff(x.e.Scanned)
}

// probeLimit is what the Parquet columns a query reads may add to the bytes
// already counted before the work group's cutoff stops it (0: no cutoff).
func (x *stmt) probeLimit(b *binder) int64 {
	if x.wg == nil || x.wg.Config == nil || x.wg.Config.BytesScannedCutoffPerQuery == nil || len(b.probes) == 0 {
		return 0
	}
	return max(*x.wg.Config.BytesScannedCutoffPerQuery-b.bytes, 1)
}

// checkCutoff applies the work group's BytesScannedCutoffPerQuery to the
// bytes the query would read.
func (x *stmt) checkCutoff(bytes int64) error {
	if x.wg == nil || x.wg.Config == nil || x.wg.Config.BytesScannedCutoffPerQuery == nil {
		return nil
	}
	if cutoff := *x.wg.Config.BytesScannedCutoffPerQuery; bytes > cutoff {
		// Athena stops reading at the limit: the query is CANCELLED (not
		// FAILED) and DataScannedInBytes is the cutoff itself. fogbank
		// knows the bytes before reading, so it reads none of them.
		x.e.Scanned = cutoff
		return &queryError{cancelled: true, msg: "Bytes scanned limit was exceeded"}
	}
	return nil
}

var (
	lineRE     = lazy.Regexp{Expr: `(?s)\n\nLINE (\d+): (.*?)\n( *)\^`}
	nearRE     = lazy.Regexp{Expr: `syntax error at or near "(.*?)"`}
	tableRE    = lazy.Regexp{Expr: `Table with name (\S+) does not exist`}
	columnRE   = lazy.Regexp{Expr: `Referenced column "?(.*?)"? not found`}
	functionRE = lazy.Regexp{Expr: `(?:Scalar|Aggregate|Table|Macro) Function with name "?([^"\s]+)"? (?:does not exist|is not in the catalog)`}
	schemaRE   = lazy.Regexp{Expr: `[Ss]chema (?:with name )?"?([^"\s]+)"? does not exist`}
)

// engineError words a DuckDB error as Athena (Trino) would, with the line
// and column in the user's statement.
func (x *stmt) engineError(msg string, rw *rewritten) error {
	for local, uri := range x.paths {
		msg = strings.ReplaceAll(msg, local, uri)
	}
	line, col := 1, 1
	if m := lineRE.Get().FindStringSubmatch(msg); m != nil && rw != nil {
		// DuckDB shows the line of the rewritten statement and a caret under
		// the place; map it back to the statement the user sent.
		ln, _ := strconv.Atoi(m[1])
		shown := m[2]
		caret := len(m[3]) - len("LINE "+m[1]+": ")
		if caret < 0 {
			caret = 0
		}
		lineStart := 0
		for i := 1; i < ln; i++ {
			j := strings.IndexByte(rw.sql[lineStart:], '\n')
			if j < 0 {
				break
			}
			lineStart += j + 1
		}
		if strings.HasPrefix(shown, "...") {
			// a long line is cut: find the shown text in the line
			if k := strings.Index(rw.sql[lineStart:], strings.TrimPrefix(shown, "...")[:min(20, len(shown)-3)]); k >= 0 {
				caret = k + caret - 3
			}
		}
		line, col = lineCol(x.q, rw.origPos(lineStart+caret))
	}
	short := msg
	if i := strings.Index(short, "\n\nLINE"); i >= 0 {
		short = short[:i]
	}
	_, detail, _ := strings.Cut(short, ": ")
	switch {
	case strings.HasPrefix(msg, "Parser Error"):
		if m := nearRE.Get().FindStringSubmatch(msg); m != nil {
			return userError("SYNTAX_ERROR: line %d:%d: mismatched input '%s'", line, col, m[1])
		}
		if strings.Contains(msg, "end of input") {
			// where the statement ends, as Trino places <EOF>
			l, c := lineCol(x.q, len(x.q))
			return userError("SYNTAX_ERROR: line %d:%d: mismatched input '<EOF>'", l, c)
		}
		return userError("SYNTAX_ERROR: line %d:%d: %s", line, col, detail)
	case tableRE.Get().MatchString(msg):
		name := strings.Trim(tableRE.Get().FindStringSubmatch(msg)[1], `"!`)
		db := x.db
		if m := schemaRE.Get().FindStringSubmatch(msg); m != nil {
			db = strings.Trim(m[1], `"!.`)
			if !x.databaseExists(db) {
				return userError("SCHEMA_NOT_FOUND: line %d:%d: Schema '%s' does not exist", line, col, db)
			}
		}
		if i := strings.LastIndex(name, "."); i >= 0 {
			name = name[i+1:]
		}
		return userError("TABLE_NOT_FOUND: line %d:%d: Table 'awsdatacatalog.%s.%s' does not exist", line, col, db, name)
	case schemaRE.Get().MatchString(msg):
		return userError("SCHEMA_NOT_FOUND: line %d:%d: Schema '%s' does not exist", line, col, strings.Trim(schemaRE.Get().FindStringSubmatch(msg)[1], `"!.`))
	case columnRE.Get().MatchString(msg):
		c := columnRE.Get().FindStringSubmatch(msg)[1]
		if i := strings.LastIndex(c, "."); i >= 0 {
			c = c[i+1:]
		}
		return userError("COLUMN_NOT_FOUND: line %d:%d: Column '%s' cannot be resolved or requester is not authorized to access requested resources", line, col, strings.Trim(c, `"`))
	case functionRE.Get().MatchString(msg):
		name := strings.Trim(functionRE.Get().FindStringSubmatch(msg)[1], `"!`)
		if line == 1 && col == 1 {
			// DuckDB placed nothing: the call's place in the statement
			for i, t := range x.st {
				if t.isIdent() && t.ident() == strings.ToLower(name) && i+1 < len(x.st) && x.st[i+1].text == "(" {
					line, col = lineCol(x.q, t.pos)
					break
				}
			}
		}
		return userError("FUNCTION_NOT_FOUND: line %d:%d: Function '%s' not registered", line, col, name)
	case strings.HasPrefix(msg, "Binder Error: No function matches"):
		detail, _, _ = strings.Cut(detail, "\n") // not DuckDB's list of candidates
		return userError("FUNCTION_NOT_FOUND: line %d:%d: Unexpected parameters for function: %s", line, col, detail)
	case strings.HasPrefix(msg, "Binder Error"), strings.HasPrefix(msg, "Catalog Error"):
		return userError("SYNTAX_ERROR: line %d:%d: %s", line, col, detail)
	case strings.HasPrefix(msg, "Conversion Error"), strings.HasPrefix(msg, "Invalid Input Error"):
		if strings.Contains(msg, "magic bytes") || strings.Contains(msg, "not a parquet file") {
			return &queryError{cat: 2, typ: 1001, msg: "HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split: " + detail}
		}
		if strings.Contains(msg, "arquet") || strings.Contains(msg, "CSV") || strings.Contains(msg, "JSON") || strings.Contains(msg, "s3://") {
			return &queryError{cat: 2, typ: 1001, msg: "HIVE_BAD_DATA: " + detail}
		}
		return &queryError{cat: 2, typ: 1000, msg: "INVALID_CAST_ARGUMENT: " + detail}
	case strings.HasPrefix(msg, "Out of Memory Error"):
		return &queryError{cat: 2, typ: 1000, msg: "EXCEEDED_LOCAL_MEMORY_LIMIT: " + detail}
	case strings.HasPrefix(msg, "Out of Range Error"):
		return &queryError{cat: 2, typ: 1000, msg: "NUMERIC_VALUE_OUT_OF_RANGE: " + detail}
	case strings.HasPrefix(msg, "IO Error"):
		return &queryError{cat: 2, typ: 1001, msg: "HIVE_CANNOT_OPEN_SPLIT: " + detail}
	}
	return &queryError{cat: 2, typ: 1000, msg: "GENERIC_USER_ERROR: " + short}
}

func (x *stmt) databaseExists(db string) bool {
	if x.s.catalog == nil {
		return false
	}
	dbs, err := x.s.catalog.CatalogDatabases(x.e.Account, x.e.Region)
	if err != nil {
		return false
	}
	for _, d := range dbs {
		if d == db {
			return true
		}
	}
	return false
}

// tableName reads [db.]name at st[i:], returning the database (default when
// none) and the index after.
func (x *stmt) tableName(i int) (db, name string, next int, err error) {
	if i >= len(x.st) || !x.st[i].isIdent() {
		return "", "", i, x.mismatch(i)
	}
	db, name = x.db, x.st[i].ident()
	i++
	if i+1 < len(x.st) && x.st[i].text == "." && x.st[i+1].isIdent() {
		db, name = name, x.st[i+1].ident()
		i += 2
		if db == "awsdatacatalog" && i+1 < len(x.st) && x.st[i].text == "." && x.st[i+1].isIdent() {
			db, name = name, x.st[i+1].ident()
			i += 2
		}
	}
	return db, name, i, nil
}

func (x *stmt) mismatch(i int) error {
	if i >= len(x.st) {
		l, c := lineCol(x.q, len(x.q))
		return userError("SYNTAX_ERROR: line %d:%d: mismatched input '<EOF>'", l, c)
	}
	l, c := lineCol(x.q, x.st[i].pos)
	return userError("SYNTAX_ERROR: line %d:%d: mismatched input '%s'", l, c, x.st[i].text)
}

func (x *stmt) table(db, name string) (*glueTable, error) {
	t, err := x.s.lookup(x.e.Account, x.e.Region, db, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, userError("TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.%s.%s' does not exist", db, name)
	}
	return t, nil
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// ---- SHOW and DESCRIBE ----

func (x *stmt) show() error {
	st := x.st
	switch {
	case words(st, "SHOW", "DATABASES"), words(st, "SHOW", "SCHEMAS"):
		dbs, err := x.s.catalog.CatalogDatabases(x.e.Account, x.e.Region)
		if err != nil {
			return err
		}
		like := x.likeFilter(2)
		var rows [][]string
		for _, d := range dbs {
			if like(d) {
				rows = append(rows, []string{d})
			}
		}
		return x.rowsResult([]string{"database_name"}, rows)
	case words(st, "SHOW", "TABLES"):
		db, i := x.db, 2
		if i+1 < len(st) && st[i].kind == 'w' && (st[i].val() == "IN" || st[i].val() == "FROM") {
			db, i = st[i+1].ident(), i+2
		}
		names, err := x.s.tableNames(x.e.Account, x.e.Region, db)
		if err != nil {
			return err
		}
		like := x.likeFilter(i)
		var rows [][]string
		for _, n := range names {
			if like(n) {
				rows = append(rows, []string{n})
			}
		}
		return x.rowsResult([]string{"tab_name"}, rows)
	case words(st, "SHOW", "VIEWS"):
		db, i := x.db, 2
		if i+1 < len(st) && st[i].kind == 'w' && (st[i].val() == "IN" || st[i].val() == "FROM") {
			db, i = st[i+1].ident(), i+2
		}
		names, err := x.s.tableNames(x.e.Account, x.e.Region, db)
		if err != nil {
			return err
		}
		like := x.likeFilter(i)
		var rows [][]string
		for _, n := range names {
			if t, err := x.s.lookup(x.e.Account, x.e.Region, db, n); err == nil && t != nil && t.TableType == "VIRTUAL_VIEW" && like(n) {
				rows = append(rows, []string{n})
			}
		}
		return x.rowsResult([]string{"views"}, rows)
	case words(st, "SHOW", "PARTITIONS"):
		db, name, _, err := x.tableName(2)
		if err != nil {
			return err
		}
		t, err := x.table(db, name)
		if err != nil {
			return err
		}
		raws, err := x.s.catalog.CatalogPartitionsJSON(x.e.Account, x.e.Region, db, name, "")
		if err != nil {
			return err
		}
		var rows [][]string
		for _, raw := range raws {
			var p gluePartition
			if json.Unmarshal(raw, &p) != nil || len(p.Values) != len(t.PartitionKeys) {
				continue
			}
			var parts []string
			for i, k := range t.PartitionKeys {
				parts = append(parts, k.Name+"="+p.Values[i])
			}
			rows = append(rows, []string{strings.Join(parts, "/")})
		}
		return x.rowsResult([]string{"partition"}, rows)
	case words(st, "SHOW", "COLUMNS"):
		if len(st) < 4 || st[2].kind != 'w' || (st[2].val() != "IN" && st[2].val() != "FROM") {
			return x.mismatch(2)
		}
		db, name, i, err := x.tableName(3)
		if err != nil {
			return err
		}
		if i+1 < len(st) && st[i].kind == 'w' && (st[i].val() == "IN" || st[i].val() == "FROM") {
			db = st[i+1].ident()
		}
		t, err := x.table(db, name)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, c := range append(append([]glueColumn{}, t.columns()...), t.PartitionKeys...) {
			rows = append(rows, []string{c.Name + "                 "})
		}
		return x.rowsResult([]string{"field"}, rows)
	case words(st, "SHOW", "CREATE", "TABLE"):
		db, name, _, err := x.tableName(3)
		if err != nil {
			return err
		}
		t, err := x.table(db, name)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, l := range strings.Split(showCreate(db, t), "\n") {
			rows = append(rows, []string{l})
		}
		return x.rowsResult([]string{"createtab_stmt"}, rows)
	}
	return x.mismatch(1)
}

// likeFilter reads an optional [LIKE] 'pattern' at st[i] (Hive's: * and |).
func (x *stmt) likeFilter(i int) func(string) bool {
	if i < len(x.st) && x.st[i].kind == 'w' && x.st[i].val() == "LIKE" {
		i++
	}
	if i >= len(x.st) || x.st[i].kind != 's' {
		return func(string) bool { return true }
	}
	var alts []string
	for _, a := range strings.Split(x.st[i].val(), "|") {
		alts = append(alts, "^"+strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSpace(a)), `\*`, ".*")+"$")
	}
	re, err := regexp.Compile("(?i)" + strings.Join(alts, "|"))
	if err != nil {
		return func(string) bool { return true }
	}
	return re.MatchString
}

func (s *Service) tableNames(account, region, db string) ([]string, error) {
	type lister interface {
		CatalogTables(account, region, database string) ([]string, error)
	}
	if l, ok := s.catalog.(lister); ok {
		return l.CatalogTables(account, region, db)
	}
	return nil, errors.New("the Glue catalogue does not list tables")
}

func (x *stmt) describe() error {
	i := 1
	if i < len(x.st) && x.st[i].kind == 'w' && (x.st[i].val() == "FORMATTED" || x.st[i].val() == "EXTENDED") {
		i++
	}
	db, name, _, err := x.tableName(i)
	if err != nil {
		return err
	}
	t, err := x.table(db, name)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, c := range t.columns() {
		rows = append(rows, []string{fmt.Sprintf("%-20s\t%-20s\t%s", c.Name, c.Type, c.Comment)})
	}
	for _, c := range t.PartitionKeys {
		rows = append(rows, []string{fmt.Sprintf("%-20s\t%-20s\t%s", c.Name, c.Type, c.Comment)})
	}
	if len(t.PartitionKeys) > 0 {
		rows = append(rows, []string{""}, []string{"# Partition Information"}, []string{fmt.Sprintf("%-20s\t%-20s\t%s", "# col_name", "data_type", "comment")}, []string{""})
		for _, c := range t.PartitionKeys {
			rows = append(rows, []string{fmt.Sprintf("%-20s\t%-20s\t%s", c.Name, c.Type, c.Comment)})
		}
	}
	return x.rowsResult([]string{"col_name"}, rows)
}

// ---- DDL ----

func (x *stmt) createDatabase() error {
	i := 2
	ifNot := false
	if words(x.st[i:], "IF", "NOT", "EXISTS") {
		ifNot, i = true, i+3
	}
	if i >= len(x.st) || !x.st[i].isIdent() {
		return x.mismatch(i)
	}
	name := x.st[i].ident()
	dbs, err := x.s.catalog.CatalogDatabases(x.e.Account, x.e.Region)
	if err != nil {
		return err
	}
	for _, d := range dbs {
		if d == name {
			if ifNot {
				return x.rowsResult(nil, nil)
			}
			return &queryError{cat: 2, typ: 1003, msg: "FAILED: AlreadyExistsException: Database " + name + " already exists"}
		}
	}
	if err := x.s.catalog.CatalogPutDatabase(x.e.Account, x.e.Region, name); err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}

// dropDatabase runs DROP DATABASE|SCHEMA [IF EXISTS] name [RESTRICT|CASCADE]:
// Hive refuses a database that still has tables unless CASCADE, which drops
// them (their files stay in S3, as for DROP TABLE).
func (x *stmt) dropDatabase() error {
	i := 2
	ifExists := false
	if words(x.st[i:], "IF", "EXISTS") {
		ifExists, i = true, i+2
	}
	if i >= len(x.st) || !x.st[i].isIdent() {
		return x.mismatch(i)
	}
	name := x.st[i].ident()
	i++
	cascade := false
	switch {
	case words(x.st[i:], "CASCADE"):
		cascade, i = true, i+1
	case words(x.st[i:], "RESTRICT"):
		i++
	}
	if i < len(x.st) {
		return x.mismatch(i)
	}
	type dropper interface {
		CatalogTables(account, region, database string) ([]string, error)
		CatalogDeleteDatabase(account, region, name string) error
	}
	d, ok := x.s.catalog.(dropper)
	if !ok {
		return userError("NOT_SUPPORTED: this Glue catalogue cannot drop databases")
	}
	tables, err := d.CatalogTables(x.e.Account, x.e.Region, name)
	if notExist(err) {
		if ifExists {
			return x.rowsResult(nil, nil)
		}
		return &queryError{cat: 2, typ: 1003, msg: "FAILED: SemanticException [Error 10072]: Database does not exist: " + name}
	}
	if err != nil {
		return err
	}
	if len(tables) > 0 && !cascade {
		return &queryError{cat: 2, typ: 1003, msg: "FAILED: InvalidOperationException(message:Database " + name + " is not empty. One or more tables exist.)"}
	}
	if err := d.CatalogDeleteDatabase(x.e.Account, x.e.Region, name); err != nil && !notExist(err) {
		return err
	}
	return x.rowsResult(nil, nil)
}

func (x *stmt) dropTable() error {
	i := 2
	ifExists := false
	if words(x.st[i:], "IF", "EXISTS") {
		ifExists, i = true, i+2
	}
	db, name, _, err := x.tableName(i)
	if err != nil {
		return err
	}
	err = x.s.catalog.CatalogDeleteTable(x.e.Account, x.e.Region, db, name)
	if notExist(err) {
		if ifExists {
			return x.rowsResult(nil, nil)
		}
		return &queryError{cat: 2, typ: 1003, msg: fmt.Sprintf("FAILED: SemanticException [Error 10001]: Table not found %s.%s", db, name)}
	}
	if err != nil {
		return err
	}
	return x.rowsResult(nil, nil)
}
