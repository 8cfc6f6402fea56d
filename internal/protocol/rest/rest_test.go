package rest

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
)

type bucketIn struct {
	_      struct{} `type:"structure"`
	Bucket *string  `location:"uri" locationName:"Bucket" type:"string" required:"true"`
}

type objectIn struct {
	_        struct{}          `type:"structure" payload:"Body"`
	Bucket   *string           `location:"uri" locationName:"Bucket" type:"string" required:"true"`
	Key      *string           `location:"uri" locationName:"Key" type:"string" required:"true"`
	Body     io.Reader         `type:"blob" streaming:"true"`
	Metadata map[string]string `location:"headers" locationName:"x-amz-meta-" type:"map"`
	Expires  *time.Time        `location:"header" locationName:"Expires" type:"timestamp"`
	Length   *int64            `location:"header" locationName:"Content-Length" type:"long"`
	Tags     []string          `location:"querystring" locationName:"tag" type:"list"`
	Flag     *bool             `location:"querystring" locationName:"flag" type:"boolean"`
	When     *time.Time        `location:"querystring" locationName:"when" type:"timestamp"`
}

type uploadPartIn struct {
	_          struct{} `type:"structure"`
	Bucket     *string  `location:"uri" locationName:"Bucket" type:"string" required:"true"`
	Key        *string  `location:"uri" locationName:"Key" type:"string" required:"true"`
	PartNumber *int64   `location:"querystring" locationName:"partNumber" type:"integer" required:"true"`
	UploadID   *string  `location:"querystring" locationName:"uploadId" type:"string" required:"true"`
}

type copyIn struct {
	_          struct{} `type:"structure"`
	Bucket     *string  `location:"uri" locationName:"Bucket" type:"string" required:"true"`
	Key        *string  `location:"uri" locationName:"Key" type:"string" required:"true"`
	CopySource *string  `location:"header" locationName:"x-amz-copy-source" type:"string" required:"true"`
}

type empty struct {
	_ struct{} `type:"structure"`
}

func op(name, method, uri string, in func() any) *api.Operation {
	return &api.Operation{Name: name, HTTPMethod: method, RequestURI: uri, NewInput: in}
}

