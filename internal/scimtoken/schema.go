package scimtoken

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
)

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
				Create: true, Read: true, Delete: true,
				CreateDescription: "How long issuing the token may take, including retries while Auth0 rate-limits. A " +
					"duration such as `10m`; default `5m`.",
				ReadDescription: "How long reading the connection's tokens may take: at refresh, at plan (rotation and " +
					"the two-token limit) and in an in-place update. Default `5m`.",
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

// TimeoutsValue is the timeouts block, for framework.Begin.
func (m *resourceModel) TimeoutsValue() timeouts.Value { return m.Timeouts }
