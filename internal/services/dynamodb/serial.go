package dynamodb

import (
	"encoding/base64"
	"encoding/json"
	"github.com/fogbank/fogbank/internal/lazy"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	ddb "github.com/fogbank/fogbank/internal/api/dynamodb"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// DynamoDB's front end reports a JSON value of the wrong type with messages of
// its own (a Java deserializer's: "TRUE_VALUE cannot be converted to String",
// "Unexpected field type", ...) and a capitalised "Message" key, unlike other
// json services. checkJSON, the CheckJSON of DynamoDB's dialect, checks the body's
// types against the operation's input shape before the json codec decodes it,
// and answers such a SerializationException itself; a body that is well typed is
// left, untouched, to the codec.

const castMsg = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"

const javaPkg = "com.amazonaws.dynamodb.v20120810."

// frontEndError is an error DynamoDB's front end writes with "Message" rather
// than "message" (api.MessageKeyer).
type frontEndError struct{ err *api.Err }

func (e frontEndError) Error() string      { return e.err.Error() }
func (e frontEndError) Unwrap() error      { return e.err }
func (e frontEndError) MessageKey() string { return "Message" }

func serializationError(msg string) error {
	return frontEndError{&api.Err{Code: "SerializationException", Status: http.StatusBadRequest, Message: msg}}
}

func validationError(msg string) error {
	return &api.Err{Code: "ValidationException", Status: http.StatusBadRequest, Message: msg}
}

// checkJSON judges the body of a request for op, sent by account, before the
// codec decodes it: an error to answer in DynamoDB's words, or a body to decode
// instead of the one sent (nil: the one sent), and the body as parsed for the
// codec to assign (parsed once: a 16 MB body is memory enough). parsed is the
// body already parsed when isParsed.
func checkJSON(op *api.Operation, account string, body []byte, parsed any, isParsed bool) ([]byte, any, error) {
	v := parsed
	if !isParsed {
		// Parsed for the operation's input: members it does not have are not kept.
		pv, err := jsonbody.ParseFor(body, reflect.TypeOf(op.NewInput()))
		if err != nil {
			var msg string
			if e, ok := err.(*api.Err); ok {
				msg = e.Message
			}
			return nil, nil, serializationError(msg)
		}
		v = pv
	}
	replace, err := checkBody(op, account, body, v)
	if err != nil || replace != nil {
		return replace, nil, err
	}
	return nil, v, nil
}

// checkBody is checkJSON of the body parsed as v.
func checkBody(op *api.Operation, account string, body []byte, v any) ([]byte, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, serializationError("Unexpected value type in payload")
	}
	c := &checker{}
	msg := c.checkStruct(reflect.TypeOf(op.NewInput()), obj)
	var replace []byte
	if msg == "" && c.rewrite {
		if nb, err := json.Marshal(obj); err == nil {
			replace, body = nb, nb
		}
	}
	if strings.HasPrefix(msg, validationMark) {
		return nil, validationError(strings.TrimPrefix(msg, validationMark))
	}
	if msg != "" {
		return nil, serializationError(msg)
	}
	if op.Name == "TagResource" || op.Name == "UntagResource" || op.Name == "ListTagsOfResource" {
		if code, m := checkTagArn(op.Name, obj, account); m != "" {
			if code == "AccessDeniedException" {
				return nil, frontEndError{&api.Err{Code: code, Status: http.StatusBadRequest, Message: m}}
			}
			return nil, &api.Err{Code: code, Status: http.StatusBadRequest, Message: m}
		}
	}
	if !quickNeedsValidation(reflect.TypeOf(op.NewInput()), obj) {
		// Nothing at the top level breaks a rule: leave the rest to the codec
		// rather than decode the body twice on every request.
		return replace, nil
	}
	in := op.NewInput()
	if replace != nil {
		if jsonbody.Unmarshal(body, in) != nil {
			return replace, nil
		}
	} else if jsonbody.Assign(obj, reflect.ValueOf(in).Elem(), nil) != nil {
		return nil, nil
	}
	if vmsg := validateInput(op.Name, in, obj); vmsg != "" {
		return nil, validationError(vmsg)
	}
	return replace, nil
}

