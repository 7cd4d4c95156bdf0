// Package scimtoken implements the auth0entra_scim_token resource: one SCIM bearer token of an Auth0 connection,
// the secret Microsoft Entra's provisioning job authenticates with.
//
// Reading order: type and schema, model, Create/Read/Update/Delete, import (this file); plan-time checks:
// rotation and the two-token limit (plan.go); small helpers (helpers.go).
package scimtoken

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
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
func NewResource() resource.Resource { return &Resource{} }

// Resource is the auth0entra_scim_token resource.
type Resource struct {
	clients *conns.Clients
}

// Metadata implements resource.Resource.
func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Schema implements resource.Resource.
func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A SCIM bearer token of an Auth0 connection: the *Secret Token* Microsoft Entra's provisioning job " +
			"authenticates with. The connection must have a SCIM configuration " +
			"(`auth0entra_scim_connection`).\n\n" +
			"Auth0 shows a token's secret only once, when it is created; `token` keeps it in the Terraform state " +
			"(sensitive) and refreshing never blanks it. Auth0 allows **two** active tokens per connection: the plan " +
			"fails, listing the existing tokens, when a create would exceed that.\n\n" +
			"**Rotation.** With `lifetime` and `rotate_before`, once the token is within `rotate_before` of its expiry " +
			"the plan replaces it (an expired token is always replaced). Add `lifecycle { create_before_destroy = true }` " +
			"so that the new token exists, and can be handed to Entra, before the old one is revoked; that needs a free " +
			"slot under the two-token limit while both exist.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The token id (same as `token_id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the connection (`con_` and 16 letters or digits), e.g. `auth0entra_scim_connection.corp.connection_id`. Changing it replaces the token.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validate.ConnectionID()},
			},
			"scopes": schema.SetAttribute{
				ElementType: types.StringType,
				Required:    true,
				MarkdownDescription: "What the token may do on the SCIM endpoint: any of `" + strings.Join(auth0client.SCIMTokenScopes, "`, `") +
					"`. The guide for older (`sub`) connections uses `get:users`, `patch:users` and `delete:users`. Changing the scopes replaces the token.",
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
				Validators: []validator.Set{
					validate.SetNotEmpty(`name at least one scope, e.g. scopes = ["get:users", "patch:users", "delete:users"]`),
					setvalidator.ValueStringsAre(validate.SCIMScope()),
				},
			},
			"lifetime": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long the token is valid, as a duration with units `h`, `m` or `s`, e.g. `8760h` (one year); " +
					"more than 900 seconds, in whole seconds. Leave it out for a token that never expires. Changing it replaces the token.",
				PlanModifiers: []planmodifier.String{lifetimeRequiresReplace{}},
				Validators: []validator.String{
					validate.DurationLongerThan(auth0client.MinSCIMTokenLifetime,
						"Auth0 requires a token lifetime of more than 900 seconds (15 minutes); leave lifetime out for a token that never expires"),
					validate.DurationAtMost(auth0client.MaxSCIMTokenLifetime,
						"use a lifetime of at most 100 years, e.g. \"8760h\" (one year) with rotate_before, or leave lifetime out for a token that never expires"),
				},
			},
			"rotate_before": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Replace the token once it has less than this left before `valid_until`, e.g. `720h`. Needs " +
					"`lifetime` and must be shorter than it. Evaluated at every plan: the plan that falls inside the window " +
					"shows the token as replaced, with a warning saying why. Changing it alone changes nothing in Auth0.",
				Validators: []validator.String{
					validate.DurationLongerThan(0, "rotate_before must be a positive duration"),
				},
			},
			"token_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The token id (`tok_` and 16 letters or digits).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"token": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The secret bearer token, for Entra's *Secret Token*. Known only to the run that created the " +
					"token and kept in the state from then on; null after an import, because Auth0 never shows it again.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token was created (ISO 8601).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"valid_until": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token expires (ISO 8601); null for a token without `lifetime`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_used_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token was last used on the SCIM endpoint (ISO 8601); null until first use.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Delete: true,
				CreateDescription: "How long issuing the token may take, including retries while Auth0 rate-limits. A " +
					"duration such as `10m`; default `5m`. Reads (refresh and plan) are bounded at `5m`.",
				DeleteDescription: "How long revoking the token may take. Default `5m`.",
			}),
		},
	}
}

