package scimtoken_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// TestAccSCIMToken_ambiguousCreates: a token POST that Auth0 carried out but whose answer was lost leaves a token
// nobody knows the secret of. Within the run, the provider revokes it and creates the token once more; when the run
// ends before it can (deadline, killed process), the next plan does not count it against the two-token limit and
// the next apply revokes it first. Two such failures in a row never block the project.
func TestAccSCIMToken_ambiguousCreates(t *testing.T) {
	sb := acctest.Sandbox(t)
	rt := sb.Auth0.Router()
	t.Cleanup(rt.ClearFaults)
	cfg := withConnection(sb, tokenHCL(olderConnectionScopes))
	// A create deadline shorter than the held answer: the run ends with the token created and its answer not read.
	short := withConnection(sb, tokenHCL(olderConnectionScopes+"\n  timeouts {\n    create = \"2s\"\n  }"))
	hold := func() {
		rt.ClearFaults()
		rt.Inject(router.Fault{Route: auth0.RouteCreateSCIMToken, AfterLatency: 30 * time.Second, Times: 1})
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoTokens(sb),
		Steps: []resource.TestStep{
			{
				// 503 after the write: revoke what it made, create once more, one token in the end.
				PreConfig: func() {
					rt.Inject(router.Fault{Route: auth0.RouteCreateSCIMToken, AfterStatus: http.StatusServiceUnavailable, Times: 1})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if err := oneTokenHeld(sb, s); err != nil {
						return err
					}
					if n := rt.Count(auth0.RouteCreateSCIMToken); n != 2 {
						return fmt.Errorf("token POSTs = %d, want 2 (the lost one and one more)", n)
					}
					if n := rt.Count(auth0.RouteDeleteSCIMToken); n != 1 {
						return fmt.Errorf("token DELETEs = %d, want 1 (the token whose answer was lost)", n)
					}
					return nil
				},
			},
			{
				// The refresh after the apply found the token in the state and removed the marker.
				PreConfig: func() {
					if err := markerGone(sb); err != nil {
						t.Fatal(err)
					}
				},
				Config:  cfg,
				Destroy: true,
			},
			{
				// Twice in a row the answer comes too late: each run ends with a token in Auth0 and none in the state.
				PreConfig:   hold,
				Config:      short,
				ExpectError: acctest.ErrorRe(`Could not create the SCIM token`),
			},
			{
				PreConfig:   hold,
				Config:      short,
				ExpectError: acctest.ErrorRe(`Could not create the SCIM token`),
			},
			{
				// The provider's leftovers never hold the limit: the plan warns, the apply revokes them first.
				PreConfig: func() {
					rt.ClearFaults()
					if n := len(tokenIDs(sb)); n > 1 {
						t.Fatalf("%d tokens after two interrupted creates: the second must revoke the first's leftover", n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error { return oneTokenHeld(sb, s) },
			},
		},
	})
}

func oneTokenHeld(sb *sandbox.Sandbox, s *terraform.State) error {
	ids := tokenIDs(sb)
	if len(ids) != 1 || ids[0] != stateValue(s, "token_id") {
		return fmt.Errorf("tokens in Auth0 %v, in the state %q: want exactly the one the state holds", ids, stateValue(s, "token_id"))
	}
	return nil
}

func markerGone(sb *sandbox.Sandbox) error {
	raw, _ := sb.Auth0.ConnectionJSON(sb.Seed.ConnectionID)
	if containsKey(raw, "auth0entra_scim_token") {
		return fmt.Errorf("the pending-token marker is still on the connection: %s", raw)
	}
	return nil
}

func containsKey(raw []byte, key string) bool { return strings.Contains(string(raw), `"`+key+`"`) }
