package restxml

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/protocol"
)

func call(t *testing.T, r *http.Request) (*protocol.Call, any) {
	t.Helper()
	c := &protocol.Call{Service: s3.Service, Protocol: protocol.RestXML, RequestID: "REQ1"}
	if err := (Codec{}).Route(c, r); err != nil {
		t.Fatalf("Route(%s %s) = %v", r.Method, r.URL, err)
	}
	return c, c.Op.NewInput()
}

func TestDecodePutBucketAcl(t *testing.T) {
	body := `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>owner-id</ID></Owner>
  <AccessControlList>
    <Grant>
      <Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>grantee-id</ID></Grantee>
      <Permission>FULL_CONTROL</Permission>
    </Grant>
  </AccessControlList>
</AccessControlPolicy>`
	r := httptest.NewRequest("PUT", "/my-bucket?acl", strings.NewReader(body))
	c, in := call(t, r)
	if got, want := c.Op.Name, "PutBucketAcl"; got != want {
		t.Fatalf("op = %s, want %s", got, want)
	}
	if err := (Codec{}).DecodeInput(c, r, in); err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	acl := in.(*s3.PutBucketAclRequest)
	if got, want := api.ToString(acl.Bucket), "my-bucket"; got != want {
		t.Errorf("Bucket = %q, want %q", got, want)
	}
	p := acl.AccessControlPolicy
	if p == nil || p.Owner == nil || len(p.Grants) != 1 {
		t.Fatalf("AccessControlPolicy = %+v", p)
	}
	g := p.Grants[0]
	if got, want := api.ToString(g.Grantee.Type), "CanonicalUser"; got != want {
		t.Errorf("Grantee.Type = %q, want %q", got, want)
	}
	if got, want := api.ToString(g.Grantee.ID), "grantee-id"; got != want {
		t.Errorf("Grantee.ID = %q, want %q", got, want)
	}
	if got, want := api.ToString(g.Permission), "FULL_CONTROL"; got != want {
		t.Errorf("Permission = %q, want %q", got, want)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, body := range []string{"<Delete><Object>", "not xml", "<a></b>", "<Delete/><Delete/>"} {
		r := httptest.NewRequest("POST", "/b?delete", strings.NewReader(body))
		c, in := call(t, r)
		err := (Codec{}).DecodeInput(c, r, in)
		if e, ok := err.(*api.Err); !ok || e.Code != "MalformedXML" || e.Status != 400 {
			t.Errorf("DecodeInput(%q) = %v, want MalformedXML 400", body, err)
		}
	}
}

func TestDecodePutObjectStreams(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/dir//a%2Fb.txt", strings.NewReader("payload"))
	r.Header.Set("x-amz-meta-Owner", "me")
	r.Header.Set("Content-Type", "text/plain")
	c, in := call(t, r)
	if err := (Codec{}).DecodeInput(c, r, in); err != nil {
		t.Fatalf("DecodeInput = %v", err)
	}
	p := in.(*s3.PutObjectRequest)
	if got, want := api.ToString(p.Key), "dir//a/b.txt"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	if got, want := p.Metadata["owner"], "me"; got != want {
		t.Errorf("Metadata[owner] = %q, want %q", got, want)
	}
	if p.Body != r.Body {
		t.Errorf("Body is not the request body stream")
	}
	b, _ := io.ReadAll(p.Body)
	if got, want := string(b), "payload"; got != want {
		t.Errorf("Body = %q, want %q", got, want)
	}
}

func encode(t *testing.T, opName string, out any, method string) *httptest.ResponseRecorder {
	t.Helper()
	c := &protocol.Call{Service: s3.Service, Op: s3.Service.Op(opName), RequestID: "REQ1"}
	w := httptest.NewRecorder()
	if err := (Codec{}).EncodeOutput(c, w, out); err != nil {
		t.Fatalf("EncodeOutput = %v", err)
	}
	return w
}

func TestEncodeListObjectsV2(t *testing.T) {
	lm := time.Date(2006, 2, 3, 16, 45, 9, 0, time.UTC)
	out := &s3.ListObjectsV2Output{
		Name: api.String("b"), IsTruncated: api.Bool(false), KeyCount: api.Int64(1), MaxKeys: api.Int64(1000),
		Contents: []*s3.Object{{Key: api.String("a&b"), LastModified: &lm, ETag: api.String(`"e"`), Size: api.Int64(3), StorageClass: api.String("STANDARD")}},
	}
	w := encode(t, "ListObjectsV2", out, "GET")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>` +
		`<Contents><Key>a&amp;b</Key><LastModified>2006-02-03T16:45:09.000Z</LastModified><ETag>&#34;e&#34;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>` +
		`<Name>b</Name><MaxKeys>1000</MaxKeys><KeyCount>1</KeyCount></ListBucketResult>`
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if got, want := w.Header().Get("x-amz-request-id"), "REQ1"; got != want {
		t.Errorf("x-amz-request-id = %q, want %q", got, want)
	}
	if w.Header().Get("x-amz-id-2") == "" {
		t.Errorf("x-amz-id-2 missing")
	}
	if got, want := w.Code, 200; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
}

func TestEncodeGetBucketAclGrantee(t *testing.T) {
	out := &s3.GetBucketAclOutput{
		Owner:  &s3.Owner{ID: api.String("o")},
		Grants: []*s3.Grant{{Grantee: &s3.Grantee{ID: api.String("o"), Type: api.String("CanonicalUser")}, Permission: api.String("FULL_CONTROL")}},
	}
	w := encode(t, "GetBucketAcl", out, "GET")
	want := `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>`
	if got := w.Body.String(); !strings.Contains(got, want) || !strings.Contains(got, "<AccessControlPolicy xmlns=") {
		t.Errorf("body = %s, want it to contain %s", got, want)
	}
}

func TestEncodeGetBucketLocation(t *testing.T) {
	w := encode(t, "GetBucketLocation", &s3.GetBucketLocationOutput{LocationConstraint: api.String("eu-west-1")}, "GET")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`
	if got := w.Body.String(); got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestEncodeGetObject(t *testing.T) {
	out := &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader("hello")), ContentLength: api.Int64(5),
		Metadata: map[string]string{"owner": "me"}, ContentType: api.String("text/plain")}
	w := encode(t, "GetObject", out, "GET")
	if got, want := w.Body.String(), "hello"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if got := w.Header()["x-amz-meta-owner"]; len(got) != 1 || got[0] != "me" {
		t.Errorf("header x-amz-meta-owner = %q, want [me]", got)
	}
	for k, want := range map[string]string{"Content-Length": "5", "Content-Type": "text/plain"} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
}

func TestEncodeDeleteObjectStatus(t *testing.T) {
	w := encode(t, "DeleteObject", &s3.DeleteObjectOutput{}, "DELETE")
	if got, want := w.Code, 204; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got := w.Body.Len(); got != 0 {
		t.Errorf("body length = %d, want 0", got)
	}
}

func TestEncodeError(t *testing.T) {
	c := &protocol.Call{Service: s3.Service, Op: s3.Service.Op("ListObjects"), RequestID: "REQ1"}
	w := httptest.NewRecorder()
	err := api.Errorf(404, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", "b")
	(Codec{}).EncodeError(c, w, err)
	if got, want := w.Code, 404; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b</BucketName><RequestId>REQ1</RequestId><HostId>` + hostID("REQ1") + `</HostId></Error>`
	if got := w.Body.String(); got != want {
		t.Errorf("body = %s, want %s", got, want)
	}

	// A generated error shape, and a HEAD request: no body.
	c.Op = s3.Service.Op("HeadBucket")
	w = httptest.NewRecorder()
	(Codec{}).EncodeError(c, w, &s3.NoSuchBucket{Message: api.String("gone")})
	if got, want := w.Code, 404; got != want {
		t.Errorf("HEAD status = %d, want %d", got, want)
	}
	if got := w.Body.Len(); got != 0 {
		t.Errorf("HEAD body length = %d, want 0", got)
	}

	// An error that carries response headers has them written.
	c.Op = s3.Service.Op("HeadObject")
	w = httptest.NewRecorder()
	(Codec{}).EncodeError(c, w, &headerErr{Err: api.Errorf(404, "NoSuchKey", "The specified key does not exist."),
		h: http.Header{"X-Amz-Delete-Marker": {"true"}}})
	if got := w.Header().Get("x-amz-delete-marker"); got != "true" {
		t.Errorf("x-amz-delete-marker = %q, want true", got)
	}

	// Anything that is not an api.Error is an InternalError.
	c.Op = s3.Service.Op("ListObjects")
	w = httptest.NewRecorder()
	(Codec{}).EncodeError(c, w, io.ErrUnexpectedEOF)
	if got, want := w.Code, 500; got != want || !strings.Contains(w.Body.String(), "<Code>InternalError</Code>") {
		t.Errorf("status = %d body = %s, want 500 InternalError", got, w.Body.String())
	}
}

func TestInvalidHeaderValue(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/k", strings.NewReader(""))
	r.Header.Set("x-amz-object-lock-retain-until-date", "not a date")
	c, in := call(t, r)
	err := (Codec{}).DecodeInput(c, r, in)
	if e, ok := err.(*api.Err); !ok || e.Code != "InvalidArgument" {
		t.Errorf("DecodeInput = %v, want InvalidArgument", err)
	}
}

type headerErr struct {
	*api.Err
	h http.Header
}

func (e *headerErr) ResponseHeaders() http.Header { return e.h }

// An enumeration broken inside an S3 body is MalformedXML, as S3 answers it.
func TestS3BodyEnumIsMalformedXML(t *testing.T) {
	body := `<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>abc</Status></LegalHold>`
	r := httptest.NewRequest("PUT", "/b/k?legal-hold", strings.NewReader(body))
	c, in := call(t, r)
	err := (Codec{}).DecodeInput(c, r, in)
	if ae, ok := err.(api.Error); !ok || ae.ErrorCode() != "MalformedXML" {
		t.Errorf("DecodeInput = %v, want MalformedXML", err)
	}
}

// PutBucketPolicy answers 204, as S3 does, though its model states no code.
func TestPutBucketPolicyNoContent(t *testing.T) {
	c := &protocol.Call{Service: s3.Service, Op: s3.Service.Op("PutBucketPolicy"), RequestID: "REQ1"}
	w := httptest.NewRecorder()
	if err := (Codec{}).EncodeOutput(c, w, &s3.PutBucketPolicyOutput{}); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusNoContent {
		t.Errorf("status = %d, want 204", w.Code)
	}
}
