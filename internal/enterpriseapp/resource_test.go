package enterpriseapp_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/enterpriseapp"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const addr = "auth0entra_enterprise_app.test"

const secretsRoute = "PUT /v1.0/servicePrincipals/{id}/synchronization/secrets"

// scim prepares the Auth0 side through the sandbox's Go API: the seeded connection's SCIM configuration, and returns
// its Entra tenant URL.
func scim(t *testing.T, sb *sandbox.Sandbox) string {
	t.Helper()
	if _, err := sb.Auth0.CreateSCIMConfiguration(sb.Seed.ConnectionID, "externalId", nil); err != nil {
		t.Fatal(err)
	}
	return sb.Auth0.SCIMEndpoint(sb.Seed.ConnectionID) + "?aadOptscim062020"
}

// token issues an Auth0 SCIM token of the seeded connection.
func token(t *testing.T, sb *sandbox.Sandbox, scopes ...string) (value, id string) {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"get:users", "patch:users", "delete:users"}
	}
	tok, err := sb.Auth0.CreateSCIMToken(sb.Seed.ConnectionID, scopes, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token, tok.TokenID
}

type appArgs struct {
	name, oidc, assignments, provisioning string
	// extra is HCL added inside the resource block (e.g. a timeouts block).
	extra string
}

func appHCL(a appArgs) string {
	var b strings.Builder
	b.WriteString(tokenVariables)
	fmt.Fprintf(&b, "resource \"auth0entra_enterprise_app\" \"test\" {\n  display_name = %q\n", a.name)
	if a.oidc != "" {
		fmt.Fprintf(&b, "  oidc_client_id = %q\n", a.oidc)
	}
	if a.assignments != "" {
		fmt.Fprintf(&b, "  assignment = [%s]\n", a.assignments)
	}
	fmt.Fprintf(&b, "  provisioning = {\n%s\n  }\n%s}\n", a.provisioning, a.extra)
	return b.String()
}

func group(id string) string {
	return fmt.Sprintf(`{ principal_id = %q, principal_type = "Group" }`, id)
}
func user(id string) string { return fmt.Sprintf(`{ principal_id = %q, principal_type = "User" }`, id) }

// woProvisioning is a provisioning block with a write-only token; tokenExpr is an HCL expression (var.token1), so
// that no token is written into the configuration the test harness logs.
func woProvisioning(tenantURL, tokenExpr, version, scope string, enabled bool) string {
	return fmt.Sprintf(`    tenant_url              = %q
    secret_token_wo         = %s
    secret_token_wo_version = %q
    scope                   = %q
    enabled                 = %t`, tenantURL, tokenExpr, version, scope, enabled)
}

// tokenVariables declares the sensitive variables tokens are passed in (ConfigVariables land in a tfvars file, which
// the harness does not log).
const tokenVariables = `
variable "token1" {
  type      = string
  sensitive = true
}
variable "token2" {
  type      = string
  sensitive = true
}
`

func tokens(tok1, tok2 string) config.Variables {
	return config.Variables{"token1": config.StringVariable(tok1), "token2": config.StringVariable(tok2)}
}

// attrs returns the flat state attributes of the resource.
func attrs(s *terraform.State) map[string]string {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil
	}
	return rs.Primary.Attributes
}

// ids captures the ids of the resource across steps.
type ids struct{ sp, app, job string }

func (i *ids) capture(s *terraform.State) error {
	a := attrs(s)
	if a == nil {
		return fmt.Errorf("%s is not in the state", addr)
	}
	i.sp, i.app, i.job = a["service_principal_id"], a["application_object_id"], a["job_id"]
	return nil
}

