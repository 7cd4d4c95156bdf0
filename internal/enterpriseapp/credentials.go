package enterpriseapp

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// saveCredentials runs Test Connection with the configured tenant URL and token and, when it passes, saves them with
// the scope (Admin Credentials). A failure is explained and nothing is saved.
func saveCredentials(ctx context.Context, c *entraclient.Client, spID, jobID string, p *provisioning, token string) diag.Diagnostics {
	var diags diag.Diagnostics
	if token == "" {
		diags.AddAttributeError(path.Root("provisioning"), "Missing secret token",
			"The credentials must be sent to Entra now, but neither provisioning.secret_token_wo nor provisioning.secret_token has a value. Set one of them.")
		return diags
	}
	tenantURL := p.TenantURL.ValueString()
	creds := []entraclient.Secret{
		{Key: entraclient.SecretBaseAddress, Value: tenantURL},
		{Key: entraclient.SecretToken, Value: token},
	}
	if err := c.ValidateCredentials(ctx, spID, jobID, creds); err != nil {
		if s, d, ok := entraclient.Diagnostic("Testing the provisioning credentials", err); ok {
			diags.AddError(s, d)
			return diags
		}
		if transientGraphError(err) {
			diags.AddAttributeError(path.Root("provisioning"), "Microsoft Graph could not run Test Connection", transientHelp(tenantURL, err))
			return diags
		}
		if entraclient.SCIMTransient(err) {
			diags.AddAttributeError(path.Root("provisioning"), "Auth0's SCIM endpoint failed transiently during Test Connection", scimTransientHelp(tenantURL, err))
			return diags
		}
		diags.AddAttributeError(path.Root("provisioning"), "Entra could not connect to Auth0 with these credentials", credentialsHelp(tenantURL, err))
		return diags
	}
	syncAll := "false"
	if p.Scope.ValueString() == scopeAll {
		syncAll = "true"
	}
	if err := c.PutSecrets(ctx, spID, append(creds, entraclient.Secret{Key: entraclient.SecretSyncAll, Value: syncAll})); err != nil {
		addError(&diags, "Could not save the provisioning credentials", err)
	}
	return diags
}

// Error codes of the synchronization service for a failed Test Connection (microsoft-graph.md §5.8).
const (
	codeInvalidCredentials          = "SystemForCrossDomainIdentityManagementInvalidCredentials"
	codeCredentialValidationFailure = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
)

// transientGraphError reports a failure of Microsoft Graph itself (5xx, or throttling that outlasted the retries),
// as opposed to an answer about the credentials.
func transientGraphError(err error) bool {
	code := entraclient.StatusCode(err)
	return code == http.StatusTooManyRequests || code >= 500
}

// transientHelp explains a Test Connection that Microsoft Graph failed to run: nothing is known about the credentials.
func transientHelp(tenantURL string, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Microsoft Graph answered Entra's Test Connection (validateCredentials) with Tenant URL %s with %s", tenantURL, statusText(err))
	if entraclient.StatusCode(err) == http.StatusTooManyRequests {
		b.WriteString(": Graph kept throttling the request until the retries ran out.")
	} else {
		b.WriteString(": a transient error of Microsoft Graph (or of the synchronization service behind it), not an answer about the credentials.")
	}
	b.WriteString("\n\nNothing was saved in Entra and the job was not started. Run apply again in a few minutes; it tests the credentials again before saving them. If the error persists, check the Microsoft Entra service health; the request id, when shown, identifies the call for Microsoft support.")
	return b.String()
}

// scimTransientHelp explains a Test Connection whose SCIM endpoint kept answering 429 or 5xx, through the retries:
// the answer says nothing about the credentials.
func scimTransientHelp(tenantURL string, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Entra's Test Connection (validateCredentials) reached the SCIM endpoint at Tenant URL %s, which answered HTTP %d", tenantURL, entraclient.SCIMStatus(err))
	b.WriteString(" every time the test was run: a transient failure of the Auth0 side (throttling or a server error), not an answer about the credentials. ")
	fmt.Fprintf(&b, "Entra's answer: %s.", statusText(err))
	b.WriteString("\n\nNothing was saved in Entra and the job was not started. Run apply again in a few minutes; it tests the credentials again before saving them. If it persists, check the Auth0 tenant's status and rate limits.")
	return b.String()
}

