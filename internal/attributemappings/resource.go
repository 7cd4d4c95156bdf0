// Package attributemappings implements the auth0entra_attribute_mappings resource: overrides on one object mapping
// (User or Group) of a provisioning job's synchronization schema — the "Mappings" page of the Entra portal (the
// mapping edits of contributing/facts/manual-setup.md).
//
// The resource owns only the rows of the listed target attributes and the object mapping's target object actions
// (flowTypes). It reads the schema as raw JSON, changes those places and writes the whole schema back with PUT;
// every other part of the schema is left byte-for-byte (see schema_doc.go). Destroy restores the template's rows for
// the owned attributes and the template's object actions.
//
// Files (CONTRIBUTING.md "Resource packages"): resource.go (type, Create/Read/Update/Delete, import), schema.go
// (schema and resourceModel), plan.go (validation and plan-time checks against the schema), expand.go and
// flatten.go (rows to and from the schema), schema_doc.go (the raw-JSON synchronization schema edited in place).
package attributemappings

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// TypeName is the resource type.
const TypeName = "auth0entra_attribute_mappings"

// Values of mapping.apply and the attributeMapping.flowType they stand for.
const (
	applyAlways   = "always"
	applyOnCreate = "on_create"
)

var applyFlowType = map[string]string{applyAlways: "Always", applyOnCreate: "ObjectAddOnly"}

// privateAdopt marks a resource just imported: its first Read adopts the rows that differ from the template.
const privateAdopt = "adopt_customized_rows"

// Default timeouts.
const (
	defaultTimeout     = 10 * time.Minute
	defaultReadTimeout = 5 * time.Minute
)

var (
	_ resource.Resource                   = (*Resource)(nil)
	_ resource.ResourceWithConfigure      = (*Resource)(nil)
	_ resource.ResourceWithImportState    = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan     = (*Resource)(nil)
	_ resource.ResourceWithValidateConfig = (*Resource)(nil)
)

// NewResource returns the auth0entra_attribute_mappings resource.
func NewResource() resource.Resource {
	return &Resource{WithClients: framework.WithClients{TypeName: TypeName}}
}

// Resource is the auth0entra_attribute_mappings resource.
type Resource struct {
	framework.WithClients
}

