package scimendpoint_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
)

// TestAccExamples runs on both targets: it applies the documentation examples of the Auth0 side together
// (connection, token, endpoint), with the placeholder connection id replaced by the fixture's and the examples'
// connection_id variables by the connection resource, so the published examples are known to work; destroy leaves
// no SCIM configuration or token, read through the Management API.
func TestAccExamples(t *testing.T) {
	tg := acctest.NewTarget(t)
	var hcl []string
	for _, f := range []string{
		"resources/auth0entra_scim_connection/resource.tf",
		"resources/auth0entra_scim_token/resource.tf",
		"data-sources/auth0entra_scim_endpoint/data-source.tf",
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		example := strings.ReplaceAll(acctest.WithoutVariables(string(b)), "con_AbCdEfGh12345678", tg.ConnectionID)
		hcl = append(hcl, strings.ReplaceAll(example, "var.connection_id", "auth0entra_scim_connection.corp.connection_id"))
	}
	url := "https://" + tg.Auth0Domain + "/scim/v2/connections/" + tg.ConnectionID
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{{
			Config: tg.Config(hcl...),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("entra_tenant_url", knownvalue.StringExact(url+"?aadOptscim062020")),
				statecheck.ExpectKnownOutputValue("effective_mapping", knownvalue.MapSizeExact(29)), // the manager row is removed
				statecheck.ExpectKnownOutputValueAtPath("effective_mapping", tfjsonpath.New("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"), knownvalue.StringExact("app_metadata.dept")),
			},
		}},
	})
}
