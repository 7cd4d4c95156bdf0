package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/entra"
)

// TestAccSeedFlow applies examples/complete — Auth0's "Configure inbound SCIM for older Azure AD connections" — in
// one apply against a seeded sandbox, checks what each cloud now holds, then runs the seed's Provision on Demand test
// with two users: alice, already in Auth0, is updated; carol, absent from Auth0, is skipped because Create is
// deselected, and nothing is created. Destroy leaves both clouds as they were: app and job deleted, SCIM off, tokens
// revoked, the connection still there.
func TestAccSeedFlow(t *testing.T) {
	sb := acctest.Sandbox(t)
	var got ids
	endpoint := sb.Auth0.SCIMEndpoint(sb.Seed.ConnectionID)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(sb, &got),
		Steps: []resource.TestStep{{
			Config:          acctest.CompleteExample(t, sb),
			ConfigVariables: acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.CompleteConnection, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(acctest.CompleteToken, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(acctest.CompleteApp, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(acctest.CompleteMappings, plancheck.ResourceActionCreate),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("scim_endpoint_url", knownvalue.StringExact(endpoint)),
				statecheck.ExpectKnownOutputValue("entra_tenant_url", knownvalue.StringExact(endpoint+"?aadOptscim062020")),
				statecheck.ExpectKnownOutputValue("provisioning_job_status", knownvalue.NotNull()),
			},
			Check: checks(
				captureIDs(&got),
				func(*terraform.State) error { return checkAuth0Side(sb, &got) },
				func(*terraform.State) error { return checkEntraSide(sb, &got) },
				func(*terraform.State) error { return provisionSeedUsers(t, sb, &got) },
			),
		}},
	})
}

