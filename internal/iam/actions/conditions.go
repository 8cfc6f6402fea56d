package actions

import (
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/iam/policy"
)

// The request's own condition keys that several services share: the tags it
// sets (aws:RequestTag/<key>, aws:TagKeys), put on the checks whose action
// the reference says takes them.

// requestTags reads the tags an input sets: a Tags map (Lambda, Glue,
// Athena's lists of {Key, Value}...) or list, or S3's Tagging.TagSet; nil
// when it sets none.
func requestTags(in any) map[string]string {
	v := value(in, "Tags")
	if !v.IsValid() {
		if t := value(in, "Tagging"); t.IsValid() && t.Kind() == reflect.Pointer && !t.IsNil() {
			v = value(t.Interface(), "TagSet")
		}
	}
	if !v.IsValid() || v.Len() == 0 {
		return nil
	}
	out := map[string]string{}
	switch v.Kind() {
	case reflect.Map:
		for _, k := range v.MapKeys() {
			out[k.String()] = reflectString(indirect(v.MapIndex(k)))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			e := v.Index(i)
			if !e.CanInterface() {
				continue
			}
			out[field(e.Interface(), "Key")] = field(e.Interface(), "Value")
		}
	}
	return out
}

func indirect(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// takes says whether an action's reference lists a condition key (a prefix
// of one: "aws:RequestTag/").
func takes(action, key string) bool {
	a := Lookup(action)
	if a == nil {
		return false
	}
	for _, k := range a.ConditionKeys {
		if len(k) >= len(key) && strings.EqualFold(k[:len(key)], key) {
			return true
		}
	}
	return false
}

// addTags puts the tags a request sets on its checks.
func addTags(r *Request, checks []Check) {
	tags := requestTags(r.Input)
	if tags == nil {
		return
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i := range checks {
		c := &checks[i]
		if !takes(c.Action, "aws:RequestTag/") && !takes(c.Action, "aws:TagKeys") {
			continue
		}
		if c.Context == nil {
			c.Context = policy.Context{}
		}
		for k, v := range tags {
			c.Context.Set("aws:RequestTag/"+k, v)
		}
		c.Context.Set("aws:TagKeys", keys...)
	}
}

// s3ObjectTags are the tags of S3's x-amz-tagging header (PutObject,
// CreateMultipartUpload, CopyObject): s3:RequestObjectTag/<key> and
// s3:RequestObjectTagKeys.
func s3ObjectTags(c *Check, header string) {
	q, err := url.ParseQuery(header)
	if err != nil || len(q) == 0 {
		return
	}
	if c.Context == nil {
		c.Context = policy.Context{}
	}
	keys := make([]string, 0, len(q))
	for k, v := range q {
		keys = append(keys, k)
		c.Context.Set("s3:RequestObjectTag/"+k, v...)
	}
	sort.Strings(keys)
	c.Context.Set("s3:RequestObjectTagKeys", keys...)
}

// dynamoAttributes are the attribute names a DynamoDB request reads or
// writes (dynamodb:Attributes): the item's, the key's, those it names in
// AttributesToGet, AttributeUpdates, ExpressionAttributeNames and a
// ProjectionExpression's plain names.
func dynamoAttributes(in any) []string {
	seen := map[string]bool{}
	mapKeys := func(name string) {
		if m := value(in, name); m.IsValid() && m.Kind() == reflect.Map {
			for _, k := range m.MapKeys() {
				seen[k.String()] = true
			}
		}
	}
	mapKeys("Item")
	mapKeys("Key")
	mapKeys("AttributeUpdates")
	if m := value(in, "ExpressionAttributeNames"); m.IsValid() && m.Kind() == reflect.Map {
		for _, k := range m.MapKeys() {
			seen[reflectString(indirect(m.MapIndex(k)))] = true
		}
	}
	if l := value(in, "AttributesToGet"); l.IsValid() && l.Kind() == reflect.Slice {
		for i := 0; i < l.Len(); i++ {
			seen[reflectString(indirect(l.Index(i)))] = true
		}
	}
	for _, p := range strings.Split(field(in, "ProjectionExpression"), ",") {
		p = strings.TrimSpace(p)
		if i := strings.IndexAny(p, ".["); i >= 0 {
			p = p[:i]
		}
		if p != "" && !strings.HasPrefix(p, "#") {
			seen[p] = true
		}
	}
	delete(seen, "")
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// leadingKeys are the partition key values a DynamoDB request names
// (dynamodb:LeadingKeys): its Key's or Item's value of the partition key
// attribute, or for Query the value its KeyConditions or
// KeyConditionExpression ("pk = :v", "#p = :v") compares it with.
func leadingKeys(in any, hash string) []string {
	if hash == "" {
		return nil
	}
	attr := func(av reflect.Value) string {
		av = indirect(av)
		if !av.IsValid() {
			return ""
		}
		for _, f := range []string{"S", "N", "B"} {
			if v := value(av.Interface(), f); v.IsValid() {
				if s := reflectString(indirect(v)); s != "" {
					return s
				}
				if b := indirect(v); b.IsValid() && b.Kind() == reflect.Slice && b.Len() > 0 {
					return string(b.Bytes())
				}
			}
		}
		return ""
	}
	for _, m := range []string{"Key", "Item"} {
		if v := value(in, m); v.IsValid() && v.Kind() == reflect.Map {
			if x := attr(v.MapIndex(reflect.ValueOf(hash))); x != "" {
				return []string{x}
			}
		}
	}
	if kc := value(in, "KeyConditions"); kc.IsValid() && kc.Kind() == reflect.Map {
		if c := indirect(kc.MapIndex(reflect.ValueOf(hash))); c.IsValid() {
			if l := value(c.Interface(), "AttributeValueList"); l.IsValid() && l.Len() > 0 {
				if x := attr(l.Index(0)); x != "" {
					return []string{x}
				}
			}
		}
	}
	expr := field(in, "KeyConditionExpression")
	if expr == "" {
		return nil
	}
	names := map[string]bool{hash: true}
	if m := value(in, "ExpressionAttributeNames"); m.IsValid() && m.Kind() == reflect.Map {
		for _, k := range m.MapKeys() {
			if reflectString(indirect(m.MapIndex(k))) == hash {
				names[k.String()] = true
			}
		}
	}
	vals := value(in, "ExpressionAttributeValues")
	for _, part := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(expr, " AND ", " and "), " And ", " and "), " and ") {
		l, r, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		l, r = strings.Trim(strings.TrimSpace(l), "()"), strings.Trim(strings.TrimSpace(r), "()")
		if names[r] {
			l, r = r, l
		}
		if names[l] && strings.HasPrefix(r, ":") && vals.IsValid() && vals.Kind() == reflect.Map {
			if x := attr(vals.MapIndex(reflect.ValueOf(r))); x != "" {
				return []string{x}
			}
		}
	}
	return nil
}
