package auth0client_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/tlsca"
)

// testCA signs every test server's certificate; the process trusts it through SSL_CERT_FILE, the way users trust
// the sandbox, so the client under test runs with the system certificate pool exactly as in production.
var testCA *tlsca.CA

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "auth0client-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testCA, err = tlsca.New()
	if err == nil {
		err = testCA.WriteFiles(filepath.Join(dir, "ca.pem"), "")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = os.Setenv("SSL_CERT_FILE", filepath.Join(dir, "ca.pem"))
	_ = os.Unsetenv("SSL_CERT_DIR")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// fakeTenant is a minimal Auth0 tenant on the sandbox's router (so the router's fault injection, counters and
// request log apply) with a 429 writer that sends Auth0's rate-limit headers and records the reset it announced.
type fakeTenant struct {
	rt     *router.Router
	domain string

	clientID, clientSecret string

	mu     sync.Mutex
	resets []time.Time // X-RateLimit-Reset of each 429, in order
}

const (
	testConnID = "con_AbCdEfGh12345678"
	testToken  = "sandbox-access-token"
)

func startFakeTenant(t *testing.T) *fakeTenant {
	t.Helper()
	f := &fakeTenant{clientID: "test-client-id", clientSecret: "test-client-secret-do-not-log"}
	f.rt = router.New(f.writeError)
	f.rt.Handle("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			_ = r.ParseForm()
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != f.clientID || secret != f.clientSecret {
			router.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "access_denied", "error_description": "Unauthorized"})
			return
		}
		router.WriteJSON(w, http.StatusOK, map[string]any{"access_token": testToken, "expires_in": 86400, "token_type": "Bearer"})
	})
	authorized := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				router.WriteJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "error": "Unauthorized", "message": "Invalid token"})
				return
			}
			h(w, r)
		}
	}
	conn := func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != testConnID {
			router.WriteJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "error": "Not Found", "message": "The connection does not exist", "errorCode": "inexistent_connection"})
			return
		}
		router.WriteJSON(w, http.StatusOK, map[string]any{"id": testConnID, "name": "corp", "strategy": "waad",
			"options": map[string]any{"client_secret": "oidc-secret", "userid_attribute": "sub", "useCommonEndpoint": false, "waad_common_endpoint": false, "strategy_version": 2}})
	}
	f.rt.Handle("GET /api/v2/connections/{id}", authorized(conn))
	f.rt.Handle("PATCH /api/v2/connections/{id}", authorized(conn))
	f.rt.Handle("GET /api/v2/connections/{id}/scim-configuration", authorized(func(w http.ResponseWriter, r *http.Request) {
		router.WriteJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "error": "Not Found", "message": "Not Found"})
	}))
	f.rt.Handle("POST /api/v2/connections/{id}/scim-configuration", authorized(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"tenant_name":"sandbox","connection_id":"` + testConnID + `","connection_name":"corp","strategy":"waad","mapping":[{"scim":"userName","auth0":"upn"}],"updated_on":"2025-11-06T03:50:36.919Z","created_at":"2025-11-06T03:50:36.919Z","user_id_attribute":"externalId"}`))
	}))
	f.rt.Handle("POST /api/v2/connections/{id}/scim-configuration/tokens", authorized(func(w http.ResponseWriter, r *http.Request) {
		router.WriteJSON(w, http.StatusCreated, map[string]any{"token_id": "tok_AbCdEfGh12345678", "token": "tok_AbCdEfGh12345678.secret", "scopes": []string{"get:users"}, "created_at": "2025-11-06T03:50:37.836Z"})
	}))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := testCA.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: f.rt, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(tls.NewListener(ln, cfg)) }()
	t.Cleanup(func() { _ = srv.Close() })
	f.domain = ln.Addr().String()
	return f
}

// writeError answers like Auth0: its error body, and for 429 the rate-limit headers with an epoch reset.
func (f *fakeTenant) writeError(w http.ResponseWriter, _ *http.Request, status int, retryAfter time.Duration) {
	if status == http.StatusTooManyRequests {
		reset := time.Unix(int64(math.Ceil(float64(time.Now().Add(retryAfter).UnixNano())/1e9)), 0)
		f.mu.Lock()
		f.resets = append(f.resets, reset)
		f.mu.Unlock()
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		router.WriteJSON(w, status, map[string]any{"statusCode": status, "error": "Too Many Requests", "message": "Global limit has been reached", "errorCode": "too_many_requests"})
		return
	}
	router.WriteJSON(w, status, map[string]any{"statusCode": status, "error": http.StatusText(status), "message": http.StatusText(status)})
}

func (f *fakeTenant) announcedResets() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.resets...)
}

// client builds a client for the fake tenant with the given retry policy.
func (f *fakeTenant) client(t *testing.T, p auth0client.RetryPolicy) *auth0client.Client {
	t.Helper()
	c, err := auth0client.New(context.Background(), auth0client.Config{
		Domain: f.domain, ClientID: f.clientID, ClientSecret: f.clientSecret, UserAgent: "terraform-provider-auth0entra/test", Retry: p,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("request body %q is not JSON: %v", b, err)
	}
	return m
}
