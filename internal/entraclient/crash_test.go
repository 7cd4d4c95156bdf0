package entraclient_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// dieAfterServing lets the sandbox carry out the first request matching match and then loses the answer: the
// connection drops (a transport error) and, with cancel set, the operation is cancelled too — what a killed
// process leaves behind, seen from the cloud.
type dieAfterServing struct {
	base   http.RoundTripper
	match  func(*http.Request) bool
	cancel context.CancelFunc
	done   atomic.Bool
}

func (d *dieAfterServing) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err != nil || !d.match(r) || d.done.Swap(true) {
		return resp, err
	}
	_ = resp.Body.Close()
	if d.cancel != nil {
		d.cancel()
	}
	return nil, errors.New("read tcp: connection reset by peer")
}

func clientDyingAfter(t *testing.T, sb *sandbox.Sandbox, match func(*http.Request) bool, cancel context.CancelFunc) *entraclient.Client {
	t.Helper()
	d := &dieAfterServing{base: cloneDefaultTransport(t), match: match, cancel: cancel}
	c, err := entraclient.NewWithTransport(context.Background(), acctest.EntraConfig(sb), d)
	if err != nil {
		t.Fatal(err)
	}
	c.PollMin, c.PollMax = 100*time.Millisecond, 500*time.Millisecond
	c.InstantiateLookupTimeout = 5 * time.Second
	return c
}

func patchOf(prefix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPatch && strings.HasPrefix(strings.ToLower(r.URL.Path), strings.ToLower(prefix))
	}
}

