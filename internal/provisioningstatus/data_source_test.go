package provisioningstatus_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const ds = "data.auth0entra_provisioning_status.job"

// auth0Time is how Auth0 writes times (valid_until, last_used_at).
const auth0Time = "2006-01-02T15:04:05.000Z"

// statusConfig reads the status of the job made by hand, with its token, and checks it is healthy.
func statusConfig(sb *sandbox.Sandbox, h acctest.HandSetup, tokenArgs string) string {
	return acctest.Config(sb, statusHCL(h, tokenArgs))
}

// statusHCL is the data source on the job h set up, with tokenArgs (the token arguments, or none), and a check that
// it is not quarantined.
func statusHCL(h acctest.HandSetup, tokenArgs string) string {
	return fmt.Sprintf(`
data "auth0entra_provisioning_status" "job" {
  service_principal_id = %q
  job_id               = %q
%s
}

check "healthy" {
  assert {
    condition     = !data.auth0entra_provisioning_status.job.quarantined
    error_message = "quarantined"
  }
}
`, h.ServicePrincipalID, h.JobID, tokenArgs)
}

func tokenArgs(sb *sandbox.Sandbox, h acctest.HandSetup) string {
	return fmt.Sprintf("  connection_id = %q\n  token_id      = %q", sb.Seed.ConnectionID, h.TokenID)
}

