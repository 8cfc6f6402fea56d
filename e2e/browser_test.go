package e2e

// A real browser against fogbank: Debian's headless Chromium loads pages from a
// foreign origin (http://evil.example, mapped to 127.0.0.1 with
// --host-resolver-rules) and from localhost, and each page tries to read and
// write fogbank's data and reports what it saw to this test's own server.
//
//   - evil.html, from http://evil.example:PAGES, calls fogbank at its address
//     (CORS): DynamoDB Scan and PutItem with an unknown key (never checked),
//     S3 GET and PUT through URLs presigned with the public test/test key (on a
//     bucket whose CORS rules allow any origin), and an S3 form POST upload,
//     which a browser sends without a preflight.
//   - rebind.html is DNS rebinding: the page comes from http://evil.example:R,
//     and every later connection to that origin reaches fogbank (a proxy
//     stands in for the DNS answer changing to 127.0.0.1), so the page's
//     same-origin requests hit fogbank with Host: evil.example:R and it could
//     read the answers.
//   - local.html, from http://localhost:PAGES, makes the same calls to a
//     fogbank with the default origins (allowed), and to one started with
//     --cors-origins listing another origin (refused).
//
// Afterwards the test checks fogbank's data from Go: nothing was written.

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const chromiumBin = "/usr/bin/chromium"

func TestBrowserCannotReachFogbankFromForeignOrigins(t *testing.T) {
	need(t, chromiumBin)                                          // skips with one line naming it, or fails when CI=true
	open := start(t, "")                                          // default: local origins only
	strict := start(t, "", "--cors-origins", "http://app.test:1") // localhost not listed
	for _, f := range []*fogbank{open, strict} {
		seed(t, f)
	}

	pages := newPageServer(t)
	rebind := rebindProxy(t, open.URL, pages)
	_, pagePort, _ := net.SplitHostPort(pages.addr)
	evil := "http://evil.example:" + pagePort
	local := "http://localhost:" + pagePort
	pages.set("evil", pageConfig(t, open, evil, "evil"))
	pages.set("rebind", pageConfig(t, open, "", "rebind")) // same-origin: relative URLs
	pages.set("local-open", pageConfig(t, open, local, "local-open"))
	pages.set("local-strict", pageConfig(t, strict, local, "local-strict"))
	pages.want = 4

	top := local + "/top.html?frames=" + strings.Join([]string{
		evil + "/page.html?name=evil",
		"http://evil.example:" + rebind + "/rebind.html",
		local + "/page.html?name=local-open",
		local + "/page.html?name=local-strict",
	}, ",")
	began := time.Now()
	runChromium(t, top, pages)
	t.Logf("chromium ran the pages in %v", time.Since(began).Round(time.Millisecond))

	got := pages.results()
	want := map[string]map[string]string{
		"evil": {
			"ddb-scan": "blocked", "ddb-put": "blocked", "s3-get": "blocked", "s3-put": "blocked",
			"s3-get-localhost": "blocked", "s3-form-post": "sent",
		},
		"rebind": {
			"ddb-scan": "403 AccessDeniedException", "ddb-put": "403 AccessDeniedException",
			"s3-get": "403 AccessDenied", "s3-put": "403 AccessDenied", "s3-list": "403 AccessDenied",
		},
		"local-open": {
			"ddb-scan": "200 secret-value", "ddb-put": "200", "s3-get": "200 secret-value",
			"s3-put":        "200",     // a presigned PUT: its preflight is answered from the bucket's CORS rules
			"s3-get-nocors": "blocked", // S3 answers from the bucket's CORS rules: none here
		},
		"local-strict": {"ddb-scan": "blocked", "ddb-put": "blocked", "s3-get": "blocked"},
	}
	for page, checks := range want {
		for name, w := range checks {
			if g := got[page][name]; g != w {
				t.Errorf("%s page, %s: got %q, want %q", page, name, g, w)
			}
		}
	}
	t.Logf("what the pages saw: %v", got)

	// Nothing from the foreign pages reached the data; the local page's PutItem did.
	for _, f := range []*fogbank{open, strict} {
		ctx := context.Background()
		s3c := s3Client(f)
		out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secret"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out.Body)
		if string(b) != "secret-value" {
			t.Errorf("%s: secret/k is %q after the pages ran", f.URL, b)
		}
		for _, key := range []string{"pwned", "pwned-form"} {
			if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("secret"), Key: aws.String(key)}); err == nil {
				t.Errorf("%s: a foreign page wrote secret/%s", f.URL, key)
			}
		}
		_, err = s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("secret"), Key: aws.String("from-localhost")})
		if wrote := err == nil; wrote != (f == open) {
			t.Errorf("%s: the localhost page's presigned PUT wrote: %v, want %v", f.URL, wrote, f == open)
		}
		items, err := ddbClient(f).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("secrets")})
		if err != nil {
			t.Fatal(err)
		}
		wantItems := 1
		if f == open {
			wantItems = 2 // secret, and the local page's "from-localhost"
		}
		if int(items.Count) != wantItems {
			t.Errorf("%s: table has %d items after the pages ran, want %d: %v", f.URL, items.Count, wantItems, items.Items)
		}
	}
	// The form POST the evil page sent is a valid upload: from a client that is
	// not a browser page it writes the object.
	if code := postForm(t, open, "control"); code != 204 {
		t.Errorf("the evil page's form POST, sent without an Origin: %d, want 204 (so the page's attempt was a real one)", code)
	}
}