// Metadata implements resource.Resource.
func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Create implements resource.Resource.
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, c, ok := framework.Begin[resourceModel](ctx, req.Plan.Get, r.Entra, timeouts.Value.Create, defaultTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	plan.ID = types.StringValue(importID(plan))
	resp.Diagnostics.Append(r.write(ctx, c, &plan, nil)...)
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

	spID, jobID, source := state.ServicePrincipalID.ValueString(), state.JobID.ValueString(), state.SourceObject.ValueString()
	raw, err := c.GetSchema(ctx, spID, jobID)
	if entraclient.IsNotFound(err) {
		tflog.Warn(ctx, "The provisioning job no longer exists; removing the attribute mappings from the state", map[string]any{"job_id": jobID})
		framework.RemovedOutside(ctx, resp, "Provisioning job deleted outside Terraform",
			fmt.Sprintf("Provisioning job %s of service principal %s no longer exists in Microsoft Entra (it, or its enterprise application, was deleted outside Terraform), and its synchronization schema went with it: the %s attribute mappings are gone. Terraform removed %s from the state: the next apply writes the mappings again, on the job auth0entra_enterprise_app creates again.",
				jobID, spID, source, TypeName))
		return
	}
	if err != nil {
		entraclient.AddError(&resp.Diagnostics, "Could not read the synchronization schema", err)
		return
	}
	doc, err := openSchema(raw, source)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the attribute mappings", fmt.Sprintf("Job %s: %s.", jobID, err))
		return
	}

	adopt, d := req.Private.GetKey(ctx, privateAdopt)
	resp.Diagnostics.Append(d...)
	if len(adopt) > 0 {
		// Just imported: own the rows that differ from the template.
		tmpl, err := templateDoc(ctx, c, spID, jobID, source)
		if err != nil {
			entraclient.AddError(&resp.Diagnostics, "Could not read the template's attribute mappings", err)
			return
		}
		state.Mapping, d = customizedRows(doc, tmpl)
		resp.Diagnostics.Append(d...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopt, nil)...)
	}
	resp.Diagnostics.Append(flattenInto(ctx, doc, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update implements resource.Resource.
func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel, plan, c, ok := framework.Begin[resourceModel](ctx, req.Plan.Get, r.Entra, timeouts.Value.Update, defaultTimeout, &resp.Diagnostics)
	defer cancel()
	var state resourceModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); !ok || resp.Diagnostics.HasError() {
		return
	}

	plan.ID = state.ID
	var dropped []string
	keep := map[string]bool{}
	for _, t := range targetsOf(ctx, plan.Mapping) {
		keep[strings.ToLower(t)] = true
	}
	for _, t := range targetsOf(ctx, state.Mapping) {
		if !keep[strings.ToLower(t)] {
			dropped = append(dropped, t)
		}
	}
	resp.Diagnostics.Append(r.write(ctx, c, &plan, dropped)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete implements resource.Resource: the template's rows for the owned attributes and its object actions go back.
func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel, state, c, ok := framework.Begin[resourceModel](ctx, req.State.Get, r.Entra, timeouts.Value.Delete, defaultTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	spID, jobID, source := state.ServicePrincipalID.ValueString(), state.JobID.ValueString(), state.SourceObject.ValueString()
	unlock := c.LockSchema(spID, jobID)
	defer unlock()
	raw, err := c.GetSchema(ctx, spID, jobID)
	if entraclient.IsNotFound(err) {
		return // the job, and its schema, are gone
	}
	if err != nil {
		entraclient.AddError(&resp.Diagnostics, "Could not read the synchronization schema", err)
		return
	}
	doc, err := openSchema(raw, source)
	if err != nil {
		resp.Diagnostics.AddError("Could not restore the attribute mappings", fmt.Sprintf("Job %s: %s.", jobID, err))
		return
	}
	tmpl, err := templateDoc(ctx, c, spID, jobID, source)
	if err != nil {
		entraclient.AddError(&resp.Diagnostics, "Could not read the template's attribute mappings", err)
		return
	}
	if err := restore(doc, tmpl, targetsOf(ctx, state.Mapping), true); err != nil {
		entraclient.AddError(&resp.Diagnostics, "Could not restore the attribute mappings", err)
		return
	}
	if err := c.PutSchema(ctx, spID, jobID, doc.bytes()); err != nil && !entraclient.IsNotFound(err) {
		entraclient.AddError(&resp.Diagnostics, "Could not save the synchronization schema", err)
	}
}

// ImportState implements resource.ResourceWithImportState. The id is service_principal_id/job_id/source_object; the
// imported resource owns the rows that differ from the template.
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(strings.TrimSpace(req.ID), "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || (parts[2] != "User" && parts[2] != "Group") {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not {service_principal_id}/{job_id}/{source_object}. Example: 00000000-0000-0000-0000-000000000000/scim.0123456789abcdef0123456789abcdef.11111111-1111-1111-1111-111111111111/User (source_object is User or Group).", req.ID))
		return
	}
	if !validators.IsGUID(parts[0]) || !validators.IsSynchronizationJobID(parts[1]) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not {service_principal_id}/{job_id}/{source_object}: %q must be the object id (GUID) of the enterprise application's service principal and %q a provisioning job id, {template id}.{tenant id without dashes}.{application id}. Example: 00000000-0000-0000-0000-000000000000/scim.0123456789abcdef0123456789abcdef.11111111-1111-1111-1111-111111111111/User.", req.ID, parts[0], parts[1]))
		return
	}
	for name, v := range map[string]string{"id": req.ID, "service_principal_id": parts[0], "job_id": parts[1], "source_object": parts[2]} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopt, []byte(`true`))...)
}