// appsNamed lists the applications with exactly that display name, through the sandbox's own API.
func appsNamed(t *testing.T, c *entraclient.Client, name string) []entraclient.Application {
	t.Helper()
	apps, err := c.FindApplicationsByDisplayName(testContext(t, time.Minute), name)
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// A create interrupted at each step between /instantiate and its end (the process dies: the answer is lost and the
// operation ends) is adopted by the next create: /instantiate is sent once in all, and exactly one application with
// the configured name — marked — exists afterwards, none under a creating-name.
func TestInterruptedCreateIsAdoptedNotDuplicated(t *testing.T) {
	for _, step := range []struct {
		name  string
		match func(*http.Request) bool
	}{
		{"after instantiate", postTo("/instantiate")},
		{"after naming and marking the application", patchOf("/v1.0/applications/")},
		{"after renaming the service principal", patchOf("/v1.0/servicePrincipals/")},
	} {
		t.Run(step.name, func(t *testing.T) {
			sb := acctest.Sandbox(t)
			const name = "Auth0 SCIM (interrupted)"
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			dying := clientDyingAfter(t, sb, step.match, cancel)
			if _, err := dying.CreateEnterpriseApp(ctx, name); err == nil {
				t.Fatal("the interrupted create reported success")
			}

			c := newClient(t, sb)
			app, err := c.CreateEnterpriseApp(testContext(t, time.Minute), name)
			if err != nil {
				t.Fatal(err)
			}
			if n := sb.Entra.Router().Count(instantiateRoute); n != 1 {
				t.Errorf("/instantiate was sent %d times, want 1", n)
			}
			if step.name != "after renaming the service principal" && !app.Adopted {
				t.Error("the second create did not say it adopted the application")
			}
			got := appsNamed(t, c, name)
			if len(got) != 1 || got[0].ObjectID != app.Application.ObjectID || !got[0].HasTag(entraclient.MarkerTag(name)) {
				t.Errorf("applications named %q: %+v, want exactly %s, marked", name, got, app.Application.ObjectID)
			}
			if l := leftovers(t, c); len(l) != 0 {
				t.Errorf("applications left under a creating-name: %+v", l)
			}
			sp, ok := sb.Entra.ServicePrincipal(app.ServicePrincipal.ID)
			if !ok || sp["displayName"] != name {
				t.Errorf("service principal %s: %v", app.ServicePrincipal.ID, sp)
			}
		})
	}
}

// The marker cannot catch an application a user made: one with the same display name but without the tag is left
// alone, and a new one is instantiated.
func TestUserMadeApplicationWithTheSameNameIsNotAdopted(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	const name = "Auth0 SCIM (user-made twin)"
	ctx := testContext(t, time.Minute)
	mine, err := c.CreateEnterpriseApp(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	// Strip the marker: this is now an application the provider did not make.
	if err := c.RenameEnterpriseApp(ctx, mine.Application.ObjectID, "", name); err != nil {
		t.Fatal(err)
	}
	if err := c.SetApplicationTags(ctx, mine.Application.ObjectID, []string{}); err != nil {
		t.Fatal(err)
	}
	second, err := c.CreateEnterpriseApp(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if second.Adopted || second.Application.ObjectID == mine.Application.ObjectID {
		t.Fatalf("the user's application %s was adopted", mine.Application.ObjectID)
	}
	if n := len(appsNamed(t, c, name)); n != 2 {
		t.Errorf("%d applications named %q, want the user's and the new one", n, name)
	}
}

// /instantiate's answer is lost (the connection drops after the server created the application): the request is not
// sent again, the application is found by its creating-name.
func TestInstantiateLostAnswerMakesNoDuplicate(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := clientDyingAfter(t, sb, postTo("/instantiate"), nil)
	app, err := c.CreateEnterpriseApp(testContext(t, time.Minute), "Auth0 SCIM (lost answer)")
	if err != nil {
		t.Fatal(err)
	}
	if n := sb.Entra.Router().Count(instantiateRoute); n != 1 {
		t.Errorf("/instantiate was sent %d times after a lost answer, want 1", n)
	}
	if app.Adopted {
		t.Error("the application of this very create was reported as adopted")
	}
	if got := appsNamed(t, c, "Auth0 SCIM (lost answer)"); len(got) != 1 {
		t.Errorf("applications: %+v", got)
	}
}

// A job left by an interrupted create is adopted; duplicates from the same template are deleted.
func TestEnsureJobAdoptsAndDeduplicates(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	ctx := testContext(t, 2*time.Minute)
	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (job leftovers)")
	if err != nil {
		t.Fatal(err)
	}
	sp := app.ServicePrincipal.ID
	first, err := c.CreateJob(ctx, sp, entraclient.SCIMTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	posts := sb.Entra.Router().Count(createJobRoute)
	job, created, err := c.EnsureJob(ctx, sp, entraclient.SCIMTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	if created || job.ID != first.ID {
		t.Errorf("EnsureJob = %s (created %t), want the existing %s", job.ID, created, first.ID)
	}
	if n := sb.Entra.Router().Count(createJobRoute); n != posts {
		t.Errorf("EnsureJob sent %d creating POSTs", n-posts)
	}
	jobs, err := c.ListJobs(ctx, sp)
	if err != nil || len(jobs) != 1 {
		t.Errorf("jobs: %+v, %v", jobs, err)
	}
}

// Reads and idempotent writes are retried on 500 and 502 (and 503/504): one 500 on GET .../synchronization/secrets
// no longer fails a plan. A creating POST is not retried on 500.
func TestServerErrorsRetriedByIdempotency(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	ctx := testContext(t, 2*time.Minute)
	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (500 on reads)")
	if err != nil {
		t.Fatal(err)
	}
	sp := app.ServicePrincipal.ID
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway} {
		const route = "GET /v1.0/servicePrincipals/{id}/synchronization/secrets"
		before := sb.Entra.Router().Count(route)
		sb.Entra.Router().Inject(router.Fault{Route: route, Status: status, Times: 1})
		if _, err := c.GetSecrets(ctx, sp); err != nil && !entraclient.IsNotFound(err) {
			t.Errorf("GET secrets after one %d: %v", status, err)
		}
		if n := sb.Entra.Router().Count(route) - before; n != 2 {
			t.Errorf("GET secrets was sent %d times after one %d, want 2", n, status)
		}
	}
	const route = "PUT /v1.0/servicePrincipals/{id}/synchronization/secrets"
	sb.Entra.Router().Inject(router.Fault{Route: route, Status: http.StatusInternalServerError, Times: 1})
	if err := c.PutSecrets(ctx, sp, []entraclient.Secret{{Key: entraclient.SecretSyncAll, Value: "false"}}); err != nil {
		t.Errorf("PUT secrets after one 500: %v", err)
	}

	before := sb.Entra.Router().Count(createJobRoute)
	sb.Entra.Router().Inject(router.Fault{Route: createJobRoute, Status: http.StatusInternalServerError, Times: 1})
	if _, err := c.CreateJob(ctx, sp, entraclient.SCIMTemplateID); err != nil {
		t.Fatal(err)
	}
	// The 500 is followed by a look for the job (none: the fault answered before the sandbox created it), then one
	// more POST — by CreateJob's own read-back, not by the transport.
	if n := sb.Entra.Router().Count(createJobRoute) - before; n != 2 {
		t.Errorf("the creating POST was sent %d times after a 500, want 2 (one read-back-guarded resend)", n)
	}
}

// A Graph host or login authority that cannot be reached fails in under 5 s, once, naming the setting and where it
// came from.
func TestUnreachableHostsFailFastNamingTheSetting(t *testing.T) {
	sb := acctest.Sandbox(t)
	closed := "127.0.0.1:1" // nothing listens on port 1
	for _, c := range []struct {
		name    string
		cfg     func(*entraclient.Config)
		setting string
		from    string
	}{
		{"graph", func(cfg *entraclient.Config) {
			cfg.GraphURL = "http://" + closed + "/v1.0"
			cfg.Sources = map[string]string{entraclient.SourceGraphURL: "ARM_GRAPH_URL"}
		}, "entra.graph_url", "set by ARM_GRAPH_URL"},
		{"authority", func(cfg *entraclient.Config) {
			cfg.AuthorityHost = "https://" + closed + "/"
			cfg.Sources = map[string]string{entraclient.SourceAuthorityHost: "entra.authority_host"}
		}, "entra.authority_host", "set by entra.authority_host"},
		{"authority name", func(cfg *entraclient.Config) {
			cfg.AuthorityHost = "https://login.invalid/"
		}, "entra.authority_host", "set to https://login.invalid/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := acctest.EntraConfig(sb)
			c.cfg(&cfg)
			cl, err := entraclient.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = cl.GetServicePrincipal(testContext(t, 2*time.Minute), "00000000-0000-0000-0000-000000000000")
			took := time.Since(start)
			t.Logf("after %s: %v", took.Round(time.Millisecond), err)
			if took > 5*time.Second {
				t.Errorf("failing took %s, want < 5s", took)
			}
			e := entraclient.AsError(err)
			if e == nil || !e.Unreachable {
				t.Fatalf("err = %v, want an unreachable host", err)
			}
			for _, want := range []string{c.setting, c.from} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q: %v", want, err)
				}
			}
			if c.name == "authority name" && !strings.Contains(err.Error(), "does not resolve") {
				t.Errorf("the error does not say the name does not resolve: %v", err)
			}
		})
	}
}

// A wrong client secret is reported cause first, in a few lines, and asked for once: later calls of the run report
// the remembered failure without another token request.
func TestWrongClientSecretReportedOnceCauseFirst(t *testing.T) {
	sb := acctest.Sandbox(t)
	cfg := acctest.EntraConfig(sb)
	cfg.ClientSecret = "wrong-secret-value"
	cfg.Sources = map[string]string{entraclient.SourceClientSecret: "ARM_CLIENT_SECRET"}
	c, err := entraclient.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	const tokenRoute = "POST /{tenant}/oauth2/v2.0/token"
	before := sb.Entra.Router().Count(tokenRoute)
	_, err = c.GetServicePrincipal(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000000")
	summary, detail, ok := entraclient.Diagnostic("Could not look up the OIDC app registration", err)
	if !ok || summary != "Microsoft Entra sign-in failed" {
		t.Fatalf("Diagnostic = %q, %q, %t (err %v)", summary, detail, ok, err)
	}
	t.Logf("%s: %s", summary, detail)
	if !strings.HasPrefix(detail, "Entra rejected the client secret (AADSTS7000215)") {
		t.Errorf("the detail does not start with the cause: %s", detail)
	}
	if !strings.Contains(detail, "ARM_CLIENT_SECRET") || strings.Contains(detail, "wrong-secret-value") {
		t.Errorf("the detail must name the setting and never the secret: %s", detail)
	}
	if n := strings.Count(detail, "\n"); n > 4 {
		t.Errorf("the detail has %d lines:\n%s", n, detail)
	}
	_, err = c.GetServicePrincipal(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000000")
	if e := entraclient.AsError(err); e == nil || !e.Repeated {
		t.Errorf("second failure = %v, want the remembered one", err)
	}
	if n := sb.Entra.Router().Count(tokenRoute) - before; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

// Test Connection tells a transient SCIM answer from a wrong credential: Auth0's SCIM endpoint answering 503 twice
// is retried and passes; answering 503 every time is reported as transient; a revoked token is not retried.
func TestTestConnectionRetriesTransientSCIMAnswers(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	ctx := testContext(t, 3*time.Minute)
	conn := sb.Seed.ConnectionID
	if _, err := sb.Auth0.CreateSCIMConfiguration(conn, "externalId", nil); err != nil {
		t.Fatal(err)
	}
	tok, err := sb.Auth0.CreateSCIMToken(conn, acctest.SeedTokenScopes, acctest.SeedTokenLifetime)
	if err != nil {
		t.Fatal(err)
	}
	h := acctest.HandSetup{TenantURL: sb.Auth0.SCIMEndpoint(conn) + "?aadOptscim062020", Token: tok.Token}
	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (transient test connection)")
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.CreateJob(ctx, app.ServicePrincipal.ID, entraclient.SCIMTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	creds := []entraclient.Secret{{Key: entraclient.SecretBaseAddress, Value: h.TenantURL}, {Key: entraclient.SecretToken, Value: h.Token}}
	const scimUsers = "GET /scim/v2/connections/{connection_id}/Users"

	sb.Auth0.Router().Inject(router.Fault{Route: scimUsers, Status: http.StatusServiceUnavailable, Times: 2})
	if err := c.ValidateCredentials(ctx, app.ServicePrincipal.ID, job.ID, creds); err != nil {
		t.Errorf("Test Connection after two transient 503s: %v", err)
	}
	sb.Auth0.Router().Inject(router.Fault{Route: scimUsers, Status: http.StatusTooManyRequests, Times: 100})
	err = c.ValidateCredentials(ctx, app.ServicePrincipal.ID, job.ID, creds)
	if !entraclient.SCIMTransient(err) || entraclient.SCIMStatus(err) != http.StatusTooManyRequests {
		t.Errorf("Test Connection against a throttling endpoint: %v (status %d)", err, entraclient.SCIMStatus(err))
	}
	sb.Auth0.Router().ClearFaults()
	before := sb.Auth0.Router().Count(scimUsers)
	bad := []entraclient.Secret{creds[0], {Key: entraclient.SecretToken, Value: "not-a-token"}}
	err = c.ValidateCredentials(ctx, app.ServicePrincipal.ID, job.ID, bad)
	if err == nil || entraclient.SCIMTransient(err) {
		t.Errorf("Test Connection with a wrong token: %v", err)
	}
	if n := sb.Auth0.Router().Count(scimUsers) - before; n != 1 {
		t.Errorf("a wrong token was tested %d times, want 1", n)
	}
}
