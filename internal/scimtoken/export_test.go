package scimtoken

import (
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// SetClock makes the resource judge rotation windows by f instead of the real time (nil: the real time again), and
// returns a function that restores the real clock. The provider runs inside the test process, so acceptance tests
// can move its clock without waiting.
func SetClock(f func() time.Time) (restore func()) {
	if f == nil {
		now.Store(nil)
	} else {
		now.Store(&f)
	}
	return func() { now.Store(nil) }
}

// SetReadTimeout makes d the default of timeouts.read (0: auth0client.DefaultReadTimeout again), and returns a
// function that restores the default. A test that can write a timeouts block writes `read` instead.
func SetReadTimeout(d time.Duration) (restore func()) { return framework.OverrideReadTimeout(d) }
