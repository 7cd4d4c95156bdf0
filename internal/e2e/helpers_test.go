// Package e2e_test holds the acceptance tests that span both clouds: the seed flow from examples/complete, token
// rotation without a gap in provisioning, drift made by hand in one cloud and repaired by the next apply, and the
// adoption of a setup made by hand. They run the real Terraform CLI against the in-process sandbox.
package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// Routes of the sandbox's request logs the tests read.
const (
	routePutSecrets     = "PUT /v1.0/servicePrincipals/{id}/synchronization/secrets"
	routeValidateJob    = "POST /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/validateCredentials"
	routeProvision      = "POST /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/provisionOnDemand"
	routeGetJob         = "GET /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}"
	routeGetSchema      = "GET /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema"
	routeSCIMCreateUser = "POST /scim/v2/connections/{connection_id}/Users"
	// routeSCIMPrefix starts the path of every route of Auth0's inbound SCIM server.
	routeSCIMPrefix = "/scim/v2/"
)

// ids are what the tests need from the state of examples/complete.
type ids struct {
	sp, app, job, tokenID, token string
}

// captureIDs reads the ids from the state into got.
func captureIDs(got *ids) func(*terraform.State) error {
	return func(s *terraform.State) error {
		app, err := attrs(s, acctest.CompleteApp)
		if err != nil {
			return err
		}
		tok, err := attrs(s, acctest.CompleteToken)
		if err != nil {
			return err
		}
		*got = ids{sp: app["service_principal_id"], app: app["application_object_id"], job: app["job_id"], tokenID: tok["token_id"], token: tok["token"]}
		if got.sp == "" || got.job == "" || got.tokenID == "" {
			return fmt.Errorf("ids missing from the state: %+v", *got)
		}
		return nil
	}
}

func attrs(s *terraform.State, addr string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok || rs.Primary == nil {
		return nil, fmt.Errorf("%s is not in the state", addr)
	}
	return rs.Primary.Attributes, nil
}

// checks runs several state checks in order and stops at the first failure.
func checks(fs ...func(*terraform.State) error) func(*terraform.State) error {
	return func(s *terraform.State) error {
		for _, f := range fs {
			if err := f(s); err != nil {
				return err
			}
		}
		return nil
	}
}

// provisionPresent runs Provision on Demand for the fixture's present user, who is in Auth0, and expects her to be
// provisioned (updated, or already in step).
func provisionPresent(t *testing.T, tg *acctest.Target, got *ids) error {
	t.Helper()
	r := tg.ProvisionOnDemand(t, got.sp, got.job, tg.PresentUserID)
	if !r.Succeeded() {
		return fmt.Errorf("provisioning the present user did not succeed:\n%s", provisionondemand.Explain(r))
	}
	return nil
}

// failedRequests lists the logged requests of a cloud whose path pattern starts with prefix and that were answered
// with an error status.
func failedRequests(rt *router.Router, prefix string) []string {
	var out []string
	for _, r := range rt.Requests("") {
		if r.Status >= 400 && strings.HasPrefix(strings.TrimPrefix(r.Route, r.Method+" "), prefix) {
			out = append(out, fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status))
		}
	}
	return out
}

// quarantined reports whether the job is quarantined in the sandbox.
func quarantined(sb *sandbox.Sandbox, spID, jobID string) (bool, error) {
	j, ok := sb.Entra.Job(spID, jobID)
	if !ok {
		return false, fmt.Errorf("job %s of service principal %s does not exist", jobID, spID)
	}
	return j.Status.Code == "Quarantine", nil
}

// routeCounts returns the sandbox's request counters of both clouds, prefixed by cloud.
func routeCounts(sb *sandbox.Sandbox) map[string]int {
	out := map[string]int{}
	for k, v := range sb.Auth0.Router().Counts() {
		out["auth0 "+k] = v
	}
	for k, v := range sb.Entra.Router().Counts() {
		out["entra "+k] = v
	}
	return out
}

// diffCounts renders the routes whose counters moved between two snapshots, sorted, e.g. for failure messages.
func diffCounts(before, after map[string]int) string {
	var lines []string
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			lines = append(lines, fmt.Sprintf("  %s: +%d", k, d))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// expectChanges is a plan check: the plan changes exactly the listed resources, each with the given action —
// "create", "update", "delete", "read", "create-before-destroy" or "delete-before-create", or for an import
// "import" or "import, <action>" — and leaves every other resource as it is. A deposed object is listed as
// "<address> (deposed)".
type expectChanges map[string]string

func actionName(a interface {
	CreateBeforeDestroy() bool
	DestroyBeforeCreate() bool
	Create() bool
	Update() bool
	Delete() bool
	Read() bool
	NoOp() bool
}) string {
	switch {
	case a.CreateBeforeDestroy():
		return "create-before-destroy"
	case a.DestroyBeforeCreate():
		return "delete-before-create"
	case a.Create():
		return "create"
	case a.Update():
		return "update"
	case a.Delete():
		return "delete"
	case a.Read():
		return "read"
	case a.NoOp():
		return "no-op"
	}
	return "?"
}

func (e expectChanges) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	got := map[string]string{}
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change == nil {
			continue
		}
		name := actionName(rc.Change.Actions)
		switch {
		case rc.Change.Importing != nil && name == "no-op":
			name = "import"
		case rc.Change.Importing != nil:
			name = "import, " + name
		case name == "no-op":
			continue
		}
		addr := rc.Address
		if rc.DeposedKey != "" {
			addr += " (deposed)"
		}
		got[addr] = name
	}
	var problems []string
	for addr, want := range e {
		if got[addr] != want {
			problems = append(problems, fmt.Sprintf("%s: planned %q, want %q", addr, orNone(got[addr]), want))
		}
	}
	for addr, action := range got {
		if _, ok := e[addr]; !ok {
			problems = append(problems, fmt.Sprintf("%s: planned %q, want no change", addr, action))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		resp.Error = fmt.Errorf("unexpected plan:\n  %s", strings.Join(problems, "\n  "))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no change"
	}
	return s
}

// scimClient reaches a connection's SCIM endpoint with the token an apply made: what a test holds on a team's tenants
// to read what Entra provisioned (and remove SCIM-created groups).
type scimClient struct {
	base  string  // the connection's SCIM endpoint
	token *string // the token, once the apply has made it
}

// do sends one request to base+path and decodes a 200 answer into out (when not nil); it returns the status.
func (c scimClient) do(method, path string, out any) (int, error) {
	ctx, cancel := ctxMinute()
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+*c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}