var fakeS3 = func() *api.Service {
	b := func() any { return &bucketIn{} }
	o := func() any { return &objectIn{} }
	ops := []*api.Operation{
		op("ListBuckets", "GET", "/", func() any { return &empty{} }),
		op("ListObjects", "GET", "/{Bucket}", b),
		op("ListObjectsV2", "GET", "/{Bucket}?list-type=2", b),
		op("GetBucketLocation", "GET", "/{Bucket}?location", b),
		op("ListMultipartUploads", "GET", "/{Bucket}?uploads", b),
		op("GetBucketLifecycle", "GET", "/{Bucket}?lifecycle", b),
		op("GetBucketLifecycleConfiguration", "GET", "/{Bucket}?lifecycle", b),
		op("CreateBucket", "PUT", "/{Bucket}", b),
		op("GetObject", "GET", "/{Bucket}/{Key+}", o),
		op("PutObject", "PUT", "/{Bucket}/{Key+}", o),
		op("UploadPart", "PUT", "/{Bucket}/{Key+}", func() any { return &uploadPartIn{} }),
		op("CopyObject", "PUT", "/{Bucket}/{Key+}", func() any { return &copyIn{} }),
		op("CreateMultipartUpload", "POST", "/{Bucket}/{Key+}?uploads", o),
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	return &api.Service{Name: "s3", Operations: ops}
}()

func TestMatch(t *testing.T) {
	tests := []struct {
		method, target string
		header         map[string]string
		wantOp         string
		wantLabels     map[string]string
	}{
		{"GET", "/", nil, "ListBuckets", map[string]string{}},
		{"GET", "/b", nil, "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b/", nil, "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list-type=2&prefix=x", nil, "ListObjectsV2", map[string]string{"Bucket": "b"}},
		{"GET", "/b?list-type=1", nil, "ListObjects", map[string]string{"Bucket": "b"}},
		{"GET", "/b?location", nil, "GetBucketLocation", map[string]string{"Bucket": "b"}},
		{"GET", "/b?location=", nil, "GetBucketLocation", map[string]string{"Bucket": "b"}},
		{"GET", "/b?uploads", nil, "ListMultipartUploads", map[string]string{"Bucket": "b"}},
		{"GET", "/b?lifecycle", nil, "GetBucketLifecycleConfiguration", map[string]string{"Bucket": "b"}},
		{"PUT", "/b", nil, "CreateBucket", map[string]string{"Bucket": "b"}},
		{"GET", "/b/k", nil, "GetObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"GET", "/b/a//b/./c/../d", nil, "GetObject", map[string]string{"Bucket": "b", "Key": "a//b/./c/../d"}},
		{"GET", "/b/a%2Fb%20c+d%3F", nil, "GetObject", map[string]string{"Bucket": "b", "Key": "a/b c+d?"}},
		{"GET", "/b/dir/", nil, "GetObject", map[string]string{"Bucket": "b", "Key": "dir/"}},
		{"PUT", "/b/k", nil, "PutObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?partNumber=1&uploadId=u", nil, "UploadPart", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k?x-id=UploadPart", nil, "UploadPart", map[string]string{"Bucket": "b", "Key": "k"}},
		{"PUT", "/b/k", map[string]string{"X-Amz-Copy-Source": "/a/b"}, "CopyObject", map[string]string{"Bucket": "b", "Key": "k"}},
		{"POST", "/b/k/l?uploads", nil, "CreateMultipartUpload", map[string]string{"Bucket": "b", "Key": "k/l"}},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		for k, v := range tt.header {
			r.Header.Set(k, v)
		}
		got, labels, err := Match(fakeS3, r)
		if err != nil {
			t.Errorf("Match(%s %s) error = %v", tt.method, tt.target, err)
			continue
		}
		if got.Name != tt.wantOp {
			t.Errorf("Match(%s %s) = %s, want %s", tt.method, tt.target, got.Name, tt.wantOp)
		}
		if !reflect.DeepEqual(labels, tt.wantLabels) {
			t.Errorf("Match(%s %s) labels = %v, want %v", tt.method, tt.target, labels, tt.wantLabels)
		}
	}
}

func TestMatchErrors(t *testing.T) {
	for _, tt := range []struct{ method, target, wantCode string }{
		{"DELETE", "/b/k", "MethodNotAllowed"},
		{"POST", "/b/k", "MethodNotAllowed"},
	} {
		_, _, err := Match(fakeS3, httptest.NewRequest(tt.method, tt.target, nil))
		e, ok := err.(*api.Err)
		if !ok || e.Code != tt.wantCode {
			t.Errorf("Match(%s %s) error = %v, want %s", tt.method, tt.target, err, tt.wantCode)
		}
	}
}

func TestDecodeNonBody(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/k?tag=a&tag=b&flag=true&when=2015-01-25T08%3A00%3A00Z", strings.NewReader("hello"))
	r.Header.Set("X-Amz-Meta-Color", "red")
	r.Header.Set("x-amz-meta-Shape", "round")
	r.Header.Set("Expires", "Sun, 25 Jan 2015 08:00:00 GMT")
	r.Header.Set("Content-Length", "5")
	var in objectIn
	if err := DecodeNonBody(map[string]string{"Bucket": "b", "Key": "k"}, r, &in); err != nil {
		t.Fatal(err)
	}
	if ok, err := DecodeRawPayload(r, &in); !ok || err != nil {
		t.Fatalf("DecodeRawPayload = %v, %v", ok, err)
	}
	when := time.Date(2015, 1, 25, 8, 0, 0, 0, time.UTC)
	if got, want := api.ToString(in.Bucket)+"/"+api.ToString(in.Key), "b/k"; got != want {
		t.Errorf("labels = %q, want %q", got, want)
	}
	if want := map[string]string{"color": "red", "shape": "round"}; !reflect.DeepEqual(in.Metadata, want) {
		t.Errorf("Metadata = %v, want %v", in.Metadata, want)
	}
	if in.Expires == nil || !in.Expires.Equal(when) {
		t.Errorf("Expires = %v, want %v", in.Expires, when)
	}
	if in.When == nil || !in.When.Equal(when) {
		t.Errorf("When = %v, want %v", in.When, when)
	}
	if got, want := api.ToInt64(in.Length), int64(5); got != want {
		t.Errorf("Length = %d, want %d", got, want)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(in.Tags, want) {
		t.Errorf("Tags = %v, want %v", in.Tags, want)
	}
	if !api.ToBool(in.Flag) {
		t.Errorf("Flag = %v, want true", in.Flag)
	}
	body, _ := io.ReadAll(in.Body)
	if got, want := string(body), "hello"; got != want {
		t.Errorf("Body = %q, want %q", got, want)
	}
}

func TestDecodeNonBodyBadValue(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/k?flag=maybe", nil)
	var in objectIn
	err := DecodeNonBody(nil, r, &in)
	be, ok := err.(*BindError)
	if !ok || be.Wire != "flag" {
		t.Errorf("DecodeNonBody error = %v, want BindError on flag", err)
	}
}

type getOut struct {
	_        struct{}          `type:"structure" payload:"Body"`
	Body     io.ReadCloser     `type:"blob" streaming:"true"`
	Length   *int64            `location:"header" locationName:"Content-Length" type:"long"`
	Modified *time.Time        `location:"header" locationName:"Last-Modified" type:"timestamp"`
	ETag     *string           `location:"header" locationName:"ETag" type:"string"`
	Missing  *string           `location:"header" locationName:"x-amz-missing" type:"string"`
	Metadata map[string]string `location:"headers" locationName:"x-amz-meta-" type:"map"`
	Status   *int64            `location:"statusCode" type:"integer"`
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestEncodeNonBodyAndPayload(t *testing.T) {
	body := &closeRecorder{Reader: strings.NewReader("data")}
	out := &getOut{Body: body, Length: api.Int64(4), ETag: api.String(`"abc"`),
		Modified: func() *time.Time { t := time.Date(2015, 1, 25, 8, 0, 0, 0, time.UTC); return &t }(),
		Metadata: map[string]string{"color": "red"}, Status: api.Int64(206)}
	w := httptest.NewRecorder()
	status := EncodeNonBody(w.Header(), &api.Operation{Name: "GetObject"}, out)
	if status != 206 {
		t.Errorf("status = %d, want 206", status)
	}
	if ok, err := WriteRawPayload(w, status, out); !ok || err != nil {
		t.Fatalf("WriteRawPayload = %v, %v", ok, err)
	}
	for k, want := range map[string]string{"Content-Length": "4", "Last-Modified": "Sun, 25 Jan 2015 08:00:00 GMT",
		"Etag": `"abc"`} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if got, want := w.Header()["x-amz-meta-color"], []string{"red"}; !reflect.DeepEqual(got, want) {
		t.Errorf("header x-amz-meta-color = %q, want %q (lower-case key)", got, want)
	}
	if _, ok := w.Header()["X-Amz-Missing"]; ok {
		t.Errorf("nil header member was written")
	}
	if got, want := w.Body.String(), "data"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if !body.closed {
		t.Errorf("stream not closed")
	}
	if got := EncodeNonBody(http.Header{}, &api.Operation{ResponseCode: 204}, (*getOut)(nil)); got != 204 {
		t.Errorf("status for nil output = %d, want 204", got)
	}
}

func TestTimes(t *testing.T) {
	tm := time.Date(2006, 2, 3, 16, 45, 9, 0, time.UTC)
	for _, tt := range []struct {
		format string
		millis bool
		want   string
	}{
		{ISO8601, true, "2006-02-03T16:45:09.000Z"},
		{ISO8601, false, "2006-02-03T16:45:09Z"},
		{RFC822, false, "Fri, 03 Feb 2006 16:45:09 GMT"},
		{Unix, false, "1138985109"},
	} {
		got := FormatTime(tm, tt.format, tt.millis)
		if got != tt.want {
			t.Errorf("FormatTime(%s, %v) = %q, want %q", tt.format, tt.millis, got, tt.want)
		}
		back, err := ParseTime(got, tt.format)
		if err != nil || !back.Equal(tm) {
			t.Errorf("ParseTime(%q) = %v, %v, want %v", got, back, err, tm)
		}
	}
}

// A GetObject answer for a range is 206 Partial Content: the model has no status
// member for it, the Content-Range header says it.
func TestEncodeNonBodyPartialContent(t *testing.T) {
	type rangeOut struct {
		_            struct{} `type:"structure"`
		ContentRange *string  `name:"ContentRange" location:"header" locationName:"Content-Range" type:"string"`
	}
	if got := EncodeNonBody(http.Header{}, &api.Operation{Name: "GetObject"}, &rangeOut{ContentRange: api.String("bytes 0-4/10")}); got != http.StatusPartialContent {
		t.Errorf("status with Content-Range = %d, want 206", got)
	}
	if got := EncodeNonBody(http.Header{}, &api.Operation{Name: "GetObject"}, &rangeOut{}); got != http.StatusOK {
		t.Errorf("status without Content-Range = %d, want 200", got)
	}
}

// GET / is ListBuckets: ListDirectoryBuckets shares the template but is served on
// the S3 Express endpoint, and only an x-id naming it selects it here.
func TestMatchListBuckets(t *testing.T) {
	svc := &api.Service{Name: "s3", Operations: []*api.Operation{
		op("ListBuckets", "GET", "/", func() any { return &empty{} }),
		op("ListDirectoryBuckets", "GET", "/", func() any { return &empty{} }),
	}}
	r := httptest.NewRequest("GET", "/?max-buckets=1", nil)
	got, _, err := Match(svc, r)
	if err != nil || got.Name != "ListBuckets" {
		t.Errorf("GET / matched %v, %v; want ListBuckets", got, err)
	}
	r = httptest.NewRequest("GET", "/?x-id=ListDirectoryBuckets", nil)
	if got, _, err := Match(svc, r); err != nil || got.Name != "ListDirectoryBuckets" {
		t.Errorf("GET /?x-id=ListDirectoryBuckets matched %v, %v; want ListDirectoryBuckets", got, err)
	}
}

// httpDate is a hand-written time.Format(http.TimeFormat): the two must agree.
func TestHTTPDate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{{}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(999, 2, 3, 4, 5, 6, 0, time.FixedZone("x", 3600*5+60)),
		time.Date(2015, 1, 25, 8, 0, 0, 0, time.UTC), time.Unix(1<<40, 0)}
	for range 100000 {
		times = append(times, time.Unix(r.Int64N(300000000000)-62135596800, r.Int64N(1e9)).In(time.FixedZone("z", r.IntN(100000)-50000)))
	}
	for _, tm := range times {
		if got, want := httpDate(tm), tm.UTC().Format(http.TimeFormat); got != want {
			t.Fatalf("httpDate(%v) = %q, want %q", tm, got, want)
		}
	}
}
