package retrieval

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// pgvectorIterative is the first pgvector with hnsw.iterative_scan, which
// keeps a filtered vector search from coming back short. Older versions
// (0.5 to 0.7; HNSW indexes, migration 007, need 0.5) refuse the setting,
// so searches on them go without it.
var pgvectorIterative = [3]int{0, 8, 0}

// iterativeScan reports whether the installed pgvector has
// hnsw.iterative_scan. It asks the catalog once; an error is returned and
// asked again next time.
func (s *Service) iterativeScan(ctx context.Context) (bool, error) {
	switch s.vectorIterative.Load() {
	case 1:
		return true, nil
	case 2:
		return false, nil
	}
	version, err := s.q.VectorExtensionVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("read the pgvector version: %w", err)
	}
	ok := versionAtLeast(version, pgvectorIterative)
	if ok {
		s.vectorIterative.Store(1)
	} else {
		s.vectorIterative.Store(2)
		s.logger.Warn("pgvector is older than 0.8.0: searches run without hnsw.iterative_scan, and a vector search filtered to a small book may return fewer passages; install pgvector 0.8 or newer and run ALTER EXTENSION vector UPDATE",
			"pgvector", version)
	}
	return ok, nil
}

// versionAtLeast reports whether a pgvector version such as "0.8.0" (or
// "0.8.1-dev") is at least want. A version it cannot read counts as older.
func versionAtLeast(version string, want [3]int) bool {
	version, _, _ = strings.Cut(version, "-")
	parts := strings.Split(version, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return false
	}
	var got [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return false
		}
		got[i] = n
	}
	for i := range got {
		if got[i] != want[i] {
			return got[i] > want[i]
		}
	}
	return true
}
