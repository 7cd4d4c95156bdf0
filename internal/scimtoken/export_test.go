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

// SetReadTimeout bounds Read, ModifyPlan and Update by d instead of auth0client.DefaultReadTimeout (0: the default
// again), and returns a function that restores the default.
func SetReadTimeout(d time.Duration) (restore func()) {
	readTimeout.Store(int64(d))
	return func() { readTimeout.Store(0) }
}
