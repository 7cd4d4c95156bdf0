package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_API_TOKEN", "AUTH0_AUDIENCE",
		"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH",
		"ARM_CLIENT_CERTIFICATE_PASSWORD", "ARM_USE_OIDC", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH",
		"AZURE_FEDERATED_TOKEN_FILE", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "ARM_OIDC_REQUEST_TOKEN",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ARM_USE_CLI", "ARM_USE_MSI", "ARM_MSI_ENDPOINT", "ARM_AUTHORITY_HOST",
		"AZURE_AUTHORITY_HOST", "ARM_GRAPH_URL", "ARM_ENVIRONMENT",
		"AUTH0_CLIENT_ASSERTION_PRIVATE_KEY", "AUTH0_CLIENT_ASSERTION_SIGNING_ALG",
	} {
		t.Setenv(k, "")
	}
}

func errText(d diag.Diagnostics) string {
	var b strings.Builder
	for _, e := range d.Errors() {
		b.WriteString(e.Summary() + ": " + e.Detail() + "\n")
	}
	return b.String()
}

// setEnv clears the provider's environment variables, then sets env, for the rest of the test.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	clearEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// checkResolved checks what resolveAuth0 or resolveEntra returned against a table row: not configured (missing),
// an error whose text contains every wantErr substring, or else a configuration without error. It returns the
// error text, for the row's further checks.
func checkResolved[C any](t *testing.T, cfg *C, why string, diags diag.Diagnostics, missing bool, wantErr []string) string {
	t.Helper()
	text := errText(diags)
	switch {
	case missing:
		if cfg != nil || why == "" || diags.HasError() {
			t.Fatalf("want not configured, got cfg=%v why=%q diags=%s", cfg, why, text)
		}
	case len(wantErr) > 0:
		if !diags.HasError() {
			t.Fatalf("want an error, got cfg=%+v", cfg)
		}
		for _, w := range wantErr {
			if !strings.Contains(text, w) {
				t.Errorf("error %q does not contain %q", text, w)
			}
		}
	default:
		if diags.HasError() || cfg == nil {
			t.Fatalf("unexpected error: %s", text)
		}
	}
	return text
}

