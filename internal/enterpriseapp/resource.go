// Package enterpriseapp implements the auth0entra_enterprise_app resource: the non-gallery enterprise application
// that provisions users from Microsoft Entra ID into Auth0 over SCIM (the Entra side of
// contributing/facts/manual-setup.md).
//
// The resource owns the application (template 8adf8e6e-67b2-4cf2-a259-e3dc5476c621) and its service principal, the
// users and groups assigned to it, the provisioning job (template "scim"), the job's credentials (tenant URL and
// secret token, tested with validateCredentials before they are saved) and whether provisioning is on.
package enterpriseapp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

const typeName = "auth0entra_enterprise_app"

// Scope values and the SyncAll secret they stand for.
const (
	scopeAssigned = "assigned"
	scopeAll      = "all"
)

// privateCredentialsPending marks, in private state, a job created by an apply that failed before its credentials
// were saved: the next apply saves them even though the configuration did not change.
const privateCredentialsPending = "credentials_pending"

// userRoleName is the app role assignments get: the one the portal's "Users and groups" blade assigns, looked up by
// display name because gallery and non-gallery apps use different ids for it (microsoft-graph.md §3.2).
const userRoleName = "User"

// Default timeouts.
const (
	defaultCreateTimeout = 30 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultDeleteTimeout = 15 * time.Minute
)

var (
	_ resource.Resource                   = (*Resource)(nil)
	_ resource.ResourceWithConfigure      = (*Resource)(nil)
	_ resource.ResourceWithImportState    = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan     = (*Resource)(nil)
	_ resource.ResourceWithValidateConfig = (*Resource)(nil)
)

// NewResource returns the auth0entra_enterprise_app resource.
func NewResource() resource.Resource { return &Resource{} }

// Resource is the auth0entra_enterprise_app resource.
type Resource struct {
	clients *conns.Clients
}

// Metadata implements resource.Resource.
func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = typeName
}

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
				Required:            true,
				MarkdownDescription: "Name of the enterprise application (and of its app registration), e.g. `Auth0 SCIM (corp)`.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
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
						Validators:          []validator.String{validators.GUID("the Object ID of the user or group (Entra admin center > Users or Groups > Overview)")},
					},
					"principal_type": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "`User` or `Group`.",
						Validators:          []validator.String{stringvalidator.OneOf(entraclient.PrincipalUser, entraclient.PrincipalGroup)},
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

// model is the resource's state.
type model struct {
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

// Configure implements resource.ResourceWithConfigure.
func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := conns.FromProviderData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.clients = c
}

// ValidateConfig implements resource.ResourceWithValidateConfig: the checks that need no API call.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg model
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
			if a.PrincipalID.IsUnknown() || a.PrincipalID.IsNull() || a.PrincipalType.IsUnknown() {
				continue
			}
			id := strings.ToLower(a.PrincipalID.ValueString())
			if prev, ok := seen[id]; ok {
				resp.Diagnostics.AddAttributeError(path.Root("assignment"), "Principal assigned twice",
					fmt.Sprintf("Principal %s appears in assignment as %s and as %s. A principal is a user or a group, not both: keep one element for it.",
						a.PrincipalID.ValueString(), prev, a.PrincipalType.ValueString()))
			}
			seen[id] = a.PrincipalType.ValueString()
		}
	}
}

