package budget_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

// Budgets, per command, of one examples/complete stack. Token requests are counted apart: at most one per cloud per
// provider process that calls the cloud (tokens are fetched on first use; a process that calls nothing fetches none).
//
// Where the number is above the goal of issue 10, the goal is given and what stands in the way is said; lowering a
// budget once the code allows it is the point of these tests.
const (
	// A no-change plan (refresh, then ModifyPlan). Goal met: 4.
	planAuth0 = 3
	// Goal met: 5 (the refresh of the enterprise app's service principal, assignments, job and secrets, and of the
	// attribute mappings' job schema). The plan-time checks of auth0entra_enterprise_app and
	// auth0entra_attribute_mappings read nothing when the plan equals the state.
	planGraph = 5
	// plan -refresh=false with no change. Goal met: 0, and no token request either. The data source auth0entra_scim_endpoint, which Terraform reads
	// in every plan, takes what the state of the auth0entra_scim_connection it names says (planned without change
	// in the same process) instead of reading the SCIM configuration (auth0client.NoteSCIMConfigured).
	planNoRefreshAuth0Half = 0
	planNoRefreshAuth0     = 0
	planNoRefreshGraph     = 0
	// Apply of the Auth0 half (auth0entra_scim_connection, the data source, auth0entra_scim_token), per provider
	// process (an apply is a plan process, then an apply process).
	//
	// The apply process: goal met, 7, the official provider's count. It plans again (GET connection, GET default
	// mapping, the "already enabled" probe, which Create then reuses), then PATCH marker, POST configuration, PATCH
	// token marker, POST token; the token list of the configuration it just created is known to be empty
	// (auth0-management-api.md §5.4). The two PATCHes are the crash-safety markers (auth0-connection-metadata.md):
	// without them a create interrupted after its POST leaves a configuration the next plan refuses ("import it") and
	// a token secret nobody holds, never revoked.
	//
	// The plan process: the three reads of the plan-time checks (the connection exists, is waad and has no SCIM
	// configuration yet; effective_mapping and user_id_attribute against the default mapping), which the official
	// provider does not make. They stay, by decision (README "Rate limits and fleets"): Terraform does not tell a
	// provider which of its two plans it is in, and only the plan process's checks run before anything in the stack is
	// written — in the apply process, the enterprise app may already be created while the connection is re-planned,
	// so a check moved to apply would leave half a stack behind.
	applyAuth0PlanProcess  = 3
	applyAuth0ApplyProcess = 7
	// The whole stack's apply process makes no more Auth0 calls than the half's: the group-scope warning of
	// auth0entra_enterprise_app (enterpriseapp/groups_warning.go) reads nothing for an app being created, whose job's
	// Group mapping is decided in the same apply.
	applyAuth0ApplyProcessWholeStack = applyAuth0ApplyProcess
	// Apply and destroy of the whole stack, Graph requests. The apply process: goal met, 26 (azuread's for the same
	// objects). The plan process: the two plan-time checks (the OIDC app registration and the assigned group exist),
	// which azuread does not make, kept for the reason above. Destroy: goal met, at most 18 (azuread's).
	applyGraphPlanProcess  = 2
	applyGraphApplyProcess = 26
	destroyGraph           = 17
)

type mark struct{ auth0, entra int }

type stack struct {
	run  *acctest.CLIRun
	sb   *sandbox.Sandbox
	last mark
}

func newStack(t *testing.T, auth0Only bool) *stack {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("request budgets run the real Terraform CLI: set TF_ACC=1")
	}
	acctest.SkipOnTenants(t, "counts requests in the request log of an in-process sandbox of its own")
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	files := acctest.ExampleFiles(t, "complete")
	if auth0Only {
		files = auth0Half(t, files)
	}
	files["terraform.tfvars"] = fmt.Sprintf("connection_id = %q\noidc_app_client_id = %q\nengineering_group_id = %q\n",
		sb.Seed.ConnectionID, sb.Seed.OIDCAppID, sb.Seed.GroupID)
	s := &stack{run: acctest.NewCLIRun(t, sb, files), sb: sb}
	s.last = s.now()
	return s
}

// auth0Half keeps the Auth0 resources and data source of examples/complete: main.tf up to the enterprise app, and
// the outputs that do not name Entra objects.
func auth0Half(t *testing.T, files map[string]string) map[string]string {
	main := files["main.tf"]
	i := strings.Index(main, "# The enterprise app and its job")
	if i < 0 {
		t.Fatal("examples/complete/main.tf changed: the marker comment before the enterprise app is gone")
	}
	files["main.tf"] = main[:i]
	files["outputs.tf"] = regexp.MustCompile(`(?s)output "(service_principal_id|provisioning_job_id|provisioning_job_status)" \{.*?\n\}\n`).
		ReplaceAllString(files["outputs.tf"], "")
	return files
}

func (s *stack) now() mark {
	return mark{len(s.sb.Auth0.Router().Requests("")), len(s.sb.Entra.Router().Requests(""))}
}

