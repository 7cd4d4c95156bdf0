// Package enterpriseapp implements the auth0entra_enterprise_app resource: the non-gallery enterprise application
// that provisions users from Microsoft Entra ID into Auth0 over SCIM (the Entra side of
// contributing/facts/manual-setup.md).
//
// The resource owns the application (template 8adf8e6e-67b2-4cf2-a259-e3dc5476c621) and its service principal, the
// users and groups assigned to it, the provisioning job (template "scim"), the job's credentials (tenant URL and
// secret token, tested with validateCredentials before they are saved) and whether provisioning is on.
//
// Files (CONTRIBUTING.md "Resource packages"): resource.go (type, Create/Read/Update/Delete, import), schema.go
// (schema and resourceModel), plan.go (validation and plan-time checks), flatten.go (reading Entra back into the
// state), assignments.go (users and groups assigned), credentials.go (Test Connection and saving the admin
// credentials), groups_warning.go (the plan-time warning about a token without group scopes).
package enterpriseapp

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

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// TypeName is the resource type.
const TypeName = "auth0entra_enterprise_app"

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

// The Entra error hints every Entra resource shares (entraclient/hints.go), under the short names this package's
// call sites use.
var (
	addError          = entraclient.AddError
	addAttributeError = entraclient.AddAttributeError
	describe          = entraclient.Describe
)

var (
	_ resource.Resource                   = (*Resource)(nil)
	_ resource.ResourceWithConfigure      = (*Resource)(nil)
	_ resource.ResourceWithImportState    = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan     = (*Resource)(nil)
	_ resource.ResourceWithValidateConfig = (*Resource)(nil)
)

// NewResource returns the auth0entra_enterprise_app resource.
func NewResource() resource.Resource {
	return &Resource{WithClients: framework.WithClients{TypeName: TypeName}}
}

// Resource is the auth0entra_enterprise_app resource.
type Resource struct {
	framework.WithClients
}

