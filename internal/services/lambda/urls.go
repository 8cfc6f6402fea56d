package lambda

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fogbank/fogbank/internal/api"
	lambdaapi "github.com/fogbank/fogbank/internal/api/lambda"
	"github.com/fogbank/fogbank/internal/auth"
	"github.com/fogbank/fogbank/internal/store"
)

// Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs keep one
// configuration per function (and alias); the URL is served over plain HTTP
// by fogbank itself. On AWS it is https://<url-id>.lambda-url.<region>.on.aws/;
// here http://<url-id>.lambda-url.<region>.localhost:<port>/ (or
// ....localhost.localstack.cloud), and <fogbank>/_fogbank/lambda/url/<url-id>/
// whose remainder is the request's path (urlOf says which is answered). A request becomes the payload format 2.0 event AWS sends,
// and the function's answer the HTTP response as AWS maps it: an object with
// statusCode is taken as the response (headers, cookies, body,
// isBase64Encoded); anything else is a 200 application/json body. A function
// error answers 502, a throttle 429. AuthType AWS_IAM asks for a valid
// SigV4 signature, and with IAM enforcement lambda:InvokeFunctionUrl
// (authorizeURL). InvokeMode RESPONSE_STREAM is recorded and answered buffered.

const (
	urlBucket   = "urls"   // function key 0 qualifier → urlConfig
	urlIDBucket = "urlids" // url id → function key 0 qualifier
	urlRoute    = "/url/"  // under host.RoutePrefix + "lambda"
)

type urlConfig struct {
	ID, Account, Region, Function, Qualifier string
	AuthType, InvokeMode                     string
	Cors                                     *lambdaapi.Cors `json:",omitempty"`
	Created, Modified                        string
}

func urlKey(account, region, name, qual string) []byte {
	return append(append(key(account, region, name), 0), qual...)
}

// urlOf is a function URL: AWS's form, http://<id>.lambda-url.<region>.localhost:<port>/,
// where this machine resolves *.localhost to loopback (as systemd-resolved
// does; browsers always do); else the path form on fogbank's own address,
// which any client reaches. Both are served either way, and
// <id>.lambda-url.<region>.localhost.localstack.cloud too.
func (s *Service) urlOf(c *urlConfig) string {
	base := s.env.URL()
	if u, err := url.Parse(base); err == nil && u.Port() != "" && localhostResolves() {
		return "http://" + c.ID + ".lambda-url." + c.Region + ".localhost:" + u.Port() + "/"
	}
	return base + "/_fogbank/lambda/url/" + c.ID + "/"
}

var (
	resolvesOnce sync.Once
	resolves     bool
)

// localhostResolves tells whether a name under localhost resolves to
// loopback addresses here (looked up once; glibc without systemd-resolved,
// Go's resolver and curl before 8 do not).
func localhostResolves() bool {
	resolvesOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupHost(ctx, "fogbank-check.lambda-url.us-east-1.localhost")
		resolves = err == nil && len(addrs) > 0
		for _, a := range addrs {
			if ip := net.ParseIP(a); ip == nil || !ip.IsLoopback() {
				resolves = false
			}
		}
	})
	return resolves
}

// urlHost parses a function URL's Host name: <id>.lambda-url.<region>.localhost
// or <id>.lambda-url.<region>.localhost.localstack.cloud (AWS's is
// <id>.lambda-url.<region>.on.aws). Both are under names the gateway's Host
// check allows, and nothing else matches.
func urlHost(name string) (id, region string, ok bool) {
	for _, suffix := range []string{".localhost.localstack.cloud", ".localhost"} {
		if rest, found := strings.CutSuffix(name, suffix); found {
			parts := strings.Split(rest, ".")
			if len(parts) == 3 && parts[1] == "lambda-url" && parts[0] != "" && parts[2] != "" {
				return parts[0], parts[2], true
			}
			return "", "", false
		}
	}
	return "", "", false
}

