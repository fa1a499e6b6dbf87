package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"gametable/db/dbtest"
	"gametable/retrieval"
)

// ttyBuffer is a buffer that says it is a terminal, so the progress bar is
// drawn into it.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) IsTerminal() bool { return true }

// screen is what a terminal shows after out: its lines, each with carriage
// returns applied (a \r moves back to the start, and later text overwrites)
// and trailing blanks trimmed. An unterminated last line is kept.
func screen(out string) []string {
	var lines []string
	for _, raw := range strings.SplitAfter(out, "\n") {
		if raw == "" {
			continue
		}
		var line []rune
		col := 0
		for _, r := range strings.TrimSuffix(raw, "\n") {
			if r == '\r' {
				col = 0
				continue
			}
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			col++
		}
		lines = append(lines, strings.TrimRight(string(line), " "))
	}
	return lines
}

// barLine matches a finished line of the bar of phase with unit and count.
func barLine(phase retrieval.Phase, unit string, pct, done, total int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^%s +%s +%d%% \|[█ ]+\| \(%d/%d\)`, phase, unit, pct, done, total))
}

func TestProgressPrinter_DrawsABarPerPhase(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	progress, done := progressPrinter(&out, true)
	require.NotNil(t, progress)
	for i := range 3 {
		progress(retrieval.Progress{Phase: retrieval.PhaseExtracting, Done: i, Total: 2})
	}
	for i := range 3 {
		progress(retrieval.Progress{Phase: retrieval.PhaseSplitting, Done: i, Total: 2})
	}
	for _, n := range []int{0, 4, 8, 10} {
		progress(retrieval.Progress{Phase: retrieval.PhaseEmbedding, Done: n, Total: 10})
	}
	done()
	fmt.Fprintln(&out, "imported summary")

	lines := screen(out.String())
	require.Len(t, lines, 4, "one line per phase, then the summary: %q", out.String())
	require.Regexp(t, barLine(retrieval.PhaseExtracting, "files", 100, 2, 2), lines[0])
	require.Regexp(t, barLine(retrieval.PhaseSplitting, "files", 100, 2, 2), lines[1])
	require.Regexp(t, barLine(retrieval.PhaseEmbedding, "chunks", 100, 10, 10), lines[2])
	require.Equal(t, "imported summary", lines[3])
	// The bar was drawn, not only its end: the start of each phase is there.
	require.Contains(t, out.String(), "\rembedding  chunks    0% |")
	require.Contains(t, out.String(), "(0/10)")
}

func TestProgressPrinter_EndsTheLineOnFailure(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	progress, done := progressPrinter(&out, true)
	progress(retrieval.Progress{Phase: retrieval.PhaseExtracting, Done: 0, Total: 3})
	progress(retrieval.Progress{Phase: retrieval.PhaseExtracting, Done: 1, Total: 3})
	done()
	done() // a second call adds nothing
	fmt.Fprintln(&out, "next")

	lines := screen(out.String())
	require.Len(t, lines, 2, "%q", out.String())
	require.Regexp(t, barLine(retrieval.PhaseExtracting, "files", 33, 1, 3), lines[0])
	require.Equal(t, "next", lines[1])
}

func TestProgressPrinter_NothingWithoutATerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	progress, done := progressPrinter(&out, false)
	if progress != nil {
		progress(retrieval.Progress{Phase: retrieval.PhaseEmbedding, Done: 1, Total: 1})
	}
	done()
	require.Empty(t, out.String())

	require.False(t, writesToTerminal(&out))
	require.True(t, writesToTerminal(&ttyBuffer{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	require.False(t, writesToTerminal(f), "a regular file is no terminal")
}

// TestRun_RulesImportProgress runs the import with a terminal and without:
// the terminal sees a bar for each phase and the summary on its own line,
// anything else only the summary.
func TestRun_RulesImportProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := envFrom(map[string]string{
		"DATABASE_URL": dbtest.URL(t), "GAMETABLE_LOG_LEVEL": "warn", "GAMETABLE_DATA_DIR": t.TempDir(),
	})
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.md"), filepath.Join(dir, "b.txt")
	require.NoError(t, os.WriteFile(a, []byte("# Cover\n\nHalf cover gives +2 to AC.\n\n# Rest\n\nA long rest lasts eight hours.\n"), 0o600))
	require.NoError(t, os.WriteFile(b, []byte("Flanking gives advantage on melee attacks.\n"), 0o600))
	summary := regexp.MustCompile(`^imported "house" \(House Rules, optional\): (\d+) chunks, status ready$`)

	var tty ttyBuffer
	var errOut bytes.Buffer
	args := []string{"rules", "import", "--title", "House Rules", "--slug", "house", "--kind", "optional", a, b}
	require.NoError(t, run(ctx, args, env, &tty, &errOut), "stderr: %s", errOut.String())
	lines := screen(tty.String())
	require.Len(t, lines, 4, "%q", tty.String())
	require.Regexp(t, barLine(retrieval.PhaseExtracting, "files", 100, 2, 2), lines[0])
	require.Regexp(t, barLine(retrieval.PhaseSplitting, "files", 100, 2, 2), lines[1])
	m := summary.FindStringSubmatch(lines[3])
	require.NotNil(t, m, "summary on its own line: %q", lines[3])
	chunks, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	require.Positive(t, chunks)
	require.Regexp(t, barLine(retrieval.PhaseEmbedding, "chunks", 100, chunks, chunks), lines[2])
	require.True(t, strings.HasSuffix(tty.String(), "\n"))

	var plain bytes.Buffer
	require.NoError(t, run(ctx, args, env, &plain, &errOut), "stderr: %s", errOut.String())
	require.NotContains(t, plain.String(), "\r")
	require.Regexp(t, summary, strings.TrimSuffix(plain.String(), "\n"), "only the summary: %q", plain.String())
}
