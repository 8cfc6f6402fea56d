package xmlbody

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type testStruct struct {
	_     struct{}             `type:"structure"`
	Attr  *string              `name:"Attr" locationName:"a" type:"string" xmlAttribute:"true"`
	S     *string              `name:"S" type:"string"`
	Empty *string              `name:"Empty" type:"string"`
	L     []int64              `name:"L" type:"list"`
	Named []string             `name:"Named" type:"list" memberName:"item"`
	F     []int64              `name:"F" type:"list" flattened:"true" memberName:"F"`
	M     map[string]string    `name:"M" type:"map"`
	FM    map[string]*testLeaf `name:"FM" type:"map" flattened:"true" keyName:"Name" valueName:"Value"`
	N     *testStruct          `name:"N" type:"structure"`
	T     *time.Time           `name:"T" type:"timestamp"`
	RFC   *time.Time           `name:"RFC" type:"timestamp" timestampFormat:"rfc822"`
	B     []byte               `name:"B" type:"blob"`
	Bool  *bool                `name:"Bool" type:"boolean"`
	Dbl   *float64             `name:"Dbl" type:"double"`
	NS    *testLeaf            `name:"NS" type:"structure" xmlURI:"http://www.w3.org/2001/XMLSchema-instance" xmlPrefix:"xsi"`
	Hdr   *string              `name:"Hdr" location:"header" locationName:"x-hdr" type:"string"`
}

type testLeaf struct {
	_    struct{} `type:"structure"`
	Kind *string  `name:"Kind" locationName:"xsi:type" type:"string" xmlAttribute:"true"`
	V    *string  `name:"V" type:"string"`
}

func sp(s string) *string { return &s }

func TestRoundTrip(t *testing.T) {
	tm := time.Date(2006, 2, 3, 16, 45, 9, 0, time.UTC)
	yes, d := true, 1.5
	in := &testStruct{
		Attr: sp("x&y"), S: sp(" spaced <text> "), Empty: sp(""),
		L: []int64{1, 2}, Named: []string{"a"}, F: []int64{3, 4},
		M:  map[string]string{"b": "2", "a": "1"},
		FM: map[string]*testLeaf{"k": {V: sp("v")}},
		N:  &testStruct{S: sp("inner")},
		T:  &tm, RFC: &tm, B: []byte("hi"), Bool: &yes, Dbl: &d,
		NS:  &testLeaf{Kind: sp("CanonicalUser"), V: sp("id")},
		Hdr: sp("not in the body"),
	}
	var b bytes.Buffer
	Encode(&b, "R", "urn:x", in, Options{Millis: true})
	want := `<R xmlns="urn:x" a="x&amp;y"><S> spaced &lt;text&gt; </S><Empty></Empty>` +
		`<L><member>1</member><member>2</member></L><Named><item>a</item></Named><F>3</F><F>4</F>` +
		`<M><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>2</value></entry></M>` +
		`<FM><Name>k</Name><Value><V>v</V></Value></FM><N><S>inner</S></N>` +
		`<T>2006-02-03T16:45:09.000Z</T><RFC>Fri, 03 Feb 2006 16:45:09 GMT</RFC><B>aGk=</B><Bool>true</Bool><Dbl>1.5</Dbl>` +
		`<NS xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><V>id</V></NS></R>`
	if got := b.String(); got != want {
		t.Fatalf("Encode =\n%s\nwant\n%s", got, want)
	}
	n, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var got testStruct
	if err := Decode(n, &got, Options{}); err != nil {
		t.Fatal(err)
	}
	in.Hdr = nil // located members are not the body's business
	if !reflect.DeepEqual(&got, in) {
		t.Errorf("Decode(Encode(v)) =\n%+v\nwant\n%+v", got, *in)
	}
}

func TestAbsentAndEmpty(t *testing.T) {
	var b bytes.Buffer
	Encode(&b, "R", "", &testStruct{L: []int64{}}, Options{})
	if got, want := b.String(), `<R><L></L></R>`; got != want {
		t.Errorf("Encode = %s, want %s", got, want)
	}
	b.Reset()
	Encode(&b, "R", "", (*testStruct)(nil), Options{})
	if got, want := b.String(), `<R></R>`; got != want {
		t.Errorf("Encode(nil) = %s, want %s", got, want)
	}
	n, err := Parse(strings.NewReader(`<R><S/><Bool></Bool></R>`))
	if err != nil {
		t.Fatal(err)
	}
	var v testStruct
	if err := Decode(n, &v, Options{}); err != nil {
		t.Fatal(err)
	}
	if v.S == nil || *v.S != "" || v.Bool != nil {
		t.Errorf("Decode = S %v Bool %v, want empty S and nil Bool", v.S, v.Bool)
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1)
	for _, body := range []string{"", "text", "<a>", "<a></b>", "<a/><b/>", "<a/>trailing", deep} {
		if _, err := Parse(strings.NewReader(body)); err == nil {
			t.Errorf("Parse(%.20q) = nil error, want one", body)
		}
	}
}