// credentialsHelp explains a Test Connection that failed because of the credentials (or the Auth0 side).
func credentialsHelp(tenantURL string, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Entra's Test Connection (validateCredentials) with Tenant URL %s failed with %s", tenantURL, statusText(err))
	if st := entraclient.SCIMStatus(err); st != 0 {
		fmt.Fprintf(&b, ".\n\nThe SCIM endpoint answered HTTP %d: an answer about the credentials or the endpoint (not a transient failure, which is retried)", st)
	}
	b.WriteString(".\n\nNothing was saved in Entra and the job was not started. ")
	e := entraclient.AsError(err)
	code := ""
	if e != nil {
		code = e.Code + " " + e.Message
	}
	switch {
	case strings.Contains(code, codeInvalidCredentials):
		b.WriteString("Entra could not reach a SCIM endpoint at the Tenant URL. Check that:\n" +
			"  - provisioning.tenant_url is the SCIM endpoint of the Auth0 connection, https://{tenant domain}/scim/v2/connections/{connection id} (data source auth0entra_scim_endpoint, attribute entra_tenant_url), with the right tenant domain (a custom domain or the canonical one) and connection id;\n" +
			"  - the connection still has its SCIM configuration (auth0entra_scim_connection).")
	case strings.Contains(code, codeCredentialValidationFailure):
		b.WriteString("Entra reached the Tenant URL, but the SCIM endpoint there refused the test (its answer is in the details above). Check that:\n" +
			"  - the token (provisioning.secret_token_wo or secret_token) has not been revoked or expired (auth0entra_scim_token issues a new one; bump secret_token_wo_version with it);\n" +
			"  - the token has the get:users scope: the test looks up a user at {tenant URL}/Users (patch:users and delete:users are needed for provisioning itself);\n" +
			"  - the token is a SCIM token of the connection in provisioning.tenant_url, and the connection id in the Tenant URL is right (data source auth0entra_scim_endpoint, attribute entra_tenant_url).")
	default:
		b.WriteString("Check that:\n" +
			"  - provisioning.tenant_url is the SCIM endpoint of the Auth0 connection (data source auth0entra_scim_endpoint, attribute entra_tenant_url) and the connection still has its SCIM configuration;\n" +
			"  - the token (provisioning.secret_token_wo or secret_token) is a SCIM token of that same connection, and has not been revoked or expired (auth0entra_scim_token issues a new one; bump secret_token_wo_version with it);\n" +
			"  - the token has the get:users scope: the test looks up a user at {tenant URL}/Users.")
	}
	return b.String()
}

// statusText renders the status, code and message of a failed call: "HTTP 400 Code: message [request-id ...]".
func statusText(err error) string {
	e := entraclient.AsError(err)
	if e == nil || e.StatusCode == 0 {
		return describe(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request-id %s]", e.RequestID)
	}
	return b.String()
}

// credentialsChanged reports whether the saved credentials must be replaced.
func credentialsChanged(old, now *provisioning) bool {
	if old == nil || now == nil {
		return true
	}
	return !old.TenantURL.Equal(now.TenantURL) || !old.Scope.Equal(now.Scope) ||
		!old.SecretToken.Equal(now.SecretToken) || !old.SecretTokenWOVersion.Equal(now.SecretTokenWOVersion)
}

// configuredToken returns the token from the configuration: the write-only value exists only there.
func configuredToken(ctx context.Context, cfg tfsdk.Config, p *provisioning) (string, diag.Diagnostics) {
	var wo types.String
	diags := cfg.GetAttribute(ctx, path.Root("provisioning").AtName("secret_token_wo"), &wo)
	if !wo.IsNull() && !wo.IsUnknown() && wo.ValueString() != "" {
		return wo.ValueString(), diags
	}
	if p != nil && !p.SecretToken.IsNull() && !p.SecretToken.IsUnknown() {
		return p.SecretToken.ValueString(), diags
	}
	return "", diags
}

// maskToken keeps the token out of every log line written with ctx, whatever logs it.
func maskToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	ctx = tflog.MaskMessageStrings(ctx, token)
	return tflog.MaskAllFieldValuesStrings(ctx, token)
}
