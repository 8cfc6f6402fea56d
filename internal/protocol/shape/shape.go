// Package shape reads the struct tags of generated API types (see internal/api's
// package doc) into plans the codecs walk, cached per type so that reflection over
// tags happens once per type, not once per request.
package shape

import (
	"net/textproto"
	"reflect"
	"strconv"
	"sync"
)

// Struct is the plan of one generated structure type.
type Struct struct {
	Type         reflect.Type // the struct type (not the pointer)
	Payload      string       // member name of the rest payload, if any
	LocationName string       // rest-xml root element name
	XMLURI       string
	Error        bool
	ErrCode      string
	HTTPStatus   int
	Fault        string
	Union        bool
	Fields       []*Field // in declaration order (the model's member order)
	byName       map[string]*Field
}

// Field is the plan of one member.
type Field struct {
	Index            int          // index in the Go struct
	GoType           reflect.Type // the Go field type
	Name             string       // member name in the model
	Location         string       // "", "uri", "querystring", "header", "headers", "statusCode"
	LocationName     string       // wire name; defaults to Name
	HasLocName       bool         // locationName was stated in the model
	QueryName        string
	Type             string // model type: string, integer, structure, list, ...
	Enum             string
	Required         bool
	Min, Max         *float64
	TimestampFormat  string
	Flattened        bool
	XMLAttribute     bool
	XMLURI           string
	XMLPrefix        string
	Streaming        bool
	JSONValue        bool
	HostLabel        bool
	IdempotencyToken bool
	MemberName       string // list element name (default "member")
	KeyName          string // map key name (default "key")
	ValueName        string // map value name (default "value")
	Tag              reflect.StructTag
	// HeaderKey is LocationName in the canonical form of http.Header keys
	// ("x-amz-acl" → "X-Amz-Acl"), for header members: reading and writing with
	// it skips canonicalizing (and allocating) on every request.
	HeaderKey string
}

var cache sync.Map // reflect.Type → *Struct

// Of returns the plan of a generated struct type; t may be the struct or a pointer to it.
func Of(t reflect.Type) *Struct {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := cache.Load(t); ok {
		return s.(*Struct)
	}
	s := build(t)
	actual, _ := cache.LoadOrStore(t, s)
	return actual.(*Struct)
}

// Field finds a member by its model name.
func (s *Struct) Field(name string) *Field { return s.byName[name] }

func build(t reflect.Type) *Struct {
	s := &Struct{Type: t, byName: map[string]*Field{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag
		if sf.Name == "_" {
			s.Payload = tag.Get("payload")
			s.LocationName = tag.Get("locationName")
			s.XMLURI = tag.Get("xmlURI")
			s.Error = tag.Get("error") == "true"
			s.ErrCode = tag.Get("errCode")
			s.HTTPStatus, _ = strconv.Atoi(tag.Get("httpStatus"))
			s.Fault = tag.Get("fault")
			s.Union = tag.Get("union") == "true"
			continue
		}
		if !sf.IsExported() {
			continue
		}
		f := &Field{Index: i, GoType: sf.Type, Tag: tag}
		f.Name = tag.Get("name")
		if f.Name == "" {
			f.Name = sf.Name
		}
		f.Location = tag.Get("location")
		f.LocationName, f.HasLocName = tag.Lookup("locationName")
		if f.LocationName == "" {
			f.LocationName, f.HasLocName = f.Name, false
		}
		if f.Location == "header" {
			f.HeaderKey = textproto.CanonicalMIMEHeaderKey(f.LocationName)
		}
		f.QueryName = tag.Get("queryName")
		f.Type = tag.Get("type")
		f.Enum = tag.Get("enum")
		f.Required = tag.Get("required") == "true"
		f.Min = num(tag.Get("min"))
		f.Max = num(tag.Get("max"))
		f.TimestampFormat = tag.Get("timestampFormat")
		f.Flattened = tag.Get("flattened") == "true"
		f.XMLAttribute = tag.Get("xmlAttribute") == "true"
		f.XMLURI = tag.Get("xmlURI")
		f.XMLPrefix = tag.Get("xmlPrefix")
		f.Streaming = tag.Get("streaming") == "true"
		f.JSONValue = tag.Get("jsonvalue") == "true"
		f.HostLabel = tag.Get("hostLabel") == "true"
		f.IdempotencyToken = tag.Get("idempotencyToken") == "true"
		f.MemberName = def(tag.Get("memberName"), "member")
		f.KeyName = def(tag.Get("keyName"), "key")
		f.ValueName = def(tag.Get("valueName"), "value")
		s.Fields = append(s.Fields, f)
		s.byName[f.Name] = f
	}
	return s
}

func num(v string) *float64 {
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil
	}
	return &f
}

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
