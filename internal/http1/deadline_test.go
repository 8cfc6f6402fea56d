package http1

// Deadlines, request contexts and the RFC 9112 close: what http1 does beyond
// net/http's Server (or differently), so these are not differential tests.
// Durations are short and the assertions loose (a bound of seconds, never a
// tight window), since the machine running them may be busy.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve starts an http1.Server with h, configured by cfg, and returns its address.
func serve(t *testing.T, h http.HandlerFunc, cfg func(*Server)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Handler: h}
	if cfg != nil {
		cfg(s)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

// closedWithin reads until the server closes the connection and fails unless
// that happens within limit.
func closedWithin(t *testing.T, c net.Conn, br *bufio.Reader, limit time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, br)
	if err != nil {
		t.Fatalf("connection still open after %v (%v)", limit, err)
	}
}

func TestIdleTimeout(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
		func(s *Server) { s.IdleTimeout = 200 * time.Millisecond })
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.Close {
		t.Fatal("answer says Connection: close; want a keep-alive connection")
	}
	start := time.Now()
	closedWithin(t, c, br, 5*time.Second)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("idle connection closed after %v, before its IdleTimeout", d)
	}
}

var errStalled = errors.New("body stalled")

// bodyHandler reads the whole body and says what it got.
func bodyHandler(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "error after %d bytes: %v", len(b), err)
		return
	}
	fmt.Fprintf(w, "read %q", b)
}

// A body that stops arriving: the handler's Read fails with BodyTimeoutError,
// its answer is sent, and the connection closes.
func TestBodyTimeout(t *testing.T) {
	addr := serve(t, bodyHandler, func(s *Server) {
		s.BodyTimeout, s.BodyTimeoutError = 300*time.Millisecond, errStalled
	})
	c, br := dial(t, addr)
	io.WriteString(c, "PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || string(b) != "error after 3 bytes: body stalled" {
		t.Errorf("got %d %q, want 400 and the handler's BodyTimeoutError", resp.StatusCode, b)
	}
	if !resp.Close {
		t.Error("answer to a stalled body without Connection: close")
	}
	closedWithin(t, c, br, 5*time.Second)

	// The same, chunked.
	c, br = dial(t, addr)
	io.WriteString(c, "PUT /k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || string(b) != "error after 3 bytes: body stalled" {
		t.Errorf("chunked: got %d %q, want 400 and the handler's BodyTimeoutError", resp.StatusCode, b)
	}
}

// BodyTimeout bounds the silence between bytes, not the whole body: a slow
// body that keeps coming is read to its end.
func TestBodyTimeoutIsInactivity(t *testing.T) {
	const timeout = time.Second
	addr := serve(t, bodyHandler, func(s *Server) { s.BodyTimeout, s.BodyTimeoutError = timeout, errStalled })
	c, br := dial(t, addr)
	io.WriteString(c, "PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n")
	start := time.Now()
	for _, b := range "slowly" {
		time.Sleep(timeout / 4)
		io.WriteString(c, string(b))
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != `read "slowly"` {
		t.Errorf("got %d %q after %v, want the whole body", resp.StatusCode, b, time.Since(start))
	}
}

// The body deadline starts when the handler reads: a handler that works a
// while before reading (100-continue) is not cut off.
func TestBodyTimeoutStartsAtRead(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond)
		bodyHandler(w, r)
	}, func(s *Server) { s.BodyTimeout, s.BodyTimeoutError = 300*time.Millisecond, errStalled })
	c, br := dial(t, addr)
	io.WriteString(c, "PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 100 {
		t.Fatalf("want 100 Continue, got %v %v", resp, err)
	}
	io.WriteString(c, "hello")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `read "hello"` {
		t.Errorf("got %d %q", resp.StatusCode, b)
	}
}

// A client that stops reading the answer: the handler's Write fails once
// WriteTimeout passes without progress, and the connection closes.
func TestWriteTimeout(t *testing.T) {
	result := make(chan error, 1)
	chunk := make([]byte, 64<<10)
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 4096; i++ { // 256 MiB: more than any socket buffer
			if _, err := w.Write(chunk); err != nil {
				result <- err
				return
			}
		}
		result <- nil
	}, func(s *Server) { s.WriteTimeout = 300 * time.Millisecond })
	c, _ := dial(t, addr)
	io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-result:
		if err == nil {
			t.Fatal("256 MiB written to a client that reads nothing")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("handler still writing to a client that reads nothing after 10 s")
	}
}

