package athena

import (
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"strings"
)

// Athena's dialect is Trino's; the engine speaks DuckDB's. Most of what people
// write is the same in both. The rest is bridged here: functions whose name
// differs are renamed, functions whose behaviour differs become macros (named
// fb_*, created in each query's database), and catalogue prefixes are dropped.
// What is not bridged is listed in the package doc.

// dateFormat turns a Trino (MySQL-style) date format into strftime's.
func dateFormat(f string) string {
	conv := map[byte]string{'i': "%M", 's': "%S", 'T': "%H:%M:%S", 'r': "%I:%M:%S %p", 'M': "%B",
		'h': "%I", 'c': "%-m", 'e': "%-d", 'W': "%A", 'k': "%-H", 'l': "%-I", 'v': "%V", 'x': "%G"}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		if c, ok := conv[f[i]]; ok {
			b.WriteString(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// jodaFormat turns a Joda-Time pattern (parse_datetime, format_datetime)
// into strftime's: letters repeat to say their width, text is quoted.
func jodaFormat(f string) string {
	conv := map[string]string{"yyyy": "%Y", "yy": "%y", "y": "%Y", "YYYY": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m",
		"dd": "%d", "d": "%-d", "HH": "%H", "H": "%-H", "hh": "%I", "h": "%-I", "mm": "%M", "m": "%-M", "ss": "%S", "s": "%-S",
		"SSS": "%g", "SSSSSS": "%f", "a": "%p", "EEEE": "%A", "EEE": "%a", "E": "%a", "Z": "%z", "ZZ": "%z", "z": "%Z", "DDD": "%j", "D": "%-j"}
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(f[i+1:], '\'')
			if j < 0 {
				b.WriteString(strings.ReplaceAll(f[i+1:], "%", "%%"))
				return b.String()
			}
			if j == 0 {
				b.WriteByte('\'') // '' is a quote
			} else {
				b.WriteString(strings.ReplaceAll(f[i+1:i+1+j], "%", "%%"))
			}
			i += j + 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(f) && f[j] == c {
				j++
			}
			if v, ok := conv[f[i:j]]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(f[i:j])
			}
			i = j
		case c == '%':
			b.WriteString("%%")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// formatCalls rewrites date_parse(s, 'fmt') and date_format(t, 'fmt') to
// strptime and strftime with the format converted: DuckDB needs the format
// as a constant when the call is bound, so the conversion happens here.
func formatCalls(toks []token) []token {
	out := append([]token(nil), toks...)
	for i, t := range out {
		if t.kind != 'w' {
			continue
		}
		name := strings.ToLower(t.text)
		to, ok := map[string]string{"date_parse": "strptime", "date_format": "strftime", "parse_datetime": "strptime", "format_datetime": "strftime"}[name]
		if !ok {
			continue
		}
		j := i + 1
		for j < len(out) && out[j].kind == ' ' {
			j++
		}
		if j >= len(out) || out[j].text != "(" {
			continue
		}
		depth, lastComma, end := 0, -1, -1
		for k := j; k < len(out) && end < 0; k++ {
			switch out[k].text {
			case "(":
				depth++
			case ")":
				depth--
				if depth == 0 {
					end = k
				}
			case ",":
				if depth == 1 {
					lastComma = k
				}
			}
		}
		if end < 0 || lastComma < 0 {
			continue
		}
		lit := -1
		for k := lastComma + 1; k < end; k++ {
			if out[k].kind == ' ' {
				continue
			}
			if out[k].kind == 's' && lit < 0 {
				lit = k
			} else {
				lit = -2
			}
		}
		if lit < 0 {
			continue
		}
		if strings.HasSuffix(name, "_datetime") {
			out[lit].text = quoteLit(jodaFormat(out[lit].val()))
		} else {
			out[lit].text = quoteLit(dateFormat(out[lit].val()))
		}
		out[i].text = to
	}
	return out
}

// macros are created in every query's database.
var macros = []string{
	"SET TimeZone = 'UTC'",
	// Trino answers a timestamp with time zone (UTC here).
	"CREATE MACRO fb_from_unixtime(x) AS to_timestamp(x)",
	"CREATE MACRO fb_to_unixtime(t) AS CAST(epoch_us(t) AS DOUBLE) / 1000000",
	// Trino answers a timestamp with time zone, the offset applied.
	"CREATE MACRO fb_from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
	"CREATE MACRO fb_from_iso8601_date(s) AS CAST(s AS DATE)",
	"CREATE MACRO fb_to_iso8601(t) AS strftime(t, '%Y-%m-%dT%H:%M:%S.%g')",
	"CREATE MACRO fb_date(x) AS CAST(x AS DATE)",
	"CREATE MACRO fb_date_add(u, n, t) AS t + n * CAST('1 ' || u AS INTERVAL)",
	"CREATE MACRO fb_regexp_like(s, p) AS regexp_matches(s, p)",
	// Trino answers NULL when the pattern does not match; DuckDB ''.
	"CREATE MACRO fb_regexp_extract(s, p) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p) END, (s, p, g) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END",
	// Trino replaces every match; DuckDB the first unless 'g'.
	// ... and writes a group as $1, DuckDB as \1.
	`CREATE MACRO fb_regexp_replace(s, p) AS regexp_replace(s, p, '', 'g'), (s, p, r) AS regexp_replace(s, p, regexp_replace(r, '\$(\d)', '\\\1', 'g'), 'g')`,
	"CREATE MACRO fb_json_extract_scalar(j, p) AS json_extract_string(j, p)",
	"CREATE MACRO fb_json_parse(s) AS CAST(s AS JSON)",
	"CREATE MACRO fb_json_format(j) AS CAST(j AS VARCHAR)",
	"CREATE MACRO fb_cardinality(x) AS len(x)",
	"CREATE MACRO fb_element_at(c, k) AS c[k]",
	// Trino divides integers as integers (7 / 2 = 3).
	"SET integer_division = true",
	// Trino's millisecond() is the millisecond of the second; DuckDB's counts the second's too.
	"CREATE MACRO fb_millisecond(t) AS millisecond(t) % 1000",
	// Trino keeps the first of each element, in order.
	"CREATE MACRO fb_array_distinct(a) AS list_filter(a, (x, i) -> list_position(a, x) = i)",
	"CREATE MACRO fb_slice(a, s, n) AS CASE WHEN s > 0 THEN list_slice(a, s, s + n - 1) ELSE list_slice(a, len(a) + s + 1, len(a) + s + n) END",
	"CREATE MACRO fb_map_agg(k, v) AS map(list(k), list(v))",
	"CREATE MACRO fb_infinity() AS CAST('Infinity' AS DOUBLE)",
	"CREATE MACRO fb_nan() AS CAST('NaN' AS DOUBLE)",
	"CREATE MACRO fb_current_timezone() AS 'UTC'",
	// URLs, by RFC 3986's parts (NULL where the part is absent, as Trino).
	`CREATE MACRO fb_url_protocol(u) AS nullif(regexp_extract(u, '^([A-Za-z][A-Za-z0-9+.-]*):', 1), '')`,
	`CREATE MACRO fb_url_host(u) AS nullif(regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]*)', 1), '')`,
	`CREATE MACRO fb_url_port(u) AS CAST(nullif(regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?[^/:?#]*:([0-9]+)', 1), '') AS BIGINT)`,
	`CREATE MACRO fb_url_path(u) AS regexp_extract(u, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1)`,
	`CREATE MACRO fb_url_query(u) AS CASE WHEN regexp_matches(u, '\?') THEN regexp_extract(u, '\?([^#]*)', 1) END`,
	`CREATE MACRO fb_url_fragment(u) AS CASE WHEN regexp_matches(u, '#') THEN regexp_extract(u, '#(.*)$', 1) END`,
	`CREATE MACRO fb_url_parameter(u, n) AS CASE WHEN regexp_matches(u, '[?&]' || n || '=') THEN url_decode(regexp_extract(u, '[?&]' || n || '=([^&#]*)', 1)) END`,
}

// setupFor is what a statement needs before it runs: the session settings,
// then only the macros its SQL (or its views' SQL) calls. Creating all of
// them took the engine ~10 ms a query, as much as a small query's work.
func setupFor(sql string, views []string) []string {
	var out []string
	text := sql + "\n" + strings.Join(views, "\n")
	for _, m := range macros {
		name, ok := strings.CutPrefix(m, "CREATE MACRO ")
		if !ok {
			out = append(out, m) // a setting
			continue
		}
		if i := strings.IndexByte(name, '('); i > 0 && strings.Contains(text, name[:i+1]) {
			out = append(out, m)
		}
	}
	return append(out, views...)
}

// renames maps a Trino function to what the engine calls it.
var renames = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"from_unixtime": "fb_from_unixtime",
		"to_unixtime":   "fb_to_unixtime", "from_iso8601_timestamp": "fb_from_iso8601_timestamp",
		"from_iso8601_date": "fb_from_iso8601_date", "to_iso8601": "fb_to_iso8601", "date": "fb_date",
		"date_add": "fb_date_add", "regexp_like": "fb_regexp_like", "regexp_extract": "fb_regexp_extract",
		"regexp_replace": "fb_regexp_replace", "json_extract_scalar": "fb_json_extract_scalar",
		"json_parse": "fb_json_parse", "json_format": "fb_json_format", "cardinality": "fb_cardinality",
		"element_at":      "fb_element_at",
		"approx_distinct": "approx_count_distinct", "approx_percentile": "approx_quantile",
		"arbitrary": "any_value", "array_join": "array_to_string", "contains": "list_contains",
		"sequence": "generate_series", "transform": "list_transform", "filter": "list_filter",
		"day_of_week": "isodow", "dow": "isodow", "day_of_year": "dayofyear", "doy": "dayofyear",
		"codepoint": "unicode", "year_of_week": "isoyear", "yow": "isoyear",
		"to_utf8": "encode", "from_utf8": "decode",
		"millisecond": "fb_millisecond", "array_distinct": "fb_array_distinct", "slice": "fb_slice", "map_agg": "fb_map_agg",
		"infinity": "fb_infinity", "nan": "fb_nan", "current_timezone": "fb_current_timezone", "is_nan": "isnan",
		"is_finite": "isfinite", "is_infinite": "isinf", "week_of_year": "week", "last_day_of_month": "last_day",
		"levenshtein_distance": "levenshtein", "hamming_distance": "hamming", "regexp_split": "regexp_split_to_array",
		"array_max": "list_max", "array_min": "list_min", "format": "printf",
		"url_extract_protocol": "fb_url_protocol", "url_extract_host": "fb_url_host", "url_extract_port": "fb_url_port",
		"url_extract_path": "fb_url_path", "url_extract_query": "fb_url_query", "url_extract_fragment": "fb_url_fragment",
		"url_extract_parameter": "fb_url_parameter",
	}
}}

