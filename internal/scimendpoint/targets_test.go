package scimendpoint_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// TestAccSCIMEndpoint_onBothTargets runs the Auth0 half of the seed in one apply on the fixture connection — SCIM
// configuration, endpoint (read once the configuration exists), token — checks the endpoint's attributes against
// the connection the Management API returns, and calls the endpoint with the token as Entra would. It uses only
// public APIs, so it runs on the sandbox and on tenants (make testacc-tenants).
func TestAccSCIMEndpoint_onBothTargets(t *testing.T) {
	tg := acctest.NewTarget(t)
	id := tg.ConnectionID
	url := "https://" + tg.Auth0Domain + "/scim/v2/connections/" + id
	a0 := tg.Auth0(t)
	ctx, cancel := acctest.CheckContext()
	conn, err := a0.GetConnection(ctx, id)
	cancel()
	if err != nil {
		t.Fatalf("reading the fixture connection %s: %v", id, err)
	}
	cfg := tg.Config(fmt.Sprintf(`
resource "auth0entra_scim_connection" "corp" {
  connection_id = %q
}

data "auth0entra_scim_endpoint" "test" {
  connection_id = auth0entra_scim_connection.corp.connection_id # read once the configuration exists
}

resource "auth0entra_scim_token" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
  scopes        = ["get:users", "patch:users", "delete:users"]
}
`, id))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := a0.GetSCIMConfiguration(ctx, id); !auth0client.IsNotFound(err) {
				return fmt.Errorf("the SCIM configuration of %s is still there after destroy (err %v)", id, err)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("url"), knownvalue.StringExact(url)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("entra_tenant_url"), knownvalue.StringExact(url+"?aadOptscim062020")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("strategy"), knownvalue.StringExact("waad")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("connection_name"), knownvalue.StringExact(conn.Name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: func(s *terraform.State) error {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if _, err := a0.GetSCIMConfiguration(ctx, id); err != nil {
					return fmt.Errorf("reading the SCIM configuration back: %w", err)
				}
				tok := s.RootModule().Resources["auth0entra_scim_token.corp"].Primary.Attributes["token"]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/Users?count=1", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
				if err != nil {
					return err
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("GET %s/Users with the new token: %d", url, resp.StatusCode)
				}
				return nil
			},
		}},
	})
}
