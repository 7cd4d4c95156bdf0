package acctest

// Checks through the clouds' public APIs, which run on both targets: the Management API and Graph through the
// provider's own clients (Target.Auth0, Target.Entra), and Auth0's SCIM endpoint with a token the test made.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// CheckContext is the context of one check through the public APIs: a minute's deadline, and reads that bypass
// both clients' read caches (auth0client.Fresh, entraclient.Fresh), so that a check sees the cloud as it is now and
// not as the same client read it in an earlier step.
func CheckContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	return entraclient.Fresh(auth0client.Fresh(ctx)), cancel
}

// SCIMTokens lists the SCIM tokens of the fixture connection through the Management API; none when the connection
// has no SCIM configuration.
func (tg *Target) SCIMTokens(a0 *auth0client.Client) ([]auth0client.SCIMToken, error) {
	ctx, cancel := CheckContext()
	defer cancel()
	toks, err := a0.ListSCIMTokens(ctx, tg.ConnectionID)
	if auth0client.IsNotFound(err) {
		return nil, nil
	}
	return toks, err
}

// NoSCIMTokens returns a function that fails t when the fixture connection has a SCIM token (for a PreConfig or
// a check after a plan or apply that must not have created one).
func (tg *Target) NoSCIMTokens(t *testing.T, a0 *auth0client.Client) func() {
	return func() {
		t.Helper()
		toks, err := tg.SCIMTokens(a0)
		if err != nil {
			t.Fatal(err)
		}
		if len(toks) != 0 {
			t.Fatalf("the failed plan or apply created SCIM tokens: %v", toks)
		}
	}
}

// SCIMMapping reads the fixture connection's SCIM mapping through the Management API, as SCIM attribute → Auth0
// attribute.
func (tg *Target) SCIMMapping(a0 *auth0client.Client) (map[string]string, error) {
	ctx, cancel := CheckContext()
	defer cancel()
	cfg, err := a0.GetSCIMConfiguration(ctx, tg.ConnectionID)
	if err != nil {
		return nil, fmt.Errorf("the SCIM configuration of %s: %w", tg.ConnectionID, err)
	}
	out := make(map[string]string, len(cfg.Mapping))
	for _, m := range cfg.Mapping {
		out[m.SCIM] = m.Auth0
	}
	return out, nil
}

// CheckSCIMRemoved is the CheckDestroy of a test that configured SCIM on the fixture connection: through the
// Management API, the connection has no SCIM configuration and no SCIM token any more, and the connection itself is
// still there (destroy removes only what the provider added).
func (tg *Target) CheckSCIMRemoved(t testing.TB) resource.TestCheckFunc {
	a0 := tg.Auth0(t)
	return func(*terraform.State) error {
		ctx, cancel := CheckContext()
		defer cancel()
		id := tg.ConnectionID
		if _, err := a0.GetSCIMConfiguration(ctx, id); !auth0client.IsNotFound(err) {
			return fmt.Errorf("connection %s still has a SCIM configuration after destroy (%v)", id, err)
		}
		if _, err := a0.GetConnection(ctx, id); err != nil {
			return fmt.Errorf("connection %s: %w; destroy must remove the SCIM configuration only", id, err)
		}
		toks, err := tg.SCIMTokens(a0)
		if err != nil {
			return err
		}
		if len(toks) != 0 {
			return fmt.Errorf("SCIM tokens left on %s after destroy: %v", id, toks)
		}
		return nil
	}
}

// SCIMUsers asks Auth0's SCIM endpoint (endpoint is the connection's SCIM URL, as the scim_endpoint data source and
// auth0client.SCIMEndpointURL give it) for the users matching filter (all when empty) with token, as Entra's
// provisioning engine does, and returns the HTTP status and, on 200, totalResults.
func SCIMUsers(endpoint, token, filter string) (status, total int, err error) {
	ctx, cancel := CheckContext()
	defer cancel()
	u := endpoint + "/Users?count=1"
	if filter != "" {
		u += "&filter=" + url.QueryEscape(filter)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, 0, nil
	}
	var list struct {
		TotalResults int `json:"totalResults"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return resp.StatusCode, 0, fmt.Errorf("SCIM GET /Users: %w", err)
	}
	return resp.StatusCode, list.TotalResults, nil
}

// StateAttr returns attribute name of the resource or data source at addr in the state ("" when either is absent).
func StateAttr(s *terraform.State, addr, name string) string {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return ""
	}
	return rs.Primary.Attributes[name]
}

// Eventually polls check through en's replication wait — Graph answers with a lag after a write (microsoft-graph.md
// §3.4) — until it returns nil or the minute's deadline passes; then it returns the wait's error with check's last
// error. Reads in check should use the ctx it is given (fresh, not from the client's cache).
func Eventually(en *entraclient.Client, what string, check func(ctx context.Context) error) error {
	ctx, cancel := CheckContext()
	defer cancel()
	var last error
	err := en.WaitUntil(ctx, what, func(ctx context.Context) (bool, error) {
		last = check(ctx)
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%w: %v", err, last)
	}
	return nil
}

// SetUpSCIM configures SCIM on the fixture connection through the Management API, as an administrator does in the
// Auth0 dashboard (Auth0's default mapping, user id attribute externalId), for a test of the Entra side, and removes
// it when the test ends. It returns the connection's Entra tenant URL.
func (tg *Target) SetUpSCIM(t testing.TB, a0 *auth0client.Client) string {
	t.Helper()
	ctx, cancel := CheckContext()
	defer cancel()
	if _, err := a0.CreateSCIMConfiguration(ctx, tg.ConnectionID, &auth0client.SCIMConfigurationInput{UserIDAttribute: auth0client.DefaultUserIDAttribute}); err != nil {
		t.Fatalf("acctest: configuring SCIM on %s: %v", tg.ConnectionID, err)
	}
	t.Cleanup(func() {
		ctx, cancel := CheckContext()
		defer cancel()
		if err := a0.DeleteSCIMConfiguration(ctx, tg.ConnectionID); err != nil && !auth0client.IsNotFound(err) {
			t.Errorf("acctest: removing the SCIM configuration of %s: %v", tg.ConnectionID, err)
		}
	})
	return a0.EntraTenantURL(tg.ConnectionID)
}

// IssueSCIMToken generates a SCIM token on the fixture connection through the Management API (the older
// connection's scopes when none are given) and revokes it when the test ends. It returns the secret and the id.
func (tg *Target) IssueSCIMToken(t testing.TB, a0 *auth0client.Client, scopes ...string) (value, id string) {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"get:users", "patch:users", "delete:users"}
	}
	ctx, cancel := CheckContext()
	defer cancel()
	tok, err := a0.CreateSCIMToken(ctx, tg.ConnectionID, scopes, 0)
	if err != nil {
		t.Fatalf("acctest: generating a SCIM token on %s: %v", tg.ConnectionID, err)
	}
	t.Cleanup(func() {
		ctx, cancel := CheckContext()
		defer cancel()
		if err := a0.DeleteSCIMToken(ctx, tg.ConnectionID, tok.TokenID); err != nil && !auth0client.IsNotFound(err) {
			t.Errorf("acctest: revoking SCIM token %s: %v", tok.TokenID, err)
		}
	})
	return tok.Token, tok.TokenID
}
