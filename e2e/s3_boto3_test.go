package e2e

import (
	"strings"
	"testing"
)

// boto3 exercises the SDK paths the CLI does not: flexible checksums in
// aws-chunked trailers (current boto3 sends them by default), conditional writes,
// versioning, multipart with checksums, presigned PUT, tagging, and errors.
const boto3S3Script = `
import boto3, botocore, os, sys, io, hashlib
from botocore.config import Config
url = os.environ["FOGBANK_URL"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
b = "boto-" + sys.argv[1]
s3.create_bucket(Bucket=b)
def code(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return "ok"
# Keys S3 allows, returned exactly.
keys = ["a b", "plus+sign", "pct%2F", "dot/../dot", "double//slash", "ünï/ｃｏｄｅ", "trailing/"]
for k in keys:
    s3.put_object(Bucket=b, Key=k, Body=k.encode())
got = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=b)["Contents"])
assert got == sorted(keys), got
for k in keys:
    assert s3.get_object(Bucket=b, Key=k)["Body"].read() == k.encode(), k
# Checksums: SHA256 in a header, CRC32C in a trailer (boto3's default path).
r = s3.put_object(Bucket=b, Key="ck", Body=b"x" * 100000, ChecksumAlgorithm="SHA256")
assert "ChecksumSHA256" in r, r
h = s3.head_object(Bucket=b, Key="ck", ChecksumMode="ENABLED")
assert h["ChecksumSHA256"] == r["ChecksumSHA256"], h
r = s3.put_object(Bucket=b, Key="ck2", Body=io.BytesIO(b"y" * 70000), ChecksumAlgorithm="CRC32")
assert "ChecksumCRC32" in r, r
assert s3.get_object(Bucket=b, Key="ck2", ChecksumMode="ENABLED")["Body"].read() == b"y" * 70000
# Conditional write.
if "IfNoneMatch" in s3.meta.service_model.operation_model("PutObject").input_shape.members:
    assert code(lambda: s3.put_object(Bucket=b, Key="ck", Body=b"z", IfNoneMatch="*")) == "PreconditionFailed"
# Ranges.
assert s3.get_object(Bucket=b, Key="ck2", Range="bytes=10-19")["Body"].read() == b"y" * 10
# Errors.
assert code(lambda: s3.get_object(Bucket=b, Key="nope")) == "NoSuchKey"
assert code(lambda: s3.head_object(Bucket=b, Key="nope")) == "404"
assert code(lambda: s3.delete_bucket(Bucket=b)) == "BucketNotEmpty"
# Versioning.
s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
v1 = s3.put_object(Bucket=b, Key="v", Body=b"1")["VersionId"]
v2 = s3.put_object(Bucket=b, Key="v", Body=b"2")["VersionId"]
assert s3.get_object(Bucket=b, Key="v", VersionId=v1)["Body"].read() == b"1"
d = s3.delete_object(Bucket=b, Key="v")
assert d["DeleteMarker"], d
vs = s3.list_object_versions(Bucket=b, Prefix="v")
assert len(vs["Versions"]) == 2 and len(vs["DeleteMarkers"]) == 1, vs
# Multipart with checksums.
mp = s3.create_multipart_upload(Bucket=b, Key="mp", ChecksumAlgorithm="SHA256")
parts = []
for i, data in enumerate([b"a" * (5 << 20), b"b" * 1000], start=1):
    p = s3.upload_part(Bucket=b, Key="mp", UploadId=mp["UploadId"], PartNumber=i, Body=data, ChecksumAlgorithm="SHA256")
    parts.append({"PartNumber": i, "ETag": p["ETag"], "ChecksumSHA256": p["ChecksumSHA256"]})
c = s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=mp["UploadId"], MultipartUpload={"Parts": parts})
assert c["ETag"].endswith('-2"'), c
assert s3.head_object(Bucket=b, Key="mp")["ContentLength"] == (5 << 20) + 1000
# Presigned PUT then GET.
import urllib.request, urllib.parse, http.client
put = urllib.parse.urlsplit(s3.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "pre"}, ExpiresIn=300))
conn = http.client.HTTPConnection(put.netloc)
conn.request("PUT", put.path + "?" + put.query, body=b"presigned")  # no Content-Type: it is signed
resp = conn.getresponse()
assert resp.status == 200, (resp.status, resp.read())
get = s3.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "pre"}, ExpiresIn=300)
assert urllib.request.urlopen(get).read() == b"presigned"
# Tagging and copy.
s3.put_object_tagging(Bucket=b, Key="pre", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
assert s3.get_object_tagging(Bucket=b, Key="pre")["TagSet"] == [{"Key": "k", "Value": "v"}]
s3.copy_object(Bucket=b, Key="pre-copy", CopySource={"Bucket": b, "Key": "pre"})
assert s3.get_object(Bucket=b, Key="pre-copy")["Body"].read() == b"presigned"
# Batch delete.
r = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys]})
assert len(r["Deleted"]) == len(keys), r
print("OK")
`

func TestS3Boto3(t *testing.T) {
	f := start(t, "")
	for _, p := range pythons {
		t.Run(p.name, func(t *testing.T) {
			needBoto3(t, p.bin)
			out, errOut, code := f.run(t, nil, p.bin, "-c", boto3S3Script, strings.ReplaceAll(p.name, ".", "-"))
			if code != 0 || strings.TrimSpace(out) != "OK" {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})
	}
}
