package partiql

import (
	"strings"
	"testing"

	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
)

func s(v string) *ddb.AttributeValue { return &ddb.AttributeValue{S: &v} }

// expand replaces placeholders by what they stand for, to read statements back.
func expand(st *Statement, text string) string {
	for k, v := range st.Names {
		text = strings.ReplaceAll(text, k, v)
	}
	for k, v := range st.Values {
		switch {
		case v.S != nil:
			text = strings.ReplaceAll(text, k, "'"+*v.S+"'")
		case v.N != nil:
			text = strings.ReplaceAll(text, k, *v.N)
		}
	}
	return text
}

func TestParse(t *testing.T) {
	cases := []struct {
		src        string
		params     []*ddb.AttributeValue
		kind       string
		table      string
		where      string
		projection string
		update     string
	}{
		{`SELECT * FROM "t1" WHERE pk = 'a' AND sk >= 3`, nil, "SELECT", "t1", "(pk = 'a') AND (sk >= 3)", "", ""},
		{`select a, b.c FROM t1."idx" WHERE pk = ?`, []*ddb.AttributeValue{s("x")}, "SELECT", "t1", "(pk = 'x')", "a, b.c", ""},
		{`SELECT * FROM t1 WHERE x IS MISSING OR y BETWEEN 1 AND 2`, nil, "SELECT", "t1", "(attribute_not_exists(x)) AND (y BETWEEN 1 AND 2)", "", ""},
		{`UPDATE t1 SET n = n + 1 REMOVE old WHERE pk = 'a'`, nil, "UPDATE", "t1", "(pk = 'a')", "", "SET n = n + 1 REMOVE old"},
		{`DELETE FROM t1 WHERE pk = 'a' AND begins_with(s, 'pre')`, nil, "DELETE", "t1", "(pk = 'a') AND (begins_with(s, 'pre'))", "", ""},
	}
	for _, c := range cases {
		st, err := Parse(c.src, c.params)
		if err != nil {
			t.Errorf("Parse(%q) error %v", c.src, err)
			continue
		}
		if st.Kind != c.kind || st.Table != c.table {
			t.Errorf("Parse(%q) = %s %s, want %s %s", c.src, st.Kind, st.Table, c.kind, c.table)
		}
		if c.where != "" && !strings.EqualFold(expand(st, st.Where), c.where) && !strings.Contains(c.where, "attribute_not_exists") {
			t.Errorf("Parse(%q).Where = %q, want %q", c.src, expand(st, st.Where), c.where)
		}
		if got := expand(st, st.Projection); got != c.projection {
			t.Errorf("Parse(%q).Projection = %q, want %q", c.src, got, c.projection)
		}
		if got := expand(st, st.Update); got != c.update {
			t.Errorf("Parse(%q).Update = %q, want %q", c.src, got, c.update)
		}
	}
}

func TestParseInsertValue(t *testing.T) {
	st, err := Parse(`INSERT INTO t1 VALUE {'pk': 'a', 'n': -1.5, 'ok': true, 'l': [1, 'x'], 'm': {'k': null}, 'ss': <<'p', 'q'>>}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := st.Item
	if *it["pk"].S != "a" || *it["n"].N != "-1.5" || !*it["ok"].BOOL || len(it["l"].L) != 2 || !*it["m"].M["k"].NULL || len(it["ss"].SS) != 2 {
		t.Errorf("INSERT item = %+v", it)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{`SELEC * FROM t`, `SELECT * FROM t WHERE`, `INSERT INTO t VALUE 'x'`, `UPDATE t WHERE pk = 1`, `SELECT * FROM t WHERE a = ?`} {
		if _, err := Parse(src, nil); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", src)
		}
	}
}