// checker walks a request body; rewrite is set when it changed a value the
// codec could not read as DynamoDB does (NULL given as a string).
type checker struct{ rewrite bool }

// validationMark prefixes a checkStruct answer that is a ValidationException,
// not a SerializationException.
const validationMark = "\x00validation:"

func (c *checker) checkStruct(t reflect.Type, obj map[string]any) string {
	plan := shape.Of(t)
	for _, f := range plan.Fields {
		v, ok := obj[f.LocationName]
		if !ok || v == nil {
			continue
		}
		if t.Name() == "AttributeValue" && f.Name == "NULL" {
			// DynamoDB reads a non-numeric string here as a boolean ("no" is a
			// NULL of false, which validation then refuses): the body is
			// rewritten so that the codec and the service see that boolean.
			if s, isStr := v.(string); isStr {
				if _, err := strconv.ParseFloat(s, 64); err != nil {
					obj[f.LocationName] = s == "true"
					c.rewrite = true
					continue
				}
			}
		}
		if m := c.checkValueType(f.Type, f.GoType, v, false); m != "" {
			return m
		}
	}
	return ""
}

// checkValueType checks one JSON value against a member's model type. elem tells
// whether the value is a list element or map value rather than a member field,
// which changes the Java deserializer's words.
func (c *checker) checkValueType(typ string, gt reflect.Type, v any, elem bool) string {
	if v == nil {
		return ""
	}
	switch typ {
	case "string", "character":
		return scalarMsg(v, "String", "class java.lang.String")
	case "integer":
		return scalarMsg(v, "Integer", "class java.lang.Integer")
	case "long":
		return scalarMsg(v, "Long", "class java.lang.Long")
	case "boolean":
		switch v.(type) {
		case bool:
			return ""
		case string:
			return "Unexpected token received from parser"
		}
		return scalarMsg(v, "Boolean", "class java.lang.Boolean")
	case "double", "float":
		if _, ok := v.(json.Number); ok {
			return ""
		}
		return scalarMsg(v, "Double", "class java.lang.Double")
	case "blob":
		switch x := v.(type) {
		case string:
			if len(x)%4 != 0 {
				return "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(x))
			}
			if _, err := base64.StdEncoding.Strict().DecodeString(x); err != nil {
				return "Invalid last non-pad Base64 character dectected"
			}
			return ""
		case []any:
			return "Unrecognized collection type class java.nio.ByteBuffer"
		case map[string]any:
			return "Start of structure or map found where not expected"
		}
		return "only base-64-encoded strings are convertible to bytes"
	case "list":
		l, ok := v.([]any)
		if !ok {
			if _, isMap := v.(map[string]any); isMap {
				return "Start of structure or map found where not expected"
			}
			if elem {
				return castMsg
			}
			return "Unexpected field type"
		}
		et := gt.Elem()
		for _, e := range l {
			if m := c.checkValueType(modelType(et), et, e, true); m != "" {
				return m
			}
		}
		return ""
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			if _, isList := v.([]any); isList {
				return "Unrecognized collection type java.util.Map<java.lang.String, " + javaType(gt.Elem()) + ">"
			}
			if elem {
				return castMsg
			}
			return "Unexpected field type"
		}
		vt := gt.Elem()
		for _, k := range sortedKeys(m) {
			if msg := c.checkValueType(modelType(vt), vt, m[k], true); msg != "" {
				return msg
			}
		}
		return ""
	case "structure":
		st := gt
		for st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		o, ok := v.(map[string]any)
		if !ok {
			if _, isList := v.([]any); isList {
				return "Unrecognized collection type class " + javaPkg + st.Name()
			}
			if elem {
				return "Unexpected value type in payload"
			}
			return "Unexpected field type"
		}
		return c.checkStruct(st, o)
	}
	return ""
}

