//go:build linux

package proc

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestRunningTellsAZombieFromALiveProcess(t *testing.T) {
	if !Running(os.Getpid()) {
		t.Fatal("this process is running")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	// Until Wait reaps it, the exited child is a zombie: signal 0 reaches it, Running must not count it.
	// Poll with a deadline for it to exit.
	deadline := time.Now().Add(10 * time.Second)
	for Running(pid) {
		if time.Now().After(deadline) {
			t.Fatal("an exited, unreaped child still counts as running after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Wait()
	if Running(pid) {
		t.Fatal("a reaped process counts as running")
	}
}
