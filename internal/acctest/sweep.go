package acctest

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
)

// Sweepers remove what a failed acceptance run left on the tenants (`make sweep`, terraform-plugin-testing's
// -sweep flag). They use only the public APIs and the AUTH0_*/ARM_* and AUTH0ENTRA_ACC_* variables. Each
// resource package registers the sweeper of its objects in a sweep_test.go; the functions live here.

// SweepTokenAge is how old a SCIM token on the fixture connection must be before the sweeper deletes it: a
// running suite's tokens are younger.
const SweepTokenAge = time.Hour

const sweepTimeout = 10 * time.Minute

// sweepStart is how every sweeper starts: both clients from the tenant variables, and a context bounded by
// sweepTimeout (cancel is never nil).
func sweepStart() (context.Context, context.CancelFunc, *auth0client.Client, *entraclient.Client, error) {
	a0, en, err := sweepClients()
	if err != nil {
		return context.Background(), func() {}, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sweepTimeout)
	return ctx, cancel, a0, en, nil
}

func sweepClients() (*auth0client.Client, *entraclient.Client, error) {
	if missing := MissingTenantVariables(); len(missing) > 0 {
		return nil, nil, fmt.Errorf("%s", missingMessage(missing))
	}
	a0cfg, diags := provider.Auth0ConfigFromEnvironment()
	if diags.HasError() {
		return nil, nil, fmt.Errorf("Auth0 configuration: %s", firstDiag(diags))
	}
	a0cfg.UserAgent = "terraform-provider-auth0entra/sweeper"
	a0, err := auth0client.New(context.Background(), *a0cfg)
	if err != nil {
		return nil, nil, err
	}
	encfg, diags := provider.EntraConfigFromEnvironment()
	if diags.HasError() {
		return nil, nil, fmt.Errorf("Entra configuration: %s", firstDiag(diags))
	}
	encfg.UserAgent = "terraform-provider-auth0entra/sweeper"
	en, err := entraclient.New(context.Background(), *encfg)
	if err != nil {
		return nil, nil, err
	}
	return a0, en, nil
}

// SweepEnterpriseApps deletes the applications and service principals whose display name starts with NamePrefix,
// and those left under the provider's creating-name (entraclient.CreatingNamePrefix) by a create that was
// interrupted between /instantiate and its first PATCH: on a dedicated test tenant (the only kind the suite and the
// sweepers are for) such an application is debris of a killed run. The creating-name carries a hash of the display
// name, not the name, so it cannot be told whether the run was a test's; run `make sweep` when no apply is running
// against the tenant, or a create in progress there would lose its application.
func SweepEnterpriseApps(_ string) error {
	ctx, cancel, _, en, err := sweepStart()
	defer cancel()
	if err != nil {
		return err
	}
	for _, prefix := range []string{NamePrefix, entraclient.CreatingNamePrefix} {
		if err := sweepEnterpriseAppsNamed(ctx, en, prefix); err != nil {
			return err
		}
	}
	return nil
}

func sweepEnterpriseAppsNamed(ctx context.Context, en *entraclient.Client, prefix string) error {
	apps, err := en.ListApplicationsByPrefix(ctx, prefix)
	if err != nil {
		return err
	}
	for _, a := range apps {
		log.Printf("[INFO] sweeper: deleting application %s (%s)", a.DisplayName, a.ObjectID)
		if err := en.DeleteApplication(ctx, a.ObjectID); err != nil {
			return err
		}
	}
	sps, err := en.ListServicePrincipalsByPrefix(ctx, prefix)
	if err != nil {
		return err
	}
	for _, sp := range sps {
		log.Printf("[INFO] sweeper: deleting service principal %s (%s)", sp.DisplayName, sp.ID)
		if err := en.DeleteServicePrincipal(ctx, sp.ID); err != nil {
			return err
		}
	}
	log.Printf("[INFO] sweeper: %d applications and %d service principals named %s*", len(apps), len(sps), prefix)
	return nil
}

// SweepSCIMTokens deletes the SCIM tokens on the fixture connection created more than SweepTokenAge ago.
func SweepSCIMTokens(_ string) error {
	ctx, cancel, a0, _, err := sweepStart()
	defer cancel()
	if err != nil {
		return err
	}
	conn := os.Getenv(EnvConnectionID)
	toks, err := a0.ListSCIMTokens(ctx, conn)
	if auth0client.IsNotFound(err) {
		return nil // no SCIM configuration, so no tokens
	}
	if err != nil {
		return err
	}
	n := 0
	for _, tk := range toks {
		created, perr := time.Parse(time.RFC3339, tk.CreatedAt)
		if perr != nil || time.Since(created) < SweepTokenAge {
			continue
		}
		log.Printf("[INFO] sweeper: deleting SCIM token %s of connection %s (created %s)", tk.TokenID, conn, tk.CreatedAt)
		if err := a0.DeleteSCIMToken(ctx, conn, tk.TokenID); err != nil && !auth0client.IsNotFound(err) {
			return err
		}
		n++
	}
	log.Printf("[INFO] sweeper: %d SCIM tokens older than %s on connection %s", n, SweepTokenAge, conn)
	return nil
}

// SweepSCIMConfiguration deletes the fixture connection's SCIM configuration: the tests create it, and the fixture
// is prepared without one.
func SweepSCIMConfiguration(_ string) error {
	ctx, cancel, a0, _, err := sweepStart()
	defer cancel()
	if err != nil {
		return err
	}
	conn := os.Getenv(EnvConnectionID)
	if _, err := a0.GetSCIMConfiguration(ctx, conn); err != nil {
		if auth0client.IsNotFound(err) {
			log.Printf("[INFO] sweeper: connection %s has no SCIM configuration", conn)
			return nil
		}
		return err
	}
	log.Printf("[INFO] sweeper: deleting the SCIM configuration of connection %s", conn)
	return a0.DeleteSCIMConfiguration(ctx, conn)
}
