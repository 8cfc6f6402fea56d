package s3

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/auth"
)

// maxPostField bounds one form field other than the file.
const maxPostField = 64 << 10

func errPolicy(status int, code, msg string) *api.Err {
	return api.Errorf(status, code, "%s", msg)
}

func invalidPolicy(msg string) *api.Err {
	return errPolicy(http.StatusBadRequest, "InvalidPolicyDocument", "Invalid Policy: "+msg)
}

func policyDenied(msg string) *api.Err {
	return errPolicy(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+msg)
}

// postPolicy is a decoded POST policy document.
type postPolicy struct {
	expiration time.Time
	conds      []postCond
	minLen     int64
	maxLen     int64
	hasRange   bool
}

type postCond struct {
	op, field, value string // op: "eq" or "starts-with"; field lower-cased, without "$"
	raw              string
}

func parsePolicy(b64 string, now time.Time) (*postPolicy, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	p := &postPolicy{}
	exp, ok := doc["expiration"]
	if !ok {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	var es string
	if json.Unmarshal(exp, &es) != nil {
		return nil, invalidPolicy("Invalid 'expiration' value.")
	}
	if p.expiration, err = time.Parse(time.RFC3339, es); err != nil {
		if p.expiration, err = time.Parse("2006-01-02T15:04:05.000Z", es); err != nil {
			return nil, invalidPolicy(fmt.Sprintf("Invalid 'expiration' value: '%s'", es))
		}
	}
	if now.After(p.expiration) {
		return nil, policyDenied("Policy expired.")
	}
	cr, ok := doc["conditions"]
	if !ok {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	var conds []json.RawMessage
	if json.Unmarshal(cr, &conds) != nil {
		return nil, invalidPolicy("Invalid 'conditions' value.")
	}
	for _, c := range conds {
		var obj map[string]any
		if json.Unmarshal(c, &obj) == nil {
			if len(obj) != 1 {
				return nil, invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
			}
			for k, v := range obj {
				s, ok := v.(string)
				if !ok {
					return nil, invalidPolicy("Invalid Simple-Condition: value must be a string.")
				}
				p.conds = append(p.conds, postCond{op: "eq", field: strings.ToLower(k), value: s, raw: string(c)})
			}
			continue
		}
		var arr []any
		if json.Unmarshal(c, &arr) != nil || len(arr) == 0 {
			return nil, invalidPolicy("Invalid condition.")
		}
		op, _ := arr[0].(string)
		switch strings.ToLower(op) {
		case "eq", "starts-with":
			if len(arr) != 3 {
				return nil, invalidPolicy(fmt.Sprintf("Invalid %s condition: wrong number of arguments.", op))
			}
			f, ok1 := arr[1].(string)
			v, ok2 := arr[2].(string)
			if !ok1 || !ok2 || !strings.HasPrefix(f, "$") {
				return nil, invalidPolicy(fmt.Sprintf("Invalid %s condition.", op))
			}
			p.conds = append(p.conds, postCond{op: strings.ToLower(op), field: strings.ToLower(f[1:]), value: v, raw: string(c)})
		case "content-length-range":
			if len(arr) != 3 {
				return nil, invalidPolicy("Invalid content-length-range condition: wrong number of arguments.")
			}
			lo, ok1 := arr[1].(float64)
			hi, ok2 := arr[2].(float64)
			if !ok1 || !ok2 || lo < 0 || hi < lo {
				return nil, invalidPolicy("Invalid content-length-range condition.")
			}
			p.minLen, p.maxLen, p.hasRange = int64(lo), int64(hi), true
		default:
			return nil, invalidPolicy(fmt.Sprintf("Invalid condition operator: %s", op))
		}
	}
	return p, nil
}

// exemptFields need no policy condition.
func exemptField(f string) bool {
	switch f {
	case "policy", "signature", "awsaccesskeyid", "file", "x-amz-signature", "x-amz-credential",
		"x-amz-algorithm", "x-amz-date", "x-amz-security-token":
		return true
	}
	// Checksums describe the file, not the request: S3 does not ask the policy
	// to name them.
	return strings.HasPrefix(f, "x-ignore-") || strings.HasPrefix(f, "x-amz-checksum-")
}

// check applies the conditions to the form fields.
func (p *postPolicy) check(fields map[string]string, bucket string) error {
	covered := map[string]bool{}
	for _, c := range p.conds {
		covered[c.field] = true
		v, ok := fields[c.field]
		if c.field == "bucket" {
			v, ok = bucket, true
		}
		if !ok && c.value == "" {
			// An empty value or prefix is met by a field that is absent.
			v, ok = "", true
		}
		switch c.op {
		case "eq":
			if !ok || v != c.value {
				return policyDenied("Policy Condition failed: " + c.raw)
			}
		case "starts-with":
			if !ok {
				return policyDenied("Policy Condition failed: " + c.raw)
			}
			if c.field == "content-type" {
				// Content-Type may list several types; each must match.
				for _, t := range strings.Split(v, ",") {
					if !strings.HasPrefix(strings.TrimSpace(t), c.value) {
						return policyDenied("Policy Condition failed: " + c.raw)
					}
				}
			} else if !strings.HasPrefix(v, c.value) {
				return policyDenied("Policy Condition failed: " + c.raw)
			}
		}
	}
	for f := range fields {
		if !exemptField(f) && !covered[f] {
			return policyDenied("Extra input fields: " + f)
		}
	}
	return nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// verifyPostSignature checks the policy's signature (SigV4 or SigV2) with the
// secrets keys knows (the gateway checks every other request) and returns the
// access key id. Unknown keys pass unverified, as they do for header signatures.
func verifyPostSignature(keys auth.Keys, fields map[string]string) (string, error) {
	policy := fields["policy"]
	if cred, ok := fields["x-amz-credential"]; ok {
		sig := fields["x-amz-signature"]
		if sig == "" {
			return "", errInvalidArgument("Bucket POST must contain a field named 'x-amz-signature'.  If it is specified, please check the order of the fields.", "x-amz-signature", "")
		}
		parts := strings.Split(cred, "/")
		if len(parts) != 5 {
			return "", errInvalidArgument("Invalid credential", "x-amz-credential", cred)
		}
		akid := parts[0]
		secret, _, known := keys.Lookup(akid)
		if !known {
			return akid, nil
		}
		k := hmacSHA256([]byte("AWS4"+secret), parts[1])
		k = hmacSHA256(k, parts[2])
		k = hmacSHA256(k, parts[3])
		k = hmacSHA256(k, "aws4_request")
		if !hmac.Equal([]byte(hex.EncodeToString(hmacSHA256(k, policy))), []byte(sig)) {
			return "", errPolicy(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		}
		return akid, nil
	}
	akid, ok := fields["awsaccesskeyid"]
	if !ok {
		return "", errInvalidArgument("Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.", "AWSAccessKeyId", "")
	}
	sig, ok := fields["signature"]
	if !ok {
		return "", errInvalidArgument("Bucket POST must contain a field named 'Signature'.  If it is specified, please check the order of the fields.", "Signature", "")
	}
	secret, _, known := keys.Lookup(akid)
	if !known {
		return akid, nil
	}
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(policy))
	if !hmac.Equal([]byte(base64.StdEncoding.EncodeToString(h.Sum(nil))), []byte(sig)) {
		return "", errPolicy(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
	return akid, nil
}

// sizeGuard enforces the policy's content-length-range while the file streams.
type sizeGuard struct {
	r        io.Reader
	n        int64
	min, max int64
}

func (g *sizeGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.n += int64(n)
	if g.n > g.max {
		return n, api.Errorf(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
			With("MaxSizeAllowed", strconv.FormatInt(g.max, 10))
	}
	if err == io.EOF && g.n < g.min {
		return n, api.Errorf(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
			With("MinSizeAllowed", strconv.FormatInt(g.min, 10))
	}
	return n, err
}

// PostObject handles a browser-based upload (POST /<bucket> of
// multipart/form-data): form fields, a signed policy, then the file, streamed to
// disk like any PutObject.
func (s *Service) PostObject(ctx context.Context, in *PostObjectInput) (*PostObjectOutput, error) {
	c := caller(ctx)
	bucket := api.ToString(in.Bucket)
	mt, params, err := mime.ParseMediaType(api.ToString(in.ContentType))
	if err != nil || mt != "multipart/form-data" {
		// No other POST of a bucket without a subresource exists: what the router
		// answers any method that fits no operation of a known path.
		return nil, api.Errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
	if _, err := s.viewBucket(bucket); err != nil {
		return nil, err
	}
	if params["boundary"] == "" || in.Body == nil {
		return nil, errMalformedPOST()
	}
	mr := multipart.NewReader(in.Body, params["boundary"])
	fields := map[string]string{}
	var file *multipart.Part
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errMalformedPOST()
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			file = part
			break
		}
		v, err := io.ReadAll(io.LimitReader(part, maxPostField+1))
		if err != nil || len(v) > maxPostField {
			return nil, errMalformedPOST()
		}
		fields[name] = string(v)
	}
	if file == nil {
		return nil, errInvalidArgument("POST requires exactly one file upload per request.", "file", "0")
	}
	key, ok := fields["key"]
	if !ok {
		return nil, errInvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", "key", "")
	}
	if fn := file.FileName(); fn != "" {
		key = strings.ReplaceAll(key, "${filename}", fn)
	}
	fields["key"] = key
	var guard *sizeGuard
	if pol, ok := fields["policy"]; ok {
		akid, err := verifyPostSignature(s.keys, fields)
		if err != nil {
			return nil, err
		}
		// The form is signed: the upload is the signer's, not anonymous.
		cc := *c
		pr := auth.RootPrincipal(akid)
		cc.Account, cc.AccessKeyID, cc.ARN, cc.UserID, cc.Anonymous = pr.Account, akid, pr.ARN, pr.UserID, false
		ctx = api.WithCaller(ctx, &cc)
		p, err := parsePolicy(pol, s.now())
		if err != nil {
			return nil, err
		}
		if err := p.check(fields, bucket); err != nil {
			return nil, err
		}
		if p.hasRange {
			guard = &sizeGuard{r: file, min: p.minLen, max: p.maxLen}
		}
	} else if _, signed := fields["signature"]; signed {
		return nil, errInvalidArgument("Bucket POST must contain a field named 'policy'.  If it is specified, please check the order of the fields.", "policy", "")
	} else if _, signed := fields["x-amz-signature"]; signed {
		return nil, errInvalidArgument("Bucket POST must contain a field named 'policy'.  If it is specified, please check the order of the fields.", "policy", "")
	}
	put := &s3api.PutObjectRequest{Bucket: api.String(bucket), Key: api.String(key), Body: file}
	if guard != nil {
		put.Body = guard
	}
	opt := func(name string) *string {
		if v, ok := fields[name]; ok {
			return &v
		}
		return nil
	}
	put.ACL = opt("acl")
	put.CacheControl = opt("cache-control")
	put.ContentDisposition = opt("content-disposition")
	put.ContentEncoding = opt("content-encoding")
	put.ContentType = opt("content-type")
	put.Expires = opt("expires")
	put.StorageClass = opt("x-amz-storage-class")
	put.WebsiteRedirectLocation = opt("x-amz-website-redirect-location")
	put.ServerSideEncryption = opt("x-amz-server-side-encryption")
	put.SSEKMSKeyId = opt("x-amz-server-side-encryption-aws-kms-key-id")
	put.SSECustomerAlgorithm = opt("x-amz-server-side-encryption-customer-algorithm")
	put.SSECustomerKey = opt("x-amz-server-side-encryption-customer-key")
	put.SSECustomerKeyMD5 = opt("x-amz-server-side-encryption-customer-key-md5")
	for _, a := range algos {
		if v := opt("x-amz-checksum-" + strings.ToLower(a.name)); v != nil {
			setChecksum(put, a.name, *v)
		}
	}
	for k, v := range fields {
		if strings.HasPrefix(k, "x-amz-meta-") {
			if put.Metadata == nil {
				put.Metadata = map[string]string{}
			}
			put.Metadata[strings.TrimPrefix(k, "x-amz-meta-")] = v
		}
	}
	if t, ok := fields["tagging"]; ok {
		var tg struct {
			Tags []struct{ Key, Value string } `xml:"TagSet>Tag"`
		}
		if xml.Unmarshal([]byte(t), &tg) != nil {
			return nil, errMalformedXML()
		}
		q := url.Values{}
		for _, x := range tg.Tags {
			q.Add(x.Key, x.Value)
		}
		enc := q.Encode()
		put.Tagging = &enc
	}
	out, err := s.putObject(ctx, put, "ObjectCreated:Post")
	if err != nil {
		return nil, err
	}
	etag := api.ToString(out.ETag)
	location := objectURL(c.Host, bucket, key)
	res := &PostObjectOutput{ETag: &etag, VersionId: out.VersionId, Location: &location, Status: api.Int64(http.StatusNoContent)}
	if redirect := fields["success_action_redirect"]; redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			// In S3's order: bucket, key, etag (with its quotes).
			add := "bucket=" + url.QueryEscape(bucket) + "&key=" + url.QueryEscape(key) + "&etag=" + url.QueryEscape(etag)
			if u.RawQuery != "" {
				u.RawQuery += "&" + add
			} else {
				u.RawQuery = add
			}
			res.Location, res.Status = api.String(u.String()), api.Int64(http.StatusSeeOther)
			return res, nil
		}
	}
	switch fields["success_action_status"] {
	case "200":
		res.Status = api.Int64(http.StatusOK)
	case "201":
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<PostResponse><Location>")
		xmlEscape(&b, location)
		b.WriteString("</Location><Bucket>")
		xmlEscape(&b, bucket)
		b.WriteString("</Bucket><Key>")
		xmlEscape(&b, key)
		b.WriteString("</Key><ETag>")
		xmlEscape(&b, etag)
		b.WriteString("</ETag></PostResponse>")
		res.Status, res.ContentType = api.Int64(http.StatusCreated), api.String("application/xml")
		res.ContentLength, res.Body = api.Int64(int64(b.Len())), io.NopCloser(strings.NewReader(b.String()))
	}
	return res, nil
}

func errMalformedPOST() *api.Err {
	return api.Errorf(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}
