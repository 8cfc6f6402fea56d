package xmlbody

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/protocol/rest"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// Options tune the few things on which XML services differ.
type Options struct {
	// Millis writes iso8601 timestamps always with milliseconds, as S3 does
	// ("2006-02-03T16:45:09.000Z"); otherwise milliseconds appear only when
	// non-zero, as in IAM and STS.
	Millis bool
}

// Limits on what Parse accepts, so that hostile input cannot exhaust the stack
// or memory. MaxBytes is the largest body any XML operation takes (S3's bucket
// configuration documents are far smaller); MaxNodes is above the largest
// legitimate S3 body (a CompleteMultipartUpload of 10,000 parts, each a
// handful of elements) and keeps a body of millions of <a/> from becoming
// millions of Nodes. MaxText bounds the text Parse keeps of one element and
// the size of any one token (a tag with its attributes, a comment): the
// longest text an XML API takes is S3 Select's 256 KiB Expression, an object
// key is 1,024 bytes, a tag key 128 characters.
const (
	MaxDepth = 128
	MaxBytes = 20 << 20
	MaxNodes = 100_000
	MaxText  = 1 << 20
)

// Node is one parsed XML element.
type Node struct {
	Name     xml.Name // Space holds the namespace URI, as encoding/xml resolves it
	Attr     []xml.Attr
	Children []*Node
	Text     string // the character data directly inside the element
}

// Child returns the first child element with the local name, or nil.
func (n *Node) Child(local string) *Node {
	for _, c := range n.Children {
		if c.Name.Local == local {
			return c
		}
	}
	return nil
}

// ErrMalformed is returned (wrapped) for bodies that are not well-formed XML.
var ErrMalformed = errors.New("malformed XML")

// ErrEmpty is returned by Parse for a body of nothing but white space.
var ErrEmpty = errors.New("empty XML body")

// Parse reads one XML document from r as it streams by (at most MaxBytes) and
// returns its root element. Anything after the root element other than
// whitespace, comments and processing instructions is an error, and so are
// invalid UTF-8 and documents beyond MaxDepth or MaxNodes.
//
// An element's text longer than MaxText is kept only to its first MaxText
// bytes or so (the rest is skipped as it streams by, never buffered), which is
// still longer than any member takes: the service then refuses the value as
// it refuses any too-long one (S3's InvalidTag, KeyTooLongError). Any other
// token longer than MaxText is an error.
func Parse(r io.Reader) (*Node, error) {
	lr := &io.LimitedReader{R: r, N: MaxBytes + 1}
	tr := &tokenReader{r: bufio.NewReader(lr)}
	d := xml.NewDecoder(tr)
	d.Strict = true
	var stack []*Node
	var texts []*strings.Builder // the character data of each open element
	var root *Node
	nodes := 0
	blank := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Join(ErrMalformed, err)
		}
		// After character data the decoder has already read the '<' that ends
		// it, so what comes next is markup; after any other token (read up to
		// its '>'), text inside an element may follow.
		tr.reset(textMayFollow(tok, len(stack)))
		if lr.N <= 0 {
			return nil, errors.Join(ErrMalformed, errors.New("body too large"))
		}
		if nodes++; nodes > MaxNodes {
			return nil, errors.Join(ErrMalformed, errors.New("too many XML nodes"))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			blank = false
			if root != nil && len(stack) == 0 {
				return nil, errors.Join(ErrMalformed, errors.New("more than one root element"))
			}
			if len(stack) >= MaxDepth {
				return nil, errors.Join(ErrMalformed, errors.New("nested too deeply"))
			}
			n := &Node{Name: t.Name, Attr: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			texts = append(texts, new(strings.Builder))
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].Name != t.Name {
				return nil, errors.Join(ErrMalformed, errors.New("element not closed as opened"))
			}
			n := stack[len(stack)-1]
			n.Text = texts[len(texts)-1].String()
			stack, texts = stack[:len(stack)-1], texts[:len(texts)-1]
		case xml.CharData:
			if !utf8.Valid(t) {
				return nil, errors.Join(ErrMalformed, errors.New("invalid UTF-8"))
			}
			if len(stack) > 0 {
				if tb := texts[len(texts)-1]; tb.Len() <= MaxText {
					tb.Write(t)
				}
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.Join(ErrMalformed, errors.New("text outside the root element"))
			}
		default:
			blank = false
		}
	}
	if root == nil {
		if blank {
			return nil, ErrEmpty
		}
		return nil, errors.Join(ErrMalformed, io.ErrUnexpectedEOF)
	}
	if len(stack) > 0 {
		return nil, errors.Join(ErrMalformed, io.ErrUnexpectedEOF)
	}
	return root, nil
}

