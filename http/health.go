package http

import (
	"context"
	"net/http"
	"runtime/debug"
)

type statusJSON struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func (statusJSON) responseBody() {}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, statusJSON{Status: "ok"})
}

// handleReadyz answers 200 only when the database is reachable and every
// migration is applied; load balancers keep traffic away until then.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	check := s.opts.Ready
	if check == nil {
		check = s.pool.Ping
	}
	if err := check(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, statusJSON{Status: "unavailable", Error: "database unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, statusJSON{Status: "ok"})
}

type metaJSON struct {
	Version    string `json:"version"`
	LLM        string `json:"llm"`
	Embeddings string `json:"embeddings"`
}

func (metaJSON) responseBody() {}

func (s *Server) handleMeta(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, metaJSON{Version: s.opts.Version, LLM: s.opts.LLM, Embeddings: s.opts.Embeddings})
}

func debugStack() []byte { return debug.Stack() }

// StartingHandler serves while the database is not yet reachable or
// migrated, before the Server exists: /healthz says the process is up,
// /readyz and everything else answer 503 with Retry-After.
func StartingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			writeJSON(w, http.StatusOK, statusJSON{Status: "ok"})
		case "/readyz":
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusServiceUnavailable, statusJSON{Status: "starting", Error: "database not reachable or not migrated yet"})
		default:
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusServiceUnavailable, errorBody{errorDetail{Code: codeUnavailable, Message: "the server is starting; try again shortly"}})
		}
	})
}
