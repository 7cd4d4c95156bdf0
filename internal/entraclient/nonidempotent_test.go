package entraclient_test

import (
	"context"
	"fmt"
	"io"
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

// Routes of the POSTs that create something.
const (
	instantiateRoute = "POST /v1.0/applicationTemplates/{id}/instantiate"
	assignRoute      = "POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo"
	createJobRoute   = "POST /v1.0/servicePrincipals/{id}/synchronization/jobs"
	podRoute         = "POST /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/provisionOnDemand"
)

// failAfterServing is a transport under the client's middlewares that lets the sandbox handle a matching request
// (which creates the object) and then hands the client a server error instead of the answer: a gateway that timed
// out after the backend committed. It does so for the first n matching requests.
type failAfterServing struct {
	base   http.RoundTripper
	match  func(*http.Request) bool
	status int
	left   atomic.Int32
	hits   atomic.Int32
}

func (f *failAfterServing) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.base.RoundTrip(r)
	if err != nil || !f.match(r) || f.left.Add(-1) < 0 {
		return resp, err
	}
	f.hits.Add(1)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	body := `{"error":{"code":"ServiceUnavailable","message":"The service is temporarily unavailable."}}`
	return &http.Response{
		StatusCode: f.status, Status: fmt.Sprintf("%d %s", f.status, http.StatusText(f.status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

func postTo(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(strings.ToLower(r.URL.Path), strings.ToLower(suffix))
	}
}

// clientFailingAfter builds the provider's client for sb whose first request matching match is served and then
// answered with status.
func clientFailingAfter(t *testing.T, sb *sandbox.Sandbox, match func(*http.Request) bool, status int) (*entraclient.Client, *failAfterServing) {
	t.Helper()
	f := &failAfterServing{base: cloneDefaultTransport(t), match: match, status: status}
	f.left.Store(1)
	c, err := entraclient.NewWithTransport(context.Background(), acctest.EntraConfig(sb), f)
	if err != nil {
		t.Fatal(err)
	}
	c.PollMin, c.PollMax = 100*time.Millisecond, 500*time.Millisecond
	return c, f
}

// served counts the requests of a route the sandbox handled with one of the given statuses.
func served(sb *sandbox.Sandbox, route string, statuses ...int) int {
	n := 0
	for _, r := range sb.Entra.Router().Requests(route) {
		for _, s := range statuses {
			if r.Status == s {
				n++
			}
		}
	}
	return n
}

// leftovers lists the applications still carrying a temporary instantiate name.
func leftovers(t *testing.T, c *entraclient.Client) []entraclient.Application {
	t.Helper()
	apps, err := c.ApplicationsNamedLike(testContext(t, time.Minute), entraclient.InstantiatePrefix)
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// /instantiate creates the application but the client gets a 503 (and, in the second case, a 504): the POST is not
// sent again, the application is found by its temporary name and used. Sending it again would leave an orphan.
func TestInstantiateServerErrorAfterCreateMakesNoDuplicate(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			sb := acctest.Sandbox(t)
			sb.Entra.SetReplicationLag(time.Second)
			c, f := clientFailingAfter(t, sb, postTo("/instantiate"), status)
			app, err := c.CreateEnterpriseApp(testContext(t, 2*time.Minute), "Auth0 SCIM (5xx after create)")
			if err != nil {
				t.Fatal(err)
			}
			if f.hits.Load() != 1 {
				t.Fatalf("the server error was played %d times", f.hits.Load())
			}
			if n := sb.Entra.Router().Count(instantiateRoute); n != 1 {
				t.Errorf("/instantiate was sent %d times after a %d, want 1", n, status)
			}
			if n := served(sb, instantiateRoute, http.StatusCreated, http.StatusOK); n != 1 {
				t.Errorf("%d applications were instantiated, want 1", n)
			}
			if got, ok := sb.Entra.Application(app.Application.ObjectID); !ok || got["displayName"] != "Auth0 SCIM (5xx after create)" {
				t.Errorf("application %s: %v", app.Application.ObjectID, got)
			}
			if _, ok := sb.Entra.ServicePrincipal(app.ServicePrincipal.ID); !ok {
				t.Errorf("service principal %s does not exist", app.ServicePrincipal.ID)
			}
			if l := leftovers(t, c); len(l) != 0 {
				t.Errorf("applications left under a temporary name: %+v", l)
			}
		})
	}
}

// /instantiate answers 503 without creating anything (sandbox fault injection): after looking for the application in
// vain, the client sends it again and exactly one application exists.
func TestInstantiateServerErrorNothingCreated(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	c.InstantiateLookupTimeout = 2 * time.Second
	sb.Entra.Router().Inject(router.Fault{Route: instantiateRoute, Status: http.StatusServiceUnavailable, Times: 1})
	app, err := c.CreateEnterpriseApp(testContext(t, 2*time.Minute), "Auth0 SCIM (503)")
	if err != nil {
		t.Fatal(err)
	}
	if n := sb.Entra.Router().Count(instantiateRoute); n != 2 {
		t.Errorf("/instantiate was sent %d times, want 2 (the 503, then one that creates)", n)
	}
	if n := served(sb, instantiateRoute, http.StatusCreated, http.StatusOK); n != 1 {
		t.Errorf("%d applications were instantiated, want 1", n)
	}
	if n := sb.Entra.Router().Count("GET /v1.0/applications"); n == 0 {
		t.Error("the client did not look for the application before instantiating again")
	}
	if _, ok := sb.Entra.Application(app.Application.ObjectID); !ok {
		t.Errorf("application %s does not exist", app.Application.ObjectID)
	}
	if l := leftovers(t, c); len(l) != 0 {
		t.Errorf("applications left under a temporary name: %+v", l)
	}

	// /instantiate keeps failing: the client gives up after a bounded number of attempts, saying so.
	sb.Entra.Router().ResetCounters()
	sb.Entra.Router().Inject(router.Fault{Route: instantiateRoute, Status: http.StatusServiceUnavailable})
	c.InstantiateLookupTimeout = 300 * time.Millisecond
	_, err = c.CreateEnterpriseApp(testContext(t, 2*time.Minute), "Auth0 SCIM (503 forever)")
	if entraclient.StatusCode(err) != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "none was created") {
		t.Fatalf("err = %v", err)
	}
	if n := sb.Entra.Router().Count(instantiateRoute); n != 3 {
		t.Errorf("/instantiate was sent %d times, want 3", n)
	}
}

