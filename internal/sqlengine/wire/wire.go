// Package wire is the protocol between fogbank and its SQL engine process
// (internal/sqlengine/engine): the request and response lines, and how values
// are written as text in Athena's result CSV. It imports nothing of DuckDB,
// so both sides share it without the server linking the engine.
package wire

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one line fogbank writes to the engine's stdin.
type Request struct {
	ID int64  `json:"id"`
	Op string `json:"op"` // "query", "exec" or "cancel" (of the request ID)
	// Setup runs first, in the request's own fresh database: the views that
	// map the query's tables to their files, macros, settings.
	Setup []string `json:"setup,omitempty"`
	SQL   string   `json:"sql,omitempty"`
	// A query writes its rows to CSV (Athena's result format, with a header
	// line unless NoHeader) or, for CREATE TABLE AS, INSERT INTO and UNLOAD,
	// with DuckDB's COPY to CopyTo (a file, or a directory when the options
	// partition) with the COPY options Copy ("FORMAT parquet, ...").
	CSV      string `json:"csv,omitempty"`
	NoHeader bool   `json:"noHeader,omitempty"`
	CopyTo   string `json:"copyTo,omitempty"`
	Copy     string `json:"copy,omitempty"`
	TempDir  string `json:"tempDir,omitempty"`
	// Probes run after Setup and before the query; each answers one integer
	// (Athena counts the bytes of the Parquet columns a query reads this way).
	Probes []string `json:"probes,omitempty"`
	// MaxProbed, when positive, is the most the probes may sum to: past it
	// the query is not run and the answer says OverLimit (a work group's
	// BytesScannedCutoffPerQuery stops a query before it reads).
	MaxProbed int64 `json:"maxProbed,omitempty"`
	Threads   int   `json:"threads,omitempty"`
}

// Column is a result column as DuckDB names its type ("VARCHAR", "DECIMAL(18,2)").
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Response is the engine's one answer line to a request.
type Response struct {
	ID        int64    `json:"id"`
	Columns   []Column `json:"columns,omitempty"`
	Rows      int64    `json:"rows"`
	Probes    []int64  `json:"probes,omitempty"`
	Millis    int64    `json:"millis"`
	Error     string   `json:"error,omitempty"`
	Stage     string   `json:"stage,omitempty"` // "setup" when a view failed, not the query
	Cancelled bool     `json:"cancelled,omitempty"`
	OverLimit bool     `json:"overLimit,omitempty"` // the probes passed MaxProbed; nothing ran
}

// Format writes a value as Athena (Trino) prints it in a result CSV.
func Format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int:
		return strconv.Itoa(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case *big.Int:
		return x.String()
	case float64:
		return JavaDouble(x, 64)
	case float32:
		return JavaDouble(float64(x), 32)
	case time.Time: // a TIMESTAMP; the engine writes DATE and TIME columns itself
		return x.UTC().Format("2006-01-02 15:04:05.000")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatNested(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any: // a STRUCT (Trino's row): fields in name order
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + formatNested(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func formatNested(v any) string {
	if v == nil {
		return "null"
	}
	return Format(v)
}

// FormatDate writes a DATE value.
func FormatDate(t time.Time) string { return t.UTC().Format("2006-01-02") }

// JavaDouble formats f as Java's Double.toString (Float.toString for bits
// 32), which is what Trino and so Athena print: at least one digit after the
// point, scientific notation below 1e-3 and from 1e7 on ("1.0E7").
func JavaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits) // "1.2345e+07"
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