// textMayFollow says whether the bytes after tok may be an element's text,
// depth being the number of elements open before tok.
func textMayFollow(tok xml.Token, depth int) bool {
	switch tok.(type) {
	case xml.CharData:
		return false
	case xml.StartElement:
		return true
	case xml.EndElement:
		return depth > 1
	}
	return depth > 0
}

// tokenReader feeds the XML decoder byte by byte and bounds what it buffers
// for one token (encoding/xml keeps a whole text run, comment or tag in
// memory). Character data inside an element past MaxText is skipped up to
// the '<' that ends it, at a point that cuts no entity reference and no UTF-8
// sequence; any other token past MaxText (or text that offers no such point)
// is an error.
type tokenReader struct {
	r        *bufio.Reader
	n        int  // bytes of the current token read so far
	text     bool // the current token may be character data inside an element
	markup   bool // the current token turned out to be markup
	inEntity bool // between '&' and ';'
}

var errTokenTooLarge = errors.New("XML token too large")

// reset starts a new token; text says whether it may be character data.
func (t *tokenReader) reset(text bool) {
	t.n, t.text, t.markup, t.inEntity = 0, text, false, false
}

// Read makes a tokenReader an io.Reader; the decoder only calls ReadByte.
func (t *tokenReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := t.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = b
	return 1, nil
}

func (t *tokenReader) ReadByte() (byte, error) {
	b, err := t.r.ReadByte()
	if err != nil {
		return b, err
	}
	if t.n == 0 && b == '<' {
		t.markup = true
	}
	t.n++
	if t.n <= MaxText {
		if t.text && !t.markup {
			switch b {
			case '&':
				t.inEntity = true
			case ';':
				t.inEntity = false
			}
		}
		return b, nil
	}
	if t.text && !t.markup {
		if b == '<' {
			return b, nil // the text ended at the limit
		}
		if !t.inEntity && (b < 0x80 || b >= 0xC0) {
			// Skip the rest of the text: give the decoder the '<' after it.
			for b != '<' {
				if b, err = t.r.ReadByte(); err != nil {
					return b, err
				}
			}
			return b, nil
		}
		if t.n <= MaxText+64 {
			if b == ';' {
				t.inEntity = false
			}
			return b, nil
		}
	}
	return 0, errTokenTooLarge
}

// DecodeError says which member of the body held a value that does not parse.
type DecodeError struct {
	Member string
	Value  string
}

func (e *DecodeError) Error() string {
	return "invalid value " + strconvQuote(e.Value) + " for " + e.Member
}

func strconvQuote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}

// Decode fills the body members (those without a rest location) of v, a pointer
// to a generated struct, from the children and attributes of n.
func Decode(n *Node, v any, opt Options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil
	}
	return decodeInto(n, rv.Elem(), "structure", nil, 0)
}

