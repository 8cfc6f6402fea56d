// Package http1 serves HTTP/1.1 to an http.Handler, as net/http's Server does,
// with less work per request.
//
// Why not net/http's Server: on our 2-core machines its connection handling
// costs ~55-60 µs of CPU per request (a handler that does nothing, measured with
// the load generator: bench/httpfloor), where this server's costs ~37-45 µs;
// BenchmarkServe (one keep-alive client, a 4 KiB answer, both ends on the same
// cores) measures a round trip at ~22 µs against net/http's ~47-55 µs, with
// 2.2 KiB and 26 allocations against 3.1 KiB and 32, client included.
//
// The difference is per-request machinery a local AWS rarely needs: a background
// read goroutine started and stopped around every request (to notice a client
// that hangs up), and layered response buffers. At fogbank's request rates that
// is a fifth of the CPU of a GET, and on a machine shared with the client it is
// throughput.
//
// What is kept: requests are parsed by net/http's own http.ReadRequest (request
// line, headers, Content-Length and chunked bodies, the checks against request
// smuggling), and handlers see the same *http.Request and http.ResponseWriter
// (with http.Flusher). What clients see follows net/http's Server, rule by
// rule (the comments say which): Content-Length set for a body written whole,
// chunked encoding otherwise, Date and sniffed Content-Type added, HEAD, 204 and
// 304 without bodies, Expect: 100-continue, keep-alive and Connection: close
// for HTTP/1.0 and 1.1, the unread rest of a request body discarded up to
// 256 KiB, 400/505 for requests that cannot be served. server_test.go runs
// the same raw requests against both servers and compares the answers. Three
// differences are deliberate, because AWS's behaviour is the model: an Expect
// other than 100-continue is ignored, where net/http answers 417; a header
// over MaxHeaderBytes is answered 400, where net/http answers 431; and
// MaxHeaderBytes bounds the request line and header exactly, where net/http
// allows 4 KiB more.
//
// Deadlines are ours, measured as inactivity rather than as net/http's totals:
// IdleTimeout between requests, ReadHeaderTimeout for a request's header,
// BodyTimeout for the gap between two reads of a request body that make
// progress, WriteTimeout for a client that stops taking the answer. A request
// whose body stalls gets BodyTimeoutError from its Read (S3's RequestTimeout in
// fogbank), then the connection closes.
//
// A request's context is canceled when its handler returns or, once its body
// has been read to the end, when the client closes the connection. net/http
// watches every connection with a background read per request to notice
// that; here the watch starts only for a handler that asks for it (calls Done
// or Err on the context, directly or by deriving one), so the requests that
// never look pay nothing (see requestContext).
//
// One more deliberate difference: a request with both Content-Length and
// Transfer-Encoding is answered, then the connection is closed, as RFC 9112
// section 6.3 requires (net/http keeps it open).
//
// On Linux a connection's socket is read and written with raw system calls
// that Go's scheduler does not watch (rawio_linux.go): its monitor thread
// otherwise kept taking Ps from threads descheduled mid-call, ~7% of the CPU of
// a small S3 PUT on our VMs.
//
// Left out, because nothing in fogbank uses them: TLS, HTTP/2, Hijack, trailers
// in responses.
package http1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server serves HTTP/1.1 on listeners; the zero value with a Handler works.
type Server struct {
	Handler           http.Handler
	ReadHeaderTimeout time.Duration // for each request's header (and a new connection's first byte); 0: none
	IdleTimeout       time.Duration // how long a keep-alive connection waits for its next request; 0: forever
	// BodyTimeout is how long a request body may send nothing while the
	// handler reads it; 0: forever. The Read then fails with BodyTimeoutError
	// (or, when that is nil, an error matching os.ErrDeadlineExceeded) and
	// the connection ends after the answer.
	BodyTimeout      time.Duration
	BodyTimeoutError error
	// WriteTimeout is how long a write may wait for the client to take bytes
	// (a reader that stopped reading); 0: forever. The write fails and the
	// connection ends.
	WriteTimeout   time.Duration
	MaxHeaderBytes int         // request line and header together; 0: http.DefaultMaxHeaderBytes
	ErrorLog       *log.Logger // nil: the log package's standard logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closing   atomic.Bool
}

