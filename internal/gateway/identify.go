package gateway

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/fogbank/fogbank/internal/protocol"
)

// identify works out which service a request is for and in which protocol it is
// written, without reading the body (the signature check needs it first), except
// for unsigned form posts, where the Action and Version fields are the only clue.
func (g *Gateway) identify(r *http.Request) (*Bound, string) {
	// JSON protocols name their target; it is the most precise clue there is.
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		prefix, _, _ := strings.Cut(t, ".")
		if b := g.byTarget[prefix]; b != nil && b.Service.HasProtocol(protocol.JSON) {
			return b, protocol.JSON
		}
	}
	// Smithy RPC v2 CBOR: POST /service/<ServiceName>/operation/<Op>.
	if r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/service/"); ok {
			name, _, _ := strings.Cut(rest, "/")
			if b := g.byTarget[name]; b != nil && b.Service.HasProtocol(protocol.RPCv2CBOR) {
				return b, protocol.RPCv2CBOR
			}
		}
	}

	if sign := signingName(r); sign != "" {
		cands := g.bySign[sign]
		switch len(cands) {
		case 0:
			return nil, "" // signed for a service fogbank has no model of
		case 1:
			return cands[0], pickProtocol(cands[0], r)
		default:
			// Several services share a signing name (dynamodb and its streams): the
			// one whose protocol fits. Without a target, the first that is not json.
			for _, b := range cands {
				p := pickProtocol(b, r)
				if p != protocol.JSON {
					return b, p
				}
			}
			return cands[0], pickProtocol(cands[0], r)
		}
	}

	// Unsigned. A form post or query with Action and Version is a query-protocol
	// service (STS's AssumeRoleWithWebIdentity is called unsigned); the API
	// version tells which.
	if v, a := queryField(r, "Version"), queryField(r, "Action"); v != "" && a != "" {
		for i := range g.cfg.Services {
			b := &g.cfg.Services[i]
			if b.Service.APIVersion == v && b.Service.HasProtocol(protocol.Query) && b.Service.Op(a) != nil {
				return b, protocol.Query
			}
		}
	}
	if bareJSONPost(r) && g.bareJSON != nil {
		return g.bareJSON, protocol.JSON
	}
	// Everything else unsigned is S3's: anonymous reads and browser POST uploads.
	if b := g.unsigned; b != nil {
		return b, pickProtocol(b, r)
	}
	return nil, ""
}

// pickProtocol chooses among the protocols a service accepts by what the request looks like.
func pickProtocol(b *Bound, r *http.Request) string {
	s := b.Service
	if r.Header.Get("X-Amz-Target") != "" && s.HasProtocol(protocol.JSON) {
		return protocol.JSON
	}
	if r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" && s.HasProtocol(protocol.RPCv2CBOR) {
		return protocol.RPCv2CBOR
	}
	for _, p := range s.Protocols {
		switch p {
		case protocol.RestXML, protocol.RestJSON:
			return p
		}
	}
	if s.HasProtocol(protocol.Query) {
		return protocol.Query
	}
	return s.Protocols[0]
}

// signingName reads the service from the SigV4 credential scope
// (AKID/date/region/service/aws4_request) of the Authorization header or of a
// presigned URL's X-Amz-Credential.
func signingName(r *http.Request) string {
	cred := ""
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			cred = a[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	// AKID/date/region/service/aws4_request: the fourth of exactly five parts,
	// found without splitting.
	var at [4]int // where each '/' is
	n := 0
	for i := 0; i < len(cred); i++ {
		if cred[i] == '/' {
			if n == len(at) {
				return ""
			}
			at[n] = i
			n++
		}
	}
	if n != len(at) {
		return ""
	}
	return cred[at[2]+1 : at[3]]
}

// queryField reads a field from the URL query or, for a form post, the body.
// ParseForm keeps the body's values, so later decoding sees them too.
func queryField(r *http.Request, name string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	if r.Method != http.MethodPost {
		return ""
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return ""
	}
	if r.ContentLength < 0 || r.ContentLength > gateMin {
		// Not parsed before the body gate: the unsigned query calls (STS's
		// web identity and SAML ones) are far smaller.
		return ""
	}
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostForm.Get(name)
}

// virtualHostToPath rewrites a virtual-hosted request (bucket.<prefix>.<host>,
// bucket.<prefix>.<region>.amazonaws.com, bucket.<prefix>-<region>..., and
// bucket.localhost, where prefix is the service's endpoint prefix, "s3") to path
// style, so that the rest router sees /bucket/key. The path stays escaped
// exactly as sent.
func virtualHostToPath(r *http.Request, prefix string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) != nil || prefix == "" {
		return
	}
	bucket := ""
	if i := strings.Index(host, "."+prefix+"."); i > 0 {
		bucket = host[:i]
	} else if i := strings.Index(host, "."+prefix+"-"); i > 0 { // legacy bucket.s3-us-west-2.amazonaws.com
		bucket = host[:i]
	} else if b, ok := strings.CutSuffix(host, ".localhost"); ok && b != "" && !strings.HasSuffix(b, "."+prefix) && b != prefix {
		bucket = b
	}
	if bucket == "" {
		return
	}
	raw := r.URL.EscapedPath()
	r.URL.RawPath = "/" + url.PathEscape(bucket) + raw
	r.URL.Path = "/" + bucket + r.URL.Path
}

// plainCodec writes errors when no codec fits (an unknown service): a small JSON
// body in the shape most SDKs can parse.
type plainCodec struct{}

func (plainCodec) Name() string                                         { return "" }
func (plainCodec) Route(*protocol.Call, *http.Request) error            { return nil }
func (plainCodec) DecodeInput(*protocol.Call, *http.Request, any) error { return nil }
func (plainCodec) EncodeOutput(_ *protocol.Call, w http.ResponseWriter, _ any) error {
	w.WriteHeader(http.StatusOK)
	return nil
}
func (plainCodec) EncodeError(c *protocol.Call, w http.ResponseWriter, err error) {
	code, status := "InternalError", http.StatusInternalServerError
	if e, ok := err.(interface {
		ErrorCode() string
		HTTPStatus() int
	}); ok {
		code, status = e.ErrorCode(), e.HTTPStatus()
	}
	writePlainError(w, status, code, err.Error(), c.RequestID)
}

func writePlainError(w http.ResponseWriter, status int, code, msg, reqID string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
