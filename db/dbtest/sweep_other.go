//go:build !unix

package dbtest

import "os"

const dirPrefix = "gametable-dbtest-"

// lockDir does nothing where flock is missing; abandoned directories are
// then not swept.
func lockDir(dir string) (*os.File, error) { return nil, nil }

func sweep() {}