// Connection states, for Shutdown: only a connection waiting for its next
// request may be closed under it.
const (
	stateActive int32 = iota
	stateIdle
	stateClosed
)

// maxPostHandlerRead is how much of a request body the handler left unread is
// discarded to keep the connection (net/http's maxPostHandlerReadBytes).
const maxPostHandlerRead = 256 << 10

// bufferBeforeChunking is how much of a body without Content-Length is held
// back: a body the handler finishes within it gets a Content-Length (net/http's
// bufferBeforeChunkingSize).
const bufferBeforeChunking = 2048

// Serve accepts connections on ln and serves each on its own goroutine until
// Shutdown or Close; it then returns http.ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(ln) {
		ln.Close()
		return http.ErrServerClosed
	}
	defer s.untrack(ln)
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return http.ErrServerClosed
			}
			if temporary(err) {
				// Out of descriptors or similar: wait and try again, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf("http1: Accept error: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := &conn{s: s, nc: nc, remote: nc.RemoteAddr().String()}
		c.state.Store(stateActive)
		if !s.addConn(c) {
			nc.Close()
			return http.ErrServerClosed
		}
		go c.serve()
	}
}

// Shutdown stops accepting, closes idle connections, and waits until the
// others have answered their request in progress (or ctx ends).
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.closeListeners()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.closing.Store(true)
	s.closeListeners()
	s.mu.Lock()
	for c := range s.conns {
		c.state.Store(stateClosed)
		c.nc.Close()
	}
	s.mu.Unlock()
	return nil
}

func (s *Server) track(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
	}
	s.listeners[ln] = struct{}{}
	return true
}

func (s *Server) untrack(ln net.Listener) {
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	for ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()
}

func (s *Server) addConn(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	if s.conns == nil {
		s.conns = map[*conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// closeIdle closes the connections waiting for a request and tells whether
// none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.nc.Close()
		}
	}
	return len(s.conns) == 0
}

// temporary tells whether an Accept error passes (net/http retries the same).
func temporary(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ECONNRESET)
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

func (s *Server) maxHeaderBytes() int64 {
	if s.MaxHeaderBytes > 0 {
		return int64(s.MaxHeaderBytes)
	}
	return http.DefaultMaxHeaderBytes
}

// conn is one client connection, served by one goroutine.
type conn struct {
	s      *Server
	nc     net.Conn
	raw    *rawIO // nc's socket read and written directly, where possible
	remote string
	state  atomic.Int32
	lr     limitReader // bounds a request's header block
	br     *bufio.Reader
	bw     *bufio.Writer
	w      response // reused from request to request

	// Deadlines, set by the serving goroutine only (the watch goroutine
	// runs while that one waits for nothing on the connection).
	readDeadline bool      // a read deadline is set
	bodyArmed    time.Time // when the body's read deadline was last pushed back
	writeArmed   time.Time // when the write deadline was last pushed back

	watching sync.WaitGroup // the watch goroutine of the request in progress
}

// limitReader lets through at most remain bytes, then reports EOF; serve sets
// it to the header limit before each request and lifts it after the header.
// It also hands out first the byte a watch goroutine read (the start of the
// next request), and counts its reads.
type limitReader struct {
	r       io.Reader
	remain  int64
	reads   int
	total   int64 // bytes returned so far
	pending []byte
	pbuf    [1]byte
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.remain {
		p = p[:l.remain]
	}
	l.reads++
	if len(l.pending) > 0 {
		n := copy(p, l.pending)
		l.pending = l.pending[n:]
		l.remain -= int64(n)
		l.total += int64(n)
		return n, nil
	}
	n, err := l.r.Read(p)
	l.remain -= int64(n)
	l.total += int64(n)
	return n, err
}

// deadlineWriter is the connection as the response buffer writes to it: each
// write that makes progress pushes the write deadline back (at most every
// eighth of WriteTimeout: setting it costs a timer update).
type deadlineWriter struct{ c *conn }

