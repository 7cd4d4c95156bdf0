package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

// Groups end to end (the guide "Provisioning groups"): examples/complete provisions users only and never sends the
// assigned group to Auth0; examples/users-and-groups creates it in Auth0 with its provisioned members.

const (
	groupMappings = "auth0entra_attribute_mappings.corp_groups"
	// statusGroups reads the last cycle's failures per object type.
	statusGroups = `
data "auth0entra_provisioning_status" "corp" {
  service_principal_id = auth0entra_enterprise_app.corp.service_principal_id
  job_id               = auth0entra_enterprise_app.corp.job_id
}
`
)

// usersAndGroupsExample is examples/users-and-groups configured for sb (same variables as examples/complete).
func usersAndGroupsExample(t *testing.T, sb *sandbox.Sandbox, extra ...string) string {
	t.Helper()
	return acctest.Config(sb, append([]string{acctest.WithoutProviderSetup(acctest.ReadRepoFile(t, "examples/users-and-groups/main.tf")),
		acctest.ReadRepoFile(t, "examples/users-and-groups/variables.tf"), acctest.ReadRepoFile(t, "examples/users-and-groups/outputs.tf")}, extra...)...)
}

// runCycle runs one provisioning cycle of the job, as Entra's schedule does.
func runCycle(sb *sandbox.Sandbox, got *ids) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return sb.Entra.RunCycle(ctx, got.sp)
}

// groupRequests counts the requests Auth0's SCIM server received for /Groups.
func groupRequests(sb *sandbox.Sandbox) int {
	n := 0
	for _, r := range sb.Auth0.Router().Requests("") {
		if strings.Contains(r.Route, "/scim/v2/connections/{connection_id}/Groups") {
			n++
		}
	}
	return n
}

// provisionGroup runs Provision on Demand for the seeded group.
func provisionGroup(t *testing.T, sb *sandbox.Sandbox, got *ids) *provisioning.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := provisioning.OnDemand(ctx, acctest.EntraClient(t, sb), provisioning.Request{
		ServicePrincipalID: got.sp, JobID: got.job, ObjectID: sb.Seed.GroupID, ObjectType: "Group"})
	if err != nil {
		t.Fatalf("provision on demand of the group: %v", err)
	}
	return r
}

// TestAccGroupsUsersOnly: examples/complete disables the Group object mapping. A cycle provisions the group's members
// and sends nothing to /Groups; the job is not quarantined; Provision on Demand of the group is a skip; the status
// data source reports no failure of either type.
func TestAccGroupsUsersOnly(t *testing.T) {
	sb := acctest.Sandbox(t)
	var got ids
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(t, acctest.SandboxTarget(sb), &got),
		Steps: []resource.TestStep{{
			Config:          acctest.CompleteExample(t, sb),
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(groupMappings, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
			},
			Check: checks(captureIDs(&got), func(*terraform.State) error {
				raw, _ := sb.Entra.JobSchema(got.sp, got.job)
				if !strings.Contains(string(raw), `"enabled":false`) {
					return fmt.Errorf("the job's Group object mapping is not disabled")
				}
				r := provisionGroup(t, sb, &got)
				if r.Status != "Skipped" || r.ErrorCode != "ObjectMappingDisabled" {
					return fmt.Errorf("provision on demand of the group:\n%s", provisionondemand.Explain(r))
				}
				if n := groupRequests(sb); n != 0 {
					return fmt.Errorf("%d requests reached Auth0's /Groups in the users-only setup", n)
				}
				if gs := sb.Auth0.SCIM().Groups(sb.Seed.ConnectionID); len(gs) != 0 {
					return fmt.Errorf("Auth0 has groups %+v", gs)
				}
				return nil
			}),
		}, {
			// A provisioning cycle (Entra's schedule), then the status data source.
			PreConfig: func() {
				if err := runCycle(sb, &got); err != nil {
					t.Fatal(err)
				}
			},
			Config:          acctest.CompleteExample(t, sb) + statusGroups,
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			Check: func(*terraform.State) error {
				if q, err := quarantined(sb, got.sp, got.job); err != nil || q {
					return fmt.Errorf("quarantined after a users-only cycle (%v)", err)
				}
				if n := groupRequests(sb); n != 0 {
					return fmt.Errorf("%d requests reached Auth0's /Groups in the users-only setup", n)
				}
				return nil
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_group_failures"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_user_failures"), knownvalue.Int64Exact(0)),
			},
		}},
	})
}