func (s *Service) urlOut(c *urlConfig) *lambdaapi.FunctionUrlConfig {
	arn := "arn:aws:lambda:" + c.Region + ":" + c.Account + ":function:" + c.Function
	if c.Qualifier != "" {
		arn += ":" + c.Qualifier
	}
	return &lambdaapi.FunctionUrlConfig{FunctionUrl: api.String(s.urlOf(c)), FunctionArn: api.String(arn),
		AuthType: api.String(c.AuthType), InvokeMode: api.String(c.InvokeMode), Cors: c.Cors,
		CreationTime: api.String(c.Created), LastModifiedTime: api.String(c.Modified)}
}

func checkURLParams(auth, mode *string) error {
	if auth != nil && *auth != "NONE" && *auth != "AWS_IAM" {
		return validation("1 validation error detected: Value '%s' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]", *auth)
	}
	if mode != nil && *mode != "BUFFERED" && *mode != "RESPONSE_STREAM" {
		return validation("1 validation error detected: Value '%s' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]", *mode)
	}
	return nil
}

// urlTarget resolves a function URL's FunctionName and Qualifier: the
// function must exist, and a qualifier must be $LATEST or an alias.
func (s *Service) urlTarget(ctx context.Context, fn, qualifier *string) (account, region, name, qual string, err error) {
	n, q, err := splitQualifier(api.ToString(fn))
	if err != nil {
		return
	}
	if qualifier != nil {
		if q != "" && q != *qualifier {
			err = invalid("The derived qualifier from the function name does not match the specified qualifier.")
			return
		}
		q = *qualifier
	}
	c := api.CallerFrom(ctx)
	if account, region, name, err = resolveFor(c.Account, c.Region, n); err != nil {
		return
	}
	if q != "" && q != "$LATEST" {
		if _, perr := strconv.Atoi(q); perr == nil {
			err = invalid("1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)", q)
			return
		}
	}
	if _, err = s.loadQualified(account, region, name, q, false); err != nil {
		return
	}
	return account, region, name, q, nil
}

func urlNotFound() error {
	return &lambdaapi.ResourceNotFoundException{Type: api.String("User"), Message: api.String("The resource you requested does not exist.")}
}

// CreateFunctionUrlConfig gives a function (or alias) its URL.
func (s *Service) CreateFunctionUrlConfig(ctx context.Context, in *lambdaapi.CreateFunctionUrlConfigRequest) (*lambdaapi.CreateFunctionUrlConfigResponse, error) {
	if err := checkURLParams(in.AuthType, in.InvokeMode); err != nil {
		return nil, err
	}
	account, region, name, qual, err := s.urlTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Format("2006-01-02T15:04:05.000000Z")
	c := &urlConfig{ID: urlID(), Account: account, Region: region, Function: name, Qualifier: qual,
		AuthType: api.ToString(in.AuthType), InvokeMode: "BUFFERED", Cors: in.Cors, Created: now, Modified: now}
	if in.InvokeMode != nil {
		c.InvokeMode = *in.InvokeMode
	}
	k := urlKey(account, region, name, qual)
	err = s.st.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucket(rootBucket, urlBucket)
		if err != nil {
			return err
		}
		if b.Get(k) != nil {
			arn := "arn:aws:lambda:" + region + ":" + account + ":function:" + name
			if qual != "" {
				arn += ":" + qual
			}
			return &lambdaapi.ResourceConflictException{Type: api.String("User"), Message: api.String(
				"Failed to create function url config for [functionArn = " + arn + "]. Error message:  FunctionUrlConfig exists for this Lambda function")}
		}
		ib, err := tx.CreateBucket(rootBucket, urlIDBucket)
		if err != nil {
			return err
		}
		if err := ib.Put([]byte(c.ID), k); err != nil {
			return err
		}
		return b.PutJSON(k, c)
	})
	if err != nil {
		return nil, err
	}
	o := s.urlOut(c)
	return &lambdaapi.CreateFunctionUrlConfigResponse{FunctionUrl: o.FunctionUrl, FunctionArn: o.FunctionArn, AuthType: o.AuthType,
		Cors: o.Cors, CreationTime: o.CreationTime, InvokeMode: o.InvokeMode}, nil
}

func (s *Service) readURL(account, region, name, qual string) (*urlConfig, error) {
	var c *urlConfig
	err := s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, urlBucket)
		k := urlKey(account, region, name, qual)
		if b == nil || b.Get(k) == nil {
			return urlNotFound()
		}
		c = new(urlConfig)
		return b.GetJSON(k, c)
	})
	return c, err
}

