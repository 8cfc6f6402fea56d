package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
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
func canonicalURIs(path string, s3 bool) (uris [2]string, n int) {
	if s3 {
		uris[0], n = path, 1
		if dec, err := url.PathUnescape(path); err == nil {
			if alt := uriEncode(dec, true); alt != path {
				uris[1], n = alt, 2
			}
		}
		return uris, n
	}
	uris[0], n = uriEncode(path, true), 1
	if alt := uriEncode(normalizePath(path), true); alt != uris[0] {
		uris[1], n = alt, 2
	}
	return uris, n
}

// normalizePath removes "." and ".." segments and empty segments, keeping a
// trailing slash, as botocore does for non-S3 services.
func normalizePath(p string) string {
	if isNormalPath(p) {
		return p
	}
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

// isNormalPath tells whether normalizePath would return p as it is: it starts
// with "/" and has no empty, "." or ".." segment but for a trailing slash.
func isNormalPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	for rest := p[1:]; ; {
		seg, after, more := strings.Cut(rest, "/")
		if !more {
			return seg != "." && seg != ".."
		}
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		rest = after
	}
}

// uriEncode is AWS's UriEncode: every byte but the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and "/" when keepSlash) becomes %XX, upper case.
func uriEncode(s string, keepSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = isUnreserved(s[i]) || (keepSlash && s[i] == '/')
	}
	if clean {
		return s // the common case, without a copy
	}
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
	if len(params) == 0 {
		return ""
	}
	if len(params) == 1 && params[0].key != skip {
		// One parameter (an SDK's ?x-id=GetObject): nothing to sort.
		return uriEncode(params[0].key, false) + "=" + uriEncode(params[0].value, false)
	}
	enc := make([]queryParam, 0, len(params))
	for _, p := range params {
		if p.key == skip {
			continue
		}
		enc = append(enc, queryParam{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	slices.SortFunc(enc, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
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

// appendCanonicalHeaders appends "name:value\n" for each signed header, in the
// order the client listed them (which the client sorted). Values are trimmed, runs
// of spaces become one, and repeated headers are joined by commas.
func appendCanonicalHeaders(b []byte, r *http.Request, signed []string) []byte {
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		var vals []string
		switch name {
		case "host":
			b = appendTrimmed(b, r.Host)
			b = append(b, '\n')
			continue
		case "content-length":
			vals = r.Header["Content-Length"]
			if len(vals) == 0 && r.ContentLength >= 0 {
				b = strconv.AppendInt(b, r.ContentLength, 10)
				b = append(b, '\n')
				continue
			}
		case "transfer-encoding":
			vals = r.Header["Transfer-Encoding"]
			if len(vals) == 0 {
				vals = r.TransferEncoding
			}
		default:
			vals = headerValues(r.Header, name)
		}
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTrimmed(b, v)
		}
		b = append(b, '\n')
	}
	return b
}

// headerValues is h.Values(name) for the lower-case names of SignedHeaders,
// without the allocation of canonicalizing each name: names of letters, digits
// and '-' (all that clients sign) are canonicalized on the stack, as
// textproto.CanonicalMIMEHeaderKey would do it.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) == 0 || len(name) > len(buf) {
		return h.Values(name)
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case '0' <= c && c <= '9', c == '-':
		default:
			return h.Values(name)
		}
		buf[i] = c
		upper = c == '-'
	}
	return h[string(buf[:len(name)])]
}

// appendTrimmed appends trimAll(v) to b.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
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
		b = append(b, v[i])
	}
	return b
}

// trimAll trims spaces and turns runs of spaces into one.
func trimAll(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") {
		return v
	}
	return string(appendTrimmed(nil, v))
}

// canonicalRequest joins the parts of a canonical request.
func canonicalRequest(method, uri, query, headers, signedHeaders, payloadHash string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n" + payloadHash
}

// stringToSign is the string a SigV4 signature signs.
func stringToSign(amzDate, scope, canonical string) string {
	return "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hexSHA256([]byte(canonical))
}

// signer signs with one derived key. Deriving a key takes four HMACs and a
// client signs with the same secret, day, region and service for hours, so
// signers are kept (signerFor), each with a pool of keyed HMACs ready for reuse.
type signer struct {
	key  []byte
	macs sync.Pool // of hash.Hash, HMAC-SHA256 keyed with key
}

type signerID struct{ secret, date, region, service string }

var signers struct {
	sync.RWMutex
	m map[signerID]*signer
}

// maxSigners bounds the cache; beyond it, it starts again empty (a key a day per
// region and service: only a test that invents dates fills it).
const maxSigners = 256

// signerFor returns the signer of one day, region and service.
func signerFor(secret, date, region, service string) *signer {
	id := signerID{secret, date, region, service}
	signers.RLock()
	sg := signers.m[id]
	signers.RUnlock()
	if sg != nil {
		return sg
	}
	key := signingKey(secret, date, region, service)
	sg = &signer{key: key}
	sg.macs.New = func() any { return hmac.New(sha256.New, key) }
	signers.Lock()
	if signers.m == nil || len(signers.m) >= maxSigners {
		signers.m = map[signerID]*signer{}
	}
	signers.m[id] = sg
	signers.Unlock()
	return sg
}

// appendMAC appends the HMAC-SHA256 of msg to b.
func (sg *signer) appendMAC(b, msg []byte) []byte {
	mac := sg.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(msg)
	b = mac.Sum(b)
	sg.macs.Put(mac)
	return b
}

// sigBuf holds a canonical request and its string to sign while a signature is
// checked; pooled, as both are rebuilt for every request.
var sigBuf = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// matches computes the signature of this canonical request (headers already in
// canonical form) and tells, in constant time, whether want is its hex. It
// allocates nothing once the pools are warm.
func (sg *signer) matches(want, method, uri, query string, headers []byte, signedHeaders, payload, amzDate, scope string) bool {
	bp := sigBuf.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	b = append(b, headers...)
	b = append(b, '\n')
	b = append(b, signedHeaders...)
	b = append(b, '\n')
	b = append(b, payload...)
	sum := sha256.Sum256(b)
	b = append(b[:0], "AWS4-HMAC-SHA256\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, sum[:])
	n := len(b)
	b = sg.appendMAC(b, b)
	ok := sameHex(b[n:], want)
	*bp = b
	sigBuf.Put(bp)
	return ok
}

// sameHex tells, in constant time, whether hexed is the lower-case hex of mac.
func sameHex(mac []byte, hexed string) bool {
	const hexdig = "0123456789abcdef"
	if len(hexed) != 2*len(mac) {
		return false
	}
	var diff byte
	for i, c := range mac {
		diff |= hexdig[c>>4] ^ hexed[2*i]
		diff |= hexdig[c&15] ^ hexed[2*i+1]
	}
	return diff == 0
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
