package entra

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

func TestOpenIDConfiguration(t *testing.T) {
	tn := newTenant(t)
	resp, err := tn.http.Get(tn.url + "/" + testTenant + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"} {
		v, _ := doc[k].(string)
		if !strings.HasPrefix(v, tn.url+"/") {
			t.Errorf("%s = %q, want it on %s", k, v, tn.url)
		}
	}
	if doc["token_endpoint"] != tn.url+"/"+testTenant+"/oauth2/v2.0/token" {
		t.Errorf("token_endpoint = %v", doc["token_endpoint"])
	}

	resp2, err := tn.http.Get(tn.url + "/not-a-tenant/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var e map[string]any
	_ = json.NewDecoder(resp2.Body).Decode(&e)
	if resp2.StatusCode != 400 || e["error"] != "invalid_tenant" || !strings.HasPrefix(sandboxtest.As[string](t, e["error_description"]), "AADSTS90002: ") {
		t.Errorf("unknown tenant: %d %v", resp2.StatusCode, e)
	}
}

func fakeJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func TestTokenEndpoint(t *testing.T) {
	tn := newTenant(t)
	if err := tn.s.AddFederatedCredential(testClient, "https://token.actions.githubusercontent.com", "repo:acme/infra:environment:prod"); err != nil {
		t.Fatal(err)
	}
	exp := float64(time.Now().Add(time.Hour).Unix())
	base := func(kv ...string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}, "scope": {graphDefaultScope}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
				continue
			}
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	assertion := func(claims map[string]any) []string {
		return []string{"client_assertion_type", jwtBearerAssertion, "client_assertion", fakeJWT(claims)}
	}
	withAssertion := func(claims map[string]any, kv ...string) url.Values {
		return base(append(assertion(claims), kv...)...)
	}
	tests := []struct {
		name     string
		path     string
		form     url.Values
		status   int
		errCode  string
		aadstsNo string
	}{
		{"secret", "", base("client_id", testClient, "client_secret", testSecret), 200, "", ""},
		{"secret with oidc scopes", "", base("client_id", testClient, "client_secret", testSecret, "scope", graphDefaultScope+" openid offline_access profile"), 200, "", ""},
		{"wrong secret", "", base("client_id", testClient, "client_secret", "nope"), 401, "invalid_client", "AADSTS7000215"},
		{"unknown client", "", base("client_id", "99999999-2222-4333-8444-555555555555", "client_secret", testSecret), 400, "unauthorized_client", "AADSTS700016"},
		{"no client id", "", base("client_secret", testSecret), 400, "invalid_request", "AADSTS900144"},
		{"wrong grant", "", base("client_id", testClient, "client_secret", testSecret, "grant_type", "password"), 400, "unsupported_grant_type", "AADSTS70003"},
		{"scope without .default", "", base("client_id", testClient, "client_secret", testSecret, "scope", "openid"), 400, "invalid_scope", "AADSTS1002012"},
		{"other resource", "", base("client_id", testClient, "client_secret", testSecret, "scope", "https://management.azure.com/.default"), 400, "invalid_resource", "AADSTS500011"},
		{"unknown tenant", "/nope/oauth2/v2.0/token", base("client_id", testClient, "client_secret", testSecret), 400, "invalid_tenant", "AADSTS90002"},
		{"certificate assertion", "", withAssertion(map[string]any{"iss": testClient, "sub": testClient, "aud": "x", "exp": exp}), 200, "", ""},
		{"federated assertion", "", withAssertion(map[string]any{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/infra:environment:prod", "exp": exp}, "client_id", testClient), 200, "", ""},
		{"federated subject unknown", "", withAssertion(map[string]any{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:acme/other:ref:refs/heads/main", "exp": exp}, "client_id", testClient), 400, "invalid_request", "AADSTS700213"},
		{"expired assertion", "", withAssertion(map[string]any{"iss": testClient, "sub": testClient, "exp": float64(time.Now().Add(-time.Hour).Unix())}), 401, "invalid_client", "AADSTS700024"},
		{"malformed assertion", "", base("client_assertion_type", jwtBearerAssertion, "client_assertion", "not-a-jwt"), 401, "invalid_client", "AADSTS50027"},
		{"assertion for unknown client", "", withAssertion(map[string]any{"iss": "x", "sub": "y", "exp": exp}), 400, "unauthorized_client", "AADSTS700016"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/" + testTenant + "/oauth2/v2.0/token"
			}
			st, body := tn.postForm(path, tc.form)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %v", st, tc.status, body)
			}
			if tc.status == 200 {
				if body["token_type"] != "Bearer" || body["expires_in"] != float64(3599) || body["ext_expires_in"] != float64(3599) || body["access_token"] == "" {
					t.Fatalf("token body %v", body)
				}
				r := tn.callWith("GET", "/v1.0/users", nil, map[string]string{"Authorization": "Bearer " + sandboxtest.As[string](t, body["access_token"])})
				tn.mustStatus(r, 200)
				return
			}
			if body["error"] != tc.errCode || !strings.HasPrefix(sandboxtest.As[string](t, body["error_description"]), tc.aadstsNo+": ") {
				t.Fatalf("error %v", body)
			}
		})
	}

	// HTTP Basic client authentication.
	req, _ := http.NewRequest("POST", tn.url+"/"+testTenant+"/oauth2/v2.0/token", strings.NewReader(base().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testClient, testSecret)
	resp, err := tn.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("basic auth: %d", resp.StatusCode)
	}
}

func TestGraphRequiresBearer(t *testing.T) {
	tn := newTenant(t)
	tests := []struct {
		name, auth, msg string
	}{
		{"missing", "", "Access token is empty."},
		{"unknown", "Bearer abc", "Access token validation failure. Invalid audience."},
		{"not bearer", "Basic abc", "Access token is empty."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			r := tn.callWith("GET", "/v1.0/applications", nil, h)
			if r.status != 401 || r.errCode() != CodeInvalidAuthToken || r.errMsg() != tc.msg {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if r.str("error", "innerError", "request-id") == "" || r.str("error", "innerError", "date") == "" {
				t.Fatalf("innerError missing: %s", r.raw)
			}
		})
	}
	tn.s.ExpireTokens()
	r := tn.call("GET", "/v1.0/applications", nil)
	if r.status != 401 || !strings.Contains(r.errMsg(), "expired") {
		t.Fatalf("expired: %d %s", r.status, r.raw)
	}
}

// TestAzidentityClientSecret proves the real azidentity v1.15 flow works against the sandbox: custom authority host
// = base URL, a transport trusting the CA, DisableInstanceDiscovery.
func TestAzidentityClientSecret(t *testing.T) {
	tn := newTenant(t)
	opts := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: tn.url + "/"},
		Transport: tn.http,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cred, err := azidentity.NewClientSecretCredential(testTenant, testClient, testSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphDefaultScope}})
	if err != nil {
		t.Fatal(err)
	}
	r := tn.callWith("GET", "/v1.0/servicePrincipals", nil, map[string]string{"Authorization": "Bearer " + tok.Token})
	tn.mustStatus(r, 200)

	// OIDC / workload identity: a client assertion built by the caller.
	acred, err := azidentity.NewClientAssertionCredential(testTenant, testClient, func(context.Context) (string, error) {
		return fakeJWT(map[string]any{"iss": testClient, "sub": testClient, "exp": time.Now().Add(time.Hour).Unix()}), nil
	}, &azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphDefaultScope}}); err != nil {
		t.Fatal(err)
	}

	// A wrong secret surfaces the AADSTS code through azidentity.
	bad, _ := azidentity.NewClientSecretCredential(testTenant, testClient, "wrong",
		&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if _, err := bad.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphDefaultScope}}); err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("wrong secret: %v", err)
	}
}
