package jsonbody

import (
	"errors"
	"log"
	"reflect"
	"strconv"

	"github.com/fogbank/fogbank/internal/api"
)

// ErrorInfo is what the JSON-family codecs (json, rest-json, rpc-v2-cbor) need to
// write an error response.
type ErrorInfo struct {
	Code      string // "ResourceNotFoundException"
	Status    int
	Message   string
	QueryCode string // the awsQueryError code, for QueryCompatible services
	Sender    bool   // client fault ("Sender") rather than server ("Receiver")
	// Value is the error's generated structure (a struct value), whose members go
	// into the body; invalid for errors without a shape (*api.Err).
	Value reflect.Value
	Extra []api.Field // *api.Err's extra fields
}

// DescribeError works out what to send for err. An error that is not an api.Error
// becomes a 500 InternalError, and its text goes to the log only.
func DescribeError(err error) ErrorInfo {
	var ae api.Error
	if !errors.As(err, &ae) {
		log.Printf("protocol: internal error: %v", err)
		ae = api.InternalError()
	}
	info := ErrorInfo{Code: ae.ErrorCode(), Status: ae.HTTPStatus(), QueryCode: ae.ErrorCode()}
	if info.Status == 0 {
		info.Status = 400
	}
	if qc, ok := ae.(api.QueryCoder); ok && qc.QueryErrorCode() != "" {
		info.QueryCode = qc.QueryErrorCode()
	}
	info.Sender = info.Status < 500
	if f, ok := ae.(api.Faulter); ok {
		info.Sender = f.Fault() != "server"
	}
	if e, ok := ae.(*api.Err); ok {
		info.Message = e.Message
		info.Extra = e.Extra
		return info
	}
	rv := reflect.ValueOf(ae)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		info.Value = rv
		// Generated errors all have a Message field; Error() prefixes the code.
		if m := rv.FieldByName("Message"); m.IsValid() && m.Kind() == reflect.Pointer && !m.IsNil() && m.Elem().Kind() == reflect.String {
			info.Message = m.Elem().String()
		}
	} else {
		info.Message = ae.Error()
	}
	return info
}

// QueryErrorHeader is the x-amzn-query-error value of awsQueryCompatible services:
// "AWS.SimpleQueueService.NonExistentQueue;Sender".
func (e ErrorInfo) QueryErrorHeader() string {
	fault := "Receiver"
	if e.Sender {
		fault = "Sender"
	}
	return e.QueryCode + ";" + fault
}

// AppendErrorBody writes the JSON error object: {"__type": typ, ...members}, where
// members are the error shape's members, or "message" and the extra fields of an
// *api.Err. msgKey names the message member for errors without a shape ("message"
// for most services, "Message" for some).
func AppendErrorBody(b []byte, typ string, e ErrorInfo, msgKey string, extra ...api.Field) []byte {
	b = append(b, '{')
	n := 0
	sep := func() {
		if n > 0 {
			b = append(b, ',')
		}
		n++
	}
	if typ != "" {
		sep()
		b = append(b, `"__type":`...)
		b = appendString(b, typ)
	}
	for _, f := range extra {
		sep()
		b = appendString(b, f.Name)
		b = append(b, ':')
		b = appendString(b, f.Value)
	}
	if e.Value.IsValid() {
		body := appendStruct(nil, e.Value)
		if len(body) > 2 {
			sep()
			b = append(b, body[1:len(body)-1]...)
		}
	} else {
		if e.Message != "" {
			sep()
			b = appendString(b, msgKey)
			b = append(b, ':')
			b = appendString(b, e.Message)
		}
		for _, f := range e.Extra {
			sep()
			b = appendString(b, f.Name)
			b = append(b, ':')
			b = appendString(b, f.Value)
		}
	}
	return append(b, '}')
}

// StatusText is used in tests and logs.
func (e ErrorInfo) String() string { return e.Code + " " + strconv.Itoa(e.Status) + ": " + e.Message }