// seed makes the data the pages go after: secret/k (in a bucket whose CORS
// allows any origin), nocors/k (no CORS rules), and a DynamoDB item.
func seed(t *testing.T, f *fogbank) {
	ctx := context.Background()
	s3c := s3Client(f)
	for _, b := range []string{"secret", "nocors"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("secret-value")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s3c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("secret"), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "PUT", "POST"}, AllowedHeaders: []string{"*"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	ddb := ddbClient(f)
	_, err = ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("secrets"),
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		BillingMode:          ddbtypes.BillingModePayPerRequest})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("secrets"),
		Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "secret-value"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// config is what a page is told: where fogbank is (empty: its own origin) and
// the URLs and form fields an attacker would make with the public test/test key.
type config struct {
	Name       string            `json:"name"`
	Fogbank    string            `json:"fogbank"`
	Localhost  string            `json:"localhost"` // fogbank as http://localhost:PORT
	GetURL     string            `json:"getURL"`
	NoCORSURL  string            `json:"noCORSURL"`
	PutURL     string            `json:"putURL"`
	FormFields map[string]string `json:"formFields"`
	PutItemKey string            `json:"putItemKey"`
}

func pageConfig(t *testing.T, f *fogbank, origin, name string) config {
	ctx := context.Background()
	pre := s3.NewPresignClient(s3Client(f))
	get, err := pre.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("secret"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	nocors, err := pre.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nocors"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	put, err := pre.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secret"), Key: aws.String("pwned")})
	if err != nil {
		t.Fatal(err)
	}
	c := config{Name: name, Fogbank: f.URL, GetURL: get.URL, NoCORSURL: nocors.URL, PutURL: put.URL,
		FormFields: formFields("pwned-form"), PutItemKey: "pwned"}
	if strings.HasPrefix(origin, "http://localhost") {
		c.PutItemKey = "from-localhost"
		put, err = pre.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secret"), Key: aws.String("from-localhost")})
		if err != nil {
			t.Fatal(err)
		}
		c.PutURL = put.URL
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(f.URL, "http://"))
	c.Localhost = "http://localhost:" + port
	if origin == "" { // same origin: paths only
		for _, u := range []*string{&c.GetURL, &c.NoCORSURL, &c.PutURL} {
			*u = strings.TrimPrefix(*u, f.URL)
		}
		c.Fogbank = ""
	}
	return c
}

// formFields are the fields of an S3 browser POST upload of key to bucket
// "secret", its policy signed with test/test (SigV4).
func formFields(key string) map[string]string {
	now := time.Now().UTC()
	date, amzDate := now.Format("20060102"), now.Format("20060102T150405Z")
	cred := "test/" + date + "/us-east-1/s3/aws4_request"
	policy, _ := json.Marshal(map[string]any{
		"expiration": now.Add(time.Hour).Format("2006-01-02T15:04:05Z"),
		"conditions": []any{
			map[string]string{"bucket": "secret"}, []string{"starts-with", "$key", ""},
			map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256"}, map[string]string{"x-amz-credential": cred},
			map[string]string{"x-amz-date": amzDate},
		},
	})
	p64 := base64.StdEncoding.EncodeToString(policy)
	mac := func(k []byte, s string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(s)); return h.Sum(nil) }
	sk := mac(mac(mac(mac([]byte("AWS4test"), date), "us-east-1"), "s3"), "aws4_request")
	return map[string]string{"key": key, "policy": p64, "x-amz-algorithm": "AWS4-HMAC-SHA256",
		"x-amz-credential": cred, "x-amz-date": amzDate, "x-amz-signature": hex.EncodeToString(mac(sk, p64))}
}

// postForm sends the form upload of key from Go (no Origin) and returns the status.
func postForm(t *testing.T, f *fogbank, key string) int {
	var body strings.Builder
	const boundary = "fogbankboundary"
	for k, v := range formFields(key) {
		fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, k, v)
	}
	fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nwritten\r\n--%s--\r\n", boundary, boundary)
	resp, err := http.Post(f.URL+"/secret", "multipart/form-data; boundary="+boundary, strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// pageServer serves the pages and collects what they report.
type pageServer struct {
	addr    string
	mu      sync.Mutex
	configs map[string]config
	got     map[string]map[string]string
	want    int
	done    chan struct{}
}

func newPageServer(t *testing.T) *pageServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pageServer{addr: ln.Addr().String(), configs: map[string]config{}, got: map[string]map[string]string{}, done: make(chan struct{})}
	srv := &http.Server{Handler: p}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

func (p *pageServer) set(name string, c config) {
	p.mu.Lock()
	p.configs[name] = c
	p.mu.Unlock()
}

func (p *pageServer) results() map[string]map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got
}

