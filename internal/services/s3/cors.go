package s3

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	s3api "github.com/fogbank/fogbank/internal/api/s3"
	"github.com/fogbank/fogbank/internal/store"
)

// bucketFromPath returns the bucket of a path-style request path.
func bucketFromPath(p string) string {
	p = strings.TrimPrefix(p, "/")
	b, _, _ := strings.Cut(p, "/")
	return b
}

// originMatches applies S3's origin patterns: exact, "*", or one "*" wildcard.
func originMatches(pattern, origin string) bool {
	if pattern == "*" || pattern == origin {
		return true
	}
	if i := strings.Index(pattern, "*"); i >= 0 {
		pre, suf := pattern[:i], pattern[i+1:]
		return len(origin) >= len(pre)+len(suf) && strings.HasPrefix(origin, pre) && strings.HasSuffix(origin, suf)
	}
	return false
}

func headerAllowed(patterns []string, h string) bool {
	h = strings.ToLower(strings.TrimSpace(h))
	for _, p := range patterns {
		if originMatches(strings.ToLower(p), h) {
			return true
		}
	}
	return false
}

// corsRuleFor finds the first rule allowing origin, method and request headers.
func corsRuleFor(cfg *s3api.CORSConfiguration, origin, method string, headers []string) *s3api.CORSRule {
	for _, r := range cfg.CORSRules {
		okOrigin := false
		for _, o := range r.AllowedOrigins {
			if originMatches(o, origin) {
				okOrigin = true
				break
			}
		}
		if !okOrigin {
			continue
		}
		okMethod := false
		for _, m := range r.AllowedMethods {
			if m == method {
				okMethod = true
				break
			}
		}
		if !okMethod {
			continue
		}
		okHeaders := true
		for _, h := range headers {
			if strings.TrimSpace(h) != "" && !headerAllowed(r.AllowedHeaders, h) {
				okHeaders = false
				break
			}
		}
		if okHeaders {
			return r
		}
	}
	return nil
}

func (s *Service) corsConfig(bucket string) (*s3api.CORSConfiguration, bool, error) {
	var cfg s3api.CORSConfiguration
	var ok bool
	err := s.st.View(func(tx *store.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		var err error
		ok, err = getConfig(tx, bucket, cfgCORS, &cfg)
		return err
	})
	return &cfg, ok, err
}

// corsActual adds the CORS answer headers to a request carrying Origin, from
// the bucket's rules, whatever the request's outcome (S3 sends them on errors too).
func (s *Service) corsActual(w http.ResponseWriter, r *http.Request, origin string) {
	bucket := bucketFromPath(r.URL.EscapedPath())
	if bucket == "" {
		return
	}
	cfg, ok, err := s.corsConfig(bucket)
	if err != nil || !ok {
		return
	}
	method := r.Header.Get("Access-Control-Request-Method")
	if method == "" {
		method = r.Method
	}
	rule := corsRuleFor(cfg, origin, method, nil)
	if rule == nil {
		return
	}
	setCORSHeaders(w.Header(), rule, origin, method, nil)
}

// serveOptions answers a CORS preflight from the bucket's CORS rules.
func (s *Service) serveOptions(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	c := caller(ctx)
	bucket := bucketFromPath(r.URL.EscapedPath())
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if origin == "" || method == "" {
		writeRawError(w, c, api.Errorf(http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed."))
		return
	}
	if bucket == "" {
		writeRawError(w, c, api.Errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: Bucket not found"))
		return
	}
	cfg, ok, err := s.corsConfig(bucket)
	if err != nil {
		writeRawError(w, c, s.internal("OPTIONS", err))
		return
	}
	if !ok {
		writeRawError(w, c, api.Errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
			With("Method", method).With("ResourceType", "BUCKET"))
		return
	}
	var reqHeaders []string
	if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
		reqHeaders = strings.Split(h, ",")
	}
	rule := corsRuleFor(cfg, origin, method, reqHeaders)
	if rule == nil {
		writeRawError(w, c, api.Errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
			With("Method", method).With("ResourceType", "OBJECT"))
		return
	}
	setCORSHeaders(w.Header(), rule, origin, method, reqHeaders)
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.WriteHeader(http.StatusOK)
}

func setCORSHeaders(h http.Header, rule *s3api.CORSRule, origin, method string, reqHeaders []string) {
	allowOrigin := origin
	for _, o := range rule.AllowedOrigins {
		if o == "*" {
			allowOrigin = "*"
		}
	}
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(reqHeaders) > 0 {
		var hs []string
		for _, x := range reqHeaders {
			if x = strings.TrimSpace(x); x != "" {
				hs = append(hs, strings.ToLower(x))
			}
		}
		h.Set("Access-Control-Allow-Headers", strings.Join(hs, ", "))
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.FormatInt(*rule.MaxAgeSeconds, 10))
	}
	if allowOrigin != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	}
}

// writeRawError writes an S3 error for requests answered outside the codec.
func writeRawError(w http.ResponseWriter, c *api.Caller, err error) {
	ae, ok := err.(*api.Err)
	if !ok {
		ae = api.InternalError()
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>")
	xmlEscape(&b, ae.Code)
	b.WriteString("</Code><Message>")
	xmlEscape(&b, ae.Message)
	b.WriteString("</Message>")
	for _, f := range ae.Extra {
		b.WriteString("<" + f.Name + ">")
		xmlEscape(&b, f.Value)
		b.WriteString("</" + f.Name + ">")
	}
	b.WriteString("<RequestId>")
	xmlEscape(&b, c.RequestID)
	b.WriteString("</RequestId><HostId>")
	xmlEscape(&b, hostID(c.RequestID))
	b.WriteString("</HostId></Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", c.RequestID)
	w.Header().Set("x-amz-id-2", hostID(c.RequestID))
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(ae.Status)
	w.Write([]byte(b.String()))
}

func xmlEscape(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			if r < ' ' || r == 0xFFFE || r == 0xFFFF {
				// Not allowed literally in XML: a numeric reference, as S3 writes it.
				b.WriteString("&#x" + strings.ToUpper(strconv.FormatUint(uint64(r), 16)) + ";")
				continue
			}
			b.WriteRune(r)
		}
	}
}