// do runs one command and returns what it cost each cloud.
func (s *stack) do(args ...string) (auth0, entra acctest.Calls) {
	a, e := s.doByProcess(args...)
	return a.total, e.total
}

// cost is what one command cost one cloud: in all, and per provider process that called it, in order.
type cost struct {
	total     acctest.Calls
	processes []acctest.Calls
}

// process returns the API calls of the i-th provider process that called the cloud (none when fewer called it).
func (c cost) process(i int) acctest.Calls {
	if i < len(c.processes) {
		return c.processes[i]
	}
	return acctest.Calls{}
}

// doByProcess runs one command and returns what it cost each cloud, also per provider process.
func (s *stack) doByProcess(args ...string) (auth0, entra cost) {
	s.run.Terraform(args...)
	from := s.last
	s.last = s.now()
	a, e := s.sb.Auth0.Router().Requests("")[from.auth0:], s.sb.Entra.Router().Requests("")[from.entra:]
	return cost{acctest.CountCalls(a), acctest.CountCallsByProcess(a)}, cost{acctest.CountCalls(e), acctest.CountCallsByProcess(e)}
}

// atMostPerProcess checks an apply's calls: the plan process's and the apply process's, each against its budget,
// and the token requests of both together.
func atMostPerProcess(t *testing.T, what string, got cost, planBudget, applyBudget int) {
	t.Helper()
	if len(got.processes) > 2 {
		t.Errorf("%s: %d provider processes called the cloud, want at most 2 (plan, apply)", what, len(got.processes))
	}
	atMost(t, what+", plan process", got.process(0), planBudget, 1)
	atMost(t, what+", apply process", got.process(1), applyBudget, 1)
}

func atMost(t *testing.T, what string, got acctest.Calls, budget, tokens int) {
	t.Helper()
	t.Logf("%s: %d API calls (budget %d), %d token requests (at most %d)", what, got.API, budget, got.Token, tokens)
	if testing.Verbose() {
		for _, r := range got.Routes {
			t.Logf("    %s", r)
		}
	}
	if got.API > budget {
		t.Errorf("%s: %d API calls, budget %d:\n  %s", what, got.API, budget, strings.Join(got.Routes, "\n  "))
	}
	if got.Token > tokens {
		t.Errorf("%s: %d token requests, at most %d (one per provider process that calls the cloud)", what, got.Token, tokens)
	}
	if got.Throttled > 0 {
		t.Errorf("%s: %d answers 429 from a sandbox without rate limits", what, got.Throttled)
	}
}

// TestBudgetWholeStack applies examples/complete, plans it without change (with and without refresh), validates,
// and destroys it, counting each command's requests.
func TestBudgetWholeStack(t *testing.T) {
	s := newStack(t, false)

	a, e := s.do("validate")
	atMost(t, "validate (Auth0)", a, 0, 0)
	atMost(t, "validate (Graph)", e, 0, 0)

	// apply = a plan process and an apply process.
	ac, ec := s.doByProcess("apply", "-auto-approve")
	atMostPerProcess(t, "apply (Graph)", ec, applyGraphPlanProcess, applyGraphApplyProcess)
	atMostPerProcess(t, "apply (Auth0)", ac, applyAuth0PlanProcess, applyAuth0ApplyProcessWholeStack)

	// The first refresh after a token was created removes the crash-safety marker (one PATCH): not a steady state.
	s.do("plan", "-detailed-exitcode")
	a, e = s.do("plan", "-detailed-exitcode")
	atMost(t, "no-change plan (Auth0)", a, planAuth0, 1)
	atMost(t, "no-change plan (Graph)", e, planGraph, 1)

	a, e = s.do("plan", "-refresh=false", "-detailed-exitcode")
	atMost(t, "plan -refresh=false (Auth0)", a, planNoRefreshAuth0, 0)
	atMost(t, "plan -refresh=false (Graph)", e, planNoRefreshGraph, 0)

	_, e = s.do("destroy", "-auto-approve")
	atMost(t, "destroy (Graph)", e, destroyGraph, 2)
}

// TestBudgetAuth0Half applies the Auth0 half of examples/complete alone and plans it without change.
func TestBudgetAuth0Half(t *testing.T) {
	s := newStack(t, true)

	ac, ec := s.doByProcess("apply", "-auto-approve")
	atMostPerProcess(t, "apply of the Auth0 half", ac, applyAuth0PlanProcess, applyAuth0ApplyProcess)
	atMost(t, "apply of the Auth0 half (Graph)", ec.total, 0, 0)

	s.do("plan", "-detailed-exitcode")
	a, _ := s.do("plan", "-detailed-exitcode")
	atMost(t, "no-change plan of the Auth0 half", a, planAuth0, 1)

	a, _ = s.do("plan", "-refresh=false", "-detailed-exitcode")
	atMost(t, "plan -refresh=false of the Auth0 half", a, planNoRefreshAuth0Half, 0)

	s.do("destroy", "-auto-approve")
}
