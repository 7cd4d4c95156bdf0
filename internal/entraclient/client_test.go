package entraclient_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// These tests run the real azidentity and msgraph-sdk-go code against the in-process sandbox over HTTPS (trusted
// through SSL_CERT_FILE, set by acctest.Main).

func TestMain(m *testing.M) { acctest.Main(m) }

func newClient(t *testing.T, sb *sandbox.Sandbox) *entraclient.Client {
	t.Helper()
	c, err := entraclient.New(context.Background(), entraclient.Config{
		TenantID: sb.EntraTenantID, ClientID: sb.EntraClientID, ClientSecret: sb.EntraClientSecret,
		AuthorityHost: sb.EntraURL + "/", GraphURL: sb.EntraURL + "/v1.0", UserAgent: "terraform-provider-auth0entra/test",
	})
	if err != nil {
		t.Fatal(err)
	}
	c.PollMin, c.PollMax = 100*time.Millisecond, 500*time.Millisecond
	return c
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// The Graph host of an override gets the token (the SDK's default allowed hosts would send none), the scope is
// Microsoft Graph's, and the login uses the overridden authority without instance discovery.
func TestTokenSentToOverriddenGraphHost(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	if c.Scope() != "https://graph.microsoft.com/.default" {
		t.Errorf("scope = %s", c.Scope())
	}
	app, err := c.FindApplicationByAppID(testContext(t, time.Minute), sb.Seed.OIDCAppID)
	if err != nil {
		t.Fatal(err)
	}
	if app == nil || app.AppID != sb.Seed.OIDCAppID {
		t.Fatalf("FindApplicationByAppID = %+v", app)
	}
	reqs := sb.Entra.Router().Requests("GET /v1.0/applications")
	if len(reqs) == 0 {
		t.Fatal("no request reached GET /v1.0/applications")
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("request without a bearer token: %v", r.Header)
		}
		if !strings.Contains(r.Header.Get("User-Agent"), "terraform-provider-auth0entra/test") {
			t.Errorf("User-Agent = %q", r.Header.Get("User-Agent"))
		}
	}
	if sb.Entra.Router().Count("GET /{tenant}/v2.0/.well-known/openid-configuration") == 0 || sb.Entra.Router().Count("POST /{tenant}/oauth2/v2.0/token") == 0 {
		t.Errorf("azidentity did not use the overridden authority: %v", sb.Entra.Counters())
	}
	tok := sb.Entra.Router().Requests("POST /{tenant}/oauth2/v2.0/token")[0]
	if !strings.Contains(string(tok.Body), "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default") {
		t.Errorf("token request scope: %s", tok.Body)
	}
	missing, err := c.FindApplicationByAppID(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000001")
	if err != nil || missing != nil {
		t.Errorf("absent app: %+v, %v", missing, err)
	}
}

// The whole Entra half through the client, with replication lag, an /instantiate that answers 404 after creating
// the objects, and throttling.
func TestEnterpriseAppLifecycle(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	ctx := testContext(t, 3*time.Minute)
	sb.Entra.SetReplicationLag(1500 * time.Millisecond)
	sb.Entra.SetInstantiateNotFound(1)
	sb.Entra.Router().Inject(router.Fault{Route: "POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo", Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1})

	app, err := c.CreateEnterpriseApp(ctx, "Auth0 SCIM (client test)")
	if err != nil {
		t.Fatal(err)
	}
	if app.Application.DisplayName != "Auth0 SCIM (client test)" || app.ServicePrincipal.ID == "" {
		t.Fatalf("app = %+v", app)
	}
	if got, _ := sb.Entra.Application(app.Application.ObjectID); got["displayName"] != "Auth0 SCIM (client test)" {
		t.Errorf("application not renamed: %v", got["displayName"])
	}
	role, ok := app.ServicePrincipal.RoleByDisplayName("User")
	if !ok {
		t.Fatalf("no User role in %+v", app.ServicePrincipal.AppRoles)
	}

	spID := app.ServicePrincipal.ID
	if _, err := c.AssignAppRole(ctx, spID, role.ID, sb.Seed.GroupID); err != nil {
		t.Fatal(err)
	}
	if n := sb.Entra.Router().Count("POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo"); n < 2 {
		t.Errorf("the 429 was not retried: %d requests", n)
	}
	if as := sb.Entra.Assignments(spID); len(as) != 1 || as[0].PrincipalID != sb.Seed.GroupID {
		t.Errorf("assignments = %+v", as)
	}

	job, err := c.CreateJob(ctx, spID, entraclient.SCIMTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(job.ID, "scim.") || job.Enabled() {
		t.Errorf("job = %+v", job)
	}

	// A SCIM endpoint and token on the Auth0 side.
	if _, err := sb.Auth0.CreateSCIMConfiguration(sb.Seed.ConnectionID, "externalId", nil); err != nil {
		t.Fatal(err)
	}
	tok, err := sb.Auth0.CreateSCIMToken(sb.Seed.ConnectionID, []string{"get:users", "patch:users", "delete:users"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	tenantURL := sb.Auth0.SCIMEndpoint(sb.Seed.ConnectionID) + "?aadOptscim062020"

	err = c.ValidateCredentials(ctx, spID, job.ID, []entraclient.Secret{{Key: "BaseAddress", Value: tenantURL}, {Key: "SecretToken", Value: "not-a-token"}})
	e := entraclient.AsError(err)
	if e == nil || e.StatusCode != http.StatusBadRequest || e.Code == "" || e.Message == "" {
		t.Fatalf("validateCredentials with a bad token: %v", err)
	}
	creds := []entraclient.Secret{{Key: "BaseAddress", Value: tenantURL}, {Key: "SecretToken", Value: tok.Token}}
	if err := c.ValidateCredentials(ctx, spID, job.ID, creds); err != nil {
		t.Fatal(err)
	}
	if err := c.PutSecrets(ctx, spID, append(creds, entraclient.Secret{Key: "SyncAll", Value: "false"})); err != nil {
		t.Fatal(err)
	}
	put := sb.Entra.Router().Requests("PUT /v1.0/servicePrincipals/{id}/synchronization/secrets")
	if len(put) == 0 || !strings.Contains(string(put[len(put)-1].Body), `"key":"BaseAddress"`) || !strings.Contains(string(put[len(put)-1].Body), `"key":"SecretToken"`) {
		t.Errorf("secrets PUT body without PascalCase keys: %s", put[len(put)-1].Body)
	}
	secrets, err := c.GetSecrets(ctx, spID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s.Key == "SecretToken" && !entraclient.IsMasked(s.Value) {
			t.Errorf("token read back in clear")
		}
		if s.Key == "BaseAddress" && s.Value != tenantURL {
			t.Errorf("BaseAddress = %q", s.Value)
		}
	}

	if err := c.StartJob(ctx, spID, job.ID); err != nil {
		t.Fatal(err)
	}
	if j, err := c.GetJob(ctx, spID, job.ID); err != nil || !j.Enabled() || j.Quarantined() {
		t.Fatalf("job after start: %+v, %v", j, err)
	}

	// The schema round trip: GET raw, PUT the same bytes (with PUT, never PATCH), and flowTypes survives.
	raw, err := c.GetSchema(ctx, spID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"flowTypes":"Add, Update, Delete"`) {
		t.Fatalf("unexpected schema: %.300s", raw)
	}
	if err := c.PutSchema(ctx, spID, job.ID, raw); err != nil {
		t.Fatal(err)
	}
	if n := sb.Entra.Router().Count("PATCH /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema"); n != 0 {
		t.Errorf("schema written with PATCH %d times", n)
	}
	again, err := c.GetSchema(ctx, spID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, raw, again) {
		t.Error("the schema changed in a GET/PUT/GET round trip")
	}
	if tmpl, err := c.GetTemplateSchema(ctx, spID, entraclient.SCIMTemplateID); err != nil || !strings.Contains(string(tmpl), "synchronizationRules") {
		t.Errorf("template schema: %v", err)
	}

	if err := c.DeleteJob(ctx, spID, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteApplication(ctx, app.Application.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, ok := sb.Entra.ServicePrincipal(spID); ok {
		t.Error("the service principal survived its application")
	}
}

// Retry-After longer than what is left of the operation: the client gives up at once with the throttling error.
func TestThrottlingBoundedByDeadline(t *testing.T) {
	sb := acctest.Sandbox(t)
	c := newClient(t, sb)
	if _, err := c.GetServicePrincipal(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000000"); !entraclient.IsNotFound(err) {
		t.Fatalf("warm-up: %v", err)
	}
	sb.Entra.Router().Inject(router.Fault{Route: "GET /v1.0/servicePrincipals/{id}", Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Second})
	start := time.Now()
	_, err := c.GetServicePrincipal(testContext(t, 2*time.Second), "00000000-0000-0000-0000-000000000000")
	if entraclient.StatusCode(err) != http.StatusTooManyRequests {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("waited %s although Retry-After exceeded the deadline", d)
	}

	sb.Entra.Router().ClearFaults()
	sb.Entra.Router().Inject(router.Fault{Route: "GET /v1.0/servicePrincipals/{id}", Status: http.StatusServiceUnavailable, RetryAfter: time.Second, Times: 2})
	before := sb.Entra.Router().Count("GET /v1.0/servicePrincipals/{id}")
	if _, err := c.GetServicePrincipal(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000000"); !entraclient.IsNotFound(err) {
		t.Fatalf("after two 503s: %v", err)
	}
	if n := sb.Entra.Router().Count("GET /v1.0/servicePrincipals/{id}") - before; n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

// A Graph error body without error.message (which makes ODataError.Error() panic) becomes a readable error.
func TestThinErrorBodyDoesNotPanic(t *testing.T) {
	sb := acctest.Sandbox(t)
	tlsCfg, err := sb.CA.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"error":{"code":"OnlyCode"}}`))
	}), TLSConfig: tlsCfg, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })

	c, err := entraclient.New(context.Background(), entraclient.Config{
		TenantID: sb.EntraTenantID, ClientID: sb.EntraClientID, ClientSecret: sb.EntraClientSecret,
		AuthorityHost: sb.EntraURL + "/", GraphURL: "https://" + ln.Addr().String() + "/v1.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetServicePrincipal(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000000")
	e := entraclient.AsError(err)
	if e == nil || e.StatusCode != http.StatusConflict || e.Code != "OnlyCode" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "HTTP 409 OnlyCode") {
		t.Errorf("Error() = %q", err.Error())
	}
}