// scalarMsg words a non-scalar or wrongly typed scalar given for a scalar member.
func scalarMsg(v any, javaName, collection string) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "TRUE_VALUE cannot be converted to " + javaName
		}
		return "FALSE_VALUE cannot be converted to " + javaName
	case json.Number:
		if javaName == "Integer" || javaName == "Long" {
			return ""
		}
		if strings.ContainsAny(string(x), ".eE") {
			return "DECIMAL_VALUE cannot be converted to " + javaName
		}
		return "NUMBER_VALUE cannot be converted to " + javaName
	case string:
		if javaName == "String" {
			return ""
		}
		return "STRING_VALUE cannot be converted to " + javaName
	case []any:
		return "Unrecognized collection type " + collection
	case map[string]any:
		return "Start of structure or map found where not expected"
	}
	return ""
}

// modelType is the model type of a list element or map value from its Go type.
func modelType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "structure"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "blob"
		}
		return "list"
	case reflect.Map:
		return "map"
	case reflect.String:
		return "string"
	case reflect.Int64:
		return "long"
	case reflect.Bool:
		return "boolean"
	case reflect.Float64:
		return "double"
	}
	return ""
}

// javaType names a Go element type as the Java deserializer would.
func javaType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return javaPkg + t.Elem().Name()
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "java.nio.ByteBuffer"
		}
		return "java.util.List<" + javaType(t.Elem()) + ">"
	case reflect.Map:
		return "java.util.Map<java.lang.String, " + javaType(t.Elem()) + ">"
	case reflect.String:
		return "java.lang.String"
	case reflect.Int64:
		return "java.lang.Long"
	case reflect.Bool:
		return "java.lang.Boolean"
	}
	return "java.lang.Object"
}

// ---- validation in DynamoDB's terms ----

// tableNameOps check TableName up front, with words of their own.
var tableNameOps = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{"CreateTable": true, "DeleteTable": true, "DescribeTable": true, "DescribeTimeToLive": true, "UpdateTable": true}
}}

