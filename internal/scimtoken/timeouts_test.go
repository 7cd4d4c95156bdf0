package scimtoken_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// TestAccSCIMToken_timeoutsRead: timeouts.read bounds every read of the token list (plan-time checks and
// refresh). The sandbox holds one answer to the token list for ten minutes; with read = "2s" the plan fails within
// seconds, naming the call and the deadline, and the next plan (no stall) succeeds.
func TestAccSCIMToken_timeoutsRead(t *testing.T) {
	sb := acctest.Sandbox(t)
	if _, err := sb.Auth0.CreateSCIMConfiguration(sb.Seed.ConnectionID, "", nil); err != nil {
		t.Fatal(err)
	}
	cfg := acctest.Config(sb, fmt.Sprintf(`
resource "auth0entra_scim_token" "test" {
  connection_id = %q
  scopes        = ["get:users", "patch:users", "delete:users"]

  timeouts {
    read = "2s"
  }
}
`, sb.Seed.ConnectionID))
	const latency = 10 * time.Minute
	t.Cleanup(sb.Auth0.Router().ClearFaults)
	var started time.Time
	stall := func() {
		sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteListSCIMTokens, Latency: latency, Times: 1})
		started = time.Now()
	}
	// Terraform runs a few commands per step; a minute is far below the stall and far above two seconds.
	bounded := func() {
		if d := time.Since(started); d > time.Minute {
			t.Fatalf("the plan took %s to fail, with timeouts.read = 2s", d)
		}
	}
	failed := regexp.MustCompile(`(?s)Could\s+not\s+list\s+the\s+connection's\s+SCIM\s+tokens.*context\s+deadline\s+exceeded`)
	noTokens := func(*terraform.State) error {
		if toks := sb.Auth0.SCIMTokens(sb.Seed.ConnectionID); len(toks) != 0 {
			return fmt.Errorf("%d tokens left after destroy", len(toks))
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             noTokens,
		Steps: []resource.TestStep{
			{
				// ModifyPlan of a create lists the connection's tokens (the two-token limit).
				PreConfig:   stall,
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: failed,
			},
			{
				PreConfig: bounded,
				Config:    cfg,
				Check:     resource.TestCheckResourceAttr("auth0entra_scim_token.test", "timeouts.read", "2s"),
			},
			{
				// Read (the refresh) lists them too.
				PreConfig:   stall,
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: failed,
			},
			{PreConfig: bounded, Config: cfg, PlanOnly: true},
		},
	})
}
