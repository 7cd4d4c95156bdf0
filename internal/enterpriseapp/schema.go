package enterpriseapp

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// Schema implements resource.Resource.
func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A non-gallery **enterprise application** in Microsoft Entra ID that provisions users into an " +
			"Auth0 connection over SCIM: the application and its service principal (\"Create your own application\", " +
			"template `" + entraclient.NonGalleryTemplateID + "`), the users and groups assigned to it, the provisioning " +
			"job (template `scim`), its Admin Credentials and whether provisioning is on.\n\n" +
			"Credentials are tested with Entra's *Test Connection* (`validateCredentials`) before they are saved and " +
			"before the job starts; a failure is explained and nothing is saved. Entra replication is waited out " +
			"(a `404` right after a create is normal). Every plan reads the assignments, the job state and a " +
			"quarantine back from Entra: drift shows as an update that apply repairs.\n\n" +
			"Destroying the resource deletes the job and the application (the service principal goes with it).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Object id of the service principal (the enterprise application); the import id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the enterprise application (and of its app registration), e.g. `Auth0 SCIM (corp)`. " +
					"The provider instantiates the application under a temporary name `auth0entra-creating-<key>` and, in its " +
					"first update, gives it this name together with the tag `auth0entra:enterprise-app:<key>` (`<key>` derives " +
					"from this name), so that an apply interrupted mid-create is adopted by the next one instead of duplicated. " +
					"Use a display name once per tenant: two configurations with the same name would adopt each other's " +
					"interrupted creates.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 256)},
			},
			"oidc_client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Client id of the OpenID Connect app registration the Auth0 `waad` connection signs users in " +
					"with. It is looked up at plan time when known, and at apply otherwise; an absent " +
					"registration is an error. It is a check only: the enterprise application does not depend on it.",
				Validators: []validator.String{validators.GUID("the Application (client) ID of the OIDC app registration (Entra admin center > App registrations > the app > Overview)")},
			},
			"assignment": schema.SetNestedAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Users and groups assigned to the application (*Users and groups*), each with " +
					"the application's `User` app role. With `provisioning.scope = \"assigned\"` only they are provisioned. " +
					"When set, the set is authoritative: assignments made outside Terraform show as drift and are removed " +
					"by apply. When left out, assignments are not managed (and are reported as they are).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"principal_id": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Object id of the user or group.",
					},
					"principal_type": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "`User` or `Group`.",
					},
				}},
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				Validators:    []validator.Set{setvalidator.SizeAtMost(1000)},
			},
			"provisioning": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "Automatic provisioning: the job, its Admin Credentials, its scope " +
					"and its status. Set exactly one of `secret_token_wo` (Terraform 1.11 and later; never stored) and " +
					"`secret_token`.",
				Attributes: map[string]schema.Attribute{
					"tenant_url": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "*Tenant URL*: the Auth0 SCIM endpoint of the connection, " +
							"`https://{tenant domain}/scim/v2/connections/{connection id}`, with `?aadOptscim062020` appended " +
							"(Auth0's guide requires the flag; data source `auth0entra_scim_endpoint` exports it as `entra_tenant_url`).",
						Validators: []validator.String{tenantURLValidator{}},
					},
					"secret_token_wo": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						WriteOnly: true,
						MarkdownDescription: "*Secret Token*: an Auth0 SCIM token of the connection (scopes `get:users`, `patch:users`, " +
							"`delete:users`; see `auth0entra_scim_token`). Write-only: never stored in the plan or state. It is sent " +
							"when the application is created and whenever `secret_token_wo_version` changes.",
					},
					"secret_token_wo_version": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Any value (string or number) that changes whenever `secret_token_wo` does, e.g. the " +
							"token id `auth0entra_scim_token.x.token_id`. Changing it sends the token to Entra again. " +
							"Required with `secret_token_wo`.",
					},
					"secret_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "*Secret Token* for Terraform versions without write-only arguments. Stored " +
							"(sensitive) in the state; changing it sends the new token. Prefer `secret_token_wo`.",
					},
					"scope": schema.StringAttribute{
						Optional: true,
						Computed: true,
						Default:  stringdefault.StaticString(scopeAssigned),
						MarkdownDescription: "*Scope*: `assigned` (default) provisions only assigned users and groups; `all` " +
							"provisions every user and group of the directory.",
						Validators: []validator.String{stringvalidator.OneOf(scopeAssigned, scopeAll)},
					},
					"enabled": schema.BoolAttribute{
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(true),
						MarkdownDescription: "*Provisioning Status*: `true` (default) starts the job, `false` pauses it.",
					},
				},
			},
			"application_object_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Object id of the app registration.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"application_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Application (client) id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Object id of the service principal; what `auth0entra_attribute_mappings` needs.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"job_id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Id of the provisioning job, `scim.{tenant id without dashes}.{application id}`. A job " +
					"deleted outside Terraform is created again by the next apply.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseNonNullStateForUnknown()},
			},
			"job_status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Status code of the job as Entra reports it: `NotConfigured`, `NotRun`, `Active`, `Paused` or `Quarantine`.",
			},
			"quarantined": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether Entra has quarantined the job (typically because the token was revoked or expired, " +
					"or the tenant URL is wrong). While `provisioning.enabled` is `true`, a quarantine shows in the plan as " +
					"`quarantined: true -> false`; apply tests the configured credentials, saves them again and restarts the job.",
			},
			"quarantine_reason": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Why the job is quarantined (e.g. `EncounteredQuarantineException`); empty otherwise.",
			},
			"quarantine_error": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Error behind the quarantine, `code: message` (e.g. `SystemForCrossDomainIdentityManagementCredentialValidationFailure: ...`); empty otherwise.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long creating may take: the application (including Entra's replication delay), its " +
					"assignments, the job, testing and saving the credentials, starting the job. A duration such as `45m`; " +
					"default `30m`.",
				ReadDescription: "How long reading the application, its assignments and its job may take, at refresh and " +
					"at plan. Default `5m`.",
				UpdateDescription: "How long an update may take (assignments, credentials, starting or pausing the job). " +
					"Default `30m`.",
				DeleteDescription: "How long deleting the job and the application may take. Default `15m`.",
			}),
		},
	}
}

