package scimendpoint_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const addr = "data.auth0entra_scim_endpoint.test"

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

// TestAccSCIMEndpoint_errors runs on both targets: the fixture connection without SCIM, a connection id not found and
// a malformed one each fail the read with a message that says what to do.
func TestAccSCIMEndpoint_errors(t *testing.T) {
	tg := acctest.NewTarget(t)
	ds := func(id string) string {
		return tg.Config(fmt.Sprintf(`
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
				Config:      ds(tg.ConnectionID),
				ExpectError: acctest.ErrorRe(`SCIM is not enabled on the connection.*` + tg.ConnectionID + `.*auth0entra_scim_connection`),
			},
			{
				Config:      ds("con_0000000000000000"),
				ExpectError: acctest.ErrorRe(`Auth0 connection not found.*con_0000000000000000`),
			},
			{
				Config:      ds("entra-corp"),
				ExpectError: acctest.ErrorRe(`Invalid Auth0 connection id`),
			},
		},
	})
}

// TestAccSCIMEndpoint_readHasADeadline: timeouts.read bounds Read, so a tenant that stops answering cannot hold a
// plan forever. The configuration sets a short read timeout; the sandbox holds the answer far longer.
func TestAccSCIMEndpoint_readHasADeadline(t *testing.T) {
	sb := acctest.Sandbox(t)
	if _, err := sb.Auth0.CreateSCIMConfiguration(sb.Seed.ConnectionID, "", nil); err != nil {
		t.Fatal(err)
	}
	const readTimeout = 2 * time.Second
	t.Cleanup(sb.Auth0.Router().ClearFaults)
	var started time.Time
	cfg := acctest.Config(sb, fmt.Sprintf(`
data "auth0entra_scim_endpoint" "test" {
  connection_id = %q
  timeouts {
    read = %q
  }
}
`, sb.Seed.ConnectionID, readTimeout))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteGetSCIMConfig, Latency: 10 * time.Minute, Times: 1})
					started = time.Now()
				},
				Config:      cfg,
				ExpectError: acctest.ErrorRe(`Could not read the SCIM configuration.*context deadline exceeded`),
			},
			{
				// Terraform runs a few commands per step; a minute is far below the injected latency.
				PreConfig: func() {
					if d := time.Since(started); d > time.Minute {
						t.Fatalf("the read took %s to fail, with a deadline of %s", d, readTimeout)
					}
				},
				Config: cfg,
				Check:  resource.TestCheckResourceAttr(addr, "id", sb.Seed.ConnectionID),
			},
		},
	})
}
