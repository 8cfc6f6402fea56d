package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/fogbank/fogbank/internal/store"
)

// Admin is what fogbank's own endpoints act on; the server provides it.
type Admin interface {
	// Reset deletes the state of every service (service "") or of one.
	Reset(service string) error
	// WriteSnapshot writes the whole state to w; LoadSnapshot replaces it.
	WriteSnapshot(w io.Writer) error
	LoadSnapshot(r io.Reader) error
	// Init reports the init scripts (--init-dir) and whether they have run.
	Init() InitStatus
}

// InitStatus is the state of the init scripts: Done once every one has run
// (or there are none); the server is ready only then.
type InitStatus struct {
	Done    bool
	Scripts []InitScript
}

// InitScript is one init script, as LocalStack's /_localstack/init shows it:
// State is UNKNOWN (not run yet), RUNNING, SUCCESSFUL or ERROR.
type InitScript struct {
	Stage string `json:"stage"`
	Name  string `json:"name"`
	State string `json:"state"`
}

// serveIntrospection answers fogbank's own endpoints, and the LocalStack and
// moto paths that tools and test suites call, so that they work unchanged:
//
//	GET  /_fogbank/health, /_localstack/health   services; 503 until the init scripts ran
//	GET  /_fogbank/init, /_localstack/init[/ready]   the init scripts and their states
//	POST /_fogbank/reset[?service=s3]            forget all state, or one service's
//	POST /_localstack/state/reset, /_localstack/state/<service>/reset, /moto-api/reset
//	GET  /_fogbank/snapshot                       the whole state (fogbank snapshot save)
//	POST /_fogbank/snapshot                       replace the state (fogbank snapshot load)
func (g *Gateway) serveIntrospection(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/_fogbank/health" || p == "/_localstack/health":
		if !allow(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		h := g.Health()
		status := http.StatusOK
		if !h.Ready {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, h)
	case p == "/_fogbank/init" || p == "/_localstack/init/ready":
		if !allow(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		st := g.initStatus()
		writeJSON(w, http.StatusOK, map[string]any{"completed": st.Done, "scripts": scriptList(st)})
	case p == "/_localstack/init":
		if !allow(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		st := g.initStatus()
		// fogbank has one stage, READY; the others are reported as LocalStack
		// reports stages with nothing to run.
		writeJSON(w, http.StatusOK, map[string]any{
			"completed": map[string]bool{"BOOT": true, "START": true, "READY": st.Done, "SHUTDOWN": false},
			"scripts":   scriptList(st),
		})
	case p == "/_fogbank/reset" || p == "/_localstack/state/reset" || p == "/moto-api/reset":
		g.serveReset(w, r, r.URL.Query().Get("service"))
	case strings.HasPrefix(p, "/_localstack/state/") && strings.HasSuffix(p, "/reset"):
		svc := strings.TrimSuffix(strings.TrimPrefix(p, "/_localstack/state/"), "/reset")
		if svc == "" || strings.Contains(svc, "/") {
			http.NotFound(w, r)
			return
		}
		g.serveReset(w, r, svc)
	case p == "/_fogbank/snapshot":
		g.serveSnapshot(w, r)
	default:
		http.NotFound(w, r)
	}
}

func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method " + r.Method + " not allowed"})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (g *Gateway) initStatus() InitStatus {
	if g.cfg.Admin == nil {
		return InitStatus{Done: true}
	}
	return g.cfg.Admin.Init()
}

func scriptList(st InitStatus) []InitScript {
	if st.Scripts == nil {
		return []InitScript{}
	}
	return st.Scripts
}

// serveReset resets every service (svc "") or the one named by its endpoint
// prefix (s3, dynamodb...). An unknown name is refused, so that a typo does not
// look like a reset that happened.
func (g *Gateway) serveReset(w http.ResponseWriter, r *http.Request, svc string) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	if g.cfg.Admin == nil {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "this server cannot reset"})
		return
	}
	if svc != "" && !g.knows(svc) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown service %q", svc)})
		return
	}
	if err := g.cfg.Admin.Reset(svc); err != nil {
		g.cfg.Logger.Error("reset failed", "service", svc, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	what := svc
	if what == "" {
		what = "all"
	}
	g.cfg.Logger.Info("state reset", "service", what)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "reset": what})
}

func (g *Gateway) knows(svc string) bool {
	for _, b := range g.cfg.Services {
		if b.Service.Name == svc {
			return true
		}
	}
	return false
}

// serveSnapshot streams the state (GET) or replaces it (POST).
func (g *Gateway) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if g.cfg.Admin == nil {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "this server has no snapshots"})
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/octet-stream")
		if err := g.cfg.Admin.WriteSnapshot(w); err != nil {
			// The status is sent: cut the connection, so that the client sees a
			// broken transfer rather than a short snapshot (which the loader
			// would refuse anyway: it ends with a checksum).
			g.cfg.Logger.Error("snapshot failed", "err", err)
			panic(http.ErrAbortHandler)
		}
		return
	}
	err := g.cfg.Admin.LoadSnapshot(r.Body)
	switch {
	case errors.Is(err, store.ErrInvalid):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	case err != nil:
		g.cfg.Logger.Error("loading a snapshot failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	default:
		g.cfg.Logger.Info("snapshot loaded")
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// Health is the body of the health endpoints.
type Health struct {
	Version  string            `json:"version"`
	Edition  string            `json:"edition"`
	Ready    bool              `json:"ready"`    // false until the init scripts have run
	Services map[string]string `json:"services"` // name → "running" | "available"
}

// Health reports each service: "running" when fogbank implements it, "available"
// when it only answers NotImplemented so far. Names are the AWS endpoint prefixes
// tools look for ("s3", "dynamodb", "monitoring"...).
func (g *Gateway) Health() Health {
	h := Health{Version: g.cfg.Version, Edition: "fogbank", Ready: g.initStatus().Done, Services: map[string]string{}}
	for _, b := range g.cfg.Services {
		state := "available"
		if b.Implemented {
			state = "running"
		}
		h.Services[b.Service.Name] = state
	}
	return h
}