// checkAuth0Side checks the Auth0 side of the manual setup in the Auth0 tenant.
func checkAuth0Side(sb *sandbox.Sandbox, got *ids) error {
	conn := sb.Seed.ConnectionID
	raw, ok := sb.Auth0.ConnectionJSON(conn)
	if !ok {
		return fmt.Errorf("connection %s is gone", conn)
	}
	var c struct {
		Strategy string         `json:"strategy"`
		Options  map[string]any `json:"options"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	if c.Strategy != "waad" || c.Options["userid_attribute"] != "sub" || c.Options["useCommonEndpoint"] != false {
		return fmt.Errorf("login settings: connection strategy %q, userid_attribute %v, useCommonEndpoint %v; want waad, sub, false", c.Strategy, c.Options["userid_attribute"], c.Options["useCommonEndpoint"])
	}
	if v, present := c.Options["set_user_root_attributes"]; present {
		return fmt.Errorf("sync toggles: set_user_root_attributes = %v; a waad connection syncs at each login only when the option is absent", v)
	}
	cfg, ok := sb.Auth0.SCIMConfiguration(conn)
	if !ok {
		return fmt.Errorf("sync toggles: connection %s has no SCIM configuration", conn)
	}
	if cfg.UserIDAttribute != "externalId" {
		return fmt.Errorf("SCIM user id attribute: user id attribute %q, want externalId", cfg.UserIDAttribute)
	}
	if problems := acctest.SeedMappingProblems(cfg); len(problems) > 0 {
		return fmt.Errorf("additional mappings: %s", strings.Join(problems, "; "))
	}
	toks := sb.Auth0.SCIMTokens(conn)
	if len(toks) != 1 || toks[0].TokenID != got.tokenID {
		return fmt.Errorf("SCIM token: tokens %+v, want only %s", toks, got.tokenID)
	}
	scopes, want := slices.Clone(toks[0].Scopes), slices.Clone(acctest.SeedTokenScopes)
	slices.Sort(scopes)
	slices.Sort(want)
	if !slices.Equal(scopes, want) {
		return fmt.Errorf("SCIM token: token scopes %v, want %v", scopes, want)
	}
	if d := toks[0].ValidUntil.Sub(toks[0].CreatedAt); d != acctest.SeedTokenLifetime {
		return fmt.Errorf("SCIM token: token valid for %s, want %s", d, acctest.SeedTokenLifetime)
	}
	if !strings.HasPrefix(got.token, got.tokenID+".") {
		return fmt.Errorf("the state's token is not the secret of token %s", got.tokenID)
	}
	return nil
}

// checkEntraSide checks the Entra side of the manual setup in the Entra tenant.
func checkEntraSide(sb *sandbox.Sandbox, got *ids) error {
	sp, ok := sb.Entra.ServicePrincipal(got.sp)
	if !ok {
		return fmt.Errorf("non-gallery app: service principal %s does not exist", got.sp)
	}
	app, ok := sb.Entra.Application(got.app)
	if !ok {
		return fmt.Errorf("non-gallery app: application %s does not exist", got.app)
	}
	if app["applicationTemplateId"] != entra.NonGalleryTemplateID || sp["applicationTemplateId"] != entra.NonGalleryTemplateID {
		return fmt.Errorf("non-gallery app: template of the application %v and service principal %v, want the non-gallery %s", app["applicationTemplateId"], sp["applicationTemplateId"], entra.NonGalleryTemplateID)
	}
	if app["displayName"] != "Auth0 SCIM (corp)" {
		return fmt.Errorf("non-gallery app: application name %v", app["displayName"])
	}
	asgs := sb.Entra.Assignments(got.sp)
	if len(asgs) != 1 || asgs[0].PrincipalID != sb.Seed.GroupID || asgs[0].PrincipalType != "Group" || !strings.EqualFold(asgs[0].AppRoleID, entra.AppRoleUser) {
		return fmt.Errorf("assignments: assignments %+v, want the Engineering group %s with the User role", asgs, sb.Seed.GroupID)
	}
	jobs := sb.Entra.Jobs(got.sp)
	if len(jobs) != 1 || jobs[0].ID != got.job || jobs[0].TemplateID != "scim" {
		return fmt.Errorf("provisioning job: jobs %+v, want one `scim` job %s", jobs, got.job)
	}
	if jobs[0].Schedule.State != "Active" || jobs[0].Status.Code == "Quarantine" {
		return fmt.Errorf("provisioning on: job schedule %q, status %q; want Active, not quarantined", jobs[0].Schedule.State, jobs[0].Status.Code)
	}
	secrets := sb.Entra.Secrets(got.sp)
	if want := sb.Auth0.SCIMEndpoint(sb.Seed.ConnectionID) + "?aadOptscim062020"; secrets["BaseAddress"] != want || !strings.HasSuffix(secrets["BaseAddress"], "?aadOptscim062020") {
		return fmt.Errorf("admin credentials: BaseAddress %q, want %q", secrets["BaseAddress"], want)
	}
	if secrets["SecretToken"] != got.token {
		return fmt.Errorf("admin credentials: the saved SecretToken is not the secret of token %s", got.tokenID)
	}
	if secrets["SyncAll"] != "false" {
		return fmt.Errorf("admin credentials: SyncAll %q, want false (assigned users and groups only)", secrets["SyncAll"])
	}
	// Test Connection ran with the saved credentials before they were saved.
	validated := sb.Entra.Router().Requests(routeValidateJob)
	saved := sb.Entra.Router().Requests(routePutSecrets)
	if len(validated) == 0 || len(saved) == 0 || validated[0].Time.After(saved[0].Time) || validated[0].Status != http.StatusNoContent {
		return fmt.Errorf("admin credentials: validateCredentials (%d calls) must pass before the secrets are saved (%d calls)", len(validated), len(saved))
	}
	raw, ok := sb.Entra.JobSchema(got.sp, got.job)
	if !ok {
		return fmt.Errorf("the mapping edits: job %s has no schema", got.job)
	}
	if problems := acctest.SeedSchemaProblems(raw); len(problems) > 0 {
		return fmt.Errorf("the mapping edits:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// provisionSeedUsers runs Provision on Demand: alice is updated, carol is skipped and nothing is created in Auth0.
func provisionSeedUsers(t *testing.T, sb *sandbox.Sandbox, got *ids) error {
	conn := sb.Seed.ConnectionID
	alice, carol := sb.Seed.User("alice"), sb.Seed.User("carol")
	if !alice.InAuth0 || carol.InAuth0 {
		return fmt.Errorf("seed: alice must be in Auth0 and carol not")
	}
	usersBefore := len(sb.Auth0.ListUsers(conn))

	r := acctest.ProvisionOnDemand(t, sb, got.sp, got.job, alice.EntraID)
	if r.Status != "Success" || r.Action != "Update" {
		return fmt.Errorf("on-demand outcomes: alice: want Success: Update, got\n%s", provisionondemand.Explain(r))
	}
	u, ok := sb.Auth0.GetUser(conn, alice.Auth0UserID)
	if !ok {
		return fmt.Errorf("on-demand outcomes: alice (%s) is gone from Auth0", alice.Auth0UserID)
	}
	if v, _ := u.Attr("app_metadata.external_id"); v != alice.EntraID {
		return fmt.Errorf("on-demand outcomes: alice's app_metadata.external_id = %v, want her Entra object id %s", v, alice.EntraID)
	}

	r = acctest.ProvisionOnDemand(t, sb, got.sp, got.job, carol.EntraID)
	if r.Status != "Skipped" || r.ErrorCode != "ActionTypeNotEnabled" {
		return fmt.Errorf("on-demand outcomes: carol: want Skipped with ActionTypeNotEnabled, got\n%s", provisionondemand.Explain(r))
	}
	if r.Succeeded() {
		return fmt.Errorf("on-demand outcomes: carol's result counts as provisioned: %s", r.Summary())
	}
	if n := len(sb.Auth0.ListUsers(conn)); n != usersBefore {
		return fmt.Errorf("on-demand outcomes: Auth0 had %d users and now has %d: nothing may be created while Create is deselected", usersBefore, n)
	}
	if reqs := sb.Auth0.Router().Requests(routeSCIMCreateUser); len(reqs) != 0 {
		return fmt.Errorf("on-demand outcomes: Entra sent %d SCIM POST /Users to Auth0; Create is deselected", len(reqs))
	}
	for _, u := range sb.Auth0.ListUsers(conn) {
		if u.Email == carol.Mail {
			return fmt.Errorf("on-demand outcomes: carol exists in Auth0 as %s", u.UserID)
		}
	}
	return nil
}

// checkBothCloudsClean is the CheckDestroy of examples/complete: the application, its service principal and job
// are gone; the connection has no SCIM configuration and no token, the token was revoked with a DELETE, and the
// connection itself is still there.
func checkBothCloudsClean(sb *sandbox.Sandbox, got *ids) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got.sp == "" {
			return fmt.Errorf("no ids were captured")
		}
		if _, ok := sb.Entra.ServicePrincipal(got.sp); ok {
			return fmt.Errorf("service principal %s still exists", got.sp)
		}
		if _, ok := sb.Entra.Application(got.app); ok {
			return fmt.Errorf("application %s still exists", got.app)
		}
		if jobs := sb.Entra.Jobs(got.sp); len(jobs) != 0 {
			return fmt.Errorf("jobs left: %+v", jobs)
		}
		conn := sb.Seed.ConnectionID
		if _, ok := sb.Auth0.SCIMConfiguration(conn); ok {
			return fmt.Errorf("connection %s still has a SCIM configuration", conn)
		}
		if toks := sb.Auth0.SCIMTokens(conn); len(toks) != 0 {
			return fmt.Errorf("tokens left: %+v", toks)
		}
		revoked := false
		for _, r := range sb.Auth0.Router().Requests(auth0.RouteDeleteSCIMToken) {
			revoked = revoked || (strings.HasSuffix(r.Path, "/"+got.tokenID) && r.Status == http.StatusNoContent)
		}
		if !revoked {
			return fmt.Errorf("token %s was not revoked (no DELETE answered 204)", got.tokenID)
		}
		if _, ok := sb.Auth0.ConnectionJSON(conn); !ok {
			return fmt.Errorf("connection %s was deleted; destroy must remove the SCIM configuration only", conn)
		}
		return nil
	}
}