// The application created by the failed /instantiate shows up only after the client gave up looking and instantiated
// again: the duplicate is deleted, so nothing is orphaned.
func TestInstantiateLateDuplicateIsDeleted(t *testing.T) {
	sb := acctest.Sandbox(t)
	sb.Entra.SetReplicationLagFor(instantiateRoute, 2*time.Second)
	c, _ := clientFailingAfter(t, sb, postTo("/instantiate"), http.StatusServiceUnavailable)
	c.InstantiateLookupTimeout = 500 * time.Millisecond
	app, err := c.CreateEnterpriseApp(testContext(t, 2*time.Minute), "Auth0 SCIM (late duplicate)")
	if err != nil {
		t.Fatal(err)
	}
	if len(app.Warnings) != 0 {
		t.Errorf("warnings: %v", app.Warnings)
	}
	if n := served(sb, instantiateRoute, http.StatusCreated, http.StatusOK); n != 2 {
		t.Fatalf("%d applications were instantiated, want 2 (the lookup was meant to give up)", n)
	}
	if n := served(sb, "DELETE /v1.0/applications/{id}", http.StatusNoContent); n != 1 {
		t.Errorf("%d applications were deleted, want 1 (the duplicate)", n)
	}
	if l := leftovers(t, c); len(l) != 0 {
		t.Errorf("applications left under a temporary name: %+v", l)
	}
	if _, ok := sb.Entra.Application(app.Application.ObjectID); !ok {
		t.Errorf("the kept application %s does not exist", app.Application.ObjectID)
	}
}

// appRoleAssignedTo creates the assignment but the client gets a 503: the identical assignment is adopted instead of
// sending the POST again (which Graph answers 400 "already exists").
func TestAssignServerErrorAfterCreateAdopts(t *testing.T) {
	sb := acctest.Sandbox(t)
	c, f := clientFailingAfter(t, sb, postTo("/appRoleAssignedTo"), http.StatusServiceUnavailable)
	ctx := testContext(t, 2*time.Minute)
	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (assignment 503)")
	if err != nil {
		t.Fatal(err)
	}
	role, _ := app.ServicePrincipal.RoleByDisplayName("User")
	a, err := c.AssignAppRole(ctx, app.ServicePrincipal.ID, role.ID, sb.Seed.GroupID)
	if err != nil {
		t.Fatal(err)
	}
	if f.hits.Load() != 1 {
		t.Fatalf("the server error was played %d times", f.hits.Load())
	}
	if n := sb.Entra.Router().Count(assignRoute); n != 1 {
		t.Errorf("the assignment was POSTed %d times, want 1", n)
	}
	as := sb.Entra.Assignments(app.ServicePrincipal.ID)
	if len(as) != 1 || as[0].PrincipalID != sb.Seed.GroupID || a.ID != as[0].ID {
		t.Errorf("assignments = %+v, adopted %+v", as, a)
	}
}

