package enterpriseapp

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/expression"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// ValidateConfig implements resource.ResourceWithValidateConfig: the checks that need no API call.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg resourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if p := cfg.Provisioning; p != nil {
		validateToken(p, &resp.Diagnostics)
	}
	if !cfg.Assignment.IsNull() && !cfg.Assignment.IsUnknown() {
		var as []assignment
		resp.Diagnostics.Append(cfg.Assignment.ElementsAs(ctx, &as, false)...)
		seen := map[string]string{}
		for _, a := range as {
			validateAssignment(a, &resp.Diagnostics)
			if a.PrincipalID.IsUnknown() || a.PrincipalID.IsNull() || a.PrincipalType.IsUnknown() {
				continue
			}
			id := strings.ToLower(a.PrincipalID.ValueString())
			if prev, ok := seen[id]; ok {
				if strings.EqualFold(prev, a.PrincipalType.ValueString()) {
					resp.Diagnostics.AddAttributeError(path.Root("assignment"), "Principal assigned twice",
						fmt.Sprintf("Principal %s appears twice in assignment, both times with principal_type = %q. An application is assigned to a principal once: remove one of the two elements.",
							a.PrincipalID.ValueString(), prev))
				} else {
					resp.Diagnostics.AddAttributeError(path.Root("assignment"), "Principal assigned twice",
						fmt.Sprintf("Principal %s appears in assignment with principal_type = %q and with principal_type = %q. A principal is a user or a group, not both: keep the element whose type is right.",
							a.PrincipalID.ValueString(), prev, a.PrincipalType.ValueString()))
				}
			}
			seen[id] = a.PrincipalType.ValueString()
		}
	}
}

// validateAssignment checks one element of assignment. The checks live here rather than as validators on the nested
// attributes: a validator's path for a set element prints as assignment[Value({...})], while these messages name the
// element by its principal_id.
func validateAssignment(a assignment, diags *diag.Diagnostics) {
	at := path.Root("assignment")
	if id := a.PrincipalID; !id.IsNull() && !id.IsUnknown() && !validators.IsGUID(id.ValueString()) {
		diags.AddAttributeError(at, "Invalid GUID",
			fmt.Sprintf("An assignment has principal_id = %s, which is not a GUID: Entra object ids are 32 hexadecimal digits in groups of 8-4-4-4-12, e.g. %s. Take it from the Object ID of the user or group (Entra admin center > Users or Groups > Overview).",
				cut(id.ValueString()), validators.ExampleGUID))
	}
	if t := a.PrincipalType; !t.IsNull() && !t.IsUnknown() && t.ValueString() != entraclient.PrincipalUser && t.ValueString() != entraclient.PrincipalGroup {
		diags.AddAttributeError(at, "Invalid principal_type",
			fmt.Sprintf("The assignment with principal_id = %s has principal_type = %s. Use %q or %q (case-sensitive), whichever the principal is.",
				cut(a.PrincipalID.ValueString()), cut(t.ValueString()), entraclient.PrincipalUser, entraclient.PrincipalGroup))
	}
}

// cut quotes a value for a message, cut to about 80 characters.
func cut(s string) string { return expression.Cut(s, 80) }

// validateToken enforces "exactly one of secret_token_wo and secret_token", and the version that goes with the
// write-only token. A value unknown at plan (e.g. auth0entra_scim_token.x.token before the token exists) passes here,
// since it may still turn out null (a conditional expression). Terraform validates the configuration again during
// apply, once the values are known and before Create or Update runs, so the same checks then stop the apply before
// any write (TestAccEnterpriseApp_planErrors proves it with the request counters).
func validateToken(p *provisioning, diags *diag.Diagnostics) {
	root := path.Root("provisioning")
	if p.SecretTokenWO.IsUnknown() || p.SecretToken.IsUnknown() || p.SecretTokenWOVersion.IsUnknown() {
		return
	}
	wo, legacy := !p.SecretTokenWO.IsNull(), !p.SecretToken.IsNull()
	switch {
	case wo && legacy:
		diags.AddAttributeError(root.AtName("secret_token"), "Two secret tokens",
			"provisioning sets both secret_token_wo and secret_token. Set exactly one: secret_token_wo (Terraform 1.11 and later; the token never reaches the state) or secret_token (older versions; stored, sensitive, in the state).")
	case !wo && !legacy:
		diags.AddAttributeError(root, "Missing secret token",
			"provisioning needs the Auth0 SCIM token Entra authenticates with (Admin Credentials > Secret Token). Set secret_token_wo (with secret_token_wo_version), e.g. secret_token_wo = auth0entra_scim_token.x.token and secret_token_wo_version = auth0entra_scim_token.x.token_id, or secret_token on Terraform versions older than 1.11.")
	case wo && p.SecretTokenWOVersion.IsNull():
		diags.AddAttributeError(root.AtName("secret_token_wo_version"), "Missing secret_token_wo_version",
			"secret_token_wo is write-only, so Terraform cannot see when it changes. Set secret_token_wo_version to a value that changes with the token, e.g. auth0entra_scim_token.x.token_id; changing it sends the token to Entra again.")
	case legacy && !p.SecretTokenWOVersion.IsNull():
		diags.AddAttributeError(root.AtName("secret_token_wo_version"), "secret_token_wo_version without secret_token_wo",
			"secret_token_wo_version only tells when secret_token_wo changed; with secret_token, changes are seen directly. Remove secret_token_wo_version, or move the token to secret_token_wo.")
	}
}

