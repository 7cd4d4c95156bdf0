package chaos_test

import (
	"net/http"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func full() bool { return os.Getenv("CHAOS") != "" }

// sampled reports whether the i-th run (from 0) of a full matrix runs: all of them, or with CHAOS_SAMPLE=n every n-th
// (a third of the matrix in a third of the time, the same runs each time), for a figure on a busy machine.
func sampled(i int) bool {
	n, err := strconv.Atoi(os.Getenv("CHAOS_SAMPLE"))
	return !full() || err != nil || n <= 1 || i%n == 0
}

// strictEntra makes Entra orphans fail the full matrices too (CHAOS_STRICT_ENTRA=1); by default they are counted
// and printed, and Auth0 orphans fail.
func strictEntra() bool { return os.Getenv("CHAOS_STRICT_ENTRA") != "" }

func skipUnlessEnabled(t *testing.T) {
	if os.Getenv("TF_ACC") == "" && !full() {
		t.Skip("set TF_ACC=1 (subset) or CHAOS=1 (whole matrices, `make chaos`)")
	}
	acctest.SkipOnTenants(t, "kills processes and injects faults in an in-process sandbox of its own")
}

func check(t *testing.T, tl *tally, matrix string) {
	t.Helper()
	tl.report(t, matrix)
	if tl.auth0Orphans > 0 {
		t.Errorf("%s: %d Auth0 objects orphaned or duplicated", matrix, tl.auth0Orphans)
	}
	if tl.outlived > 0 {
		t.Errorf("%s: the provider outlived a killed terraform by more than 2s in %d runs", matrix, tl.outlived)
	}
	if strictEntra() && tl.entraOrphans > 0 {
		t.Errorf("%s: %d Entra objects orphaned or duplicated", matrix, tl.entraOrphans)
	}
	for _, o := range tl.failures {
		if !o.converged && (o.auth0Orphans() > 0 || strictEntra() || !touchesEntraOnly(o)) {
			t.Errorf("%s: did not converge: %s", o.name, tail(o.why, 600))
		}
	}
}

// touchesEntraOnly is true for an outcome whose only trouble is on the Entra side (the Entra half of the work is
// done in its own packages); used only while CHAOS_STRICT_ENTRA is off.
func touchesEntraOnly(o outcome) bool { return o.auth0Orphans() == 0 && o.entraOrphans() > 0 }

// TestCrashMatrix kills terraform, then the provider, after each request of a clean apply (CHAOS=1), or after the
// Auth0 writes whose answer matters most (the subset).
func TestCrashMatrix(t *testing.T) {
	skipUnlessEnabled(t)
	steps := cleanApply(t)
	t.Logf("a clean apply sends %d requests", len(steps))

	type kill struct {
		k      int
		target string
	}
	var kills []kill
	if full() {
		for _, target := range []string{"terraform", "provider"} {
			for k := 1; k <= len(steps); k++ {
				kills = append(kills, kill{k, target})
			}
		}
	} else {
		// The subset: terraform killed once the SCIM configuration POST and the token POST were carried out and before
		// their answers left, and the provider killed at the token POST — where a lost answer orphans an object.
		for i, s := range steps {
			switch s.route {
			case auth0.RouteCreateSCIMConfig:
				kills = append(kills, kill{i + 1, "terraform"})
			case auth0.RouteCreateSCIMToken:
				kills = append(kills, kill{i + 1, "terraform"}, kill{i + 1, "provider"})
			}
		}
	}
	tl := &tally{}
	for i, kl := range kills {
		if !sampled(i) {
			continue
		}
		o := killAt(t, kl.k, kl.target)
		o.name += " (" + steps[kl.k-1].cloud + " " + steps[kl.k-1].route + ")"
		tl.add(o)
	}
	check(t, tl, "crash matrix")
}

// TestFaultMatrix faults the first request of every route of a clean apply (CHAOS=1 only).
func TestFaultMatrix(t *testing.T) {
	if !full() {
		t.Skip("the fault matrix runs with CHAOS=1 (`make chaos`)")
	}
	acctest.SkipOnTenants(t, "injects faults in an in-process sandbox of its own")
	steps := cleanApply(t)
	routes := map[step]bool{}
	for _, s := range steps {
		routes[s] = true
	}
	var ordered []step
	for s := range routes {
		ordered = append(ordered, s)
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].cloud+ordered[i].route < ordered[j].cloud+ordered[j].route })
	faults := map[string]func(route string) router.Fault{
		"429 with Retry-After": func(r string) router.Fault {
			return router.Fault{Route: r, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1}
		},
		"429 without Retry-After": func(r string) router.Fault {
			return router.Fault{Route: r, Status: http.StatusTooManyRequests, RetryAfter: time.Millisecond, Times: 1}
		},
		"500":             func(r string) router.Fault { return router.Fault{Route: r, Status: 500, Times: 1} },
		"503":             func(r string) router.Fault { return router.Fault{Route: r, Status: 503, Times: 1} },
		"slow answer":     func(r string) router.Fault { return router.Fault{Route: r, Latency: 3 * time.Second, Times: 1} },
		"500 after write": func(r string) router.Fault { return router.Fault{Route: r, AfterStatus: 500, Times: 1} },
	}
	names := make([]string, 0, len(faults))
	for n := range faults {
		names = append(names, n)
	}
	sort.Strings(names)
	tl := &tally{}
	i := 0
	for _, s := range ordered {
		for _, n := range names {
			if i++; !sampled(i - 1) {
				continue
			}
			tl.add(faultAt(t, s.cloud, faults[n](s.route), n+" on "+s.cloud+" "+s.route))
		}
	}
	check(t, tl, "fault matrix")
}
