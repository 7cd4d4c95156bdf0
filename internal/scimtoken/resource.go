// Package scimtoken implements the auth0entra_scim_token resource: one SCIM bearer token of an Auth0 connection,
// the secret Microsoft Entra's provisioning job authenticates with.
//
// Files (CONTRIBUTING.md "Resource packages"): resource.go (type, Create/Read/Update/Delete, import), schema.go
// (schema and resourceModel), plan.go (validation, rotation and the two-token limit), flatten.go (tokens to state
// values), pending.go (tokens whose creation answer was lost).
package scimtoken

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// TypeName is the resource type.
const TypeName = "auth0entra_scim_token"

const defaultTimeout = 5 * time.Minute

var (
	_ resource.Resource                   = (*Resource)(nil)
	_ resource.ResourceWithConfigure      = (*Resource)(nil)
	_ resource.ResourceWithImportState    = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan     = (*Resource)(nil)
	_ resource.ResourceWithValidateConfig = (*Resource)(nil)
)

// NewResource returns the auth0entra_scim_token resource.
func NewResource() resource.Resource {
	return &Resource{WithClients: framework.WithClients{TypeName: TypeName}}
}

// Resource is the auth0entra_scim_token resource.
type Resource struct {
	framework.WithClients
}

// Metadata implements resource.Resource.
func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Create issues the token and keeps its secret, which Auth0 returns only now.
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, client, ok := framework.Begin[resourceModel](ctx, req.Plan.Get, r.Auth0, timeouts.Value.Create, defaultTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	connID := plan.ConnectionID.ValueString()
	var scopes []string
	resp.Diagnostics.Append(plan.Scopes.ElementsAs(ctx, &scopes, false)...)
	var lifetime time.Duration
	if !plan.Lifetime.IsNull() {
		d, err := validate.ParseDuration(plan.Lifetime.ValueString())
		if err != nil || d <= auth0client.MinSCIMTokenLifetime {
			resp.Diagnostics.AddAttributeError(path.Root("lifetime"), "Invalid token lifetime",
				fmt.Sprintf("lifetime = %q must be a duration of more than 900 seconds, e.g. \"8760h\".", plan.Lifetime.ValueString()))
		}
		lifetime = d
	}
	if resp.Diagnostics.HasError() {
		return
	}

	tok, err := createToken(ctx, client, connID, scopes, lifetime)
	if err != nil {
		resp.Diagnostics.AddError("Could not create the SCIM token", r.createErrorDetail(ctx, client, connID, err))
		return
	}
	// The secret is never logged: tflog masks it in everything this request logs from now on.
	ctx = tflog.MaskMessageStrings(ctx, tok.Token)
	ctx = tflog.MaskAllFieldValuesStrings(ctx, tok.Token)
	tflog.Info(ctx, "Created SCIM token", map[string]any{"connection_id": connID, "token_id": tok.TokenID, "valid_until": tok.ValidUntil})

	state := plan
	state.ID = types.StringValue(tok.TokenID)
	state.TokenID = types.StringValue(tok.TokenID)
	state.Token = types.StringValue(tok.Token)
	state.CreatedAt = types.StringValue(tok.CreatedAt)
	state.ValidUntil = optionalString(tok.ValidUntil)
	state.LastUsedAt = optionalString(tok.LastUsedAt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenKey, privateValue(tok.TokenID))...)
}

