package auth0_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auth0/go-auth0"
	"github.com/auth0/go-auth0/management"
	"golang.org/x/oauth2"

	sandboxauth0 "github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/tlsca"
)

// tlsTenant serves a tenant over HTTPS with a sandbox CA and returns it with an HTTP client trusting the CA.
func tlsTenant(t *testing.T) (*sandboxauth0.Server, string, *http.Client) {
	t.Helper()
	ca, err := tlsca.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ca.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	s := sandboxauth0.New(sandboxauth0.Config{TenantName: "sandbox"})
	srv := httptest.NewUnstartedServer(s.Router())
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	domain := srv.Listener.Addr().String()
	s.SetDomain(domain)
	hc := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}},
	}
	return s, domain, hc
}

// newManagement builds go-auth0's client the way auth0-management-api.md §11 describes: client credentials, the
// CA-trusting client both as the API transport and (through the context) for the token request.
func newManagement(t *testing.T, domain string, hc *http.Client, id, secret string) *management.Management {
	t.Helper()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	m, err := management.New(domain, management.WithClientCredentials(ctx, id, secret), management.WithClient(hc),
		management.WithNoRetries())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func status(err error) int {
	var me management.Error
	if errors.As(err, &me) {
		return me.Status()
	}
	return 0
}

func TestGoAuth0ClientCredentialsAndSCIM(t *testing.T) {
	s, domain, hc := tlsTenant(t)
	s.AddClient("m2m", "s3cr:et/+", allScopes)
	m := newManagement(t, domain, hc, "m2m", "s3cr:et/+")
	ctx := context.Background()

	conn := &management.Connection{
		Name:         auth0.String("entra-corp"),
		Strategy:     auth0.String("waad"),
		ShowAsButton: auth0.Bool(true),
		Options: &management.ConnectionOptionsAzureAD{
			ClientID:          auth0.String("123456"),
			ClientSecret:      auth0.String("123456"),
			Domain:            auth0.String("example.onmicrosoft.com"),
			TenantDomain:      auth0.String("example.onmicrosoft.com"),
			IdentityAPI:       auth0.String("microsoft-identity-platform-v2.0"),
			UseCommonEndpoint: auth0.Bool(false),
			UserIDAttribute:   auth0.String("sub"),
		},
	}
	if err := m.Connection.Create(ctx, conn); err != nil {
		t.Fatalf("Connection.Create: %v", err)
	}
	id := conn.GetID()
	if !strings.HasPrefix(id, "con_") || len(id) != 20 {
		t.Fatalf("connection id %q", id)
	}

	// Connection Read and Update.
	read, err := m.Connection.Read(ctx, id)
	if err != nil {
		t.Fatalf("Connection.Read: %v", err)
	}
	opts, ok := read.Options.(*management.ConnectionOptionsAzureAD)
	if !ok {
		t.Fatalf("options are %T", read.Options)
	}
	if opts.GetUserIDAttribute() != "sub" || opts.WAADCommonEndpoint == nil || *opts.WAADCommonEndpoint {
		t.Fatalf("options: userid_attribute %q, waad_common_endpoint %v", opts.GetUserIDAttribute(), opts.WAADCommonEndpoint)
	}
	if read.GetAuthentication().GetActive() != true || read.GetDisplayName() != "entra-corp" {
		t.Fatalf("top-level fields: %+v", read)
	}
	update := &management.Connection{Options: &management.ConnectionOptionsAzureAD{
		ClientID: auth0.String("123456"), Domain: auth0.String("example.onmicrosoft.com"),
		UserIDAttribute: auth0.String("oid"), UseCommonEndpoint: auth0.Bool(false),
	}}
	if err := m.Connection.Update(ctx, id, update); err != nil {
		t.Fatalf("Connection.Update: %v", err)
	}
	read, err = m.Connection.Read(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	opts = sandboxtest.As[*management.ConnectionOptionsAzureAD](t, read.Options)
	if opts.GetUserIDAttribute() != "oid" || opts.TenantDomain != nil {
		t.Fatalf("options were not replaced wholesale: userid_attribute %q, tenant_domain %v", opts.GetUserIDAttribute(), opts.TenantDomain)
	}
	err = m.Connection.Update(ctx, id, &management.Connection{Name: auth0.String("renamed")})
	if status(err) != 400 {
		t.Fatalf("renaming a connection: %v", err)
	}

	// SCIM configuration.
	if _, err := m.Connection.ReadSCIMConfiguration(ctx, id); status(err) != 404 {
		t.Fatalf("ReadSCIMConfiguration before create: %v", err)
	}
	if err := m.Connection.CreateSCIMConfiguration(ctx, id, nil); err != nil {
		t.Fatalf("CreateSCIMConfiguration(nil): %v", err)
	}
	err = m.Connection.CreateSCIMConfiguration(ctx, id, &management.SCIMConfiguration{})
	if status(err) != 400 || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second CreateSCIMConfiguration: %v", err)
	}
	cfg, err := m.Connection.ReadSCIMConfiguration(ctx, id)
	if err != nil {
		t.Fatalf("ReadSCIMConfiguration: %v", err)
	}
	if len(cfg.GetMapping()) != 30 || cfg.GetUserIDAttribute() != "externalId" || cfg.GetTenantName() != "sandbox" ||
		cfg.GetStrategy() != "waad" || cfg.GetConnectionName() != "entra-corp" || cfg.GetCreatedAt() == "" {
		t.Fatalf("configuration: %+v", cfg)
	}
	if cfg.GetUpdatedAt() != "" {
		t.Fatalf("updated_at must never be sent (auth0-management-api.md §3.2), got %q", cfg.GetUpdatedAt())
	}
	def, err := m.Connection.ReadSCIMDefaultConfiguration(ctx, id)
	if err != nil || len(def.GetMapping()) != 30 || def.GetMapping()[0].GetAuth0() != "upn" {
		t.Fatalf("ReadSCIMDefaultConfiguration: %v %+v", err, def)
	}
	newMapping := []management.SCIMConfigurationMapping{
		{Auth0: auth0.String("email"), SCIM: auth0.String(`emails[type eq "work"].value`)},
		{Auth0: auth0.String("app_metadata.external_id"), SCIM: auth0.String("externalId")},
	}
	err = m.Connection.UpdateSCIMConfiguration(ctx, id, &management.SCIMConfiguration{
		UserIDAttribute: auth0.String("externalId"), Mapping: &newMapping,
	})
	if err != nil {
		t.Fatalf("UpdateSCIMConfiguration: %v", err)
	}
	if cfg, err = m.Connection.ReadSCIMConfiguration(ctx, id); err != nil || len(cfg.GetMapping()) != 2 {
		t.Fatalf("after update: %v %+v", err, cfg)
	}
	err = m.Connection.UpdateSCIMConfiguration(ctx, id, &management.SCIMConfiguration{Mapping: &newMapping})
	if status(err) != 400 {
		t.Fatalf("UpdateSCIMConfiguration without user_id_attribute: %v", err)
	}

	// SCIM tokens.
	tok := &management.SCIMToken{Scopes: &[]string{"get:users", "patch:users"}, TokenLifeTime: auth0.Int(3600)}
	if err := m.Connection.CreateSCIMToken(ctx, id, tok); err != nil {
		t.Fatalf("CreateSCIMToken: %v", err)
	}
	if !strings.HasPrefix(tok.GetToken(), tok.GetTokenID()+".") || tok.GetValidUntil() == "" || tok.GetCreatedAt() == "" {
		t.Fatalf("created token: %+v", tok)
	}
	list, err := m.Connection.ListSCIMToken(ctx, id)
	if err != nil || len(list) != 1 || list[0].Token != nil || list[0].LastUsedAt != nil || list[0].GetValidUntil() == "" {
		t.Fatalf("ListSCIMToken: %v %+v", err, list)
	}
	// Using the token on the SCIM endpoint sets last_used_at.
	req, _ := http.NewRequest(http.MethodGet, "https://"+domain+"/scim/v2/connections/"+id+"/Users", nil)
	req.Header.Set("Authorization", "Bearer "+tok.GetToken())
	resp, err := hc.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("SCIM GET /Users: %v %v", err, resp)
	}
	resp.Body.Close()
	if list, err = m.Connection.ListSCIMToken(ctx, id); err != nil || list[0].GetLastUsedAt() == "" {
		t.Fatalf("last_used_at after use: %v %+v", err, list)
	}
	if err := m.Connection.DeleteSCIMToken(ctx, id, tok.GetTokenID()); err != nil {
		t.Fatalf("DeleteSCIMToken: %v", err)
	}
	if err := m.Connection.DeleteSCIMToken(ctx, id, tok.GetTokenID()); status(err) != 404 {
		t.Fatalf("DeleteSCIMToken of a deleted token: %v", err)
	}
	if list, err = m.Connection.ListSCIMToken(ctx, id); err != nil || len(list) != 0 {
		t.Fatalf("ListSCIMToken after delete: %v %+v", err, list)
	}

	// Delete is idempotent.
	for i := 0; i < 2; i++ {
		if err := m.Connection.DeleteSCIMConfiguration(ctx, id); err != nil {
			t.Fatalf("DeleteSCIMConfiguration #%d: %v", i+1, err)
		}
	}
	if _, err := m.Connection.ReadSCIMConfiguration(ctx, id); status(err) != 404 || !strings.Contains(err.Error(), "404 Not Found: Not Found") {
		t.Fatalf("ReadSCIMConfiguration after delete: %v", err)
	}
	if err := m.Connection.Delete(ctx, id); err != nil {
		t.Fatalf("Connection.Delete: %v", err)
	}
	if _, err := m.Connection.Read(ctx, id); status(err) != 404 || !strings.Contains(err.Error(), "The connection does not exist") {
		t.Fatalf("Read after delete: %v", err)
	}
}

