package e2e_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// cloudsLag is how far the clouds' clock runs behind the provider's while the first token is issued: with the
// example's lifetime of 8760h, that token expires 29 days after the provider's "now", inside rotate_before = 720h.
const cloudsLag = 336 * 24 * time.Hour

// provisionWindow is Entra's rate-limit window for provisioning on demand (5 calls per 10 seconds per job).
const provisionWindow = 10 * time.Second

// TestAccTokenRotationWithoutGap rotates the SCIM token of examples/complete twice — once because it entered its
// rotate_before window, once because its scopes changed — and runs Provision on Demand for alice before and after
// each rotation and, in the second, while the old and the new token both exist (the new one already in Entra).
// Every provisioning call succeeds with the token expected at that moment, Entra never presents a token Auth0
// refuses, Auth0's two-token limit is never hit, and the request logs show each rotation in the order that keeps
// Entra supplied: new token created, tested by Entra and saved in Entra, then the old one revoked.
//
// The rotate_before window is reached honestly: the provider judges it by the real time, and the clouds' clock (the
// sandbox's Now) runs 336 days behind while the first token is issued, as if it had been issued 336 days ago. The
// clock then catches up. The second rotation is split by a failed revocation (the provider's Auth0 application is
// briefly denied delete:scim_token): Terraform keeps the old token as deposed, which is exactly the mid-rotation
// moment, and the next apply revokes it.
func TestAccTokenRotationWithoutGap(t *testing.T) {
	var clock acctest.Clock
	clock.Set(-cloudsLag)
	sb := acctest.SandboxWith(t, sandbox.Options{Now: clock.Now})
	alice := sb.Seed.User("alice")

	var got, old ids
	var since time.Time
	var newTokenID string
	provisions := 0
	// provision runs Provision on Demand for alice and checks which token Entra presented to Auth0 for it.
	provision := func(when, wantToken string) error {
		clock.Advance(provisionWindow + time.Second) // each call in its own rate-limit window of the job
		start := time.Now()
		r := acctest.ProvisionOnDemand(t, sb, got.sp, got.job, alice.EntraID)
		provisions++
		if !r.Succeeded() {
			return fmt.Errorf("%s: provisioning alice failed:\n%s", when, provisionondemand.Explain(r))
		}
		if used := scimTokensUsedSince(sb, start); !slices.Equal(used, []string{wantToken}) {
			return fmt.Errorf("%s: Entra presented the SCIM tokens %v to Auth0, want only %s", when, used, wantToken)
		}
		return nil
	}

	base := acctest.CompleteExample(t, sb)
	moreScopes := acctest.CompleteExample(t, sb,
		`scopes        = ["get:users", "patch:users", "delete:users"]`,
		`scopes        = ["get:users", "put:users", "patch:users", "delete:users"]`)
	vars := acctest.CompleteExampleVariables(sb)
	rotationPlan := expectChanges{acctest.CompleteToken: "create-before-destroy", acctest.CompleteApp: "update"}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The setup, 336 days ago for the clouds: the token is due for rotation at the next plan.
				Config:             base,
				ConfigVariables:    vars,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{rotationPlan},
				},
				Check: checks(captureIDs(&got), func(s *terraform.State) error {
					tok, _ := attrs(s, acctest.CompleteToken)
					until, err := time.Parse(time.RFC3339Nano, tok["valid_until"])
					if err != nil {
						return err
					}
					if left := time.Until(until); left <= 0 || left >= 720*time.Hour {
						return fmt.Errorf("the first token expires in %s from the provider's view; the test needs it inside rotate_before (720h) and not expired", left)
					}
					return provision("after the first apply", got.tokenID)
				}),
			},
			{
				// Rotation 1: rotate_before. The clouds' clock catches up; a single apply rotates.
				PreConfig: func() {
					clock.Set(0)
					old = got
					if err := provision("before the rotation", old.tokenID); err != nil {
						t.Fatal(err)
					}
					since = time.Now()
				},
				Config:          base,
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{rotationPlan},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checks(captureIDs(&got), func(*terraform.State) error {
					if err := checkRotated(sb, old, got, since); err != nil {
						return err
					}
					return provision("after the rotation", got.tokenID)
				}),
			},
			{
				// Rotation 2: new scopes. The revocation of the old token fails, so this apply stops mid-rotation.
				PreConfig: func() {
					old = got
					if err := provision("before the scopes change", old.tokenID); err != nil {
						t.Fatal(err)
					}
					since = time.Now()
					sb.Auth0.AddClient(sb.Auth0ClientID, sb.Auth0ClientSecret, without(sandbox.AllManagementScopes, "delete:scim_token"))
				},
				Config:          moreScopes,
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{rotationPlan},
				},
				ExpectError: regexp.MustCompile(`Could not revoke the SCIM token`),
			},
			{
				// Mid-rotation: the new token is in Entra, the old one not yet revoked. Then the revocation goes through.
				PreConfig: func() {
					var err error
					if newTokenID, err = checkMidRotation(sb, old, since); err != nil {
						t.Fatal(err)
					}
					if err := provision("mid-rotation, both tokens alive", newTokenID); err != nil {
						t.Fatal(err)
					}
					sb.Auth0.AddClient(sb.Auth0ClientID, sb.Auth0ClientSecret, sandbox.AllManagementScopes)
				},
				Config:          moreScopes,
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{expectChanges{acctest.CompleteToken + " (deposed)": "delete"}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checks(captureIDs(&got), func(*terraform.State) error {
					if got.tokenID != newTokenID {
						return fmt.Errorf("the state's token is %s, want the one created mid-rotation, %s", got.tokenID, newTokenID)
					}
					if err := checkRotated(sb, old, got, since); err != nil {
						return err
					}
					if err := provision("after the old token was revoked", got.tokenID); err != nil {
						return err
					}
					return checkNoGap(sb, provisions)
				}),
			},
		},
	})
}

