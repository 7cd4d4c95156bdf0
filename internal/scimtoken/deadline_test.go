package scimtoken_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// TestAccSCIMToken_readsHaveADeadline: timeouts.read bounds the reads of ModifyPlan and Read, so a tenant that stops
// answering cannot hold a plan forever. The configuration sets a short read timeout; the sandbox holds one answer to
// the token list far longer.
func TestAccSCIMToken_readsHaveADeadline(t *testing.T) {
	sb := acctest.Sandbox(t)
	if _, err := sb.Auth0.CreateSCIMConfiguration(sb.Seed.ConnectionID, "", nil); err != nil {
		t.Fatal(err)
	}
	const readTimeout, latency = 2 * time.Second, 10 * time.Minute
	cfg := tokenOnly(sb, olderConnectionScopes+fmt.Sprintf("\n  timeouts {\n    read = %q\n  }", readTimeout))
	t.Cleanup(sb.Auth0.Router().ClearFaults)
	var started time.Time
	hang := func() {
		sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteListSCIMTokens, Latency: latency, Times: 1})
		started = time.Now()
	}
	// Terraform runs a few commands per step; a minute is far below the injected latency.
	bounded := func() {
		if d := time.Since(started); d > time.Minute {
			t.Fatalf("the plan took %s to fail, with a read deadline of %s", d, readTimeout)
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoTokens(sb),
		Steps: []resource.TestStep{
			{
				// ModifyPlan of a create lists the connection's tokens (the two-token limit).
				PreConfig:   hang,
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Could not list the connection's SCIM tokens.*context deadline exceeded`),
			},
			{PreConfig: bounded, Config: cfg},
			{
				// Read (the refresh) lists them too.
				PreConfig:   hang,
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Could not list the connection's SCIM tokens.*context deadline exceeded`),
			},
			{PreConfig: bounded, Config: cfg, PlanOnly: true},
		},
	})
}