func (p *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/top.html":
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>top</title>")
		for _, u := range strings.Split(r.URL.Query().Get("frames"), ",") {
			fmt.Fprintf(w, "<iframe src=%q></iframe>\n", u)
		}
	case "/page.html":
		p.mu.Lock()
		c := p.configs[r.URL.Query().Get("name")]
		p.mu.Unlock()
		writePage(w, c, "http://"+p.addr+"/report")
	case "/report":
		var rep struct {
			Name    string            `json:"name"`
			Results map[string]string `json:"results"`
		}
		json.NewDecoder(r.Body).Decode(&rep)
		p.mu.Lock()
		if _, seen := p.got[rep.Name]; !seen && rep.Name != "" {
			p.got[rep.Name] = rep.Results
			if len(p.got) == p.want {
				close(p.done)
			}
		}
		p.mu.Unlock()
	default:
		http.NotFound(w, r)
	}
}

// writePage writes the attacking (or local) page for c; it reports to report.
func writePage(w io.Writer, c config, report string) {
	cfg, _ := json.Marshal(c)
	pageTemplate.Execute(w, map[string]any{"Config": template.JS(cfg), "Report": report})
}

// The page's script: each attempt ends as "blocked" (the browser refused to
// let the page see the answer, or to send it), "sent" (a no-cors request: the
// page cannot tell what happened; the test checks the data instead), or the
// status with what the answer says (the item or object read, or the error code).
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html><title>page</title><pre id=out></pre>
<script>
const c = {{.Config}};
const report = {{.Report}};
function amzHeaders(target) {
  const d = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  return {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + target, "X-Amz-Date": d,
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEVIL/" + d.slice(0, 8) + "/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64)};
}
function summary(status, text) {
  if (text.includes("secret-value")) return status + " secret-value";
  const m = text.match(/<Code>([^<]+)<\/Code>/) || text.match(/"__type":"(?:[^"#]*#)?([^"]+)"/);
  return m ? status + " " + m[1] : String(status);
}
async function read(url, opts) {
  try {
    const r = await fetch(url, opts);
    return summary(r.status, await r.text());
  } catch (e) {
    return "blocked";
  }
}
async function main() {
  const res = {};
  const fb = c.fogbank;
  res["ddb-scan"] = await read(fb + "/", {method: "POST", headers: amzHeaders("Scan"), body: JSON.stringify({TableName: "secrets"})});
  res["ddb-put"] = await read(fb + "/", {method: "POST", headers: amzHeaders("PutItem"),
    body: JSON.stringify({TableName: "secrets", Item: {pk: {S: c.putItemKey}}})});
  res["s3-get"] = await read(c.getURL);
  res["s3-put"] = await read(c.putURL, {method: "PUT", body: "pwned"});
  if (c.name === "evil") {
    res["s3-get-localhost"] = await read(c.localhost + "/secret/k");
    const form = new FormData();
    for (const [k, v] of Object.entries(c.formFields)) form.append(k, v);
    form.append("file", new Blob(["pwned"]), "x");
    try { await fetch(fb + "/secret", {method: "POST", mode: "no-cors", body: form}); res["s3-form-post"] = "sent"; }
    catch (e) { res["s3-form-post"] = "blocked"; }
  }
  if (c.name === "rebind") res["s3-list"] = await read("/");
  if (c.name === "local-open") res["s3-get-nocors"] = await read(c.noCORSURL);
  document.getElementById("out").textContent = JSON.stringify(res);
  await fetch(report, {method: "POST", mode: "no-cors", body: JSON.stringify({name: c.name, results: res})});
}
main();
</script>`))

// rebindProxy listens on a port of its own: the first request for
// /rebind.html is answered with the page (and the connection closed), every
// other connection is passed to fogbank untouched, as if the page's host name
// now resolved to fogbank. It returns the port.
func rebindProxy(t *testing.T, fogbankURL string, pages *pageServer) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	target := strings.TrimPrefix(fogbankURL, "http://")
	var served sync.Once
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				page := false
				if strings.HasPrefix(line, "GET /rebind.html ") {
					served.Do(func() { page = true })
				}
				if page {
					for { // the rest of the header
						if l, err := br.ReadString('\n'); err != nil || l == "\r\n" {
							break
						}
					}
					pages.mu.Lock()
					cfg := pages.configs["rebind"]
					pages.mu.Unlock()
					var body strings.Builder
					writePage(&body, cfg, "http://"+pages.addr+"/report")
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", body.Len(), body.String())
					return
				}
				fc, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer fc.Close()
				io.WriteString(fc, line)
				go func() { io.Copy(fc, br); fc.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, fc)
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// runChromium loads url in headless Chromium until every page has reported
// (or 60 s pass), then stops it.
func runChromium(t *testing.T, url string, pages *pageServer) {
	profile := t.TempDir()
	cmd := exec.Command(chromiumBin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+profile, "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP app.test 127.0.0.1", url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Chromium's helpers go with it
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	select {
	case <-pages.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("pages reported %v after 60 s; chromium said:\n%s", pages.results(), logs.String())
	}
}
