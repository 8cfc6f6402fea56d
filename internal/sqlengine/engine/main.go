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
	"encoding/json"
	"fmt"
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