// GetFunctionUrlConfig answers a function URL's configuration.
func (s *Service) GetFunctionUrlConfig(ctx context.Context, in *lambdaapi.GetFunctionUrlConfigRequest) (*lambdaapi.GetFunctionUrlConfigResponse, error) {
	account, region, name, qual, err := s.urlTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	c, err := s.readURL(account, region, name, qual)
	if err != nil {
		return nil, err
	}
	o := s.urlOut(c)
	return &lambdaapi.GetFunctionUrlConfigResponse{FunctionUrl: o.FunctionUrl, FunctionArn: o.FunctionArn, AuthType: o.AuthType,
		Cors: o.Cors, CreationTime: o.CreationTime, LastModifiedTime: o.LastModifiedTime, InvokeMode: o.InvokeMode}, nil
}

// UpdateFunctionUrlConfig changes what is given of AuthType, Cors and InvokeMode.
func (s *Service) UpdateFunctionUrlConfig(ctx context.Context, in *lambdaapi.UpdateFunctionUrlConfigRequest) (*lambdaapi.UpdateFunctionUrlConfigResponse, error) {
	if err := checkURLParams(in.AuthType, in.InvokeMode); err != nil {
		return nil, err
	}
	account, region, name, qual, err := s.urlTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	k := urlKey(account, region, name, qual)
	c := new(urlConfig)
	err = s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, urlBucket)
		if b == nil || b.Get(k) == nil {
			return urlNotFound()
		}
		if err := b.GetJSON(k, c); err != nil {
			return err
		}
		if in.AuthType != nil {
			c.AuthType = *in.AuthType
		}
		if in.InvokeMode != nil {
			c.InvokeMode = *in.InvokeMode
		}
		if in.Cors != nil {
			c.Cors = in.Cors
		}
		c.Modified = s.now().UTC().Format("2006-01-02T15:04:05.000000Z")
		return b.PutJSON(k, c)
	})
	if err != nil {
		return nil, err
	}
	o := s.urlOut(c)
	return &lambdaapi.UpdateFunctionUrlConfigResponse{FunctionUrl: o.FunctionUrl, FunctionArn: o.FunctionArn, AuthType: o.AuthType,
		Cors: o.Cors, CreationTime: o.CreationTime, LastModifiedTime: o.LastModifiedTime, InvokeMode: o.InvokeMode}, nil
}

// DeleteFunctionUrlConfig removes a function URL: it answers 404 from then on.
func (s *Service) DeleteFunctionUrlConfig(ctx context.Context, in *lambdaapi.DeleteFunctionUrlConfigRequest) (*lambdaapi.DeleteFunctionUrlConfigOutput, error) {
	account, region, name, qual, err := s.urlTarget(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	k := urlKey(account, region, name, qual)
	err = s.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, urlBucket)
		if b == nil || b.Get(k) == nil {
			return urlNotFound()
		}
		var c urlConfig
		if err := b.GetJSON(k, &c); err != nil {
			return err
		}
		if ib := tx.Bucket(rootBucket, urlIDBucket); ib != nil {
			if err := ib.Delete([]byte(c.ID)); err != nil {
				return err
			}
		}
		return b.Delete(k)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteFunctionUrlConfigOutput{}, nil
}

