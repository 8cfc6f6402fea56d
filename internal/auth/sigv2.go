package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
)

// S3 Signature Version 2 is still what boto3 and the AWS CLI use for S3
// presigned URLs unless told otherwise, so it is verified, not just tolerated.

// s3SubResources are the query parameters S3's SigV2 signs (its docs' list).
var s3SubResources = map[string]bool{
	"acl": true, "cors": true, "delete": true, "lifecycle": true, "location": true,
	"logging": true, "notification": true, "partNumber": true, "policy": true,
	"requestPayment": true, "restore": true, "tagging": true, "torrent": true,
	"uploadId": true, "uploads": true, "versionId": true, "versioning": true,
	"versions": true, "website": true, "select": true, "select-type": true,
	"object-lock": true, "retention": true, "legal-hold": true, "replication": true,
	"encryption": true, "accelerate": true, "analytics": true, "inventory": true,
	"metrics": true, "ownershipControls": true, "publicAccessBlock": true,
	"intelligent-tiering": true, "response-content-type": true,
	"response-content-language": true, "response-expires": true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true,
}

// verifyS3V2 checks an S3 SigV2 signature made with secret. dateLine is the
// Date (or, for a presigned URL, Expires) line of the string to sign.
func verifyS3V2(r *http.Request, params []queryParam, akid, secret, signature, dateLine string) error {
	var amz []string
	seen := map[string][]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") {
			continue
		}
		if _, ok := seen[lk]; !ok {
			amz = append(amz, lk)
		}
		for _, v := range vs {
			seen[lk] = append(seen[lk], trimAll(v))
		}
	}
	sort.Strings(amz)
	var head strings.Builder
	head.WriteString(r.Method + "\n" + r.Header.Get("Content-Md5") + "\n" + r.Header.Get("Content-Type") + "\n" + dateLine + "\n")
	for _, k := range amz {
		head.WriteString(k + ":" + strings.Join(seen[k], ",") + "\n")
	}
	var sub []queryParam
	for _, p := range params {
		if s3SubResources[p.key] {
			sub = append(sub, p)
		}
	}
	sort.SliceStable(sub, func(i, j int) bool { return sub[i].key < sub[j].key })
	var q strings.Builder
	for i, p := range sub {
		if i == 0 {
			q.WriteByte('?')
		} else {
			q.WriteByte('&')
		}
		q.WriteString(p.key)
		if p.value != "" {
			q.WriteString("=" + p.value)
		}
	}
	path := rawPath(r)
	var first string
	for _, res := range v2Resources(r.Host, path) {
		toSign := head.String() + res + q.String()
		if first == "" {
			first = toSign
		}
		mac := hmac.New(sha1.New, []byte(secret))
		mac.Write([]byte(toSign))
		if sameSignature(base64.StdEncoding.EncodeToString(mac.Sum(nil)), signature) {
			return nil
		}
	}
	return api.Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "%s", msgMismatchS3).
		With("AWSAccessKeyId", akid).
		With("StringToSign", first).
		With("SignatureProvided", signature).
		With("StringToSignBytes", spacedHex(first))
}

// v2Resources lists the resource paths a SigV2 client may have signed: the
// path as sent, for a path-style request to a bucket itself (/bucket) the
// bucket's resource /bucket/ (S3's documented form, which botocore signs),
// and for a virtual-hosted request (bucket.s3.host, bucket.localhost) the
// bucket from the host followed by the path.
func v2Resources(host, path string) []string {
	out := []string{path}
	if len(path) > 1 && strings.LastIndexByte(path, '/') == 0 {
		out = append(out, path+"/")
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) != nil {
		return out
	}
	if i := strings.IndexByte(host, '.'); i > 0 {
		out = append(out, "/"+host[:i]+path)
	}
	return out
}

// verifyQueryV2 checks the SigV2 of the query-protocol services (SignatureVersion=2
// in the URL): HMAC of method, host, path and the sorted, encoded parameters.
func verifyQueryV2(r *http.Request, params []queryParam, secret, signature string, st Style) error {
	method, _ := lookup(params, "SignatureMethod")
	var h func() hash.Hash
	switch method {
	case "HmacSHA256":
		h = sha256.New
	case "HmacSHA1":
		h = sha1.New
	default:
		return incomplete(st, "Unsupported SignatureMethod: '"+method+"'")
	}
	toSign := r.Method + "\n" + strings.ToLower(r.Host) + "\n" + rawPath(r) + "\n" + canonicalQuery(params, "Signature")
	mac := hmac.New(h, []byte(secret))
	mac.Write([]byte(toSign))
	if !sameSignature(base64.StdEncoding.EncodeToString(mac.Sum(nil)), signature) {
		return plainMismatch(st)
	}
	return nil
}