func decodeStruct(n *Node, sv reflect.Value, depth int) error {
	s := shape.Of(sv.Type())
	for _, f := range s.Fields {
		if f.Location != "" {
			continue
		}
		fv := sv.Field(f.Index)
		typ := rest.TypeOf(f)
		if f.XMLAttribute {
			local := WireName(f)
			if i := strings.IndexByte(local, ':'); i >= 0 {
				local = local[i+1:]
			}
			for _, a := range n.Attr {
				if a.Name.Local == local {
					if err := rest.SetText(fv, typ, tsFormat(f), a.Value); err != nil {
						return &DecodeError{Member: f.Name, Value: a.Value}
					}
				}
			}
			continue
		}
		switch typ {
		case "list":
			if f.Flattened {
				name := flatName(f)
				var items []*Node
				for _, c := range n.Children {
					if c.Name.Local == name {
						items = append(items, c)
					}
				}
				if len(items) == 0 {
					continue
				}
				if err := decodeList(items, fv, f, depth); err != nil {
					return err
				}
				continue
			}
			c := n.Child(WireName(f))
			if c == nil {
				continue
			}
			if err := decodeList(c.Children, fv, f, depth); err != nil {
				return err
			}
		case "map":
			var entries []*Node
			if f.Flattened {
				for _, c := range n.Children {
					if c.Name.Local == WireName(f) {
						entries = append(entries, c)
					}
				}
				if len(entries) == 0 {
					continue
				}
			} else {
				c := n.Child(WireName(f))
				if c == nil {
					continue
				}
				entries = c.Children
			}
			if err := decodeMap(entries, fv, f, depth); err != nil {
				return err
			}
		default:
			c := n.Child(WireName(f))
			if c == nil {
				continue
			}
			if err := decodeInto(c, fv, typ, f, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func tsFormat(f *shape.Field) string {
	if f != nil && f.TimestampFormat != "" {
		return f.TimestampFormat
	}
	return rest.ISO8601
}

// flatName is the element name of each item of a flattened list: the list
// member's own locationName when the model states one, else the member's.
func flatName(f *shape.Field) string {
	if n, ok := f.Tag.Lookup("memberName"); ok && n != "" {
		return n
	}
	return WireName(f)
}

// decodeInto decodes one element into v, whose model type is typ.
func decodeInto(n *Node, v reflect.Value, typ string, f *shape.Field, depth int) error {
	if depth > MaxDepth {
		return errors.Join(ErrMalformed, errors.New("nested too deeply"))
	}
	switch typ {
	case "structure":
		if v.Kind() == reflect.Pointer {
			if v.Type().Elem().Kind() != reflect.Struct {
				return nil
			}
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return nil
		}
		return decodeStruct(n, v, depth)
	case "list":
		return decodeList(n.Children, v, f, depth)
	case "map":
		return decodeMap(n.Children, v, f, depth)
	case "document":
		return nil
	}
	text := n.Text
	if typ != "string" && typ != "character" && strings.TrimSpace(text) == "" {
		// An empty element for a number, boolean or timestamp means no value.
		return nil
	}
	if err := rest.SetText(v, typ, tsFormat(f), text); err != nil {
		name := n.Name.Local
		if f != nil {
			name = f.Name
		}
		return &DecodeError{Member: name, Value: text}
	}
	return nil
}

func decodeList(items []*Node, v reflect.Value, f *shape.Field, depth int) error {
	if v.Kind() != reflect.Slice {
		return nil
	}
	et := v.Type().Elem()
	l := reflect.MakeSlice(v.Type(), 0, len(items))
	for _, it := range items {
		ev := reflect.New(et).Elem()
		if err := decodeInto(it, ev, rest.ModelType(et), nil, depth+1); err != nil {
			return err
		}
		l = reflect.Append(l, ev)
	}
	v.Set(l)
	return nil
}

func decodeMap(entries []*Node, v reflect.Value, f *shape.Field, depth int) error {
	if v.Kind() != reflect.Map {
		return nil
	}
	keyName, valueName := "key", "value"
	if f != nil {
		keyName, valueName = f.KeyName, f.ValueName
	}
	m := reflect.MakeMapWithSize(v.Type(), len(entries))
	kt, et := v.Type().Key(), v.Type().Elem()
	for _, e := range entries {
		kn, vn := e.Child(keyName), e.Child(valueName)
		if kn == nil {
			continue
		}
		kv := reflect.New(kt).Elem()
		if err := rest.SetText(kv, "string", "", kn.Text); err != nil {
			return &DecodeError{Member: keyName, Value: kn.Text}
		}
		ev := reflect.New(et).Elem()
		if vn != nil {
			if err := decodeInto(vn, ev, rest.ModelType(et), nil, depth+1); err != nil {
				return err
			}
		}
		m.SetMapIndex(kv, ev)
	}
	v.Set(m)
	return nil
}

// Encode writes v (a pointer to a generated struct; nil writes an empty
// element) as the element name, declaring xmlns when it is not empty. Only
// members without a rest location are written.
func Encode(b *bytes.Buffer, name, xmlns string, v any, opt Options) {
	rv := reflect.ValueOf(v)
	var attrs string
	if xmlns != "" {
		attrs = ` xmlns="` + escape(xmlns) + `"`
	}
	encodeStructElem(b, name, attrs, rv, opt)
}

// EncodeMembers writes the member elements of v (a pointer to a generated
// struct) without an enclosing element: the query protocol's <XResult> content.
func EncodeMembers(b *bytes.Buffer, v any, opt Options) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return
	}
	encodeFields(b, rv, opt)
}

func encodeStructElem(b *bytes.Buffer, name, attrs string, v reflect.Value, opt Options) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("<" + name + attrs + "></" + name + ">")
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		b.WriteString("<" + name + attrs + "></" + name + ">")
		return
	}
	b.WriteString("<" + name + attrs)
	s := shape.Of(v.Type())
	for _, f := range s.Fields {
		if !f.XMLAttribute || f.Location != "" {
			continue
		}
		if t, ok := rest.Text(v.Field(f.Index), rest.TypeOf(f), tsFormat(f), opt.Millis); ok {
			b.WriteString(" " + WireName(f) + `="` + escape(t) + `"`)
		}
	}
	b.WriteString(">")
	encodeFields(b, v, opt)
	b.WriteString("</" + name + ">")
}

func encodeFields(b *bytes.Buffer, sv reflect.Value, opt Options) {
	s := shape.Of(sv.Type())
	for _, f := range s.Fields {
		if f.Location != "" || f.XMLAttribute {
			continue
		}
		encodeField(b, f, sv.Field(f.Index), opt)
	}
}