// The request's context is canceled when the client goes away while the
// handler runs (after the body), and when the handler returns.
func TestContextCanceledWhenClientCloses(t *testing.T) {
	type outcome struct {
		err  error
		body string
	}
	got := make(chan outcome, 1)
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
			got <- outcome{r.Context().Err(), string(b)}
		case <-time.After(10 * time.Second):
			got <- outcome{nil, string(b)}
		}
	}, nil)
	for _, req := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	} {
		c, _ := dial(t, addr)
		io.WriteString(c, req)
		time.Sleep(50 * time.Millisecond)
		c.Close()
		o := <-got
		if !errors.Is(o.err, context.Canceled) {
			t.Errorf("%q: context not canceled when the client closed (err %v)", req, o.err)
		}
	}
}

// A handler that asks whether it is still wanted, while the client has sent
// its next request already (pipelined, or just quick): the context stays
// alive, and the next request is served whole (the byte the watch read is
// not lost).
func TestContextWatchKeepsNextRequest(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
			fmt.Fprintf(w, "canceled %s", b)
		case <-time.After(200 * time.Millisecond):
			fmt.Fprintf(w, "%s %s", r.URL.Path, b)
		}
	}, nil)
	c, br := dial(t, addr)
	send := func(s string) {
		io.WriteString(c, s)
	}
	read := func() string {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// The next request arrives while the handler waits (the watch reads its
	// first byte), then again with a body.
	send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	send("PUT /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	time.Sleep(50 * time.Millisecond)
	send("GET /three HTTP/1.1\r\nHost: x\r\n\r\n")
	for _, want := range []string{"/one ", "/two abc", "/three "} {
		if got := read(); got != want {
			t.Errorf("answer %q, want %q", got, want)
		}
	}
	// Pipelined in one write: the reader holds the next request, no watch.
	send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	for _, want := range []string{"/a ", "/b "} {
		if got := read(); got != want {
			t.Errorf("answer %q, want %q", got, want)
		}
	}
}

// A context kept after its handler returned is canceled.
func TestContextCanceledAfterHandler(t *testing.T) {
	kept := make(chan context.Context, 1)
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) { kept <- r.Context() }, nil)
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	}
	ctx := <-kept
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context of a finished request not canceled")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err = %v", ctx.Err())
	}
}

// RFC 9112 section 6.3: a request with both Content-Length and
// Transfer-Encoding is served by its chunked framing, then the connection
// closes, whatever the case of the names and wherever the lines are.
func TestContentLengthAndChunked(t *testing.T) {
	addr := serve(t, bodyHandler, nil)
	for _, hdr := range []string{
		"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
		"transfer-encoding: chunked\r\ncontent-LENGTH: 5\r\n",
	} {
		c, br := dial(t, addr)
		io.WriteString(c, "PUT / HTTP/1.1\r\nHost: x\r\n"+hdr+"\r\n5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != `read "hello"` || !resp.Close {
			t.Errorf("%q: got %q close=%v, want the chunked body served and Connection: close", hdr, b, resp.Close)
		}
		closedWithin(t, c, br, 5*time.Second)
	}
	// Chunked alone keeps the connection.
	c, br := dial(t, addr)
	io.WriteString(c, "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if io.Copy(io.Discard, resp.Body); resp.Close {
		t.Error("chunked request without Content-Length: connection closed")
	}
}

func TestHasContentLength(t *testing.T) {
	for raw, want := range map[string]bool{
		"PUT / HTTP/1.1\r\nContent-Length: 5\r\n\r\n":         true,
		"PUT / HTTP/1.1\r\nCONTENT-LENGTH:5\r\n\r\n":          true,
		"PUT / HTTP/1.1\nHost: x\ncontent-length: 5\n\n":      true,
		"PUT / HTTP/1.1\r\nX-Content-Length: 5\r\n\r\n":       false,
		"PUT / HTTP/1.1\r\n\r\nContent-Length: 5\r\n\r\n":     false, // in the body
		"PUT / HTTP/1.1\r\nHost: x\r\nContent-Len":            false,
		strings.Repeat("X-A: b\r\n", 3) + "Content-Length: 1": false, // no line end
	} {
		if got := hasContentLength([]byte(raw)); got != want {
			t.Errorf("hasContentLength(%q) = %v, want %v", raw, got, want)
		}
	}
}
