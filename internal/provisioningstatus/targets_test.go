package provisioningstatus_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// targetStatusConfig is statusConfig for a target.
func targetStatusConfig(tg *acctest.Target, h acctest.HandSetup, withToken bool) string {
	args := ""
	if withToken {
		args = fmt.Sprintf("  connection_id = %q\n  token_id      = %q", tg.ConnectionID, h.TokenID)
	}
	return tg.Config(statusHCL(h, args))
}

// TestAccProvisioningStatus_onBothTargets reads a job set up by hand through the Management API and Graph: healthy
// and started, with the job's status code as Graph reports it and the token's valid_until as the Management API
// lists it; then the token revoked through the Management API; then without token_id. The quarantine, the cycles
// and the token's last use (which need the sandbox's clock and cycle runner) are TestAccProvisioningStatus's.
func TestAccProvisioningStatus_onBothTargets(t *testing.T) {
	acctest.SkipUnlessAcceptance(t)
	tg := acctest.NewTarget(t)
	h := tg.SetUpByHand(t, acctest.RandomName()+" Auth0 SCIM (corp)")
	a0, en := tg.Auth0(t), tg.Entra(t)

	graphStatus := func(v string) error {
		ctx, cancel := acctest.CheckContext()
		defer cancel()
		j, err := en.GetJob(ctx, h.ServicePrincipalID, h.JobID)
		if err != nil {
			return err
		}
		if v != j.Status.Code {
			return fmt.Errorf("status code %q, Graph says %q", v, j.Status.Code)
		}
		return nil
	}
	validUntil := func(v string) error {
		toks, err := tg.SCIMTokens(a0)
		if err != nil {
			return err
		}
		for _, tk := range toks {
			if tk.TokenID == h.TokenID {
				if v != tk.ValidUntil {
					return fmt.Errorf("%q, the Management API lists valid_until %q", v, tk.ValidUntil)
				}
				return nil
			}
		}
		return fmt.Errorf("the Management API does not list token %s", h.TokenID)
	}
	cfg := targetStatusConfig(tg, h, true)

	tg.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{expectCheck("healthy", "pass")},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "enabled", "true"),
					resource.TestCheckResourceAttr(ds, "state", "Active"),
					checkAttr("status_code", graphStatus),
					resource.TestCheckResourceAttr(ds, "quarantined", "false"),
					resource.TestCheckNoResourceAttr(ds, "quarantine_reason"),
					resource.TestCheckNoResourceAttr(ds, "quarantine_error"),
					resource.TestCheckResourceAttr(ds, "token_exists", "true"),
					checkAttr("token_valid_until", validUntil),
					// Test Connection called Auth0's SCIM endpoint with the token.
					resource.TestCheckResourceAttrSet(ds, "token_last_used_at"),
				),
			},
			{
				// The token revoked through the Management API.
				PreConfig: func() {
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if err := a0.DeleteSCIMToken(ctx, tg.ConnectionID, h.TokenID); err != nil && !auth0client.IsNotFound(err) {
						t.Fatalf("revoking token %s: %v", h.TokenID, err)
					}
				},
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "token_exists", "false"),
					resource.TestCheckNoResourceAttr(ds, "token_last_used_at"),
					resource.TestCheckNoResourceAttr(ds, "token_valid_until"),
				),
			},
			{
				// Without token_id, the token is not read.
				Config: targetStatusConfig(tg, h, false),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(ds, "token_exists"),
					resource.TestCheckResourceAttr(ds, "state", "Active"),
				),
			},
		},
	})
}