// checkDestroyed reads Graph until the service principal and the application are gone (deletions replicate with a
// lag, microsoft-graph.md §3.4); on the sandbox no job is left either.
func checkDestroyed(tg *acctest.Target, en *entraclient.Client, got *ids) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got.sp == "" {
			return fmt.Errorf("no ids were captured")
		}
		err := acctest.Eventually(en, "waiting for the deleted application to be gone", func(ctx context.Context) error {
			if _, err := en.GetServicePrincipal(ctx, got.sp); !entraclient.IsNotFound(err) {
				return fmt.Errorf("service principal %s still exists (%v)", got.sp, err)
			}
			if _, err := en.GetApplication(ctx, got.app); !entraclient.IsNotFound(err) {
				return fmt.Errorf("application %s still exists (%v)", got.app, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if sb := tg.Sandbox; sb != nil {
			if jobs := sb.Entra.Jobs(got.sp); len(jobs) != 0 {
				return fmt.Errorf("jobs left: %v", jobs)
			}
		}
		return nil
	}
}

// lastSecretsPut returns the body of the last PUT of synchronization secrets the sandbox received.
func lastSecretsPut(sb *sandbox.Sandbox) string {
	reqs := sb.Entra.Router().Requests(secretsRoute)
	if len(reqs) == 0 {
		return ""
	}
	return string(reqs[len(reqs)-1].Body)
}

// TestAccEnterpriseApp_lifecycle creates the app with a write-only token, updates it, rotates the token, imports it
// and destroys it, on both targets: the Auth0 side is prepared through the Management API and every check reads Graph
// (waiting out its replication lag). On the sandbox the app is also created while Entra lags and throttles, the
// request log and the secret values Graph masks are checked, and drift made by hand through the sandbox (assignments,
// job state, tenant URL, quarantine, a deleted job, a failed Test Connection) is repaired.
func TestAccEnterpriseApp_lifecycle(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0, en := tg.Auth0(t), tg.Entra(t)
	tenantURL := tg.SetUpSCIM(t, a0)
	tok1, tok1ID := tg.IssueSCIMToken(t, a0)
	tok2, tok2ID := tg.IssueSCIMToken(t, a0)
	name := acctest.RandomName() + " Auth0 SCIM (acc)"
	var got ids

	if sb != nil {
		sb.Entra.SetReplicationLag(time.Second)
		for _, route := range []string{"POST /v1.0/applicationTemplates/{id}/instantiate", "POST /v1.0/servicePrincipals/{id}/synchronization/jobs", secretsRoute} {
			sb.Entra.Router().Inject(router.Fault{Route: route, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1})
		}
	}

	base := appArgs{name: name, oidc: tg.OIDCClientID, assignments: group(tg.GroupID),
		provisioning: woProvisioning(tenantURL, "var.token1", tok1ID, "assigned", true)}
	updated := base
	updated.name = name + " renamed"
	updated.assignments = group(tg.GroupID) + ", " + user(tg.PresentUserID)
	updated.provisioning = woProvisioning(tenantURL, "var.token1", tok1ID, "all", false)
	rotated := updated
	rotated.provisioning = woProvisioning(tenantURL, "var.token2", tok2ID, "all", true)
	var putsBefore int
	vars := tokens(tok1, tok2)

	// jobState reads the job's schedule state through Graph until it is want.
	jobState := func(want string) error {
		return acctest.Eventually(en, "waiting for the job's state", func(ctx context.Context) error {
			j, err := en.GetJob(ctx, got.sp, got.job)
			if err != nil {
				return err
			}
			if (want == "Active") != (j.Schedule.State == "Active") {
				return fmt.Errorf("job %s is %q, want %s", got.job, j.Schedule.State, want)
			}
			return nil
		})
	}
	// assignments reads who is assigned through Graph until there are want of them.
	assignments := func(want int) error {
		return acctest.Eventually(en, "waiting for the assignments", func(ctx context.Context) error {
			as, err := en.ListAppRoleAssignedTo(ctx, got.sp)
			if err != nil {
				return err
			}
			if len(as) != want {
				return fmt.Errorf("assignments %+v, want %d", as, want)
			}
			return nil
		})
	}

	steps := []resource.TestStep{
		{
			ConfigVariables: vars,
			Config:          tg.Config(appHCL(base)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("provisioning").AtMapKey("secret_token_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("provisioning").AtMapKey("secret_token_wo_version"), knownvalue.StringExact(tok1ID)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("provisioning").AtMapKey("enabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("quarantined"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("job_id"), knownvalue.StringRegexp(regexp.MustCompile(`^scim\.[0-9a-f]{32}\.`))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("assignment"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"principal_id": knownvalue.StringExact(tg.GroupID), "principal_type": knownvalue.StringExact("Group")}),
				})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				got.capture,
				resource.TestCheckResourceAttrPair(addr, "id", addr, "service_principal_id"),
				resource.TestCheckResourceAttr(addr, "display_name", name),
				resource.TestMatchResourceAttr(addr, "job_status", regexp.MustCompile(`^(NotRun|Active)$`)),
				func(s *terraform.State) error {
					// The write-only token reached Entra and is nowhere in the state.
					for k, v := range attrs(s) {
						if strings.Contains(v, tok1) {
							return fmt.Errorf("the token is in the state under %s", k)
						}
					}
					if err := jobState("Active"); err != nil {
						return err
					}
					if err := assignments(1); err != nil {
						return err
					}
					return acctest.Eventually(en, "waiting for the saved credentials", func(ctx context.Context) error {
						secrets, err := en.GetSecrets(ctx, got.sp)
						if err != nil {
							return err
						}
						keys := map[string]bool{}
						for _, sec := range secrets {
							keys[sec.Key] = true
						}
						if !keys["BaseAddress"] || !keys["SecretToken"] || !keys["SyncAll"] {
							return fmt.Errorf("saved credentials %v, want BaseAddress, SecretToken and SyncAll", keys)
						}
						return nil
					})
				},
				func(s *terraform.State) error {
					if sb == nil {
						return nil
					}
					// Graph masks the saved values (microsoft-graph.md §5.7); the sandbox shows them.
					if sec := sb.Entra.Secrets(got.sp); sec["SecretToken"] != tok1 || sec["BaseAddress"] != tenantURL || sec["SyncAll"] != "false" {
						return fmt.Errorf("secrets in Entra: BaseAddress=%q SyncAll=%q token sent=%t", sec["BaseAddress"], sec["SyncAll"], sec["SecretToken"] == tok1)
					}
					// The request log masks the token (router/mask.go); the value check is the stored secret above.
					if body := lastSecretsPut(sb); !strings.Contains(body, `"SecretToken"`) || strings.Contains(body, tok1) {
						return fmt.Errorf("the PUT of secrets did not carry the token, or the request log kept it: %s", body)
					}
					// Credentials were tested before they were saved.
					if n := sb.Entra.Router().Count("POST /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/validateCredentials"); n == 0 {
						return fmt.Errorf("validateCredentials was not called")
					}
					if n := sb.Entra.Router().Count("POST /v1.0/applicationTemplates/{id}/instantiate"); n != 2 {
						return fmt.Errorf("instantiate was called %d times; the 429 should have been retried once", n)
					}
					return nil
				},
			),
		},
		{
			// Update in place: rename, one more assignment, scope all, provisioning off. The token is unchanged.
			ConfigVariables: vars,
			Config:          tg.Config(appHCL(updated)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: func(s *terraform.State) error {
				err := acctest.Eventually(en, "waiting for the new name", func(ctx context.Context) error {
					a, err := en.GetApplication(ctx, got.app)
					if err != nil {
						return err
					}
					if a.DisplayName != updated.name {
						return fmt.Errorf("application name %q, want %q", a.DisplayName, updated.name)
					}
					return nil
				})
				if err != nil {
					return err
				}
				if err := assignments(2); err != nil {
					return err
				}
				if err := jobState("not Active"); err != nil {
					return err
				}
				if sb == nil {
					return nil
				}
				if sec := sb.Entra.Secrets(got.sp); sec["SyncAll"] != "true" || sec["SecretToken"] != tok1 {
					return fmt.Errorf("secrets after the scope change: SyncAll=%q", sec["SyncAll"])
				}
				putsBefore = sb.Entra.Router().Count(secretsRoute)
				return nil
			},
		},
		{
			// Rotation: a new token with a new version is sent; provisioning back on.
			ConfigVariables: vars,
			Config:          tg.Config(appHCL(rotated)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: func(s *terraform.State) error {
				if err := jobState("Active"); err != nil {
					return err
				}
				if sb == nil {
					return nil
				}
				if n := sb.Entra.Router().Count(secretsRoute); n != putsBefore+1 {
					return fmt.Errorf("%d PUTs of secrets for one rotation", n-putsBefore)
				}
				if sb.Entra.Secrets(got.sp)["SecretToken"] != tok2 {
					return fmt.Errorf("Entra does not have the new token")
				}
				return nil
			},
		},
	}
	if sb != nil {
		steps = append(steps, lifecycleDriftSteps(t, sb, &got, vars, tg.Config(appHCL(rotated)), tenantURL, tok2)...)
	}
	steps = append(steps, resource.TestStep{
		ConfigVariables:   vars,
		ResourceName:      addr,
		ImportState:       true,
		ImportStateVerify: true,
		// The token version and the OIDC app registration are configuration only: Entra does not record them.
		ImportStateVerifyIgnore: []string{"provisioning.secret_token_wo_version", "oidc_client_id"},
	})

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             checkDestroyed(tg, en, &got),
		Steps:                    steps,
	})
}

// lifecycleDriftSteps are the steps of TestAccEnterpriseApp_lifecycle that make drift by hand through the sandbox's
// Go API (quarantine and a failed Test Connection cannot be made through Graph) and check the repair; cfg is the
// rotated configuration, applied again by each.
func lifecycleDriftSteps(t *testing.T, sb *sandbox.Sandbox, got *ids, vars config.Variables, cfg, tenantURL, tok2 string) []resource.TestStep {
	dave := sb.Seed.User("dave").EntraID
	var putsBefore int
	return []resource.TestStep{
		{
			// Drift made by hand: an extra assignment, provisioning paused, another tenant URL. The plan shows
			// an update and apply repairs all three.
			PreConfig: func() {
				if _, err := sb.Entra.AssignAppRole(got.sp, dave, "18d14569-c3bd-439b-9a66-3a2aee01d14f"); err != nil {
					t.Fatal(err)
				}
				if err := sb.Entra.SetJobState(got.sp, got.job, "Paused"); err != nil {
					t.Fatal(err)
				}
				if err := sb.Entra.SetSecret(got.sp, "BaseAddress", "https://elsewhere.example/scim/v2/connections/con_x"); err != nil {
					t.Fatal(err)
				}
			},
			ConfigVariables: vars,
			Config:          cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("provisioning").AtMapKey("enabled"), knownvalue.Bool(true)),
			}},
			Check: func(s *terraform.State) error {
				for _, a := range sb.Entra.Assignments(got.sp) {
					if a.PrincipalID == dave {
						return fmt.Errorf("the assignment made by hand was not removed")
					}
				}
				if job, _ := sb.Entra.Job(got.sp, got.job); job.Schedule.State != "Active" {
					return fmt.Errorf("the job was not started again")
				}
				if sec := sb.Entra.Secrets(got.sp); sec["BaseAddress"] != tenantURL || sec["SecretToken"] != tok2 {
					return fmt.Errorf("the credentials were not repaired: BaseAddress=%q", sec["BaseAddress"])
				}
				return nil
			},
		},
		{
			// A quarantine (e.g. a token revoked in Auth0) shows in the plan as quarantined true -> false; apply
			// tests and saves the credentials again and restarts the job.
			PreConfig: func() {
				if err := sb.Entra.QuarantineJob(got.sp, got.job, "", ""); err != nil {
					t.Fatal(err)
				}
				putsBefore = sb.Entra.Router().Count(secretsRoute)
			},
			ConfigVariables: vars,
			Config:          cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("quarantined"), knownvalue.Bool(false)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("quarantined"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("quarantine_reason"), knownvalue.StringExact("")),
			},
			Check: func(s *terraform.State) error {
				if job, _ := sb.Entra.Job(got.sp, got.job); job.Status.Code == "Quarantine" || job.Schedule.State != "Active" {
					return fmt.Errorf("job after repair: %+v", job.Status)
				}
				if n := sb.Entra.Router().Count(secretsRoute); n != putsBefore+1 {
					return fmt.Errorf("the credentials were not saved again")
				}
				return nil
			},
		},
		{
			// The job deleted by hand: the plan shows a new job_id; apply creates the job and its credentials.
			PreConfig: func() {
				if err := sb.Entra.DeleteObject(got.job); err != nil {
					t.Fatal(err)
				}
			},
			ConfigVariables: vars,
			Config:          cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("job_id")),
			}},
			Check: func(s *terraform.State) error {
				jobs := sb.Entra.Jobs(got.sp)
				if len(jobs) != 1 || jobs[0].Schedule.State != "Active" {
					return fmt.Errorf("jobs after the repair: %+v", jobs)
				}
				if sb.Entra.Secrets(got.sp)["SecretToken"] != tok2 {
					return fmt.Errorf("the new job has no credentials")
				}
				return got.capture(s)
			},
		},
		{
			// The job deleted again, and the apply that recreates it fails before the credentials are saved
			// (a transient server error on Test Connection).
			PreConfig: func() {
				if err := sb.Entra.DeleteObject(got.job); err != nil {
					t.Fatal(err)
				}
				// A transient 500 would be retried (validateCredentials is safe to repeat): a 400 fails the step.
				sb.Entra.Router().Inject(router.Fault{Route: "POST /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/validateCredentials", Status: http.StatusBadRequest, Times: 1})
			},
			ConfigVariables: vars,
			Config:          cfg,
			ExpectError:     acctest.ErrorRe(`(?s)Entra could not connect to Auth0 with these credentials.*HTTP 400.*Nothing was saved`),
		},
		{
			// The configuration did not change, but the new job still needs its credentials: the plan shows an
			// update and apply saves them.
			PreConfig:       func() { putsBefore = sb.Entra.Router().Count(secretsRoute) },
			ConfigVariables: vars,
			Config:          cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: func(s *terraform.State) error {
				if n := sb.Entra.Router().Count(secretsRoute); n != putsBefore+1 {
					return fmt.Errorf("the credentials of the new job were not saved")
				}
				jobs := sb.Entra.Jobs(got.sp)
				if len(jobs) != 1 || jobs[0].Schedule.State != "Active" || attrs(s)["job_id"] != jobs[0].ID {
					return fmt.Errorf("jobs: %+v", jobs)
				}
				return got.capture(s)
			},
		},
	}
}

