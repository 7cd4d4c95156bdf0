package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// drift describes one change made by hand in one cloud behind Terraform's back.
type drift struct {
	// make changes one cloud by hand and checks that provisioning is really affected where it should be.
	make func(t *testing.T, sb *sandbox.Sandbox, got *ids)
	// plan is what the plan after the change must show: the changes, and any planned values that matter.
	plan []plancheck.PlanCheck
	// reads is the request (cloud and route, as routeCounts names it) by which the plan sees the change: the plan
	// must have made it.
	reads string
	// repaired checks the clouds after the apply, besides alice being provisioned again.
	repaired func(t *testing.T, sb *sandbox.Sandbox, got *ids) error
	// noPlanOnlyStep leaves out the plan-only step: the plan is then checked only before the apply (a refreshing
	// plan too). See TestAccDriftSCIMConfigurationDeleted for why.
	noPlanOnlyStep bool
}

// testDrift applies examples/complete, makes the drift by hand, expects a plan that shows it (a plan-only step with
// a non-empty plan, which must also have read the drifted object from its cloud), then an apply that repairs it: its
// plan shows the drift too, the next plan is empty, and alice is provisioned again.
func testDrift(t *testing.T, d drift) {
	sb := acctest.Sandbox(t)
	var got ids
	var before map[string]int
	cfg, vars := acctest.CompleteExample(t, sb), acctest.CompleteExampleVariables(sb)
	makeDrift := func() {
		d.make(t, sb, &got)
		before = routeCounts(sb)
	}
	sawDrift := append([]plancheck.PlanCheck{planReads{d.reads, sb, &before}}, d.plan...)

	steps := []resource.TestStep{{
		Config:          cfg,
		ConfigVariables: vars,
		Check:           captureIDs(&got),
	}}
	repair := resource.TestStep{
		Config:          cfg,
		ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             d.plan,
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: checks(captureIDs(&got), func(*terraform.State) error {
			if err := d.repaired(t, sb, &got); err != nil {
				return err
			}
			if q, err := quarantined(sb, got.sp, got.job); err != nil || q {
				return fmt.Errorf("the job is quarantined after the repair (%v)", err)
			}
			if secret := sb.Entra.Secrets(got.sp)["SecretToken"]; secret != got.token {
				return fmt.Errorf("Entra's SecretToken is not the secret of the state's token %s", got.tokenID)
			}
			return provisionAlice(t, sb, &got)
		}),
	}
	if d.noPlanOnlyStep {
		repair.PreConfig = makeDrift
		repair.ConfigPlanChecks.PreApply = sawDrift
	} else {
		steps = append(steps, resource.TestStep{
			PreConfig:          makeDrift,
			Config:             cfg,
			ConfigVariables:    vars,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: sawDrift},
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    append(steps, repair),
	})
}

// planReads is a plan check: since the snapshot before, the plan made a request to route (as routeCounts names it).
type planReads struct {
	route  string
	sb     *sandbox.Sandbox
	before *map[string]int
}

func (p planReads) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	after := routeCounts(p.sb)
	if after[p.route] <= (*p.before)[p.route] {
		resp.Error = fmt.Errorf("the plan did not read %s; its requests were:\n%s", p.route, diffCounts(*p.before, after))
	}
}

// TestAccDriftTokenRevokedInAuth0: the token Entra uses is revoked in the Auth0 Dashboard. The plan creates a new
// token and sends it to Entra (an update of the enterprise app's credentials).
func TestAccDriftTokenRevokedInAuth0(t *testing.T) {
	testDrift(t, drift{
		make: func(t *testing.T, sb *sandbox.Sandbox, got *ids) {
			if !sb.Auth0.RevokeSCIMToken(sb.Seed.ConnectionID, got.tokenID) {
				t.Fatalf("token %s did not exist", got.tokenID)
			}
			expectProvisioningBroken(t, sb, got)
		},
		plan: []plancheck.PlanCheck{
			expectChanges{acctest.CompleteToken: "create", acctest.CompleteApp: "update"},
			plancheck.ExpectUnknownValue(acctest.CompleteApp, tfjsonpath.New("provisioning").AtMapKey("secret_token_wo_version")),
		},
		reads: "auth0 " + auth0.RouteListSCIMTokens,
		repaired: func(_ *testing.T, sb *sandbox.Sandbox, got *ids) error {
			if toks := sb.Auth0.SCIMTokens(sb.Seed.ConnectionID); len(toks) != 1 || toks[0].TokenID != got.tokenID {
				return fmt.Errorf("Auth0 has the tokens %+v, want only the new %s", toks, got.tokenID)
			}
			return nil
		},
	})
}

// TestAccDriftEntraSecretOverwritten: someone pastes a wrong Secret Token into Entra's Admin Credentials; the next
// provisioning cycle fails with it and Entra quarantines the job. The plan shows the quarantine on the enterprise app
// (quarantined: true -> false); the apply tests and saves the configured token again and restarts the job.
func TestAccDriftEntraSecretOverwritten(t *testing.T) {
	testDrift(t, drift{
		make: func(t *testing.T, sb *sandbox.Sandbox, got *ids) {
			if err := sb.Entra.SetSecret(got.sp, "SecretToken", "garbage"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := sb.Entra.RunCycle(ctx, got.sp); err != nil {
				t.Fatal(err)
			}
			if q, err := quarantined(sb, got.sp, got.job); err != nil || !q {
				t.Fatalf("a cycle with a wrong token must quarantine the job (err %v)", err)
			}
			expectProvisioningBroken(t, sb, got)
		},
		plan: []plancheck.PlanCheck{
			expectChanges{acctest.CompleteApp: "update"},
			plancheck.ExpectKnownValue(acctest.CompleteApp, tfjsonpath.New("quarantined"), knownvalue.Bool(false)),
		},
		reads: "entra " + routeGetJob,
		repaired: func(_ *testing.T, sb *sandbox.Sandbox, got *ids) error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := sb.Entra.RunCycle(ctx, got.sp); err != nil {
				return err
			}
			if q, err := quarantined(sb, got.sp, got.job); err != nil || q {
				return fmt.Errorf("a cycle after the repair quarantined the job again (err %v)", err)
			}
			return nil
		},
	})
}