// validateToken enforces "exactly one of secret_token_wo and secret_token", and the version that goes with the
// write-only token.
func validateToken(p *provisioning, diags *diag.Diagnostics) {
	root := path.Root("provisioning")
	if p.SecretTokenWO.IsUnknown() || p.SecretToken.IsUnknown() {
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
	if r.clients != nil && r.clients.Entra == nil {
		// Destroying needs Entra as much as creating does. (With no provider data at all, as during validation,
		// there is nothing to say yet.)
		_, diags := r.clients.RequireEntra(typeName)
		resp.Diagnostics.Append(diags...)
		return
	}
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *model
	if !req.State.Raw.IsNull() {
		state = &model{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if c := r.entra(); c != nil {
		timeout, diags := plan.Timeouts.Read(ctx, defaultReadTimeout)
		resp.Diagnostics.Append(diags...)
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if id := plan.OIDCClientID; !id.IsNull() && !id.IsUnknown() {
			resp.Diagnostics.Append(checkOIDCApp(ctx, c, id.ValueString())...)
		}
		resp.Diagnostics.Append(checkNewPrincipals(ctx, c, plan, state)...)
		resp.Diagnostics.Append(r.groupScopeWarning(ctx, req, plan, state)...) // groups_warning.go
	}
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

// Create implements resource.Resource.
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	token, diags := configuredToken(ctx, req.Config, plan.Provisioning)
	resp.Diagnostics.Append(diags...)
	c := r.require(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(maskToken(ctx, token), timeout)
	defer cancel()

	// The OIDC app registration, when it was not known at plan time.
	if id := plan.OIDCClientID; !id.IsNull() {
		if resp.Diagnostics.Append(checkOIDCApp(ctx, c, id.ValueString())...); resp.Diagnostics.HasError() {
			return
		}
	}

	// Non-gallery app: the application and its service principal. From here on, state holds what exists, so a failure
	// later leaves a tainted resource that the next apply destroys and creates again: nothing is orphaned.
	app, err := c.CreateEnterpriseApp(ctx, plan.DisplayName.ValueString())
	if app != nil {
		plan.ID = types.StringValue(app.ServicePrincipal.ID)
		plan.ServicePrincipalID = types.StringValue(app.ServicePrincipal.ID)
		plan.ApplicationObjectID = types.StringValue(app.Application.ObjectID)
		plan.ApplicationID = types.StringValue(app.Application.AppID)
		if app.ServicePrincipal.ID == "" {
			plan.ID, plan.ServicePrincipalID = types.StringNull(), types.StringNull()
		}
		saveProgress(ctx, &resp.State, plan, &resp.Diagnostics)
	}
	if app != nil {
		for _, w := range app.Warnings {
			resp.Diagnostics.AddWarning("Duplicate enterprise application left in Entra", w)
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not create the enterprise application", describe(err))
		return
	}
	tflog.Info(ctx, "Created the enterprise application", map[string]any{"service_principal_id": app.ServicePrincipal.ID, "application_id": app.Application.AppID})

	// Assignments.
	if !plan.Assignment.IsUnknown() {
		if resp.Diagnostics.Append(reconcileAssignments(ctx, c, &app.ServicePrincipal, plan.Assignment)...); resp.Diagnostics.HasError() {
			return
		}
	}

	// The provisioning job.
	job, err := c.CreateJob(ctx, app.ServicePrincipal.ID, entraclient.SCIMTemplateID)
	if job != nil && job.ID != "" {
		plan.JobID = types.StringValue(job.ID)
		saveProgress(ctx, &resp.State, plan, &resp.Diagnostics)
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not create the provisioning job", describe(err))
		return
	}

	// Admin credentials: test the credentials, then save them. Provisioning on: switch provisioning on.
	if resp.Diagnostics.Append(saveCredentials(ctx, c, app.ServicePrincipal.ID, job.ID, plan.Provisioning, token)...); resp.Diagnostics.HasError() {
		return
	}
	if plan.Provisioning.Enabled.ValueBool() {
		if err := c.StartJob(ctx, app.ServicePrincipal.ID, job.ID); err != nil {
			resp.Diagnostics.AddError("Could not start provisioning", describe(err))
			return
		}
	}

	resp.Diagnostics.Append(r.readInto(ctx, c, &plan, true)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read implements resource.Resource.
func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, c, ok := r.beginWithState(ctx, req.State, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	spID := state.ServicePrincipalID.ValueString()
	if spID == "" {
		spID = state.ID.ValueString()
	}
	if _, err := c.GetServicePrincipal(ctx, spID); entraclient.IsNotFound(err) {
		tflog.Warn(ctx, "The enterprise application no longer exists; removing it from the state", map[string]any{"service_principal_id": spID})
		resp.Diagnostics.AddWarning("Enterprise application deleted outside Terraform", deletedDetail(ctx, c, state, spID))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(r.readInto(ctx, c, &state, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update implements resource.Resource.
func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	token, diags := configuredToken(ctx, req.Config, plan.Provisioning)
	resp.Diagnostics.Append(diags...)
	c := r.require(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(maskToken(ctx, token), timeout)
	defer cancel()

	// Ids never change; a job may be created again below.
	plan.ID, plan.ServicePrincipalID = state.ID, state.ServicePrincipalID
	plan.ApplicationObjectID, plan.ApplicationID = state.ApplicationObjectID, state.ApplicationID
	plan.JobID = state.JobID
	spID := state.ServicePrincipalID.ValueString()

	if !plan.OIDCClientID.IsNull() && !plan.OIDCClientID.Equal(state.OIDCClientID) {
		if resp.Diagnostics.Append(checkOIDCApp(ctx, c, plan.OIDCClientID.ValueString())...); resp.Diagnostics.HasError() {
			return
		}
	}
	if !plan.DisplayName.Equal(state.DisplayName) {
		if err := c.RenameEnterpriseApp(ctx, state.ApplicationObjectID.ValueString(), spID, plan.DisplayName.ValueString()); err != nil {
			resp.Diagnostics.AddError("Could not rename the enterprise application", describe(err))
			return
		}
	}
	sp, err := c.GetServicePrincipal(ctx, spID)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the enterprise application", describe(err))
		return
	}
	if !plan.Assignment.IsUnknown() && !plan.Assignment.IsNull() {
		if resp.Diagnostics.Append(reconcileAssignments(ctx, c, sp, plan.Assignment)...); resp.Diagnostics.HasError() {
			return
		}
	}

	// The job: read it, or create it again when it was deleted outside Terraform.
	var job *entraclient.Job
	if !state.JobID.IsNull() {
		job, err = c.GetJob(ctx, spID, state.JobID.ValueString())
		if err != nil && !entraclient.IsNotFound(err) {
			resp.Diagnostics.AddError("Could not read the provisioning job", describe(err))
			return
		}
	}
	pending, diags := req.Private.GetKey(ctx, privateCredentialsPending)
	resp.Diagnostics.Append(diags...)
	jobCreated := false
	if job == nil {
		job, err = c.CreateJob(ctx, spID, entraclient.SCIMTemplateID)
		if job != nil && job.ID != "" {
			// Record the new job, and that it still needs its credentials, in case a later step fails: the state
			// otherwise stays as it was before this apply.
			plan.JobID = types.StringValue(job.ID)
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("job_id"), job.ID)...)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCredentialsPending, []byte(`true`))...)
		}
		if err != nil {
			resp.Diagnostics.AddError("Could not create the provisioning job", describe(err))
			return
		}
		jobCreated = true
	}

	// Credentials: whenever they or the job changed, and to repair a quarantine.
	repair := job.Quarantined() && plan.Provisioning.Enabled.ValueBool()
	if jobCreated || repair || len(pending) > 0 || credentialsChanged(state.Provisioning, plan.Provisioning) {
		if resp.Diagnostics.Append(saveCredentials(ctx, c, spID, job.ID, plan.Provisioning, token)...); resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCredentialsPending, nil)...)
	}
	switch {
	case plan.Provisioning.Enabled.ValueBool() && (!job.Enabled() || repair || jobCreated):
		err = c.StartJob(ctx, spID, job.ID)
	case !plan.Provisioning.Enabled.ValueBool() && job.Enabled():
		err = c.PauseJob(ctx, spID, job.ID)
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not switch provisioning "+onOff(plan.Provisioning.Enabled.ValueBool()), describe(err))
		return
	}

	planned := plan.Quarantined
	resp.Diagnostics.Append(r.readInto(ctx, c, &plan, true)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !planned.IsUnknown() && !planned.IsNull() && !planned.ValueBool() && plan.Quarantined.ValueBool() {
		resp.Diagnostics.AddError("Provisioning job is still quarantined",
			fmt.Sprintf("The credentials passed Entra's test and the job was restarted, but Entra quarantined job %s again (%s%s). Check the Auth0 side (connection, token scopes) and run apply again.",
				plan.JobID.ValueString(), plan.QuarantineReason.ValueString(), prefixed(": ", plan.QuarantineError.ValueString())))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete implements resource.Resource.
func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, c, ok := r.beginWithState(ctx, req.State, timeouts.Value.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	spID := state.ServicePrincipalID.ValueString()
	if spID != "" && !state.JobID.IsNull() && state.JobID.ValueString() != "" {
		if err := c.DeleteJob(ctx, spID, state.JobID.ValueString()); err != nil {
			resp.Diagnostics.AddError("Could not delete the provisioning job", describe(err))
			return
		}
	}
	objectID := state.ApplicationObjectID.ValueString()
	if objectID == "" && state.ApplicationID.ValueString() != "" {
		app, err := c.FindApplicationByAppID(ctx, state.ApplicationID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Could not find the application to delete", describe(err))
			return
		}
		if app != nil {
			objectID = app.ObjectID
		}
	}
	if objectID == "" {
		return
	}
	if err := c.DeleteApplication(ctx, objectID); err != nil {
		resp.Diagnostics.AddError("Could not delete the enterprise application", describe(err))
	}
}

// ImportState implements resource.ResourceWithImportState: the import id is the service principal's object id.
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if !validators.IsGUID(id) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not a service principal object id. Import %s by the object id of its service principal (Enterprise applications > Properties > Object ID), e.g. terraform import %s.corp 00000000-0000-0000-0000-000000000000.", req.ID, typeName, typeName))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("service_principal_id"), id)...)
}

// readInto refreshes m from Entra: application, assignments, job and saved credentials. afterWrite is true in
// Create and Update, where what was just written must be seen (assignment lists lag; they are polled).
func (r *Resource) readInto(ctx context.Context, c *entraclient.Client, m *model, afterWrite bool) diag.Diagnostics {
	var diags diag.Diagnostics
	spID := m.ServicePrincipalID.ValueString()
	if spID == "" {
		spID = m.ID.ValueString()
	}
	sp, err := c.GetServicePrincipal(ctx, spID)
	if err != nil {
		diags.AddError("Could not read the enterprise application", describe(err))
		return diags
	}
	m.ID, m.ServicePrincipalID = types.StringValue(sp.ID), types.StringValue(sp.ID)
	m.ApplicationID = types.StringValue(sp.AppID)
	app, err := c.FindApplicationByAppID(ctx, sp.AppID)
	if err != nil {
		diags.AddError("Could not read the application registration", describe(err))
		return diags
	}
	if app != nil {
		m.ApplicationObjectID = types.StringValue(app.ObjectID)
		m.DisplayName = types.StringValue(app.DisplayName)
	} else {
		m.DisplayName = types.StringValue(sp.DisplayName)
	}

	// Assignments: the real set, so that drift shows in the plan.
	want := m.Assignment
	var got []entraclient.AppRoleAssignment
	read := func(ctx context.Context) (bool, error) {
		got, err = c.ListAppRoleAssignedTo(ctx, sp.ID)
		if err != nil {
			return false, err
		}
		if !afterWrite || want.IsUnknown() || want.IsNull() {
			return true, nil
		}
		return sameAssignments(ctx, want, got), nil
	}
	if afterWrite {
		err = c.WaitUntil(ctx, "waiting for the assignments to show", read)
	} else {
		_, err = read(ctx)
	}
	if err != nil {
		diags.AddError("Could not read the assignments", describe(err))
		return diags
	}
	set, d := flattenAssignments(ctx, got, want)
	diags.Append(d...)
	m.Assignment = set

	// The job.
	var job *entraclient.Job
	if id := m.JobID.ValueString(); id != "" {
		job, err = c.GetJob(ctx, sp.ID, id)
		if entraclient.IsNotFound(err) {
			job, err = nil, nil
		}
	} else if !afterWrite {
		var jobs []entraclient.Job
		jobs, err = c.ListJobs(ctx, sp.ID)
		job = pickJob(jobs)
	}
	if err != nil {
		diags.AddError("Could not read the provisioning job", describe(err))
		return diags
	}
	if m.Provisioning == nil {
		m.Provisioning = &provisioning{SecretTokenWO: types.StringNull(), SecretTokenWOVersion: types.StringNull(),
			SecretToken: types.StringNull(), TenantURL: types.StringNull(), Scope: types.StringValue(scopeAssigned)}
	}
	if job == nil {
		m.JobID, m.JobStatus = types.StringNull(), types.StringNull()
		m.Quarantined, m.QuarantineReason, m.QuarantineError = types.BoolValue(false), types.StringValue(""), types.StringValue("")
		m.Provisioning.Enabled = types.BoolValue(false)
	} else {
		m.JobID, m.JobStatus = types.StringValue(job.ID), types.StringValue(job.Status.Code)
		m.Quarantined = types.BoolValue(job.Quarantined())
		m.QuarantineReason, m.QuarantineError = types.StringValue(job.QuarantineReason()), types.StringValue(job.QuarantineError())
		m.Provisioning.Enabled = types.BoolValue(job.Enabled())
	}

	// Saved credentials: the tenant URL and the scope come back in clear; the token comes back masked.
	secrets, err := c.GetSecrets(ctx, sp.ID)
	switch {
	case err == nil:
		for _, s := range secrets {
			switch s.Key {
			case entraclient.SecretBaseAddress:
				if s.Value != "" && !entraclient.IsMasked(s.Value) {
					m.Provisioning.TenantURL = types.StringValue(s.Value)
				}
			case entraclient.SecretSyncAll:
				if strings.EqualFold(s.Value, "true") {
					m.Provisioning.Scope = types.StringValue(scopeAll)
				} else if strings.EqualFold(s.Value, "false") {
					m.Provisioning.Scope = types.StringValue(scopeAssigned)
				}
			}
		}
	case entraclient.StatusCode(err) == http.StatusNotFound:
		// No credentials saved yet.
	default:
		diags.AddError("Could not read the provisioning credentials", describe(err))
	}
	if m.Provisioning.Scope.IsNull() || m.Provisioning.Scope.IsUnknown() {
		m.Provisioning.Scope = types.StringValue(scopeAssigned)
	}
	return diags
}

// deletedDetail explains a service principal found deleted by Read: what is gone, what the next apply does, and
// whether the app registration survived it (deleting the service principal alone leaves the application).
func deletedDetail(ctx context.Context, c *entraclient.Client, state model, spID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The service principal %s of enterprise application %q no longer exists in Microsoft Entra (it was deleted outside Terraform), and with it the provisioning job and the assignments. Terraform removed %s from the state: the next apply creates the enterprise application again, with a new service principal, provisioning job and credentials.",
		spID, state.DisplayName.ValueString(), typeName)
	if objectID := state.ApplicationObjectID.ValueString(); objectID != "" {
		if app, err := c.GetApplication(ctx, objectID); err == nil && app != nil {
			fmt.Fprintf(&b, " The app registration %s (client id %s) still exists and is no longer managed by Terraform: delete it in the Entra admin center (App registrations) if it is not needed.", objectID, app.AppID)
		}
	}
	return b.String()
}

// entra returns the Entra client when the provider is configured, else nil (validation runs before configuration).
func (r *Resource) entra() *entraclient.Client {
	if r.clients == nil {
		return nil
	}
	return r.clients.Entra
}

// beginWithState is how Read and Delete start: it reads the state and the Entra client, and bounds ctx by the
// timeout timeoutOf picks (timeouts.Value.Read or timeouts.Value.Delete), dflt when the configuration sets none.
// The returned cancel is never nil: the caller defers it even when ok is false.
func (r *Resource) beginWithState(ctx context.Context, st tfsdk.State,
	timeoutOf func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics), dflt time.Duration,
	diags *diag.Diagnostics,
) (context.Context, context.CancelFunc, model, *entraclient.Client, bool) {
	var state model
	diags.Append(st.Get(ctx, &state)...)
	c := r.require(diags)
	if diags.HasError() {
		return ctx, func() {}, state, nil, false
	}
	timeout, d := timeoutOf(state.Timeouts, ctx, dflt)
	diags.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, state, c, true
}

func (r *Resource) require(diags *diag.Diagnostics) *entraclient.Client {
	c, d := r.clients.RequireEntra(typeName)
	diags.Append(d...)
	return c
}

// checkOIDCApp looks up the OIDC app registration.
func checkOIDCApp(ctx context.Context, c *entraclient.Client, clientID string) diag.Diagnostics {
	var diags diag.Diagnostics
	app, err := c.FindApplicationByAppID(ctx, clientID)
	if err != nil {
		diags.AddAttributeError(path.Root("oidc_client_id"), "Could not look up the OIDC app registration", describe(err))
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
func checkNewPrincipals(ctx context.Context, c *entraclient.Client, plan model, state *model) diag.Diagnostics {
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
			diags.AddAttributeError(path.Root("assignment"), "Could not look up an assigned principal", describe(err))
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

// reconcileAssignments makes the service principal's assignments equal the wanted set: it adds the missing
// principals with the User app role and removes the others.
func reconcileAssignments(ctx context.Context, c *entraclient.Client, sp *entraclient.ServicePrincipal, wantSet types.Set) diag.Diagnostics {
	var diags diag.Diagnostics
	var want []assignment
	diags.Append(wantSet.ElementsAs(ctx, &want, false)...)
	if diags.HasError() {
		return diags
	}
	have, err := c.ListAppRoleAssignedTo(ctx, sp.ID)
	if err != nil {
		diags.AddError("Could not read the assignments", describe(err))
		return diags
	}
	wanted := map[string]bool{}
	for _, a := range want {
		wanted[strings.ToLower(a.PrincipalID.ValueString())] = true
	}
	present := map[string]bool{}
	for _, h := range have {
		id := strings.ToLower(h.PrincipalID)
		if !wanted[id] {
			tflog.Info(ctx, "Removing an assignment that is not in the configuration", map[string]any{"principal_id": h.PrincipalID, "principal_type": h.PrincipalType})
			if err := c.RemoveAppRoleAssignment(ctx, sp.ID, h.ID); err != nil {
				diags.AddAttributeError(path.Root("assignment"), "Could not remove an assignment", describe(err))
				return diags
			}
			continue
		}
		present[id] = true
	}
	var role entraclient.AppRole
	for _, a := range want {
		id := a.PrincipalID.ValueString()
		if present[strings.ToLower(id)] {
			continue
		}
		if role.ID == "" {
			r, ok := sp.RoleByDisplayName(userRoleName)
			if !ok {
				names := make([]string, 0, len(sp.AppRoles))
				for _, r := range sp.AppRoles {
					names = append(names, r.DisplayName)
				}
				diags.AddAttributeError(path.Root("assignment"), "The application has no User app role",
					fmt.Sprintf("Service principal %s declares no enabled app role named %q (it has: %s), so users and groups cannot be assigned the way the portal does. Restore the role in the application's App roles.",
						sp.ID, userRoleName, strings.Join(names, ", ")))
				return diags
			}
			role = r
		}
		if _, err := c.AssignAppRole(ctx, sp.ID, role.ID, id); err != nil {
			diags.AddAttributeError(path.Root("assignment"), "Could not assign a principal",
				fmt.Sprintf("Assigning %s %s to the application failed: %s", strings.ToLower(a.PrincipalType.ValueString()), id, describe(err)))
			return diags
		}
		present[strings.ToLower(id)] = true
	}
	return diags
}

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
		if transientGraphError(err) {
			diags.AddAttributeError(path.Root("provisioning"), "Microsoft Graph could not run Test Connection", transientHelp(tenantURL, err))
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
		diags.AddError("Could not save the provisioning credentials", describe(err))
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

// credentialsHelp explains a Test Connection that failed because of the credentials (or the Auth0 side).
func credentialsHelp(tenantURL string, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Entra's Test Connection (validateCredentials) with Tenant URL %s failed with %s", tenantURL, statusText(err))
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

// saveProgress records what exists so far, so that a failure later leaves no orphan: unknown values become null.
func saveProgress(ctx context.Context, st *tfsdk.State, m model, diags *diag.Diagnostics) {
	for _, s := range []*types.String{&m.ID, &m.ApplicationObjectID, &m.ApplicationID, &m.ServicePrincipalID, &m.JobID, &m.JobStatus, &m.QuarantineReason, &m.QuarantineError} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.Quarantined.IsUnknown() {
		m.Quarantined = types.BoolNull()
	}
	if m.Assignment.IsUnknown() {
		m.Assignment = types.SetNull(assignmentType)
	}
	diags.Append(st.Set(ctx, &m)...)
}

// flattenAssignments renders the listed assignments as the assignment set, keeping the spelling (case) of principal
// ids as they were written in prior.
func flattenAssignments(ctx context.Context, as []entraclient.AppRoleAssignment, prior types.Set) (types.Set, diag.Diagnostics) {
	spelling := map[string]string{}
	if !prior.IsNull() && !prior.IsUnknown() {
		var ps []assignment
		_ = prior.ElementsAs(ctx, &ps, false)
		for _, p := range ps {
			spelling[strings.ToLower(p.PrincipalID.ValueString())] = p.PrincipalID.ValueString()
		}
	}
	seen := map[string]bool{}
	elems := []attr.Value{}
	sort.Slice(as, func(i, j int) bool { return as[i].PrincipalID < as[j].PrincipalID })
	for _, a := range as {
		id := strings.ToLower(a.PrincipalID)
		if seen[id] {
			continue
		}
		seen[id] = true
		written := a.PrincipalID
		if s, ok := spelling[id]; ok {
			written = s
		}
		obj, d := types.ObjectValue(assignmentType.AttrTypes, map[string]attr.Value{
			"principal_id":   types.StringValue(written),
			"principal_type": types.StringValue(a.PrincipalType),
		})
		if d.HasError() {
			return types.SetNull(assignmentType), d
		}
		elems = append(elems, obj)
	}
	return types.SetValue(assignmentType, elems)
}

// sameAssignments reports whether the listed assignments cover exactly the wanted principals.
func sameAssignments(ctx context.Context, want types.Set, got []entraclient.AppRoleAssignment) bool {
	var ws []assignment
	if want.ElementsAs(ctx, &ws, false).HasError() {
		return true
	}
	w := map[string]bool{}
	for _, a := range ws {
		w[strings.ToLower(a.PrincipalID.ValueString())] = true
	}
	g := map[string]bool{}
	for _, a := range got {
		g[strings.ToLower(a.PrincipalID)] = true
	}
	if len(w) != len(g) {
		return false
	}
	for id := range w {
		if !g[id] {
			return false
		}
	}
	return true
}

// pickJob chooses the SCIM provisioning job among a service principal's jobs (import).
func pickJob(jobs []entraclient.Job) *entraclient.Job {
	for _, pref := range []string{entraclient.SCIMTemplateID, "customappsso"} {
		for i := range jobs {
			if strings.EqualFold(jobs[i].TemplateID, pref) {
				return &jobs[i]
			}
		}
	}
	if len(jobs) > 0 {
		return &jobs[0]
	}
	return nil
}

func key(id, typ string) string { return strings.ToLower(id) + "/" + typ }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// describe renders an Entra error for a diagnostic, with a hint for the common causes.
func describe(err error) string {
	e := entraclient.AsError(err)
	if e == nil {
		return err.Error()
	}
	msg := e.Error()
	switch {
	case e.Auth:
		msg += "\n\nCheck the provider's entra block (tenant_id, client_id and the credential) or the ARM_* variables."
	case e.StatusCode == http.StatusForbidden:
		msg += "\n\nThe principal Terraform runs as lacks a permission: it needs Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All and Synchronization.ReadWrite.All (admin-consented)."
	case e.StatusCode == http.StatusTooManyRequests:
		msg += "\n\nMicrosoft Graph kept throttling until the operation's time ran out; raise the resource's timeouts or run apply again later."
	}
	return msg
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
			fmt.Sprintf("%s is %q, which is not a URL. Use the connection's SCIM endpoint, e.g. https://acme.eu.auth0.com/scim/v2/connections/con_0123456789abcdef?aadOptscim062020 (data source auth0entra_scim_endpoint, attribute entra_tenant_url).", req.Path, raw))
		return
	case u.Scheme != "https":
		resp.Diagnostics.AddAttributeError(req.Path, "Tenant URL must use https",
			fmt.Sprintf("%s is %q. Entra only provisions to https endpoints: use https://%s%s.", req.Path, raw, u.Host, u.EscapedPath()))
		return
	case !scimPath.MatchString(u.Path):
		resp.Diagnostics.AddAttributeError(req.Path, "Tenant URL is not an Auth0 SCIM endpoint",
			fmt.Sprintf("%s is %q, whose path %q does not end with the SCIM endpoint of a connection, /scim/v2/connections/{connection id}. Use the connection's SCIM endpoint (data source auth0entra_scim_endpoint, attribute entra_tenant_url).", req.Path, raw, u.Path))
		return
	}
	if _, ok := u.Query()["aadOptscim062020"]; !ok {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Tenant URL without aadOptscim062020",
			fmt.Sprintf("%s is %q. Without the aadOptscim062020 flag Entra sends SCIM PATCH requests that do not follow the standard (e.g. \"active\": \"False\" as a string), which Auth0's guide says to avoid. Append ?aadOptscim062020 (the data source auth0entra_scim_endpoint exports it as entra_tenant_url).", req.Path, raw))
	}
}

var scimPath = regexp.MustCompile(`/scim/v2/connections/[^/]+/?$`)
