package rpcv2cbor

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/cloudwatch"
	"github.com/fogbank/fogbank/internal/protocol"
	"github.com/fogbank/fogbank/internal/protocol/cbor"
)

func request(path string, body []byte) *http.Request {
	r := httptest.NewRequest("POST", path, bytes.NewReader(body))
	r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	r.Header.Set("Content-Type", "application/cbor")
	return r
}

func TestRoute(t *testing.T) {
	tests := []struct {
		method, path, target string
		want                 string
	}{
		{"POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", "", "PutMetricData"},
		{"POST", "/v1/service/GraniteServiceVersion20100801/operation/ListMetrics", "", "ListMetrics"},
		{"POST", "/service/com.amazonaws.cloudwatch.GraniteServiceVersion20100801/operation/ListMetrics", "", "ListMetrics"},
		{"POST", "/service/GraniteServiceVersion20100801/operation/com.amazonaws.cloudwatch.ListMetrics", "", ""},
		{"POST", "/service/Other/operation/ListMetrics", "", ""},
		{"POST", "/service/GraniteServiceVersion20100801/operation/Nope", "", ""},
		{"GET", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "", ""},
		{"POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "GraniteServiceVersion20100801.ListMetrics", ""},
		{"POST", "/", "", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		if tt.target != "" {
			r.Header.Set("X-Amz-Target", tt.target)
		}
		c := &protocol.Call{Service: cloudwatch.Service}
		err := Codec{}.Route(c, r)
		got := ""
		if c.Op != nil {
			got = c.Op.Name
		}
		if got != tt.want {
			t.Errorf("Route(%s %s) = %q, %v, want %q", tt.method, tt.path, got, err, tt.want)
		}
		if tt.want == "" {
			if e, ok := err.(*api.Err); !ok || e.Code != "UnknownOperationException" || e.Status != 404 {
				t.Errorf("Route(%s %s) error = %v, want 404 UnknownOperationException", tt.method, tt.path, err)
			}
		}
	}
}

// TestDecodeSDKRequests decodes what aws-sdk-go-v2's CloudWatch client sent.
func TestDecodeSDKRequests(t *testing.T) {
	f, err := os.Open("testdata/aws-sdk-go-v2-cloudwatch-v1.75.7.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]any{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Fields(line)
		body, _ := hex.DecodeString(parts[2])
		r := request("/service/GraniteServiceVersion20100801/operation/"+parts[0], body)
		if parts[1] == "gzip" {
			r.Header.Set("Content-Encoding", "gzip")
		}
		c := &protocol.Call{Service: cloudwatch.Service}
		if err := (Codec{}).Route(c, r); err != nil {
			t.Fatalf("Route(%s) = %v", parts[0], err)
		}
		in := c.Op.NewInput()
		if err := (Codec{}).DecodeInput(c, r, in); err != nil {
			t.Fatalf("DecodeInput(%s) = %v", parts[0], err)
		}
		got[parts[0]] = in
	}
	ts := time.Unix(1700000000, 500e6).UTC()
	wantPut := &cloudwatch.PutMetricDataInput{Namespace: api.String("App"), MetricData: []*cloudwatch.MetricDatum{{
		MetricName: api.String("Latency"), Value: api.Float64(1.5), Unit: api.String("Milliseconds"), Timestamp: &ts,
		Dimensions: []*cloudwatch.Dimension{{Name: api.String("Host"), Value: api.String("a")}}}}}
	if !reflect.DeepEqual(got["PutMetricData"], wantPut) {
		t.Errorf("PutMetricData = %+v\nwant %+v", got["PutMetricData"], wantPut)
	}
	if !reflect.DeepEqual(got["ListMetrics"], &cloudwatch.ListMetricsInput{}) {
		t.Errorf("ListMetrics = %+v, want empty", got["ListMetrics"])
	}
	gm := got["GetMetricData"].(*cloudwatch.GetMetricDataInput)
	if !gm.StartTime.Equal(time.Unix(1700000000, 0)) || !gm.EndTime.Equal(time.Unix(1700003600, 0)) {
		t.Errorf("GetMetricData times = %v, %v", gm.StartTime, gm.EndTime)
	}
	q := gm.MetricDataQueries[0]
	if api.ToString(q.Id) != "q1" || api.ToInt64(q.MetricStat.Period) != 60 || api.ToString(q.MetricStat.Metric.MetricName) != "Latency" {
		t.Errorf("GetMetricData query = %+v", q)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, hex, code string
	}{
		{"not cbor", "ff", "SerializationException"},
		{"not a map", "83010203", "SerializationException"},
		{"wrong type", "a1694e616d6573706163650c", "SerializationException"},
		{"validation", "a0", "ValidationException"},
		{"short", "bf694e616d65", "SerializationException"},
	}
	for _, tt := range tests {
		body, _ := hex.DecodeString(tt.hex)
		c := &protocol.Call{Service: cloudwatch.Service, Op: cloudwatch.Service.Op("PutMetricData")}
		err := Codec{}.DecodeInput(c, request("/service/GraniteServiceVersion20100801/operation/PutMetricData", body), &cloudwatch.PutMetricDataInput{})
		if e, ok := err.(*api.Err); !ok || e.Code != tt.code {
			t.Errorf("%s: DecodeInput = %v, want %s", tt.name, err, tt.code)
		}
	}
}

func TestEncodeOutput(t *testing.T) {
	ts := time.Unix(1700000000, 250e6).UTC()
	out := &cloudwatch.GetMetricDataOutput{MetricDataResults: []*cloudwatch.MetricDataResult{{
		Id: api.String("q1"), Timestamps: []time.Time{ts, time.Unix(1700000060, 0)}, Values: []float64{1.5, 2},
		StatusCode: api.String("Complete")}}}
	w := httptest.NewRecorder()
	c := &protocol.Call{Service: cloudwatch.Service, RequestID: "rid"}
	if err := (Codec{}).EncodeOutput(c, w, out); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "X-Amzn-Requestid": "rid"} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	got, err := cbor.Decode(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"MetricDataResults": []any{map[string]any{
		"Id": "q1", "Timestamps": []any{cbor.Tag{Number: 1, Content: 1700000000.25}, cbor.Tag{Number: 1, Content: uint64(1700000060)}},
		"Values": []any{1.5, 2.0}, "StatusCode": "Complete"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %#v\nwant %#v", got, want)
	}

	w = httptest.NewRecorder()
	Codec{}.EncodeOutput(c, w, &cloudwatch.PutMetricDataOutput{})
	if got := hex.EncodeToString(w.Body.Bytes()); got != "a0" {
		t.Errorf("empty output = %s, want a0", got)
	}
}

func TestEncodeError(t *testing.T) {
	tests := []struct {
		err    error
		status int
		want   map[string]any
		query  string
	}{
		{&cloudwatch.ResourceNotFound{Message: api.String("no such alarm")}, 404,
			map[string]any{"__type": "com.amazonaws.cloudwatch#ResourceNotFound", "message": "no such alarm"}, "ResourceNotFound;Sender"},
		{&api.Err{Code: "ValidationException", Status: 400, Message: "bad"}, 400,
			map[string]any{"__type": "com.amazonaws.cloudwatch#ValidationException", "message": "bad"}, "ValidationException;Sender"},
		{os.ErrClosed, 500,
			map[string]any{"__type": "com.amazonaws.cloudwatch#InternalError", "message": "We encountered an internal error. Please try again."}, "InternalError;Receiver"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		Codec{}.EncodeError(&protocol.Call{Service: cloudwatch.Service}, w, tt.err)
		if w.Code != tt.status {
			t.Errorf("%v: status = %d, want %d", tt.err, w.Code, tt.status)
		}
		got, err := cbor.Decode(w.Body.Bytes())
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: body = %#v, %v, want %#v", tt.err, got, err, tt.want)
		}
		if got := w.Header().Get("x-amzn-query-error"); got != tt.query {
			t.Errorf("%v: x-amzn-query-error = %q, want %q", tt.err, got, tt.query)
		}
		if got := w.Header().Get("Smithy-Protocol"); got != "rpc-v2-cbor" {
			t.Errorf("Smithy-Protocol = %q", got)
		}
	}
}

func FuzzDecodeRPCv2CBOR(f *testing.F) {
	for _, h := range []string{
		"bf67456e6454696d65c1fb41d954ffc4000000714d657472696344617461517565726965739fbf6249646271316a4d657472696353746174bf664d6574726963bf6a4d65747269634e616d65674c6174656e6379694e616d65737061636563417070ff66506572696f64183c64537461746353756dffffff69537461727454696d65c1fb41d954fc40000000ff",
		"bfff", "a0", "a1694e616d6573706163650c",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &protocol.Call{Service: cloudwatch.Service}
		r := request("/service/GraniteServiceVersion20100801/operation/GetMetricData", body)
		if err := (Codec{}).Route(c, r); err != nil {
			t.Fatal(err)
		}
		_ = Codec{}.DecodeInput(c, r, c.Op.NewInput())
	})
}
