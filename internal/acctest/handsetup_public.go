package acctest

// The manual setup done by hand through the clouds' public APIs (the Management API and Graph, through the provider's
// own clients), so that a test of what an administrator made in the two consoles runs on both targets.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// SetUpByHand does on the target what SetUpByHand(t, sb) does in a sandbox — the same Auth0 side, enterprise app,
// job and mapping edits — through the Management API and Graph only, on the fixture connection and group. appName
// is the enterprise application's display name: on tenants it should start with RandomName() so that the sweepers
// find it. Everything it made is removed when the test ends (what a test already destroyed is skipped).
func (tg *Target) SetUpByHand(t testing.TB, appName string) HandSetup {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn := tg.ConnectionID
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setting up by hand: %s: %v", what, err)
		}
	}
	a0, en := tg.Auth0(t), tg.Entra(t)

	// Auth0: SCIM on the connection with Auth0's default mapping, edited, then a token.
	cfg, err := a0.CreateSCIMConfiguration(ctx, conn, &auth0client.SCIMConfigurationInput{UserIDAttribute: auth0client.DefaultUserIDAttribute})
	must("enabling SCIM", err)
	t.Cleanup(func() {
		ctx, cancel := CheckContext()
		defer cancel()
		if err := a0.DeleteSCIMConfiguration(ctx, conn); err != nil && !auth0client.IsNotFound(err) {
			t.Errorf("acctest: removing the SCIM configuration of %s: %v", conn, err)
		}
	})
	mapping, err := seedMapping(cfg.Mapping)
	must("editing the mapping", err)
	_, err = a0.UpdateSCIMConfiguration(ctx, conn, auth0client.DefaultUserIDAttribute, mapping)
	must("saving the mapping", err)
	tok, err := a0.CreateSCIMToken(ctx, conn, SeedTokenScopes, SeedTokenLifetime)
	must("generating a token", err)
	t.Cleanup(func() {
		ctx, cancel := CheckContext()
		defer cancel()
		if err := a0.DeleteSCIMToken(ctx, conn, tok.TokenID); err != nil && !auth0client.IsNotFound(err) {
			t.Errorf("acctest: revoking SCIM token %s: %v", tok.TokenID, err)
		}
	})
	h := HandSetup{TenantURL: a0.EntraTenantURL(conn), TokenID: tok.TokenID, Token: tok.Token}

	// Entra: the enterprise app, the group assigned, the job with its credentials and mapping edits, started.
	app, err := en.CreateEnterpriseApp(ctx, appName)
	if app != nil && app.Application.ObjectID != "" {
		objectID := app.Application.ObjectID
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if err := en.DeleteApplication(entraclient.Fresh(ctx), objectID); err != nil {
				t.Errorf("acctest: deleting application %s: %v", objectID, err)
			}
		})
	}
	must("creating the enterprise application", err)
	finishEntraByHand(ctx, t, en, app, tg.GroupID, &h, must)
	return h
}

// seedMapping is the manual setup's edit of Auth0's default mapping: the enterprise department sent to
// app_metadata.dept, the enterprise manager row removed.
func seedMapping(def []auth0client.SCIMMapping) ([]auth0client.SCIMMapping, error) {
	out := make([]auth0client.SCIMMapping, 0, len(def))
	found := false
	for _, m := range def {
		switch m.SCIM {
		case departmentSCIM:
			m.Auth0, found = departmentAuth0, true
		case managerSCIM:
			continue
		}
		out = append(out, m)
	}
	if !found || len(out) != len(def)-1 {
		return nil, fmt.Errorf("Auth0's default mapping lacks the %s or %s row: %+v", departmentSCIM, managerSCIM, def)
	}
	return out, nil
}