func (w deadlineWriter) Write(p []byte) (int, error) {
	c := w.c
	if d := c.s.WriteTimeout; d > 0 {
		if now := time.Now(); now.Sub(c.writeArmed) > d/8 {
			c.nc.SetWriteDeadline(now.Add(d))
			c.writeArmed = now
		}
	}
	if c.raw != nil {
		return c.raw.Write(p)
	}
	return c.nc.Write(p)
}

// setReadDeadline sets the read deadline d from now, or none for 0.
func (c *conn) setReadDeadline(d time.Duration) {
	if d > 0 {
		c.nc.SetReadDeadline(time.Now().Add(d))
		c.readDeadline = true
	} else if c.readDeadline {
		c.nc.SetReadDeadline(time.Time{})
		c.readDeadline = false
	}
}

// armBody pushes the read deadline of a request body back to BodyTimeout from
// now, at most every eighth of it (so a stall is noticed after 7/8 to 8/8 of
// BodyTimeout).
func (c *conn) armBody() {
	if d := c.s.BodyTimeout; d > 0 {
		if now := time.Now(); now.Sub(c.bodyArmed) > d/8 {
			c.nc.SetReadDeadline(now.Add(d))
			c.bodyArmed, c.readDeadline = now, true
		}
	}
}

const noLimit = 1<<63 - 1

func (c *conn) serve() {
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			buf := make([]byte, 64<<10)
			buf = buf[:runtime.Stack(buf, false)]
			c.s.logf("http1: panic serving %s: %v\n%s", c.remote, v, buf)
		}
		if c.bw != nil && c.bw.Buffered() > 0 {
			c.bw.Flush() // what the handler had sent before it panicked, as net/http does
		}
		c.state.Store(stateClosed)
		c.nc.Close()
		c.s.removeConn(c)
	}()
	c.lr.r = c.nc
	if c.raw = newRawIO(c.nc); c.raw != nil {
		c.lr.r = c.raw
	}
	// 16 KiB: a small PUT's header and body (a 4 KiB S3 object) arrive in one
	// read, where 4 KiB took two (a syscall costs ~10 µs on the VMs we measure on).
	c.br = bufio.NewReaderSize(&c.lr, 16<<10)
	c.bw = bufio.NewWriterSize(deadlineWriter{c}, 8192)
	first := true
	var lastMethod string
	for {
		// Wait for the request's first byte: on a new connection within
		// ReadHeaderTimeout (as net/http), between requests within IdleTimeout,
		// while the connection is idle and Shutdown may close it.
		c.lr.remain = noLimit
		if first {
			c.setReadDeadline(c.s.ReadHeaderTimeout)
			if _, err := c.br.Peek(1); err != nil {
				return
			}
		} else {
			c.state.Store(stateIdle)
			if c.s.closing.Load() {
				return
			}
			c.setReadDeadline(c.s.IdleTimeout)
			if _, err := c.br.Peek(1); err != nil {
				return
			}
			if !c.state.CompareAndSwap(stateIdle, stateActive) {
				return // closed by Shutdown
			}
			c.setReadDeadline(c.s.ReadHeaderTimeout)
		}
		// What the reader holds already (read while waiting for the request)
		// counts against the limit too.
		c.lr.remain = c.s.maxHeaderBytes() - int64(c.br.Buffered())
		if lastMethod == http.MethodPost {
			// Some clients send a stray CRLF after a POST body (net/http skips it too).
			peek, _ := c.br.Peek(4)
			c.br.Discard(leadingCRLF(peek))
		}
		// The header as it arrived, for the one question http.ReadRequest's
		// answer cannot tell (Content-Length beside Transfer-Encoding): valid
		// after ReadRequest if it read nothing more from the connection.
		raw, _ := c.br.Peek(c.br.Buffered())
		reads := c.lr.reads
		start := c.lr.total - int64(c.br.Buffered())
		req, err := http.ReadRequest(c.br)
		if err == nil && c.lr.total-int64(c.br.Buffered())-start > c.s.maxHeaderBytes() {
			// The header came whole with the read that waited for the request,
			// before the limit applied.
			c.lr.remain, err = 0, errHeaderTooLarge
		}
		if err != nil {
			c.readError(err)
			return
		}
		c.lr.remain = noLimit
		if code, msg := checkRequest(req); code != 0 {
			c.writeError(code, msg)
			return
		}
		// RFC 9112 section 6.3: a request with both Content-Length and
		// Transfer-Encoding may be an attempt at request smuggling; it is
		// served (Transfer-Encoding wins), then the connection closes. When
		// the header came in several reads it cannot be checked: close too.
		smuggled := len(req.TransferEncoding) > 0 && (c.lr.reads != reads || hasContentLength(raw))
		// The body has its own deadline, or none. (Without a body nothing
		// reads until the next request, which sets its own.)
		if req.ContentLength != 0 {
			if c.s.BodyTimeout > 0 {
				c.bodyArmed = time.Time{}
				c.armBody()
			} else {
				c.setReadDeadline(0)
			}
		}
		first, lastMethod = false, req.Method
		req.RemoteAddr = c.remote
		if !c.handle(req, smuggled) {
			if c.w.linger {
				c.closeWriteAndWait()
			}
			return
		}
	}
}

