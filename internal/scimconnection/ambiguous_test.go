package scimconnection_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// TestAccSCIMConnection_ambiguousCreates: a SCIM configuration POST that Auth0 carried out but answered with an
// error, or whose answer came too late, is adopted — in the same run by reading it back, in the next run through
// the provider's marker on the connection — never reported as "already enabled, import it".
func TestAccSCIMConnection_ambiguousCreates(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	rt := sb.Auth0.Router()
	t.Cleanup(rt.ClearFaults)
	cfg := acctest.Config(sb, scimConnection(id, overrides))
	short := acctest.Config(sb, scimConnection(id, overrides+"  timeouts {\n    create = \"3s\"\n  }\n"))
	oneConfig := func(*terraform.State) error {
		held, ok := sb.Auth0.SCIMConfiguration(id)
		if !ok {
			return fmt.Errorf("no SCIM configuration")
		}
		if held.UserIDAttribute != "externalId" || len(held.Mapping) != 30 {
			return fmt.Errorf("the adopted configuration does not hold the planned mapping: %d rows", len(held.Mapping))
		}
		return nil
	}
	markerOn := func(want bool) error {
		raw, _ := sb.Auth0.ConnectionJSON(id)
		if has := strings.Contains(string(raw), `"auth0entra_scim"`); has != want {
			return fmt.Errorf("marker on the connection = %v, want %v", has, want)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkDestroyed(sb, id)(s); err != nil {
				return err
			}
			return markerOn(false)
		},
		Steps: []resource.TestStep{
			{
				// 500 after the write: read back and adopted; the POST is not repeated.
				PreConfig: func() {
					rt.Inject(router.Fault{Route: auth0.RouteCreateSCIMConfig, AfterStatus: http.StatusInternalServerError, Times: 1})
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if n := rt.Count(auth0.RouteCreateSCIMConfig); n != 1 {
						return fmt.Errorf("POST scim-configuration sent %d times, want 1", n)
					}
					if err := oneConfig(s); err != nil {
						return err
					}
					return markerOn(true)
				},
			},
			{Config: cfg, Destroy: true},
			{
				// The answer comes after the create deadline: the run fails with the configuration made.
				PreConfig: func() {
					if err := markerOn(false); err != nil {
						t.Fatal(err)
					}
					rt.ClearFaults()
					rt.Inject(router.Fault{Route: auth0.RouteCreateSCIMConfig, AfterLatency: 30 * time.Second, Times: 1})
				},
				Config:      short,
				ExpectError: acctest.ErrorRe(`Could not enable SCIM on the connection`),
			},
			{
				// The next apply adopts it instead of asking for an import.
				PreConfig: func() {
					rt.ClearFaults()
					if _, ok := sb.Auth0.SCIMConfiguration(id); !ok {
						t.Fatal("the interrupted create left no configuration: the fault did not carry the POST out")
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: oneConfig,
			},
		},
	})
}

// TestAccSCIMConnection_userIDAttributeMustBeMapped runs on both targets: a user id attribute no mapping row provides
// fails the plan. On tenants the fixture check (acctest.NewTarget) shows that no SCIM configuration was created; on
// the sandbox the request log also shows that nothing was written.
func TestAccSCIMConnection_userIDAttributeMustBeMapped(t *testing.T) {
	tg := acctest.NewTarget(t)
	id := tg.ConnectionID
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      tg.Config(scimConnection(id, `  user_id_attribute = "employeeBadge"`)),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`User id attribute not in the mapping.*user_id_attribute = "employeeBadge".*Use a mapped SCIM attribute`),
			},
			{
				Config: tg.Config(scimConnection(id, `  user_id_attribute = "externalId"
  remove_default_mapping = ["externalId"]`)),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`user_id_attribute = "externalId", but no row`),
			},
		},
	})
	if tg.Sandbox == nil {
		return
	}
	if w := writes(tg.Sandbox); len(w) != 0 {
		t.Errorf("invalid configurations wrote to Auth0: %v", w)
	}
}
