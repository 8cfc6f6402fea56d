package glue

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/fogbank/fogbank/internal/lazy"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	glueapi "github.com/fogbank/fogbank/internal/api/glue"
	"github.com/fogbank/fogbank/internal/store"
)

// Custom classifiers: stored as Glue's Classifier shape, and used by the
// crawlers that name them, before the built-in classifiers.

func classifierName(c *glueapi.Classifier) string {
	switch {
	case c.CsvClassifier != nil:
		return api.ToString(c.CsvClassifier.Name)
	case c.JsonClassifier != nil:
		return api.ToString(c.JsonClassifier.Name)
	case c.GrokClassifier != nil:
		return api.ToString(c.GrokClassifier.Name)
	case c.XMLClassifier != nil:
		return api.ToString(c.XMLClassifier.Name)
	}
	return ""
}

// CreateClassifier stores a CSV, JSON, grok or XML classifier.
func (s *Service) CreateClassifier(ctx context.Context, in *glueapi.CreateClassifierRequest) (*glueapi.CreateClassifierResponse, error) {
	account, region := where(ctx, nil)
	now := s.now().UTC().Truncate(time.Second)
	c := &glueapi.Classifier{}
	n := 0
	if x := in.CsvClassifier; x != nil {
		n++
		if x.Delimiter != nil && x.QuoteSymbol != nil && *x.Delimiter == *x.QuoteSymbol {
			return nil, invalidInput("Delimiter and QuoteSymbol must be different.")
		}
		c.CsvClassifier = &glueapi.CsvClassifier{Name: x.Name, CreationTime: &now, LastUpdated: &now, Version: api.Int64(1),
			Delimiter: x.Delimiter, QuoteSymbol: x.QuoteSymbol, ContainsHeader: x.ContainsHeader, Header: x.Header,
			DisableValueTrimming: x.DisableValueTrimming, AllowSingleColumn: x.AllowSingleColumn,
			CustomDatatypeConfigured: x.CustomDatatypeConfigured, CustomDatatypes: x.CustomDatatypes, Serde: x.Serde}
	}
	if x := in.JsonClassifier; x != nil {
		n++
		if _, err := parseJSONPath(api.ToString(x.JsonPath)); err != nil {
			return nil, invalidInput("Invalid JsonPath %s: %v", api.ToString(x.JsonPath), err)
		}
		c.JsonClassifier = &glueapi.JsonClassifier{Name: x.Name, CreationTime: &now, LastUpdated: &now, Version: api.Int64(1), JsonPath: x.JsonPath}
	}
	if x := in.GrokClassifier; x != nil {
		n++
		if _, _, err := compileGrok(api.ToString(x.GrokPattern), api.ToString(x.CustomPatterns)); err != nil {
			return nil, invalidInput("Invalid grok pattern: %v", err)
		}
		c.GrokClassifier = &glueapi.GrokClassifier{Name: x.Name, Classification: x.Classification, CreationTime: &now, LastUpdated: &now,
			Version: api.Int64(1), GrokPattern: x.GrokPattern, CustomPatterns: x.CustomPatterns}
	}
	if x := in.XMLClassifier; x != nil {
		n++
		c.XMLClassifier = &glueapi.XMLClassifier{Name: x.Name, Classification: x.Classification, CreationTime: &now, LastUpdated: &now,
			Version: api.Int64(1), RowTag: x.RowTag}
	}
	if n != 1 {
		return nil, invalidInput("Exactly one classifier type must be specified.")
	}
	name := classifierName(c)
	err := s.st.Update(func(tx *store.Tx) error {
		if b := tx.Bucket(p(account, region, kClassifiers)...); b != nil && b.Get([]byte(name)) != nil {
			return exists("Classifier with name %s already exists", name)
		}
		return putRec(tx, c, name, p(account, region, kClassifiers)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.CreateClassifierResponse{}, nil
}

func getClassifier(tx *store.Tx, account, region, name string) (*glueapi.Classifier, error) {
	c := new(glueapi.Classifier)
	ok, err := getRec(tx, c, name, p(account, region, kClassifiers)...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("Unable to find classifier %s", name)
	}
	return c, nil
}

// GetClassifier answers one classifier.
func (s *Service) GetClassifier(ctx context.Context, in *glueapi.GetClassifierRequest) (*glueapi.GetClassifierResponse, error) {
	account, region := where(ctx, nil)
	var c *glueapi.Classifier
	err := s.st.View(func(tx *store.Tx) (err error) {
		c, err = getClassifier(tx, account, region, api.ToString(in.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.GetClassifierResponse{Classifier: c}, nil
}

// GetClassifiers lists the classifiers.
func (s *Service) GetClassifiers(ctx context.Context, in *glueapi.GetClassifiersRequest) (*glueapi.GetClassifiersResponse, error) {
	account, region := where(ctx, nil)
	var cs []*glueapi.Classifier
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(p(account, region, kClassifiers)...)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			c := new(glueapi.Classifier)
			cs = append(cs, c)
			return unmarshal(v, c)
		})
	})
	if err != nil {
		return nil, err
	}
	out, next, err := page(cs, classifierName, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return nil, err
	}
	return &glueapi.GetClassifiersResponse{Classifiers: out, NextToken: next}, nil
}

// UpdateClassifier changes the fields given of a classifier of the same kind.
func (s *Service) UpdateClassifier(ctx context.Context, in *glueapi.UpdateClassifierRequest) (*glueapi.UpdateClassifierResponse, error) {
	account, region := where(ctx, nil)
	var name string
	switch {
	case in.CsvClassifier != nil:
		name = api.ToString(in.CsvClassifier.Name)
	case in.JsonClassifier != nil:
		name = api.ToString(in.JsonClassifier.Name)
	case in.GrokClassifier != nil:
		name = api.ToString(in.GrokClassifier.Name)
	case in.XMLClassifier != nil:
		name = api.ToString(in.XMLClassifier.Name)
	default:
		return nil, invalidInput("Exactly one classifier type must be specified.")
	}
	now := s.now().UTC().Truncate(time.Second)
	set := func(dst **string, src *string) {
		if src != nil {
			*dst = src
		}
	}
	err := s.st.Update(func(tx *store.Tx) error {
		c, err := getClassifier(tx, account, region, name)
		if err != nil {
			return err
		}
		switch {
		case in.CsvClassifier != nil && c.CsvClassifier != nil:
			x, u := c.CsvClassifier, in.CsvClassifier
			set(&x.Delimiter, u.Delimiter)
			set(&x.QuoteSymbol, u.QuoteSymbol)
			set(&x.ContainsHeader, u.ContainsHeader)
			set(&x.Serde, u.Serde)
			if u.Header != nil {
				x.Header = u.Header
			}
			if u.DisableValueTrimming != nil {
				x.DisableValueTrimming = u.DisableValueTrimming
			}
			if u.AllowSingleColumn != nil {
				x.AllowSingleColumn = u.AllowSingleColumn
			}
			x.LastUpdated, x.Version = &now, api.Int64(api.ToInt64(x.Version)+1)
		case in.JsonClassifier != nil && c.JsonClassifier != nil:
			if _, err := parseJSONPath(api.ToString(in.JsonClassifier.JsonPath)); in.JsonClassifier.JsonPath != nil && err != nil {
				return invalidInput("Invalid JsonPath: %v", err)
			}
			set(&c.JsonClassifier.JsonPath, in.JsonClassifier.JsonPath)
			c.JsonClassifier.LastUpdated, c.JsonClassifier.Version = &now, api.Int64(api.ToInt64(c.JsonClassifier.Version)+1)
		case in.GrokClassifier != nil && c.GrokClassifier != nil:
			x := c.GrokClassifier
			set(&x.Classification, in.GrokClassifier.Classification)
			set(&x.GrokPattern, in.GrokClassifier.GrokPattern)
			set(&x.CustomPatterns, in.GrokClassifier.CustomPatterns)
			if _, _, err := compileGrok(api.ToString(x.GrokPattern), api.ToString(x.CustomPatterns)); err != nil {
				return invalidInput("Invalid grok pattern: %v", err)
			}
			x.LastUpdated, x.Version = &now, api.Int64(api.ToInt64(x.Version)+1)
		case in.XMLClassifier != nil && c.XMLClassifier != nil:
			set(&c.XMLClassifier.Classification, in.XMLClassifier.Classification)
			set(&c.XMLClassifier.RowTag, in.XMLClassifier.RowTag)
			c.XMLClassifier.LastUpdated, c.XMLClassifier.Version = &now, api.Int64(api.ToInt64(c.XMLClassifier.Version)+1)
		default:
			return invalidInput("Classifier %s is of another type.", name)
		}
		return putRec(tx, c, name, p(account, region, kClassifiers)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.UpdateClassifierResponse{}, nil
}

// DeleteClassifier deletes a classifier.
func (s *Service) DeleteClassifier(ctx context.Context, in *glueapi.DeleteClassifierRequest) (*glueapi.DeleteClassifierResponse, error) {
	account, region := where(ctx, nil)
	name := api.ToString(in.Name)
	err := s.st.Update(func(tx *store.Tx) error {
		if _, err := getClassifier(tx, account, region, name); err != nil {
			return err
		}
		return delRec(tx, name, p(account, region, kClassifiers)...)
	})
	if err != nil {
		return nil, err
	}
	return &glueapi.DeleteClassifierResponse{}, nil
}

// customClassify tries one custom classifier on a file's sample.
func customClassify(c *glueapi.Classifier, b []byte, complete bool) (*fileSchema, bool) {
	switch {
	case c.CsvClassifier != nil:
		x := c.CsvClassifier
		o := csvOptions{delims: []byte{','}, quote: '"', header: api.ToString(x.ContainsHeader), names: x.Header,
			singleColumn: api.ToBool(x.AllowSingleColumn), trim: x.DisableValueTrimming != nil && !*x.DisableValueTrimming}
		if d := api.ToString(x.Delimiter); d != "" {
			o.delims = []byte{d[0]}
		}
		if q := api.ToString(x.QuoteSymbol); q != "" {
			o.quote = q[0]
		}
		fs, ok := classifyCSV(b, complete, o)
		if !ok {
			return nil, false
		}
		fs.classifier = api.ToString(x.Name)
		switch api.ToString(x.Serde) {
		case "OpenCSVSerDe":
			fs.serde, fs.serdeArgs = openCSV, map[string]string{"separatorChar": string(fs.delim), "quoteChar": string(o.quote)}
		case "LazySimpleSerDe":
			fs.serde, fs.serdeArgs = lazySerDe, map[string]string{"field.delim": string(fs.delim)}
		}
		return fs, true
	case c.JsonClassifier != nil:
		return classifyJSONPath(b, complete, api.ToString(c.JsonClassifier.JsonPath), api.ToString(c.JsonClassifier.Name))
	case c.GrokClassifier != nil:
		return classifyGrok(b, complete, c.GrokClassifier)
	case c.XMLClassifier != nil:
		return classifyXML(b, complete, c.XMLClassifier)
	}
	return nil, false
}

// JSON path classifiers: $ then .name, ['name'], [n] and [*] steps select
// the records within each JSON document of the file.

type pathStep struct {
	name  string
	index int  // -1 when not an index
	all   bool // [*]
}

var stepRE = lazy.Regexp{Expr: `^(?:\.([A-Za-z_$][\w$-]*)|\['([^']*)'\]|\[(\d+)\]|\[\*\]|\.\*)`}

func parseJSONPath(p string) ([]pathStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("a JSON path begins with $")
	}
	rest := p[1:]
	var steps []pathStep
	for rest != "" {
		m := stepRE.Get().FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("cannot read %q", rest)
		}
		switch {
		case m[1] != "":
			steps = append(steps, pathStep{name: m[1], index: -1})
		case m[2] != "":
			steps = append(steps, pathStep{name: m[2], index: -1})
		case m[3] != "":
			n, _ := strconv.Atoi(m[3])
			steps = append(steps, pathStep{index: n})
		default:
			steps = append(steps, pathStep{index: -1, all: true})
		}
		rest = rest[len(m[0]):]
	}
	return steps, nil
}

func applyPath(v any, steps []pathStep) []any {
	if len(steps) == 0 {
		return []any{v}
	}
	st, rest := steps[0], steps[1:]
	switch x := v.(type) {
	case map[string]any:
		if st.all {
			var out []any
			for _, k := range sortedKeys(x) {
				out = append(out, applyPath(x[k], rest)...)
			}
			return out
		}
		if c, ok := x[st.name]; ok && st.name != "" {
			return applyPath(c, rest)
		}
	case []any:
		if st.all {
			var out []any
			for _, e := range x {
				out = append(out, applyPath(e, rest)...)
			}
			return out
		}
		if st.index >= 0 && st.index < len(x) {
			return applyPath(x[st.index], rest)
		}
	}
	return nil
}

func classifyJSONPath(b []byte, complete bool, path, name string) (*fileSchema, bool) {
	steps, err := parseJSONPath(path)
	if err != nil {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	fs := &fileSchema{class: "json", classifier: name, complete: complete, extra: map[string]string{"jsonPath": path}}
	var row *gtype
	for {
		var v any
		err := d.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			if !complete && row != nil {
				break
			}
			return nil, false
		}
		for _, rec := range applyPath(v, steps) {
			m, ok := rec.(map[string]any)
			if !ok {
				continue
			}
			row = merge(row, jsonObject(m, nil))
			fs.records++
		}
	}
	if row == nil || len(row.fields) == 0 {
		return nil, false
	}
	fs.bytes = int64(len(b))
	for _, f := range row.fields {
		fs.addColumn(strings.ToLower(f.name), f.t)
	}
	return fs, true
}

// Grok: %{PATTERN:field:type} over a library of named patterns (Logstash's
// usual ones) and the classifier's CustomPatterns ("NAME regex" lines).

var grokBase = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"USERNAME":          `[a-zA-Z0-9._-]+`,
		"USER":              `%{USERNAME}`,
		"INT":               `(?:[+-]?(?:[0-9]+))`,
		"BASE10NUM":         `(?:[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))`,
		"NUMBER":            `(?:%{BASE10NUM})`,
		"BASE16NUM":         `(?:0[xX]?[0-9a-fA-F]+)`,
		"POSINT":            `\b(?:[1-9][0-9]*)\b`,
		"NONNEGINT":         `\b(?:[0-9]+)\b`,
		"WORD":              `\b\w+\b`,
		"NOTSPACE":          `\S+`,
		"SPACE":             `\s*`,
		"DATA":              `.*?`,
		"GREEDYDATA":        `.*`,
		"QUOTEDSTRING":      `"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`,
		"QS":                `%{QUOTEDSTRING}`,
		"UUID":              `[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}`,
		"IPV4":              `(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`,
		"IPV6":              `(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}`,
		"IP":                `(?:%{IPV6}|%{IPV4})`,
		"HOSTNAME":          `\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\.?|\b)`,
		"HOST":              `%{HOSTNAME}`,
		"IPORHOST":          `(?:%{IP}|%{HOSTNAME})`,
		"HOSTPORT":          `%{IPORHOST}:%{POSINT}`,
		"UNIXPATH":          `(?:/[\w_%!$@:.,~-]*)+`,
		"PATH":              `%{UNIXPATH}`,
		"URIPROTO":          `[A-Za-z]+(?:\+[A-Za-z+]+)?`,
		"URIHOST":           `%{IPORHOST}(?::%{POSINT})?`,
		"URIPATH":           `(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+`,
		"URIPARAM":          `\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*`,
		"URIPATHPARAM":      `%{URIPATH}(?:%{URIPARAM})?`,
		"URI":               `%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?`,
		"MONTH":             `\b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]un(?:e)?|[Jj]ul(?:y)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b`,
		"MONTHNUM":          `(?:0?[1-9]|1[0-2])`,
		"MONTHDAY":          `(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])`,
		"DAY":               `(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)`,
		"YEAR":              `(?:\d\d){1,2}`,
		"HOUR":              `(?:2[0123]|[01]?[0-9])`,
		"MINUTE":            `(?:[0-5][0-9])`,
		"SECOND":            `(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)`,
		"TIME":              `%{HOUR}:%{MINUTE}(?::%{SECOND})?`,
		"DATE_US":           `%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}`,
		"DATE_EU":           `%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}`,
		"ISO8601_TIMEZONE":  `(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))`,
		"TIMESTAMP_ISO8601": `%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?`,
		"DATE":              `%{DATE_US}|%{DATE_EU}`,
		"DATESTAMP":         `%{DATE}[- ]%{TIME}`,
		"HTTPDATE":          `%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}`,
		"SYSLOGTIMESTAMP":   `%{MONTH} +%{MONTHDAY} %{TIME}`,
		"LOGLEVEL":          `(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo|INFO|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)`,
		"EMAILADDRESS":      `[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+`,
		"COMMONAPACHELOG":   `%{IPORHOST:clientip} %{USER:ident} %{USER:auth} \[%{HTTPDATE:timestamp}\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" %{NUMBER:response} (?:%{NUMBER:bytes}|-)`,
		"COMBINEDAPACHELOG": `%{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}`,
	}
}}

var grokRef = lazy.Regexp{Expr: `%\{(\w+)(?::([\w.@-]+))?(?::(\w+))?\}`}

// compileGrok turns a grok pattern into a regexp and its fields (name, type).
func compileGrok(pattern, custom string) (*regexp.Regexp, []gfield, error) {
	lib := map[string]string{}
	for k, v := range grokBase.Get() {
		lib[k] = v
	}
	for _, line := range strings.Split(custom, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, re, ok := strings.Cut(line, " ")
		if !ok {
			return nil, nil, fmt.Errorf("custom pattern %q has no regular expression", line)
		}
		lib[name] = strings.TrimSpace(re)
	}
	var fields []gfield
	var expand func(p string, depth int) (string, error)
	expand = func(p string, depth int) (string, error) {
		if depth > 20 {
			return "", fmt.Errorf("patterns refer to each other too deeply")
		}
		var ferr error
		out := grokRef.Get().ReplaceAllStringFunc(p, func(m string) string {
			sm := grokRef.Get().FindStringSubmatch(m)
			def, ok := lib[sm[1]]
			if !ok {
				ferr = fmt.Errorf("unknown pattern %s", sm[1])
				return ""
			}
			inner, err := expand(def, depth+1)
			if err != nil {
				ferr = err
				return ""
			}
			if sm[2] == "" {
				return "(?:" + inner + ")"
			}
			if depth > 0 {
				return "(?:" + inner + ")" // fields of library patterns are not columns
			}
			t := tString
			switch strings.ToLower(sm[3]) {
			case "int", "integer":
				t = tInt
			case "long", "bigint":
				t = tBigint
			case "float":
				t = prim("float")
			case "double":
				t = tDouble
			case "boolean":
				t = tBoolean
			}
			fields = append(fields, gfield{strings.ToLower(sm[2]), t})
			return "(" + inner + ")"
		})
		return out, ferr
	}
	src, err := expand(pattern, 0)
	if err != nil {
		return nil, nil, err
	}
	re, err := regexp.Compile("^" + src + "$")
	if err != nil {
		return nil, nil, err
	}
	if len(fields) == 0 {
		return nil, nil, fmt.Errorf("the pattern names no field")
	}
	return re, fields, nil
}

func classifyGrok(b []byte, complete bool, g *glueapi.GrokClassifier) (*fileSchema, bool) {
	re, fields, err := compileGrok(api.ToString(g.GrokPattern), api.ToString(g.CustomPatterns))
	if err != nil {
		return nil, false
	}
	b = wholeLines(b, complete)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		if !re.MatchString(line) {
			return nil, false
		}
		n++
	}
	if n == 0 {
		return nil, false
	}
	args := map[string]string{"input.format": api.ToString(g.GrokPattern)}
	if c := api.ToString(g.CustomPatterns); c != "" {
		args["input.grokCustomPatterns"] = c
	}
	return &fileSchema{class: api.ToString(g.Classification), classifier: api.ToString(g.Name), cols: fields,
		records: int64(n), bytes: int64(len(b)), complete: complete,
		serde: "com.amazonaws.glue.serde.GrokSerDe", serdeArgs: args,
		extra: map[string]string{"grokPattern": api.ToString(g.GrokPattern)}}, true
}

