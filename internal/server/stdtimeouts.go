package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// net/http's Server (--http=std) bounds a whole request (ReadTimeout) or a
// whole answer (WriteTimeout), which would cut off a slow big upload or
// download; fogbank bounds silences instead, as internal/http1 does.
// inactivity gives it the same: each body read pushes the connection's read
// deadline back to Body from now, and a read that times out is S3's
// RequestTimeout; each write pushes the write deadline back to Write. Both
// are set through http.ResponseController, at most every eighth of the
// timeout (setting one costs a timer update).
func inactivity(h http.Handler, t Timeouts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		// What an earlier request on the connection left is not this one's.
		rc.SetWriteDeadline(time.Time{})
		iw := &inactiveWriter{ResponseWriter: w, rc: rc, d: t.Write}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &inactiveBody{ReadCloser: r.Body, rc: rc, d: t.Body}
		}
		h.ServeHTTP(iw, r)
		// The server flushes what is buffered after the handler: within Write too.
		rc.SetWriteDeadline(time.Now().Add(t.Write))
	})
}

type inactiveBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	d     time.Duration
	armed time.Time
	done  bool
}

func (b *inactiveBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	if now := time.Now(); now.Sub(b.armed) > b.d/8 {
		b.rc.SetReadDeadline(now.Add(b.d))
		b.armed = now
	}
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		// The server now reads on in the background to notice a client that
		// goes away: a deadline left set would cancel the request's context
		// (and a handler working on it) when it passes.
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		return n, errRequestTimeout
	}
	return n, err
}

type inactiveWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	d     time.Duration
	armed time.Time
}

func (w *inactiveWriter) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(w.armed) > w.d/8 {
		w.rc.SetWriteDeadline(now.Add(w.d))
		w.armed = now
	}
	return w.ResponseWriter.Write(p)
}

func (w *inactiveWriter) Flush() {
	if now := time.Now(); now.Sub(w.armed) > w.d/8 {
		w.rc.SetWriteDeadline(now.Add(w.d))
		w.armed = now
	}
	w.rc.Flush()
}

func (w *inactiveWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
