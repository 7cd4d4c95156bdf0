package sandbox_test

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
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

// TestOfficialProvidersBootstrapFromEnv follows, with nothing but .sandbox/env, the calls the official providers
// make to configure themselves (contributing/facts/entra-tokens.md §1–2, auth0-clients-and-grants.md):
// azuread reads ARM_METADATA_HOSTNAME's metadata document, asks for a token for its Graph resource, parses the JWT
// for oid/tid/appid and reads through Graph; terraform-provider-auth0 gets a Management API token with
// AUTH0_CLIENT_ID/SECRET and manages a client and its grant.
func TestOfficialProvidersBootstrapFromEnv(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{OfficialProviders: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	env := sb.Env(filepath.Join(t.TempDir(), "ca.pem"))
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sb.CA.Pool(), MinVersion: tls.VersionTLS12}}}
	getJSON := func(req *http.Request) (int, map[string]any) {
		t.Helper()
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}

	// azuread: metadata → token → claims → Graph.
	req, _ := http.NewRequest("GET", "https://"+env["ARM_METADATA_HOSTNAME"]+"/metadata/endpoints?api-version=2022-09-01", nil)
	st, md := getJSON(req)
	if st != 200 {
		t.Fatalf("metadata: %d", st)
	}
	login := sandboxtest.As[string](t, sandboxtest.As[map[string]any](t, md["authentication"])["loginEndpoint"])
	graph := strings.TrimRight(sandboxtest.As[string](t, md["microsoftGraphResourceId"]), "/")
	form := url.Values{"client_id": {env["ARM_CLIENT_ID"]}, "client_secret": {env["ARM_CLIENT_SECRET"]},
		"grant_type": {"client_credentials"}, "scope": {graph + "/.default"}}
	req, _ = http.NewRequest("POST", login+"/"+env["ARM_TENANT_ID"]+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	st, tok := getJSON(req)
	if st != 200 {
		t.Fatalf("token for %s: %d %v", graph, st, tok)
	}
	access := sandboxtest.As[string](t, tok["access_token"])
	parts := strings.Split(access, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		OID   string   `json:"oid"`
		TID   string   `json:"tid"`
		AppID string   `json:"appid"`
		Roles []string `json:"roles"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.OID == "" || claims.TID != env["ARM_TENANT_ID"] || claims.AppID != env["ARM_CLIENT_ID"] || len(claims.Roles) == 0 {
		t.Fatalf("claims: %+v", claims)
	}
	bearer := func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, graph+path, nil)
		r.Header.Set("Authorization", "Bearer "+access)
		return r
	}
	for _, p := range []string{"/v1.0/servicePrincipals/" + claims.OID, "/beta/servicePrincipals/" + claims.OID, "/v1.0/servicePrincipals/" + claims.OID + "/owners"} {
		if st, body := getJSON(bearer("GET", p)); st != 200 {
			t.Errorf("GET %s: %d %v", p, st, body)
		}
	}

	// terraform-provider-auth0: Management API token, a client and its grant.
	form = url.Values{"grant_type": {"client_credentials"}, "client_id": {env["AUTH0_CLIENT_ID"]},
		"client_secret": {env["AUTH0_CLIENT_SECRET"]}, "audience": {"https://" + env["AUTH0_DOMAIN"] + "/api/v2/"}}
	req, _ = http.NewRequest("POST", "https://"+env["AUTH0_DOMAIN"]+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	st, mt := getJSON(req)
	if st != 200 {
		t.Fatalf("auth0 token: %d %v", st, mt)
	}
	mgmtToken := sandboxtest.As[string](t, mt["access_token"])
	mgmt := func(method, path, body string) (int, map[string]any) {
		r, _ := http.NewRequest(method, "https://"+env["AUTH0_DOMAIN"]+path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+mgmtToken)
		r.Header.Set("Content-Type", "application/json")
		return getJSON(r)
	}
	st, c := mgmt("POST", "/api/v2/clients", `{"name":"scim automation","app_type":"non_interactive"}`)
	if st != 201 {
		t.Fatalf("create client: %d %v", st, c)
	}
	st, g := mgmt("POST", "/api/v2/client-grants", `{"client_id":"`+sandboxtest.As[string](t, c["client_id"])+`","audience":"https://`+env["AUTH0_DOMAIN"]+`/api/v2/","scope":["read:connections"]}`)
	if st != 201 {
		t.Fatalf("create grant: %d %v", st, g)
	}
	if st, l := mgmt("GET", "/api/v2/connections/"+env["SANDBOX_CONNECTION_ID"]+"/clients", ""); st != 200 || l["clients"] == nil {
		t.Fatalf("connection clients: %d %v", st, l)
	}
	// Nothing secret reached the request logs.
	for _, r := range append(sb.Entra.Router().Requests(""), sb.Auth0.Router().Requests("")...) {
		for _, sec := range []string{env["ARM_CLIENT_SECRET"], env["AUTH0_CLIENT_SECRET"], access, mgmtToken} {
			if strings.Contains(string(r.Body), sec) || strings.Contains(r.Header.Get("Authorization"), sec) {
				t.Errorf("%s %s logged a secret", r.Method, r.Path)
			}
		}
	}
}
