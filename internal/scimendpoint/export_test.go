package scimendpoint

import "time"

// SetReadTimeout bounds Read by d instead of auth0client.DefaultReadTimeout (0: the default again), and returns a
// function that restores the default. The provider runs inside the test process.
func SetReadTimeout(d time.Duration) (restore func()) {
	readTimeout.Store(int64(d))
	return func() { readTimeout.Store(0) }
}
