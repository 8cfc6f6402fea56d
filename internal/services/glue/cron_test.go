package glue

import (
	"testing"
	"time"
)

func TestCronNext(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ expr, from, want string }{
		{"cron(15 12 * * ? *)", "2026-11-04 12:15", "2026-11-05 12:15"},
		{"cron(15 12 * * ? *)", "2026-11-04 12:14", "2026-11-04 12:15"},
		{"cron(0/5 * * * ? *)", "2026-11-04 12:01", "2026-11-04 12:05"},
		{"cron(0 18 ? * MON-FRI *)", "2026-11-06 18:00", "2026-11-09 18:00"}, // Friday → Monday
		{"cron(0 10 L * ? *)", "2026-11-04 00:00", "2026-11-30 10:00"},
		{"cron(0 10 ? * 6L *)", "2026-11-01 00:00", "2026-11-27 10:00"},  // last Friday
		{"cron(0 10 ? * 2#1 *)", "2026-11-04 00:00", "2026-12-07 10:00"}, // first Monday
		{"cron(0 9 15W * ? *)", "2026-11-01 00:00", "2026-11-16 09:00"},  // the 15th is a Sunday
		{"cron(0 0 1 JAN ? 2027)", "2026-11-04 00:00", "2027-01-01 00:00"},
		{"cron(0 0 1 1 ? 2025)", "2026-11-04 00:00", "0001-01-01 00:00"},
	} {
		c, err := parseSchedule(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := c.next(at(tc.from)).Format("2006-01-02 15:04"); got != tc.want {
			t.Errorf("%s after %s = %s, want %s", tc.expr, tc.from, got, tc.want)
		}
	}
	for _, bad := range []string{"rate(5 minutes)", "cron(* * * * * *)", "cron(0 12 * * ?)", "cron(61 * * * ? *)", "cron(0 0 ? * 9 *)", "cron(5-1 * * * ? *)"} {
		if _, err := parseSchedule(bad); err == nil {
			t.Errorf("parseSchedule(%q) accepted", bad)
		}
	}
}

func TestCustomClassifiers(t *testing.T) {
	grok := classifierOf(t, `{"GrokClassifier":{"Name":"app","Classification":"applog","GrokPattern":"%{TIMESTAMP_ISO8601:ts} \\[%{LOGLEVEL:level}\\] %{INT:code:int} %{GREEDYDATA:msg}"}}`)
	fs, ok := customClassify(grok, []byte("2026-11-04T10:00:00Z [INFO] 200 started\n2026-11-04T10:00:01Z [WARN] 503 slow down\n"), true)
	if !ok || fs.class != "applog" || colsOf(fs) != "ts string, level string, code int, msg string" || fs.serde != "com.amazonaws.glue.serde.GrokSerDe" {
		t.Errorf("grok: %v %+v", ok, fs)
	}
	if _, ok := customClassify(grok, []byte("not a log line\n"), true); ok {
		t.Errorf("grok matched a line it should not")
	}

	jp := classifierOf(t, `{"JsonClassifier":{"Name":"recs","JsonPath":"$.records[*]"}}`)
	fs, ok = customClassify(jp, []byte(`{"records":[{"id":1,"n":"a"},{"id":2,"n":"b","x":true}],"meta":{}}`), true)
	if !ok || fs.records != 2 || colsOf(fs) != "id int, n string, x boolean" || fs.extra["jsonPath"] != "$.records[*]" {
		t.Errorf("json path: %v %+v", ok, fs)
	}

	x := classifierOf(t, `{"XMLClassifier":{"Name":"books","Classification":"xml","RowTag":"book"}}`)
	fs, ok = customClassify(x, []byte(`<catalog><book id="1"><title>Go</title><price>9.5</price><tag>a</tag><tag>b</tag></book><book id="2"><title>Rust</title><price>12</price></book></catalog>`), true)
	if !ok || fs.records != 2 || colsOf(fs) != "id bigint, title string, price double, tag array<string>" {
		t.Errorf("xml: %v %s", ok, colsOf(fs))
	}

	csvc := classifierOf(t, `{"CsvClassifier":{"Name":"semi","Delimiter":";","QuoteSymbol":"'","ContainsHeader":"PRESENT"}}`)
	fs, ok = customClassify(csvc, []byte("name;city\n'Smith; J';Oslo\nann;Rome\n"), true)
	if !ok || colsOf(fs) != "name string, city string" || !fs.header || !fs.quoted || fs.records != 2 {
		t.Errorf("custom csv: %v %+v", ok, fs)
	}
}

func TestBuiltinCSV(t *testing.T) {
	for _, tc := range []struct {
		in, cols string
		header   bool
	}{
		{"id,name,score\n1,ann,2.5\n2,bob,3\n", "id bigint, name string, score double", true},
		{"a|b\n1|true\n2|false\n", "a bigint, b boolean", true},
		{"x,y\nfoo,bar\n", "col0 string, col1 string", false},         // all strings: no header
		{"1,2\n3,4\n", "col0 bigint, col1 bigint", false},             // numbers: no header
		{"\"x,1\",y\n\"z,2\",w\n", "col0 string, col1 string", false}, // a quoted delimiter inside a value
	} {
		fs, ok := classifyCSV([]byte(tc.in), true, builtinCSV)
		if !ok {
			t.Errorf("%q: not CSV", tc.in)
			continue
		}
		if got := colsOf(fs); got != tc.cols || fs.header != tc.header {
			t.Errorf("%q: %s (header %v), want %s (header %v)", tc.in, got, fs.header, tc.cols, tc.header)
		}
	}
	if _, ok := classifyCSV([]byte("just one column\nanother\n"), true, builtinCSV); ok {
		t.Errorf("a one-column file was taken for CSV")
	}
}

func classifierOf(t *testing.T, js string) *glueapiClassifier {
	t.Helper()
	c := new(glueapiClassifier)
	if err := unmarshal([]byte(js), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func colsOf(fs *fileSchema) string {
	if fs == nil {
		return ""
	}
	var s string
	for i, c := range fs.cols {
		if i > 0 {
			s += ", "
		}
		s += c.name + " " + c.t.String()
	}
	return s
}