// TestAccGroupsUsersAndGroups: examples/users-and-groups. Provision on Demand creates the group in Auth0 with its
// provisioned members; a cycle keeps it in step (renamed and a member removed in Entra: the same Auth0 group is
// renamed and loses the member); Auth0 shows it as a connection group whose members are users of the connection; the
// Group mapping imports with an empty plan; unassigned from the app, the group is deleted in Auth0.
func TestAccGroupsUsersAndGroups(t *testing.T) {
	sb := acctest.Sandbox(t)
	var got ids
	conn := sb.Seed.ConnectionID
	var inAuth0 []string // Auth0 user ids of the group's members present in Auth0
	for _, u := range sb.Seed.Users {
		if u.InGroup && u.InAuth0 {
			inAuth0 = append(inAuth0, u.Auth0UserID)
		}
	}
	slices.Sort(inAuth0)
	var groupID string // the Auth0 group, once created
	checkGroup := func(name string, want []string) error {
		gs := sb.Auth0.SCIM().Groups(conn)
		if len(gs) != 1 || gs[0].DisplayName != name || gs[0].ExternalID != sb.Seed.GroupID || (groupID != "" && gs[0].ID != groupID) {
			return fmt.Errorf("Auth0 groups %+v, want one group %q (%s) with external id %s", gs, name, groupID, sb.Seed.GroupID)
		}
		groupID = gs[0].ID
		members := slices.Clone(gs[0].Members)
		slices.Sort(members)
		if !slices.Equal(members, want) {
			return fmt.Errorf("group members %v, want the provisioned members %v", members, want)
		}
		return nil
	}
	// Without the group's assignment (its members leave the scope with it).
	unassigned := strings.Replace(acctest.ReadRepoFile(t, "examples/users-and-groups/main.tf"),
		"{ principal_id = var.engineering_group_id, principal_type = \"Group\" },", "", 1)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(t, acctest.SandboxTarget(sb), &got),
		Steps: []resource.TestStep{{
			Config:          usersAndGroupsExample(t, sb),
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(groupMappings, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
			},
			Check: checks(captureIDs(&got), func(*terraform.State) error {
				// The members first (Provision on Demand of the group exports the members already provisioned).
				for _, u := range sb.Seed.Users {
					if u.InGroup && u.InAuth0 {
						if r := acctest.ProvisionOnDemand(t, sb, got.sp, got.job, u.EntraID); !r.Succeeded() {
							return fmt.Errorf("%s:\n%s", u.UPN, provisionondemand.Explain(r))
						}
					}
				}
				r := provisionGroup(t, sb, &got)
				if r.Status != "Success" || r.Action != "Create" {
					return fmt.Errorf("provision on demand of the group:\n%s", provisionondemand.Explain(r))
				}
				if err := checkGroup("Engineering", inAuth0); err != nil {
					return fmt.Errorf("after provision on demand: %w", err)
				}
				if err := runCycle(sb, &got); err != nil {
					return err
				}
				if q, err := quarantined(sb, got.sp, got.job); err != nil || q {
					return fmt.Errorf("quarantined with the group scopes (%v)", err)
				}
				if failed := failedRequests(sb.Auth0.Router(), routeSCIMPrefix); len(failed) > 0 {
					return fmt.Errorf("failed SCIM requests: %v", failed)
				}
				return checkGroup("Engineering", inAuth0)
			}),
		}, {
			Config:          usersAndGroupsExample(t, sb, statusGroups),
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_group_failures"), knownvalue.Int64Exact(0)),
			},
		}, {
			// Renamed in Entra, and Bob leaves it: the next cycle renames the same Auth0 group and removes him.
			PreConfig: func() {
				if err := sb.Entra.RenameGroup(sb.Seed.GroupID, "Platform Engineering"); err != nil {
					t.Fatal(err)
				}
				if err := sb.Entra.SetGroupMembers(sb.Seed.GroupID, []string{sb.Seed.User("alice").EntraID, sb.Seed.User("carol").EntraID}); err != nil {
					t.Fatal(err)
				}
				if err := runCycle(sb, &got); err != nil {
					t.Fatal(err)
				}
			},
			Config:          usersAndGroupsExample(t, sb, statusGroups),
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_group_failures"), knownvalue.Int64Exact(0)),
			},
			Check: func(*terraform.State) error {
				return checkGroup("Platform Engineering", []string{sb.Seed.User("alice").Auth0UserID})
			},
		}, {
			// Import of the Group mapping: {service_principal_id}/{job_id}/Group. (Without the outputs: the import's
			// scratch state holds only the imported resource.)
			Config: acctest.Config(sb, acctest.WithoutProviderSetup(acctest.ReadRepoFile(t, "examples/users-and-groups/main.tf")),
				acctest.ReadRepoFile(t, "examples/users-and-groups/variables.tf")),
			ConfigVariables:         acctest.CompleteExampleVariables(sb),
			ResourceName:            groupMappings,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateIdFunc:       func(*terraform.State) (string, error) { return got.sp + "/" + got.job + "/Group", nil },
			ImportStateVerifyIgnore: []string{"timeouts"},
		}, {
			// The group unassigned from the app: the next cycle deletes it in Auth0 (Delete is among its actions).
			Config: acctest.Config(sb, acctest.WithoutProviderSetup(unassigned),
				acctest.ReadRepoFile(t, "examples/users-and-groups/variables.tf"), acctest.ReadRepoFile(t, "examples/users-and-groups/outputs.tf")),
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(acctest.CompleteApp, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				if err := runCycle(sb, &got); err != nil {
					return err
				}
				if gs := sb.Auth0.SCIM().Groups(conn); len(gs) != 0 {
					return fmt.Errorf("the unassigned group is still in Auth0: %+v", gs)
				}
				for _, r := range sb.Auth0.Router().Requests("") {
					if r.Method == "DELETE" && strings.HasSuffix(r.Path, "/Groups/"+groupID) && r.Status == 204 {
						return nil
					}
				}
				return fmt.Errorf("no DELETE of group %s reached Auth0", groupID)
			},
		}},
	})
}