// hasContentLength tells whether a raw request header holds a Content-Length
// line (in any case).
func hasContentLength(raw []byte) bool {
	const name = "content-length:"
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return false
		}
		line := raw[:i]
		raw = raw[i+1:]
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return false // the end of the header
		}
		if len(line) >= len(name) && strings.EqualFold(string(line[:len(name)]), name) {
			return true
		}
	}
	return false
}

func leadingCRLF(b []byte) int {
	n := 0
	for _, c := range b {
		if c != '\r' && c != '\n' {
			break
		}
		n++
	}
	return n
}

// closeWriteAndWait ends the connection when the client may still be sending:
// closing at once with unread bytes makes the kernel send a reset, and many
// clients then lose the answer already on its way. So, as net/http does (and
// RFC 9112 section 9.6 recommends), half-close, let the client read, and close
// half a second later.
func (c *conn) closeWriteAndWait() {
	c.bw.Flush()
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
	}
	time.Sleep(500 * time.Millisecond)
}

// readError answers a request that could not be read, as net/http does: 501
// for an unknown transfer coding, nothing when the client went away or was too
// slow, 400 otherwise, also when the header is too large (where net/http
// answers 431, and AWS 400).
var errHeaderTooLarge = errors.New("http1: request header too large")

func (c *conn) readError(err error) {
	var ne net.Error
	var oe *net.OpError
	switch {
	case c.lr.remain <= 0:
		// AWS answers 400 here (S3's RequestHeaderSectionTooLarge, DynamoDB
		// the same status); net/http answers 431.
		c.writeError(http.StatusBadRequest, "request header too large")
		c.closeWriteAndWait()
	case err == io.EOF, errors.As(err, &ne) && ne.Timeout(), errors.As(err, &oe) && oe.Op == "read":
	case strings.Contains(err.Error(), "unsupported transfer encoding"):
		c.writePlain(http.StatusNotImplemented, http.StatusText(http.StatusNotImplemented), "Unsupported transfer encoding")
	default:
		c.writeError(http.StatusBadRequest, "")
	}
}

// writeError writes net/http's plain-text answer to a request it cannot serve
// ("400 Bad Request: missing required Host header"); the connection closes.
func (c *conn) writeError(code int, detail string) {
	reason := http.StatusText(code)
	if detail != "" {
		reason += ": " + detail
	}
	c.writePlain(code, reason, strconv.Itoa(code)+" "+reason)
}