// TestAccEnterpriseApp_credentials covers the legacy secret_token (kept, sensitive, in the state), a failed Test
// Connection (explained; nothing saved; the next apply converges without orphans) and the OIDC check at apply.
// It runs on both targets (tokens issued through the Management API); on the sandbox the first instantiate also
// answers 404 although it creates the app, and the request log shows one app deleted and two instantiates.
func TestAccEnterpriseApp_credentials(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0 := tg.Auth0(t)
	tenantURL := tg.SetUpSCIM(t, a0)
	weak, _ := tg.IssueSCIMToken(t, a0, "patch:users")
	good, _ := tg.IssueSCIMToken(t, a0)
	name := acctest.RandomName() + " Auth0 SCIM (creds)"
	var got ids
	legacy := func(tokenExpr string) string {
		return fmt.Sprintf("    tenant_url   = %q\n    secret_token = %s", tenantURL, tokenExpr)
	}
	vars := tokens(weak, good)
	if sb != nil {
		sb.Entra.SetReplicationLag(500 * time.Millisecond)
		// The first /instantiate answers 404 although it creates the app (microsoft-graph.md §3.4): it is found by
		// its temporary name.
		sb.Entra.SetInstantiateNotFound(1)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             checkDestroyed(tg, tg.Entra(t), &got),
		Steps: []resource.TestStep{
			{
				// A token without get:users fails Entra's Test Connection: the error says why and what to check.
				ConfigVariables: vars,
				Config:          tg.Config(appHCL(appArgs{name: name, provisioning: legacy("var.token1")})),
				ExpectError:     acctest.ErrorRe(`(?s)Entra could not connect to Auth0 with these credentials.*HTTP 400.*SystemForCrossDomainIdentityManagement.*Nothing was saved.*get:users`),
			},
			{
				// The next apply replaces the half-created (tainted) app: exactly one app remains.
				ConfigVariables: vars,
				Config:          tg.Config(appHCL(appArgs{name: name, provisioning: legacy("var.token2")})),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("provisioning").AtMapKey("secret_token"), knownvalue.StringExact(good)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					got.capture,
					func(*terraform.State) error {
						if sb == nil {
							return nil
						}
						if sb.Entra.Secrets(got.sp)["SecretToken"] != good {
							return fmt.Errorf("Entra does not have the token")
						}
						n := 0
						for _, sp := range sb.Entra.Router().Requests("DELETE /v1.0/applications/{id}") {
							if sp.Status == http.StatusNoContent {
								n++
							}
						}
						if n != 1 {
							return fmt.Errorf("the tainted application was deleted %d times", n)
						}
						if got := sb.Entra.Router().Count("POST /v1.0/applicationTemplates/{id}/instantiate"); got != 2 {
							return fmt.Errorf("instantiate called %d times, want 2 (one per create)", got)
						}
						return nil
					},
				),
			},
		},
	})
}

