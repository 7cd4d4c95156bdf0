package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// appRoleUser is the id of the "User" app role of a non-gallery application (microsoft-graph.md §3.2).
const appRoleUser = "18d14569-c3bd-439b-9a66-3a2aee01d14f"

// seedFlow is what the seed flow checks need: the target, its clients and what the apply made.
type seedFlow struct {
	tg      *acctest.Target
	a0      *auth0client.Client
	en      *entraclient.Client
	appName string
	got     ids
}

// TestAccSeedFlow applies examples/complete — Auth0's "Configure inbound SCIM for older Azure AD connections" — in
// one apply, checks what each cloud now holds, then runs the manual setup's Provision on Demand test with two users:
// the fixture's present user, already in Auth0, is updated; the absent user is skipped because Create is
// deselected, and nothing is created. Destroy leaves both clouds as they were: app and job deleted, SCIM off, tokens
// revoked, the connection still there.
//
// It runs on both targets: every check reads the clouds through their public APIs (the Management API, Graph, and
// Auth0's SCIM endpoint with the token the apply made); on the sandbox a few more read its request log (Test
// Connection before the credentials were saved, no SCIM POST, the token revoked with a DELETE) and the secret values
// Graph masks.
func TestAccSeedFlow(t *testing.T) {
	tg := acctest.NewTarget(t)
	f := &seedFlow{tg: tg, a0: tg.Auth0(t), en: tg.Entra(t), appName: acctest.RandomName() + " Auth0 SCIM (corp)"}
	endpoint := f.a0.SCIMEndpointURL(tg.ConnectionID)

	tg.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(t, tg, &f.got),
		Steps: []resource.TestStep{{
			Config:          tg.CompleteExample(t, `"Auth0 SCIM (corp)"`, strconv.Quote(f.appName)),
			ConfigVariables: tg.CompleteExampleVariables(),
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
				captureIDs(&f.got),
				f.checkAuth0Side,
				f.checkEntraSide,
				func(*terraform.State) error { return f.provisionFixtureUsers(t) },
			),
		}},
	})
}

func ctxMinute() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

// checkAuth0Side checks the Auth0 side of the manual setup through the Management API.
func (f *seedFlow) checkAuth0Side(*terraform.State) error {
	ctx, cancel := ctxMinute()
	defer cancel()
	conn := f.tg.ConnectionID
	c, err := f.a0.GetConnection(ctx, conn)
	if err != nil {
		return fmt.Errorf("connection %s: %w", conn, err)
	}
	opt := func(k string) string { return string(c.Options[k]) }
	if c.Strategy != "waad" || opt("userid_attribute") != `"sub"` || opt("useCommonEndpoint") != "false" {
		return fmt.Errorf("login settings: connection strategy %q, userid_attribute %s, useCommonEndpoint %s; want waad, \"sub\", false", c.Strategy, opt("userid_attribute"), opt("useCommonEndpoint"))
	}
	if v, present := c.Options["set_user_root_attributes"]; present {
		return fmt.Errorf("sync toggles: set_user_root_attributes = %s; a waad connection syncs at each login only when the option is absent", v)
	}
	cfg, err := f.a0.GetSCIMConfiguration(ctx, conn)
	if err != nil {
		return fmt.Errorf("sync toggles: connection %s has no SCIM configuration: %w", conn, err)
	}
	if cfg.UserIDAttribute != "externalId" {
		return fmt.Errorf("SCIM user id attribute: user id attribute %q, want externalId", cfg.UserIDAttribute)
	}
	if problems := acctest.SeedMappingRowProblems(cfg.Mapping); len(problems) > 0 {
		return fmt.Errorf("additional mappings: %s", strings.Join(problems, "; "))
	}
	toks, err := f.a0.ListSCIMTokens(ctx, conn)
	if err != nil {
		return err
	}
	if len(toks) != 1 || toks[0].TokenID != f.got.tokenID {
		return fmt.Errorf("SCIM token: tokens %v, want only %s", toks, f.got.tokenID)
	}
	scopes, want := slices.Clone(toks[0].Scopes), slices.Clone(acctest.SeedTokenScopes)
	slices.Sort(scopes)
	slices.Sort(want)
	if !slices.Equal(scopes, want) {
		return fmt.Errorf("SCIM token: token scopes %v, want %v", scopes, want)
	}
	created, err1 := time.Parse(time.RFC3339, toks[0].CreatedAt)
	until, err2 := time.Parse(time.RFC3339, toks[0].ValidUntil)
	if err1 != nil || err2 != nil || until.Sub(created) != acctest.SeedTokenLifetime {
		return fmt.Errorf("SCIM token: created %q, valid until %q; want valid for %s", toks[0].CreatedAt, toks[0].ValidUntil, acctest.SeedTokenLifetime)
	}
	if !strings.HasPrefix(f.got.token, f.got.tokenID+".") {
		return fmt.Errorf("the state's token is not the secret of token %s", f.got.tokenID)
	}
	return nil
}

