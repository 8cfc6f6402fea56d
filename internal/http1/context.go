package http1

import (
	"context"
	"os"
	"sync"
	"time"
)

// requestContext is a request's context. It is canceled when the handler
// returns, or when the client closes the connection while the handler runs
// after the body has been read to its end (before that, the body's own reads
// see the close).
//
// Noticing the close takes a read on the connection while the handler runs.
// net/http starts one for every request (a goroutine, a read, then a deadline
// in the past to stop it), which costs every request its share of CPU. Here
// the read starts only when a handler asks whether its request is still
// wanted, by calling Done or Err (deriving a context with a cancel calls
// Done); a handler that never asks costs one small allocation. The read is
// done by a goroutine on the bare connection: a byte it gets is the start of
// the next request, handed to the reader afterwards; an EOF or an error
// cancels the context.
type requestContext struct {
	c *conn

	mu       sync.Mutex // guards what follows
	done     chan struct{}
	err      error
	wanted   bool // Done or Err was called
	bodyDone bool // the body has been read (or there was none), nothing is buffered: the connection may be watched
	watching bool // a watch goroutine was started and end has not stopped it yet
}

func (x *requestContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (x *requestContext) Value(any) any               { return nil }

func (x *requestContext) Done() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.done == nil {
		x.done = make(chan struct{})
		if x.err != nil {
			close(x.done)
		}
	}
	x.wanted = true
	x.startWatch()
	return x.done
}

func (x *requestContext) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.wanted = true
	x.startWatch()
	return x.err
}

func (x *requestContext) String() string { return "http1.requestContext" }

// bodyRead says the body has been read to its end; pipelined tells that the
// reader already holds bytes of a next request, so the client is not gone and
// there is nothing to watch.
func (x *requestContext) bodyRead(pipelined bool) {
	if pipelined {
		return
	}
	x.mu.Lock()
	x.bodyDone = true
	x.startWatch()
	x.mu.Unlock()
}

// startWatch starts the watch once it is both wanted and possible; x.mu is held.
func (x *requestContext) startWatch() {
	if !x.wanted || !x.bodyDone || x.watching || x.err != nil {
		return
	}
	x.watching = true
	c := x.c
	// Under x.mu, so that end's deadline in the past comes after this one.
	c.nc.SetReadDeadline(time.Time{})
	c.watching.Add(1)
	go c.watch(x)
}

func (x *requestContext) cancel(err error) {
	x.mu.Lock()
	if x.err == nil {
		x.err = err
		if x.done != nil {
			close(x.done)
		}
	}
	x.mu.Unlock()
}

// end cancels the context (the request is over) and stops the watch; the
// serving goroutine calls it when the handler returns.
func (x *requestContext) end() {
	x.mu.Lock()
	if x.err == nil {
		x.err = context.Canceled
		if x.done != nil {
			close(x.done)
		}
	}
	watching := x.watching
	x.watching = false
	x.mu.Unlock()
	if watching {
		c := x.c
		c.nc.SetReadDeadline(aLongTimeAgo)
		c.watching.Wait()
		c.readDeadline = true // the next phase sets its own
	}
}

// aLongTimeAgo is a deadline in the past: it ends a read at once.
var aLongTimeAgo = time.Unix(1, 0)

// watch reads one byte from the connection: the start of the next request
// (kept for the reader), or the client's EOF, which cancels the request.
func (c *conn) watch(x *requestContext) {
	defer c.watching.Done()
	n, err := c.nc.Read(c.lr.pbuf[:])
	if n > 0 {
		c.lr.pending = c.lr.pbuf[:n]
		return
	}
	if err != nil && !os.IsTimeout(err) {
		x.cancel(context.Canceled)
	}
}
