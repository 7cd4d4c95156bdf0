package acctest

// Checks the acceptance tests of several packages share: expected-error patterns, and the sandbox's request log
// read as "did anything write".

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// ErrorRe compiles an expected error for resource.TestStep.ExpectError. Terraform wraps long diagnostics at word
// boundaries, so every space of pattern matches any run of whitespace, line breaks included, and `.` matches a line
// break too ((?s)). Write the pattern as the message reads on one line.
func ErrorRe(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// entraTokenRoute is the Entra sandbox's route of the token request (client credentials).
const entraTokenRoute = "POST /{tenant}/oauth2/v2.0/token"

// ResetCounters clears both clouds' request logs and counters of sb, so that a later Writes or count sees only what
// came after.
func ResetCounters(sb *sandbox.Sandbox) {
	sb.Entra.Router().ResetCounters()
	sb.Auth0.Router().ResetCounters()
}

// Writes lists the requests that reached either cloud of sb since its counters were reset and were not reads:
// everything but GET, the Entra login and the Auth0 token request, as "Entra PATCH /v1.0/…" or "Auth0 POST /api/v2/…".
func Writes(sb *sandbox.Sandbox) []string {
	var out []string
	for _, r := range sb.Entra.Router().Requests("") {
		if r.Method != http.MethodGet && r.Route != entraTokenRoute {
			out = append(out, "Entra "+r.Method+" "+r.Path)
		}
	}
	for _, r := range sb.Auth0.Router().Requests("") {
		if r.Method != http.MethodGet && r.Route != auth0.RouteToken {
			out = append(out, "Auth0 "+r.Method+" "+r.Path)
		}
	}
	return out
}

// CheckNoWrites fails the test (without stopping it) when Writes(sb) is not empty: a plan that failed, or a
// plan-only step, must not have changed either cloud.
func CheckNoWrites(t testing.TB, sb *sandbox.Sandbox) {
	t.Helper()
	if w := Writes(sb); len(w) != 0 {
		t.Errorf("a failed plan wrote to the clouds: %v", w)
	}
}
