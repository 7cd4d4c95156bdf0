package scimconnection

import (
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// SetReadTimeout makes d the default of timeouts.read (0: auth0client.DefaultReadTimeout again), and returns a
// function that restores the default. The provider runs inside the test process. A test that can write a timeouts
// block writes `read` instead.
func SetReadTimeout(d time.Duration) (restore func()) { return framework.OverrideReadTimeout(d) }
