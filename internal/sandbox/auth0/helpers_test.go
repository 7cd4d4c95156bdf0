package auth0_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// allScopes are every Management API scope the tenant checks.
var allScopes = []string{
	"read:connections", "create:connections", "update:connections", "delete:connections",
	"read:scim_config", "create:scim_config", "update:scim_config", "delete:scim_config",
	"read:scim_token", "create:scim_token", "delete:scim_token",
	"read:groups", "read:group_members",
}

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 11, 6, 3, 50, 36, 919_000_000, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tenant is a sandbox tenant behind a plain HTTP test server, with an all-scopes Management API token.
type tenant struct {
	*auth0.Server
	srv   *httptest.Server
	token string
	clock *clock
}

func newTenant(t *testing.T, name string) *tenant {
	t.Helper()
	c := newClock()
	s := auth0.New(auth0.Config{TenantName: name, Now: c.Now})
	srv := httptest.NewServer(s.Router())
	t.Cleanup(srv.Close)
	s.SetDomain(strings.TrimPrefix(srv.URL, "http://"))
	return &tenant{Server: s, srv: srv, token: s.IssueToken(allScopes), clock: c}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response body %q: %v", r.body, err)
	}
	return m
}

// call sends a request with the tenant's token (or the given one when token is not empty).
func (tn *tenant) call(t *testing.T, method, path, body string, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, tn.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+tn.token)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// mustCreateConnection creates a connection through the Go API.
func (tn *tenant) mustCreateConnection(t *testing.T, body string) string {
	t.Helper()
	id, err := tn.CreateConnection([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// mustSCIMConnection creates a waad connection (waadConnectionBody) with a SCIM configuration through the Go API.
func (tn *tenant) mustSCIMConnection(t *testing.T) string {
	t.Helper()
	id := tn.mustCreateConnection(t, waadConnectionBody)
	if _, err := tn.CreateSCIMConfiguration(id, "", nil); err != nil {
		t.Fatal(err)
	}
	return id
}

// mustSCIMToken creates a SCIM token with scopes (nil: the default ones) that never expires, through the Go API.
func (tn *tenant) mustSCIMToken(t *testing.T, connectionID string, scopes []string) auth0.SCIMToken {
	t.Helper()
	tok, err := tn.CreateSCIMToken(connectionID, scopes, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const waadConnectionBody = `{"name":"entra-corp","strategy":"waad","show_as_button":true,"options":{"client_id":"123456",` +
	`"client_secret":"123456","strategy_version":2,"tenant_domain":"example.onmicrosoft.com","domain":"example.onmicrosoft.com",` +
	`"identity_api":"microsoft-identity-platform-v2.0","waad_protocol":"openid-connect","use_wsfed":false,` +
	`"useCommonEndpoint":false,"api_enable_users":true,"basic_profile":true,"ext_profile":true,"ext_groups":true,` +
	`"userid_attribute":"oid"}}`