// write applies the planned rows and object actions: restore the dropped rows, check, change, PUT, and read back.
func (r *Resource) write(ctx context.Context, c *entraclient.Client, plan *resourceModel, dropped []string) diag.Diagnostics {
	var diags diag.Diagnostics
	spID, jobID, source := plan.ServicePrincipalID.ValueString(), plan.JobID.ValueString(), plan.SourceObject.ValueString()
	rows, paths, _, d := rowsOf(ctx, plan.Mapping)
	diags.Append(d...)
	var actions []string
	diags.Append(plan.TargetObjectActions.ElementsAs(ctx, &actions, false)...)
	if diags.HasError() {
		return diags
	}

	unlock := c.LockSchema(spID, jobID)
	defer unlock()
	raw, err := c.GetSchema(ctx, spID, jobID)
	if err != nil {
		entraclient.AddError(&diags, "Could not read the synchronization schema", err)
		return diags
	}
	doc, err := openSchema(raw, source)
	if err != nil {
		diags.AddAttributeError(path.Root("source_object"), "Object mapping not found", fmt.Sprintf("Job %s: %s.", jobID, err))
		return diags
	}
	if len(dropped) > 0 {
		tmpl, err := templateDoc(ctx, c, spID, jobID, source)
		if err != nil {
			entraclient.AddError(&diags, "Could not read the template's attribute mappings", err)
			return diags
		}
		if err := restore(doc, tmpl, dropped, false); err != nil {
			entraclient.AddError(&diags, "Could not restore the attribute mappings", err)
			return diags
		}
	}
	if diags.Append(checkRows(doc, rows, paths, nil)...); diags.HasError() {
		return diags
	}
	for _, m := range rows {
		set, err := expandRow(m)
		if err != nil {
			diags.AddAttributeError(path.Root("mapping"), "Invalid mapping", err.Error())
			return diags
		}
		if err := doc.setRow(m.TargetAttribute.ValueString(), set); err != nil {
			entraclient.AddError(&diags, "Could not change the attribute mappings", err)
			return diags
		}
	}
	doc.setFlowTypes(actions)
	doc.setEnabled(plan.Enabled)
	out := doc.bytes()
	if sameJSON(out, raw) {
		tflog.Debug(ctx, "The synchronization schema already holds the planned mappings")
	} else if err := c.PutSchema(ctx, spID, jobID, out); err != nil {
		entraclient.AddError(&diags, "Could not save the synchronization schema", err)
		return diags
	}
	tflog.Info(ctx, "Saved the attribute mappings", map[string]any{"job_id": jobID, "source_object": source, "rows": len(rows)})

	raw, err = c.GetSchema(ctx, spID, jobID)
	if err != nil {
		entraclient.AddError(&diags, "Could not read the synchronization schema back", err)
		return diags
	}
	if doc, err = openSchema(raw, source); err != nil {
		entraclient.AddError(&diags, "Could not read the attribute mappings back", err)
		return diags
	}
	diags.Append(flattenInto(ctx, doc, plan)...)
	return diags
}

// templateDoc reads the template schema of the job's template, opened at the same object mapping.
func templateDoc(ctx context.Context, c *entraclient.Client, spID, jobID, source string) (*schemaDoc, error) {
	job, err := c.GetJob(ctx, spID, jobID)
	if err != nil {
		return nil, err
	}
	tid := job.TemplateID
	if tid == "" {
		tid, _, _ = strings.Cut(jobID, ".")
	}
	raw, err := c.GetTemplateSchema(ctx, spID, tid)
	if err != nil {
		return nil, err
	}
	doc, err := openSchema(raw, source)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", tid, err)
	}
	return doc, nil
}

func importID(m resourceModel) string {
	return m.ServicePrincipalID.ValueString() + "/" + m.JobID.ValueString() + "/" + m.SourceObject.ValueString()
}
