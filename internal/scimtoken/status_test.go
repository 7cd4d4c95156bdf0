package scimtoken_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
)

// TestAccProvisioningStatus_tokenOfDeletedSCIMConfiguration: auth0entra_provisioning_status reads the token through
// the provider's Auth0 client, so that a token gone with its SCIM configuration (404) or with its connection reads as
// token_exists = false instead of failing every plan of the check block that watches it. (It lives with the token
// resource because the data source's own test files are being rewritten in another change.)
func TestAccProvisioningStatus_tokenOfDeletedSCIMConfiguration(t *testing.T) {
	sb := acctest.Sandbox(t)
	h := acctest.SetUpByHand(t, sb)
	const ds = "data.auth0entra_provisioning_status.job"
	status := func(connectionID, tokenID string) string {
		return acctest.Config(sb, fmt.Sprintf(`
data "auth0entra_provisioning_status" "job" {
  service_principal_id = %q
  job_id               = %q
  connection_id        = %q
  token_id             = %q
}
`, h.ServicePrincipalID, h.JobID, connectionID, tokenID))
	}
	cfg := status(sb.Seed.ConnectionID, h.TokenID)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Ids are checked at plan, before any call. A secret pasted as token_id is not echoed. (Not the real
				// secret: the harness logs configurations, and scripts/check-no-secrets-in-logs.sh reads those logs.)
				Config:      status(sb.Seed.ConnectionID, h.TokenID+".pasted-secret"),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Invalid Auth0 SCIM token id.*token_id = "` + h.TokenID + `\." followed by a secret \(not shown\) is not`),
			},
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "token_exists", "true"),
					resource.TestCheckResourceAttrSet(ds, "token_valid_until"),
				),
			},
			{
				// SCIM turned off on the connection: Auth0 deleted the token with the configuration.
				PreConfig: func() {
					if !sb.Auth0.DeleteSCIMConfiguration(sb.Seed.ConnectionID) {
						t.Fatal("no SCIM configuration to delete")
					}
				},
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "token_exists", "false"),
					resource.TestCheckNoResourceAttr(ds, "token_valid_until"),
					resource.TestCheckNoResourceAttr(ds, "token_last_used_at"),
					resource.TestCheckResourceAttr(ds, "state", "Active"),
				),
			},
			{
				// The connection deleted: the token is gone too (with a warning naming the connection).
				PreConfig: func() {
					if !sb.Auth0.DeleteConnection(sb.Seed.ConnectionID) {
						t.Fatal("no connection to delete")
					}
				},
				Config: cfg,
				Check:  resource.TestCheckResourceAttr(ds, "token_exists", "false"),
			},
		},
	})
}