// unknownToken is a value Terraform knows only after apply (terraform_data is built into the CLI: nothing is
// downloaded). appArgs.extra puts it inside the resource block's file, after the resource.
const unknownToken = "\n}\nresource \"terraform_data\" \"token\" {\n  input = \"not-a-real-token\"\n"

// TestAccEnterpriseApp_planErrors runs on both targets: every invalid argument fails the plan (or, with values unknown
// at plan, the apply before any write) with a message naming it; the lookups of the OIDC app, the group and the
// principals go to Graph, the tenant URL is the fixture connection's, with SCIM set up through the Management API. On
// the sandbox the request log also shows that nothing was written to either cloud.
func TestAccEnterpriseApp_planErrors(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	tenantURL := tg.SetUpSCIM(t, tg.Auth0(t))
	const tok = "not-used-at-plan-time"
	// A failed plan writes nothing: on the sandbox every step checks that no request but reads (and logins) reached
	// either cloud since the counters were reset, which covers the step before it; the end of the test covers the
	// last one.
	noWrites := func() {
		if sb != nil {
			acctest.CheckNoWrites(t, sb)
		}
	}
	if sb != nil {
		acctest.ResetCounters(sb)
	}
	step := func(a appArgs, want string) resource.TestStep {
		return resource.TestStep{Config: tg.Config(appHCL(a)), ConfigVariables: tokens("t1", "t2"), PlanOnly: true, ExpectError: acctest.ErrorRe(want),
			PreConfig: noWrites}
	}
	applyStep := func(a appArgs, want string) resource.TestStep {
		st := step(a, want)
		st.PlanOnly = false
		return st
	}
	ok := woProvisioning(tenantURL, "var.token1", "1", "assigned", true)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token_wo = %q\nsecret_token_wo_version = \"1\"\nsecret_token = %q", tenantURL, tok, tok)}, `Two secret tokens`),
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = %q", tenantURL)}, `(?s)Missing secret token.*secret_token_wo`),
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token_wo = %q", tenantURL, tok)}, `(?s)Missing secret_token_wo_version.*changes with the token`),
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token = %q\nsecret_token_wo_version = 2", tenantURL, tok)}, `secret_token_wo_version without secret_token_wo`),
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token = %q", strings.Replace(tenantURL, "https://", "http://", 1), tok)}, `Tenant URL must use https`),
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = \"https://%s/api/v2/connections\"\nsecret_token = %q", tg.Auth0Domain, tok)}, `(?s)Tenant URL is not an Auth0 SCIM endpoint.*/scim/v2/connections/\{connection id\}`),
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token = %q\nscope = \"everyone\"", tenantURL, tok)}, `(?s)provisioning.scope.*value must be one of`),
			step(appArgs{name: "x", oidc: "11111111-2222-3333-4444-555555555555", provisioning: ok}, `(?s)OIDC app registration not found.*11111111-2222-3333-4444-555555555555`),
			step(appArgs{name: "x", oidc: "not-a-guid", provisioning: ok}, `(?s)Invalid GUID.*not-a-guid`),
			step(appArgs{name: "x", assignments: user(tg.GroupID), provisioning: ok}, `(?s)Wrong principal_type.*is a group.*principal_type = "Group"`),
			step(appArgs{name: "x", assignments: group("11111111-2222-3333-4444-555555555555"), provisioning: ok}, `(?s)Assigned principal not found.*No group with object id`),
			step(appArgs{name: "x", assignments: group(tg.GroupID) + ", " + user(tg.GroupID), provisioning: ok}, `(?s)Principal assigned twice.*principal_type = "Group" and with principal_type = "User".*not both`),
			// The same principal twice with the same type (ids compare case-insensitively): said once, not "as Group and as Group".
			step(appArgs{name: "x", assignments: group(tg.GroupID) + ", " + group(strings.ToUpper(tg.GroupID)), provisioning: ok}, `(?s)Principal assigned twice.*appears twice in assignment, both times with principal_type = "Group".*remove one`),
			step(appArgs{name: "x", assignments: `{ principal_id = "11111111-2222-3333-4444-555555555555", principal_type = "ServicePrincipal" }`, provisioning: ok}, `(?s)Invalid principal_type.*principal_id = "11111111-2222-3333-4444-555555555555" has principal_type = "ServicePrincipal".*Use "User" or "Group"`),
			// A long value is cut in the message, never echoed whole.
			step(appArgs{name: "x", provisioning: fmt.Sprintf("tenant_url = \"https://%s/%s\"\nsecret_token = %q", tg.Auth0Domain, strings.Repeat("x", 5000), tok)}, `(?s)Tenant URL is not an Auth0 SCIM endpoint.*… \(5\d\d\d characters\)`),
			step(appArgs{name: "x", assignments: user("not-a-guid"), provisioning: ok}, `(?s)Invalid GUID.*principal_id.*not-a-guid.*Object ID of the user or group`),
			// Tokens whose values are unknown at plan (they come from another resource) pass the plan and are checked
			// at apply, before any write (the next step's PreConfig checks that none reached either cloud).
			applyStep(appArgs{name: "x", extra: unknownToken, provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token_wo = terraform_data.token.output\nsecret_token_wo_version = \"1\"\nsecret_token = terraform_data.token.output", tenantURL)}, `(?s)Two secret tokens.*Set exactly one`),
			applyStep(appArgs{name: "x", extra: unknownToken, provisioning: fmt.Sprintf("tenant_url = %q\nsecret_token_wo = terraform_data.token.output", tenantURL)}, `(?s)Missing secret_token_wo_version.*changes with the token`),
			// A valid configuration last, so that destroying what the apply steps made (terraform_data only) works.
			{Config: tg.Config("resource \"terraform_data\" \"token\" {\n  input = \"not-a-real-token\"\n}\n"), PreConfig: noWrites},
		},
	})
	if sb == nil {
		return
	}
	acctest.CheckNoWrites(t, sb)
	if n := len(sb.Entra.Router().Requests("")); n == 0 {
		t.Error("no request reached Entra: the plan-time lookups did not run, so the check above proves nothing")
	}
}