// checkEntraSide checks the Entra side of the manual setup through Graph.
func (f *seedFlow) checkEntraSide(*terraform.State) error {
	ctx, cancel := ctxMinute()
	defer cancel()
	got := f.got
	if _, err := f.en.GetServicePrincipal(ctx, got.sp); err != nil {
		return fmt.Errorf("non-gallery app: service principal %s: %w", got.sp, err)
	}
	app, err := f.en.GetApplication(ctx, got.app)
	if err != nil {
		return fmt.Errorf("non-gallery app: application %s: %w", got.app, err)
	}
	if app.TemplateID != entraclient.NonGalleryTemplateID {
		return fmt.Errorf("non-gallery app: template of the application %q, want the non-gallery %s", app.TemplateID, entraclient.NonGalleryTemplateID)
	}
	if app.DisplayName != f.appName {
		return fmt.Errorf("non-gallery app: application name %q, want %q", app.DisplayName, f.appName)
	}
	asgs, err := f.en.ListAppRoleAssignedTo(ctx, got.sp)
	if err != nil {
		return err
	}
	if len(asgs) != 1 || asgs[0].PrincipalID != f.tg.GroupID || asgs[0].PrincipalType != "Group" || !strings.EqualFold(asgs[0].AppRoleID, appRoleUser) {
		return fmt.Errorf("assignments: assignments %+v, want the group %s with the User role", asgs, f.tg.GroupID)
	}
	jobs, err := f.en.ListJobs(ctx, got.sp)
	if err != nil {
		return err
	}
	if len(jobs) != 1 || jobs[0].ID != got.job || jobs[0].TemplateID != "scim" {
		return fmt.Errorf("provisioning job: jobs %+v, want one `scim` job %s", jobs, got.job)
	}
	if jobs[0].Schedule.State != "Active" || jobs[0].Status.Code == "Quarantine" {
		return fmt.Errorf("provisioning on: job schedule %q, status %q; want Active, not quarantined", jobs[0].Schedule.State, jobs[0].Status.Code)
	}
	secrets, err := f.en.GetSecrets(ctx, got.sp)
	if err != nil {
		return err
	}
	keys := map[string]bool{}
	for _, s := range secrets {
		keys[s.Key] = true
	}
	for _, k := range []string{"BaseAddress", "SecretToken", "SyncAll"} {
		if !keys[k] {
			return fmt.Errorf("admin credentials: %s was not saved (saved keys: %v)", k, keys)
		}
	}
	if sb := f.tg.Sandbox; sb != nil {
		// Graph masks the saved values (microsoft-graph.md §5.7); the sandbox shows them, and its request log the
		// order of Test Connection and saving.
		values := sb.Entra.Secrets(got.sp)
		if want := f.a0.EntraTenantURL(f.tg.ConnectionID); values["BaseAddress"] != want {
			return fmt.Errorf("admin credentials: BaseAddress %q, want %q", values["BaseAddress"], want)
		}
		if values["SecretToken"] != got.token {
			return fmt.Errorf("admin credentials: the saved SecretToken is not the secret of token %s", got.tokenID)
		}
		if values["SyncAll"] != "false" {
			return fmt.Errorf("admin credentials: SyncAll %q, want false (assigned users and groups only)", values["SyncAll"])
		}
		validated := sb.Entra.Router().Requests(routeValidateJob)
		saved := sb.Entra.Router().Requests(routePutSecrets)
		if len(validated) == 0 || len(saved) == 0 || validated[0].Time.After(saved[0].Time) || validated[0].Status != http.StatusNoContent {
			return fmt.Errorf("admin credentials: validateCredentials (%d calls) must pass before the secrets are saved (%d calls)", len(validated), len(saved))
		}
	}
	raw, err := f.en.GetSchema(ctx, got.sp, got.job)
	if err != nil {
		return fmt.Errorf("the mapping edits: job %s: %w", got.job, err)
	}
	if problems := acctest.SeedSchemaProblems(raw); len(problems) > 0 {
		return fmt.Errorf("the mapping edits:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// provisionFixtureUsers runs Provision on Demand: the present user is updated, the absent one is skipped and nothing
// is created in Auth0. Auth0's side is read through its SCIM endpoint with the token the apply made.
func (f *seedFlow) provisionFixtureUsers(t *testing.T) error {
	present, absent := f.tg.PresentUserID, f.tg.AbsentUserID
	usersBefore, err := f.scimUsers("")
	if err != nil {
		return err
	}

	r := f.tg.ProvisionOnDemand(t, f.got.sp, f.got.job, present)
	if r.Status != "Success" || r.Action != "Update" {
		return fmt.Errorf("on-demand outcomes: the present user %s: want Success: Update, got\n%s", present, provisionondemand.Explain(r))
	}
	if n, err := f.scimUsers(`externalId eq "` + present + `"`); err != nil || n != 1 {
		return fmt.Errorf("on-demand outcomes: Auth0 has %d users with externalId %s (%v), want the present user, updated with her Entra object id", n, present, err)
	}

	r = f.tg.ProvisionOnDemand(t, f.got.sp, f.got.job, absent)
	if r.Status != "Skipped" || r.ErrorCode != "ActionTypeNotEnabled" {
		return fmt.Errorf("on-demand outcomes: the absent user %s: want Skipped with ActionTypeNotEnabled, got\n%s", absent, provisionondemand.Explain(r))
	}
	if r.Succeeded() {
		return fmt.Errorf("on-demand outcomes: the absent user's result counts as provisioned: %s", r.Summary())
	}
	if n, err := f.scimUsers(""); err != nil || n != usersBefore {
		return fmt.Errorf("on-demand outcomes: Auth0 had %d users and now has %d (%v): nothing may be created while Create is deselected", usersBefore, n, err)
	}
	if n, err := f.scimUsers(`externalId eq "` + absent + `"`); err != nil || n != 0 {
		return fmt.Errorf("on-demand outcomes: the absent user %s exists in Auth0 (%d, %v)", absent, n, err)
	}
	if sb := f.tg.Sandbox; sb != nil {
		if reqs := sb.Auth0.Router().Requests(routeSCIMCreateUser); len(reqs) != 0 {
			return fmt.Errorf("on-demand outcomes: Entra sent %d SCIM POST /Users to Auth0; Create is deselected", len(reqs))
		}
	}
	return nil
}

// scimUsers counts the connection's users matching filter (all when empty) through Auth0's SCIM endpoint, with the
// token the apply made (it has get:users).
func (f *seedFlow) scimUsers(filter string) (int, error) {
	path := "/Users?count=1"
	if filter != "" {
		path += "&filter=" + url.QueryEscape(filter)
	}
	var list struct {
		TotalResults int `json:"totalResults"`
	}
	scim := scimClient{base: f.a0.SCIMEndpointURL(f.tg.ConnectionID), token: &f.got.token}
	if st, err := scim.do(http.MethodGet, path, &list); err != nil || st != http.StatusOK {
		return 0, fmt.Errorf("SCIM GET /Users: %d %v", st, err)
	}
	return list.TotalResults, nil
}

// checkBothCloudsClean is the CheckDestroy of examples/complete: the application, its service principal and job
// are gone; the connection has no SCIM configuration and no token, and the connection itself is still there. On the
// sandbox, also: the token was revoked with a DELETE.
func checkBothCloudsClean(t testing.TB, tg *acctest.Target, got *ids) resource.TestCheckFunc {
	a0, en := tg.Auth0(t), tg.Entra(t)
	return func(*terraform.State) error {
		ctx, cancel := ctxMinute()
		defer cancel()
		if got.sp == "" {
			return fmt.Errorf("no ids were captured")
		}
		// Graph replicates deletions with a lag (microsoft-graph.md §3.4): wait, with the deadline, until both reads
		// say 404.
		var last error
		gone := func(ctx context.Context) (bool, error) {
			_, err := en.GetServicePrincipal(ctx, got.sp)
			if !entraclient.IsNotFound(err) {
				last = fmt.Errorf("service principal %s still exists (%v)", got.sp, err)
				return false, nil
			}
			if _, err = en.GetApplication(ctx, got.app); !entraclient.IsNotFound(err) {
				last = fmt.Errorf("application %s still exists (%v)", got.app, err)
				return false, nil
			}
			return true, nil
		}
		if err := en.WaitUntil(ctx, "waiting for the deleted application to be gone", gone); err != nil {
			return fmt.Errorf("%w: %v", err, last)
		}
		conn := tg.ConnectionID
		if _, err := a0.GetSCIMConfiguration(ctx, conn); !auth0client.IsNotFound(err) {
			return fmt.Errorf("connection %s still has a SCIM configuration (%v)", conn, err)
		}
		if _, err := a0.GetConnection(ctx, conn); err != nil {
			return fmt.Errorf("connection %s: %w; destroy must remove the SCIM configuration only", conn, err)
		}
		sb := tg.Sandbox
		if sb == nil {
			return nil
		}
		if toks := sb.Auth0.SCIMTokens(conn); len(toks) != 0 {
			return fmt.Errorf("tokens left: %+v", toks)
		}
		if jobs := sb.Entra.Jobs(got.sp); len(jobs) != 0 {
			return fmt.Errorf("jobs left: %+v", jobs)
		}
		revoked := false
		for _, r := range sb.Auth0.Router().Requests(auth0.RouteDeleteSCIMToken) {
			revoked = revoked || (strings.HasSuffix(r.Path, "/"+got.tokenID) && r.Status == http.StatusNoContent)
		}
		if !revoked {
			return fmt.Errorf("token %s was not revoked (no DELETE answered 204)", got.tokenID)
		}
		return nil
	}
}
