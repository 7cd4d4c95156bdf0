package scimconnection

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
)

// Schema implements resource.Resource.
func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Enables inbound SCIM provisioning on an existing Auth0 **Microsoft Azure AD** (`waad`) connection " +
			"and manages the connection settings SCIM depends on (the Auth0 side of the guide \"Configure inbound SCIM for " +
			"older Azure AD connections\").\n\n" +
			"The SCIM mapping is declared as overrides of Auth0's default mapping for `waad` connections, keyed by SCIM " +
			"attribute; `effective_mapping` shows what Auth0 holds. Only the connection settings written in " +
			"`connection_settings` are changed; every other connection option is read and written back unchanged.\n\n" +
			"Destroying (or replacing) the resource deletes the SCIM configuration, and with it the connection's SCIM tokens: " +
			"`auth0entra_scim_token` resources notice at the next plan and create new tokens. The connection and its " +
			"settings stay as they are.\n\n" +
			"**Interrupted applies.** Just before it enables SCIM, the resource writes the metadata key `auth0entra_scim` on the " +
			"connection (and removes it on destroy). A SCIM configuration found on a connection carrying that key was created by an " +
			"earlier, interrupted run of the provider (killed process, lost answer): the next apply adopts it instead of asking for an " +
			"import. A configuration made by anyone else makes the plan fail and asks for an import.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The connection id (same as `connection_id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the existing `waad` connection (`con_` and 16 letters or digits). Changing it moves SCIM to another connection (replacement).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validate.ConnectionID()},
			},
			"user_id_attribute": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(auth0client.DefaultUserIDAttribute),
				MarkdownDescription: "The SCIM attribute holding the user id that Auth0 matches against the user's login identity (Dashboard: *SCIM attribute containing the User ID*). Default `externalId`.",
				Validators:          []validator.String{validate.NotEmpty(`write a SCIM attribute of the mapping, e.g. "externalId", or leave user_id_attribute out for that default`)},
			},
			"mapping": schema.SetNestedAttribute{
				Optional: true,
				MarkdownDescription: "Rows merged over Auth0's default mapping, keyed by `scim`: a row whose `scim` attribute is in the " +
					"default mapping replaces that row's Auth0 attribute; any other row is added. Each `scim` attribute may " +
					"appear once. Rows of the default mapping that no row here names stay as they are; remove them with " +
					"`remove_default_mapping`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"scim": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "SCIM attribute path, e.g. `userName`, `emails[type eq \"work\"].value` or `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department`.",
						Validators:          []validator.String{validate.NotEmpty(`write a SCIM attribute path, e.g. "userName" or "emails[type eq \"work\"].value"`)},
					},
					"auth0": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Auth0 user attribute, e.g. `email`, `given_name` or `app_metadata.department`.",
						Validators:          []validator.String{validate.NotEmpty(`write an Auth0 user attribute, e.g. "email" or "app_metadata.department"`)},
					},
				}},
			},
			"remove_default_mapping": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "SCIM attributes whose rows are removed from Auth0's default mapping, e.g. " +
					"`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager` (Entra cannot read Auth0's answer " +
					"when the manager is mapped). A SCIM attribute cannot be both here and in `mapping`.",
				Validators: []validator.Set{
					validate.SetNotEmpty("name at least one SCIM attribute, or leave remove_default_mapping out"),
					setvalidator.ValueStringsAre(validate.NotEmpty(`write the SCIM attribute of a default row, e.g. "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"`)),
				},
			},
			"connection_settings": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Settings of the connection itself that SCIM depends on. Only the " +
					"settings written here are managed; the others are read so that they show in the plan. The settings " +
					"stay on the connection when this resource is destroyed.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"user_id_claim": schema.StringAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "*User ID Attribute Type* (option `userid_attribute`): `sub` (Pairwise Subject Identifier, " +
							"what older connections use) or `oid` (User Object Identifier, recommended for new connections). " +
							"A connection on which it was never set reads as `sub`, Auth0's default.",
						Validators: []validator.String{validate.OneOf([]string{claimSub, claimOID}, []string{"Pairwise Subject Identifier, what older connections use", "User Object Identifier"})},
					},
					"use_common_endpoint": schema.BoolAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "*Use Common Endpoint* (option `useCommonEndpoint`). Auth0 cannot enable SCIM on a connection " +
							"that uses the Azure AD common endpoint, so the only value that can be written is `false`; write it to " +
							"turn the common endpoint off on a connection that uses it.",
						Validators: []validator.Bool{mustBeFalse{}},
					},
					"set_user_root_attributes": schema.StringAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "*Sync user profile attributes at each login* (option `set_user_root_attributes`): " +
							"`on_each_login` (the Dashboard toggle on; the guide for older connections asks for it), " +
							"`on_first_login` (toggle off) or `never_on_login`. For `waad` connections Auth0 shows the toggle on " +
							"only when the option is absent, so `on_each_login` is written by removing the option.",
						Validators: []validator.String{validate.OneOf([]string{syncEachLogin, syncFirstLogin, syncNever}, []string{"the Dashboard toggle on", "toggle off", "never"})},
					},
				},
			},
			"effective_mapping": schema.MapAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "The mapping Auth0 holds, SCIM attribute → Auth0 attribute. The plan shows the mapping " +
					"that will result (the default mapping with `mapping` merged over it and `remove_default_mapping` " +
					"taken out), so a change made outside Terraform shows as a difference here.",
			},
			"tenant_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant name Auth0 reports with the SCIM configuration.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connection_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The connection's name.",
			},
			"strategy": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The connection's strategy (always `waad`).",
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the SCIM configuration was created (ISO 8601).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_on": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the SCIM configuration was last changed (ISO 8601; Auth0's `updated_on`).",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long writing the connection settings and creating the SCIM configuration may " +
					"take, including retries while Auth0 rate-limits. A duration such as `15m`; default `10m`.",
				ReadDescription: "How long reading the connection and its SCIM configuration may take, at refresh and " +
					"at plan. Default `5m`.",
				UpdateDescription: "How long an update of the settings and the SCIM configuration may take. Default `10m`.",
				DeleteDescription: "How long deleting the SCIM configuration may take. Default `10m`.",
			}),
		},
	}
}

// resourceModel is the resource's state and plan.
type resourceModel struct {
	ID                   types.String   `tfsdk:"id"`
	ConnectionID         types.String   `tfsdk:"connection_id"`
	UserIDAttribute      types.String   `tfsdk:"user_id_attribute"`
	Mapping              types.Set      `tfsdk:"mapping"`
	RemoveDefaultMapping types.Set      `tfsdk:"remove_default_mapping"`
	ConnectionSettings   types.Object   `tfsdk:"connection_settings"`
	EffectiveMapping     types.Map      `tfsdk:"effective_mapping"`
	TenantName           types.String   `tfsdk:"tenant_name"`
	ConnectionName       types.String   `tfsdk:"connection_name"`
	Strategy             types.String   `tfsdk:"strategy"`
	CreatedAt            types.String   `tfsdk:"created_at"`
	UpdatedOn            types.String   `tfsdk:"updated_on"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// TimeoutsValue is the timeouts block, for framework.Begin.
func (m *resourceModel) TimeoutsValue() timeouts.Value { return m.Timeouts }