func (c *conn) writePlain(code int, reason, body string) {
	fmt.Fprintf(c.bw, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n%s", code, reason, body)
	c.bw.Flush()
}

// checkRequest applies the checks net/http's Server makes beyond ReadRequest;
// it returns the answer's status and detail, or 0.
func checkRequest(req *http.Request) (int, string) {
	if req.ProtoMajor != 1 {
		return http.StatusHTTPVersionNotSupported, "unsupported protocol version"
	}
	// http.ReadRequest has moved the Host header to req.Host (and refused
	// two of them), so an empty "Host:" line counts as missing here, where
	// net/http's Server lets it through.
	if req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != http.MethodConnect {
		return http.StatusBadRequest, "missing required Host header"
	}
	if !validHost(req.Host) {
		return http.StatusBadRequest, "malformed Host header"
	}
	// Values need no second look (http.ReadRequest's textproto reader refuses
	// control characters in them), but names do: it lets through a name with
	// a space in it ("Bad Name", "X-Thing "), which net/http's Server refuses.
	for k := range req.Header {
		if !validFieldName(k) {
			return http.StatusBadRequest, "invalid header name"
		}
	}
	return 0, ""
}

// handle serves one request and tells whether the connection goes on;
// closeAfter ends the connection after the answer whatever the request says.
func (c *conn) handle(req *http.Request, closeAfter bool) bool {
	w := &c.w
	clear(w.header)
	if w.header == nil {
		w.header = http.Header{}
	}
	*w = response{c: c, req: req, header: w.header, status: http.StatusOK, contentLength: -1, buf: w.buf[:0], closeAfter: closeAfter}
	w.rb.w = w
	w.isHEAD = req.Method == http.MethodHead
	w.wants10KeepAlive = !req.ProtoAtLeast(1, 1) && hasToken(req.Header["Connection"], "keep-alive")
	w.wantsClose = req.ProtoAtLeast(1, 1) && hasToken(req.Header["Connection"], "close")
	// An expectation other than 100-continue is ignored, as S3 does (ceph
	// s3-tests' *_bad_expect_mismatch send "Expect: 200" and want the
	// request served); net/http's Server answers 417 instead.
	expect := strings.EqualFold(req.Header.Get("Expect"), "100-continue") &&
		req.ProtoAtLeast(1, 1) && req.ContentLength != 0
	ctx := &requestContext{c: c}
	req = req.WithContext(ctx)
	w.req = req
	if req.ContentLength != 0 {
		w.rb = bodyReader{r: req.Body, w: w, ctx: ctx, expect: expect}
		req.Body = &w.rb
	} else {
		ctx.bodyRead(c.br.Buffered() > 0)
	}
	handler := c.s.Handler
	if handler == nil {
		handler = http.DefaultServeMux
	}
	if req.RequestURI == "*" && req.Method == http.MethodOptions {
		handler = optionsStar{} // answered by the server, as net/http does
	}
	defer ctx.end() // also after a panic: the watch must stop before the connection closes
	handler.ServeHTTP(w, req)
	ctx.end()
	w.finish()
	if err := c.bw.Flush(); err != nil {
		return false
	}
	return !w.closeAfter
}

// optionsStar answers "OPTIONS *" (a question about the server, not a resource)
// with an empty 200, like net/http's globalOptionsHandler.
type optionsStar struct{}

func (optionsStar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	if r.ContentLength != 0 {
		io.Copy(io.Discard, io.LimitReader(r.Body, 4<<10))
	}
}

// bodyReader is the request body as the handler reads it. It sends "100
// Continue" on the first read when the client asked for it, and it keeps what
// the server must know afterwards: whether the body was read to its end. Its
// Close bounds what it reads (see Close), where the body http.ReadRequest gives
// would read to the end however long.
type bodyReader struct {
	r      io.ReadCloser
	w      *response
	ctx    *requestContext
	n      int64 // bytes read
	expect bool  // the client waits for 100 Continue
	sent   bool  // 100 Continue sent (or no longer possible)
	sawEOF bool
	closed bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.sawEOF {
		return 0, io.EOF // without touching the connection, which a watch may be reading
	}
	if b.expect && !b.sent {
		b.sent = true
		if !b.w.sentHeader {
			b.w.c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			b.w.c.bw.Flush()
		}
	}
	b.w.c.armBody()
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == io.EOF && !b.sawEOF {
		b.sawEOF = true
		b.ctx.bodyRead(b.w.c.br.Buffered() > 0)
	} else if err != nil && err != io.EOF {
		err = b.w.c.bodyError(err)
	}
	return n, err
}

// bodyError is the error a body Read returns for err from the connection:
// BodyTimeoutError for a body that stalled.
func (c *conn) bodyError(err error) error {
	if c.s.BodyTimeout > 0 && c.s.BodyTimeoutError != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return c.s.BodyTimeoutError
	}
	return err
}

