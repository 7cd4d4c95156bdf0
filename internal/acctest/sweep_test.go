package acctest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { Main(m) }

// TestSweepEnterpriseAppsRemovesTestAppsAndInterruptedCreates runs the Entra sweeper against the sandbox, reached
// only through the variables a tenant run uses: it deletes the suite's tf-acc-* applications and an application
// left under the creating-name by an interrupted create, and leaves a team's own application alone.
func TestSweepEnterpriseAppsRemovesTestAppsAndInterruptedCreates(t *testing.T) {
	if OnTenants() {
		t.Skip("builds its own leftovers in the in-process sandbox")
	}
	sb := startSandbox(t)
	for k, v := range sb.Env(os.Getenv("SSL_CERT_FILE")) {
		t.Setenv(k, v)
	}
	for _, k := range FixtureVariables {
		if os.Getenv(k) == "" {
			t.Setenv(k, "unused-by-this-sweeper")
		}
	}
	en := EntraClient(t, sb)
	ctx := context.Background()

	keep, err := en.CreateEnterpriseApp(ctx, "Team app "+RandomSuffix())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := en.CreateEnterpriseApp(ctx, NamePrefix+"sweep-"+RandomSuffix()); err != nil {
		t.Fatal(err)
	}
	// An interrupted create: the first PATCH (rename and mark) never gets through, so the application keeps the
	// creating-name.
	sb.Entra.Router().Inject(router.Fault{Route: "PATCH /v1.0/applications/{id}", Status: 500})
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, _ = en.CreateEnterpriseApp(short, "Interrupted "+RandomSuffix())
	cancel()
	sb.Entra.Router().ClearFaults()
	if left, err := en.ListApplicationsByPrefix(ctx, entraclient.CreatingNamePrefix); err != nil || len(left) == 0 {
		t.Fatalf("the interrupted create left no application under the creating-name (%v): the test proves nothing", err)
	}

	if err := SweepEnterpriseApps(""); err != nil {
		t.Fatalf("sweeper: %v", err)
	}
	for _, prefix := range []string{NamePrefix, entraclient.CreatingNamePrefix} {
		apps, err := en.ListApplicationsByPrefix(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		sps, err := en.ListServicePrincipalsByPrefix(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(apps)+len(sps) != 0 {
			t.Errorf("after the sweep, %d applications and %d service principals named %s* remain", len(apps), len(sps), prefix)
		}
	}
	if got, err := en.FindApplicationByAppID(ctx, keep.Application.AppID); err != nil || got == nil || !strings.HasPrefix(got.DisplayName, "Team app ") {
		t.Errorf("the sweeper touched an application it does not own: %+v, %v", got, err)
	}
}
