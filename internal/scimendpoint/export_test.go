package scimendpoint

import (
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// SetReadTimeout bounds Read by d instead of auth0client.DefaultReadTimeout (0: the default again), and returns a
// function that restores the default. The provider runs inside the test process.
func SetReadTimeout(d time.Duration) (restore func()) { return framework.OverrideReadTimeout(d) }
