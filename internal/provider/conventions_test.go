package provider

import (
	"strings"
	"testing"
)

func TestEnvironmentChoosesHosts(t *testing.T) {
	base := map[string]string{"ARM_TENANT_ID": "00000000-0000-0000-0000-000000000001", "ARM_CLIENT_ID": "c", "ARM_CLIENT_SECRET": "s"}
	cases := []struct {
		name                 string
		env                  map[string]string
		authority, graph     string
		wantErr, errContains string
	}{
		{name: "unset is the public cloud's defaults", env: map[string]string{}},
		{name: "public", env: map[string]string{"ARM_ENVIRONMENT": "public"}},
		{name: "usgovernment", env: map[string]string{"ARM_ENVIRONMENT": "usgovernment"}, authority: "https://login.microsoftonline.us/", graph: "https://graph.microsoft.us/v1.0"},
		{name: "usgovernmentl5", env: map[string]string{"ARM_ENVIRONMENT": "usgovernmentl5"}, authority: "https://login.microsoftonline.us/", graph: "https://dod-graph.microsoft.us/v1.0"},
		{name: "china, any case", env: map[string]string{"ARM_ENVIRONMENT": "China"}, authority: "https://login.chinacloudapi.cn/", graph: "https://microsoftgraph.chinacloudapi.cn/v1.0"},
		{name: "an explicit Graph URL wins", env: map[string]string{"ARM_ENVIRONMENT": "china", "ARM_GRAPH_URL": "https://proxy.example/v1.0"}, authority: "https://login.chinacloudapi.cn/", graph: "https://proxy.example/v1.0"},
		{name: "the sandbox's overrides win", env: map[string]string{"ARM_ENVIRONMENT": "usgovernment", "ARM_GRAPH_URL": "https://127.0.0.1:8443/v1.0", "ARM_AUTHORITY_HOST": "https://127.0.0.1:8443/"}, authority: "https://127.0.0.1:8443/", graph: "https://127.0.0.1:8443/v1.0"},
		{name: "conflict", env: map[string]string{"ARM_ENVIRONMENT": "china", "ARM_GRAPH_URL": "https://graph.microsoft.us/v1.0"}, wantErr: "Conflicting Microsoft cloud settings", errContains: "usgovernment cloud"},
		{name: "unknown", env: map[string]string{"ARM_ENVIRONMENT": "mars"}, wantErr: "Invalid Microsoft cloud environment", errContains: `"mars"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, merge(base, tc.env))
			cfg, _, diags := resolveEntra(&EntraModel{})
			got := errText(diags)
			if tc.wantErr != "" {
				if !strings.Contains(got, tc.wantErr) || !strings.Contains(got, tc.errContains) || !strings.Contains(got, "ARM_ENVIRONMENT") {
					t.Fatalf("want %q naming %s and ARM_ENVIRONMENT, got %q", tc.wantErr, tc.errContains, got)
				}
				return
			}
			if diags.HasError() {
				t.Fatal(got)
			}
			if cfg.AuthorityHost != tc.authority || cfg.GraphURL != tc.graph {
				t.Fatalf("authority %q graph %q, want %q %q", cfg.AuthorityHost, cfg.GraphURL, tc.authority, tc.graph)
			}
		})
	}
}

func TestClientAssertion(t *testing.T) {
	const pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
	base := map[string]string{"AUTH0_DOMAIN": "acme.eu.auth0.com", "AUTH0_CLIENT_ID": "cid"}
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "key alone", env: map[string]string{"AUTH0_CLIENT_ASSERTION_PRIVATE_KEY": pem}},
		{name: "key and algorithm", env: map[string]string{"AUTH0_CLIENT_ASSERTION_PRIVATE_KEY": pem, "AUTH0_CLIENT_ASSERTION_SIGNING_ALG": "ES256"}},
		{name: "key and secret", env: map[string]string{"AUTH0_CLIENT_ASSERTION_PRIVATE_KEY": pem, "AUTH0_CLIENT_SECRET": "s"}, wantErr: "Contradictory Auth0 credentials"},
		{name: "bad algorithm", env: map[string]string{"AUTH0_CLIENT_ASSERTION_PRIVATE_KEY": pem, "AUTH0_CLIENT_ASSERTION_SIGNING_ALG": "HS256"}, wantErr: `AUTH0_CLIENT_ASSERTION_SIGNING_ALG) is "HS256"`},
		{name: "not PEM", env: map[string]string{"AUTH0_CLIENT_ASSERTION_PRIVATE_KEY": "abc"}, wantErr: "not a PEM private key"},
		{name: "algorithm without key", env: map[string]string{"AUTH0_CLIENT_SECRET": "s", "AUTH0_CLIENT_ASSERTION_SIGNING_ALG": "RS256"}, wantErr: "without a private key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, merge(base, tc.env))
			cfg, _, diags := resolveAuth0(&Auth0Model{})
			got := errText(diags)
			if tc.wantErr != "" {
				if !strings.Contains(got, tc.wantErr) {
					t.Fatalf("want %q, got %q", tc.wantErr, got)
				}
				return
			}
			if diags.HasError() {
				t.Fatal(got)
			}
			if cfg.ClientAssertionPrivateKey != pem || cfg.ClientSecret != "" {
				t.Fatalf("config %+v", cfg)
			}
		})
	}
}

func TestUserAgentNamesTerraform(t *testing.T) {
	ua := userAgent("1.2.3", "1.11.4")
	if !strings.Contains(ua, "terraform-provider-auth0entra/1.2.3") || !strings.Contains(ua, "Terraform/1.11.4") {
		t.Fatal(ua)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