// Wrong client credentials fail with an authentication error, not a Graph one.
func TestAuthenticationFailure(t *testing.T) {
	sb := acctest.Sandbox(t)
	c, err := entraclient.New(context.Background(), entraclient.Config{
		TenantID: sb.EntraTenantID, ClientID: sb.EntraClientID, ClientSecret: "wrong",
		AuthorityHost: sb.EntraURL + "/", GraphURL: sb.EntraURL + "/v1.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetServicePrincipal(testContext(t, time.Minute), "00000000-0000-0000-0000-000000000000")
	if e := entraclient.AsError(err); e == nil || !e.Auth {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error repeats the secret: %v", err)
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// fakeJWT is a well-formed, unsigned-looking JWT (the sandbox does not verify signatures, only iss, sub and exp).
func fakeJWT(iss, sub string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now().Unix()
	return enc(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." +
		enc(map[string]any{"iss": iss, "sub": sub, "aud": "api://AzureADTokenExchange", "iat": now, "nbf": now, "exp": now + 600}) +
		"." + base64.RawURLEncoding.EncodeToString([]byte("signature"))
}

// Every credential kind except the Azure CLI and managed identity (which need a machine identity) gets a token
// from the sandbox and reaches Graph.
func TestCredentials(t *testing.T) {
	sb := acctest.Sandbox(t)
	const iss, sub = "https://token.actions.githubusercontent.com", "repo:example/infra:environment:prod"
	if err := sb.Entra.AddFederatedCredential(sb.EntraClientID, iss, sub); err != nil {
		t.Fatal(err)
	}
	idToken := fakeJWT(iss, sub)

	// A GitHub Actions-like OIDC token endpoint.
	tlsCfg, err := sb.CA.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	var sawAudience string
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer request-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		sawAudience = r.URL.Query().Get("audience")
		_ = json.NewEncoder(w).Encode(map[string]any{"count": 1, "value": idToken})
	}), TLSConfig: tlsCfg, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })

	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(idToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	certPEM := selfSignedPEM(t)

	base := entraclient.Config{TenantID: sb.EntraTenantID, ClientID: sb.EntraClientID, AuthorityHost: sb.EntraURL + "/", GraphURL: sb.EntraURL + "/v1.0"}
	cases := map[string]func(*entraclient.Config){
		"certificate PEM":    func(c *entraclient.Config) { c.ClientCertificate = string(certPEM) },
		"certificate base64": func(c *entraclient.Config) { c.ClientCertificate = base64.StdEncoding.EncodeToString(certPEM) },
		"oidc token":         func(c *entraclient.Config) { c.UseOIDC, c.OIDCToken = true, idToken },
		"oidc token file":    func(c *entraclient.Config) { c.UseOIDC, c.OIDCTokenFilePath = true, tokenFile },
		"oidc request (actions)": func(c *entraclient.Config) {
			c.UseOIDC, c.OIDCRequestURL, c.OIDCRequestToken = true, "https://"+ln.Addr().String()+"/token?api-version=2.0", "request-token"
		},
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base
			set(&cfg)
			c, err := entraclient.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.FindApplicationByAppID(testContext(t, time.Minute), sb.Seed.OIDCAppID); err != nil {
				t.Fatal(err)
			}
		})
	}
	if sawAudience != "api://AzureADTokenExchange" {
		t.Errorf("audience requested from the OIDC endpoint = %q", sawAudience)
	}
}

func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "terraform"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})...)
}
