package logs

import "testing"

func TestPatterns(t *testing.T) {
	const (
		e400      = "[ERROR 400] BAD REQUEST"
		e419      = "[ERROR 419] MISSING ARGUMENTS"
		info      = "[INFO] all good"
		errs      = "ERRORS happened"
		jsn       = `{"level":"ERROR","latency":250,"user":{"id":1,"name":"ann"},"tags":["a","b"],"ok":false,"gone":null}`
		jsn2      = `{"level":"INFO","latency":20,"user":{"id":2}}`
		apache    = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
		apache404 = `10.0.0.9 - - [10/Oct/2000:13:25:16 -0700] "GET /missing.html HTTP/1.0" 404 209`
	)
	cases := []struct {
		pattern string
		msg     string
		want    bool
	}{
		{"", info, true},
		{"ERROR", e400, true},
		{"ERROR", info, false},
		{"ERROR", errs, false}, // whole terms only
		{"ERROR ARGUMENTS", e419, true},
		{"ERROR ARGUMENTS", e400, false},
		{"?ERROR ?INFO", info, true},
		{"?ERROR ?INFO", "nothing", false},
		{"ERROR -ARGUMENTS", e400, true},
		{"ERROR -ARGUMENTS", e419, false},
		{"-ERROR", info, true},
		{"-ERROR", e400, false},
		{`"BAD REQUEST"`, e400, true},
		{`"BAD REQUEST"`, "BAD  REQUEST", false},
		{`"ERROR 4"`, e400, false},
		{"%ERR[O]R 4[0-9]+%", e419, true},
		{"%^\\[INFO%", info, true},
		{"%^\\[INFO%", e400, false},
		{`{ $.level = "ERROR" }`, jsn, true},
		{`{ $.level = "ERROR" }`, jsn2, false},
		{`{ $.level = ERROR }`, jsn, true},
		{`{ $.level = "ERR*" }`, jsn, true},
		{`{ $.level != "ERROR" }`, jsn2, true},
		{`{ $.latency > 100 }`, jsn, true},
		{`{ $.latency > 100 }`, jsn2, false},
		{`{ $.latency <= 20 }`, jsn2, true},
		{`{ $.latency = 250 }`, jsn, true},
		{`{ $.level = "ERROR" && $.latency > 300 }`, jsn, false},
		{`{ $.level = "INFO" || $.latency > 200 }`, jsn, true},
		{`{ ($.level = "INFO" || $.latency > 200) && $.user.name = "ann" }`, jsn, true},
		{`{ $.user.id = 1 }`, jsn, true},
		{`{ $.tags[1] = "b" }`, jsn, true},
		{`{ $.tags[*] = "a" }`, jsn, true},
		{`{ $.ok IS FALSE }`, jsn, true},
		{`{ $.gone IS NULL }`, jsn, true},
		{`{ $.missing NOT EXISTS }`, jsn, true},
		{`{ $.level NOT EXISTS }`, jsn, false},
		{`{ $.level EXISTS }`, jsn, true},
		{`{ $.level = %^ER% }`, jsn, true},
		{`{ $.level = "ERROR" }`, "not json", false},
		{`[ip, user, username, timestamp, request, status_code, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code = 404, bytes]`, apache, false},
		{`[ip, user, username, timestamp, request, status_code = 404, bytes]`, apache404, true},
		{`[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes]`, apache404, true},
		{`[ip, ..., status_code >= 400 && status_code < 500, bytes]`, apache404, true},
		{`[ip, ..., status_code = 200 || status_code = 404, bytes > 1000]`, apache, true},
		{`[ip, ..., status_code = 200 || status_code = 404, bytes > 1000]`, apache404, false},
		{`[ip = 127.*, ...]`, apache, true},
		{`[ip, user]`, apache, false}, // field count differs
		{`[..., bytes != 1534]`, apache, false},
	}
	for _, c := range cases {
		p, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("compilePattern(%q): %v", c.pattern, err)
			continue
		}
		if got := p.match(c.msg); got != c.want {
			t.Errorf("pattern %q on %q = %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
}

func TestBadPatterns(t *testing.T) {
	for _, p := range []string{
		`{ $.level = "ERROR" `,
		`{ level = 1 }`,
		`{ $.n > abc }`,
		`[a, b`,
		`"unterminated`,
		`%[%`,
		`?`,
		`[a = ]`,
	} {
		if _, err := compilePattern(p); err == nil {
			t.Errorf("compilePattern(%q) = nil error, want one", p)
		}
	}
}