// auth0OnlyConfig is a provider configured for the sandbox's Auth0 tenant only: no entra block (and acctest.Main
// unsets every ARM_* variable).
func auth0OnlyConfig(sb *sandbox.Sandbox, hcl ...string) string {
	return fmt.Sprintf(`
provider "auth0entra" {
  auth0 {
    domain        = %q
    client_id     = %q
    client_secret = %q
  }
}
`, sb.Auth0Domain, sb.Auth0ClientID, sb.Auth0ClientSecret) + strings.Join(hcl, "\n")
}

// TestAccEnterpriseApp_entraNotConfigured runs on both targets: without Entra configuration the plan fails, saying
// how to configure it, and neither the plan nor an apply writes anything; before, the plan passed and the apply
// created the Auth0 token before failing on the enterprise application. The provider gets the Auth0 configuration
// only (on tenants the Entra variables are emptied); the Management API shows that no token was created, and on the
// sandbox the request log shows that nothing at all was written.
func TestAccEnterpriseApp_entraNotConfigured(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0 := tg.Auth0(t)
	tenantURL := tg.SetUpSCIM(t, a0)
	acctest.WithoutEntraEnvironment(t)
	provider := "\nprovider \"auth0entra\" {}\n"
	if sb != nil {
		provider = auth0OnlyConfig(sb)
	}
	cfg := provider + fmt.Sprintf(`
resource "auth0entra_scim_token" "t" {
  connection_id = %q
  scopes        = ["get:users", "patch:users", "delete:users"]
}

resource "auth0entra_enterprise_app" "test" {
  display_name = "%s Auth0 SCIM (no entra)"
  provisioning = {
    tenant_url              = %q
    secret_token_wo         = auth0entra_scim_token.t.token
    secret_token_wo_version = auth0entra_scim_token.t.token_id
  }
}
`, tg.ConnectionID, acctest.RandomName(), tenantURL)
	want := acctest.ErrorRe(`(?s)Microsoft Entra is not configured.*auth0entra_enterprise_app manages Microsoft Entra objects.*entra block.*ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET`)
	noTokens := tg.NoSCIMTokens(t, a0)
	if sb != nil {
		acctest.ResetCounters(sb)
	}
	resource.Test(t, resource.TestCase{
		// No acctest.PreCheck: NewTarget checked the variables before the Entra ones were emptied.
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg, PlanOnly: true, ExpectError: want},
			{
				// A full apply stops at the plan too: the Auth0 token is not created.
				PreConfig: func() {
					noTokens()
					if sb != nil {
						acctest.CheckNoWrites(t, sb)
					}
				},
				Config:      cfg,
				ExpectError: want,
			},
			{
				// Read before the harness destroys what the apply might have made.
				PreConfig:   noTokens,
				Config:      cfg,
				PlanOnly:    true,
				ExpectError: want,
			},
		},
	})
	if sb == nil {
		return
	}
	acctest.CheckNoWrites(t, sb)
	if n := sb.Auth0.Router().Count(auth0.RouteCreateSCIMToken); n != 0 {
		t.Errorf("%d SCIM tokens were created", n)
	}
}

