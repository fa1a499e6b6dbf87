//go:build !unix

package localpg

import (
	"context"
	"errors"
)

// Start is not supported on this platform: set DATABASE_URL instead.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	return nil, errors.New("the embedded PostgreSQL needs Linux or macOS: set DATABASE_URL to use an existing server")
}

// Stop does nothing on this platform.
func (c *Cluster) Stop(ctx context.Context) error { return nil }

// Running is always false on this platform.
func Running(dir, database string) (url string, ownerPID int, ok bool) { return "", 0, false }
