package e2e

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// hostileCase is one hostile body sent to a fresh fogbank, once alone and ten
// times at once, and the answer AWS gives it.
type hostileCase struct {
	name string
	body []byte
	// service signs the request with test/test for that signing name ("" sends
	// it unsigned); akid signs it with a key fogbank does not know.
	service, akid string
	// request makes the request (without its body) once setup has run.
	request func(t *testing.T, f *fogbank, setup string) *http.Request
	// setup prepares fogbank (a bucket, an upload) and returns what request needs.
	setup  func(t *testing.T, f *fogbank) string
	status int
	code   string // the error code, as the protocol writes it
}

// s3Bucket creates the bucket "hostile".
func s3Bucket(t *testing.T, f *fogbank) string {
	t.Helper()
	if _, err := s3Client(f).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hostile")}); err != nil {
		t.Fatal(err)
	}
	return ""
}

func newReq(t *testing.T, method, url string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

func contentMD5(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// hostileBodies are 20 MB S3 XML bodies built to cost the most memory per
// byte once parsed: millions of empty elements, or one element of 20 MB of
// text, which S3 refuses as it refuses any too-long value.
func hostileBodies() []hostileCase {
	const n = 20*mib - 1
	tagging := fill("<Tagging>", "<a/>", "", "</Tagging>", n)
	complete := fill("<CompleteMultipartUpload>", "<a/>", "", "</CompleteMultipartUpload>", n)
	del := fill("<Delete>", "<a/>", "", "</Delete>", n)
	lifecycle := fill("<LifecycleConfiguration>", "<a/>", "", "</LifecycleConfiguration>", n)
	longKey := fill("<Tagging><TagSet><Tag><Key>", "x", "", "</Key><Value>v</Value></Tag></TagSet></Tagging>", n)
	longETag := fill("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>", "x", "", "</ETag></Part></CompleteMultipartUpload>", n)
	longDelKey := fill("<Delete><Object><Key>", "x", "", "</Key></Object></Delete>", n)
	upload := func(t *testing.T, f *fogbank) string {
		s3Bucket(t, f)
		up, err := s3Client(f).CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String("hostile"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		return *up.UploadId
	}
	complete1 := func(t *testing.T, f *fogbank, id string) *http.Request {
		return newReq(t, http.MethodPost, f.URL+"/hostile/k?uploadId="+id)
	}
	s3Put := func(q string) func(t *testing.T, f *fogbank, _ string) *http.Request {
		return func(t *testing.T, f *fogbank, _ string) *http.Request {
			return newReq(t, http.MethodPut, f.URL+"/hostile?"+q)
		}
	}
	return []hostileCase{
		{name: "s3-tagging-unsigned-missing-bucket", body: tagging, request: s3Put("tagging"),
			status: 404, code: "NoSuchBucket"},
		{name: "s3-tagging-unsigned", body: tagging, setup: s3Bucket, request: s3Put("tagging"),
			status: 403, code: "AccessDenied"},
		{name: "s3-tagging", body: tagging, service: "s3", setup: s3Bucket, request: s3Put("tagging"),
			status: 400, code: "MalformedXML"},
		{name: "s3-complete-multipart", body: complete, service: "s3",
			setup: func(t *testing.T, f *fogbank) string {
				s3Bucket(t, f)
				up, err := s3Client(f).CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String("hostile"), Key: aws.String("k")})
				if err != nil {
					t.Fatal(err)
				}
				return *up.UploadId
			},
			request: func(t *testing.T, f *fogbank, id string) *http.Request {
				return newReq(t, http.MethodPost, f.URL+"/hostile/k?uploadId="+id)
			},
			status: 400, code: "MalformedXML"},
		{name: "s3-delete-objects", body: del, service: "s3", setup: s3Bucket,
			request: func(t *testing.T, f *fogbank, _ string) *http.Request {
				return newReq(t, http.MethodPost, f.URL+"/hostile?delete", "Content-MD5", contentMD5(del))
			},
			status: 400, code: "MalformedXML"},
		{name: "s3-lifecycle", body: lifecycle, service: "s3", setup: s3Bucket,
			request: func(t *testing.T, f *fogbank, _ string) *http.Request {
				return newReq(t, http.MethodPut, f.URL+"/hostile?lifecycle", "Content-MD5", contentMD5(lifecycle))
			},
			status: 400, code: "MalformedXML"},
		{name: "s3-tagging-long-key-unsigned", body: longKey, setup: s3Bucket, request: s3Put("tagging"),
			status: 403, code: "AccessDenied"},
		{name: "s3-tagging-long-key", body: longKey, service: "s3", setup: s3Bucket, request: s3Put("tagging"),
			status: 400, code: "InvalidTag"},
		{name: "s3-complete-multipart-long-etag", body: longETag, service: "s3", setup: upload, request: complete1,
			status: 400, code: "InvalidPart"},
		{name: "s3-delete-objects-long-key", body: longDelKey, service: "s3", setup: s3Bucket,
			request: func(t *testing.T, f *fogbank, _ string) *http.Request {
				return newReq(t, http.MethodPost, f.URL+"/hostile?delete", "Content-MD5", contentMD5(longDelKey))
			},
			// A key that cannot exist is deleted, as any missing key is (the
			// answer names it by its first MiB).
			status: 200, code: "<Deleted><Key>xxx"},
	}
}

// One hostile body of each kind takes less than 100 MiB of the real binary's
// memory (peak RSS), ten at once less than 200 MiB, and each is refused with
// AWS's error.
func TestHostileBodiesMemory(t *testing.T) {
	runHostile(t, hostileBodies())
}

// runHostile sends each case to a fresh fogbank, once alone and ten times at
// once, and checks the answers and the peak RSS.
func runHostile(t *testing.T, cases []hostileCase) {
	for _, hc := range cases {
		for _, n := range []int{1, 10} {
			t.Run(hc.name+"/"+strconv.Itoa(n), func(t *testing.T) {
				f := start(t, "")
				setup := ""
				if hc.setup != nil {
					setup = hc.setup(t, f)
				}
				var wg sync.WaitGroup
				results := make([]hostileResult, n)
				for i := range results {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[i] = send(t, hc.request(t, f, setup), hc.body, hc.service, hc.akid)
					}()
				}
				wg.Wait()
				for i, r := range results {
					if r.status != hc.status || !strings.Contains(r.body, hc.code) && errType(r) != hc.code {
						t.Errorf("request %d = %d %.300q, want %d %s", i, r.status, r.body, hc.status, hc.code)
					}
				}
				checkPeakRSS(t, f, n, "bodies")
			})
		}
	}
}
