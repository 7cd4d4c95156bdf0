package parentwatch

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest/proc"
)

// The test binary plays three roles: the test (default), a "parent" that starts a child and then waits to be
// killed, and the "child" that stands for the provider: it watches its parent and sends a request every 20ms.
const roleEnv = "PARENTWATCH_TEST_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "parent":
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), roleEnv+"=child")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("child %d\n", cmd.Process.Pid)
		select {} // until killed
	case "child":
		ExitWhenParentGone(false)
		url := os.Getenv("PARENTWATCH_TEST_URL")
		for {
			if resp, err := http.Get(url); err == nil {
				resp.Body.Close()
			}
			time.Sleep(20 * time.Millisecond) // the stand-in provider's own pace; not a wait in the test
		}
	}
	os.Exit(m.Run())
}

func TestProviderStopsWithinTwoSecondsOfItsParentsDeath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the parent id never changes on Windows")
	}
	var mu sync.Mutex
	var last time.Time
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		last = time.Now()
		mu.Unlock()
		hits.Add(1)
	}))
	defer srv.Close()

	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), roleEnv+"=parent", "PARENTWATCH_TEST_URL="+srv.URL)
	out := &lineBuffer{}
	parent.Stdout, parent.Stderr = out, out
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var childPid int
	deadline := time.Now().Add(20 * time.Second)
	for hits.Load() < 5 || childPid == 0 {
		if time.Now().After(deadline) {
			_ = parent.Process.Kill()
			t.Fatalf("the child never got going: %d requests; output %q", hits.Load(), out.String())
		}
		_, _ = fmt.Sscanf(out.String(), "child %d", &childPid)
		time.Sleep(10 * time.Millisecond)
	}

	killed := time.Now()
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()

	// Poll (with a deadline) until the child is gone.
	for proc.Running(childPid) {
		if time.Since(killed) > 10*time.Second {
			_ = syscall.Kill(childPid, syscall.SIGKILL)
			t.Fatalf("the child was still running %s after its parent died", time.Since(killed))
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	lastReq := last
	mu.Unlock()
	if after := lastReq.Sub(killed); after > 2*time.Second {
		t.Errorf("the child sent a request %s after its parent died, want none after 2s", after)
	}
	t.Logf("parent killed; last request %s later; child gone; output %q", lastReq.Sub(killed).Round(time.Millisecond), out.String())
}

func TestWatchFiresOnceOnAChangedParent(t *testing.T) {
	var ppid atomic.Int64
	ppid.Store(100)
	fired := make(chan struct{}, 2)
	stop := watch(time.Millisecond, func() int { return int(ppid.Load()) }, func() { fired <- struct{}{} })
	defer stop()
	select {
	case <-fired:
		t.Fatal("fired while the parent is alive")
	case <-time.After(30 * time.Millisecond):
	}
	ppid.Store(1)
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("did not fire when the parent changed")
	}
}

type lineBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lineBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
