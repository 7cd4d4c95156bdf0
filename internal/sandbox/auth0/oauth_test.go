package auth0_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

func TestOAuthToken(t *testing.T) {
	tn := newTenant(t, "sandbox")
	tn.AddClient("cid", "c:s/ecret", []string{"read:connections", "read:scim_config"})
	audience := "https://" + tn.Domain() + "/api/v2/"
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
	}
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const formType = "application/x-www-form-urlencoded"
	tests := []struct {
		name        string
		body        string
		contentType string
		auth        string
		status      int
		wantBody    string
		wantScope   string
	}{
		{"basic auth", form("grant_type", "client_credentials", "audience", audience), formType,
			basic("cid", "c:s/ecret"), 200, "", "read:connections read:scim_config"},
		{"form credentials", form("grant_type", "client_credentials", "audience", audience, "client_id", "cid", "client_secret", "c:s/ecret"),
			formType, "", 200, "", "read:connections read:scim_config"},
		{"json body", `{"grant_type":"client_credentials","audience":"` + audience + `","client_id":"cid","client_secret":"c:s/ecret"}`,
			"application/json", "", 200, "", "read:connections read:scim_config"},
		{"scope narrows", form("grant_type", "client_credentials", "audience", audience, "scope", "read:scim_config delete:connections"),
			formType, basic("cid", "c:s/ecret"), 200, "", "read:scim_config"},
		{"wrong secret", form("grant_type", "client_credentials", "audience", audience), formType,
			basic("cid", "nope"), 401, `{"error":"access_denied","error_description":"Unauthorized"}`, ""},
		{"unknown client", form("grant_type", "client_credentials", "audience", audience, "client_id", "x", "client_secret", "y"),
			formType, "", 401, `{"error":"access_denied","error_description":"Unauthorized"}`, ""},
		{"wrong audience", form("grant_type", "client_credentials", "audience", "https://elsewhere/api/v2/"), formType,
			basic("cid", "c:s/ecret"), 403, `{"error":"access_denied","error_description":"Service not enabled within domain: https://elsewhere/api/v2/"}`, ""},
		{"other grant", form("grant_type", "password", "audience", audience), formType, basic("cid", "c:s/ecret"), 403, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tn.call(t, http.MethodPost, "/oauth/token", tc.body, map[string]string{"Content-Type": tc.contentType, "Authorization": tc.auth})
			if got.status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			if tc.wantBody != "" && string(got.body) != tc.wantBody {
				t.Fatalf("body %s, want %s", got.body, tc.wantBody)
			}
			if tc.status != 200 {
				return
			}
			var tok struct {
				AccessToken string `json:"access_token"`
				ExpiresIn   int    `json:"expires_in"`
				Scope       string `json:"scope"`
				TokenType   string `json:"token_type"`
			}
			if err := json.Unmarshal(got.body, &tok); err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" || tok.ExpiresIn != 86400 || tok.TokenType != "Bearer" || tok.Scope != tc.wantScope {
				t.Fatalf("token response %s", got.body)
			}
			if !strings.HasPrefix(string(got.body), `{"access_token":`) {
				t.Fatalf("key order: %s", got.body)
			}
			// The token works on the Management API within its scopes.
			r := tn.call(t, http.MethodGet, "/api/v2/connections/con_aaaaaaaaaaaaaaaa/scim-configuration", "",
				map[string]string{"Authorization": "Bearer " + tok.AccessToken})
			if r.status != 404 {
				t.Fatalf("using the token: %d %s", r.status, r.body)
			}
		})
	}
}