// resourceModel is the resource's state and plan.
type resourceModel struct {
	ID           types.String   `tfsdk:"id"`
	ConnectionID types.String   `tfsdk:"connection_id"`
	Scopes       types.Set      `tfsdk:"scopes"`
	Lifetime     types.String   `tfsdk:"lifetime"`
	RotateBefore types.String   `tfsdk:"rotate_before"`
	TokenID      types.String   `tfsdk:"token_id"`
	Token        types.String   `tfsdk:"token"`
	CreatedAt    types.String   `tfsdk:"created_at"`
	ValidUntil   types.String   `tfsdk:"valid_until"`
	LastUsedAt   types.String   `tfsdk:"last_used_at"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// Configure implements resource.ResourceWithConfigure.
func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := conns.FromProviderData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.clients = c
}

// Create issues the token and keeps its secret, which Auth0 returns only now.
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, client, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Create, &resp.Diagnostics)
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
		resp.Diagnostics.AddError("Cannot create the SCIM token", r.createErrorDetail(ctx, client, connID, err))
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
// state with a warning, so that the next plan creates a new token. It has no timeouts argument:
// auth0client.DefaultReadTimeout bounds it.
func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, client, ok := r.begin(ctx, req.State.Get, nil, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	connID, tokenID := state.ConnectionID.ValueString(), state.TokenID.ValueString()

	toks, err := client.ListSCIMTokens(ctx, connID)
	switch {
	case auth0client.IsConnectionNotFound(err):
		resp.Diagnostics.AddWarning("Auth0 connection deleted outside Terraform",
			fmt.Sprintf("Connection %q no longer exists, so SCIM token %q is gone. %s is removed from the state.", connID, tokenID, TypeName))
		resp.State.RemoveResource(ctx)
		return
	case auth0client.IsNotFound(err):
		resp.Diagnostics.AddWarning("SCIM configuration deleted outside Terraform",
			fmt.Sprintf("Connection %q has no SCIM configuration any more, and its SCIM tokens went with it, token %q included. "+
				"%s is removed from the state; the next plan creates a new token (once the SCIM configuration exists again).", connID, tokenID, TypeName))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot list the connection's SCIM tokens", err.Error())
		return
	}
	tok := findToken(toks, tokenID)
	if tok == nil {
		resp.Diagnostics.AddWarning("SCIM token revoked outside Terraform",
			fmt.Sprintf("Connection %q no longer has SCIM token %q (it was deleted in the Auth0 Dashboard or through the Management API). "+
				"%s is removed from the state and the next plan creates a new token; give the new token to Entra.", connID, tokenID, TypeName))
		resp.State.RemoveResource(ctx)
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
	client, diags := r.clients.RequireAuth0(TypeName)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Token = state.Token
	plan.LastUsedAt = state.LastUsedAt
	ctx, cancel := withReadDeadline(ctx) // Update only reads: it takes the read deadline
	defer cancel()
	toks, err := client.ListSCIMTokens(ctx, plan.ConnectionID.ValueString())
	if err != nil {
		resp.Diagnostics.AddWarning("Cannot refresh last_used_at", err.Error())
	} else if tok := findToken(toks, plan.TokenID.ValueString()); tok != nil {
		plan.LastUsedAt = optionalString(tok.LastUsedAt)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete revokes the token. A token that is already gone is fine.
func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, client, ok := r.begin(ctx, req.State.Get, timeouts.Value.Delete, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	connID, tokenID := state.ConnectionID.ValueString(), state.TokenID.ValueString()
	if err := client.DeleteSCIMToken(ctx, connID, tokenID); err != nil && !auth0client.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot revoke the SCIM token", err.Error())
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

// begin is how Create, Read and Delete start: it reads the resource's model with get (the plan's or the state's
// Get) and the Auth0 client, and bounds ctx by the timeout timeoutOf picks (timeouts.Value.Create or
// timeouts.Value.Delete), or by the read deadline when timeoutOf is nil. The returned cancel is never nil: the
// caller defers it even when ok is false.
func (r *Resource) begin(ctx context.Context, get func(context.Context, any) diag.Diagnostics,
	timeoutOf func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics,
) (context.Context, context.CancelFunc, resourceModel, *auth0client.Client, bool) {
	var m resourceModel
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return ctx, func() {}, m, nil, false
	}
	client, d := r.clients.RequireAuth0(TypeName)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, m, nil, false
	}
	if timeoutOf == nil {
		ctx, cancel := withReadDeadline(ctx)
		return ctx, cancel, m, client, true
	}
	timeout, d := timeoutOf(m.Timeouts, ctx, defaultTimeout)
	diags.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, m, client, true
}

// privateTokenKey holds, in private state, the token this resource instance owns. A replacement plan (where the
// prior state is hidden) uses it to leave that token out of the two-token count.
const privateTokenKey = "token_id"

func privateValue(s string) []byte { return []byte(fmt.Sprintf("%q", s)) }