// resourceModel is the resource's state and plan.
type resourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	DisplayName         types.String   `tfsdk:"display_name"`
	OIDCClientID        types.String   `tfsdk:"oidc_client_id"`
	Assignment          types.Set      `tfsdk:"assignment"`
	Provisioning        *provisioning  `tfsdk:"provisioning"`
	ApplicationObjectID types.String   `tfsdk:"application_object_id"`
	ApplicationID       types.String   `tfsdk:"application_id"`
	ServicePrincipalID  types.String   `tfsdk:"service_principal_id"`
	JobID               types.String   `tfsdk:"job_id"`
	JobStatus           types.String   `tfsdk:"job_status"`
	Quarantined         types.Bool     `tfsdk:"quarantined"`
	QuarantineReason    types.String   `tfsdk:"quarantine_reason"`
	QuarantineError     types.String   `tfsdk:"quarantine_error"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// TimeoutsValue is the timeouts block, for framework.Begin.
func (m *resourceModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

// provisioning is the provisioning attribute.
type provisioning struct {
	TenantURL            types.String `tfsdk:"tenant_url"`
	SecretTokenWO        types.String `tfsdk:"secret_token_wo"`
	SecretTokenWOVersion types.String `tfsdk:"secret_token_wo_version"`
	SecretToken          types.String `tfsdk:"secret_token"`
	Scope                types.String `tfsdk:"scope"`
	Enabled              types.Bool   `tfsdk:"enabled"`
}

// assignment is one element of the assignment set.
type assignment struct {
	PrincipalID   types.String `tfsdk:"principal_id"`
	PrincipalType types.String `tfsdk:"principal_type"`
}

var assignmentType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"principal_id":   types.StringType,
	"principal_type": types.StringType,
}}