// nsAttr is the namespace declaration a member's tags ask for on its element.
func nsAttr(f *shape.Field) string {
	if f == nil || f.XMLURI == "" {
		return ""
	}
	if f.XMLPrefix != "" {
		return ` xmlns:` + f.XMLPrefix + `="` + escape(f.XMLURI) + `"`
	}
	return ` xmlns="` + escape(f.XMLURI) + `"`
}

func encodeField(b *bytes.Buffer, f *shape.Field, v reflect.Value, opt Options) {
	typ := rest.TypeOf(f)
	switch typ {
	case "list":
		if v.Kind() != reflect.Slice || v.IsNil() {
			return
		}
		et := v.Type().Elem()
		if f.Flattened {
			name := flatName(f)
			for i := 0; i < v.Len(); i++ {
				encodeValue(b, name, nsAttr(f), v.Index(i), rest.ModelType(et), nil, opt)
			}
			return
		}
		b.WriteString("<" + WireName(f) + nsAttr(f) + ">")
		for i := 0; i < v.Len(); i++ {
			encodeValue(b, f.MemberName, "", v.Index(i), rest.ModelType(et), nil, opt)
		}
		b.WriteString("</" + WireName(f) + ">")
	case "map":
		if v.Kind() != reflect.Map || v.IsNil() {
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		et := rest.ModelType(v.Type().Elem())
		entry := func(k reflect.Value) {
			b.WriteString("<" + f.KeyName + ">")
			EscapeText(b, k.String())
			b.WriteString("</" + f.KeyName + ">")
			encodeValue(b, f.ValueName, "", v.MapIndex(k), et, nil, opt)
		}
		if f.Flattened {
			for _, k := range keys {
				b.WriteString("<" + WireName(f) + nsAttr(f) + ">")
				entry(k)
				b.WriteString("</" + WireName(f) + ">")
			}
			return
		}
		b.WriteString("<" + WireName(f) + nsAttr(f) + ">")
		for _, k := range keys {
			b.WriteString("<entry>")
			entry(k)
			b.WriteString("</entry>")
		}
		b.WriteString("</" + WireName(f) + ">")
	default:
		encodeValue(b, WireName(f), nsAttr(f), v, typ, f, opt)
	}
}

// encodeValue writes one element holding v; nil values are omitted.
func encodeValue(b *bytes.Buffer, name, attrs string, v reflect.Value, typ string, f *shape.Field, opt Options) {
	switch typ {
	case "structure":
		if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
			return
		}
		encodeStructElem(b, name, attrs, v, opt)
		return
	case "list", "map":
		// A list or map directly inside a list or map: wrap it the default way.
		inner := &shape.Field{Name: name, LocationName: name, Type: typ, MemberName: "member", KeyName: "key", ValueName: "value"}
		encodeField(b, inner, v, opt)
		return
	case "document":
		return
	}
	t, ok := rest.Text(v, typ, tsFormat(f), opt.Millis)
	if !ok {
		return
	}
	b.WriteString("<" + name + attrs + ">")
	EscapeText(b, t)
	b.WriteString("</" + name + ">")
}

func escape(s string) string {
	var b bytes.Buffer
	EscapeText(&b, s)
	return b.String()
}

// EscapeText writes s as XML character data (or an attribute value). Unlike
// encoding/xml's EscapeText, which writes U+FFFD for them, characters XML
// cannot carry literally (control characters other than tab, newline and
// carriage return; U+FFFE, U+FFFF) are written as numeric character
// references, as S3 writes them (a key "a\x01b" is listed as "a&#x1;b"), so
// that a client reading the list gets the name that was stored. Bytes that
// are not UTF-8 at all are still U+FFFD: they are no character.
func EscapeText(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= ' ' && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' {
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"':
			esc = "&#34;"
		case c == '\'':
			esc = "&#39;"
		case r == utf8.RuneError && width == 1:
			esc = "\uFFFD"
		case r < ' ' || r == 0xFFFE || r == 0xFFFF:
			// \t, \n and \r too (as encoding/xml writes them): a parser would normalize them.
			esc = "&#x" + strings.ToUpper(strconv.FormatUint(uint64(r), 16)) + ";"
		default:
			i += width
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += width
		last = i
	}
	b.WriteString(s[last:])
}

// WireName is a member's name in XML and query bodies: the xmlName tag, which
// the generator writes where a service's current model renamed what its query
// clients still send (SQS's "Attribute"), else the locationName.
func WireName(f *shape.Field) string {
	if n := f.Tag.Get("xmlName"); n != "" {
		return n
	}
	return f.LocationName
}
