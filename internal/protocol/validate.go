package protocol

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// Violation is one failed model constraint, in the words AWS's request validator
// (Coral) prints: Value '<value>' at '<path>' failed to satisfy constraint: <Constraint>.
type Violation struct {
	Path       string // camel-cased member path: "keySchema.1.member.attributeName"
	Value      string // the value as AWS prints it, quoted; "null" for an absent member
	Constraint string // "Member must not be null"
}

func (v Violation) String() string {
	value := v.Value
	if len(value) > maxShown+2 && value[0] == '\'' {
		value = quote(value[1 : len(value)-1])
	}
	return "Value " + value + " at '" + v.Path + "' failed to satisfy constraint: " + v.Constraint
}

// Validate checks in (a pointer to a generated input struct) against the constraints
// its tags state: required members, enum values (from svc.Enums), and min/max of
// lengths and ranges, recursing into nested structures, lists and maps. It returns
// nil or a 400 ValidationException worded like AWS's:
//
//	1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null
//
// Protocols that word validation differently (query's MissingParameter, S3) can use
// Violations and phrase the result themselves.
func Validate(in any, svc *api.Service) error {
	vs := Violations(in, svc)
	if len(vs) == 0 {
		return nil
	}
	return ValidationError(vs)
}

// ValidationError words violations as AWS's ValidationException.
func ValidationError(vs []Violation) *api.Err {
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return &api.Err{Code: "ValidationException", Status: 400, Message: b.String()}
}

// Violations lists every constraint in breaks, in member order, depth first.
func Violations(in any, svc *api.Service) []Violation {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var enums func(string) []string
	if svc != nil {
		enums = svc.Enums
	}
	w := validator{enums: enums}
	w.structure(v)
	return w.out
}

// validator walks a value depth first. The path of the member in hand is kept as
// a stack of segments and spelled out only for a violation: a valid request, the
// common case, costs no string building.
type validator struct {
	enums func(string) []string // nil: no enum is checked
	out   []Violation
	depth int
	path  []pathSeg
}

// pathSeg is one segment of a member path: a member name (camel-cased when
// spelled out), a list index, "member" or a map key.
type pathSeg struct {
	s      string
	member bool
}

func (w *validator) push(s string, member bool) { w.path = append(w.path, pathSeg{s, member}) }
func (w *validator) pop()                       { w.path = w.path[:len(w.path)-1] }

// pathString spells out the current path: "keySchema.1.member.attributeName".
func (w *validator) pathString() string {
	var b strings.Builder
	for i, p := range w.path {
		if i > 0 {
			b.WriteByte('.')
		}
		if p.member {
			b.WriteString(camel(p.s))
		} else {
			b.WriteString(p.s)
		}
	}
	return b.String()
}

// maxDepth bounds recursion through self-referencing shapes (Glue's and
// DynamoDB's recursive attribute values): a decoded value is finite, but a
// codec's decoder bounds nesting too, so this is only a backstop.
const maxDepth = 64

func (w *validator) add(value, constraint string) {
	w.out = append(w.out, Violation{Path: w.pathString(), Value: value, Constraint: constraint})
}

func (w *validator) structure(v reflect.Value) {
	if w.depth > maxDepth {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	s := shape.Of(v.Type())
	for _, f := range s.Fields {
		w.push(f.Name, true)
		w.member(f, v.Field(f.Index))
		w.pop()
	}
}

// absent tells whether a member was not sent: nil pointers, slices, maps and
// interfaces. Decoders make empty-but-present lists and maps non-nil.
func absent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	}
	return false
}