// Close reads what is left of a body of at most 256 KiB, as net/http's server
// does, so that the connection can serve the next request; a larger rest, or
// one the client will only send after "100 Continue", stays unread and the
// connection ends after the response.
func (b *bodyReader) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	if b.sawEOF || b.expect && !b.sent {
		return nil
	}
	if cl := b.w.req.ContentLength; cl > 0 && cl-b.n > maxPostHandlerRead {
		return nil
	}
	b.discard(maxPostHandlerRead + 1)
	return nil
}

// discard reads what the handler left of the body, up to max bytes, and tells
// whether it reached the end.
func (b *bodyReader) discard(max int64) (bool, error) {
	if b.sawEOF {
		return true, nil
	}
	b.w.c.armBody()
	_, err := io.CopyN(io.Discard, b.r, max)
	switch err {
	case nil:
		return false, nil
	case io.EOF:
		b.sawEOF = true
		return true, nil
	}
	return false, err
}

// response is the http.ResponseWriter of one request.
type response struct {
	c             *conn
	req           *http.Request
	rb            bodyReader // the request body, when it has one
	header        http.Header
	status        int
	wroteStatus   bool // WriteHeader called (or implied by Write)
	sentHeader    bool // the status line and header are in the write buffer
	contentLength int64
	written       int64
	buf           []byte // body held back before the header is sent
	chunked       bool
	isHEAD        bool
	closeAfter    bool
	linger        bool // close after the client has had time to read the answer (unread input)
	handlerDone   bool

	wants10KeepAlive, wantsClose bool
}

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(code int) {
	if w.wroteStatus {
		return // net/http logs "superfluous WriteHeader"; the first one stands
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		w.writeInformational(code)
		return
	}
	w.wroteStatus, w.status = true, code
	if cl := w.header.Get("Content-Length"); cl != "" {
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil && v >= 0 {
			w.contentLength = v
		} else {
			w.c.s.logf("http1: invalid Content-Length of %q", cl)
			w.header.Del("Content-Length")
		}
	}
}

// writeInformational sends a 1xx response at once, with the header as it is.
func (w *response) writeInformational(code int) {
	bw := w.c.bw
	writeStatusLine(bw, true, code)
	writeHeader(bw, w.header, nil)
	bw.WriteString("\r\n")
	bw.Flush()
}

