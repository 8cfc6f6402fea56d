package gateway

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
)

// Large bodies kept in memory take turns (json, query, rest-json and CBOR:
// each protocol's limit is in bodylimit.go). A signed json body is read whole
// (for the signature) and then parsed, which may take BudgetFactor times the
// body again: ten 16 MB bodies at once would be most of a gigabyte, on a
// laptop. A request whose body is over gateMin first takes its estimated
// memory (the body and its parse budget) from a gate of gateSize bytes and
// holds it to its end; smaller bodies, nearly every request, pass freely. A
// body larger than the gate takes the whole gate. Once a large share is given
// back, the garbage it left is collected before the next request takes it:
// with fogbank's GC target (400%) that garbage would otherwise pile up to
// several times the live heap before the collector ran.
//
// A turn waits at most gateWait: the gate is held while a body arrives, so
// clients that send large bodies slowly could hold it for long; a request
// that cannot get in answers 503 ServiceUnavailable, which SDKs retry.
const (
	gateMin  = 1 << 20
	gateSize = 64 << 20
)

var bodyGate = semaphore.NewWeighted(gateSize)

var gateWait = 30 * time.Second // a variable for the tests

// admitBody waits for r's share of the gate, when its body (at most limit
// bytes; its length may be unknown) is large. An error when the client went
// away meanwhile or the turn did not come within gateWait.
func (st *requestState) admitBody(r *http.Request, limit int64) error {
	n := r.ContentLength
	if n < 0 || r.Header.Get("Content-Encoding") != "" {
		// Chunked, it may be as long as the limit; compressed, it may expand
		// to it.
		n = limit
	}
	if n <= gateMin {
		return nil
	}
	cost := min(n*(1+jsonbody.BudgetFactor), gateSize)
	ctx, cancel := context.WithTimeout(r.Context(), gateWait)
	defer cancel()
	if err := bodyGate.Acquire(ctx, cost); err != nil {
		return &api.Err{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable,
			Message: "Too many large requests at once: please try again."}
	}
	st.admitted = cost
	return nil
}

// leaveGate gives back what admitBody took, once the request is answered.
func (st *requestState) leaveGate(r *http.Request) {
	if st.admitted == 0 {
		return
	}
	if st.admitted >= gateSize/4 {
		// The body in memory (and its parse) and the decoded input are
		// garbage now: let go of them, so that the collection frees them.
		r.Body, st.inv.Input = http.NoBody, nil
		runtime.GC()
	}
	bodyGate.Release(st.admitted)
	st.admitted = 0
}