func TestGoAuth0Errors(t *testing.T) {
	s, domain, hc := tlsTenant(t)
	s.AddClient("reader", "secret", []string{"read:connections"})
	ctx := context.Background()

	m := newManagement(t, domain, hc, "reader", "wrong")
	if _, err := m.Connection.Read(ctx, "con_aaaaaaaaaaaaaaaa"); err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("wrong client secret: %v", err)
	}

	m = newManagement(t, domain, hc, "reader", "secret")
	_, err := m.Connection.ReadSCIMConfiguration(ctx, "con_aaaaaaaaaaaaaaaa")
	if status(err) != 403 || !strings.Contains(err.Error(), "Insufficient scope, expected any of: read:scim_config") {
		t.Fatalf("missing scope: %v", err)
	}
	if _, err := m.Connection.Read(ctx, "con_aaaaaaaaaaaaaaaa"); status(err) != 404 {
		t.Fatalf("unknown connection: %v", err)
	}
	if _, err := m.Connection.Read(ctx, "not-an-id"); status(err) != 400 {
		t.Fatalf("malformed connection id: %v", err)
	}

	static, err := management.New(domain, management.WithStaticToken("not-a-token"), management.WithClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := static.Connection.Read(ctx, "con_aaaaaaaaaaaaaaaa"); status(err) != 401 || !strings.Contains(err.Error(), "Invalid token") {
		t.Fatalf("invalid static token: %v", err)
	}
	static, _ = management.New(domain, management.WithStaticToken(s.IssueToken([]string{"read:connections"})), management.WithClient(hc))
	if _, err := static.Connection.List(ctx); err != nil {
		t.Fatalf("IssueToken token: %v", err)
	}
}
