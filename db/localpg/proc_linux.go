//go:build linux

package localpg

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// setPdeathsig asks the kernel to send the child SIGINT (PostgreSQL's fast
// shutdown) when the thread that started it dies. Go applies it after the
// credential change, which would otherwise clear it.
func setPdeathsig(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGINT }

// procStat returns the fields of /proc/<pid>/stat after the command name,
// starting with the state (field 3).
func procStat(pid int) ([]string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return nil, false
	}
	return strings.Fields(s[i+2:]), true
}

// procComm is the process's command name, e.g. "postgres".
func procComm(pid int) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// procStartTime is the process's start time in clock ticks since boot; with
// the PID it identifies a process across PID reuse.
func procStartTime(pid int) (uint64, bool) {
	f, ok := procStat(pid)
	if !ok || len(f) < 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(f[19], 10, 64)
	return v, err == nil
}

// procZombie reports whether the process has exited but not been reaped.
func procZombie(pid int) bool {
	f, ok := procStat(pid)
	return ok && len(f) > 0 && (f[0] == "Z" || f[0] == "X")
}

// procCwd is the process's working directory; the postmaster's is its data
// directory. It needs the same user or root.
func procCwd(pid int) (string, bool) {
	p, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return p, err == nil
}
