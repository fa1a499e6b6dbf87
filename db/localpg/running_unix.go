//go:build unix

package localpg

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Running reports whether the cluster in dir (as Options.Dir) is served
// right now by a postgres that a live gametable process started, and if so
// returns the URL of database on it and that process's pid. Command-line
// tools use it to work on a running server's database instead of failing
// with ErrInUse; they must not stop the cluster.
func Running(dir, database string) (url string, ownerPID int, ok bool) {
	dataDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", 0, false
	}
	lines, err := pidFileLines(filepath.Join(dataDir, "postmaster.pid"))
	// postmaster.pid: pid, data directory, start time, port, socket
	// directory, listen address, shared memory key, status.
	if err != nil || len(lines) < 5 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(lines[0])
	if err != nil || pid <= 0 || !alive(pid) || !isPostgresOn(pid, lines[1], dataDir) {
		return "", 0, false
	}
	port, err := strconv.Atoi(lines[3])
	if err != nil || port <= 0 || lines[4] == "" {
		return "", 0, false
	}
	o, err := readOwner(dataDir)
	if err != nil || !o.alive() || o.pid == os.Getpid() {
		return "", 0, false
	}
	c := &Cluster{socketDir: lines[4], port: port, database: database}
	return c.URL(), o.pid, true
}

func pidFileLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(lines) < 8 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	return lines, sc.Err()
}
