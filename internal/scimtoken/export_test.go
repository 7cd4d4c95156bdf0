package scimtoken

import "time"

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
