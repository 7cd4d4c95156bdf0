package scimtoken_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
)

// TestAccProvisioningStatus_tokenOfDeletedSCIMConfiguration runs on both targets: auth0entra_provisioning_status
// reads the token through the provider's Auth0 client, so that a token gone with its SCIM configuration (404) or
// with its connection reads as token_exists = false instead of failing every plan of the check block that watches
// it. The job is set up by hand through the Management API and Graph, SCIM is turned off through the Management
// API. The fixture connection cannot be deleted, so the last step names another connection: on the sandbox one made
// with SCIM and a token through the sandbox's Go API and then deleted; on tenants an id no connection has, which the
// Management API answers as it answers one of a deleted connection (404). (It lives with the token resource because
// the data source's own test files were being rewritten in another change.)
func TestAccProvisioningStatus_tokenOfDeletedSCIMConfiguration(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	h := tg.SetUpByHand(t, acctest.RandomName()+" Auth0 SCIM (corp)")
	a0 := tg.Auth0(t)
	const ds = "data.auth0entra_provisioning_status.job"
	status := func(connectionID, tokenID string) string {
		return tg.Config(fmt.Sprintf(`
data "auth0entra_provisioning_status" "job" {
  service_principal_id = %q
  job_id               = %q
  connection_id        = %q
  token_id             = %q
}
`, h.ServicePrincipalID, h.JobID, connectionID, tokenID))
	}
	cfg := status(tg.ConnectionID, h.TokenID)
	// The connection of the last step and a token that was on it.
	deletedConnection, deletedToken := "con_"+acctest.RandomSuffix()+"abcdef", h.TokenID
	if sb != nil {
		id, err := sb.Auth0.CreateConnection([]byte(`{"name":"entra-deleted","strategy":"waad","options":{"client_id":"x",` +
			`"client_secret":"y","domain":"gone.example.onmicrosoft.com","tenant_domain":"gone.example.onmicrosoft.com","useCommonEndpoint":false}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sb.Auth0.CreateSCIMConfiguration(id, "", nil); err != nil {
			t.Fatal(err)
		}
		tok, err := sb.Auth0.CreateSCIMToken(id, []string{"get:users", "patch:users"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		deletedConnection, deletedToken = id, tok.TokenID
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Ids are checked at plan, before any call. A secret pasted as token_id is not echoed. (Not the real
				// secret: the harness logs configurations, and scripts/check-no-secrets-in-logs.sh reads those logs.)
				Config:      status(tg.ConnectionID, h.TokenID+".pasted-secret"),
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
				// SCIM turned off on the connection through the Management API: Auth0 deletes the token with the
				// configuration.
				PreConfig: func() {
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if err := a0.DeleteSCIMConfiguration(ctx, tg.ConnectionID); err != nil {
						t.Fatalf("turning SCIM off on %s: %v", tg.ConnectionID, err)
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
					if sb != nil && !sb.Auth0.DeleteConnection(deletedConnection) {
						t.Fatal("no connection to delete")
					}
				},
				Config: status(deletedConnection, deletedToken),
				Check:  resource.TestCheckResourceAttr(ds, "token_exists", "false"),
			},
		},
	})
}