func (w *validator) member(f *shape.Field, v reflect.Value) {
	if absent(v) {
		if f.Required {
			w.add("null", "Member must not be null")
		}
		return
	}
	// Streams are never inspected: reading them would consume the payload.
	if f.Streaming {
		return
	}
	switch f.Type {
	case "string", "character":
		s, ok := stringOf(v)
		if !ok {
			return
		}
		if f.Min != nil || f.Max != nil {
			if n := float64(utf16Len(s)); !lengthOK(f, n) {
				w.length(f, quote(s), n)
			}
		}
		w.enum(f, s)
	case "blob":
		b, ok := v.Interface().([]byte)
		if !ok {
			return
		}
		if n := float64(len(b)); !lengthOK(f, n) {
			// Java prints a ByteBuffer, not its bytes; so does AWS.
			shown := fmt.Sprintf("'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]'", len(b), len(b))
			w.length(f, shown, n)
		}
	case "integer", "long", "float", "double":
		w.rangeOf(f, v)
	case "structure":
		e := v
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		if e.Kind() == reflect.Struct {
			w.structure(e)
		}
	case "list":
		if v.Kind() != reflect.Slice {
			return
		}
		if n := float64(v.Len()); !lengthOK(f, n) {
			w.length(f, quote(listString(v)), n)
		}
		if enum := f.Tag.Get("memberEnum"); enum != "" {
			w.listEnum(enum, v)
		} else if f.Enum != "" {
			w.listEnum(f.Enum, v)
		}
		w.elements(v)
	case "map":
		if v.Kind() != reflect.Map {
			return
		}
		if n := float64(v.Len()); !lengthOK(f, n) {
			w.length(f, quote(mapString(v)), n)
		}
		w.elements(v)
	}
}

// elements recurses into the elements of a list (path ".<i>.member", from 1) or
// of a map (".<key>.member", in key order).
func (w *validator) elements(v reflect.Value) {
	if v.Kind() == reflect.Map {
		keys := v.MapKeys()
		sortValues(keys)
		for _, k := range keys {
			w.push(keyString(k), false)
			w.push("member", false)
			w.element(v.MapIndex(k))
			w.pop()
			w.pop()
		}
		return
	}
	for i := 0; i < v.Len(); i++ {
		w.push(strconv.Itoa(i+1), false)
		w.push("member", false)
		w.element(v.Index(i))
		w.pop()
		w.pop()
	}
}

// element recurses into a list or map element. Elements carry no tags of their
// own, so only nested structures (and lists and maps of them) have constraints.
func (w *validator) element(v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		w.structure(v)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		w.elements(v)
	case reflect.Map:
		w.elements(v)
	}
}

// lengthOK tells whether a length n is within f's limits.
func lengthOK(f *shape.Field, n float64) bool {
	return !(f.Min != nil && n < *f.Min) && !(f.Max != nil && n > *f.Max)
}

// utf16Len is the length of s in UTF-16 code units, which is what Java (and so
// AWS) counts: len(utf16.Encode([]rune(s))) without building either.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (w *validator) length(f *shape.Field, shown string, n float64) {
	if f.Min != nil && n < *f.Min {
		w.add(shown, "Member must have length greater than or equal to "+num(*f.Min))
	}
	if f.Max != nil && n > *f.Max {
		w.add(shown, "Member must have length less than or equal to "+num(*f.Max))
	}
}

func (w *validator) rangeOf(f *shape.Field, v reflect.Value) {
	if f.Min == nil && f.Max == nil {
		return
	}
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var x float64
	var shown string
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x = float64(v.Int())
		shown = strconv.FormatInt(v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		x = v.Float()
		shown = javaDouble(x)
	default:
		return
	}
	if f.Min != nil && x < *f.Min {
		w.add(quote(shown), "Member must have value greater than or equal to "+num(*f.Min))
	}
	if f.Max != nil && x > *f.Max {
		w.add(quote(shown), "Member must have value less than or equal to "+num(*f.Max))
	}
}

