package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/entra"
)

// TestPermissions_EveryDocumentedScopeIsNeeded shows, for each Management API scope the docs list (and the sandbox
// grants), an operation of the provider that fails without it with an error naming it, and succeeds with it.
func TestPermissions_EveryDocumentedScopeIsNeeded(t *testing.T) {
	acctest.SkipOnTenants(t, "revokes Management API scopes through the sandbox's Go API")
	sb := acctest.Sandbox(t)
	conn := sb.Seed.ConnectionID
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var options map[string]json.RawMessage
	var tokenID string
	steps := []struct {
		scope string
		op    func(c *auth0client.Client) error
	}{
		{"read:connections", func(c *auth0client.Client) error {
			got, err := c.GetConnection(ctx, conn)
			if err == nil {
				options = got.Options
			}
			return err
		}},
		{"update:connections", func(c *auth0client.Client) error {
			_, err := c.UpdateConnectionOptions(ctx, conn, options)
			return err
		}},
		{"create:scim_config", func(c *auth0client.Client) error {
			_, err := c.CreateSCIMConfiguration(ctx, conn, &auth0client.SCIMConfigurationInput{})
			return err
		}},
		{"read:scim_config", func(c *auth0client.Client) error {
			_, err := c.GetSCIMConfiguration(ctx, conn)
			return err
		}},
		{"update:scim_config", func(c *auth0client.Client) error {
			_, err := c.UpdateSCIMConfiguration(ctx, conn, "sub", []auth0client.SCIMMapping{{Auth0: "email", SCIM: "userName"}})
			return err
		}},
		{"create:scim_token", func(c *auth0client.Client) error {
			tok, err := c.CreateSCIMToken(ctx, conn, []string{"get:users"}, 0)
			if err == nil {
				tokenID = tok.TokenID
			}
			return err
		}},
		{"read:scim_token", func(c *auth0client.Client) error {
			_, err := c.ListSCIMTokens(ctx, conn)
			return err
		}},
		{"delete:scim_token", func(c *auth0client.Client) error { return c.DeleteSCIMToken(ctx, conn, tokenID) }},
		{"delete:scim_config", func(c *auth0client.Client) error { return c.DeleteSCIMConfiguration(ctx, conn) }},
	}
	if len(steps) != len(sandbox.ManagementScopes) {
		t.Fatalf("%d steps for %d documented scopes: every documented scope needs a step", len(steps), len(sandbox.ManagementScopes))
	}
	for _, st := range steps {
		t.Run(st.scope, func(t *testing.T) {
			without := auth0Client(t, sb, sb.Auth0.IssueToken(minus(sandbox.ManagementScopes, st.scope)))
			err := st.op(without)
			if err == nil {
				t.Fatalf("succeeded without %s: the scope is not needed, or the sandbox does not check it", st.scope)
			}
			if !strings.Contains(err.Error(), st.scope) || !strings.Contains(err.Error(), "insufficient_scope") {
				t.Fatalf("the error does not name the missing scope %s: %v", st.scope, err)
			}
			if err := st.op(auth0Client(t, sb, sb.Auth0.IssueToken(sandbox.ManagementScopes))); err != nil {
				t.Fatalf("failed with the documented scopes: %v", err)
			}
		})
	}
}

// TestPermissions_EveryDocumentedGraphPermissionIsNeeded does the same for the Microsoft Graph application
// permissions: each is revoked from the provider's app registration in turn.
func TestPermissions_EveryDocumentedGraphPermissionIsNeeded(t *testing.T) {
	acctest.SkipOnTenants(t, "revokes Graph application permissions through the sandbox's Go API")
	sb := acctest.Sandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice := sb.Seed.User("alice").EntraID

	var spID string
	steps := []struct {
		permission string
		op         func(c *entraclient.Client) error
	}{
		{entra.PermApplicationReadWriteAll, func(c *entraclient.Client) error {
			app, err := c.CreateEnterpriseApp(ctx, "tf-acc-permissions-"+acctest.RandomSuffix())
			if err == nil {
				spID = app.ServicePrincipal.ID
			}
			return err
		}},
		{entra.PermUserReadAll, func(c *entraclient.Client) error {
			_, err := c.GetPrincipal(ctx, alice, entraclient.PrincipalUser)
			return err
		}},
		{entra.PermGroupMemberReadAll, func(c *entraclient.Client) error {
			_, err := c.GetPrincipal(ctx, sb.Seed.GroupID, entraclient.PrincipalGroup)
			return err
		}},
		{entra.PermAppRoleAssignmentReadWriteAll, func(c *entraclient.Client) error {
			_, err := c.AssignAppRole(ctx, spID, entra.AppRoleUser, alice)
			return err
		}},
		{entra.PermSynchronizationReadWriteAll, func(c *entraclient.Client) error {
			_, err := c.GetSecrets(ctx, spID)
			return err
		}},
	}
	if len(steps) != len(sandbox.GraphPermissions) {
		t.Fatalf("%d steps for %d documented permissions: every documented permission needs a step", len(steps), len(sandbox.GraphPermissions))
	}
	c := acctest.EntraClient(t, sb)
	for _, st := range steps {
		t.Run(st.permission, func(t *testing.T) {
			sb.Entra.RevokeAppRoles(sb.EntraClientID, st.permission)
			err := st.op(c)
			sb.Entra.GrantAppRoles(sb.EntraClientID, st.permission)
			if err == nil {
				t.Fatalf("succeeded without %s: the permission is not needed, or the sandbox does not check it", st.permission)
			}
			if !strings.Contains(err.Error(), st.permission) || !strings.Contains(err.Error(), "Authorization_RequestDenied") {
				t.Fatalf("the error does not name the missing permission %s: %v", st.permission, err)
			}
			if err := st.op(c); err != nil {
				t.Fatalf("failed with the documented permissions: %v", err)
			}
		})
	}
}

func auth0Client(t *testing.T, sb *sandbox.Sandbox, token string) *auth0client.Client {
	t.Helper()
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: sb.Auth0Domain, APIToken: token, UserAgent: "terraform-provider-auth0entra/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func minus(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}
