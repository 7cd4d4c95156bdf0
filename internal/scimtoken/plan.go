package scimtoken

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// ValidateConfig checks that rotate_before is shorter than lifetime: otherwise the token would be inside its
// rotation window from the moment it is created, and every plan would replace it.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config resourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(config.RotateBefore) && config.Lifetime.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("rotate_before"), "rotate_before needs lifetime",
			fmt.Sprintf("rotate_before = %q is set but lifetime is not, so the token never expires and never enters a rotation window. "+
				"Add a lifetime longer than rotate_before, e.g. lifetime = \"8760h\", or remove rotate_before.", cutValue(config.RotateBefore.ValueString())))
		return
	}
	if !known(config.Lifetime) || !known(config.RotateBefore) {
		return
	}
	lifetime, err1 := validate.ParseDuration(config.Lifetime.ValueString())
	before, err2 := validate.ParseDuration(config.RotateBefore.ValueString())
	if err1 != nil || err2 != nil {
		return // the attribute validators report these
	}
	if before >= lifetime {
		resp.Diagnostics.AddAttributeError(path.Root("rotate_before"), "Rotation window longer than the token's lifetime",
			fmt.Sprintf("rotate_before = %q is not shorter than lifetime = %q, so the token would be due for rotation as soon as it exists and "+
				"every plan would replace it. Make rotate_before shorter than lifetime, e.g. lifetime = \"8760h\" and rotate_before = \"720h\".",
				config.RotateBefore.ValueString(), config.Lifetime.ValueString()))
	}
}

// cutValue shortens a configured value quoted in a message.
func cutValue(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// ModifyPlan does two things before anything is written:
//
//   - rotation: when the token is inside its rotation window (now >= valid_until - rotate_before), or expired, it
//     plans a replacement and says why;
//   - the two-token limit: when the plan creates a token, it lists the connection's active tokens and fails if two
//     of them, not counting the token this resource instance is replacing, already exist.
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.Clients == nil {
		return // destroy, or the provider is not configured yet
	}
	var plan resourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := framework.Bound(ctx, plan.Timeouts, framework.ReadTimeout, auth0client.DefaultReadTimeout, &resp.Diagnostics)
	defer cancel()

	if req.State.Raw.IsNull() {
		// A create, or the second half of a replacement, where the prior state is hidden but private state still
		// names the token being replaced.
		owned, _ := req.Private.GetKey(ctx, privateTokenKey)
		resp.Diagnostics.Append(r.checkTokenLimit(ctx, plan, unquote(owned))...)
		return
	}

	var state resourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	replacing := !plan.ConnectionID.Equal(state.ConnectionID) || !plan.Scopes.Equal(state.Scopes) || lifetimeChanged(state.Lifetime, plan.Lifetime)

	if due, why := rotationDue(plan, state, clock()); due {
		resp.Diagnostics.AddAttributeWarning(path.Root("valid_until"), "SCIM token due for rotation", why)
		plan.ValidUntil = types.StringUnknown()
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("valid_until"))
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		replacing = true
	}
	if replacing {
		resp.Diagnostics.Append(r.checkTokenLimit(ctx, plan, state.TokenID.ValueString())...)
	}
}