const namePattern = "[a-zA-Z0-9_.-]+"

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// validateInput runs the model's constraints as DynamoDB states them (table and
// index names of 3 to 255 characters of [a-zA-Z0-9_.-], key schemas and
// attribute definitions required by CreateTable, map-key rules of the batch
// operations) and words the result as DynamoDB's validator does. "" when valid.
func validateInput(op string, in any, obj map[string]any) string {
	if tableNameOps.Get()[op] {
		tn, present := obj["TableName"].(string)
		if !present {
			return "The parameter 'TableName' is required but was not present in the request"
		}
		if len(tn) < 3 || len(tn) > 255 {
			return "TableName must be at least 3 characters long and at most 255 characters long"
		}
	}
	var out []protocol.Violation
	for _, v := range protocol.Violations(in, ddb.Service) {
		last := v.Path
		if i := strings.LastIndexByte(last, '.'); i >= 0 {
			last = last[i+1:]
		}
		if (last == "tableName" || last == "exclusiveStartTableName") && strings.HasPrefix(v.Constraint, "Member must have length") {
			continue // replaced by DynamoDB's own name rules below
		}
		out = append(out, v)
	}
	// Names anywhere in the input.
	var walkNames func(rv reflect.Value, path string)
	walkNames = func(rv reflect.Value, path string) {
		for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
			if rv.IsNil() {
				return
			}
			rv = rv.Elem()
		}
		switch rv.Kind() {
		case reflect.Struct:
			plan := shape.Of(rv.Type())
			for _, f := range plan.Fields {
				fv := rv.Field(f.Index)
				p := lowerFirst(f.Name)
				if path != "" {
					p = path + "." + p
				}
				if (f.Name == "TableName" || f.Name == "IndexName" || f.Name == "ExclusiveStartTableName") && fv.Kind() == reflect.Pointer && !fv.IsNil() {
					name := fv.Elem().String()
					if f.Name == "TableName" && strings.HasPrefix(name, "arn:") {
						continue
					}
					q := "'" + name + "'"
					if !validName(name) {
						out = append(out, protocol.Violation{Path: p, Value: q, Constraint: "Member must satisfy regular expression pattern: " + namePattern})
					}
					if len(name) < 3 && f.Name != "IndexName" {
						out = append(out, protocol.Violation{Path: p, Value: q, Constraint: "Member must have length greater than or equal to 3"})
					}
					if len(name) > 255 && f.Name != "IndexName" {
						out = append(out, protocol.Violation{Path: p, Value: q, Constraint: "Member must have length less than or equal to 255"})
					}
					continue
				}
				walkNames(fv, p)
			}
		case reflect.Slice:
			if rv.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			for i := 0; i < rv.Len(); i++ {
				walkNames(rv.Index(i), path+"."+strconv.Itoa(i+1)+".member")
			}
		}
	}
	walkNames(reflect.ValueOf(in), "")
	switch op {
	case "UpdateTable":
		if ut, ok := in.(*ddb.UpdateTableInput); ok {
			for i, u := range ut.GlobalSecondaryIndexUpdates {
				if u != nil && u.Update != nil && u.Update.ProvisionedThroughput == nil && u.Update.OnDemandThroughput == nil {
					out = append(out, protocol.Violation{Path: "globalSecondaryIndexUpdates." + strconv.Itoa(i+1) + ".member.update.provisionedThroughput", Value: "null", Constraint: "Member must not be null"})
				}
			}
		}
	case "CreateTable":
		if ct, ok := in.(*ddb.CreateTableInput); ok && len(ct.KeySchema) > 2 {
			out = append(out, protocol.Violation{Path: "keySchema", Value: "'" + describeKeySchema(ct.KeySchema) + "'", Constraint: "Member must have length less than or equal to 2"})
		}
		if _, ok := obj["AttributeDefinitions"]; !ok {
			out = append(out, protocol.Violation{Path: "attributeDefinitions", Value: "null", Constraint: "Member must not be null"})
		}
		if _, ok := obj["KeySchema"]; !ok {
			out = append(out, protocol.Violation{Path: "keySchema", Value: "null", Constraint: "Member must not be null"})
		}
	case "BatchGetItem", "BatchWriteItem":
		items, _ := obj["RequestItems"].(map[string]any)
		badKey, tooMany := false, false
		for _, k := range sortedKeys(items) {
			if !validName(k) || len(k) < 3 || len(k) > 255 {
				badKey = true
			}
			if l, ok := items[k].([]any); ok && op == "BatchWriteItem" && (len(l) > 25 || len(l) == 0) {
				tooMany = true
			}
		}
		if badKey {
			out = append(out, protocol.Violation{Path: "requestItems", Value: "'" + javaMap(items) + "'",
				Constraint: "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: " + namePattern + "]"})
		}
		if tooMany {
			out = append(out, protocol.Violation{Path: "requestItems", Value: "'" + javaMap(items) + "'",
				Constraint: "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"})
		}
		// Map keys are checked above; the generic per-key name checks do not apply.
		kept := out[:0]
		for _, v := range out {
			if !(strings.HasPrefix(v.Path, "requestItems.member.key")) {
				kept = append(kept, v)
			}
		}
		out = kept
	}
	if len(out) == 0 {
		return ""
	}
	if len(out) > 10 {
		out = out[:10]
	}
	msg := protocol.ValidationError(out).Message
	return enumOrder.Get().Replace(msg)
}

// enumOrder rewrites enum lists into the order DynamoDB's messages use, which
// is not the model's.
var enumOrder = lazy.Value[*strings.Replacer]{New: func() *strings.Replacer {
	return strings.NewReplacer(
		"enum value set: [S, N, B]", "enum value set: [B, N, S]",
		"enum value set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]", "enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
		"enum value set: [ALL, KEYS_ONLY, INCLUDE]", "enum value set: [ALL, INCLUDE, KEYS_ONLY]",
		"enum value set: [EQ, NE, IN, LE, LT, GE, GT, BETWEEN, NOT_NULL, NULL, CONTAINS, NOT_CONTAINS, BEGINS_WITH]", "enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
		"enum value set: [AND, OR]", "enum value set: [OR, AND]",
		"enum value set: [ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]", "enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
	)
}}

