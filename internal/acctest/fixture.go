package acctest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// fixtureState is what a test may change on the fixture connection and must give back: its SCIM configuration
// (whether there is one, and its user id attribute and mapping), its SCIM tokens and its options. On tenants every
// test shares the fixture, so a test that leaves any of it behind breaks a later test (one that enables SCIM on the
// connection is refused: "SCIM is already enabled"), far from the cause; the check at the end of each test names
// the test that did it.
type fixtureState struct {
	scim    string   // "" when the connection has no SCIM configuration, else its user id attribute and mapping
	tokens  []string // token ids, sorted
	options string   // the connection's options, as canonical JSON
}

// readFixture reads the fixture connection's state through the Management API (fresh reads, not the client's cache).
func (tg *Target) readFixture(a0 *auth0client.Client) (fixtureState, error) {
	ctx, cancel := CheckContext()
	defer cancel()
	var s fixtureState
	conn, err := a0.GetConnection(ctx, tg.ConnectionID)
	if err != nil {
		return s, fmt.Errorf("reading the fixture connection %s: %w", tg.ConnectionID, err)
	}
	opts, err := json.Marshal(conn.Options) // map keys are sorted: canonical
	if err != nil {
		return s, err
	}
	s.options = string(opts)
	cfg, err := a0.GetSCIMConfiguration(ctx, tg.ConnectionID)
	switch {
	case auth0client.IsNotFound(err):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("reading the SCIM configuration of the fixture connection %s: %w", tg.ConnectionID, err)
	}
	rows := make([]string, 0, len(cfg.Mapping))
	for _, m := range cfg.Mapping {
		rows = append(rows, m.SCIM+"→"+m.Auth0)
	}
	sort.Strings(rows)
	s.scim = fmt.Sprintf("user_id_attribute %q, mapping [%s]", cfg.UserIDAttribute, strings.Join(rows, ", "))
	toks, err := a0.ListSCIMTokens(ctx, tg.ConnectionID)
	if err != nil && !auth0client.IsNotFound(err) {
		return s, fmt.Errorf("listing the SCIM tokens of the fixture connection %s: %w", tg.ConnectionID, err)
	}
	for _, tok := range toks {
		s.tokens = append(s.tokens, tok.TokenID)
	}
	sort.Strings(s.tokens)
	return s, nil
}

// differences lists how after differs from s, in words.
func (s fixtureState) differences(after fixtureState) []string {
	var out []string
	switch {
	case s.scim == "" && after.scim != "":
		out = append(out, "it now has a SCIM configuration ("+cut(after.scim)+")")
	case s.scim != "" && after.scim == "":
		out = append(out, "its SCIM configuration is gone")
	case s.scim != after.scim:
		out = append(out, "its SCIM configuration changed from "+cut(s.scim)+" to "+cut(after.scim))
	}
	for _, id := range after.tokens {
		if !slices.Contains(s.tokens, id) {
			out = append(out, "SCIM token "+id+" is left on it")
		}
	}
	for _, id := range s.tokens {
		if !slices.Contains(after.tokens, id) {
			out = append(out, "its SCIM token "+id+" is gone")
		}
	}
	if s.options != after.options {
		out = append(out, "its options changed from "+cut(s.options)+" to "+cut(after.options))
	}
	return out
}

func cut(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// fixtureHolder is the test that uses the shared fixture on tenants, from NewTarget to its end ("" when none).
var fixtureHolder struct {
	sync.Mutex
	name string
}

// holdFixture makes t the fixture's only user until it ends; it fails t at once when another test holds it. That
// other test is still running although t started: it paused in t.Parallel() (resource.ParallelTest) after changing
// the fixture, so whichever of the two the test runner resumes first finds the fixture changed by the other (the
// symptom: "SCIM is already enabled on this connection … import it" in a test that did nothing wrong).
func holdFixture(t testing.TB) {
	t.Helper()
	fixtureHolder.Lock()
	defer fixtureHolder.Unlock()
	if fixtureHolder.name != "" {
		t.Fatalf("acctest: on tenants the fixture is shared and %s still uses it: it paused in t.Parallel() "+
			"(resource.ParallelTest) after NewTarget; tests that take a Target must run through Target.ParallelTest, "+
			"which runs them one after the other on tenants", fixtureHolder.name)
	}
	fixtureHolder.name = t.Name()
	t.Cleanup(func() {
		fixtureHolder.Lock()
		defer fixtureHolder.Unlock()
		fixtureHolder.name = ""
	})
}

// ParallelTest runs the test case: in parallel with the package's other parallel tests on the sandbox, where each
// test has a sandbox of its own; one test after the other on tenants, where every test shares the fixture (a test
// that pauses in t.Parallel() after setting up the fixture would leave it changed under the test that runs next).
func (tg *Target) ParallelTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	if tg.Sandbox == nil {
		resource.Test(t, tc)
		return
	}
	resource.ParallelTest(t, tc)
}

// guardFixture makes the test check, when it ends (after its destroy and every cleanup registered after this), that
// the fixture connection is back as the test found it; on tenants it also fails the test at once when the fixture
// already has a SCIM configuration or tokens, which an earlier test or a failed run left (`make sweep` removes them).
func (tg *Target) guardFixture(t testing.TB) {
	t.Helper()
	if tg.Sandbox == nil {
		holdFixture(t)
	}
	a0 := tg.Auth0(t)
	before, err := tg.readFixture(a0)
	if err != nil {
		t.Fatalf("acctest: %v", err)
	}
	if tg.Sandbox == nil && (before.scim != "" || len(before.tokens) > 0) {
		t.Fatalf("acctest: the fixture connection %s already has a SCIM configuration (%s) or SCIM tokens (%v) "+
			"before the test: an earlier test left them (its fixture check names it) or a failed run did; `make sweep` removes them",
			tg.ConnectionID, cut(before.scim), before.tokens)
	}
	t.Cleanup(func() {
		after, err := tg.readFixture(a0)
		if err != nil {
			t.Errorf("acctest: checking the fixture at the end of the test: %v", err)
			return
		}
		if d := before.differences(after); len(d) > 0 {
			t.Errorf("acctest: the test left the fixture connection %s changed: %s", tg.ConnectionID, strings.Join(d, "; "))
		}
	})
}