// ListFunctionUrlConfigs lists a function's URLs (its own and its aliases').
func (s *Service) ListFunctionUrlConfigs(ctx context.Context, in *lambdaapi.ListFunctionUrlConfigsRequest) (*lambdaapi.ListFunctionUrlConfigsResponse, error) {
	account, region, name, err := resolve(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.load(account, region, name); err != nil {
		return nil, err
	}
	max := 50
	if in.MaxItems != nil && *in.MaxItems > 0 && *in.MaxItems < 50 {
		max = int(*in.MaxItems)
	}
	// The marker is the last qualifier listed ("$LATEST" stands for none).
	var all []urlConfig
	err = s.st.View(func(tx *store.Tx) error {
		b := tx.Bucket(rootBucket, urlBucket)
		if b == nil {
			return nil
		}
		return b.ForEachPrefix(append(key(account, region, name), 0), func(k, v []byte) error {
			var c urlConfig
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			all = append(all, c)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListFunctionUrlConfigsResponse{FunctionUrlConfigs: []*lambdaapi.FunctionUrlConfig{}}
	marker, past := api.ToString(in.Marker), in.Marker == nil
	for i := range all {
		q := all[i].Qualifier
		if q == "" {
			q = "$LATEST"
		}
		if !past {
			past = q == marker
			continue
		}
		if len(out.FunctionUrlConfigs) == max {
			prev := all[i-1].Qualifier
			if prev == "" {
				prev = "$LATEST"
			}
			out.NextMarker = api.String(prev)
			break
		}
		out.FunctionUrlConfigs = append(out.FunctionUrlConfigs, s.urlOut(&all[i]))
	}
	return out, nil
}

// urlID is a URL id as AWS makes them: 32 lowercase letters and digits.
func urlID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// urlForbidden is what a function URL answers a request its AuthType or
// policies do not let through (403, x-amzn-ErrorType AccessDeniedException).
const urlForbidden = "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"

// urlAuthorizer is what AWS_IAM function URLs need of IAM: whether it
// refuses unknown keys, and whether a caller may do an action on the function.
type urlAuthorizer interface {
	Enforcing() bool
	AuthorizeAction(c *api.Caller, action, resource, resourcePolicy string, conds map[string][]string) error
}

// authorizeURL checks a request to an AWS_IAM function URL as AWS does: a
// SigV4 signature (header or presigned query) for the service lambda in the
// function's region, by a key fogbank knows the secret of (or, without IAM
// enforcement, any key it does not: its account's root, as elsewhere). With
// enforcement, the caller's policies or the function's resource policy must
// allow lambda:InvokeFunctionUrl and, as for every URL created since
// October 2025, lambda:InvokeFunction too. It answers the refusal itself and
// returns nil, or returns the caller.
//
// A request without a signature, or one the policies refuse, gets the
// generic 403 (urlForbidden); a signature that does not verify gets the
// front end's own words, {"message": ...} in lower case, as AWS answers it.
func (s *Service) authorizeURL(w http.ResponseWriter, r *http.Request, c *urlConfig) *api.Caller {
	var keys auth.Keys
	if s.env != nil {
		keys = s.env.Keys
	}
	v := &auth.Verifier{Keys: keys, MaxBody: maxSyncPayload, RefuseUnknown: s.urlAuth != nil && s.urlAuth.Enforcing(),
		Style: func(string) auth.Style { return auth.StyleRestJSON }}
	res, err := v.Verify(r)
	if err != nil {
		code, msg := "InvalidSignatureException", err.Error()
		var ae *api.Err
		if errors.As(err, &ae) {
			code, msg = ae.Code, ae.Message
		}
		urlSignatureError(w, code, msg)
		return nil
	}
	switch {
	case res.Principal.Anonymous:
		urlRefuse(w)
		return nil
	case res.Service != "lambda":
		urlSignatureError(w, "InvalidSignatureException", "Credential should be scoped to correct service: 'lambda'. ")
		return nil
	case res.Region != c.Region:
		urlSignatureError(w, "InvalidSignatureException", "Credential should be scoped to a valid region. ")
		return nil
	}
	p := res.Principal
	caller := &api.Caller{Account: p.Account, Region: c.Region, AccessKeyID: p.AccessKeyID, ARN: p.ARN, UserID: p.UserID, Host: r.Host}
	if s.urlAuth == nil || !s.urlAuth.Enforcing() {
		return caller
	}
	arn := "arn:aws:lambda:" + c.Region + ":" + c.Account + ":function:" + c.Function
	if c.Qualifier != "" {
		arn += ":" + c.Qualifier
	}
	var doc string
	s.st.View(func(tx *store.Tx) error {
		if pb := tx.Bucket(rootBucket, policyBucket); pb != nil {
			doc = string(pb.Get(policyKey(c.Account, c.Region, c.Function, c.Qualifier)))
		}
		return nil
	})
	for _, check := range []struct {
		action string
		conds  map[string][]string
	}{
		{"lambda:InvokeFunctionUrl", map[string][]string{"lambda:FunctionUrlAuthType": {"AWS_IAM"}}},
		{"lambda:InvokeFunction", map[string][]string{"lambda:InvokedViaFunctionUrl": {"true"}}},
	} {
		// The denial's words (naming the action missing) go to fogbank's
		// log; the caller sees only AWS's generic 403.
		if err := s.urlAuth.AuthorizeAction(caller, check.action, arn, doc, check.conds); err != nil {
			urlRefuse(w)
			return nil
		}
	}
	return caller
}

// urlRefuse answers AWS's generic 403 of function URLs.
func urlRefuse(w http.ResponseWriter) {
	w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
	urlMessage(w, http.StatusForbidden, urlForbidden)
}

// urlSignatureError answers a signature that does not verify: 403, the
// error's code as x-amzn-ErrorType and its message under "message".
func urlSignatureError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Write(b)
}

// urlMessage answers as a function URL answers what it refuses.
func urlMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"Message": msg})
	w.Write(b) // as AWS sends it: no final newline
}

// textual tells whether a body of content type ct is sent to the function as
// text (else base64, isBase64Encoded).
func textual(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	return strings.HasPrefix(ct, "text/") || ct == "application/json" || ct == "application/xml" ||
		ct == "application/javascript" || ct == "application/x-www-form-urlencoded" ||
		strings.HasSuffix(ct, "+json") || strings.HasSuffix(ct, "+xml") || ct == ""
}

// urlEvent is the payload format 2.0 event of a function URL request.
func urlEvent(c *urlConfig, r *http.Request, path string, body []byte, requestID string, now time.Time, caller *api.Caller) ([]byte, error) {
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, part := range strings.Split(v, ";") {
					if part = strings.TrimSpace(part); part != "" {
						cookies = append(cookies, part)
					}
				}
			}
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	if _, ok := headers["x-forwarded-proto"]; !ok {
		headers["x-forwarded-proto"] = "http"
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if _, ok := headers["x-forwarded-for"]; !ok {
		headers["x-forwarded-for"] = ip
	}
	account := "anonymous"
	if c.AuthType == "AWS_IAM" {
		account = c.Account
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       "$default",
		"rawPath":        path,
		"rawQueryString": r.URL.RawQuery,
		"headers":        headers,
		"requestContext": map[string]any{
			"accountId":    account,
			"apiId":        c.ID,
			"domainName":   host,
			"domainPrefix": c.ID,
			"http": map[string]string{
				"method": r.Method, "path": path, "protocol": r.Proto, "sourceIp": ip, "userAgent": r.UserAgent(),
			},
			"requestId": requestID,
			"routeKey":  "$default",
			"stage":     "$default",
			"time":      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			"timeEpoch": now.UnixMilli(),
		},
		"isBase64Encoded": false,
	}
	if caller != nil {
		// Who signed the request, as AWS_IAM URLs tell the function.
		ev["requestContext"].(map[string]any)["authorizer"] = map[string]any{"iam": map[string]any{
			"accessKey": caller.AccessKeyID, "accountId": caller.Account, "callerId": caller.UserID,
			"cognitoIdentity": nil, "principalOrgId": nil, "userArn": caller.ARN, "userId": caller.UserID,
		}}
	}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	if q := r.URL.Query(); len(q) > 0 {
		qs := map[string]string{}
		for k, vs := range q {
			qs[k] = strings.Join(vs, ",")
		}
		ev["queryStringParameters"] = qs
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev["body"] = string(body)
		} else {
			ev["body"] = base64.StdEncoding.EncodeToString(body)
			ev["isBase64Encoded"] = true
		}
	}
	return json.Marshal(ev)
}