// TestAccDriftSCIMConfigurationDeleted: SCIM is turned off on the connection in Auth0, which deletes its tokens too.
// The plan creates the SCIM configuration again, a new token, and sends the token to Entra.
//
// The plan is checked before the apply only. A plan-only step would start with a plan that does not refresh, and
// with the stale state (SCIM still "on") Terraform reads data source auth0entra_scim_endpoint at plan time, which
// then fails by design because SCIM is off. A normal (refreshing) plan sees the SCIM configuration gone first, plans
// its creation and reads the data source after it, as checked here.
func TestAccDriftSCIMConfigurationDeleted(t *testing.T) {
	testDrift(t, drift{
		noPlanOnlyStep: true,
		make: func(t *testing.T, sb *sandbox.Sandbox, got *ids) {
			if !sb.Auth0.DeleteSCIMConfiguration(sb.Seed.ConnectionID) {
				t.Fatal("the connection had no SCIM configuration")
			}
			expectProvisioningBroken(t, sb, got)
		},
		plan: []plancheck.PlanCheck{
			expectChanges{
				acctest.CompleteConnection: "create",
				acctest.CompleteEndpoint:   "read",
				acctest.CompleteToken:      "create",
				acctest.CompleteApp:        "update",
			},
		},
		reads: "auth0 " + auth0.RouteGetSCIMConfig,
		repaired: func(_ *testing.T, sb *sandbox.Sandbox, _ *ids) error {
			cfg, ok := sb.Auth0.SCIMConfiguration(sb.Seed.ConnectionID)
			if !ok {
				return fmt.Errorf("the SCIM configuration was not created again")
			}
			if problems := acctest.SeedMappingProblems(cfg); len(problems) > 0 || cfg.UserIDAttribute != "externalId" {
				return fmt.Errorf("the SCIM configuration came back with user id attribute %q, mapping problems %v", cfg.UserIDAttribute, problems)
			}
			return nil
		},
	})
}

// TestAccDriftCreateReenabled: someone selects Create again under Target Object Actions in Entra. The plan removes it
// from the object mapping's flowTypes; after the apply, carol (absent from Auth0) is skipped again, not created.
func TestAccDriftCreateReenabled(t *testing.T) {
	testDrift(t, drift{
		make: func(t *testing.T, sb *sandbox.Sandbox, got *ids) {
			raw, ok := sb.Entra.JobSchema(got.sp, got.job)
			if !ok {
				t.Fatalf("job %s has no schema", got.job)
			}
			edited, err := setUserFlowTypes(raw, "Add, Update, Delete")
			if err != nil {
				t.Fatal(err)
			}
			if err := sb.Entra.SetJobSchema(got.sp, got.job, edited); err != nil {
				t.Fatal(err)
			}
		},
		plan: []plancheck.PlanCheck{
			expectChanges{acctest.CompleteMappings: "update"},
			plancheck.ExpectKnownValue(acctest.CompleteMappings, tfjsonpath.New("target_object_actions"),
				knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Update"), knownvalue.StringExact("Delete")})),
		},
		reads: "entra " + routeGetSchema,
		repaired: func(t *testing.T, sb *sandbox.Sandbox, got *ids) error {
			raw, _ := sb.Entra.JobSchema(got.sp, got.job)
			if problems := acctest.SeedSchemaProblems(raw); len(problems) > 0 {
				return fmt.Errorf("after the repair:\n  %s", strings.Join(problems, "\n  "))
			}
			users := len(sb.Auth0.ListUsers(sb.Seed.ConnectionID))
			r := acctest.ProvisionOnDemand(t, sb, got.sp, got.job, sb.Seed.User("carol").EntraID)
			if r.Status != "Skipped" || r.ErrorCode != "ActionTypeNotEnabled" {
				return fmt.Errorf("carol after the repair: want Skipped with ActionTypeNotEnabled, got\n%s", provisionondemand.Explain(r))
			}
			if n := len(sb.Auth0.ListUsers(sb.Seed.ConnectionID)); n != users {
				return fmt.Errorf("Auth0 went from %d to %d users: carol was created", users, n)
			}
			return nil
		},
	})
}

// expectProvisioningBroken checks that the drift really stops provisioning: alice can no longer be provisioned.
func expectProvisioningBroken(t *testing.T, sb *sandbox.Sandbox, got *ids) {
	t.Helper()
	r := acctest.ProvisionOnDemand(t, sb, got.sp, got.job, sb.Seed.User("alice").EntraID)
	if r.Succeeded() {
		t.Fatalf("the drift did not break provisioning:\n%s", provisionondemand.Explain(r))
	}
}

// setUserFlowTypes sets the flowTypes of the User object mapping, as the portal's Target Object Actions do.
func setUserFlowTypes(raw []byte, flowTypes string) ([]byte, error) {
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	set := false
	rules, _ := s["synchronizationRules"].([]any)
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		oms, _ := rm["objectMappings"].([]any)
		for _, om := range oms {
			if om, ok := om.(map[string]any); ok && om["sourceObjectName"] == "User" {
				om["flowTypes"], set = flowTypes, true
			}
		}
	}
	if !set {
		return nil, fmt.Errorf("the schema has no User object mapping")
	}
	return json.Marshal(s)
}
