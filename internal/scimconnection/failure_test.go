package scimconnection_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// defaultSCIMAttributes lists the SCIM attributes of Auth0's default mapping for the seed connection, by creating
// and deleting a configuration in the sandbox (the request log is cleared afterwards).
func defaultSCIMAttributes(t *testing.T, sbAuth0 *auth0.Server, id string) []string {
	t.Helper()
	cfg, err := sbAuth0.CreateSCIMConfiguration(id, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	sbAuth0.DeleteSCIMConfiguration(id)
	sbAuth0.Router().ResetCounters()
	var out []string
	for _, m := range cfg.Mapping {
		out = append(out, m.SCIM)
	}
	sort.Strings(out)
	return out
}

// TestAccSCIMConnection_createFailsHalfway: a create that fails after Auth0 made the SCIM configuration must leave
// it in the state, so that the next apply converges without an import.
//
// The configuration removes every row of the default mapping. Auth0 reads an empty mapping in a POST as "no
// mapping" and applies its defaults, so Create has to follow the POST with a PATCH of the SCIM configuration: that
// PATCH is the step that fails here, after the configuration exists. The connection settings are written before
// the POST, so a failure there leaves nothing behind (step 1).
func TestAccSCIMConnection_createFailsHalfway(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	all := defaultSCIMAttributes(t, sb.Auth0, id)
	if len(all) != 30 {
		t.Fatalf("default mapping has %d rows, want 30", len(all))
	}
	quoted := make([]string, len(all))
	for i, s := range all {
		quoted[i] = fmt.Sprintf("%q", s) // also a valid HCL string: the attribute paths hold quotes
	}
	cfg := acctest.Config(sb, scimConnection(id, fmt.Sprintf(`
  remove_default_mapping = [%s]
  connection_settings = {
    user_id_claim = "oid"
  }
  timeouts {
    create = "5s" # the injected 500s are retried until the create deadline
  }
`, strings.Join(quoted, ", "))))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed(sb, id),
		Steps: []resource.TestStep{
			{
				// The connection PATCH fails: SCIM is not enabled yet, nothing is left behind.
				PreConfig: func() {
					sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteUpdateConnection, Status: http.StatusInternalServerError})
				},
				Config:      cfg,
				ExpectError: acctest.ErrorRe(`Could not update the connection settings.*500`),
			},
			{
				// The connection PATCH now works, the POST too, and the PATCH of the SCIM configuration fails.
				PreConfig: func() {
					if _, ok := sb.Auth0.SCIMConfiguration(id); ok {
						t.Fatal("a failed connection PATCH left a SCIM configuration")
					}
					if n := sb.Auth0.Router().Count(auth0.RouteCreateSCIMConfig); n != 0 {
						t.Fatalf("POST scim-configuration sent %d times after the connection PATCH failed", n)
					}
					sb.Auth0.Router().ClearFaults()
					sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteUpdateSCIMConfig, Status: http.StatusInternalServerError})
				},
				Config:      cfg,
				ExpectError: acctest.ErrorRe(`Could not set the SCIM mapping.*500.*SCIM is enabled on connection.*marked tainted: the next apply replaces it`),
			},
			{
				// Auth0 recovers: the next apply replaces the tainted configuration, without an import.
				PreConfig: func() {
					held, ok := sb.Auth0.SCIMConfiguration(id)
					if !ok || len(held.Mapping) != 30 {
						t.Fatalf("after the failed PATCH the sandbox should hold the default configuration; got %v, %+v", ok, held)
					}
					if claim := optionsOf(t, sb, id)["userid_attribute"]; claim != "oid" {
						t.Fatalf("the connection settings were not written: userid_attribute = %v", claim)
					}
					sb.Auth0.Router().ClearFaults()
					sb.Auth0.Router().ResetCounters()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("effective_mapping"), knownvalue.MapSizeExact(0)),
					statecheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("user_id_claim"), knownvalue.StringExact("oid")),
				},
				Check: func(*terraform.State) error {
					held, ok := sb.Auth0.SCIMConfiguration(id)
					if !ok || len(held.Mapping) != 0 {
						return fmt.Errorf("sandbox configuration: present %v, mapping %v; want one configuration with the empty mapping", ok, held.Mapping)
					}
					want := []string{"DELETE /api/v2/connections/" + id + "/scim-configuration", "POST /api/v2/connections/" + id + "/scim-configuration",
						"PATCH /api/v2/connections/" + id + "/scim-configuration"}
					if got := writes(sb); strings.Join(got, "\n") != strings.Join(want, "\n") {
						return fmt.Errorf("writes:\n  %s\nwant (the tainted configuration deleted, then created once):\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
					}
					return nil
				},
			},
		},
	})
}

// TestAccSCIMConnection_readsHaveADeadline: timeouts.read bounds Read and the reads of ModifyPlan, so a tenant that
// stops answering cannot hold a plan forever. The configuration sets a short read timeout; the sandbox holds one
// answer far longer.
func TestAccSCIMConnection_readsHaveADeadline(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	const readTimeout, latency = 2 * time.Second, 10 * time.Minute
	timeoutsBlock := fmt.Sprintf("  timeouts {\n    read = %q\n  }\n", readTimeout)
	cfg := acctest.Config(sb, scimConnection(id, timeoutsBlock))
	t.Cleanup(sb.Auth0.Router().ClearFaults)
	var started time.Time
	hang := func(route string) func() {
		return func() {
			sb.Auth0.Router().Inject(router.Fault{Route: route, Latency: latency, Times: 1})
			started = time.Now()
		}
	}
	// Terraform runs a few commands per step (plan, show, …); a minute is far below the injected latency.
	bounded := func() {
		if d := time.Since(started); d > time.Minute {
			t.Fatalf("the plan took %s to fail, with a read deadline of %s", d, readTimeout)
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// Read (the refresh) waits for GET scim-configuration.
				PreConfig:   hang(auth0.RouteGetSCIMConfig),
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Could not read the SCIM configuration.*context deadline exceeded`),
			},
			{
				// ModifyPlan waits for the default mapping. A plan with nothing to change makes no plan-time read (the
				// fleet budget), so this one changes the mapping.
				PreConfig:   func() { bounded(); hang(auth0.RouteDefaultMapping)() },
				Config:      acctest.Config(sb, scimConnection(id, overrides+timeoutsBlock)),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Could not read Auth0's default SCIM mapping.*context deadline exceeded`),
			},
			{
				PreConfig: bounded,
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
}
