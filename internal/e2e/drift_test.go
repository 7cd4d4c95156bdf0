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
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// drift describes one change made by hand in one cloud behind Terraform's back.
type drift struct {
	// sandboxOnly, when set, is why the drift can only be made in the sandbox (the test skips on tenants).
	sandboxOnly string
	// make changes one cloud by hand — through its public API where it can — and checks that provisioning is
	// really affected where it should be.
	make func(t *testing.T, d *driftRun)
	// plan is what the plan after the change must show: the changes, and any planned values that matter.
	plan []plancheck.PlanCheck
	// reads is the request (cloud and route, as routeCounts names it) by which the plan sees the change: on the
	// sandbox, the plan must have made it.
	reads string
	// repaired checks the clouds after the apply, besides the present user being provisioned again.
	repaired func(t *testing.T, d *driftRun) error
	// noPlanOnlyStep leaves out the plan-only step: the plan is then checked only before the apply (a refreshing
	// plan too). See TestAccDriftSCIMConfigurationDeleted for why.
	noPlanOnlyStep bool
}

// driftRun is one drift test's target, its clients and what the apply made.
type driftRun struct {
	tg  *acctest.Target
	a0  *auth0client.Client
	en  *entraclient.Client
	got ids
}

// testDrift applies examples/complete, makes the drift by hand, expects a plan that shows it (a plan-only step with
// a non-empty plan, which on the sandbox must also have read the drifted object from its cloud), then an apply that
// repairs it: its plan shows the drift too, the next plan is empty, and the present user is provisioned again. It
// runs on both targets unless d.sandboxOnly says why not.
func testDrift(t *testing.T, d drift) {
	if d.sandboxOnly != "" {
		acctest.SkipOnTenants(t, d.sandboxOnly)
	}
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	r := &driftRun{tg: tg, a0: tg.Auth0(t), en: tg.Entra(t)}
	var before map[string]int
	cfg := tg.CompleteExample(t, `"Auth0 SCIM (corp)"`, fmt.Sprintf("%q", acctest.RandomName()+" Auth0 SCIM (corp)"))
	vars := tg.CompleteExampleVariables()
	makeDrift := func() {
		d.make(t, r)
		if sb != nil {
			before = routeCounts(sb)
		}
	}
	sawDrift := d.plan
	if sb != nil {
		sawDrift = append([]plancheck.PlanCheck{planReads{d.reads, sb, &before}}, d.plan...)
	}

	steps := []resource.TestStep{{
		Config:          cfg,
		ConfigVariables: vars,
		Check:           captureIDs(&r.got),
	}}
	repair := resource.TestStep{
		Config:          cfg,
		ConfigVariables: vars,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             d.plan,
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: checks(captureIDs(&r.got), func(*terraform.State) error {
			if err := d.repaired(t, r); err != nil {
				return err
			}
			if q, err := r.quarantined(); err != nil || q {
				return fmt.Errorf("the job is quarantined after the repair (%v)", err)
			}
			if sb != nil {
				// Graph masks the saved values (microsoft-graph.md §5.7); the sandbox shows them.
				if secret := sb.Entra.Secrets(r.got.sp)["SecretToken"]; secret != r.got.token {
					return fmt.Errorf("Entra's SecretToken is not the secret of the state's token %s", r.got.tokenID)
				}
			}
			return provisionPresent(t, tg, &r.got)
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
	tg.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(t, tg, &r.got),
		Steps:                    append(steps, repair),
	})
}

// quarantined reports whether Graph shows the job quarantined.
func (r *driftRun) quarantined() (bool, error) {
	ctx, cancel := acctest.CheckContext()
	defer cancel()
	j, err := r.en.GetJob(ctx, r.got.sp, r.got.job)
	if err != nil {
		return false, err
	}
	return j.Status.Code == "Quarantine", nil
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

// TestAccDriftTokenRevokedInAuth0: the token Entra uses is revoked in the Auth0 Dashboard (here with the Management
// API's DELETE). The plan creates a new token and sends it to Entra (an update of the enterprise app's credentials).
func TestAccDriftTokenRevokedInAuth0(t *testing.T) {
	testDrift(t, drift{
		make: func(t *testing.T, d *driftRun) {
			ctx, cancel := acctest.CheckContext()
			defer cancel()
			if err := d.a0.DeleteSCIMToken(ctx, d.tg.ConnectionID, d.got.tokenID); err != nil {
				t.Fatalf("revoking token %s: %v", d.got.tokenID, err)
			}
			expectProvisioningBroken(t, d)
		},
		plan: []plancheck.PlanCheck{
			expectChanges{acctest.CompleteToken: "create", acctest.CompleteApp: "update"},
			plancheck.ExpectUnknownValue(acctest.CompleteApp, tfjsonpath.New("provisioning").AtMapKey("secret_token_wo_version")),
		},
		reads: "auth0 " + auth0.RouteListSCIMTokens,
		repaired: func(_ *testing.T, d *driftRun) error {
			toks, err := d.tg.SCIMTokens(d.a0)
			if err != nil {
				return err
			}
			if len(toks) != 1 || toks[0].TokenID != d.got.tokenID {
				return fmt.Errorf("Auth0 has the tokens %v, want only the new %s", toks, d.got.tokenID)
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
		sandboxOnly: "a quarantine needs a provisioning cycle now, which a tenant runs on its own schedule (the sandbox runs one on demand)",
		make: func(t *testing.T, d *driftRun) {
			sb, got := d.tg.Sandbox, &d.got
			if err := sb.Entra.SetSecret(got.sp, "SecretToken", "garbage"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := sb.Entra.RunCycle(ctx, got.sp); err != nil {
				t.Fatal(err)
			}
			if q, err := d.quarantined(); err != nil || !q {
				t.Fatalf("a cycle with a wrong token must quarantine the job (err %v)", err)
			}
			expectProvisioningBroken(t, d)
		},
		plan: []plancheck.PlanCheck{
			expectChanges{acctest.CompleteApp: "update"},
			plancheck.ExpectKnownValue(acctest.CompleteApp, tfjsonpath.New("quarantined"), knownvalue.Bool(false)),
		},
		reads: "entra " + routeGetJob,
		repaired: func(_ *testing.T, d *driftRun) error {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := d.tg.Sandbox.Entra.RunCycle(ctx, d.got.sp); err != nil {
				return err
			}
			if q, err := d.quarantined(); err != nil || q {
				return fmt.Errorf("a cycle after the repair quarantined the job again (err %v)", err)
			}
			return nil
		},
	})
}

// TestAccDriftSCIMConfigurationDeleted: SCIM is turned off on the connection in Auth0 (here with the Management API's
// DELETE), which deletes its tokens too. The plan creates the SCIM configuration again, a new token, and sends the
// token to Entra.
//
// The plan is checked before the apply only. A plan-only step would start with a plan that does not refresh, and
// with the stale state (SCIM still "on") Terraform reads data source auth0entra_scim_endpoint at plan time, which
// then fails by design because SCIM is off. A normal (refreshing) plan sees the SCIM configuration gone first, plans
// its creation and reads the data source after it, as checked here.
func TestAccDriftSCIMConfigurationDeleted(t *testing.T) {
	testDrift(t, drift{
		noPlanOnlyStep: true,
		make: func(t *testing.T, d *driftRun) {
			ctx, cancel := acctest.CheckContext()
			defer cancel()
			if err := d.a0.DeleteSCIMConfiguration(ctx, d.tg.ConnectionID); err != nil {
				t.Fatalf("turning SCIM off on %s: %v", d.tg.ConnectionID, err)
			}
			expectProvisioningBroken(t, d)
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
		repaired: func(_ *testing.T, d *driftRun) error {
			ctx, cancel := acctest.CheckContext()
			defer cancel()
			cfg, err := d.a0.GetSCIMConfiguration(ctx, d.tg.ConnectionID)
			if err != nil {
				return fmt.Errorf("the SCIM configuration was not created again: %w", err)
			}
			if problems := acctest.SeedMappingRowProblems(cfg.Mapping); len(problems) > 0 || cfg.UserIDAttribute != "externalId" {
				return fmt.Errorf("the SCIM configuration came back with user id attribute %q, mapping problems %v", cfg.UserIDAttribute, problems)
			}
			return nil
		},
	})
}

// TestAccDriftCreateReenabled: someone selects Create again under Target Object Actions in Entra (here with Graph's
// PUT of the job's schema). The plan removes it from the object mapping's flowTypes; after the apply, the absent user
// is skipped again, not created in Auth0.
func TestAccDriftCreateReenabled(t *testing.T) {
	testDrift(t, drift{
		make: func(t *testing.T, d *driftRun) {
			ctx, cancel := acctest.CheckContext()
			defer cancel()
			raw, err := d.en.GetSchema(ctx, d.got.sp, d.got.job)
			if err != nil {
				t.Fatalf("job %s: %v", d.got.job, err)
			}
			edited, err := setUserFlowTypes(raw, "Add, Update, Delete")
			if err != nil {
				t.Fatal(err)
			}
			if err := d.en.PutSchema(ctx, d.got.sp, d.got.job, edited); err != nil {
				t.Fatal(err)
			}
		},
		plan: []plancheck.PlanCheck{
			expectChanges{acctest.CompleteMappings: "update"},
			plancheck.ExpectKnownValue(acctest.CompleteMappings, tfjsonpath.New("target_object_actions"),
				knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Update"), knownvalue.StringExact("Delete")})),
		},
		reads: "entra " + routeGetSchema,
		repaired: func(t *testing.T, d *driftRun) error {
			ctx, cancel := acctest.CheckContext()
			defer cancel()
			raw, err := d.en.GetSchema(ctx, d.got.sp, d.got.job)
			if err != nil {
				return err
			}
			if problems := acctest.SeedSchemaProblems(raw); len(problems) > 0 {
				return fmt.Errorf("after the repair:\n  %s", strings.Join(problems, "\n  "))
			}
			endpoint := d.a0.SCIMEndpointURL(d.tg.ConnectionID)
			_, users, err := acctest.SCIMUsers(endpoint, d.got.token, "")
			if err != nil {
				return err
			}
			r := d.tg.ProvisionOnDemand(t, d.got.sp, d.got.job, d.tg.AbsentUserID)
			if r.Status != "Skipped" || r.ErrorCode != "ActionTypeNotEnabled" {
				return fmt.Errorf("the absent user after the repair: want Skipped with ActionTypeNotEnabled, got\n%s", provisionondemand.Explain(r))
			}
			if _, n, err := acctest.SCIMUsers(endpoint, d.got.token, ""); err != nil || n != users {
				return fmt.Errorf("Auth0 went from %d to %d users (%v): the absent user was created", users, n, err)
			}
			return nil
		},
	})
}

// expectProvisioningBroken checks that the drift really stops provisioning: the present user can no longer be
// provisioned.
func expectProvisioningBroken(t *testing.T, d *driftRun) {
	t.Helper()
	r := d.tg.ProvisionOnDemand(t, d.got.sp, d.got.job, d.tg.PresentUserID)
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
	delete(s, "@odata.context") // not part of the resource; Graph sends it with every answer
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
