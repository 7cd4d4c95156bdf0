package enterpriseapp

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
