//go:build fogbank_engine

// Command engine is fogbank's SQL engine: DuckDB in a process of its own, so
// that the server never links it (see internal/sqlengine for why and for the
// protocol). This is the only package of the module that imports DuckDB.
//
// It reads requests, one JSON object a line, on stdin and answers each with
// one JSON line on stdout. Every request runs on a fresh in-memory DuckDB of
// its own (its views name that query's files), on a goroutine of its own, so
// a cancel can interrupt it. Rows never travel over the pipe: a query writes
// them to the CSV or Parquet file the request names, as it reads them, so
// memory stays flat whatever the result's size.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fogbank/fogbank/internal/sqlengine/wire"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	var (
		mu      sync.Mutex // guards running and writes to out
		running = map[int64]context.CancelFunc{}
		wg      sync.WaitGroup
	)
	send := func(r *wire.Response) {
		mu.Lock()
		defer mu.Unlock()
		out.Encode(r)
	}
	for in.Scan() {
		var req wire.Request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			send(&wire.Response{Error: "engine: bad request: " + err.Error()})
			continue
		}
		if req.Op == "cancel" {
			mu.Lock()
			if c := running[req.ID]; c != nil {
				c()
			}
			mu.Unlock()
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		mu.Lock()
		running[req.ID] = cancel
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := run(ctx, &req)
			resp.ID = req.ID
			mu.Lock()
			delete(running, req.ID)
			mu.Unlock()
			cancel()
			send(resp)
		}()
	}
	// stdin closed: fogbank wants us gone once the queries running are done
	// (it kills us when it cannot wait).
	wg.Wait()
}

func run(ctx context.Context, req *wire.Request) *wire.Response {
	start := time.Now()
	resp := &wire.Response{}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxOpenConns(1) // one session: the setup's views and settings hold for the query
	conn, err := db.Conn(ctx)
	if err != nil {
		resp.Error = err.Error()
		return resp
	}
	defer conn.Close()
	settings := []string{
		// No network: extensions are linked in or absent.
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
	}
	if req.TempDir != "" {
		settings = append(settings, fmt.Sprintf("SET temp_directory = '%s'", quote(req.TempDir)))
	}
	if req.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", req.Threads))
	}
	for _, s := range append(settings, req.Setup...) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			resp.Error, resp.Stage = err.Error(), "setup"
			return resp
		}
	}
	for _, p := range req.Probes {
		var n sql.NullInt64
		if err := conn.QueryRowContext(ctx, p).Scan(&n); err != nil {
			resp.Error, resp.Stage = err.Error(), "probe"
			return resp
		}
		resp.Probes = append(resp.Probes, n.Int64)
	}
	if req.MaxProbed > 0 {
		var sum int64
		for _, n := range resp.Probes {
			sum += n
		}
		if sum > req.MaxProbed {
			resp.OverLimit = true
			resp.Millis = time.Since(start).Milliseconds()
			return resp
		}
	}
	switch req.Op {
	case "exec":
		_, err = conn.ExecContext(ctx, req.SQL)
	case "query":
		err = query(ctx, conn, req, resp)
	default:
		err = fmt.Errorf("engine: unknown op %q", req.Op)
	}
	if err != nil {
		resp.Error = err.Error()
		if ctx.Err() != nil {
			resp.Cancelled = true
		}
	}
	resp.Millis = time.Since(start).Milliseconds()
	return resp
}

