package scim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

const connID = "con_aaaaaaaaaaaaaaaa"

// waadMapping is the default mapping of a waad connection (the Management API serves the same rows).
var waadMapping = []scim.Mapping{
	{SCIM: "userName", Auth0: "upn"},
	{SCIM: `emails[type eq "work"].value`, Auth0: "email"},
	{SCIM: "externalId", Auth0: "app_metadata.external_id"},
	{SCIM: "active", Auth0: "blocked"},
	{SCIM: "displayName", Auth0: "name"},
	{SCIM: "name.givenName", Auth0: "given_name"},
	{SCIM: "name.familyName", Auth0: "family_name"},
	{SCIM: "nickName", Auth0: "nickname"},
	{SCIM: `phoneNumbers[type eq "mobile"].value`, Auth0: "app_metadata.mobile_phone_number"},
	{SCIM: "title", Auth0: "app_metadata.title"},
	{SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber", Auth0: "app_metadata.employee_id"},
	{SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", Auth0: "app_metadata.department"},
	{SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager", Auth0: "app_metadata.manager"},
}

// fakeTenant is a scim.Tenant with tokens keyed by secret.
type fakeTenant struct {
	mu      sync.Mutex
	configs map[string]scim.Configuration
	tokens  map[string][]string // secret → scopes
	expired map[string]bool
}

func (f *fakeTenant) Configuration(id string) (scim.Configuration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.configs[id]
	return c, ok
}

func (f *fakeTenant) Authorize(id, token string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.expired[token] {
		return nil, scim.ErrExpiredToken
	}
	scopes, ok := f.tokens[token]
	if !ok || id != connID {
		return nil, scim.ErrInvalidToken
	}
	return scopes, nil
}

var allUserScopes = []string{"get:users", "post:users", "put:users", "patch:users", "delete:users"}

type harness struct {
	t      *testing.T
	srv    *scim.Server
	url    string
	tenant *fakeTenant
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ft := &fakeTenant{
		configs: map[string]scim.Configuration{connID: {
			ConnectionName: "entra-corp", Strategy: "waad", UserIDAttribute: "externalId", Mapping: waadMapping,
		}},
		tokens:  map[string][]string{"all": allUserScopes},
		expired: map[string]bool{},
	}
	s := scim.New(ft, func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC) })
	rt := router.New(func(w http.ResponseWriter, _ *http.Request, status int, _ time.Duration) {
		scim.WriteError(w, status, "", http.StatusText(status))
	})
	s.Register(rt)
	hs := httptest.NewServer(rt)
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: s, url: hs.URL + scim.Prefix + connID, tenant: ft}
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (h *harness) do(method, path, token, body string) reply {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.body); err != nil {
			h.t.Fatalf("%s %s: body %q: %v", method, path, b, err)
		}
	}
	return r
}