// TestAccProvisioningStatus reads a job set up by hand through its life: healthy and started; the token's
// last_used_at after a provisioning call; quarantined (by sb.Entra.QuarantineJob, as a failed cycle does); back to
// normal after a successful cycle, with that cycle's counts; and the token revoked in Auth0.
func TestAccProvisioningStatus(t *testing.T) {
	acctest.SkipUnlessAcceptance(t)
	var clock acctest.Clock
	sb := acctest.SandboxWith(t, sandbox.Options{Now: clock.Now})
	h := acctest.SetUpByHand(t, sb)
	cfg := statusConfig(sb, h, tokenArgs(sb, h))
	var firstUse time.Time
	var provisionedAt time.Time

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      statusConfig(sb, h, fmt.Sprintf("  connection_id = %q", sb.Seed.ConnectionID)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)connection_id needs token_id.*Add\s+token_id\s+=\s+auth0entra_scim_token`),
			},
			{
				Config:      statusConfig(sb, h, `  token_id = "tok_AbCdEfGh12345678"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)token_id needs connection_id.*"tok_AbCdEfGh12345678".*Add\s+connection_id\s+=`),
			},
			{
				// Healthy: started, never run, not quarantined; the token exists and was used by Test Connection.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{expectCheck("healthy", "pass")},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "enabled", "true"),
					resource.TestCheckResourceAttr(ds, "state", "Active"),
					checkAttr("status_code", func(v string) error { return sameAsSandbox(sb, h, "status code", v) }),
					resource.TestCheckResourceAttr(ds, "quarantined", "false"),
					resource.TestCheckNoResourceAttr(ds, "quarantine_reason"),
					resource.TestCheckNoResourceAttr(ds, "quarantine_error"),
					resource.TestCheckNoResourceAttr(ds, "quarantine_since"),
					resource.TestCheckNoResourceAttr(ds, "last_cycle_state"),
					resource.TestCheckResourceAttr(ds, "token_exists", "true"),
					checkAttr("token_valid_until", func(v string) error {
						return equalTime(v, tokenOf(sb, h).ValidUntil, "the token's valid_until")
					}),
					checkAttr("token_last_used_at", func(v string) error {
						var err error
						firstUse, err = time.Parse(time.RFC3339Nano, v)
						return err
					}),
				),
			},
			{
				// A provisioning call an hour later (in the clouds' time) moves the token's last_used_at.
				PreConfig: func() {
					clock.Advance(time.Hour)
					provisionedAt = clock.Now().Truncate(time.Millisecond)
					if r := acctest.ProvisionOnDemand(t, sb, h.ServicePrincipalID, h.JobID, sb.Seed.User("alice").EntraID); !r.Succeeded() {
						t.Fatalf("provisioning alice: %s", r.Summary())
					}
				},
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAttr("token_last_used_at", func(v string) error {
						used, err := time.Parse(time.RFC3339Nano, v)
						if err != nil {
							return err
						}
						if used.Before(provisionedAt) || used.Sub(firstUse) < time.Hour {
							return fmt.Errorf("token_last_used_at = %s, want the provisioning call at %s or later (the first use was %s)", v, provisionedAt.Format(auth0Time), firstUse.Format(auth0Time))
						}
						return equalTime(v, tokenOf(sb, h).LastUsedAt, "the token's last_used_at")
					}),
				),
			},
			{
				// Quarantined, as after a cycle that failed with bad credentials.
				PreConfig: func() {
					if err := sb.Entra.QuarantineJob(h.ServicePrincipalID, h.JobID, "", ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{expectCheck("healthy", "fail")},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "quarantined", "true"),
					resource.TestCheckResourceAttr(ds, "status_code", "Quarantine"),
					resource.TestCheckResourceAttr(ds, "quarantine_reason", "EncounteredQuarantineException"),
					resource.TestMatchResourceAttr(ds, "quarantine_error", regexp.MustCompile(`^SystemForCrossDomainIdentityManagementCredentialValidationFailure: You appear to have entered invalid credentials`)),
					checkAttr("quarantine_since", func(v string) error {
						j, _ := sb.Entra.Job(h.ServicePrincipalID, h.JobID)
						return equalRFC3339(v, j.Status.Quarantine.CurrentBegan, "the quarantine's currentBegan")
					}),
					resource.TestCheckResourceAttr(ds, "last_cycle_state", "Failed"),
					resource.TestCheckResourceAttr(ds, "enabled", "true"),
				),
			},
			{
				// A successful cycle lifts the quarantine; the data source reports the cycle as Entra does.
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					if err := sb.Entra.RunCycle(ctx, h.ServicePrincipalID); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{expectCheck("healthy", "pass")},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "quarantined", "false"),
					resource.TestCheckNoResourceAttr(ds, "quarantine_error"),
					checkAttr("status_code", func(v string) error { return sameAsSandbox(sb, h, "status code", v) }),
					checkAttr("last_cycle_state", func(v string) error { return sameAsSandbox(sb, h, "last cycle state", v) }),
					checkAttr("count_imported", func(v string) error { return sameAsSandbox(sb, h, "count imported", v) }),
					checkAttr("count_exported", func(v string) error { return sameAsSandbox(sb, h, "count exported", v) }),
					checkAttr("count_escrowed", func(v string) error { return sameAsSandbox(sb, h, "count escrowed", v) }),
					checkAttr("last_cycle_began", func(v string) error {
						j, _ := sb.Entra.Job(h.ServicePrincipalID, h.JobID)
						return equalRFC3339(v, j.Status.LastExecution.TimeBegan, "the last cycle's timeBegan")
					}),
					checkAttr("last_cycle_ended", func(v string) error {
						j, _ := sb.Entra.Job(h.ServicePrincipalID, h.JobID)
						return equalRFC3339(v, j.Status.LastExecution.TimeEnded, "the last cycle's timeEnded")
					}),
					resource.TestCheckNoResourceAttr(ds, "last_cycle_error"),
				),
			},
			{
				// The token revoked in Auth0.
				PreConfig: func() {
					if !sb.Auth0.RevokeSCIMToken(sb.Seed.ConnectionID, h.TokenID) {
						t.Fatalf("token %s did not exist", h.TokenID)
					}
				},
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "token_exists", "false"),
					resource.TestCheckNoResourceAttr(ds, "token_last_used_at"),
					resource.TestCheckNoResourceAttr(ds, "token_valid_until"),
				),
			},
			{
				// Without token_id, the token is not read.
				Config: statusConfig(sb, h, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(ds, "token_exists"),
					resource.TestCheckResourceAttr(ds, "state", "Active"),
				),
			},
		},
	})
}

// TestAccProvisioningStatusExample applies the data source's published example with examples/complete, on both
// targets: its check block passes on a healthy setup, and destroy leaves no SCIM configuration on the connection.
func TestAccProvisioningStatusExample(t *testing.T) {
	acctest.SkipUnlessAcceptance(t)
	tg := acctest.NewTarget(t)
	// The example takes its ids as variables so that it validates on its own; here they come from examples/complete.
	example := acctest.Replace(t, acctest.WithoutVariables(
		acctest.ReadRepoFile(t, "examples/data-sources/auth0entra_provisioning_status/data-source.tf")),
		"var.service_principal_id", "auth0entra_enterprise_app.corp.service_principal_id",
		"var.job_id", "auth0entra_enterprise_app.corp.job_id",
		"var.connection_id", "auth0entra_scim_token.corp.connection_id",
		"var.token_id", "auth0entra_scim_token.corp.token_id")
	tg.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{{
			Config:          tg.CompleteExample(t, `"Auth0 SCIM (corp)"`, fmt.Sprintf("%q", acctest.RandomName()+" Auth0 SCIM (corp)")) + example,
			ConfigVariables: tg.CompleteExampleVariables(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), expectCheck("provisioning_healthy", "pass")},
			},
		}},
	})
}

// expectCheck is a plan check: the check block has the status ("pass", "fail", "error" or "unknown").
func expectCheck(block, status string) plancheck.PlanCheck { return checkStatus{block, status} }

type checkStatus struct{ block, status string }

func (c checkStatus) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var seen []string
	for _, r := range req.Plan.Checks {
		if string(r.Address.Kind) != "check" {
			continue
		}
		seen = append(seen, r.Address.Name+": "+string(r.Status))
		if r.Address.Name == c.block && string(r.Status) != c.status {
			resp.Error = fmt.Errorf("check block %q: status %q, want %q", c.block, r.Status, c.status)
		}
		if r.Address.Name == c.block {
			return
		}
	}
	resp.Error = fmt.Errorf("the plan has no check block %q (it has %v)", c.block, seen)
}

// checkAttr checks one attribute of the data source in the state with f.
func checkAttr(name string, f func(string) error) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(ds, name, func(v string) error {
		if err := f(v); err != nil {
			return fmt.Errorf("%s.%s: %w", ds, name, err)
		}
		return nil
	})
}

// sameAsSandbox compares a value the data source reported with what the sandbox's job holds.
func sameAsSandbox(sb *sandbox.Sandbox, h acctest.HandSetup, what, got string) error {
	j, ok := sb.Entra.Job(h.ServicePrincipalID, h.JobID)
	if !ok {
		return fmt.Errorf("job %s is gone", h.JobID)
	}
	var want string
	switch le := j.Status.LastExecution; what {
	case "status code":
		want = j.Status.Code
	case "last cycle state":
		want = le.State
	case "count imported":
		want = fmt.Sprint(le.CountImported)
	case "count exported":
		want = fmt.Sprint(le.CountExported)
	case "count escrowed":
		want = fmt.Sprint(le.CountEscrowed)
	}
	if got != want {
		return fmt.Errorf("%s %q, Entra says %q", what, got, want)
	}
	return nil
}

func tokenOf(sb *sandbox.Sandbox, h acctest.HandSetup) struct{ ValidUntil, LastUsedAt time.Time } {
	for _, tk := range sb.Auth0.SCIMTokens(sb.Seed.ConnectionID) {
		if tk.TokenID == h.TokenID {
			return struct{ ValidUntil, LastUsedAt time.Time }{tk.ValidUntil, tk.LastUsedAt}
		}
	}
	return struct{ ValidUntil, LastUsedAt time.Time }{}
}

func equalTime(got string, want time.Time, what string) error {
	if w := want.UTC().Format(auth0Time); got != w {
		return fmt.Errorf("%q, want %s %q", got, what, w)
	}
	return nil
}

// equalRFC3339 compares a time the data source reported (RFC 3339, seconds) with one Graph reported.
func equalRFC3339(got, graph, what string) error {
	g, err := time.Parse(time.RFC3339Nano, graph)
	if err != nil {
		return fmt.Errorf("%s %q: %v", what, graph, err)
	}
	if w := g.UTC().Format(time.RFC3339); got != w {
		return fmt.Errorf("%q, want %s %q", got, what, w)
	}
	return nil
}
