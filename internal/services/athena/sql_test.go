package athena

import (
	"bufio"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT day, count(*), avg(latency) FROM logs.raw GROUP BY day",
			`SELECT day, count(*) AS "_col1", avg(latency) AS "_col2" FROM logs.raw GROUP BY day`},
		{"SELECT t.day, x AS y, 1 z, CASE WHEN a THEN 1 ELSE 0 END FROM awsdatacatalog.db.t",
			`SELECT t.day, x AS y, 1 z, CASE WHEN a THEN 1 ELSE 0 END AS "_col3" FROM db.t`},
		{"SELECT * , 1 FROM t", "SELECT * , 1 FROM t"},
		// an array's elements are no select items
		{"SELECT ARRAY[1, 2] AS xs, ARRAY['a'][1]", `SELECT ARRAY[1, 2] AS xs, ARRAY['a'][1] AS "_col1"`},
		{"WITH a AS (SELECT 1) SELECT count(*) FROM a", `WITH a AS (SELECT 1) SELECT count(*) AS "_col0" FROM a`},
		{"SELECT date_parse(s, '%Y-%m-%d %H:%i:%s') d FROM t", "SELECT strptime(s, '%Y-%m-%d %H:%M:%S') d FROM t"},
		{"SELECT approx_distinct(x) n, element_at(m, 'k') v FROM t", "SELECT approx_count_distinct(x) n, fb_element_at(m, 'k') v FROM t"},
		{"SELECT x FROM t WHERE y = ? AND z = ?", "SELECT x FROM t WHERE y = 'a' AND z = 2"},
	} {
		params := []string(nil)
		if c.in == "SELECT x FROM t WHERE y = ? AND z = ?" {
			params = []string{"'a'", "2"}
		}
		rw, err := rewrite(lex(c.in), params)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if rw.sql != c.want {
			t.Errorf("rewrite(%q)\n got %s\nwant %s", c.in, rw.sql, c.want)
		}
	}
}

func TestPruning(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string][]string
	}{
		{"SELECT * FROM t WHERE month = '11' AND t.day IN ('01', '02') GROUP BY x", map[string][]string{"month": {"11"}, "day": {"01", "02"}}},
		{"SELECT * FROM t WHERE month = '11' OR day = '01'", nil},
		{"SELECT * FROM t WHERE NOT month = '11'", nil},
		{"SELECT * FROM t WHERE month = '11' AND month = '12'", map[string][]string{"month": nil}},
	} {
		got := pruning(lex(c.in))
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("pruning(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestReadRecord(t *testing.T) {
	// NULL is an empty unquoted field, "" an empty string; quoted values may
	// hold commas, quotes and newlines.
	r := bufio.NewReader(strings.NewReader("\"a\",,\"\"\"q,\"\"\"\n,\"x\ny\",\"\"\n"))
	show := func(rec []*string) string {
		var parts []string
		for _, v := range rec {
			if v == nil {
				parts = append(parts, "<null>")
			} else {
				parts = append(parts, "["+*v+"]")
			}
		}
		return strings.Join(parts, " ")
	}
	for _, want := range []string{`[a] <null> ["q,"]`, "<null> [x\ny] []"} {
		rec, _, err := readRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(rec); got != want {
			t.Errorf("record = %s, want %s", got, want)
		}
	}
	if _, _, err := readRecord(r); err != io.EOF {
		t.Errorf("at the end: %v, want EOF", err)
	}
}