// XML: each element named RowTag is a record; its attributes and child
// elements are columns (nested elements structs, repeated ones arrays).

type xmlNode struct {
	attrs    []xml.Attr
	text     strings.Builder
	children []*xmlNode
	name     string
}

func xmlType(n *xmlNode) *gtype {
	if len(n.children) == 0 && len(n.attrs) == 0 {
		t := csvValueType(n.text.String(), true)
		if t == tNull {
			return tString
		}
		return t
	}
	t := &gtype{name: "struct"}
	for _, a := range n.attrs {
		t.fields = append(t.fields, gfield{a.Name.Local, csvValueType(a.Value, true)})
	}
	count := map[string]int{}
	for _, c := range n.children {
		count[c.name]++
	}
	for _, c := range n.children {
		ct := xmlType(c)
		if count[c.name] > 1 {
			ct = &gtype{name: "array", elem: ct}
		}
		if i := fieldIndex(t.fields, c.name); i >= 0 {
			t.fields[i].t = merge(t.fields[i].t, ct)
		} else {
			t.fields = append(t.fields, gfield{c.name, ct})
		}
	}
	return t
}

func classifyXML(b []byte, complete bool, x *glueapi.XMLClassifier) (*fileSchema, bool) {
	tag := api.ToString(x.RowTag)
	if tag == "" {
		return nil, false
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var stack []*xmlNode
	var row *gtype
	fs := &fileSchema{class: api.ToString(x.Classification), classifier: api.ToString(x.Name), complete: complete,
		extra: map[string]string{"rowTag": tag}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !complete && row != nil {
				break
			}
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 0 || t.Name.Local == tag {
				n := &xmlNode{name: t.Name.Local, attrs: t.Attr}
				if len(stack) > 0 {
					stack[len(stack)-1].children = append(stack[len(stack)-1].children, n)
				}
				stack = append(stack, n)
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				rt := xmlType(n)
				if rt.name != "struct" {
					rt = &gtype{name: "struct", fields: []gfield{{"value", rt}}}
				}
				row = merge(row, rt)
				fs.records++
			}
		}
	}
	if row == nil {
		return nil, false
	}
	fs.bytes = int64(len(b))
	for _, f := range row.fields {
		fs.addColumn(strings.ToLower(f.name), f.t)
	}
	fs.serde = "com.ibm.spss.hive.serde2.xml.XmlSerDe"
	fs.serdeArgs = map[string]string{}
	for _, c := range fs.cols {
		fs.serdeArgs["column.xpath."+c.name] = "/" + tag + "/" + c.name
	}
	return fs, true
}
