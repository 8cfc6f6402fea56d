package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// emptySHA256 is the hex SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// rawPath is the path exactly as the client wrote it on the request line. The
// parsed r.URL.Path is decoded and EscapedPath may re-encode it differently, and
// the signature covers the bytes the client sent.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if strings.HasPrefix(p, "/") {
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return p
	}
	if p = r.URL.EscapedPath(); p == "" {
		p = "/"
	}
	return p
}

// rawQuery is the query as the client wrote it.
func rawQuery(r *http.Request) string {
	if i := strings.IndexByte(r.RequestURI, '?'); i >= 0 && strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI[i+1:]
	}
	return r.URL.RawQuery
}

// canonicalURIs lists the canonical URIs a client may have signed, the one AWS
// documents first. S3 signs the path as sent (single-encoded, not normalised);
// other services encode the already-encoded path again. Clients differ at the
// edges (botocore removes dot segments and empty segments for non-S3 services,
// the Go SDK does not; a client may escape fewer characters than AWS does), so
// the alternatives are tried as well.
func canonicalURIs(path string, s3 bool) []string {
	if s3 {
		out := []string{path}
		if dec, err := url.PathUnescape(path); err == nil {
			if alt := uriEncode(dec, true); alt != path {
				out = append(out, alt)
			}
		}
		return out
	}
	out := []string{uriEncode(path, true)}
	if alt := uriEncode(normalizePath(path), true); alt != out[0] {
		out = append(out, alt)
	}
	return out
}

// normalizePath removes "." and ".." segments and empty segments, keeping a
// trailing slash, as botocore does for non-S3 services.
func normalizePath(p string) string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	out := "/" + strings.Join(segs, "/")
	if strings.HasSuffix(p, "/") && out != "/" {
		out += "/"
	}
	return out
}

// uriEncode is AWS's UriEncode: every byte but the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and "/" when keepSlash) becomes %XX, upper case.
func uriEncode(s string, keepSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// queryParam is one decoded query parameter.
type queryParam struct{ key, value string }

// parseQuery splits a raw query into its parameters, in order, decoded. A
// parameter that does not decode is kept as sent.
func parseQuery(raw string) []queryParam {
	var out []queryParam
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, queryParam{unescapeQuery(k), unescapeQuery(v)})
	}
	return out
}

func unescapeQuery(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// canonicalQuery encodes every parameter but skip, then sorts by encoded key
// and value (AWS sorts after encoding).
func canonicalQuery(params []queryParam, skip string) string {
	enc := make([]queryParam, 0, len(params))
	for _, p := range params {
		if p.key == skip {
			continue
		}
		enc = append(enc, queryParam{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].key != enc[j].key {
			return enc[i].key < enc[j].key
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// canonicalHeaders writes "name:value\n" for each signed header, in the order
// the client listed them (which the client sorted). Values are trimmed, runs of
// spaces become one, and repeated headers are joined by commas.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		var vals []string
		switch name {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = r.Header.Values("Content-Length")
			if len(vals) == 0 && r.ContentLength >= 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		case "transfer-encoding":
			vals = r.Header.Values("Transfer-Encoding")
			if len(vals) == 0 {
				vals = r.TransferEncoding
			}
		default:
			vals = r.Header.Values(name)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimAll(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// trimAll trims spaces and turns runs of spaces into one.
func trimAll(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// canonicalRequest joins the parts of a canonical request.
func canonicalRequest(method, uri, query, headers, signedHeaders, payloadHash string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n" + payloadHash
}

// stringToSign is the string a SigV4 signature signs.
func stringToSign(amzDate, scope, canonical string) string {
	return "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hexSHA256([]byte(canonical))
}

// signingKey derives the key for one day, region and service.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sign gives the hex signature of toSign.
func sign(key []byte, toSign string) string {
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

// sameSignature compares in constant time.
func sameSignature(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}
