package enterpriseapp

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

func validateTenantURL(v string) diag.Diagnostics {
	resp := &validator.StringResponse{}
	tenantURLValidator{}.ValidateString(context.Background(), validator.StringRequest{
		Path: path.Root("provisioning").AtName("tenant_url"), ConfigValue: types.StringValue(v),
	}, resp)
	return resp.Diagnostics
}

func TestTenantURLValidator(t *testing.T) {
	ok := "https://acme.eu.auth0.com/scim/v2/connections/con_0123456789abcdef?aadOptscim062020"
	if d := validateTenantURL(ok); len(d) != 0 {
		t.Errorf("%s: %v", ok, d)
	}
	d := validateTenantURL("https://acme.eu.auth0.com/scim/v2/connections/con_0123456789abcdef")
	if d.HasError() || d.WarningsCount() != 1 || !strings.Contains(d[0].Detail(), "?aadOptscim062020") {
		t.Errorf("no flag: want one warning, got %v", d)
	}
	for url, want := range map[string]string{
		"http://acme.eu.auth0.com/scim/v2/connections/con_1": "must use https",
		"https://acme.eu.auth0.com/api/v2/connections/con_1": "not an Auth0 SCIM endpoint",
		"https://acme.eu.auth0.com/scim/v2/connections":      "not an Auth0 SCIM endpoint",
		"acme.eu.auth0.com": "not a URL",
	} {
		d := validateTenantURL(url)
		if !d.HasError() || !strings.Contains(d[0].Summary()+d[0].Detail(), want) {
			t.Errorf("%s: want %q, got %v", url, want, d)
		}
	}
}

func TestValidateToken(t *testing.T) {
	s, n := types.StringValue, types.StringNull()
	cases := []struct {
		p    provisioning
		want string
	}{
		{provisioning{SecretTokenWO: s("t"), SecretTokenWOVersion: s("1"), SecretToken: n}, ""},
		{provisioning{SecretTokenWO: n, SecretTokenWOVersion: n, SecretToken: s("t")}, ""},
		{provisioning{SecretTokenWO: s("t"), SecretTokenWOVersion: s("1"), SecretToken: s("t")}, "Two secret tokens"},
		{provisioning{SecretTokenWO: n, SecretTokenWOVersion: n, SecretToken: n}, "Missing secret token"},
		{provisioning{SecretTokenWO: s("t"), SecretTokenWOVersion: n, SecretToken: n}, "Missing secret_token_wo_version"},
		{provisioning{SecretTokenWO: n, SecretTokenWOVersion: s("1"), SecretToken: s("t")}, "secret_token_wo_version without secret_token_wo"},
		{provisioning{SecretTokenWO: types.StringUnknown(), SecretTokenWOVersion: n, SecretToken: n}, ""},
	}
	for i, c := range cases {
		var d diag.Diagnostics
		validateToken(&c.p, &d)
		switch {
		case c.want == "" && d.HasError():
			t.Errorf("case %d: unexpected %v", i, d)
		case c.want != "" && (!d.HasError() || d[0].Summary() != c.want):
			t.Errorf("case %d: want %q, got %v", i, c.want, d)
		}
	}
}

func TestCredentialsChanged(t *testing.T) {
	p := provisioning{TenantURL: types.StringValue("u"), Scope: types.StringValue("assigned"), SecretToken: types.StringNull(), SecretTokenWOVersion: types.StringValue("1")}
	q := p
	if credentialsChanged(&p, &q) {
		t.Error("same provisioning reported as changed")
	}
	q.SecretTokenWOVersion = types.StringValue("2")
	if !credentialsChanged(&p, &q) {
		t.Error("a new token version must send the token")
	}
	q = p
	q.Enabled = types.BoolValue(false)
	if credentialsChanged(&p, &q) {
		t.Error("switching provisioning off does not touch the credentials")
	}
}

// A failed Test Connection is explained by what failed: Graph itself (5xx, throttling) or the credentials.
func TestTestConnectionFailureIsExplainedByItsCause(t *testing.T) {
	const tenantURL = "https://acme.eu.auth0.com/scim/v2/connections/con_1?aadOptscim062020"
	for _, c := range []struct {
		err       *entraclient.Error
		summary   string
		want, not []string
	}{
		{
			err:     &entraclient.Error{StatusCode: 500, Code: "InternalServerError", Message: "An internal server error occurred.", RequestID: "r-1"},
			summary: "Microsoft Graph could not run Test Connection",
			want:    []string{"HTTP 500 InternalServerError", "transient error of Microsoft Graph", "not an answer about the credentials", "Run apply again", "r-1"},
			not:     []string{"get:users", "revoked"},
		},
		{
			err:     &entraclient.Error{StatusCode: 503, Message: "Service Unavailable"},
			summary: "Microsoft Graph could not run Test Connection",
			want:    []string{"HTTP 503", "transient", "Run apply again"},
		},
		{
			err:     &entraclient.Error{StatusCode: 429, Code: "TooManyRequests"},
			summary: "Microsoft Graph could not run Test Connection",
			want:    []string{"HTTP 429", "throttling", "Run apply again"},
		},
		{
			err:     &entraclient.Error{StatusCode: 400, Code: "SystemForCrossDomainIdentityManagementCredentialValidationFailure", Message: "Details: 403 Insufficient scope"},
			summary: "Entra could not connect to Auth0 with these credentials",
			want:    []string{"HTTP 400 SystemForCrossDomainIdentityManagementCredentialValidationFailure", "revoked or expired", "get:users scope", "connection id in the Tenant URL", "Nothing was saved"},
			not:     []string{"transient"},
		},
		{
			err:     &entraclient.Error{StatusCode: 400, Code: "SystemForCrossDomainIdentityManagementInvalidCredentials", Message: "Please provide a valid tenant URL for your application."},
			summary: "Entra could not connect to Auth0 with these credentials",
			want:    []string{"HTTP 400", "could not reach a SCIM endpoint at the Tenant URL", "tenant domain", "SCIM configuration"},
			not:     []string{"transient"},
		},
	} {
		var summary, detail string
		if transientGraphError(c.err) {
			summary, detail = "Microsoft Graph could not run Test Connection", transientHelp(tenantURL, c.err)
		} else {
			summary, detail = "Entra could not connect to Auth0 with these credentials", credentialsHelp(tenantURL, c.err)
		}
		if summary != c.summary {
			t.Errorf("HTTP %d %s: summary %q, want %q", c.err.StatusCode, c.err.Code, summary, c.summary)
		}
		for _, w := range append(c.want, tenantURL) {
			if !strings.Contains(detail, w) {
				t.Errorf("HTTP %d %s: the detail does not say %q:\n%s", c.err.StatusCode, c.err.Code, w, detail)
			}
		}
		for _, n := range c.not {
			if strings.Contains(detail, n) {
				t.Errorf("HTTP %d %s: the detail says %q:\n%s", c.err.StatusCode, c.err.Code, n, detail)
			}
		}
	}
}