// rotationDue reports whether the token must be replaced now, and explains why.
func rotationDue(plan, state resourceModel, now time.Time) (bool, string) {
	if !known(state.ValidUntil) {
		return false, "" // a token that never expires is never due
	}
	validUntil, err := time.Parse(time.RFC3339Nano, state.ValidUntil.ValueString())
	if err != nil {
		return false, ""
	}
	tokenID := state.TokenID.ValueString()
	if !now.Before(validUntil) {
		return true, fmt.Sprintf("SCIM token %s expired at %s. Terraform plans to replace it with a new token; give the new token to Entra "+
			"(reference its `token` from the provisioning secret) so provisioning resumes.", tokenID, state.ValidUntil.ValueString())
	}
	if !known(plan.RotateBefore) {
		return false, ""
	}
	before, err := validate.ParseDuration(plan.RotateBefore.ValueString())
	if err != nil {
		return false, ""
	}
	opens := validUntil.Add(-before)
	if now.Before(opens) {
		return false, ""
	}
	return true, fmt.Sprintf("SCIM token %s expires at %s; rotate_before = %q opened its rotation window at %s, and it is now %s. "+
		"Terraform plans to replace the token. With lifecycle { create_before_destroy = true } the new token is created, and can reach "+
		"Entra, before the old one is revoked.",
		tokenID, state.ValidUntil.ValueString(), plan.RotateBefore.ValueString(), opens.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
}

// checkTokenLimit fails the plan when creating a token would exceed Auth0's two active tokens per connection.
// owned is the token this resource instance is replacing (empty on a plain create): it is not counted, because it
// is revoked before the new token is created — unless create_before_destroy is set, which the provider cannot
// see, so that case gets a warning when it would not fit.
func (r *Resource) checkTokenLimit(ctx context.Context, plan resourceModel, owned string) diag.Diagnostics {
	var diags diag.Diagnostics
	if !known(plan.ConnectionID) {
		return diags // checked by Auth0 at apply
	}
	client, d := r.Auth0()
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	connID := plan.ConnectionID.ValueString()
	toks, err := client.ListSCIMTokens(ctx, connID)
	switch {
	case auth0client.IsConnectionNotFound(err):
		diags.AddAttributeError(path.Root("connection_id"), "Auth0 connection not found",
			fmt.Sprintf("connection_id = %q: tenant %s has no connection with this id.", connID, client.Domain))
		return diags
	case auth0client.IsNotFound(err):
		return diags // no SCIM configuration yet (it may be created in this same apply): no tokens
	case err != nil:
		diags.AddError("Could not list the connection's SCIM tokens", err.Error())
		return diags
	}
	// Tokens an interrupted create of this provider left are revoked by the next Create: they do not count.
	var left []auth0client.SCIMToken
	if conn, cerr := client.GetConnection(ctx, connID); cerr == nil {
		left = leftovers(conn, toks)
	}
	if len(left) > 0 {
		diags.AddAttributeWarning(path.Root("connection_id"), "Leftover SCIM tokens of an interrupted run",
			fmt.Sprintf("Connection %q has SCIM tokens that an earlier run of this provider created but never received (the run was "+
				"interrupted or the answer was lost; no one knows their secrets):\n%s\nThey do not count against the two-token limit: "+
				"apply revokes them before it creates a token.", connID, describe(left)))
	}
	now := clock()
	var others []auth0client.SCIMToken
	ownedExists := false
	for _, t := range toks {
		if !active(t, now) || slices.ContainsFunc(left, func(l auth0client.SCIMToken) bool { return l.TokenID == t.TokenID }) {
			continue
		}
		if t.TokenID == owned {
			ownedExists = true
			continue
		}
		others = append(others, t)
	}
	switch {
	case len(others) >= auth0client.MaxSCIMTokensPerConnection:
		diags.AddAttributeError(path.Root("connection_id"), "Connection already has two SCIM tokens",
			fmt.Sprintf("Auth0 allows %d active SCIM tokens per connection, and connection %q already has %d:\n%s\n"+
				"Creating another would fail. Delete one of them first: remove the auth0entra_scim_token resource that owns it, or revoke it in the "+
				"Auth0 Dashboard (connection > Provisioning > SCIM tokens) if nothing manages it. If this is a replacement with "+
				"lifecycle { create_before_destroy = true }, the token being replaced is still one of them until its replacement exists: "+
				"free another slot, or let the old token be revoked first (without create_before_destroy). After such a replacement "+
				"failed, Terraform keeps the old token as \"deposed\" and revokes it only at the next successful apply: revoke it in Auth0 to go on.",
				auth0client.MaxSCIMTokensPerConnection, connID, len(others), describe(others)))
	case ownedExists && len(others) == auth0client.MaxSCIMTokensPerConnection-1:
		diags.AddAttributeWarning(path.Root("connection_id"), "Replacement needs the old token gone first",
			fmt.Sprintf("This plan replaces SCIM token %s of connection %q, which also has:\n%s\n"+
				"Auth0 allows %d active tokens. Without create_before_destroy the old token is revoked first and the new one fits; "+
				"with lifecycle { create_before_destroy = true } the new token would be a third one while the old still exists, and Auth0 refuses it (409). "+
				"In that case delete the other token first.",
				owned, connID, describe(others), auth0client.MaxSCIMTokensPerConnection))
	}
	return diags
}

// createErrorDetail explains a failed token creation, listing the tokens when the limit was hit.
func (r *Resource) createErrorDetail(ctx context.Context, client *auth0client.Client, connID string, err error) string {
	switch {
	case auth0client.IsTokenLimit(err):
		detail := fmt.Sprintf("%s\n\nAuth0 allows %d active SCIM tokens per connection.", err, auth0client.MaxSCIMTokensPerConnection)
		if toks, lerr := client.ListSCIMTokens(ctx, connID); lerr == nil {
			detail += " Connection " + connID + " has:\n" + describe(toks)
		}
		return detail + "\nDelete one, or if this is a create_before_destroy replacement, let the old token be revoked first (remove create_before_destroy) or free a slot."
	case auth0client.IsConnectionNotFound(err):
		return fmt.Sprintf("%s\n\nCheck connection_id.", err)
	case auth0client.IsSCIMNotConfigured(err):
		return fmt.Sprintf("%s\n\nConnection %q has no SCIM configuration: create it with the auth0entra_scim_connection resource and take "+
			"connection_id from it (connection_id = auth0entra_scim_connection.<name>.connection_id), so that it exists before the token.", err, connID)
	}
	return err.Error()
}

// lifetimeRequiresReplace replaces the token when its lifetime changes: a different duration, or set versus not
// set. A different spelling of the same duration ("8760h", "525600m") is an in-place change of the text only.
type lifetimeRequiresReplace struct{}

func (lifetimeRequiresReplace) Description(context.Context) string {
	return "a different lifetime replaces the token"
}

func (m lifetimeRequiresReplace) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (lifetimeRequiresReplace) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return // create or destroy
	}
	if lifetimeChanged(req.StateValue, req.PlanValue) {
		resp.RequiresReplace = true
	}
}

func lifetimeChanged(before, after types.String) bool {
	if before.IsUnknown() || after.IsUnknown() {
		return !before.Equal(after)
	}
	if before.IsNull() || after.IsNull() {
		return before.IsNull() != after.IsNull()
	}
	a, errA := validate.ParseDuration(before.ValueString())
	b, errB := validate.ParseDuration(after.ValueString())
	if errA != nil || errB != nil {
		return before.ValueString() != after.ValueString()
	}
	return a != b
}

// describe lists tokens one per line, without secrets.
func describe(toks []auth0client.SCIMToken) string {
	lines := make([]string, len(toks))
	for i, t := range toks {
		line := fmt.Sprintf("  - %s, created %s, scopes %s", t.TokenID, t.CreatedAt, strings.Join(t.Scopes, " "))
		if t.ValidUntil != "" {
			line += ", valid until " + t.ValidUntil
		}
		if t.LastUsedAt != "" {
			line += ", last used " + t.LastUsedAt
		}
		lines[i] = line
	}
	return strings.Join(lines, "\n")
}
