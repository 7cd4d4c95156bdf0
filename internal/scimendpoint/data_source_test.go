package scimendpoint_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const addr = "data.auth0entra_scim_endpoint.test"

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
