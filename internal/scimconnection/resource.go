// Package scimconnection implements the auth0entra_scim_connection resource: the SCIM configuration of an existing
// Auth0 `waad` (Microsoft Azure AD) connection, plus the connection settings SCIM depends on.
//
// Files (CONTRIBUTING.md "Resource packages"): resource.go (type, Create/Read/Update/Delete, import), schema.go
// (schema and resourceModel), plan.go (validation and plan-time checks), expand.go and flatten.go (mapping merge
// and connection settings, to and from Auth0), adopt.go (adopting what an interrupted create left), interplay.go
// (sharing the connection with the official auth0_connection resource).
package scimconnection

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// TypeName is the resource type.
const TypeName = "auth0entra_scim_connection"

// Values of connection_settings.
const (
	claimSub = "sub"
	claimOID = "oid"

	syncEachLogin  = "on_each_login"
	syncFirstLogin = "on_first_login"
	syncNever      = "never_on_login"
)

const defaultTimeout = 10 * time.Minute

var (
	_ resource.Resource                   = (*Resource)(nil)
	_ resource.ResourceWithConfigure      = (*Resource)(nil)
	_ resource.ResourceWithImportState    = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan     = (*Resource)(nil)
	_ resource.ResourceWithValidateConfig = (*Resource)(nil)
)

// NewResource returns the auth0entra_scim_connection resource.
func NewResource() resource.Resource {
	return &Resource{WithClients: framework.WithClients{TypeName: TypeName}}
}

// Resource is the auth0entra_scim_connection resource.
type Resource struct {
	framework.WithClients
}

// Metadata implements resource.Resource.
func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Create enables SCIM on the connection: it checks the connection, writes the owned connection settings, then
// creates the SCIM configuration (a POST without body when nothing differs from Auth0's defaults).
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, a, ok := r.prepareApply(ctx, req.Plan, req.Config, timeouts.Value.Create, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	plan, client, in, conn, desired := a.plan, a.client, a.in, a.conn, a.desired
	id := plan.ConnectionID.ValueString()

	var body *auth0client.SCIMConfigurationInput
	if len(in.rows) > 0 || len(in.remove) > 0 || in.userIDAttribute != auth0client.DefaultUserIDAttribute {
		body = &auth0client.SCIMConfigurationInput{UserIDAttribute: in.userIDAttribute}
		if len(in.rows) > 0 || len(in.remove) > 0 {
			body.Mapping = desired
		}
	}
	cfg, err := createOrAdopt(ctx, client, conn, body)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("connection_id"), "Could not enable SCIM on the connection", createErrorDetail(id, err))
		return
	}
	// From here on the configuration exists in Auth0, so every way out hands it to Terraform: when a later step
	// fails, Terraform keeps it as a tainted object and the next apply replaces it, instead of the next plan finding
	// a configuration nobody owns ("SCIM is already enabled… import it").
	resp.Diagnostics.Append(r.setState(ctx, resp, plan, conn, cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Whatever Auth0 applied by default must end up as planned.
	if !sameMapping(cfg.Mapping, desired) || cfg.UserIDAttribute != in.userIDAttribute {
		updated, err := client.UpdateSCIMConfiguration(ctx, id, in.userIDAttribute, desired)
		if err != nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateIncompleteKey, []byte("true"))...)
			resp.Diagnostics.AddError("Could not set the SCIM mapping",
				fmt.Sprintf("%s\n\nSCIM is enabled on connection %q, but with the mapping Auth0 applied by default, not the planned one. "+
					"Terraform keeps the SCIM configuration in the state, marked tainted: the next apply replaces it (deletes it and "+
					"creates it again with the planned mapping); no import is needed.", err, id))
			return
		}
		cfg = updated
		resp.Diagnostics.Append(r.setState(ctx, resp, plan, conn, cfg)...)
	}
	tflog.Info(ctx, "Enabled SCIM on the Auth0 connection", map[string]any{"connection_id": id, "mapping_rows": len(cfg.Mapping)})
}

