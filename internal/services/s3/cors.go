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
func (s *Service) corsActual(h http.Header, bucket, origin, reqMethod, method string) {
	if bucket == "" {
		return
	}
	cfg, ok, err := s.corsConfig(bucket)
	if err != nil || !ok {
		return
	}
	if reqMethod != "" {
		method = reqMethod
	}
	rule := corsRuleFor(cfg, origin, method, nil)
	if rule == nil {
		return
	}
	setCORSHeaders(h, rule, origin, method, nil)
}

// PreflightRequest answers a CORS preflight (OPTIONS) from the bucket's CORS rules.
func (s *Service) PreflightRequest(ctx context.Context, in *PreflightRequestInput) (*PreflightRequestOutput, error) {
	bucket, origin, method := api.ToString(in.Bucket), api.ToString(in.Origin), api.ToString(in.RequestMethod)
	if origin == "" || method == "" {
		return nil, api.Errorf(http.StatusBadRequest, "BadRequest", "Insufficient information. Origin request header needed.")
	}
	if bucket == "" {
		return nil, api.Errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: Bucket not found")
	}
	cfg, ok, err := s.corsConfig(bucket)
	if err != nil {
		return nil, s.internal("OPTIONS", err)
	}
	if !ok {
		return nil, api.Errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
			With("Method", method).With("ResourceType", "BUCKET")
	}
	var reqHeaders []string
	if h := api.ToString(in.RequestHeaders); h != "" {
		reqHeaders = strings.Split(h, ",")
	}
	rule := corsRuleFor(cfg, origin, method, reqHeaders)
	if rule == nil {
		return nil, api.Errorf(http.StatusForbidden, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
			With("Method", method).With("ResourceType", "OBJECT")
	}
	h := http.Header{}
	setCORSHeaders(h, rule, origin, method, reqHeaders)
	get := func(k string) *string {
		if v := h.Get(k); v != "" {
			return &v
		}
		return nil
	}
	return &PreflightRequestOutput{AllowOrigin: get("Access-Control-Allow-Origin"), AllowMethods: get("Access-Control-Allow-Methods"),
		AllowHeaders: get("Access-Control-Allow-Headers"), ExposeHeaders: get("Access-Control-Expose-Headers"),
		MaxAge: get("Access-Control-Max-Age"), AllowCredentials: get("Access-Control-Allow-Credentials"), Vary: get("Vary")}, nil
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
			b.WriteRune(r)
		}
	}
}
