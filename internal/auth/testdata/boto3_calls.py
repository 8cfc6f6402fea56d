# Drives boto3 against the test server of TestBoto3 (internal/auth). Every call's
# answer is ignored: the server records what auth.Verify made of each request.
import sys
import urllib.request

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test",
          config=Config(retries={"max_attempts": 1}))
if endpoint.startswith("https:"):
    # The test server's certificate is self-signed. Over TLS botocore sends
    # S3 uploads aws-chunked with a CRC32 trailer.
    kw["verify"] = False
    import urllib3
    urllib3.disable_warnings()


def attempt(fn, *a, **k):
    try:
        fn(*a, **k)
    except Exception:
        pass


s3 = boto3.client("s3", **kw)
attempt(s3.put_object, Bucket="b", Key="dir/a b+c~!$'()*,;=@.txt", Body=b"x" * 100000)
attempt(s3.put_object, Bucket="b", Key="a//b/../c", Body=b"small")
attempt(s3.list_objects_v2, Bucket="b", Prefix="a b/", Delimiter="/")
attempt(s3.upload_part, Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b"y" * 70000)
if endpoint.startswith("http:"):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "p q.txt"}, ExpiresIn=300)
    attempt(urllib.request.urlopen, url)
    s3v4 = boto3.client("s3", **dict(kw, config=Config(signature_version="s3v4", retries={"max_attempts": 1})))
    url = s3v4.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "p q.txt"}, ExpiresIn=300)
    attempt(urllib.request.urlopen, urllib.request.Request(url, data=b"up", method="PUT"))
    # SigV2 (signature_version="s3"): botocore signs a path-style request to a
    # bucket itself (PUT /b) as the resource /b/.
    s3v2 = boto3.client("s3", **dict(kw, config=Config(signature_version="s3", retries={"max_attempts": 1})))
    attempt(s3v2.create_bucket, Bucket="b", ACL="public-read")
    attempt(s3v2.put_object, Bucket="b", Key="v2 key", Body=b"v2")
attempt(boto3.client("dynamodb", **kw).list_tables)
attempt(boto3.client("lambda", **kw).invoke,
        FunctionName="arn:aws:lambda:us-east-1:000000000000:function:f", Payload=b"{}")
attempt(boto3.client("sts", **kw).get_caller_identity)
attempt(boto3.client("sqs", **kw).list_queues, QueueNamePrefix="a b")
attempt(boto3.client("kinesis", **kw).list_streams)