// checkRotated checks one rotation from old to cur that began at since: in the request logs, the new token was
// created, then Entra tested it (validateCredentials) and saved it (secrets PUT), and only then was the old token
// revoked; now Auth0 has only the new token and Entra holds its secret.
func checkRotated(sb *sandbox.Sandbox, old, cur ids, since time.Time) error {
	if cur.tokenID == old.tokenID {
		return fmt.Errorf("the token was not replaced: still %s", cur.tokenID)
	}
	steps := []struct {
		what string
		rt   *router.Router
		pick func(router.Request) bool
	}{
		{"Auth0 creates the new token", sb.Auth0.Router(), func(r router.Request) bool {
			return r.Route == auth0.RouteCreateSCIMToken && r.Status == http.StatusCreated
		}},
		{"Entra tests the new token (validateCredentials)", sb.Entra.Router(), func(r router.Request) bool {
			return r.Route == routeValidateJob && r.Status == http.StatusNoContent && strings.Contains(string(r.Body), cur.tokenID+".")
		}},
		{"Entra saves the new token (secrets PUT)", sb.Entra.Router(), func(r router.Request) bool {
			return r.Route == routePutSecrets && r.Status == http.StatusNoContent && strings.Contains(string(r.Body), cur.tokenID+".")
		}},
		{"Auth0 revokes the old token", sb.Auth0.Router(), func(r router.Request) bool {
			return r.Route == auth0.RouteDeleteSCIMToken && r.Status == http.StatusNoContent && strings.HasSuffix(r.Path, "/"+old.tokenID)
		}},
	}
	prev, prevWhat := since, "the rotation began"
	for _, s := range steps {
		var at time.Time
		for _, r := range s.rt.Requests("") {
			if r.Time.After(since) && s.pick(r) {
				at = r.Time
				break
			}
		}
		if at.IsZero() {
			return fmt.Errorf("rotation %s → %s: no request shows that %s", old.tokenID, cur.tokenID, s.what)
		}
		if !at.After(prev) {
			return fmt.Errorf("rotation %s → %s: %s before %s", old.tokenID, cur.tokenID, s.what, prevWhat)
		}
		prev, prevWhat = at, s.what
	}
	if creates := countSince(sb.Auth0.Router(), auth0.RouteCreateSCIMToken, since); creates != 1 {
		return fmt.Errorf("rotation %s → %s created %d tokens, want 1", old.tokenID, cur.tokenID, creates)
	}
	toks := sb.Auth0.SCIMTokens(sb.Seed.ConnectionID)
	if len(toks) != 1 || toks[0].TokenID != cur.tokenID {
		return fmt.Errorf("Auth0 has the tokens %+v after the rotation, want only %s", toks, cur.tokenID)
	}
	if secret := sb.Entra.Secrets(cur.sp)["SecretToken"]; secret != cur.token {
		return fmt.Errorf("Entra's SecretToken is not the secret of the new token %s", cur.tokenID)
	}
	return nil
}

