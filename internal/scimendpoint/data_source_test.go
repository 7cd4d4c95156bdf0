package scimendpoint_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const addr = "data.auth0entra_scim_endpoint.test"

func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// TestAccSCIMEndpoint_withConnectionAndToken runs the Auth0 half of the seed in one apply: SCIM configuration,
// endpoint and token, then calls the endpoint with the token as Entra would.
func TestAccSCIMEndpoint_withConnectionAndToken(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	url := "https://" + sb.Auth0Domain + "/scim/v2/connections/" + id
	cfg := acctest.Config(sb, fmt.Sprintf(`
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
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("url"), knownvalue.StringExact(url)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("entra_tenant_url"), knownvalue.StringExact(url+"?aadOptscim062020")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("connection_name"), knownvalue.StringExact(sandbox.SeedConnectionName)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("strategy"), knownvalue.StringExact("waad")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
			},
			Check: func(s *terraform.State) error {
				ds := s.RootModule().Resources[addr].Primary.Attributes
				tok := s.RootModule().Resources["auth0entra_scim_token.corp"].Primary.Attributes["token"]
				req, _ := http.NewRequest(http.MethodGet, ds["url"]+"/Users?filter="+`userName%20eq%20%22bob%40corp.example%22`, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sb.CA.Pool(), MinVersion: tls.VersionTLS12}}}
				resp, err := c.Do(req)
				if err != nil {
					return err
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("GET %s/Users with the token: %d", ds["url"], resp.StatusCode)
				}
				return nil
			},
		}},
	})
}

func TestAccSCIMEndpoint_errors(t *testing.T) {
	sb := acctest.Sandbox(t)
	ds := func(id string) string {
		return acctest.Config(sb, fmt.Sprintf(`
data "auth0entra_scim_endpoint" "test" {
  connection_id = %q
}
`, id))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      ds(sb.Seed.ConnectionID),
				ExpectError: wrapped(`SCIM is not enabled on the connection.*` + sb.Seed.ConnectionID + `.*auth0entra_scim_connection`),
			},
			{
				Config:      ds("con_0000000000000000"),
				ExpectError: wrapped(`Auth0 connection not found.*con_0000000000000000`),
			},
			{
				Config:      ds("entra-corp"),
				ExpectError: wrapped(`Invalid Auth0 connection id`),
			},
		},
	})
}
