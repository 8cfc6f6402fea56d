package gateway

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol"
)

// Local says who may talk to fogbank. fogbank runs where people keep their
// work, usually beside a browser, and its credentials are no secret (test/test,
// or any unknown key, whose signatures are not checked): what keeps a web page
// from reading or changing its data is the Host a request names and the Origin
// a browser puts on it.
//
//   - Host: a request must name fogbank by a local name: a loopback or
//     unspecified address, localhost and its subdomains (virtual-hosted S3),
//     LocalStack's localhost.localstack.cloud and its subdomains, an AWS name
//     (what SDKs send when a proxy or /etc/hosts points one at fogbank:
//     s3.amazonaws.com, bucket.s3.us-east-1.amazonaws.com...), or a name in
//     AllowHosts. This defeats DNS rebinding, where a page whose own name
//     resolves to fogbank's address reads fogbank as its own origin: its
//     requests name the page's host. An attacker on the network can write any
//     Host; against that, fogbank listens on loopback unless told otherwise.
//   - Origin: a browser names the page behind every cross-origin request (and
//     every same-origin one that is not a GET or HEAD). A request from an
//     origin that is not allowed is refused whatever its service, before
//     anything is read: a CORS answer would only stop the page reading the
//     answer, not the request (a form POST needs no preflight). Allowed are
//     the origins of CORSOrigins (nil: "local", the origins whose host is a
//     loopback address, localhost or a subdomain of it) and fogbank's own
//     origin. Within those, S3 answers CORS from the bucket's configuration as
//     AWS does, and the other services let the origin read their answers.
//   - A cross-site request a browser sends without an Origin (an image,
//     script or link) may only read: one that names a query-protocol Action
//     (which may change state even as a GET) is refused.
type Local struct {
	// AllowHosts are more names to answer to ("fogbank" also allows
	// "bucket.fogbank"); "*" allows any Host.
	AllowHosts []string
	// CORSOrigins are the browser origins allowed ("http://app.test:3000"),
	// with "local" for every local origin and "*" for any; nil means "local".
	CORSOrigins []string
}

// refuseForeign answers 403 to a request from a host or origin fogbank does
// not serve (see Local), and tells whether it did.
func (g *Gateway) refuseForeign(w http.ResponseWriter, r *http.Request) bool {
	var why string
	origin := r.Header.Get("Origin")
	switch {
	case !g.cfg.Local.hostAllowed(r.Host):
		why = "The Host " + quoteShort(r.Host) + " is not a name fogbank answers to: it answers local names only " +
			"(start it with --allow-host NAME to answer another)."
	case origin != "" && !g.cfg.Local.originAllowed(origin, r.Host):
		why = "Requests from the browser origin " + quoteShort(origin) + " are not allowed: fogbank allows local origins only " +
			"(start it with --cors-origins ORIGIN to allow another)."
	case origin == "" && r.Header.Get("Sec-Fetch-Site") == "cross-site" && namesAction(r):
		why = "A cross-site request without an Origin may not call an Action."
	default:
		return false
	}
	g.log.Warn("refused a request from outside", "host", quoteShort(r.Host), "origin", quoteShort(origin),
		"method", r.Method, "path", quoteShort(r.URL.EscapedPath()))
	// Answered in the words of the service the request looks like, judged by
	// its headers and URL only: its body is not read.
	hr := *r
	hr.Body, hr.ContentLength, hr.Form, hr.PostForm = http.NoBody, 0, nil, nil
	c := &protocol.Call{RequestID: newRequestID()}
	sw := &statusWriter{ResponseWriter: w}
	inv := &Invocation{Operation: RefusedForeign, Header: r.Header, ResponseHeader: w.Header()}
	b, proto := g.identify(&hr)
	if b == nil {
		inv.Err = api.Errorf(http.StatusForbidden, "AccessDeniedException", "%s", why)
		writePlainError(sw, http.StatusForbidden, "AccessDeniedException", why, c.RequestID)
	} else {
		c.Service, c.Protocol, c.RequestID = b.Service, proto, requestIDFor(b.Service)
		inv.Service = b.Service
		code := "AccessDeniedException" // json, rest-json and cbor services
		if proto == protocol.RestXML || proto == protocol.Query {
			code = "AccessDenied"
		}
		inv.Err = api.Errorf(http.StatusForbidden, code, "%s", why)
		g.codecFor(c).EncodeError(c, sw, inv.Err)
	}
	if len(g.cfg.After) > 0 {
		g.after(r, c, sw, inv)
	}
	return true
}

// namesAction tells whether the URL carries a query-protocol Action.
func namesAction(r *http.Request) bool {
	return strings.Contains(r.URL.RawQuery, "Action=") && r.URL.Query().Get("Action") != ""
}

// allowOrigin lets the browser page behind r read the answer of a service
// other than S3 (whose CORS is the bucket's): the origin passed refuseForeign.
// With --cors-origins '*' the answer is AWS's own, "*".
func (g *Gateway) allowOrigin(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	switch {
	case o == "":
	case slices.Contains(g.cfg.Local.CORSOrigins, "*"):
		w.Header().Set("Access-Control-Allow-Origin", "*")
	default:
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Add("Vary", "Origin")
	}
}

func (l *Local) hostAllowed(hostport string) bool {
	if hostport == "" {
		return true // HTTP/1.0 without a Host: not a browser
	}
	host := hostName(hostport)
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() || ip.IsUnspecified() {
			return true
		}
	} else if isLocalName(host) || underAny(host, "localhost.localstack.cloud",
		"amazonaws.com", "amazonaws.com.cn", "api.aws", "on.aws") {
		return true
	}
	for _, a := range l.AllowHosts {
		if a == "*" || underAny(host, hostName(a)) {
			return true
		}
	}
	return false
}

func (l *Local) originAllowed(origin, host string) bool {
	u, err := url.Parse(origin)
	sameOrigin := err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
	if sameOrigin {
		return true // a page fogbank served itself (its Host passed hostAllowed)
	}
	list := l.CORSOrigins
	if list == nil {
		list = []string{"local"}
	}
	for _, a := range list {
		switch {
		case a == "*":
			return true
		case a == "local":
			if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && isLocalHost(hostName(u.Host)) {
				return true
			}
		case strings.EqualFold(strings.TrimSuffix(a, "/"), origin):
			return true
		}
	}
	return false
}

// isLocalHost: a loopback address, localhost or a subdomain of it.
func isLocalHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return isLocalName(host)
}

func isLocalName(host string) bool { return underAny(host, "localhost") }

// underAny tells whether host is one of names or a subdomain of one.
func underAny(host string, names ...string) bool {
	for _, n := range names {
		if n != "" && (host == n || strings.HasSuffix(host, "."+n)) {
			return true
		}
	}
	return false
}

// hostName is the lower-case name or address of a Host value, without port,
// brackets or a final dot.
func hostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	return strings.ToLower(h)
}

// quoteShort quotes s for a message or the log, cut at 200 bytes.
func quoteShort(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