// A 503 without the assignment being created: the client looks, finds none, and sends the POST again.
func TestAssignServerErrorNothingCreated(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	ctx := testContext(t, 2*time.Minute)
	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (assignment fault)")
	if err != nil {
		t.Fatal(err)
	}
	role, _ := app.ServicePrincipal.RoleByDisplayName("User")
	sb.Entra.Router().Inject(router.Fault{Route: assignRoute, Status: http.StatusServiceUnavailable, Times: 1})
	if _, err := c.AssignAppRole(ctx, app.ServicePrincipal.ID, role.ID, sb.Seed.GroupID); err != nil {
		t.Fatal(err)
	}
	if n := sb.Entra.Router().Count(assignRoute); n != 2 {
		t.Errorf("the assignment was POSTed %d times, want 2", n)
	}
	if n := sb.Entra.Router().Count("GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo"); n == 0 {
		t.Error("the client did not look for the assignment before posting again")
	}
	if as := sb.Entra.Assignments(app.ServicePrincipal.ID); len(as) != 1 {
		t.Errorf("assignments = %+v", as)
	}
}

// The job is created but the client gets a 504: the job is adopted, not created again.
func TestCreateJobServerErrorAfterCreateAdopts(t *testing.T) {
	sb := acctest.Sandbox(t)
	c, f := clientFailingAfter(t, sb, postTo("/synchronization/jobs"), http.StatusGatewayTimeout)
	ctx := testContext(t, 2*time.Minute)
	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (job 504)")
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.CreateJob(ctx, app.ServicePrincipal.ID, entraclient.SCIMTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	if f.hits.Load() != 1 {
		t.Fatalf("the server error was played %d times", f.hits.Load())
	}
	if n := sb.Entra.Router().Count(createJobRoute); n != 1 {
		t.Errorf("the job was POSTed %d times, want 1", n)
	}
	if jobs := sb.Entra.Jobs(app.ServicePrincipal.ID); len(jobs) != 1 || jobs[0].ID != job.ID {
		t.Errorf("jobs = %+v, adopted %s", jobs, job.ID)
	}
}

// provisionOnDemand is not sent again after a 503 (the subjects may have been provisioned); a 429 is retried.
func TestProvisionOnDemandRetriedOnThrottlingOnly(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	const sp, job = "00000000-0000-0000-0000-000000000001", "scim.00000000000000000000000000000000.00000000-0000-0000-0000-000000000002"
	subject := entraclient.ProvisionSubject{ObjectID: sb.Seed.User("alice").EntraID, ObjectTypeName: "User"}

	sb.Entra.Router().Inject(router.Fault{Route: podRoute, Status: http.StatusServiceUnavailable, Times: 1})
	_, err := c.ProvisionOnDemand(testContext(t, time.Minute), sp, job, "rule", subject)
	if entraclient.StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want the 503", err)
	}
	if n := sb.Entra.Router().Count(podRoute); n != 1 {
		t.Errorf("provisionOnDemand was sent %d times after a 503, want 1", n)
	}

	sb.Entra.Router().ResetCounters()
	sb.Entra.Router().Inject(router.Fault{Route: podRoute, Status: http.StatusTooManyRequests, RetryAfter: 100 * time.Millisecond, Times: 1})
	_, err = c.ProvisionOnDemand(testContext(t, time.Minute), sp, job, "rule", subject)
	if entraclient.StatusCode(err) == http.StatusTooManyRequests {
		t.Fatalf("the 429 was not retried: %v", err)
	}
	if n := sb.Entra.Router().Count(podRoute); n != 2 {
		t.Errorf("provisionOnDemand was sent %d times after a 429, want 2", n)
	}
}

// A server that accepts a request and never answers does not hang the client, even without a context deadline.
func TestStalledServerDoesNotHang(t *testing.T) {
	sb := acctest.Sandbox(t)
	cfg := acctest.EntraConfig(sb)
	cfg.ResponseHeaderTimeout = 500 * time.Millisecond
	c, err := entraclient.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindApplicationByAppID(testContext(t, time.Minute), sb.Seed.OIDCAppID); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	sb.Entra.Router().Inject(router.Fault{Route: "GET /v1.0/servicePrincipals/{id}", Latency: time.Hour, Times: 1})
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := c.GetServicePrincipal(context.Background(), "00000000-0000-0000-0000-000000000000")
		done <- err
	}()
	select {
	case err := <-done:
		// The stalled attempt ends at the header timeout; a GET is safe to repeat, so it is sent again and the
		// second attempt gets the real answer (404).
		if !entraclient.IsNotFound(err) {
			t.Errorf("err = %v, want the 404 of the retried GET", err)
		}
		if n := sb.Entra.Router().Count("GET /v1.0/servicePrincipals/{id}"); n != 2 {
			t.Errorf("the GET was sent %d times, want 2", n)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("gave up after %s", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the request to a stalled server hung")
	}
}

// cloneDefaultTransport is a fresh copy of net/http's default transport.
func cloneDefaultTransport(t *testing.T) *http.Transport {
	t.Helper()
	d, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		t.Fatalf("http.DefaultTransport is a %T", http.DefaultTransport)
	}
	return d.Clone()
}