// entraUser is a POST /Users body as Entra sends it.
func entraUser(userName, externalID, mail string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"` + externalID + `","userName":"` + userName + `","active":true,"displayName":"Alice Anders",` +
		`"emails":[{"primary":true,"type":"work","value":"` + mail + `"}],"name":{"givenName":"Alice","familyName":"Anders"},` +
		`"title":"Engineer","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E1","department":"Eng"}}`
}

func userPath(id string) string { return "/Users/" + url.PathEscape(id) }

func TestCreateAndGetUser(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/Users", "all", entraUser("alice@corp.example", "oid-1", "alice@corp.example"))
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	id := sandboxtest.As[string](t, r.body["id"])
	if id != "waad|entra-corp|oid-1" {
		t.Fatalf("user_id %q", id)
	}
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/Users/waad%7Centra-corp%7Coid-1") {
		t.Fatalf("Location %q", loc)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/scim+json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	p, ok := h.srv.User(connID, id)
	if !ok {
		t.Fatal("user not stored")
	}
	for name, want := range map[string]any{
		"upn": "alice@corp.example", "email": "alice@corp.example", "app_metadata.external_id": "oid-1",
		"blocked": false, "name": "Alice Anders", "given_name": "Alice", "family_name": "Anders",
		"app_metadata.title": "Engineer", "app_metadata.employee_id": "E1", "app_metadata.department": "Eng",
	} {
		if got, _ := p.Get(name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}

	r = h.do("GET", userPath(id), "all", "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	want := `{"active":true,"displayName":"Alice Anders","emails":[{"type":"work","value":"alice@corp.example"}],` +
		`"externalId":"oid-1","id":"waad|entra-corp|oid-1","meta":{"created":"2026-01-02T03:04:05.006Z",` +
		`"lastModified":"2026-01-02T03:04:05.006Z","location":"` + h.url + `/Users/waad%7Centra-corp%7Coid-1","resourceType":"User"},` +
		`"name":{"familyName":"Anders","givenName":"Alice"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"title":"Engineer",` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Eng","employeeNumber":"E1"},"userName":"alice@corp.example"}`
	if got, _ := json.Marshal(r.body); string(got) != want {
		t.Fatalf("resource:\n%s\nwant\n%s", got, want)
	}
	if r := h.do("GET", "/Users/waad|entra-corp|oid-1", "all", ""); r.status != 200 {
		t.Fatalf("unescaped id: %d", r.status)
	}
	if r := h.do("GET", userPath("waad|entra-corp|nobody"), "all", ""); r.status != 404 ||
		r.body["status"] != "404" || sandboxtest.As[[]any](t, r.body["schemas"])[0] != scim.ErrorSchema {
		t.Fatalf("unknown user: %d %s", r.status, r.raw)
	}

	for _, tc := range []struct {
		name, body string
		status     int
		scimType   string
	}{
		{"same userName, other case", entraUser("ALICE@corp.example", "oid-2", "x@corp.example"), 409, "uniqueness"},
		{"same externalId", entraUser("other@corp.example", "oid-1", "x@corp.example"), 409, "uniqueness"},
		{"no userName", `{"externalId":"oid-3"}`, 400, "invalidValue"},
		{"no externalId", `{"userName":"u3@corp.example"}`, 400, "invalidValue"},
		{"not JSON", `{`, 400, "invalidSyntax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", "/Users", "all", tc.body)
			if r.status != tc.status || r.body["scimType"] != tc.scimType {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
}

func TestListUsers(t *testing.T) {
	h := newHarness(t)
	for i, n := range []string{"a", "b", "c"} {
		r := h.do("POST", "/Users", "all", entraUser(n+"@corp.example", "oid-"+n, n+"@corp.example"))
		if r.status != 201 {
			t.Fatalf("#%d: %d %s", i, r.status, r.raw)
		}
	}
	if err := h.srv.AddUser(connID, scim.Profile{"user_id": "waad|entra-corp|legacy", "email": "legacy@corp.example"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query               string
		total, start, items int
		first               string
	}{
		{"", 4, 1, 4, "waad|entra-corp|oid-a"},
		{"?startIndex=2&count=2", 4, 2, 2, "waad|entra-corp|oid-b"},
		{"?startIndex=9", 4, 9, 0, ""},
		{"?count=0", 4, 1, 0, ""},
		{"?filter=" + url.QueryEscape(`userName eq "b@corp.example"`), 1, 1, 1, "waad|entra-corp|oid-b"},
		{"?filter=" + url.QueryEscape(`externalId eq "oid-c"`), 1, 1, 1, "waad|entra-corp|oid-c"},
		{"?filter=" + url.QueryEscape(`externalId eq "unknown"`), 0, 1, 0, ""},
		{"?filter=" + url.QueryEscape(`emails[type eq "work"].value eq "legacy@corp.example"`), 1, 1, 1, "waad|entra-corp|legacy"},
		{"?filter=" + url.QueryEscape(`userName eq "a@corp.example" or userName eq "c@corp.example"`), 2, 1, 2, "waad|entra-corp|oid-a"},
		{"?filter=" + url.QueryEscape(`userName eq "a@corp.example" and externalId eq "oid-b"`), 0, 1, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := h.do("GET", "/Users"+tc.query, "all", "")
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if !strings.HasPrefix(r.raw, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":`) {
				t.Fatalf("shape: %s", r.raw)
			}
			res := sandboxtest.As[[]any](t, r.body["Resources"])
			if int(sandboxtest.As[float64](t, r.body["totalResults"])) != tc.total || int(sandboxtest.As[float64](t, r.body["startIndex"])) != tc.start ||
				int(sandboxtest.As[float64](t, r.body["itemsPerPage"])) != tc.items || len(res) != tc.items {
				t.Fatalf("paging: %s", r.raw)
			}
			if tc.first != "" && sandboxtest.As[map[string]any](t, res[0])["id"] != tc.first {
				t.Fatalf("first %v", res[0])
			}
		})
	}
	r := h.do("GET", "/Users?filter="+url.QueryEscape(`userName sw "a"`), "all", "")
	if r.status != 400 || r.body["scimType"] != "invalidFilter" {
		t.Fatalf("unsupported operator: %d %s", r.status, r.raw)
	}
}

func TestReplaceAndDeleteUser(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/Users", "all", entraUser("alice@corp.example", "oid-1", "alice@corp.example"))
	id := sandboxtest.As[string](t, r.body["id"])
	h.do("POST", "/Users", "all", entraUser("bob@corp.example", "oid-2", "bob@corp.example"))

	r = h.do("PUT", userPath(id), "all", `{"userName":"alice2@corp.example","externalId":"oid-1","active":false,"name":{"givenName":"Al"}}`)
	if r.status != 200 || r.body["userName"] != "alice2@corp.example" || r.body["active"] != false {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	p, _ := h.srv.User(connID, id)
	if _, ok := p.Get("family_name"); ok {
		t.Error("PUT must remove mapped attributes it does not send")
	}
	if v, _ := p.Get("blocked"); v != true {
		t.Errorf("blocked = %v", v)
	}
	if v, _ := p.Get("given_name"); v != "Al" {
		t.Errorf("given_name = %v", v)
	}
	if r := h.do("PUT", userPath(id), "all", `{"userName":"BOB@corp.example","externalId":"oid-1"}`); r.status != 409 {
		t.Fatalf("PUT to a taken userName: %d %s", r.status, r.raw)
	}
	if r := h.do("DELETE", userPath(id), "all", ""); r.status != 204 || r.raw != "" {
		t.Fatalf("DELETE: %d %s", r.status, r.raw)
	}
	if r := h.do("DELETE", userPath(id), "all", ""); r.status != 404 {
		t.Fatalf("second DELETE: %d", r.status)
	}
	if r := h.do("PUT", userPath(id), "all", `{"userName":"x"}`); r.status != 404 {
		t.Fatalf("PUT of a deleted user: %d", r.status)
	}
}

func TestAuthorization(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/Users", "all", entraUser("alice@corp.example", "oid-1", "alice@corp.example"))
	user := userPath(sandboxtest.As[string](t, r.body["id"]))
	h.tenant.expired["old"] = true

	ops := []struct{ method, path, scope, body string }{
		{"GET", "/Users", "get:users", ""},
		{"GET", user, "get:users", ""},
		{"POST", "/Users", "post:users", entraUser("b@corp.example", "oid-b", "b@corp.example")},
		{"PUT", user, "put:users", `{"userName":"alice@corp.example","externalId":"oid-1"}`},
		{"PATCH", user, "patch:users", `{"Operations":[{"op":"replace","path":"title","value":"x"}]}`},
		{"DELETE", user, "delete:users", ""},
	}
	for _, op := range ops {
		t.Run(op.method+" "+op.path, func(t *testing.T) {
			// Every other scope is not enough.
			others := sandboxtest.AllBut(allUserScopes, op.scope)
			h.tenant.tokens["partial"] = others
			r := h.do(op.method, op.path, "partial", op.body)
			want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"403","detail":"Insufficient scope, expected any of: ` + op.scope + `"}`
			if r.status != 403 || r.raw != want {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			for _, tc := range []struct {
				token, detail string
			}{{"", "Missing bearer token"}, {"nope", "Invalid token"}, {"old", "Expired token"}} {
				r := h.do(op.method, op.path, tc.token, op.body)
				if r.status != 401 || r.body["detail"] != tc.detail || r.body["status"] != "401" {
					t.Fatalf("token %q: %d %s", tc.token, r.status, r.raw)
				}
			}
			h.tenant.tokens["only"] = []string{op.scope}
			if r := h.do(op.method, op.path, "only", op.body); r.status >= 400 {
				t.Fatalf("with %s: %d %s", op.scope, r.status, r.raw)
			}
		})
	}

	// No SCIM configuration: 404 whatever the token.
	delete(h.tenant.configs, connID)
	if r := h.do("GET", "/Users", "all", ""); r.status != 404 || r.body["detail"] != "SCIM is not enabled for this connection" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}

func TestDiscovery(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/ServiceProviderConfig", "/Schemas", "/ResourceTypes"} {
		r := h.do("GET", p, "all", "")
		if r.status != 200 || r.body["schemas"] == nil {
			t.Errorf("%s: %d %s", p, r.status, r.raw)
		}
		if r := h.do("GET", p, "", ""); r.status != 401 {
			t.Errorf("%s without a token: %d", p, r.status)
		}
	}
}

func TestGoAPI(t *testing.T) {
	h := newHarness(t)
	if err := h.srv.AddUser(connID, scim.Profile{"email": "x"}); err == nil {
		t.Fatal("AddUser without user_id")
	}
	p := scim.Profile{"user_id": "waad|entra-corp|x", "email": "x@corp.example", "app_metadata": map[string]any{"external_id": "x"}}
	if err := h.srv.AddUser(connID, p); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.AddUser(connID, p); err == nil {
		t.Fatal("duplicate user_id")
	}
	if err := h.srv.UpdateUser(connID, "waad|entra-corp|x", func(p scim.Profile) { p.Set("blocked", true) }); err != nil {
		t.Fatal(err)
	}
	res, err := h.srv.Resource(connID, "waad|entra-corp|x")
	if err != nil || res["active"] != false || res["externalId"] != "x" {
		t.Fatalf("%v %v", err, res)
	}
	users := h.srv.Users(connID)
	if len(users) != 1 || users[0]["created_at"] == nil {
		t.Fatalf("%v", users)
	}
	users[0]["email"] = "mutated"
	if u, _ := h.srv.User(connID, "waad|entra-corp|x"); u["email"] != "x@corp.example" {
		t.Fatal("Users must return copies")
	}
	h.srv.DeleteConnection(connID)
	if len(h.srv.Users(connID)) != 0 {
		t.Fatal("DeleteConnection")
	}
}

func TestUnknownSCIMRoute(t *testing.T) {
	h := newHarness(t)
	r := h.do("GET", "/Bulk", "all", "")
	if r.status != 404 || r.body["status"] != "404" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}