func TestDecodeBadValue(t *testing.T) {
	n, err := Parse(strings.NewReader(`<R><Dbl>abc</Dbl></R>`))
	if err != nil {
		t.Fatal(err)
	}
	var v testStruct
	err = Decode(n, &v, Options{})
	if de, ok := err.(*DecodeError); !ok || de.Member != "Dbl" {
		t.Errorf("Decode = %v, want DecodeError on Dbl", err)
	}
}

// Characters XML cannot carry literally are numeric references; everything
// else is written as encoding/xml writes it.
func TestEscapeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\x01b", "a&#x1;b"},
		{"\x1f\x00", "&#x1F;&#x0;"},
		{"tab\tnl\ncr\r", "tab&#x9;nl&#xA;cr&#xD;"},
		{`<&>"'`, "&lt;&amp;&gt;&#34;&#39;"},
		{"é😀\uFFFE", "é😀&#xFFFE;"},
		{"bad\xff", "bad\uFFFD"},
	} {
		var b bytes.Buffer
		EscapeText(&b, tc.in)
		if b.String() != tc.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tc.in, b.String(), tc.want)
		}
	}
}

// Parse refuses what would take more than its limits, and invalid UTF-8.
func TestParseLimits(t *testing.T) {
	many := "<R>" + strings.Repeat("<a/>", MaxNodes) + "</R>"
	if _, err := Parse(strings.NewReader(many)); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse of %d elements = %v, want ErrMalformed", MaxNodes+1, err)
	}
	if _, err := Parse(strings.NewReader("<R>\xff</R>")); !errors.Is(err, ErrMalformed) {
		t.Errorf("Parse of invalid UTF-8 = %v, want ErrMalformed", err)
	}
	if _, err := Parse(strings.NewReader(" \n ")); !errors.Is(err, ErrEmpty) {
		t.Errorf("Parse of white space = %v, want ErrEmpty", err)
	}
	n, err := Parse(strings.NewReader("<R>a<!-- c -->b<x/>c</R>"))
	if err != nil || n.Text != "abc" {
		t.Errorf("Parse = %+v, %v; want text abc", n, err)
	}
}

// A text past MaxText is kept only to about MaxText bytes, not buffered whole,
// so that the service refuses it as too long; other tokens past it are errors.
func TestParseLongText(t *testing.T) {
	long := strings.Repeat("x", 20<<20-100)
	n, err := Parse(strings.NewReader("<Tagging><Tag><Key>" + long + "</Key><Value>v</Value></Tag></Tagging>"))
	if err != nil {
		t.Fatal(err)
	}
	k := n.Child("Tag").Child("Key").Text
	if len(k) < MaxText || len(k) > MaxText+64 || strings.Trim(k, "x") != "" {
		t.Errorf("long text kept as %d bytes", len(k))
	}
	if v := n.Child("Tag").Child("Value").Text; v != "v" {
		t.Errorf("Value = %q after the long key", v)
	}
	// Cut at neither an entity nor a UTF-8 sequence; text and comments alternating.
	odd := strings.Repeat("é&amp;", MaxText/3)
	n, err = Parse(strings.NewReader("<R><S>" + odd + "<!--c-->" + odd + "</S><T>t</T></R>"))
	if err != nil {
		t.Fatal(err)
	}
	if s := n.Child("S").Text; len(s) > 2*MaxText+128 || !utf8.ValidString(s) {
		t.Errorf("text of %d bytes kept, valid UTF-8 %v", len(s), utf8.ValidString(s))
	}
	if n.Child("T").Text != "t" {
		t.Error("element after the long text lost")
	}
	for _, body := range []string{
		"<R a=\"" + long + "\"></R>",
		"<R><!--" + long + "--></R>",
		"<R><![CDATA[" + long + "]]></R>",
		"<R>&" + long + ";</R>",
		long + "<R></R>",
	} {
		if _, err := Parse(strings.NewReader(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%.20q...: err %v, want ErrMalformed", body, err)
		}
	}
}