func quote(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// query runs req.SQL and writes its rows to req.CSV (Athena's CSV) or with
// DuckDB's COPY (which streams) to req.CopyTo.
func query(ctx context.Context, conn *sql.Conn, req *wire.Request, resp *wire.Response) error {
	if req.CopyTo != "" {
		cols, err := describe(ctx, conn, req.SQL)
		if err != nil {
			return err
		}
		resp.Columns = cols
		return conn.QueryRowContext(ctx, fmt.Sprintf("COPY (%s) TO '%s' (%s)", req.SQL, quote(req.CopyTo), req.Copy)).Scan(&resp.Rows)
	}
	if ok, err := copyCSV(ctx, conn, req, resp); ok || err != nil {
		return err
	}
	return scanCSV(ctx, conn, req, resp)
}

// copyCSV writes the rows with DuckDB's COPY, which streams them to the file
// as the query makes them: database/sql's rows come from a result DuckDB
// materialises whole first, so a 10 GB result would be 10 GB of memory.
// Each column is formatted as Trino prints it, in SQL where SQL can
// (numbers, text, dates, timestamps) and by fb_fmt, a Go function, where
// only Go knows Trino's way (doubles, nested values, intervals). It answers
// false, and writes nothing, for statements COPY cannot wrap (EXPLAIN).
func copyCSV(ctx context.Context, conn *sql.Conn, req *wire.Request, resp *wire.Response) (bool, error) {
	cols, err := describe(ctx, conn, req.SQL)
	if err != nil {
		// the statement's own error, placed in its own text
		st, perr := conn.PrepareContext(ctx, req.SQL)
		if perr != nil {
			return false, perr
		}
		st.Close()
		return false, nil
	}
	if err := duckdb.RegisterScalarUDF(conn, "fb_fmt", formatUDF{}); err != nil {
		return false, err
	}
	resp.Columns = cols
	names := make([]string, len(cols))
	exprs := make([]string, len(cols))
	for i, c := range cols {
		names[i] = fmt.Sprintf("c%d", i)
		exprs[i] = formatExpr(names[i], c.Type)
	}
	body := req.CSV + ".rows"
	defer os.Remove(body)
	q := fmt.Sprintf("COPY (SELECT %s FROM (%s\n) AS fb_q(%s)) TO '%s' (FORMAT csv, HEADER false, FORCE_QUOTE *, NULLSTR '')",
		strings.Join(exprs, ", "), req.SQL, strings.Join(names, ", "), quote(body))
	if len(cols) == 0 {
		q = fmt.Sprintf("COPY (%s\n) TO '%s' (FORMAT csv, HEADER false)", req.SQL, quote(body))
	}
	if err := conn.QueryRowContext(ctx, q).Scan(&resp.Rows); err != nil {
		return true, err
	}
	f, err := os.Create(req.CSV)
	if err != nil {
		return true, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	if !req.NoHeader {
		for i, c := range cols {
			if i > 0 {
				w.WriteByte(',')
			}
			writeQuoted(w, c.Name)
		}
		w.WriteByte('\n')
	}
	rows, err := os.Open(body)
	if err != nil {
		return true, err
	}
	defer rows.Close()
	if _, err := io.Copy(w, rows); err != nil {
		return true, err
	}
	if err := w.Flush(); err != nil {
		return true, err
	}
	return true, f.Close()
}

// formatExpr is the SQL that prints column c of DuckDB type typ as Trino
// does (NULL stays NULL: COPY writes it as an empty, unquoted field).
func formatExpr(c, typ string) string {
	switch t := strings.ToUpper(typ); {
	case t == "DATE[]":
		// fb_fmt sees a date as a time.Time, which it prints as a timestamp
		return "'[' || array_to_string(list_transform(" + c + ", x -> coalesce(CAST(x AS VARCHAR), 'null')), ', ') || ']'"
	case strings.HasSuffix(t, "]"), strings.HasPrefix(t, "STRUCT"), strings.HasPrefix(t, "MAP"), strings.HasPrefix(t, "UNION"):
		return "fb_fmt(" + c + ")" // nested: Trino's [..], {k=v}
	case t == "VARCHAR":
		return c
	case t == "BOOLEAN", t == "DATE", t == "UUID", t == "JSON", strings.HasPrefix(t, "DECIMAL"),
		strings.HasSuffix(t, "INT") || t == "INTEGER" || t == "UINTEGER" || t == "HUGEINT" || t == "UHUGEINT":
		return "CAST(" + c + " AS VARCHAR)"
	case t == "TIMESTAMP WITH TIME ZONE", t == "TIMESTAMPTZ":
		return "strftime(CAST(" + c + " AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%g') || ' UTC'"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "strftime(CAST(" + c + " AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%g')"
	case t == "TIME":
		return "strftime(DATE '1970-01-01' + " + c + ", '%H:%M:%S.%g')"
	case t == "BLOB":
		return "rtrim(regexp_replace(lower(hex(" + c + ")), '(..)', '\\1 ', 'g'))"
	}
	return "fb_fmt(" + c + ")"
}

// formatUDF is fb_fmt(any): a value printed by format, as the scanning path
// prints it.
type formatUDF struct{}

func (formatUDF) Config() duckdb.ScalarFuncConfig {
	anyType, _ := duckdb.NewTypeInfo(duckdb.TYPE_ANY)
	text, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{anyType}, ResultTypeInfo: text}
}

func (formatUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		return format(v[0], ""), nil
	}}
}