// checkMidRotation checks the moment between "new token in Entra" and "old token revoked" and returns the new
// token's id: Auth0 has the old token and exactly one new one, and Entra tested and saved the new one.
func checkMidRotation(sb *sandbox.Sandbox, old ids, since time.Time) (string, error) {
	toks := sb.Auth0.SCIMTokens(sb.Seed.ConnectionID)
	var fresh []string
	hasOld := false
	for _, tk := range toks {
		if tk.TokenID == old.tokenID {
			hasOld = true
		} else {
			fresh = append(fresh, tk.TokenID)
		}
	}
	if !hasOld || len(fresh) != 1 {
		return "", fmt.Errorf("mid-rotation Auth0 has the tokens %+v, want the old %s and one new token", toks, old.tokenID)
	}
	saved := sb.Entra.Secrets(old.sp)["SecretToken"]
	if !strings.HasPrefix(saved, fresh[0]+".") {
		return "", fmt.Errorf("mid-rotation Entra does not hold the new token %s", fresh[0])
	}
	if n := countSince(sb.Auth0.Router(), auth0.RouteDeleteSCIMToken, since); n != 1 {
		return "", fmt.Errorf("mid-rotation: %d revocations were attempted, want the one that was refused", n)
	}
	return fresh[0], nil
}

// checkNoGap checks the whole test's request logs: every Provision on Demand call was answered 200 (none throttled
// or refused), Auth0's SCIM endpoint never refused Entra (no revoked or unknown token was ever presented), and the
// two-token limit never tripped (no 409 anywhere in Auth0).
func checkNoGap(sb *sandbox.Sandbox, provisions int) error {
	calls := sb.Entra.Router().Requests(routeProvision)
	if len(calls) != provisions {
		return fmt.Errorf("Entra received %d provisioning calls, the test made %d", len(calls), provisions)
	}
	for _, r := range calls {
		if r.Status != http.StatusOK {
			return fmt.Errorf("a provisioning call was answered %d", r.Status)
		}
	}
	if failed := failedRequests(sb.Auth0.Router(), routeSCIMPrefix); len(failed) > 0 {
		return fmt.Errorf("Auth0's SCIM endpoint refused Entra:\n  %s", strings.Join(failed, "\n  "))
	}
	for _, r := range sb.Auth0.Router().Requests("") {
		if r.Status == http.StatusConflict {
			return fmt.Errorf("Auth0 answered 409 to %s %s: the two-token limit tripped", r.Method, r.Path)
		}
	}
	return nil
}

// scimTokensUsedSince returns the ids of the SCIM tokens Entra presented to Auth0's SCIM endpoint since t, sorted.
func scimTokensUsedSince(sb *sandbox.Sandbox, t time.Time) []string {
	seen := map[string]bool{}
	for _, r := range sb.Auth0.Router().Requests("") {
		if !r.Time.After(t) || !strings.Contains(r.Route, routeSCIMPrefix) {
			continue
		}
		secret := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		id, _, _ := strings.Cut(secret, ".")
		seen[id] = true
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func countSince(rt *router.Router, route string, t time.Time) int {
	n := 0
	for _, r := range rt.Requests(route) {
		if r.Time.After(t) {
			n++
		}
	}
	return n
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}
