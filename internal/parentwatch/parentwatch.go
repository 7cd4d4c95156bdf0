// Package parentwatch stops the provider process when Terraform is gone.
//
// Terraform starts the provider as a child process and talks to it over gRPC (go-plugin). When Terraform is killed
// (SIGKILL, a pre-empted CI runner, an OOM kill), nothing tells the provider: go-plugin keeps serving, and a
// resource operation that was running goes on sending requests to the clouds — creating objects that no state will
// ever hold. Watch polls the parent process id; once the process that started the provider is gone (the operating
// system re-parents the provider, so its parent id changes), it calls gone, which exits the process.
//
// On Windows the parent id never changes, so the watch never fires there.
package parentwatch

import (
	"os"
	"time"
)

// DefaultInterval is how often the parent is checked: well inside the two seconds within which no request may leave
// the provider once Terraform is gone, and cheap (one getppid system call).
const DefaultInterval = 200 * time.Millisecond

// Watch starts watching the current parent process and returns a function that stops the watch. gone is called once,
// from the watching goroutine, when the parent is gone; it is expected to end the process.
func Watch(interval time.Duration, gone func()) (stop func()) {
	return watch(interval, os.Getppid, gone)
}

func watch(interval time.Duration, getppid func() int, gone func()) (stop func()) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	parent := getppid()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if getppid() != parent {
					gone()
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// ExitWhenParentGone is what main calls: it exits the process with status 3 (without running deferred functions,
// so no further request is sent) once the parent is gone. debug is true for a provider started by hand to attach a
// debugger, which has no Terraform parent to watch.
func ExitWhenParentGone(debug bool) {
	if debug {
		return
	}
	Watch(DefaultInterval, func() {
		_, _ = os.Stderr.WriteString("terraform-provider-auth0entra: the Terraform process that started this provider is gone; exiting so that no further request is sent\n")
		os.Exit(3)
	})
}