// TestAccEnterpriseApp_outOfBand: a Read stalled by Graph ends at timeouts.read; the application deleted outside
// Terraform is planned for creation and created again.
func TestAccEnterpriseApp_outOfBand(t *testing.T) {
	sb := acctest.Sandbox(t)
	tenantURL := scim(t, sb)
	tok1, tok1ID := token(t, sb)
	var got, first ids
	args := appArgs{name: "Auth0 SCIM (out of band)", assignments: group(sb.Seed.GroupID),
		provisioning: woProvisioning(tenantURL, "var.token1", tok1ID, "assigned", true),
		extra:        "  timeouts {\n    read = \"3s\"\n  }\n"}
	vars := tokens(tok1, "unused")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             checkDestroyed(acctest.SandboxTarget(sb), acctest.EntraClient(t, sb), &got),
		Steps: []resource.TestStep{
			{ConfigVariables: vars, Config: acctest.Config(sb, appHCL(args)), Check: resource.ComposeTestCheckFunc(got.capture, first.capture)},
			{
				// Graph accepts the refresh's first read and never answers: the plan fails when timeouts.read runs
				// out instead of hanging.
				PreConfig: func() {
					sb.Entra.Router().Inject(router.Fault{Route: "GET /v1.0/servicePrincipals/{id}", Latency: time.Hour, Times: 1})
				},
				ConfigVariables: vars,
				Config:          acctest.Config(sb, appHCL(args)),
				PlanOnly:        true,
				ExpectError:     acctest.ErrorRe(`(?s)Could not read the enterprise application.*time ran out`),
			},
			{
				// The application (and with it the service principal, job and assignments) deleted outside
				// Terraform: the plan creates the enterprise application again, and apply does.
				PreConfig: func() {
					if err := sb.Entra.DeleteObject(first.app); err != nil {
						t.Fatal(err)
					}
				},
				ConfigVariables: vars,
				Config:          acctest.Config(sb, appHCL(args)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					got.capture,
					func(*terraform.State) error {
						if got.sp == first.sp || got.app == first.app {
							return fmt.Errorf("the enterprise application was not created again: %+v", got)
						}
						if _, ok := sb.Entra.ServicePrincipal(got.sp); !ok {
							return fmt.Errorf("service principal %s does not exist", got.sp)
						}
						if jobs := sb.Entra.Jobs(got.sp); len(jobs) != 1 || jobs[0].Schedule.State != "Active" {
							return fmt.Errorf("jobs: %+v", jobs)
						}
						if as := sb.Entra.Assignments(got.sp); len(as) != 1 || as[0].PrincipalID != sb.Seed.GroupID {
							return fmt.Errorf("assignments: %+v", as)
						}
						return nil
					},
				),
			},
		},
	})
}

