package xmlbody

import (
	"reflect"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/rest"
	"github.com/fogbank/fogbank/internal/protocol/shape"
)

// FaultType is the <Type> of an error: Sender for client faults, Receiver for
// server faults.
func FaultType(e api.Error) string {
	if f, ok := e.(api.Faulter); ok {
		if f.Fault() == "server" {
			return "Receiver"
		}
		return "Sender"
	}
	if e.HTTPStatus() >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// ErrorDetails returns an error's message and the extra fields its body carries: an
// *api.Err's Extra, or a generated error shape's set members other than Message.
func ErrorDetails(e api.Error) (string, []api.Field) {
	if ae, ok := e.(*api.Err); ok {
		return ae.Message, ae.Extra
	}
	rv := reflect.ValueOf(e)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return e.ErrorCode(), nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return e.Error(), nil
	}
	var msg string
	var extra []api.Field
	for _, f := range shape.Of(rv.Type()).Fields {
		t, ok := rest.Text(rv.Field(f.Index), rest.TypeOf(f), rest.ISO8601, false)
		if !ok || !scalar(f) {
			continue
		}
		if strings.EqualFold(f.Name, "Message") {
			msg = t
			continue
		}
		extra = append(extra, api.Field{Name: f.LocationName, Value: t})
	}
	return msg, extra
}

func scalar(f *shape.Field) bool {
	switch rest.TypeOf(f) {
	case "structure", "list", "map", "document":
		return false
	}
	return true
}