// TestAccGroupsRefusedWithoutScopes: examples/complete with the Group mapping left enabled (the situation before
// the example chose a setup): the cycle's group export is refused with 403, the job goes into quarantine, and the
// status data source reports one group failure with Auth0's answer, while users still flow.
func TestAccGroupsRefusedWithoutScopes(t *testing.T) {
	sb := acctest.Sandbox(t)
	var got ids
	cfg := acctest.CompleteExample(t, sb, "  enabled              = false\n", "  enabled              = true\n")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(t, acctest.SandboxTarget(sb), &got),
		Steps: []resource.TestStep{{
			Config:          cfg,
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			Check:           captureIDs(&got),
		}, {
			// A provisioning cycle: the group's export is refused and the job goes into quarantine.
			PreConfig: func() {
				if err := runCycle(sb, &got); err != nil {
					t.Fatal(err)
				}
				if q, err := quarantined(sb, got.sp, got.job); err != nil || !q {
					t.Fatalf("not quarantined after refused group exports (%v)", err)
				}
			},
			Config:          cfg + statusGroups,
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// The enterprise app plans to lift the quarantine (it will come back with the next cycle).
				PreApply:             []plancheck.PlanCheck{expectChanges{acctest.CompleteApp: "update", "data.auth0entra_provisioning_status.corp": "read"}},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_group_failures"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_user_failures"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue("data.auth0entra_provisioning_status.corp", tfjsonpath.New("last_cycle_failures").AtSliceIndex(0).AtMapKey("object"), knownvalue.StringExact("Engineering")),
			},
			Check: func(*terraform.State) error {
				if err := provisionPresent(t, acctest.SandboxTarget(sb), &got); err != nil {
					return err
				}
				r := provisionGroup(t, sb, &got)
				last := r.Steps[len(r.Steps)-1]
				if r.Status != "Failure" || !strings.Contains(last.Description, "Insufficient scope, expected any of: get:groups") {
					return fmt.Errorf("provision on demand of the group:\n%s", provisionondemand.Explain(r))
				}
				return nil
			},
		}},
	})
}

// TestGroupScopeWarningWithTheCLI runs the real CLI: where the warning appears, and where it must not.
//   - examples/complete with the Group mapping left enabled (the refused setup): the first apply does not warn (the
//     app is new; its job's Group mapping is decided in the same apply by a resource the app cannot see), the next
//     plan, with no change, does; plan -refresh=false neither warns nor calls the Management API.
//   - examples/complete as published (users only): its plans do not warn.
func TestGroupScopeWarningWithTheCLI(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the real Terraform CLI: set TF_ACC=1")
	}
	acctest.SkipOnTenants(t, "runs the CLI against an in-process sandbox of its own")
	const warning = "Assigned groups will be refused by Auth0"
	sb := acctest.Sandbox(t)
	files := acctest.ExampleFiles(t, "complete")
	usersOnly := files["main.tf"]
	refused := strings.Replace(usersOnly, "  enabled              = false\n", "  enabled              = true\n", 1)
	if refused == usersOnly {
		t.Fatal("examples/complete/main.tf changed: the Group mapping's enabled = false is gone")
	}
	files["main.tf"] = refused
	files["terraform.tfvars"] = fmt.Sprintf("connection_id = %q\noidc_app_client_id = %q\nengineering_group_id = %q\n",
		sb.Seed.ConnectionID, sb.Seed.OIDCAppID, sb.Seed.GroupID)
	run := acctest.NewCLIRun(t, sb, files)

	if out := run.Terraform("apply", "-auto-approve"); strings.Contains(out, warning) {
		t.Errorf("the first apply warned:\n%s", out)
	}
	out := run.Terraform("plan")
	if !strings.Contains(out, warning) || !strings.Contains(out, "No changes.") {
		t.Errorf("the no-change plan of the refused setup did not warn:\n%s", out)
	}
	before := len(sb.Auth0.Router().Requests(""))
	if out := run.Terraform("plan", "-refresh=false"); strings.Contains(out, warning) {
		t.Errorf("plan -refresh=false warned:\n%s", out)
	}
	if n := len(sb.Auth0.Router().Requests("")) - before; n != 0 {
		t.Errorf("plan -refresh=false sent %d Auth0 requests", n)
	}

	if err := os.WriteFile(filepath.Join(run.Dir, "main.tf"), []byte(usersOnly), 0o600); err != nil {
		t.Fatal(err)
	}
	// The apply that disables the Group mapping may still warn (the app reads the job as it is before the apply,
	// and says so); the plan after it must not.
	run.Terraform("apply", "-auto-approve")
	if out := run.Terraform("plan"); strings.Contains(out, warning) {
		t.Errorf("the users-only plan warned:\n%s", out)
	}
	run.Terraform("destroy", "-auto-approve")
}