// ModifyPlan implements resource.ResourceWithModifyPlan. It fails the plan when the provider has no Entra
// configuration (every operation of the resource needs it: without this check the plan would pass and the apply
// would write the Auth0 side before failing here). It runs the checks that need Entra (the OIDC app registration, new
// principals) when their values are known, and turns what Read found into planned repairs: a quarantined job
// (quarantined: true -> false) and a job deleted outside Terraform (job_id unknown).
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.Clients != nil && r.Clients.Entra == nil {
		// Destroying needs Entra as much as creating does. (With no provider data at all, as during validation,
		// there is nothing to say yet.)
		_, diags := r.Entra()
		resp.Diagnostics.Append(diags...)
		return
	}
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan resourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *resourceModel
	if !req.State.Raw.IsNull() {
		state = &resourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// The checks below read both clouds. A plan that changes nothing (the plan equals the prior state) was checked
	// when it was applied and is not checked again: a no-change plan makes only Read's calls (README "Request
	// budgets").
	unchanged := state != nil && req.Plan.Raw.Equal(req.State.Raw)
	if c := r.entra(); c != nil && !unchanged {
		ctx, cancel := framework.Bound(ctx, plan.Timeouts, framework.ReadTimeout, defaultReadTimeout, &resp.Diagnostics)
		defer cancel()
		if id := plan.OIDCClientID; !id.IsNull() && !id.IsUnknown() {
			resp.Diagnostics.Append(checkOIDCApp(ctx, c, id.ValueString())...)
		}
		resp.Diagnostics.Append(checkNewPrincipals(ctx, c, plan, state)...)
	}
	// The group-scope warning is not a check of what changes: a stack whose groups are refused is told so on every
	// plan, a no-change plan included (groups_warning.go says what that costs).
	resp.Diagnostics.Append(r.groupScopeWarning(ctx, req, plan, state, unchanged)...)
	if state == nil || resp.Diagnostics.HasError() {
		return
	}

	enabled := plan.Provisioning != nil && plan.Provisioning.Enabled.ValueBool()
	repair := state.Quarantined.ValueBool() && enabled
	jobMissing := state.JobID.IsNull() && plan.Provisioning != nil
	pending, diags := req.Private.GetKey(ctx, privateCredentialsPending)
	resp.Diagnostics.Append(diags...)
	switch {
	case len(pending) > 0:
		// A previous apply created the job but failed before saving its credentials.
		plan.Quarantined = types.BoolUnknown()
	case repair:
		plan.Quarantined = types.BoolValue(false)
		resp.Diagnostics.AddWarning("Provisioning job is quarantined",
			fmt.Sprintf("Entra quarantined provisioning job %s (%s%s). Apply will test the configured credentials, save them again and restart the job. If the token was revoked or has expired, give provisioning a new one (auth0entra_scim_token and secret_token_wo_version) first.",
				state.JobID.ValueString(), state.QuarantineReason.ValueString(), prefixed(": ", state.QuarantineError.ValueString())))
	case jobMissing:
		plan.Quarantined = types.BoolUnknown()
	default:
		return
	}
	if jobMissing {
		plan.JobID = types.StringUnknown()
	}
	plan.JobStatus = types.StringUnknown()
	plan.QuarantineReason = types.StringUnknown()
	plan.QuarantineError = types.StringUnknown()
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkOIDCApp looks up the OIDC app registration.
func checkOIDCApp(ctx context.Context, c *entraclient.Client, clientID string) diag.Diagnostics {
	var diags diag.Diagnostics
	app, err := c.FindApplicationByAppID(ctx, clientID)
	if err != nil {
		addAttributeError(&diags, path.Root("oidc_client_id"), "Could not look up the OIDC app registration", err)
		return diags
	}
	if app == nil {
		diags.AddAttributeError(path.Root("oidc_client_id"), "OIDC app registration not found",
			fmt.Sprintf("No app registration with client id %s exists in tenant %s. oidc_client_id must be the client id of the OpenID Connect app registration your Auth0 Microsoft Azure AD (waad) connection signs users in with (App registrations > the app > Application (client) ID; the connection's client_id). Create or restore that registration, or correct the value.",
				clientID, c.TenantID()))
	}
	return diags
}

// checkNewPrincipals checks, at plan time, that principals added to assignment exist and have the given type.
func checkNewPrincipals(ctx context.Context, c *entraclient.Client, plan resourceModel, state *resourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if plan.Assignment.IsNull() || plan.Assignment.IsUnknown() {
		return diags
	}
	var want []assignment
	diags.Append(plan.Assignment.ElementsAs(ctx, &want, false)...)
	known := map[string]bool{}
	if state != nil && !state.Assignment.IsNull() && !state.Assignment.IsUnknown() {
		var have []assignment
		diags.Append(state.Assignment.ElementsAs(ctx, &have, false)...)
		for _, a := range have {
			known[key(a.PrincipalID.ValueString(), a.PrincipalType.ValueString())] = true
		}
	}
	for _, a := range want {
		if a.PrincipalID.IsUnknown() || a.PrincipalType.IsUnknown() || known[key(a.PrincipalID.ValueString(), a.PrincipalType.ValueString())] {
			continue
		}
		id, typ := a.PrincipalID.ValueString(), a.PrincipalType.ValueString()
		_, err := c.GetPrincipal(ctx, id, typ)
		if err == nil {
			continue
		}
		if !entraclient.IsNotFound(err) {
			addAttributeError(&diags, path.Root("assignment"), "Could not look up an assigned principal", err)
			continue
		}
		other := entraclient.PrincipalGroup
		if typ == entraclient.PrincipalGroup {
			other = entraclient.PrincipalUser
		}
		if _, err := c.GetPrincipal(ctx, id, other); err == nil {
			diags.AddAttributeError(path.Root("assignment"), "Wrong principal_type",
				fmt.Sprintf("Principal %s is a %s, but its assignment says principal_type = %q. Set principal_type = %q.", id, strings.ToLower(other), typ, other))
			continue
		}
		diags.AddAttributeError(path.Root("assignment"), "Assigned principal not found",
			fmt.Sprintf("No %s with object id %s exists in tenant %s. Check principal_id (Entra admin center > %ss > the %s > Object ID).",
				strings.ToLower(typ), id, c.TenantID(), typ, strings.ToLower(typ)))
	}
	return diags
}

// tenantURLValidator checks the Tenant URL: https, the Auth0 SCIM endpoint path, and (a warning) the
// aadOptscim062020 flag.
type tenantURLValidator struct{}

func (tenantURLValidator) Description(context.Context) string {
	return "must be https://{tenant domain}/scim/v2/connections/{connection id}, preferably with ?aadOptscim062020"
}

func (v tenantURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (tenantURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid tenant URL",
			fmt.Sprintf("%s is %s, which is not a URL. Use the connection's SCIM endpoint, e.g. https://acme.eu.auth0.com/scim/v2/connections/con_0123456789abcdef?aadOptscim062020 (data source auth0entra_scim_endpoint, attribute entra_tenant_url).", req.Path, cut(raw)))
		return
	case u.Scheme != "https":
		resp.Diagnostics.AddAttributeError(req.Path, "Tenant URL must use https",
			fmt.Sprintf("%s is %s. Entra only provisions to https endpoints: use https://%s%s.", req.Path, cut(raw), u.Host, u.EscapedPath()))
		return
	case !scimPath.MatchString(u.Path):
		resp.Diagnostics.AddAttributeError(req.Path, "Tenant URL is not an Auth0 SCIM endpoint",
			fmt.Sprintf("%s is %s, whose path %s does not end with the SCIM endpoint of a connection, /scim/v2/connections/{connection id}. Use the connection's SCIM endpoint (data source auth0entra_scim_endpoint, attribute entra_tenant_url).", req.Path, cut(raw), cut(u.Path)))
		return
	}
	if _, ok := u.Query()["aadOptscim062020"]; !ok {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Tenant URL without aadOptscim062020",
			fmt.Sprintf("%s is %s. Without the aadOptscim062020 flag Entra sends SCIM PATCH requests that do not follow the standard (e.g. \"active\": \"False\" as a string), which Auth0's guide says to avoid. Append ?aadOptscim062020 (the data source auth0entra_scim_endpoint exports it as entra_tenant_url).", req.Path, cut(raw)))
	}
}

var scimPath = regexp.MustCompile(`/scim/v2/connections/[^/]+/?$`)