// corsHeaders sets the CORS answer for an allowed Origin; preflight adds
// what an OPTIONS preflight is told.
func corsHeaders(w http.ResponseWriter, cors *lambdaapi.Cors, origin string, preflight bool) {
	if cors == nil || origin == "" {
		return
	}
	allowed := ""
	for _, o := range cors.AllowOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			allowed = o
			if cors.AllowCredentials != nil && *cors.AllowCredentials || o != "*" {
				allowed = origin
			}
			break
		}
	}
	if allowed == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allowed)
	if cors.AllowCredentials != nil && *cors.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(cors.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(cors.ExposeHeaders, ","))
	}
	if preflight {
		if len(cors.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(cors.AllowMethods, ","))
		}
		if len(cors.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(cors.AllowHeaders, ","))
		}
		if cors.MaxAge != nil && *cors.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.FormatInt(*cors.MaxAge, 10))
		}
	}
}

// serveURL serves function URLs by path: /_fogbank/lambda/url/<url-id>/<path>.
func (s *Service) serveURL(w http.ResponseWriter, r *http.Request) {
	rest := r.URL.EscapedPath()
	if i := strings.Index(rest, "/lambda"+urlRoute); i >= 0 {
		rest = rest[i+len("/lambda"+urlRoute):]
	}
	id, path, _ := strings.Cut(rest, "/")
	s.serveFunctionURL(w, r, id, "", "/"+path)
}

