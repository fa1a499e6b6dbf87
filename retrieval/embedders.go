package retrieval

import (
	"errors"
	"fmt"
	"sync"
)

// ErrUnknownModel means the settings name an embedding model that this
// server cannot run: not the offline one, and no embeddings endpoint is
// configured.
var ErrUnknownModel = errors.New("unknown embedding model")

// Embedders resolves the model named in ingestion_settings to an Embedder.
// The empty name means the server's default: the configured endpoint's
// model when GAMETABLE_EMBEDDINGS_BASE_URL is set, else the offline one.
// OfflineModel is always available; any other name is sent to the
// configured endpoint. It is safe for concurrent use.
type Embedders struct {
	remote  OpenAIConfig
	offline Embedder

	mu     sync.Mutex
	byName map[string]Embedder
}

// NewEmbedders returns a resolver. remote.BaseURL empty means no endpoint.
func NewEmbedders(remote OpenAIConfig) *Embedders {
	return &Embedders{remote: remote, offline: NewHashEmbedder(), byName: map[string]Embedder{}}
}

// NewEmbeddersWith returns a resolver whose default is e, for tests and for
// callers that build their own Embedder.
func NewEmbeddersWith(e Embedder) *Embedders {
	r := NewEmbedders(OpenAIConfig{})
	r.byName[""] = e
	r.byName[e.Model()] = e
	return r
}

// DefaultModel is the model an empty setting stands for.
func (r *Embedders) DefaultModel() string {
	r.mu.Lock()
	e, ok := r.byName[""]
	r.mu.Unlock()
	if ok {
		return e.Model()
	}
	if r.remote.BaseURL != "" {
		return r.remote.Model
	}
	return OfflineModel
}

// Resolve returns the Embedder for a settings value.
func (r *Embedders) Resolve(model string) (Embedder, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.byName[model]; ok {
		return e, nil
	}
	var e Embedder
	switch {
	case model == OfflineModel, model == "" && r.remote.BaseURL == "":
		e = r.offline
	case r.remote.BaseURL != "":
		cfg := r.remote
		if model != "" {
			cfg.Model = model
		}
		oe, err := NewOpenAIEmbedder(cfg)
		if err != nil {
			return nil, fmt.Errorf("embedding model %q: %w", model, err)
		}
		e = oe
	default:
		return nil, fmt.Errorf("%w %q: set GAMETABLE_EMBEDDINGS_BASE_URL to use a model other than %s", ErrUnknownModel, model, OfflineModel)
	}
	r.byName[model] = e
	return e, nil
}