func (w *response) Write(p []byte) (int, error) {
	if !w.wroteStatus {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowedForStatus(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.contentLength != -1 && w.written+int64(len(p)) > w.contentLength {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if !w.sentHeader {
		if w.contentLength == -1 && len(w.buf)+len(p) <= bufferBeforeChunking {
			w.buf = append(w.buf, p...) // may yet get a Content-Length
			return len(p), nil
		}
		if len(w.buf) > 0 {
			w.sendHeader(w.buf)
			w.writeBody(w.buf)
			w.buf = w.buf[:0]
		} else {
			w.sendHeader(p)
		}
	}
	if err := w.writeBody(p); err != nil {
		// The client is gone or stopped reading (WriteTimeout): the handler
		// learns it here, as from net/http.
		return 0, err
	}
	return len(p), nil
}

// writeBody writes p in the response's framing; the error is the
// connection's (the buffer keeps it once it has one).
func (w *response) writeBody(p []byte) error {
	if w.isHEAD || len(p) == 0 {
		return nil
	}
	bw := w.c.bw
	if w.chunked {
		bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		bw.WriteString("\r\n")
		bw.Write(p)
		_, err := bw.WriteString("\r\n")
		return err
	}
	_, err := bw.Write(p)
	return err
}

// Flush sends what is written so far (http.Flusher).
func (w *response) Flush() {
	w.sendHeld()
	w.c.bw.Flush()
}

// sendHeld puts the status line, the header and the body held back so far in
// the write buffer, unless they are there already.
func (w *response) sendHeld() {
	if !w.wroteStatus {
		w.WriteHeader(http.StatusOK)
	}
	if !w.sentHeader {
		w.sendHeader(w.buf)
		w.writeBody(w.buf)
		w.buf = w.buf[:0]
	}
}

// finish completes the response once the handler has returned.
func (w *response) finish() {
	w.handlerDone = true
	w.sendHeld()
	if w.chunked {
		w.c.bw.WriteString("0\r\n\r\n")
	}
	// A body shorter than its Content-Length leaves the client waiting for
	// bytes that will never come: the connection cannot be reused.
	if w.contentLength != -1 && w.written != w.contentLength && !w.isHEAD && bodyAllowedForStatus(w.status) {
		w.closeAfter = true
	}
	// What the handler read after the header went out may not be all of the
	// body: the rest on the wire is not a request.
	if rb := &w.rb; w.req.ContentLength != 0 && !rb.sawEOF {
		w.closeAfter = true
		// Unless the client still waits for "100 Continue", its body is on the way.
		w.linger = w.linger || !(rb.expect && !rb.sent)
	}
}

// sendHeader writes the status line and header, deciding the framing of the
// body as net/http's chunkWriter.writeHeader does; p is the body's first bytes
// (for the Content-Length of a body written whole, and for sniffing).
func (w *response) sendHeader(p []byte) {
	w.sentHeader = true
	h := w.header
	req := w.req
	var extra extraHeader
	te := h.Get("Transfer-Encoding")
	hasTE := te != ""
	code := w.status

	// A body written whole, within the held-back buffer, gets its length;
	// never for 1xx/204/304, nor for a HEAD the handler wrote nothing for.
	if w.handlerDone && !hasTE && bodyAllowedForStatus(code) && !has(h, "Content-Length") && (!w.isHEAD || len(p) > 0) {
		w.contentLength = int64(len(p))
		extra.contentLength = strconv.Itoa(len(p))
	}
	hasCL := w.contentLength != -1

	if w.wants10KeepAlive && (w.isHEAD || hasCL || !bodyAllowedForStatus(code)) {
		if _, set := h["Connection"]; !set {
			extra.connection = "keep-alive"
		}
	} else if !req.ProtoAtLeast(1, 1) || w.wantsClose {
		w.closeAfter = true
	}
	closing := w.c.s.closing.Load() // Shutdown: this answer is the connection's last
	if h.Get("Connection") == "close" || closing {
		w.closeAfter = true
	}
	// The client asked for 100 Continue and has not sent its body: the next
	// bytes on the wire may be that body or the next request, so the
	// connection ends here.
	rb := &w.rb
	if rb.expect && !rb.sawEOF {
		w.closeAfter = true
	}
	// Read what the handler left of the body before answering (some clients
	// send the whole request before reading the response), up to a limit.
	if req.ContentLength != 0 && !w.closeAfter && !rb.sawEOF {
		tooBig := false
		switch {
		case rb.closed:
			w.closeAfter, w.linger = true, true // closed by the handler before its end
		case req.ContentLength > 0 && req.ContentLength-rb.n >= maxPostHandlerRead:
			tooBig = true
		default:
			done, err := rb.discard(maxPostHandlerRead + 1)
			if err != nil {
				w.closeAfter = true
			} else if !done {
				tooBig = true
			}
		}
		if tooBig {
			w.closeAfter, w.linger = true, true
			h.Del("Connection")
			extra.connection = "close"
		}
	}

	if bodyAllowedForStatus(code) {
		_, haveType := h["Content-Type"]
		if !haveType && !hasTE && h.Get("Content-Encoding") == "" && len(p) > 0 {
			extra.contentType = http.DetectContentType(p)
		}
	} else {
		for _, k := range suppressedHeaders(code) {
			h.Del(k)
		}
	}
	if !has(h, "Date") {
		extra.date = true
	}
	if hasCL && hasTE && te != "identity" {
		h.Del("Content-Length")
		hasCL = false
	}
	switch {
	case w.isHEAD || !bodyAllowedForStatus(code):
		h.Del("Transfer-Encoding")
	case hasCL:
		h.Del("Transfer-Encoding")
	case req.ProtoAtLeast(1, 1):
		if hasTE && te == "identity" {
			w.closeAfter = true
			h.Del("Transfer-Encoding")
		} else {
			w.chunked = true
			extra.transferEncoding = "chunked"
			if hasTE && te == "chunked" {
				h.Del("Transfer-Encoding")
			}
		}
	default:
		// HTTP/1.0 without a length: the end of the body is the end of the connection.
		w.closeAfter = true
		h.Del("Transfer-Encoding")
	}
	if w.chunked {
		h.Del("Content-Length")
	}
	if w.closeAfter && (closing || !hasToken(h["Connection"], "close")) {
		h.Del("Connection")
		if req.ProtoAtLeast(1, 1) {
			extra.connection = "close"
		}
	}

	bw := w.c.bw
	writeStatusLine(bw, req.ProtoAtLeast(1, 1), code)
	writeHeader(bw, h, &extra)
	bw.WriteString("\r\n")
}

// extraHeader is what the server adds to the handler's header.
type extraHeader struct {
	contentType, connection, transferEncoding, contentLength string
	date                                                     bool
}

func writeStatusLine(bw *bufio.Writer, is11 bool, code int) {
	if is11 {
		bw.WriteString("HTTP/1.1 ")
	} else {
		bw.WriteString("HTTP/1.0 ")
	}
	var b [3]byte
	bw.Write(strconv.AppendInt(b[:0], int64(code), 10))
	bw.WriteByte(' ')
	if text := http.StatusText(code); text != "" {
		bw.WriteString(text)
	} else {
		bw.WriteString("status code " + strconv.Itoa(code))
	}
	bw.WriteString("\r\n")
}

// writeHeader writes h, then extra. Unlike http.Header.Write it does not sort
// the keys (clients do not care, and sorting costs an allocation per
// response); like it, it turns CR and LF in values into spaces so that no value
// can end the header early, and drops names that are not tokens.
func writeHeader(bw *bufio.Writer, h http.Header, extra *extraHeader) {
	for k, vs := range h {
		if !validFieldName(k) {
			continue
		}
		for _, v := range vs {
			bw.WriteString(k)
			bw.WriteString(": ")
			writeValue(bw, v)
			bw.WriteString("\r\n")
		}
	}
	if extra == nil {
		return
	}
	line := func(k, v string) {
		if v != "" {
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
	line("Content-Type", extra.contentType)
	line("Connection", extra.connection)
	line("Transfer-Encoding", extra.transferEncoding)
	line("Content-Length", extra.contentLength)
	if extra.date {
		bw.WriteString("Date: ")
		bw.Write(appendDate(bw.AvailableBuffer()))
		bw.WriteString("\r\n")
	}
}

// writeValue writes a header value as http.Header.Write does: CR and LF each
// become a space, then surrounding blanks go.
func writeValue(bw *bufio.Writer, v string) {
	if strings.ContainsAny(v, "\r\n") {
		v = newlineToSpace.Replace(v)
	}
	bw.WriteString(textproto.TrimString(v))
}

var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// dateCache keeps the formatted Date of the current second: formatting a time
// for every response would cost more than the rest of the header.
var dateCache atomic.Pointer[cachedDate]

type cachedDate struct {
	sec  int64
	text []byte
}

func appendDate(b []byte) []byte {
	now := time.Now()
	if d := dateCache.Load(); d != nil && d.sec == now.Unix() {
		return append(b, d.text...)
	}
	text := now.UTC().AppendFormat(nil, http.TimeFormat)
	dateCache.Store(&cachedDate{sec: now.Unix(), text: text})
	return append(b, text...)
}

func bodyAllowedForStatus(code int) bool {
	return !(code >= 100 && code <= 199 || code == http.StatusNoContent || code == http.StatusNotModified)
}

func suppressedHeaders(code int) []string {
	if code == http.StatusNotModified {
		return []string{"Content-Type", "Content-Length", "Transfer-Encoding"}
	}
	return []string{"Content-Length", "Transfer-Encoding"}
}

// has tells whether h has key with a value (net/http's Header.has).
func has(h http.Header, key string) bool {
	vs, ok := h[key]
	return ok && len(vs) > 0 && vs[0] != ""
}

// hasToken tells whether a comma-separated header holds token, in any case.
func hasToken(vs []string, token string) bool {
	for _, v := range vs {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// validFieldName: a header name is a token (RFC 9110 section 5.1).
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHost accepts the characters a Host header may hold (net/http's
// httpguts.ValidHostHeader: a permissive set, not a full parse).
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!$%&'()*+,-.:;=[]_~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
