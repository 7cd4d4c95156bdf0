//go:build unix

// Package proc tells the acceptance and chaos tests whether a process they started (or orphaned) still runs.
package proc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Running reports whether process pid is still running. A process that has exited but was not yet reaped by
// its parent (a zombie: state Z or X in /proc/<pid>/stat) is not running, though signal 0 still reaches it. This
// matters for a provider whose terraform was killed: the orphan is re-parented to the machine's init process, which
// in a container may reap it late or never, so kill(pid, 0) alone would report a provider that exited as alive.
func Running(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err) // no /proc (macOS, the BSDs): signal 0 is all there is
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		switch s[i+2] { // "pid (comm) S …": the state follows the command name
		case 'Z', 'X', 'x':
			return false
		}
	}
	return true
}

// State is the state letter and parent id of pid as /proc shows them ("S ppid 1"), for a failure message; empty
// when /proc does not know the process.
func State(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return ""
	}
	return "state " + f[0] + ", ppid " + f[1]
}
