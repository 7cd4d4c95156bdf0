package enterpriseapp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

const (
	instantiateRoute = "POST /v1.0/applicationTemplates/{id}/instantiate"
	listAppsRoute    = "GET /v1.0/applications"
)

// TestAccEnterpriseApp_adoptsInterruptedCreate: an apply whose create is cut off right after Entra instantiated the
// application (its answer is lost, and Graph then stays unavailable until the create's deadline, as when the run is
// killed) leaves an application that no state holds. The next apply adopts it, through Terraform: /instantiate is
// not sent again, exactly one application and one service principal carry the name, nothing is left under the
// creating-name, the plan after apply is empty, and destroy leaves nothing.
func TestAccEnterpriseApp_adoptsInterruptedCreate(t *testing.T) {
	sb := acctest.Sandbox(t)
	tenantURL := scim(t, sb)
	tok, _ := token(t, sb)
	const name = "Auth0 SCIM (adopted)"
	c := acctest.EntraClient(t, sb)
	var got ids
	cfg := func(extra string) string {
		return acctest.Config(sb, appHCL(appArgs{name: name, provisioning: woProvisioning(tenantURL, "var.token1", "1", "assigned", true), extra: extra}))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkDestroyed(acctest.SandboxTarget(sb), acctest.EntraClient(t, sb), &got),
			func(*terraform.State) error { return checkNamed(c, name, 0) },
		),
		Steps: []resource.TestStep{
			{
				// /instantiate is carried out but its answer is lost; every look-up after it fails (503) until the
				// create's deadline.
				PreConfig: func() {
					sb.Entra.Router().Inject(router.Fault{Route: instantiateRoute, AfterDrop: true, Times: 1})
					sb.Entra.Router().SetHook(func(_ int, req router.Request) {
						if req.Route == instantiateRoute {
							sb.Entra.Router().Inject(router.Fault{Route: listAppsRoute, Status: 503, RetryAfter: 200 * time.Millisecond})
						}
					})
				},
				ConfigVariables: tokens(tok, ""),
				Config:          cfg("  timeouts {\n    create = \"5s\"\n  }\n"),
				ExpectError:     acctest.ErrorRe(`Could not create the enterprise application`),
			},
			{
				// Graph is back. The application exists in Entra (under its creating-name) but in no state.
				PreConfig: func() {
					sb.Entra.Router().SetHook(nil)
					sb.Entra.Router().ClearFaults()
					if n := sb.Entra.Router().Count(instantiateRoute); n != 1 {
						t.Errorf("/instantiate was sent %d times by the interrupted apply, want 1", n)
					}
					left, err := c.FindApplicationsByDisplayName(context.Background(), entraclient.CreatingName(name))
					if err != nil || len(left) != 1 {
						t.Errorf("the interrupted apply should leave one application under the creating-name: %+v, %v", left, err)
					}
					sb.Entra.Router().ResetCounters()
				},
				ConfigVariables: tokens(tok, ""),
				Config:          cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					got.capture,
					func(*terraform.State) error {
						if n := sb.Entra.Router().Count(instantiateRoute); n != 0 {
							return fmt.Errorf("/instantiate was sent %d times by the adopting apply, want 0", n)
						}
						if err := checkNamed(c, name, 1); err != nil {
							return err
						}
						apps, _ := c.FindApplicationsByDisplayName(context.Background(), name)
						if apps[0].ObjectID != got.app || !apps[0].HasTag(entraclient.MarkerTag(name)) {
							return fmt.Errorf("the application in Entra is %+v, the state holds %s", apps[0], got.app)
						}
						sp, ok := sb.Entra.ServicePrincipalByAppID(apps[0].AppID)
						if !ok || sp["id"] != got.sp || sp["displayName"] != name {
							return fmt.Errorf("service principal of the adopted application: %v (state: %s)", sp, got.sp)
						}
						if jobs := sb.Entra.Jobs(got.sp); len(jobs) != 1 || jobs[0].ID != got.job {
							return fmt.Errorf("jobs: %+v, state: %s", jobs, got.job)
						}
						return nil
					},
				),
			},
		},
	})
}

// checkNamed checks that exactly want applications carry name, and none its creating-name (nor any other
// creating-name: an interrupted create of this test leaves nothing behind).
func checkNamed(c *entraclient.Client, name string, want int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	apps, err := c.FindApplicationsByDisplayName(ctx, name)
	if err != nil {
		return err
	}
	if len(apps) != want {
		return fmt.Errorf("%d applications named %q, want %d: %+v", len(apps), name, want, apps)
	}
	sps, err := c.ListServicePrincipalsByPrefix(ctx, name)
	if err != nil {
		return err
	}
	if len(sps) != want {
		return fmt.Errorf("%d service principals named %q, want %d: %+v", len(sps), name, want, sps)
	}
	// The creating-name's prefix (entraclient.CreatingName), whatever the display name.
	left, err := c.ListApplicationsByPrefix(ctx, "auth0entra-creating-")
	if err != nil {
		return err
	}
	if len(left) != 0 {
		return fmt.Errorf("applications left under a creating-name: %+v", left)
	}
	return nil
}