func TestResolveAuth0(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		model   Auth0Model
		wantErr []string // substrings of the error text; empty means success (zero-valued model fields are null)
		missing bool     // not configured at all
		want    string   // expected domain on success
	}{
		{name: "nothing set", missing: true},
		{name: "env client credentials", env: map[string]string{"AUTH0_DOMAIN": "acme.eu.auth0.com", "AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "s"}, want: "acme.eu.auth0.com"},
		{name: "env api token", env: map[string]string{"AUTH0_DOMAIN": "acme.eu.auth0.com", "AUTH0_API_TOKEN": "t"}, want: "acme.eu.auth0.com"},
		{name: "config wins over env", env: map[string]string{"AUTH0_DOMAIN": "env.auth0.com", "AUTH0_API_TOKEN": "t"}, model: Auth0Model{Domain: types.StringValue("cfg.auth0.com")}, want: "cfg.auth0.com"},
		{name: "missing domain", env: map[string]string{"AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "s"}, wantErr: []string{"Missing Auth0 domain", "auth0.domain (or AUTH0_DOMAIN)"}},
		{name: "scheme in domain", model: Auth0Model{Domain: types.StringValue("https://acme.eu.auth0.com"), APIToken: types.StringValue("t")}, wantErr: []string{`"https://acme.eu.auth0.com"`, "without a scheme"}},
		{name: "path in domain", model: Auth0Model{Domain: types.StringValue("acme.eu.auth0.com/api"), APIToken: types.StringValue("t")}, wantErr: []string{"without a path"}},
		{name: "no credentials", env: map[string]string{"AUTH0_DOMAIN": "acme.eu.auth0.com"}, wantErr: []string{"Missing Auth0 credentials", "AUTH0_CLIENT_ID", "AUTH0_API_TOKEN"}},
		{name: "secret without id", env: map[string]string{"AUTH0_DOMAIN": "a.auth0.com", "AUTH0_CLIENT_SECRET": "s"}, wantErr: []string{"Missing Auth0 client id", "from AUTH0_CLIENT_SECRET", "auth0.client_id (or AUTH0_CLIENT_ID)"}},
		{name: "id without secret", model: Auth0Model{Domain: types.StringValue("a.auth0.com"), ClientID: types.StringValue("id")}, wantErr: []string{"Missing Auth0 client secret", "from auth0.client_id"}},
		{name: "token and client credentials", env: map[string]string{"AUTH0_DOMAIN": "a.auth0.com", "AUTH0_API_TOKEN": "t", "AUTH0_CLIENT_SECRET": "s"}, wantErr: []string{"Contradictory Auth0 credentials", "from AUTH0_API_TOKEN", "from AUTH0_CLIENT_SECRET"}},
		{name: "unknown domain", model: Auth0Model{Domain: types.StringUnknown()}, wantErr: []string{"not known until apply", "auth0.domain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			m := tt.model
			cfg, why, diags := resolveAuth0(&m)
			text := checkResolved(t, cfg, why, diags, tt.missing, tt.wantErr)
			switch {
			case tt.missing: // checkResolved checked it all
			case len(tt.wantErr) > 0:
				if strings.Contains(text, `"s"`) || strings.Contains(text, `"t"`) {
					t.Errorf("error text quotes a secret: %s", text)
				}
			default:
				if cfg.Domain != tt.want {
					t.Errorf("domain = %q, want %q", cfg.Domain, tt.want)
				}
			}
		})
	}
}

func TestResolveEntra(t *testing.T) {
	const tenant = "11111111-2222-4333-8444-555555555555"
	tests := []struct {
		name    string
		env     map[string]string
		model   EntraModel
		wantErr []string
		missing bool
		check   func(t *testing.T, got string)
	}{
		{name: "nothing set", missing: true},
		{name: "client secret from env", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": "c", "ARM_CLIENT_SECRET": "s"}},
		{name: "oidc from GitHub variables", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": "c", "ARM_USE_OIDC": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/x", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "r"}},
		{name: "cli needs no ids", env: map[string]string{"ARM_USE_CLI": "true"}},
		{name: "no credential", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": "c"}, wantErr: []string{"Missing Microsoft Entra credential", "ARM_CLIENT_SECRET", "ARM_USE_OIDC"}},
		{name: "two credentials", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": "c", "ARM_CLIENT_SECRET": "s", "ARM_USE_MSI": "true"}, wantErr: []string{"Contradictory Microsoft Entra credentials", "client secret (from ARM_CLIENT_SECRET)", "managed identity (from ARM_USE_MSI)"}},
		{name: "oidc without token", model: EntraModel{TenantID: types.StringValue(tenant), ClientID: types.StringValue("c"), UseOIDC: types.BoolValue(true)}, wantErr: []string{"Missing OIDC token", "from entra.use_oidc", "ARM_OIDC_TOKEN"}},
		{name: "bad tenant", env: map[string]string{"ARM_TENANT_ID": "not a tenant", "ARM_CLIENT_ID": "c", "ARM_CLIENT_SECRET": "s"}, wantErr: []string{"Invalid Microsoft Entra tenant id", `"not a tenant"`, "GUID"}},
		{name: "missing client id", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_SECRET": "s"}, wantErr: []string{"Missing Microsoft Entra client id", "ARM_CLIENT_ID"}},
		{name: "bad bool", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": "c", "ARM_USE_OIDC": "yes please"}, wantErr: []string{"ARM_USE_OIDC", "true or false"}},
		{name: "http authority", env: map[string]string{"ARM_TENANT_ID": tenant, "ARM_CLIENT_ID": "c", "ARM_CLIENT_SECRET": "s", "ARM_AUTHORITY_HOST": "http://login.example/"}, wantErr: []string{"Invalid authority host", "https"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			m := tt.model
			cfg, why, diags := resolveEntra(&m)
			checkResolved(t, cfg, why, diags, tt.missing, tt.wantErr)
		})
	}
}