// serveURLHost serves function URLs by host name (urlHost).
func (s *Service) serveURLHost(w http.ResponseWriter, r *http.Request) {
	name := r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	id, region, _ := urlHost(strings.ToLower(strings.TrimSuffix(name, ".")))
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	s.serveFunctionURL(w, r, id, region, path)
}

// serveFunctionURL answers a request to the URL id (of region, when the
// host named one) for path.
func (s *Service) serveFunctionURL(w http.ResponseWriter, r *http.Request, id, region, path string) {
	var c urlConfig
	found := false
	s.st.View(func(tx *store.Tx) error {
		ib, b := tx.Bucket(rootBucket, urlIDBucket), tx.Bucket(rootBucket, urlBucket)
		if ib == nil || b == nil {
			return nil
		}
		k := ib.Get([]byte(id))
		if k == nil || b.Get(k) == nil {
			return nil
		}
		// An id left by a deleted function names no config, or a newer one.
		found = b.GetJSON(k, &c) == nil && c.ID == id && (region == "" || region == c.Region)
		return nil
	})
	if !found {
		urlMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	requestID := newRequestID()
	w.Header().Set("X-Amzn-Requestid", requestID)
	origin := r.Header.Get("Origin")
	if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" && c.Cors != nil {
		corsHeaders(w, c.Cors, origin, true)
		w.WriteHeader(http.StatusOK)
		return
	}
	var caller *api.Caller
	if c.AuthType == "AWS_IAM" {
		if caller = s.authorizeURL(w, r, &c); caller == nil {
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		urlMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > maxSyncPayload {
		urlMessage(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload))
		return
	}
	ev, err := urlEvent(&c, r, path, body, requestID, s.now(), caller)
	if err != nil {
		urlMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	res, err := s.invoke(r.Context(), invokeRequest{Account: c.Account, Region: c.Region, Function: c.Function, Qualifier: c.Qualifier, Payload: ev})
	corsHeaders(w, c.Cors, origin, false)
	if err != nil {
		var tooMany *lambdaapi.TooManyRequestsException
		if errors.As(err, &tooMany) {
			urlMessage(w, http.StatusTooManyRequests, "Rate Exceeded.")
			return
		}
		if r.Context().Err() != nil {
			return
		}
		s.warn("lambda: a function URL's invocation failed", err)
		urlMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	if res.FunctionError != "" {
		urlMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	writeURLResult(w, res.Payload)
}

// writeURLResult maps a function's result to the HTTP response as AWS does:
// an object with statusCode is the response; anything else is a 200 JSON body.
func writeURLResult(w http.ResponseWriter, payload []byte) {
	var shaped struct {
		StatusCode      *int              `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Cookies         []string          `json:"cookies"`
		Body            *string           `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if len(payload) > 0 && payload[0] == '{' && json.Unmarshal(payload, &shaped) == nil && shaped.StatusCode != nil {
		h := w.Header()
		for k, v := range shaped.Headers {
			h.Set(k, v)
		}
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
		for _, ck := range shaped.Cookies {
			h.Add("Set-Cookie", ck)
		}
		var body []byte
		if shaped.Body != nil {
			body = []byte(*shaped.Body)
			if shaped.IsBase64Encoded {
				if b, err := base64.StdEncoding.DecodeString(*shaped.Body); err == nil {
					body = b
				}
			}
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(*shaped.StatusCode)
		w.Write(body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(payload)
}