// quickNeedsValidation looks for a broken rule among the input's top-level
// members (a missing required member, an enum value out of its set, a number
// below its minimum, a table or index name DynamoDB refuses) without decoding
// the body into its struct. Nested members are checked only when it says yes,
// or by the codec.
func quickNeedsValidation(t reflect.Type, obj map[string]any) bool {
	plan := shape.Of(t)
	for _, f := range plan.Fields {
		v, ok := obj[f.LocationName]
		if !ok || v == nil {
			if f.Required {
				return true
			}
			continue
		}
		switch x := v.(type) {
		case string:
			if f.Enum != "" {
				found := false
				for _, e := range ddb.Service.Enums(f.Enum) {
					if e == x {
						found = true
						break
					}
				}
				if !found {
					return true
				}
			}
			switch f.Name {
			case "TableName", "ExclusiveStartTableName":
				if !strings.HasPrefix(x, "arn:") && (!validName(x) || len(x) < 3 || len(x) > 255) {
					return true
				}
			case "IndexName":
				if !validName(x) || len(x) < 3 || len(x) > 255 {
					return true
				}
			}
		case json.Number:
			if f.Min != nil {
				if n, err := x.Float64(); err == nil && n < *f.Min {
					return true
				}
			}
			if f.Max != nil {
				if n, err := x.Float64(); err == nil && n > *f.Max {
					return true
				}
			}
		case []any:
			if f.Min != nil && float64(len(x)) < *f.Min || f.Max != nil && float64(len(x)) > *f.Max {
				return true
			}
		case map[string]any:
			if f.Min != nil && float64(len(x)) < *f.Min || f.Max != nil && float64(len(x)) > *f.Max {
				return true
			}
			if f.Type == "structure" || f.Type == "map" || f.Type == "list" {
				// Structures nested at the top (ProvisionedThroughput, ...) are
				// rare on the hot path: check them fully.
				if f.Type == "structure" {
					return true
				}
			}
		}
		if f.Type == "list" || f.Type == "map" {
			// Collections of structures hold nested rules (KeySchema, RequestItems,
			// TransactItems...): validate fully unless they hold attribute values.
			et := f.GoType.Elem()
			if et.Kind() == reflect.Pointer && et.Elem().Name() != "AttributeValue" {
				return true
			}
			if et.Kind() == reflect.Slice || et.Kind() == reflect.Map {
				return true
			}
		}
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// javaMap prints a map's keys the way Java's Map.toString would, values elided.
func javaMap(m map[string]any) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"=...")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var (
	arnShape   = lazy.Regexp{Expr: `^.+:.+:.+:.+:.+:.+/.+$`}
	tableArnRe = lazy.Regexp{Expr: `^arn:aws:dynamodb:.+:\d+:table/[^/]{2}[^/]+$`}
)

// checkTagArn applies the tagging operations' first checks of ResourceArn: a
// value not even shaped like an ARN is refused as unauthorized, as AWS does.
func checkTagArn(op string, obj map[string]any, account string) (code, msg string) {
	arn, present := obj["ResourceArn"].(string)
	if !present {
		return "ValidationException", "Invalid TableArn"
	}
	if !arnShape.Get().MatchString(arn) {
		res := arn
		if res == "" {
			res = "*"
		}
		return "AccessDeniedException", "User: arn:aws:iam::" + account + ":root is not authorized to perform: dynamodb:" + op + " on resource: " + res
	}
	if op == "TagResource" && obj["Tags"] == nil {
		return "ValidationException", "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"
	}
	if op == "UntagResource" && obj["TagKeys"] == nil {
		return "ValidationException", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"
	}
	if !tableArnRe.Get().MatchString(arn) {
		return "ValidationException", "Invalid TableArn: Invalid ResourceArn provided as input " + arn
	}
	if op == "TagResource" {
		if l, ok := obj["Tags"].([]any); ok && len(l) == 0 {
			return "ValidationException", "Atleast one Tag needs to be provided as Input."
		}
	}
	if op == "UntagResource" {
		if l, ok := obj["TagKeys"].([]any); ok && len(l) == 0 {
			return "ValidationException", "Atleast one Tag Key needs to be provided as Input."
		}
	}
	return "", ""
}