// scanCSV reads the rows through database/sql and writes them itself: the
// way for what COPY cannot run.
func scanCSV(ctx context.Context, conn *sql.Conn, req *wire.Request, resp *wire.Response) error {
	rows, err := conn.QueryContext(ctx, req.SQL)
	if err != nil {
		return err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	for _, t := range types {
		resp.Columns = append(resp.Columns, wire.Column{Name: t.Name(), Type: t.DatabaseTypeName()})
	}
	f, err := os.Create(req.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	if !req.NoHeader {
		for i, c := range resp.Columns {
			if i > 0 {
				w.WriteByte(',')
			}
			writeQuoted(w, c.Name)
		}
		w.WriteByte('\n')
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if i > 0 {
				w.WriteByte(',')
			}
			if v == nil {
				continue // Athena writes NULL as an empty, unquoted field
			}
			writeQuoted(w, format(v, resp.Columns[i].Type))
		}
		w.WriteByte('\n')
		resp.Rows++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func describe(ctx context.Context, conn *sql.Conn, q string) ([]wire.Column, error) {
	rows, err := conn.QueryContext(ctx, "DESCRIBE "+q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, _ := rows.Columns()
	var cols []wire.Column
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cols = append(cols, wire.Column{Name: fmt.Sprint(vals[0]), Type: fmt.Sprint(vals[1])})
	}
	return cols, rows.Err()
}

// writeQuoted writes s as Athena quotes every value: in double quotes, with
// inner quotes doubled.
func writeQuoted(w *bufio.Writer, s string) {
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			w.WriteByte('"')
		}
		w.WriteByte(s[i])
	}
	w.WriteByte('"')
}

// format is wire.Format with what only the engine knows: the column's type
// (a DATE scans as a time.Time too) and DuckDB's own value types.
func format(v any, typ string) string {
	switch x := v.(type) {
	case time.Time:
		switch typ {
		case "DATE":
			return wire.FormatDate(x)
		case "TIME":
			return x.Format("15:04:05.000")
		case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
			// Trino prints the zone; Athena's sessions are in UTC
			return x.UTC().Format("2006-01-02 15:04:05.000") + " UTC"
		}
	case []byte:
		if typ == "BLOB" {
			// Trino prints varbinary as hex bytes, space-separated
			var b strings.Builder
			for i, c := range x {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%02x", c)
			}
			return b.String()
		}
	case duckdb.OrderedMap:
		keys, vals := x.Keys(), x.Values()
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = format(keys[i], "") + "=" + nested(vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case duckdb.Interval:
		// Trino's interval day to second ("2 03:04:05.000"), or year to
		// month ("1-2") when it counts months only.
		if x.Months != 0 && x.Days == 0 && x.Micros == 0 {
			return fmt.Sprintf("%d-%d", x.Months/12, x.Months%12)
		}
		us := x.Micros + int64(x.Days)*86400e6
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		return fmt.Sprintf("%s%d %02d:%02d:%02d.%03d", sign, us/86400e6, us/3600e6%24, us/60e6%60, us/1e6%60, us/1e3%1000)
	case duckdb.Decimal:
		// Trino prints a decimal with all its scale's digits ("1.50").
		s := new(big.Int).Abs(x.Value).String()
		if sc := int(x.Scale); sc > 0 {
			if len(s) <= sc {
				s = strings.Repeat("0", sc-len(s)+1) + s
			}
			s = s[:len(s)-sc] + "." + s[len(s)-sc:]
		}
		if x.Value.Sign() < 0 {
			s = "-" + s
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = nested(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return wire.Format(v)
}

func nested(v any) string {
	if v == nil {
		return "null"
	}
	return format(v, "")
}