// Read refreshes the state. A SCIM configuration (or connection) deleted outside Terraform removes the resource
// from the state with a warning, so that the next plan creates it again. timeouts.read bounds it (default
// auth0client.DefaultReadTimeout).
func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel, state, client, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Auth0, framework.ReadTimeout, auth0client.DefaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := state.ConnectionID.ValueString()

	cfg, err := client.GetSCIMConfiguration(ctx, id)
	switch {
	case auth0client.IsConnectionNotFound(err):
		framework.RemovedOutside(ctx, resp, "Auth0 connection deleted outside Terraform",
			fmt.Sprintf("Connection %q no longer exists, so its SCIM configuration is gone too. %s is removed from the state; "+
				"the next plan creates it again, which fails unless connection_id names an existing waad connection.", id, TypeName))
		return
	case auth0client.IsNotFound(err):
		framework.RemovedOutside(ctx, resp, "SCIM configuration deleted outside Terraform",
			fmt.Sprintf("Connection %q has no SCIM configuration any more (someone turned off \"Sync user profiles using SCIM\" or "+
				"deleted it through the Management API; its SCIM tokens went with it). %s is removed from the state and the next "+
				"plan creates it again.", id, TypeName))
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read the SCIM configuration", err.Error())
		return
	}
	if incomplete, _ := req.Private.GetKey(ctx, privateIncompleteKey); len(incomplete) > 0 {
		// The remains of a failed create, which Terraform holds as tainted and is about to replace: tell
		// ModifyPlan, which sees neither this state nor its private state when it plans the replacement.
		rememberIncompleteCreate(client, id)
	}
	conn, err := client.GetConnection(ctx, id)
	if auth0client.IsNotFound(err) {
		framework.RemovedOutside(ctx, resp, "Auth0 connection deleted outside Terraform",
			fmt.Sprintf("Connection %q no longer exists; %s is removed from the state.", id, TypeName))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the connection", err.Error())
		return
	}

	var defaults []auth0client.SCIMMapping
	if state.UserIDAttribute.IsNull() {
		// Just imported: which rows are this resource's overrides is worked out against the defaults.
		if defaults, err = client.GetSCIMDefaultMapping(ctx, id); err != nil {
			resp.Diagnostics.AddError("Could not read Auth0's default SCIM mapping", err.Error())
			return
		}
	}
	resp.Diagnostics.Append(flattenInto(ctx, &state, conn, cfg, defaults)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateConnectionKey, privateValue(id))...)
}

// Update writes the owned connection settings and, when the user id attribute or the resulting mapping differ
// from what Auth0 holds, replaces the SCIM configuration's mapping.
func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel, a, ok := r.prepareApply(ctx, req.Plan, req.Config, timeouts.Value.Update, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	plan, client, in, conn, desired := a.plan, a.client, a.in, a.conn, a.desired
	id := plan.ConnectionID.ValueString()

	cfg, err := client.GetSCIMConfiguration(ctx, id)
	switch {
	case auth0client.IsSCIMNotConfigured(err):
		// Deleted between plan and apply: create it again.
		cfg, err = client.CreateSCIMConfiguration(ctx, id, &auth0client.SCIMConfigurationInput{UserIDAttribute: in.userIDAttribute, Mapping: desired})
		if err != nil {
			resp.Diagnostics.AddError("Could not enable SCIM on the connection", createErrorDetail(id, err))
			return
		}
	case err != nil:
		resp.Diagnostics.AddError("Could not read the SCIM configuration", err.Error())
		return
	case !sameMapping(cfg.Mapping, desired) || cfg.UserIDAttribute != in.userIDAttribute:
		if cfg, err = client.UpdateSCIMConfiguration(ctx, id, in.userIDAttribute, desired); err != nil {
			resp.Diagnostics.AddError("Could not update the SCIM configuration", err.Error())
			return
		}
		tflog.Info(ctx, "Updated the SCIM configuration", map[string]any{"connection_id": id, "mapping_rows": len(cfg.Mapping)})
	}

	state := plan
	resp.Diagnostics.Append(flattenInto(ctx, &state, conn, cfg, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	// The configuration now holds what was planned, even if it was left incomplete by a failed create (and then
	// untainted by hand).
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateIncompleteKey, nil)...)
}