// readState runs the resource's Read on a state holding attrs, as Terraform's refresh does, with a provider Entra
// client of its own (as a new provider process would have).
func readState(t *testing.T, tg *acctest.Target, attrs map[string]string) *fwresource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	r := &enterpriseapp.Resource{}
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	r.Configure(ctx, fwresource.ConfigureRequest{ProviderData: &conns.Clients{Entra: tg.Entra(t)}}, &fwresource.ConfigureResponse{})
	state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	for k, v := range attrs {
		if d := state.SetAttribute(ctx, path.Root(k), v); d.HasError() {
			t.Fatal(d)
		}
	}
	resp := &fwresource.ReadResponse{State: state}
	r.Read(ctx, fwresource.ReadRequest{State: state}, resp)
	return resp
}

// TestReadWarnsWhenDeletedOutOfBand runs on both targets: a Read that finds the enterprise application gone tells the
// user (a warning, not only a log line) what was deleted and that the next apply creates it again; when only the
// service principal was deleted, it names the app registration left behind. The application is made and deleted
// through Graph; the Reads are polled, since Graph answers with a lag after a write (microsoft-graph.md §3.4).
func TestReadWarnsWhenDeletedOutOfBand(t *testing.T) {
	tg := acctest.NewTarget(t)
	c := tg.Entra(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	name := acctest.RandomName() + " Auth0 SCIM (deleted)"
	app, err := c.CreateEnterpriseApp(ctx, name)
	if app != nil && app.Application.ObjectID != "" {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if err := c.DeleteApplication(entraclient.Fresh(ctx), app.Application.ObjectID); err != nil {
				t.Errorf("deleting application %s: %v", app.Application.ObjectID, err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{
		"id": app.ServicePrincipal.ID, "service_principal_id": app.ServicePrincipal.ID,
		"application_object_id": app.Application.ObjectID, "application_id": app.Application.AppID,
		"display_name": name,
	}
	// warning polls Read until it drops the state with one warning that passes check.
	warning := func(what string, check func(detail string) error) diag.Diagnostic {
		t.Helper()
		var w diag.Diagnostics
		if err := acctest.Eventually(c, what, func(context.Context) error {
			resp := readState(t, tg, attrs)
			if resp.Diagnostics.HasError() {
				return fmt.Errorf("Read: %v", resp.Diagnostics)
			}
			w = resp.Diagnostics.Warnings()
			if !resp.State.Raw.IsNull() || len(w) != 1 {
				return fmt.Errorf("Read: state kept (%v), warnings %v", !resp.State.Raw.IsNull(), w)
			}
			if w[0].Summary() != "Enterprise application deleted outside Terraform" {
				return fmt.Errorf("warning %q", w[0].Summary())
			}
			return check(w[0].Detail())
		}); err != nil {
			t.Fatal(err)
		}
		return w[0]
	}

	// Only the service principal deleted.
	if err := c.DeleteServicePrincipal(ctx, app.ServicePrincipal.ID); err != nil {
		t.Fatal(err)
	}
	w := warning("the Read of a deleted service principal", func(string) error { return nil })
	for _, want := range []string{app.ServicePrincipal.ID, fmt.Sprintf("%q", name), "the next apply creates the enterprise application again", "app registration " + app.Application.ObjectID, "still exists"} {
		if !strings.Contains(w.Detail(), want) {
			t.Errorf("the warning does not say %q:\n%s", want, w.Detail())
		}
	}

	// The application deleted (its service principal goes with it): nothing is left to mention.
	if err := c.DeleteApplication(ctx, app.Application.ObjectID); err != nil {
		t.Fatal(err)
	}
	warning("the Read of a deleted application", func(detail string) error {
		if strings.Contains(detail, "still exists") || !strings.Contains(detail, "the next apply creates") {
			return fmt.Errorf("warning: %s", detail)
		}
		return nil
	})
}
