package gateway

import (
	"encoding/json"
	"net/http"
)

// serveIntrospection answers fogbank's own endpoints. /_localstack/health answers
// the same body as /_fogbank/health, so tools that wait for a local AWS on 4566
// (testcontainers, localstack's awslocal, CI scripts) work unchanged.
func (g *Gateway) serveIntrospection(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_fogbank/health", "/_localstack/health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(g.Health())
	default:
		http.NotFound(w, r)
	}
}

// Health is the body of the health endpoints.
type Health struct {
	Version  string            `json:"version"`
	Edition  string            `json:"edition"`
	Services map[string]string `json:"services"` // name → "running" | "available"
}

// Health reports each service: "running" when fogbank implements it, "available"
// when it only answers NotImplemented so far. Names are the AWS endpoint prefixes
// tools look for ("s3", "dynamodb", "monitoring"...).
func (g *Gateway) Health() Health {
	h := Health{Version: g.cfg.Version, Edition: "fogbank", Services: map[string]string{}}
	for _, b := range g.cfg.Services {
		state := "available"
		if b.Implemented {
			state = "running"
		}
		h.Services[b.Service.Name] = state
	}
	return h
}
