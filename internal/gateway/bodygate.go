package gateway

import (
	"net/http"
	"runtime"

	"golang.org/x/sync/semaphore"

	"github.com/fogbank/fogbank/internal/api"
	"github.com/fogbank/fogbank/internal/protocol/jsonbody"
)

// Large bodies kept in memory take turns. A signed json body is read whole
// (for the signature) and then parsed, which may take BudgetFactor times the
// body again: ten 16 MB bodies at once would be most of a gigabyte, on a
// laptop. A request whose body is over gateMin first takes its estimated
// memory (the body and its parse budget) from a gate of gateSize bytes and
// holds it to its end; smaller bodies, nearly every request, pass freely. A
// body larger than the gate takes the whole gate. Once a large share is given
// back, the garbage it left is collected before the next request takes it:
// with fogbank's GC target (400%) that garbage would otherwise pile up to
// several times the live heap before the collector ran.
const (
	gateMin  = 1 << 20
	gateSize = 64 << 20
)

var bodyGate = semaphore.NewWeighted(gateSize)

// admitBody waits for r's share of the gate, when its body (at most limit
// bytes; its length may be unknown) is large. An error when the client went
// away meanwhile.
func (st *requestState) admitBody(r *http.Request, limit int64) error {
	n := r.ContentLength
	if n < 0 {
		n = limit // chunked: it may be as long as the limit
	}
	if n <= gateMin {
		return nil
	}
	cost := min(n*(1+jsonbody.BudgetFactor), gateSize)
	if err := bodyGate.Acquire(r.Context(), cost); err != nil {
		return &api.Err{Code: "RequestTimeout", Status: http.StatusBadRequest,
			Message: "The client went away before its request was read"}
	}
	st.admitted = cost
	return nil
}

// leaveGate gives back what admitBody took.
func (st *requestState) leaveGate() {
	if st.admitted == 0 {
		return
	}
	if st.admitted >= gateSize/4 {
		runtime.GC()
	}
	bodyGate.Release(st.admitted)
	st.admitted = 0
}