func TestManagementAuth(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	const invalid = `{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}`
	expiring := tn.IssueTokenWithLifetime(allScopes, time.Minute)
	tn.clock.Advance(2 * time.Minute)

	for _, tc := range []struct{ name, auth string }{
		{"no header", ""},
		{"not bearer", "Basic abc"},
		{"unknown token", "Bearer nope"},
		{"expired token", "Bearer " + expiring},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tn.call(t, http.MethodGet, "/api/v2/connections/"+id, "", map[string]string{"Authorization": tc.auth})
			if got.status != 401 || string(got.body) != invalid {
				t.Fatalf("%d %s", got.status, got.body)
			}
			if got.header.Get("Content-Type") != "application/json; charset=utf-8" || got.header.Get("x-ratelimit-limit") == "" {
				t.Fatalf("headers %v", got.header)
			}
		})
	}

	// Every route demands its scope.
	routes := []struct{ method, path, scope string }{
		{"GET", "/api/v2/connections", "read:connections"},
		{"POST", "/api/v2/connections", "create:connections"},
		{"GET", "/api/v2/connections/" + id, "read:connections"},
		{"PATCH", "/api/v2/connections/" + id, "update:connections"},
		{"DELETE", "/api/v2/connections/" + id, "delete:connections"},
		{"GET", "/api/v2/connections/" + id + "/scim-configuration", "read:scim_config"},
		{"POST", "/api/v2/connections/" + id + "/scim-configuration", "create:scim_config"},
		{"PATCH", "/api/v2/connections/" + id + "/scim-configuration", "update:scim_config"},
		{"DELETE", "/api/v2/connections/" + id + "/scim-configuration", "delete:scim_config"},
		{"GET", "/api/v2/connections/" + id + "/scim-configuration/default-mapping", "read:scim_config"},
		{"GET", "/api/v2/connections-scim-configurations", "read:scim_config"},
		{"GET", "/api/v2/connections/" + id + "/scim-configuration/tokens", "read:scim_token"},
		{"POST", "/api/v2/connections/" + id + "/scim-configuration/tokens", "create:scim_token"},
		{"DELETE", "/api/v2/connections/" + id + "/scim-configuration/tokens/tok_aaaaaaaaaaaaaaaa", "delete:scim_token"},
	}
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			others := sandboxtest.AllBut(allScopes, r.scope)
			tok := tn.IssueToken(others)
			got := tn.call(t, r.method, r.path, "", map[string]string{"Authorization": "Bearer " + tok})
			want := `{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: ` + r.scope + `","errorCode":"insufficient_scope"}`
			if got.status != 403 || string(got.body) != want {
				t.Fatalf("%d %s", got.status, got.body)
			}
		})
	}
}

func TestRateLimitHeadersAndFaults(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	now := tn.clock.Now()

	got := tn.call(t, "GET", "/api/v2/connections/"+id, "", nil)
	if got.header.Get("x-ratelimit-limit") != "50" || got.header.Get("x-ratelimit-remaining") == "" ||
		got.header.Get("x-ratelimit-reset") != strconv.FormatInt(now.Unix()+1, 10) {
		t.Fatalf("rate-limit headers: %v", got.header)
	}

	tn.Router().Inject(router.Fault{Route: "GET /api/v2/connections/{id}", Status: 429, RetryAfter: 1500 * time.Millisecond, Times: 1})
	got = tn.call(t, "GET", "/api/v2/connections/"+id, "", nil)
	if got.status != 429 ||
		string(got.body) != `{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}` {
		t.Fatalf("429: %d %s", got.status, got.body)
	}
	// now is 03:50:36.919; +1.5 s is 03:50:38.419, rounded up to 03:50:39.
	if got.header.Get("x-ratelimit-reset") != strconv.FormatInt(now.Unix()+3, 10) || got.header.Get("x-ratelimit-remaining") != "0" {
		t.Fatalf("429 headers: %v", got.header)
	}
	if got = tn.call(t, "GET", "/api/v2/connections/"+id, "", nil); got.status != 200 {
		t.Fatalf("fault did not clear: %d", got.status)
	}

	tn.Router().Inject(router.Fault{Route: "*", Status: 503, Times: 2})
	got = tn.call(t, "GET", "/api/v2/connections/"+id, "", nil)
	if got.status != 503 || string(got.body) != `{"statusCode":503,"error":"Service Unavailable","message":"Service Unavailable"}` {
		t.Fatalf("503: %d %s", got.status, got.body)
	}
	got = tn.call(t, "GET", "/scim/v2/connections/"+id+"/Users", "", nil)
	if got.status != 503 || !strings.Contains(string(got.body), `"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503"`) {
		t.Fatalf("503 on a SCIM route: %d %s", got.status, got.body)
	}
	if n := tn.Router().Count("GET /api/v2/connections/{id}"); n != 4 {
		t.Fatalf("counter %d", n)
	}

	got = tn.call(t, "GET", "/api/v2/nothing-here", "", nil)
	if got.status != 404 || string(got.body) != `{"statusCode":404,"error":"Not Found","message":"Not Found"}` {
		t.Fatalf("unknown route: %d %s", got.status, got.body)
	}
}
