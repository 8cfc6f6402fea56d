package lambda

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Lambda Runtime API (2018-06-01) as one execution environment serves it
// to its runtime, on a listener of its own: the runtime long-polls /next for
// an event, then posts the result (or an error) under the event's request id.
// Paths, headers and answers follow AWS's Runtime Interface Emulator.

const runtimePrefix = "/2018-06-01/runtime"

// maxResponse is the largest result a runtime may post (6 MB and the
// envelope's 100 bytes, as Lambda counts it).
const maxResponse = 6291556

// maxErrorBody bounds an error document a runtime posts.
const maxErrorBody = 1 << 20

func (e *environment) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, runtimePrefix)
	if !ok {
		apiError(w, http.StatusNotFound, "InvalidRequest", "Unknown path "+r.URL.Path)
		return
	}
	switch {
	case p == "/invocation/next" && r.Method == http.MethodGet:
		e.serveNext(w, r)
	case p == "/init/error" && r.Method == http.MethodPost:
		e.serveInitError(w, r)
	case strings.HasPrefix(p, "/invocation/") && r.Method == http.MethodPost:
		rest := strings.TrimPrefix(p, "/invocation/")
		id, what, _ := strings.Cut(rest, "/")
		switch what {
		case "response":
			e.serveResponse(w, r, id)
		case "error":
			e.serveError(w, r, id)
		default:
			apiError(w, http.StatusNotFound, "InvalidRequest", "Unknown path "+r.URL.Path)
		}
	default:
		apiError(w, http.StatusNotFound, "InvalidRequest", "Unknown path "+r.URL.Path)
	}
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorMessage": msg, "errorType": typ})
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "15")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

// serveNext waits for the next invocation and hands it over.
func (e *environment) serveNext(w http.ResponseWriter, r *http.Request) {
	first := false
	e.readyOnce.Do(func() {
		first = true
		e.mu.Lock()
		e.initDur = time.Since(e.started)
		e.mu.Unlock()
		close(e.ready)
	})
	var inv *invocation
	select {
	case inv = <-e.next:
	case <-r.Context().Done():
		return
	case <-e.gone:
		return
	}
	if first {
		// The runtime's init output was written before it asked: it belongs
		// before START.
		e.drain()
	}
	e.mu.Lock()
	e.cur = inv
	e.sink = &inv.logs
	e.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
	h.Set("Lambda-Runtime-Trace-Id", inv.trace)
	if inv.clientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", inv.clientContext)
	}
	if inv.cognito != "" {
		h.Set("Lambda-Runtime-Cognito-Identity", inv.cognito)
	}
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

// current is the invocation the runtime holds, if its id is id and it is not
// answered yet.
func (e *environment) current(id string) *invocation {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur == nil || e.cur.id != id {
		return nil
	}
	return e.cur
}

func (e *environment) serveResponse(w http.ResponseWriter, r *http.Request, id string) {
	inv := e.current(id)
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if len(body) > maxResponse {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Exceeded maximum allowed payload size ("+strconv.Itoa(maxResponse)+" bytes).")
		e.finish(inv, outcome{payload: errorDoc("Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(maxResponse)+" bytes)."),
			errType: "Function.ResponseSizeTooLarge"})
		return
	}
	if !e.finish(inv, outcome{payload: body}) {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	accepted(w)
}

func (e *environment) serveError(w http.ResponseWriter, r *http.Request, id string) {
	inv := e.current(id)
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, typ := readError(r)
	if !e.finish(inv, outcome{payload: body, errType: typ}) {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	accepted(w)
}

func (e *environment) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, typ := readError(r)
	e.failOnce.Do(func() {
		e.mu.Lock()
		e.initErr = outcome{payload: body, errType: typ}
		e.mu.Unlock()
		close(e.initFail)
	})
	accepted(w)
}

// readError reads an error a runtime posts: its document (or one built from
// the Lambda-Runtime-Function-Error-Type header when there is none) and type.
func readError(r *http.Request) ([]byte, string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBody))
	typ := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.ErrorType != "" {
		if typ == "" {
			typ = doc.ErrorType
		}
		return body, typ
	}
	if typ == "" {
		typ = "Runtime.Unknown"
	}
	return errorDoc(typ, "Unknown application error occurred"), typ
}

// errorDoc is an error document as Lambda writes its own.
func errorDoc(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{typ, msg})
	return b
}

// finish records the runtime's answer to inv; false if it was answered.
func (e *environment) finish(inv *invocation, o outcome) bool {
	e.mu.Lock()
	if e.cur != inv {
		e.mu.Unlock()
		return false
	}
	e.cur = nil
	e.mu.Unlock()
	inv.result = o
	close(inv.done)
	return true
}