// Delete removes the SCIM configuration (Auth0 deletes the connection's SCIM tokens with it). The connection and
// its settings stay.
func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, client, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Auth0, timeouts.Value.Delete, defaultTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	id := state.ConnectionID.ValueString()
	err := client.DeleteSCIMConfiguration(ctx, id)
	if err != nil && !auth0client.IsNotFound(err) {
		resp.Diagnostics.AddError("Could not delete the SCIM configuration", err.Error())
		return
	}
	if err := unmark(ctx, client, id); err != nil {
		resp.Diagnostics.AddWarning("Could not remove the provider's marker from the connection",
			fmt.Sprintf("SCIM is disabled on connection %q, but its metadata key %q could not be removed: %s\n\nRemove it in the Auth0 "+
				"Dashboard (connection > Settings > Metadata) or leave it: while it is there, a later create of %s on this connection "+
				"adopts a SCIM configuration it finds instead of asking for an import.", id, auth0client.MarkerSCIMConfiguration, err, TypeName))
	}
	tflog.Info(ctx, "Disabled SCIM on the Auth0 connection", map[string]any{"connection_id": id})
}

// ImportState imports by connection id: `terraform import auth0entra_scim_connection.x con_XXXXXXXXXXXXXXXX`.
// Read then works out `mapping` and `remove_default_mapping` as the differences from Auth0's default mapping.
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !auth0client.IsConnectionID(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%s is imported by the id of its connection (\"con_\" and 16 letters or digits), e.g. "+
				"`terraform import %s.corp con_AbCdEfGh12345678`; got %q.", TypeName, TypeName, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("connection_id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// applyInputs is what Create and Update both work out before they write the SCIM configuration.
type applyInputs struct {
	plan    resourceModel
	client  *auth0client.Client
	in      inputs
	conn    *auth0client.Connection
	desired []auth0client.SCIMMapping
}

// prepareApply is the start Create and Update share: it reads the plan and configuration, bounds ctx by the
// create or update timeout (timeoutOf: timeouts.Value.Create or timeouts.Value.Update), writes the owned
// connection settings and works out the desired mapping from Auth0's defaults. It returns the bounded context and
// its cancel, which is never nil and which the caller defers even when ok is false.
func (r *Resource) prepareApply(ctx context.Context, planData tfsdk.Plan, configData tfsdk.Config, op framework.Operation, diags *diag.Diagnostics,
) (context.Context, context.CancelFunc, applyInputs, bool) {
	var a applyInputs
	var config resourceModel
	ctx, cancel, plan, client, ok := framework.Begin[resourceModel](ctx, planData.Get, r.Auth0, op, defaultTimeout, diags)
	a.plan, a.client = plan, client
	if diags.Append(configData.Get(ctx, &config)...); !ok || diags.HasError() {
		return ctx, cancel, a, false
	}

	id := a.plan.ConnectionID.ValueString()
	in, d := inputsFrom(a.plan, config)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, cancel, a, false
	}
	a.in = in
	conn, ok := r.prepareConnection(ctx, client, in, diags)
	if !ok {
		return ctx, cancel, a, false
	}
	a.conn = conn
	defaults, err := client.GetSCIMDefaultMapping(ctx, id)
	if err != nil {
		diags.AddError("Could not read Auth0's default SCIM mapping", err.Error())
		return ctx, cancel, a, false
	}
	a.desired = desiredMapping(defaults, in.rows, in.remove)
	return ctx, cancel, a, true
}

// setState records the SCIM configuration cfg as Create's result, and that this resource instance owns it.
func (r *Resource) setState(ctx context.Context, resp *resource.CreateResponse, plan resourceModel, conn *auth0client.Connection, cfg *auth0client.SCIMConfiguration) diag.Diagnostics {
	state := plan
	diags := flattenInto(ctx, &state, conn, cfg, nil)
	diags.Append(resp.State.Set(ctx, &state)...)
	diags.Append(resp.Private.SetKey(ctx, privateConnectionKey, privateValue(conn.ID))...)
	return diags
}

// privateConnectionKey holds, in private state, the connection whose SCIM configuration this resource instance
// owns; a replacement plan uses it to tell that configuration from one created by someone else.
const privateConnectionKey = "connection_id"

// privateIncompleteKey marks, in private state, a SCIM configuration that Create made but could not finish (its
// mapping is not the planned one). Terraform holds such an object as tainted and replaces it at the next apply.
const privateIncompleteKey = "create_incomplete"

func privateValue(s string) []byte { return []byte(fmt.Sprintf("%q", s)) }