// Read refreshes the token's metadata from the token list. The secret is not in the list: it is kept from the
// state. A token (or SCIM configuration, or connection) deleted outside Terraform removes the resource from the
// state with a warning, so that the next plan creates a new token. timeouts.read bounds it (default
// auth0client.DefaultReadTimeout).
func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, client, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Auth0, framework.ReadTimeout, auth0client.DefaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	connID, tokenID := state.ConnectionID.ValueString(), state.TokenID.ValueString()

	toks, err := client.ListSCIMTokens(ctx, connID)
	switch {
	case auth0client.IsConnectionNotFound(err):
		framework.RemovedOutside(ctx, resp, "Auth0 connection deleted outside Terraform",
			fmt.Sprintf("Connection %q no longer exists, so SCIM token %q is gone. %s is removed from the state.", connID, tokenID, TypeName))
		return
	case auth0client.IsNotFound(err):
		framework.RemovedOutside(ctx, resp, "SCIM configuration deleted outside Terraform",
			fmt.Sprintf("Connection %q has no SCIM configuration any more, and its SCIM tokens went with it, token %q included. "+
				"%s is removed from the state; the next plan creates a new token (once the SCIM configuration exists again).", connID, tokenID, TypeName))
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not list the connection's SCIM tokens", err.Error())
		return
	}
	tok := findToken(toks, tokenID)
	if tok == nil {
		framework.RemovedOutside(ctx, resp, "SCIM token revoked outside Terraform",
			fmt.Sprintf("Connection %q no longer has SCIM token %q (it was deleted in the Auth0 Dashboard or through the Management API). "+
				"%s is removed from the state and the next plan creates a new token; give the new token to Entra.", connID, tokenID, TypeName))
		return
	}

	if err := clearIfHeld(ctx, client, connID, tok.TokenID, toks); err != nil {
		tflog.Warn(ctx, "Could not remove the pending-token marker from the connection; the next refresh tries again",
			map[string]any{"connection_id": connID, "error": err.Error()})
	}

	imported := state.Scopes.IsNull()
	state.ID = types.StringValue(tok.TokenID)
	state.CreatedAt = types.StringValue(tok.CreatedAt)
	state.ValidUntil = optionalString(tok.ValidUntil)
	state.LastUsedAt = optionalString(tok.LastUsedAt)
	scopes, d := types.SetValueFrom(ctx, types.StringType, tok.Scopes)
	resp.Diagnostics.Append(d...)
	state.Scopes = scopes
	if imported {
		state.Lifetime = lifetimeOf(*tok)
		state.Token = types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenKey, privateValue(tok.TokenID))...)
}

// Update changes nothing in Auth0 (only rotate_before or timeouts can change in place); it refreshes last_used_at.
func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state resourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := r.Auth0()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Token = state.Token
	plan.LastUsedAt = state.LastUsedAt
	ctx, cancel := framework.Bound(ctx, plan.Timeouts, framework.ReadTimeout, auth0client.DefaultReadTimeout, &resp.Diagnostics) // Update only reads
	defer cancel()
	toks, err := client.ListSCIMTokens(ctx, plan.ConnectionID.ValueString())
	if err != nil {
		resp.Diagnostics.AddWarning("Could not refresh last_used_at", err.Error())
	} else if tok := findToken(toks, plan.TokenID.ValueString()); tok != nil {
		plan.LastUsedAt = optionalString(tok.LastUsedAt)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete revokes the token. A token that is already gone is fine.
func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, client, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Auth0, timeouts.Value.Delete, defaultTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	connID, tokenID := state.ConnectionID.ValueString(), state.TokenID.ValueString()
	if err := client.DeleteSCIMToken(ctx, connID, tokenID); err != nil && !auth0client.IsNotFound(err) {
		resp.Diagnostics.AddError("Could not revoke the SCIM token", err.Error())
		return
	}
	tflog.Info(ctx, "Revoked SCIM token", map[string]any{"connection_id": connID, "token_id": tokenID})
}

// ImportState imports by "<connection_id>:<token_id>". The secret cannot be imported: `token` stays null.
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	connID, tokenID, ok := strings.Cut(req.ID, ":")
	if !ok || !auth0client.IsConnectionID(connID) || !auth0client.IsSCIMTokenID(tokenID) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%s is imported by \"<connection_id>:<token_id>\", e.g. con_AbCdEfGh12345678:tok_AbCdEfGh12345678; got %q.", TypeName, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("connection_id"), connID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("token_id"), tokenID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), tokenID)...)
}

// privateTokenKey holds, in private state, the token this resource instance owns. A replacement plan (where the
// prior state is hidden) uses it to leave that token out of the two-token count.
const privateTokenKey = "token_id"

func privateValue(s string) []byte { return []byte(fmt.Sprintf("%q", s)) }
