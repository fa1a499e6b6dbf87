//go:build unix && !linux

package localpg

import "syscall"

// Without /proc these report "unknown", and callers fall back to what
// postmaster.pid and kill(pid, 0) tell them.

func setPdeathsig(attr *syscall.SysProcAttr) {}

func procComm(pid int) (string, bool) { return "", false }

func procStartTime(pid int) (uint64, bool) { return 0, false }

func procZombie(pid int) bool { return false }

func procCwd(pid int) (string, bool) { return "", false }
