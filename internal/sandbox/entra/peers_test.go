package entra

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// Tests of what the official azuread provider needs (contributing/facts/entra-tokens.md): the ARM metadata
// document as go-azure-sdk parses it, tokens for the tenant's own Graph URL, JWT access tokens verifiable at
// jwks_uri with the claims go-azure-sdk's claims.ParseClaims reads, owners and the beta reads.

func TestARMMetadataAsGoAzureSDKReadsIt(t *testing.T) {
	tn := newTenant(t)
	resp, err := tn.http.Get(tn.url + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The fields go-azure-sdk's metadata client decodes and FromEndpoint requires (name, resourceManager,
	// microsoftGraphResourceId), and the login endpoint its token URL is built on.
	var md struct {
		Name           string `json:"name"`
		Authentication struct {
			LoginEndpoint string   `json:"loginEndpoint"`
			Audiences     []string `json:"audiences"`
		} `json:"authentication"`
		ResourceManager          string `json:"resourceManager"`
		MicrosoftGraphResourceID string `json:"microsoftGraphResourceId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md.Name == "" || md.ResourceManager == "" || md.MicrosoftGraphResourceID != tn.url+"/" || md.Authentication.LoginEndpoint != tn.url {
		t.Fatalf("metadata: %+v", md)
	}
	// go-azure-sdk: scope = strings.TrimRight(microsoftGraphResourceId, "/") + "/.default"; token URL =
	// loginEndpoint + "/" + tenant + "/oauth2/v2.0/token".
	scope := strings.TrimRight(md.MicrosoftGraphResourceID, "/") + "/.default"
	st, body := tn.postForm(strings.TrimPrefix(md.Authentication.LoginEndpoint+"/"+testTenant+"/oauth2/v2.0/token", tn.url), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}, "scope": {scope},
	})
	if st != 200 {
		t.Fatalf("token for own Graph URL: %d %v", st, body)
	}
	tok := sandboxtest.As[string](t, body["access_token"])
	if r := tn.callWith("GET", "/v1.0/applications", nil, map[string]string{"Authorization": "Bearer " + tok}); r.status != 200 {
		t.Fatalf("Graph with that token: %d %s", r.status, r.raw)
	}

	r := tn.callWith("GET", "/metadata/endpoints", nil, nil)
	if r.status != 400 {
		t.Fatalf("without api-version: %d", r.status)
	}
}

func TestScopeResources(t *testing.T) {
	tn := newTenant(t)
	for _, tc := range []struct {
		scope, aud string
		status     int
	}{
		{"https://graph.microsoft.com/.default", "https://graph.microsoft.com", 200},
		{tn.url + "/.default", tn.url, 200},
		{tn.url + "//.default", tn.url, 200},
		{"00000003-0000-0000-c000-000000000000/.default", "00000003-0000-0000-c000-000000000000", 200},
		{"https://management.azure.com/.default", "", 400},
		{"https://graph.microsoft.us/.default", "", 400},
	} {
		st, body := tn.postForm("/"+testTenant+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}, "scope": {tc.scope},
		})
		if st != tc.status {
			t.Errorf("%s: status %d, want %d (%v)", tc.scope, st, tc.status, body)
			continue
		}
		if st != 200 {
			if !strings.Contains(sandboxtest.As[string](t, body["error_description"]), "AADSTS500011") {
				t.Errorf("%s: %v", tc.scope, body)
			}
			continue
		}
		claims := parseClaims(t, sandboxtest.As[string](t, body["access_token"]))
		if claims["aud"] != tc.aud {
			t.Errorf("%s: aud %v, want %s", tc.scope, claims["aud"], tc.aud)
		}
	}
}

// parseClaims decodes a JWT payload the way go-azure-sdk's claims.ParseClaims does (three parts, RawURLEncoding).
func parseClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token is not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAccessTokenIsAVerifiableAppOnlyJWT(t *testing.T) {
	tn := newTenant(t)
	sp, ok := tn.s.ServicePrincipalByAppID(testClient)
	if !ok {
		t.Fatal("no service principal for the test client")
	}
	spID := sandboxtest.As[string](t, sp["id"])

	// The key at jwks_uri (from the OpenID configuration) verifies the token.
	r := tn.mustStatus(tn.callWith("GET", "/"+testTenant+"/v2.0/.well-known/openid-configuration", nil, nil), 200)
	jwksURI := r.str("jwks_uri")
	keys := tn.mustStatus(tn.callWith("GET", strings.TrimPrefix(jwksURI, tn.url), nil, nil), 200)
	list, _ := keys.body["keys"].([]any)
	if len(list) != 1 {
		t.Fatalf("jwks: %s", keys.raw)
	}
	jwk := sandboxtest.As[map[string]any](t, list[0])
	n, _ := base64.RawURLEncoding.DecodeString(sandboxtest.As[string](t, jwk["n"]))
	e, _ := base64.RawURLEncoding.DecodeString(sandboxtest.As[string](t, jwk["e"]))
	parsed, err := jwt.Parse(tn.token, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != jwk["kid"] {
			t.Errorf("kid %v, jwks kid %v", tok.Header["kid"], jwk["kid"])
		}
		pub := *tn.s.SigningKey()
		pub.N = new(big.Int).SetBytes(n)
		pub.E = int(new(big.Int).SetBytes(e).Int64())
		return &pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}))
	if err != nil || !parsed.Valid {
		t.Fatalf("token does not verify with the jwks key: %v", err)
	}

	c := parseClaims(t, tn.token)
	want := map[string]any{
		"aud": "https://graph.microsoft.com", "iss": tn.url + "/" + testTenant + "/", "tid": testTenant,
		"oid": spID, "sub": spID, "appid": testClient, "idtyp": "app", "ver": "1.0", "appidacr": "1",
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	for _, k := range []string{"exp", "iat", "nbf"} {
		if _, ok := c[k].(float64); !ok {
			t.Errorf("claim %s missing: %v", k, c)
		}
	}
	roles, _ := c["roles"].([]any)
	var got []string
	for _, r := range roles {
		got = append(got, sandboxtest.As[string](t, r))
	}
	granted := tn.s.GrantedAppRoles(testClient)
	if len(granted) == 0 || !slices.Equal(got, granted) {
		t.Errorf("roles %v, want the granted permissions %v", got, granted)
	}

	// The roles claim follows the grants (permissions.go) for later tokens.
	others := sandboxtest.AllBut(granted, "Synchronization.ReadWrite.All")
	tn.s.RevokeAppRoles(testClient, others...)
	tok := tn.getToken(url.Values{"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}, "scope": {graphDefaultScope}})
	if rs := sandboxtest.As[[]any](t, parseClaims(t, tok)["roles"]); len(rs) != 1 || rs[0] != "Synchronization.ReadWrite.All" {
		t.Errorf("roles after revoking all but one permission: %v", rs)
	}
	tn.s.GrantAppRoles(testClient, others...)
	// The token maps back to its client: Graph accepts it.
	tn.mustStatus(tn.callWith("GET", "/v1.0/servicePrincipals/"+spID, nil, map[string]string{"Authorization": "Bearer " + tok}), 200)
}

func TestOwnersOfApplicationsAndServicePrincipals(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("owned app")
	sp, _ := tn.s.ServicePrincipalByAppID(testClient)
	caller := sandboxtest.As[string](t, sp["id"])
	uid, err := tn.s.AddUser(User{UserPrincipalName: "owner@sandbox.onmicrosoft.com", DisplayName: "Owner", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, owned := range []string{"/v1.0/applications/" + a.appObj, "/v1.0/servicePrincipals/" + a.spID} {
		r := tn.mustStatus(tn.call("GET", owned+"/owners", nil), 200)
		if len(r.list()) != 0 || !strings.HasSuffix(r.str("@odata.context"), "/v1.0/$metadata#directoryObjects") {
			t.Fatalf("%s owners at start: %s", owned, r.raw)
		}
		for _, id := range []string{caller, uid} {
			tn.mustStatus(tn.call("POST", owned+"/owners/$ref", map[string]any{"@odata.id": tn.url + "/v1.0/directoryObjects/" + id}), 204)
		}
		dup := tn.call("POST", owned+"/owners/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + uid})
		if dup.status != 400 || !strings.Contains(dup.errMsg(), "already exist") {
			t.Fatalf("duplicate owner: %d %s", dup.status, dup.raw)
		}
		if r := tn.call("POST", owned+"/owners/$ref", map[string]any{"@odata.id": tn.url + "/v1.0/directoryObjects/" + newGUID()}); r.status != 404 {
			t.Fatalf("unknown owner: %d %s", r.status, r.raw)
		}
		r = tn.mustStatus(tn.call("GET", owned+"/owners", nil), 200)
		if l := r.list(); len(l) != 2 || l[0]["@odata.type"] != "#microsoft.graph.servicePrincipal" || l[1]["@odata.type"] != "#microsoft.graph.user" || l[1]["id"] != uid {
			t.Fatalf("owners: %s", r.raw)
		}
		tn.mustStatus(tn.call("DELETE", owned+"/owners/"+caller+"/$ref", nil), 204)
		if r := tn.call("DELETE", owned+"/owners/"+caller+"/$ref", nil); r.status != 404 {
			t.Fatalf("removing a non-owner: %d", r.status)
		}
		if l := tn.mustStatus(tn.call("GET", owned+"/owners", nil), 200).list(); len(l) != 1 || l[0]["id"] != uid {
			t.Fatalf("owners after removal: %v", l)
		}
	}
	if r := tn.call("GET", "/v1.0/applications/"+newGUID()+"/owners", nil); r.status != 404 {
		t.Fatalf("owners of an unknown app: %d", r.status)
	}
}

func TestBetaReads(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("beta app")
	r := tn.mustStatus(tn.call("GET", "/beta/applications/"+a.appObj, nil), 200)
	if r.str("id") != a.appObj || r.body["oauth2RequirePostResponse"] != false || !strings.HasSuffix(r.str("@odata.context"), "/beta/$metadata#applications/$entity") {
		t.Fatalf("beta application: %s", r.raw)
	}
	tn.mustStatus(tn.call("PATCH", "/beta/applications/"+a.appObj, map[string]any{"oauth2RequirePostResponse": true}), 204)
	if r := tn.mustStatus(tn.call("GET", "/beta/applications/"+a.appObj, nil), 200); r.body["oauth2RequirePostResponse"] != true {
		t.Fatalf("after beta PATCH: %s", r.raw)
	}
	if r := tn.mustStatus(tn.call("GET", "/v1.0/applications/"+a.appObj, nil), 200); r.body["oauth2RequirePostResponse"] != nil {
		t.Fatalf("v1.0 must not show the beta-only property: %s", r.raw)
	}
	r = tn.mustStatus(tn.call("GET", "/beta/servicePrincipals/"+a.spID, nil), 200)
	if r.str("appId") != a.appID || !strings.HasSuffix(r.str("@odata.context"), "/beta/$metadata#servicePrincipals/$entity") {
		t.Fatalf("beta service principal: %s", r.raw)
	}
	if _, ok := r.body["samlMetadataUrl"]; !ok {
		t.Fatalf("beta service principal lacks samlMetadataUrl: %s", r.raw)
	}
	if r := tn.call("GET", "/beta/servicePrincipals/"+newGUID(), nil); r.status != 404 || r.errCode() != CodeResourceNotFound {
		t.Fatalf("unknown beta SP: %d %s", r.status, r.raw)
	}
}