// Metadata implements resource.Resource.
func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Create implements resource.Resource.
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, c, ok := framework.Begin[resourceModel](ctx, req.Plan.Get, r.Entra, timeouts.Value.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	token, diags := configuredToken(ctx, req.Config, plan.Provisioning)
	if resp.Diagnostics.Append(diags...); !ok || resp.Diagnostics.HasError() {
		return
	}
	ctx = maskToken(ctx, token)

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
		summary := "Duplicate enterprise application left in Entra"
		if app.Adopted {
			summary = "Enterprise application left by an interrupted apply was adopted"
		}
		for _, w := range app.Warnings {
			resp.Diagnostics.AddWarning(summary, w)
		}
	}
	if err != nil {
		addError(&resp.Diagnostics, "Could not create the enterprise application", err)
		return
	}
	tflog.Info(ctx, "Created the enterprise application", map[string]any{"service_principal_id": app.ServicePrincipal.ID, "application_id": app.Application.AppID})

	// Assignments.
	if !plan.Assignment.IsUnknown() {
		if resp.Diagnostics.Append(reconcileAssignments(ctx, c, &app.ServicePrincipal, plan.Assignment)...); resp.Diagnostics.HasError() {
			return
		}
	}

	// The provisioning job. An adopted application may already have one (its create was interrupted later).
	var job *entraclient.Job
	if app.Adopted {
		job, _, err = c.EnsureJob(ctx, app.ServicePrincipal.ID, entraclient.SCIMTemplateID)
	} else {
		job, err = c.CreateJob(ctx, app.ServicePrincipal.ID, entraclient.SCIMTemplateID)
	}
	if job != nil && job.ID != "" {
		plan.JobID = types.StringValue(job.ID)
		saveProgress(ctx, &resp.State, plan, &resp.Diagnostics)
	}
	if err != nil {
		addError(&resp.Diagnostics, "Could not create the provisioning job", err)
		return
	}

	// Admin credentials: test the credentials, then save them. Provisioning on: switch provisioning on.
	if resp.Diagnostics.Append(saveCredentials(ctx, c, app.ServicePrincipal.ID, job.ID, plan.Provisioning, token)...); resp.Diagnostics.HasError() {
		return
	}
	if plan.Provisioning.Enabled.ValueBool() {
		if err := c.StartJob(ctx, app.ServicePrincipal.ID, job.ID); err != nil {
			addError(&resp.Diagnostics, "Could not start provisioning", err)
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
	ctx, cancel, state, c, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Entra, framework.ReadTimeout, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	spID := state.ServicePrincipalID.ValueString()
	if spID == "" {
		spID = state.ID.ValueString()
	}
	if _, err := c.GetServicePrincipal(ctx, spID); entraclient.IsNotFound(err) {
		framework.RemovedOutside(ctx, resp, "Enterprise application deleted outside Terraform",
			deletedDetail(ctx, c, state, spID))
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
	ctx, cancel, plan, c, ok := framework.Begin[resourceModel](ctx, req.Plan.Get, r.Entra, timeouts.Value.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	var state resourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	token, diags := configuredToken(ctx, req.Config, plan.Provisioning)
	if resp.Diagnostics.Append(diags...); !ok || resp.Diagnostics.HasError() {
		return
	}
	ctx = maskToken(ctx, token)

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
			addError(&resp.Diagnostics, "Could not rename the enterprise application", err)
			return
		}
	}
	sp, err := c.GetServicePrincipal(ctx, spID)
	if err != nil {
		addError(&resp.Diagnostics, "Could not read the enterprise application", err)
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
			addError(&resp.Diagnostics, "Could not read the provisioning job", err)
			return
		}
	}
	pending, diags := req.Private.GetKey(ctx, privateCredentialsPending)
	resp.Diagnostics.Append(diags...)
	jobCreated := false
	if job == nil {
		// Deleted outside Terraform, or never recorded: an earlier apply may have created one and been interrupted
		// before recording it, so look before creating.
		job, _, err = c.EnsureJob(ctx, spID, entraclient.SCIMTemplateID)
		if job != nil && job.ID != "" {
			// Record the new job, and that it still needs its credentials, in case a later step fails: the state
			// otherwise stays as it was before this apply.
			plan.JobID = types.StringValue(job.ID)
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("job_id"), job.ID)...)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCredentialsPending, []byte(`true`))...)
		}
		if err != nil {
			addError(&resp.Diagnostics, "Could not create the provisioning job", err)
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
		addError(&resp.Diagnostics, "Could not switch provisioning "+onOff(plan.Provisioning.Enabled.ValueBool()), err)
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
	ctx, cancel, state, c, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Entra, timeouts.Value.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	spID := state.ServicePrincipalID.ValueString()
	if spID != "" && !state.JobID.IsNull() && state.JobID.ValueString() != "" {
		if err := c.DeleteJob(ctx, spID, state.JobID.ValueString()); err != nil {
			addError(&resp.Diagnostics, "Could not delete the provisioning job", err)
			return
		}
	}
	objectID := state.ApplicationObjectID.ValueString()
	if objectID == "" && state.ApplicationID.ValueString() != "" {
		app, err := c.FindApplicationByAppID(ctx, state.ApplicationID.ValueString())
		if err != nil {
			addError(&resp.Diagnostics, "Could not find the application to delete", err)
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
		addError(&resp.Diagnostics, "Could not delete the enterprise application", err)
	}
}

// ImportState implements resource.ResourceWithImportState: the import id is the service principal's object id.
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if !validators.IsGUID(id) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not a service principal object id. Import %s by the object id of its service principal (Enterprise applications > Properties > Object ID), e.g. terraform import %s.corp 00000000-0000-0000-0000-000000000000.", req.ID, TypeName, TypeName))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("service_principal_id"), id)...)
}

// entra returns the Entra client when the provider is configured, else nil (validation runs before configuration).
func (r *Resource) entra() *entraclient.Client {
	if r.Clients == nil {
		return nil
	}
	return r.Clients.Entra
}