func (w *validator) enum(f *shape.Field, s string) {
	if f.Enum == "" {
		return
	}
	if w.enums == nil {
		return
	}
	values := w.enums(f.Enum)
	if len(values) == 0 {
		return // an enum we have no list for: accept, as we cannot judge
	}
	for _, e := range values {
		if e == s {
			return
		}
	}
	w.add(quote(s), "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// listEnum checks a list whose elements are an enum; AWS reports the whole list
// with the element constraint nested, as Coral does for member constraints.
func (w *validator) listEnum(enum string, v reflect.Value) {
	if w.enums == nil {
		return
	}
	values := w.enums(enum)
	if len(values) == 0 {
		return
	}
	for i := 0; i < v.Len(); i++ {
		s, ok := stringOf(v.Index(i))
		if !ok {
			return
		}
		found := false
		for _, e := range values {
			if e == s {
				found = true
				break
			}
		}
		if !found {
			w.add(quote(listString(v)),
				"Member must satisfy constraint: [Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]]")
			return
		}
	}
}

func stringOf(v reflect.Value) (string, bool) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.String {
		return "", false
	}
	return v.String(), true
}

// camel lower-cases the first letter of a member name, which is how Coral names
// members in its messages ("TableName" → "tableName", "SSESpecification" → "sSESpecification").
func camel(name string) string {
	if name == "" {
		return name
	}
	return strings.ToLower(name[:1]) + name[1:]
}

// maxShown is the most of a value a message repeats. AWS's own cut-off is not
// documented: dynalite's suite shows 256-character names and a BatchGetItem
// list of 101 keys (~2.6 KB) repeated whole, so the cut sits above that; a
// request may carry megabytes in one string, which must not come back whole.
const maxShown = 8192

func quote(s string) string { return "'" + Shown(s) + "'" }

// Shown is s as a message may repeat it: at most maxShown bytes, then "...".
func Shown(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// num prints a limit from the model: integers without a fraction.
func num(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// javaDouble prints a float the way Java's Double.toString does for ordinary values.
func javaDouble(f float64) string {
	if f == float64(int64(f)) && f < 1e7 && f > -1e7 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// listString prints a list as Java's List.toString: [a, b].
func listString(v reflect.Value) string {
	parts := make([]string, v.Len())
	for i := range parts {
		parts[i] = valueString(v.Index(i))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// mapString prints a map as Java's Map.toString: {k=v, k2=v2}.
func mapString(v reflect.Value) string {
	keys := v.MapKeys()
	sortValues(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprint(k.Interface()) + "=" + valueString(v.MapIndex(k))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func valueString(v reflect.Value) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "null"
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", v.Len(), v.Len())
		}
		return listString(v)
	case reflect.Map:
		return mapString(v)
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.UnixDate)
		}
		// Coral prints generated Java beans as Name(member=value, ...).
		s := shape.Of(v.Type())
		var parts []string
		for _, f := range s.Fields {
			fv := v.Field(f.Index)
			if absent(fv) {
				continue
			}
			parts = append(parts, camel(f.Name)+"="+valueString(fv))
		}
		return v.Type().Name() + "(" + strings.Join(parts, ", ") + ")"
	case reflect.Float32, reflect.Float64:
		return javaDouble(v.Float())
	}
	return fmt.Sprint(v.Interface())
}

// keyString prints a map key as fmt.Sprint does, without its cost for the
// plain strings that generated maps are keyed by.
func keyString(k reflect.Value) string {
	if k.Type() == stringType {
		return k.String()
	}
	return fmt.Sprint(k.Interface())
}

var stringType = reflect.TypeOf("")

func sortValues(keys []reflect.Value) {
	// Maps have no order on the wire either; sorting keeps messages stable.
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = keyString(k)
	}
	sort.Sort(byName{keys, names})
}

type byName struct {
	keys  []reflect.Value
	names []string
}

func (b byName) Len() int           { return len(b.keys) }
func (b byName) Less(i, j int) bool { return b.names[i] < b.names[j] }
func (b byName) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.names[i], b.names[j] = b.names[j], b.names[i]
}
