package sandbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// graph is a minimal Graph client for driving the Entra tenant over HTTPS as a real client would.
type graph struct {
	t     *testing.T
	hc    *http.Client
	base  string
	token string
}

func newGraph(t *testing.T, sb *sandbox.Sandbox) *graph {
	t.Helper()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sb.CA.Pool(), MinVersion: tls.VersionTLS12}}}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sb.EntraClientID}, "client_secret": {sb.EntraClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := hc.PostForm(sb.EntraURL+"/"+sb.EntraTenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, err %v", resp.StatusCode, err)
	}
	return &graph{t: t, hc: hc, base: sb.EntraURL + "/v1.0", token: tok.AccessToken}
}

func (g *graph) do(method, path string, body any, want int) map[string]any {
	g.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, g.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.hc.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		g.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// TestSeedFlowEndToEnd runs the manual setup by hand through both tenants' HTTP APIs — the Auth0 SCIM
// configuration and token, the Entra app, assignment, job, credentials, mapping overrides — then Provision on Demand
// for a user present in Auth0 (updated) and one absent (skipped: Create is deselected), then a job cycle. It proves
// the two sides talk SCIM to each other over HTTPS.
func TestSeedFlowEndToEnd(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	conn := sb.Seed.ConnectionID
	alice, carol := sb.Seed.User("alice"), sb.Seed.User("carol")

	// Auth0 side of the manual setup.
	if _, err := sb.Auth0.CreateSCIMConfiguration(conn, "externalId", nil); err != nil {
		t.Fatal(err)
	}
	tok, err := sb.Auth0.CreateSCIMToken(conn, []string{"get:users", "patch:users", "delete:users"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	tenantURL := "https://" + sb.Auth0Domain + "/scim/v2/connections/" + conn + "?aadOptscim062020"

	// Entra side of the manual setup.
	g := newGraph(t, sb)
	inst := g.do("POST", "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", map[string]string{"displayName": "Auth0 SCIM (corp)"}, 201)
	sp := sandboxtest.As[map[string]any](t, inst["servicePrincipal"])
	spID := sandboxtest.As[string](t, sp["id"])
	var userRole string
	for _, r := range sandboxtest.As[[]any](t, sp["appRoles"]) {
		if role := sandboxtest.As[map[string]any](t, r); role["displayName"] == "User" {
			userRole = sandboxtest.As[string](t, role["id"])
		}
	}
	g.do("POST", "/servicePrincipals/"+spID+"/appRoleAssignedTo", map[string]string{"principalId": sb.Seed.GroupID, "resourceId": spID, "appRoleId": userRole}, 201)
	job := g.do("POST", "/servicePrincipals/"+spID+"/synchronization/jobs", map[string]string{"templateId": "scim"}, 201)
	jobID := sandboxtest.As[string](t, job["id"])
	if !strings.HasPrefix(jobID, "scim.") {
		t.Fatalf("job id %q", jobID)
	}
	creds := []map[string]string{{"key": "BaseAddress", "value": tenantURL}, {"key": "SecretToken", "value": tok.Token}}
	g.do("POST", "/servicePrincipals/"+spID+"/synchronization/jobs/"+jobID+"/validateCredentials", map[string]any{"credentials": creds}, 204)
	g.do("PUT", "/servicePrincipals/"+spID+"/synchronization/secrets", map[string]any{"value": append(creds, map[string]string{"key": "SyncAll", "value": "false"})}, 204)

	schema, ok := sb.Entra.JobSchema(spID, jobID)
	if !ok {
		t.Fatal("no schema")
	}
	var s map[string]any
	if err := json.Unmarshal(schema, &s); err != nil {
		t.Fatal(err)
	}
	for _, om := range objectMappings(t, s) {
		if om["sourceObjectName"] != "User" {
			continue
		}
		om["flowTypes"] = "Update,Delete" // Deselect Create
		for _, am := range sandboxtest.As[[]any](t, om["attributeMappings"]) {
			am := sandboxtest.As[map[string]any](t, am)
			switch am["targetAttributeName"] {
			case "externalId": // externalId from objectId
				am["source"] = map[string]any{"expression": "[objectId]", "name": "objectId", "parameters": []any{}, "type": "Attribute"}
			case `emails[type eq "work"].value`: // match on work e-mail
				am["matchingPriority"] = 2
			}
		}
	}
	g.do("PUT", "/servicePrincipals/"+spID+"/synchronization/jobs/"+jobID+"/schema", s, 204) // save mappings

	// Provision on Demand.
	pod := func(userID string) (result, code string) {
		body := map[string]any{"parameters": []any{map[string]any{"ruleId": "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8",
			"subjects": []any{map[string]string{"objectId": userID, "objectTypeName": "User"}}}}}
		out := g.do("POST", "/servicePrincipals/"+spID+"/synchronization/jobs/"+jobID+"/provisionOnDemand", body, 200)
		var key struct {
			Result  string `json:"result"`
			Details struct {
				ErrorCode string `json:"errorCode"`
			} `json:"details"`
		}
		if err := json.Unmarshal([]byte(sandboxtest.As[string](t, out["key"])), &key); err != nil {
			t.Fatalf("key %v: %v", out["key"], err)
		}
		return key.Result, key.Details.ErrorCode
	}
	if res, code := pod(alice.EntraID); res != "Success" {
		t.Fatalf("alice: %s %s", res, code)
	}
	u, ok := sb.Auth0.GetUser(conn, alice.Auth0UserID)
	if !ok {
		t.Fatal("alice is gone from Auth0")
	}
	if v, _ := u.Attr("app_metadata.external_id"); v != alice.EntraID {
		t.Errorf("alice's externalId in Auth0 = %v, want her Entra object id %s", v, alice.EntraID)
	}
	before := len(sb.Auth0.ListUsers(conn))
	if res, code := pod(carol.EntraID); res != "Skipped" || code != "ActionTypeNotEnabled" {
		t.Errorf("carol: %s %s, want Skipped ActionTypeNotEnabled", res, code)
	}
	if after := len(sb.Auth0.ListUsers(conn)); after != before {
		t.Errorf("Auth0 users %d -> %d: nothing may be created while Create is deselected", before, after)
	}
	var lastUsed time.Time
	for _, tk := range sb.Auth0.SCIMTokens(conn) {
		if tk.TokenID == tok.TokenID {
			lastUsed = tk.LastUsedAt
		}
	}
	if lastUsed.IsZero() {
		t.Error("the token's last_used_at was not recorded")
	}

	// Provisioning on, one cycle.
	g.do("POST", "/servicePrincipals/"+spID+"/synchronization/jobs/"+jobID+"/start", nil, 204)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sb.Entra.RunCycle(ctx, spID); err != nil {
		t.Fatal(err)
	}
	// The guide's token has no group scopes while the template's Group object mapping is enabled and a group is
	// assigned: the group's export is refused (403) and the job goes into quarantine.
	j, _ := sb.Entra.Job(spID, jobID)
	if j.Status.Code != "Quarantine" || !strings.Contains(j.Status.Quarantine.Error.Message, "Insufficient scope, expected any of: get:groups") {
		t.Fatalf("group export without group scopes: %+v", j.Status)
	}
	// Users only: with the Group object mapping disabled the next cycle sends no group and succeeds.
	for _, om := range objectMappings(t, s) {
		if om["sourceObjectName"] == "Group" {
			om["enabled"] = false
		}
	}
	g.do("PUT", "/servicePrincipals/"+spID+"/synchronization/jobs/"+jobID+"/schema", s, 204)
	if err := sb.Entra.RunCycle(ctx, spID); err != nil {
		t.Fatal(err)
	}
	if j, _ = sb.Entra.Job(spID, jobID); j.Status.Code == "Quarantine" {
		t.Fatalf("job quarantined after a users-only cycle with valid credentials: %+v", j.Status)
	}
}

// TestEnvFileIsSourceable checks the .sandbox/env contract: every variable the provider reads and the seeded ids.
func TestEnvFileIsSourceable(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	env := sb.Env(filepath.Join(t.TempDir(), "ca.pem"))
	for _, k := range []string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "ARM_TENANT_ID", "ARM_CLIENT_ID",
		"ARM_CLIENT_SECRET", "ARM_AUTHORITY_HOST", "ARM_GRAPH_URL", "SSL_CERT_FILE", "SANDBOX_CONNECTION_ID",
		"SANDBOX_OIDC_CLIENT_ID", "SANDBOX_GROUP_ID", "SANDBOX_USER_ALICE_ID", "SANDBOX_USER_CAROL_ID"} {
		if env[k] == "" {
			t.Errorf("%s is missing", k)
		}
	}
	file := sandbox.EnvFile(map[string]string{"A": "it's", "B": "x y"})
	if !strings.Contains(file, `export A='it'\''s'`) || !strings.Contains(file, "export B='x y'") {
		t.Errorf("quoting:\n%s", file)
	}
	if fmt.Sprint(sb.Seed.User("carol").InAuth0) != "false" || !sb.Seed.User("alice").InAuth0 {
		t.Error("seed: alice must be in Auth0, carol not")
	}
}

// objectMappings returns the object mappings of a synchronization schema's first rule.
func objectMappings(t testing.TB, schema map[string]any) []map[string]any {
	t.Helper()
	rule := sandboxtest.As[map[string]any](t, sandboxtest.As[[]any](t, schema["synchronizationRules"])[0])
	var out []map[string]any
	for _, om := range sandboxtest.As[[]any](t, rule["objectMappings"]) {
		out = append(out, sandboxtest.As[map[string]any](t, om))
	}
	return out
}