// rewritten is a statement in the engine's dialect, with the way back to the
// user's text for error positions.
type rewritten struct {
	sql   string
	spans []span // in order of out
}

type span struct{ out, orig int }

// origPos maps an offset of the rewritten text to one of the original.
func (r *rewritten) origPos(p int) int {
	best := 0
	for _, s := range r.spans {
		if s.out > p {
			break
		}
		best = s.orig + (p - s.out)
	}
	return best
}

// rewrite turns toks (a whole statement) into the engine's dialect: Trino
// function names, "awsdatacatalog." prefixes, and execution parameters (the
// ?s, replaced by params in order: Athena's parameters are SQL literals).
func rewrite(toks []token, params []string) (*rewritten, error) {
	toks = nameColumns(formatCalls(toks))
	r := &rewritten{}
	var b strings.Builder
	emit := func(text string, orig int) {
		r.spans = append(r.spans, span{b.Len(), orig})
		b.WriteString(text)
	}
	nextSig := func(i int) (token, int) {
		for j := i + 1; j < len(toks); j++ {
			if toks[j].kind != ' ' {
				return toks[j], j
			}
		}
		return token{}, len(toks)
	}
	prevSig := func(i int) token {
		for j := i - 1; j >= 0; j-- {
			if toks[j].kind != ' ' {
				return toks[j]
			}
		}
		return token{}
	}
	pi := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.isIdent() && t.ident() == "awsdatacatalog":
			if n, j := nextSig(i); n.text == "." {
				i = j // drop the catalogue and its dot
				continue
			}
		case t.kind == 'w':
			if to, ok := renames.Get()[strings.ToLower(t.text)]; ok {
				if n, _ := nextSig(i); n.text == "(" && prevSig(i).text != "." {
					emit(to, t.pos)
					continue
				}
			}
		case t.kind == 'p' && t.text == "?":
			if pi >= len(params) {
				return nil, &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("SYNTAX_ERROR: line %d:%d: Incorrect number of parameters: expected at least %d but found %d", 1, t.pos+1, pi+1, len(params))}
			}
			emit(params[pi], t.pos)
			pi++
			continue
		}
		emit(t.text, t.pos)
	}
	if pi < len(params) {
		return nil, &queryError{cat: 2, typ: 1000, msg: fmt.Sprintf("SYNTAX_ERROR: line 1:1: Incorrect number of parameters: expected %d but found %d", pi, len(params))}
	}
	r.sql = b.String()
	return r, nil
}

