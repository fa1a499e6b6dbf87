package compendium

import (
	"testing"

	"gametable/db/dbtest"
)

// TestMain stops the private PostgreSQL of dbtest, if one was started.
func TestMain(m *testing.M) { dbtest.Main(m) }
