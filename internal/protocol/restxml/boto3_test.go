package restxml

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/protocol"
)

// fakeS3 answers a handful of S3 operations from memory, to drive the codec with
// a real client. It is no S3: only what the client test below needs.
type fakeS3 struct {
	mu      sync.Mutex // guards objects
	objects map[string][]byte
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &protocol.Call{Service: s3.Service, RequestID: "REQ" + r.Method}
	codec := Codec{}
	if err := codec.Route(c, r); err != nil {
		codec.EncodeError(c, w, err)
		return
	}
	in := c.Op.NewInput()
	if err := codec.DecodeInput(c, r, in); err != nil {
		codec.EncodeError(c, w, err)
		return
	}
	out, err := f.call(c.Op.Name, in)
	if err != nil {
		codec.EncodeError(c, w, err)
		return
	}
	codec.EncodeOutput(c, w, out)
}

func (f *fakeS3) call(op string, in any) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	lm := time.Date(2006, 2, 3, 16, 45, 9, 0, time.UTC)
	switch op {
	case "PutObject":
		p := in.(*s3.PutObjectRequest)
		b, err := io.ReadAll(p.Body)
		if err != nil {
			return nil, err
		}
		f.objects[api.ToString(p.Key)] = b
		return &s3.PutObjectOutput{ETag: api.String(`"etag"`)}, nil
	case "GetObject", "HeadObject":
		var key string
		if g, ok := in.(*s3.GetObjectRequest); ok {
			key = api.ToString(g.Key)
		} else {
			key = api.ToString(in.(*s3.HeadObjectRequest).Key)
		}
		b, ok := f.objects[key]
		if !ok {
			return nil, api.Errorf(404, "NoSuchKey", "The specified key does not exist.").With("Key", key)
		}
		if op == "HeadObject" {
			return &s3.HeadObjectOutput{ContentLength: api.Int64(int64(len(b))), LastModified: &lm, Metadata: map[string]string{"color": "red"}}, nil
		}
		return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b)), ContentLength: api.Int64(int64(len(b))),
			LastModified: &lm, Metadata: map[string]string{"color": "red"}}, nil
	case "ListObjectsV2":
		out := &s3.ListObjectsV2Output{Name: api.String("b"), IsTruncated: api.Bool(false), MaxKeys: api.Int64(1000)}
		var keys []string
		for k := range f.objects {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.Contents = append(out.Contents, &s3.Object{Key: api.String(k), LastModified: &lm,
				Size: api.Int64(int64(len(f.objects[k]))), ETag: api.String(`"etag"`), StorageClass: api.String("STANDARD")})
		}
		out.KeyCount = api.Int64(int64(len(keys)))
		return out, nil
	case "DeleteObjects":
		out := &s3.DeleteObjectsOutput{}
		for _, o := range in.(*s3.DeleteObjectsRequest).Delete.Objects {
			delete(f.objects, api.ToString(o.Key))
			out.Deleted = append(out.Deleted, &s3.DeletedObject{Key: o.Key})
		}
		return out, nil
	case "GetBucketAcl":
		return &s3.GetBucketAclOutput{Owner: &s3.Owner{ID: api.String("owner")},
			Grants: []*s3.Grant{{Grantee: &s3.Grantee{ID: api.String("owner"), Type: api.String("CanonicalUser")}, Permission: api.String("FULL_CONTROL")}}}, nil
	case "GetBucketLocation":
		return &s3.GetBucketLocationOutput{LocationConstraint: api.String("eu-west-1")}, nil
	}
	return nil, api.NotImplemented("s3", op)
}

const boto3Script = `
import boto3, os, sys
c = boto3.client("s3", endpoint_url=os.environ["URL"], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test",
                 config=boto3.session.Config(s3={"addressing_style": "path"}))
key = "dir//a/../b c+d%2F.txt"
c.put_object(Bucket="b", Key=key, Body=b"hello", Metadata={"color": "red"})
o = c.get_object(Bucket="b", Key=key)
print("get", o["Body"].read().decode(), o["Metadata"]["color"], o["ContentLength"], o["LastModified"].isoformat())
h = c.head_object(Bucket="b", Key=key)
print("head", h["ContentLength"])
l = c.list_objects_v2(Bucket="b")
print("list", [x["Key"] for x in l["Contents"]], l["KeyCount"], l["Contents"][0]["LastModified"].isoformat())
print("location", c.get_bucket_location(Bucket="b")["LocationConstraint"])
a = c.get_bucket_acl(Bucket="b")
print("acl", a["Grants"][0]["Grantee"]["Type"], a["Grants"][0]["Permission"])
try:
    c.get_object(Bucket="b", Key="missing")
except c.exceptions.NoSuchKey as e:
    print("error", e.response["Error"]["Code"], e.response["Error"]["Key"], e.response["ResponseMetadata"]["HTTPStatusCode"])
try:
    c.head_object(Bucket="b", Key="missing")
except Exception as e:
    print("head-error", e.response["Error"]["Code"])
d = c.delete_objects(Bucket="b", Delete={"Objects": [{"Key": key}]})
print("deleted", [x["Key"] for x in d["Deleted"]])
try:
    c.get_bucket_policy(Bucket="b")
except Exception as e:
    print("unimplemented", e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
`

// TestBoto3 drives the codec with boto3, the client whose parser is the
// strictest about S3's XML, when python3 with boto3 is at hand.
func TestBoto3(t *testing.T) {
	// The current boto3 (pyenv's python3) and Debian's older one.
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		t.Run(py, func(t *testing.T) {
			bin, err := exec.LookPath(py)
			if err != nil || exec.Command(bin, "-c", "import boto3").Run() != nil {
				t.Skip(py + " with boto3 not available")
			}
			srv := httptest.NewServer(&fakeS3{objects: map[string][]byte{}})
			defer srv.Close()
			// A hung client fails the test with its output instead of stalling the suite.
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-c", boto3Script)
			cmd.Env = append(os.Environ(), "URL="+srv.URL, "AWS_EC2_METADATA_DISABLED=true")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("boto3: %v\n%s", err, out)
			}
			want := strings.Join([]string{
				"get hello red 5 2006-02-03T16:45:09+00:00",
				"head 5",
				"list ['dir//a/../b c+d%2F.txt'] 1 2006-02-03T16:45:09+00:00",
				"location eu-west-1",
				"acl CanonicalUser FULL_CONTROL",
				"error NoSuchKey missing 404",
				"head-error 404",
				"deleted ['dir//a/../b c+d%2F.txt']",
				"unimplemented NotImplemented 501",
			}, "\n") + "\n"
			if got := string(out); got != want {
				t.Errorf("boto3 printed\n%s\nwant\n%s", got, want)
			}
		})
	}
}