// notAlias are words that end an expression and are no alias: "CASE ... END",
// "x IS NULL", "INTERVAL '1' DAY".
var notAlias = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{"END": true, "NULL": true, "TRUE": true, "FALSE": true, "DAY": true, "HOUR": true,
		"MINUTE": true, "SECOND": true, "MONTH": true, "YEAR": true, "WEEK": true, "QUARTER": true, "MILLISECOND": true,
		"DESC": true, "ASC": true, "ROW": true, "UNKNOWN": true}
}}

// nameColumns gives the top-level SELECT's unnamed expressions Trino's names,
// _col0, _col1... by their position ("SELECT day, count(*)" answers the
// columns day and _col1); DuckDB would name them after their text. A select
// list with a * is left alone (positions are unknown before expansion).
func nameColumns(toks []token) []token {
	// the first SELECT at depth 0 (after any WITH's parenthesised queries)
	depth, sel := 0, -1
	for i, t := range toks {
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
		case depth == 0 && t.kind == 'w' && t.val() == "SELECT":
			sel = i
		}
		if sel >= 0 {
			break
		}
	}
	if sel < 0 {
		return toks
	}
	// the items: from after SELECT [DISTINCT|ALL] to a depth-0 clause keyword
	type item struct{ start, end int } // token indexes, end exclusive
	var items []item
	start := sel + 1
	depth = 0
	end := len(toks)
	for i := sel + 1; i < len(toks); i++ {
		t := toks[i]
		if t.text == "(" || t.text == "[" {
			depth++
			continue
		}
		if t.text == ")" || t.text == "]" {
			depth--
			if depth < 0 {
				end = i
				break
			}
			continue
		}
		if depth != 0 {
			continue
		}
		if t.kind == 'w' {
			switch t.val() {
			case "DISTINCT", "ALL":
				if len(sig(toks[start:i])) == 0 {
					start = i + 1
				}
				continue
			case "FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "HAVING", "WINDOW", "OFFSET", "FETCH", "INTO":
				end = i
			}
		}
		if end != len(toks) {
			break
		}
		if t.text == "," {
			items = append(items, item{start, i})
			start = i + 1
		}
	}
	items = append(items, item{start, end})
	var add []int // token index after which to insert an alias, by item
	names := make([]string, 0, len(items))
	for n, it := range items {
		st := sig(toks[it.start:it.end])
		if len(st) == 0 {
			return toks
		}
		last := st[len(st)-1]
		if last.text == "*" {
			return toks
		}
		isRef := true // a column reference: ident(.ident)*
		for k, t := range st {
			if k%2 == 0 && !t.isIdent() || k%2 == 1 && t.text != "." {
				isRef = false
			}
		}
		if isRef && len(st)%2 == 1 {
			continue
		}
		if last.isIdent() && len(st) >= 2 {
			prev := st[len(st)-2]
			if prev.kind == 'w' && prev.val() == "AS" {
				continue
			}
			if !(last.kind == 'w' && notAlias.Get()[last.val()]) && (prev.text == ")" || prev.kind == 's' || prev.kind == 'n' || prev.isIdent() && !(prev.kind == 'w' && isOperatorWord(prev.val()))) {
				continue // an implicit alias
			}
		}
		// the item's last significant token
		k := it.end - 1
		for k > it.start && toks[k].kind == ' ' {
			k--
		}
		add = append(add, k)
		names = append(names, fmt.Sprintf("_col%d", n))
	}
	if len(add) == 0 {
		return toks
	}
	out := make([]token, 0, len(toks)+2*len(add))
	j := 0
	for i, t := range toks {
		out = append(out, t)
		if j < len(add) && add[j] == i {
			p := t.pos + len(t.text)
			out = append(out, token{kind: ' ', text: " ", pos: p}, token{kind: 'p', text: `AS "` + names[j] + `"`, pos: p})
			j++
		}
	}
	return out
}

// isOperatorWord tells words that join expressions, after which an
// identifier is an operand, not an alias.
func isOperatorWord(w string) bool {
	switch w {
	case "AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN", "THEN", "ELSE", "WHEN", "CASE", "SELECT", "DISTINCT", "BY", "ON":
		return true
	}
	return false
}
