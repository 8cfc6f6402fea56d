package restxml

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/protocol"
)

// FuzzDecodeRestXML routes and decodes arbitrary S3 requests: whatever the
// method, path, query, header and body, the codec answers with an error or a
// value, never a panic.
func FuzzDecodeRestXML(f *testing.F) {
	f.Add("PUT", "/b?acl", "x-amz-acl", "private", `<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>a</ID></Grantee></Grant></AccessControlList></AccessControlPolicy>`)
	f.Add("POST", "/b?delete", "Content-MD5", "x", `<Delete><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>`)
	f.Add("PUT", "/b/k%2F..//x?partNumber=1&uploadId=u", "x-amz-meta-a", "b", "data")
	f.Add("POST", "/b/k?uploadId=u", "", "", `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`)
	f.Add("PUT", "/b", "x-amz-bucket-object-lock-enabled", "maybe", `<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`)
	f.Add("PUT", "/b?lifecycle", "", "", `<LifecycleConfiguration><Rule><Expiration><Date>nope</Date></Expiration></Rule></LifecycleConfiguration>`)
	f.Fuzz(func(t *testing.T, method, target, hk, hv, body string) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		r, err := http.NewRequest(method, "http://example.com"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		if hk != "" {
			r.Header[http.CanonicalHeaderKey(hk)] = []string{hv}
		}
		c := &protocol.Call{Service: s3.Service, RequestID: "r"}
		w := httptest.NewRecorder()
		if err := (Codec{}).Route(c, r); err != nil {
			(Codec{}).EncodeError(c, w, err)
			return
		}
		in := c.Op.NewInput()
		if err := (Codec{}).DecodeInput(c, r, in); err != nil {
			(Codec{}).EncodeError(c, w, err)
		}
	})
}
