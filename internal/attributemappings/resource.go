// Package attributemappings implements the auth0entra_attribute_mappings resource: overrides on one object mapping
// (User or Group) of a provisioning job's synchronization schema — the "Mappings" page of the Entra portal (the
// mapping edits of contributing/facts/manual-setup.md).
//
// The resource owns only the rows of the listed target attributes and the object mapping's target object actions
// (flowTypes). It reads the schema as raw JSON, changes those places and writes the whole schema back with PUT;
// every other part of the schema is left byte-for-byte (see schema_doc.go). Destroy restores the template's rows for
// the owned attributes and the template's object actions.
package attributemappings

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

const typeName = "auth0entra_attribute_mappings"

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
func NewResource() resource.Resource { return &Resource{} }

// Resource is the auth0entra_attribute_mappings resource.
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
		MarkdownDescription: "Overrides on one object mapping (`User` or `Group`) of a provisioning job's synchronization " +
			"schema: the Entra portal's *Provisioning > Mappings* page.\n\n" +
			"The resource owns **only** the rows of the target attributes listed in `mapping` and the mapping's " +
			"*Target Object Actions*. The schema is read as raw JSON, those places are changed, and the schema is " +
			"written back with `PUT`; every other row, the other object mappings, the directories and all unknown " +
			"properties are left exactly as they were. Destroying the resource puts back the template's rows for " +
			"the owned attributes (removing rows the template does not have) and the template's object actions.\n\n" +
			"Matching precedence must be unique in the object mapping: the plan fails on a duplicate among the " +
			"listed rows, and on a collision with a row the resource does not own (e.g. the default `userName`, " +
			"precedence 1), naming that row.\n\n" +
			"Expressions are sent the way the portal sends them: the text in `source.expression` plus its parse " +
			"tree (attributes `[name]`, string constants, function calls such as `Join(\" \", [givenName], " +
			"[surname])`). Parameter names of the tree follow Microsoft's function reference.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`{service_principal_id}/{job_id}/{source_object}`; the import id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Object id of the enterprise application's service principal (`auth0entra_enterprise_app.x.service_principal_id`), a GUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validators.GUID("auth0entra_enterprise_app.x.service_principal_id, the Object ID of the enterprise application (Entra admin center > Enterprise applications > the app > Properties)")},
			},
			"job_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the provisioning job (`auth0entra_enterprise_app.x.job_id`), `{template id}.{tenant id without dashes}.{application id}`, e.g. `scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validators.SynchronizationJobID("auth0entra_enterprise_app.x.job_id")},
			},
			"source_object": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Which object mapping: `User` (*Provision Microsoft Entra ID Users*) or `Group`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.OneOf("User", "Group")},
			},
			"enabled": enabledAttribute(), // enabled.go
			"target_object_actions": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{types.StringValue("Create"), types.StringValue("Delete"), types.StringValue("Update")})),
				MarkdownDescription: "*Target Object Actions*: any of `Create`, `Update`, `Delete` (default: all three). " +
					"Written to the object mapping's `flowTypes` (`Add`, `Update`, `Delete`). For an older Auth0 connection " +
					"whose users already exist, deselect `Create`: `[\"Update\", \"Delete\"]`.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf("Create", "Update", "Delete")),
				},
			},
			"mapping": schema.SetNestedAttribute{
				Optional: true,
				MarkdownDescription: "The attribute mappings this resource owns, one per target attribute (a set: the order of " +
					"the rows does not matter, and an import reads them back in any order). Each row replaces the object " +
					"mapping's row for `target_attribute`, or adds one. Left out, the resource owns no row.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"target_attribute": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "Target (SCIM) attribute, as Entra names it, e.g. `externalId` or " +
							"`emails[type eq \"work\"].value`. It must exist on the target object of the schema's " +
							"`customappsso` directory (checked at plan when `job_id` is known).",
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"source_attribute": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Mapping type *Direct*: the Entra attribute, e.g. `objectId`, `mail`. Exactly one of `source_attribute`, `expression` and `constant`.",
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"expression": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Mapping type *Expression*, e.g. `Join(\" \", [givenName], [surname])` or " +
							"`ToLower([userPrincipalName], )`.",
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"constant": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Mapping type *Constant*: a fixed value.",
					},
					"matching_precedence": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "*Match objects using this attribute*, with this precedence (1 is tried first). " +
							"Unique within the object mapping. Left out: not used for matching.",
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
					"apply": schema.StringAttribute{
						// No schema default: defaults inside set elements change the elements' identity (framework
						// issue #783). Left out means always.
						Optional:            true,
						MarkdownDescription: "*Apply this mapping*: `always` (what leaving it out means) or `on_create` (only during object creation).",
						Validators:          []validator.String{stringvalidator.OneOf(applyAlways, applyOnCreate)},
					},
					"default_value": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "*Default value if null*.",
					},
				}},
				Validators: []validator.Set{setvalidator.SizeAtMost(200)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long writing the overrides into the job's schema may take, including waiting for a " +
					"new job to become readable. A duration such as `15m`; default `10m`.",
				ReadDescription:   "How long reading the job's schema may take, at refresh and at plan. Default `5m`.",
				UpdateDescription: "How long writing changed overrides into the schema may take. Default `10m`.",
				DeleteDescription: "How long restoring the template's rows may take. Default `10m`.",
			}),
		},
	}
}

// model is the resource's state.
type model struct {
	ID                  types.String   `tfsdk:"id"`
	ServicePrincipalID  types.String   `tfsdk:"service_principal_id"`
	JobID               types.String   `tfsdk:"job_id"`
	SourceObject        types.String   `tfsdk:"source_object"`
	Enabled             types.Bool     `tfsdk:"enabled"`
	TargetObjectActions types.Set      `tfsdk:"target_object_actions"`
	Mapping             types.Set      `tfsdk:"mapping"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// mappingModel is one element of mapping.
type mappingModel struct {
	TargetAttribute    types.String `tfsdk:"target_attribute"`
	SourceAttribute    types.String `tfsdk:"source_attribute"`
	Expression         types.String `tfsdk:"expression"`
	Constant           types.String `tfsdk:"constant"`
	MatchingPrecedence types.Int64  `tfsdk:"matching_precedence"`
	Apply              types.String `tfsdk:"apply"`
	DefaultValue       types.String `tfsdk:"default_value"`
}

var mappingType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"target_attribute":    types.StringType,
	"source_attribute":    types.StringType,
	"expression":          types.StringType,
	"constant":            types.StringType,
	"matching_precedence": types.Int64Type,
	"apply":               types.StringType,
	"default_value":       types.StringType,
}}

// Configure implements resource.ResourceWithConfigure.
func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, diags := conns.FromProviderData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.clients = c
}

// ValidateConfig implements resource.ResourceWithValidateConfig: every check that needs no API call.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg model
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Mapping.IsNull() || cfg.Mapping.IsUnknown() {
		return
	}
	rows, paths, _, diags := rowsOf(ctx, cfg.Mapping)
	resp.Diagnostics.Append(diags...)
	targets := map[string]int{}
	precedences := map[int64]int{}
	for i, m := range rows {
		at := paths[i]
		name := m.TargetAttribute.ValueString()
		if !m.TargetAttribute.IsUnknown() && !m.TargetAttribute.IsNull() {
			t := strings.ToLower(name)
			if j, dup := targets[t]; dup {
				a, b := sorted2(rows[j].TargetAttribute.ValueString(), name)
				resp.Diagnostics.AddAttributeError(at.AtName("target_attribute"), "Target attribute mapped twice",
					fmt.Sprintf("The mapping rows with target_attribute %q and %q map the same target attribute (names compare case-insensitively). An attribute can be the target of only one mapping: merge the two rows.", a, b))
			}
			targets[t] = i
		}
		if !m.MatchingPrecedence.IsUnknown() && !m.MatchingPrecedence.IsNull() {
			p := m.MatchingPrecedence.ValueInt64()
			if j, dup := precedences[p]; dup {
				a, b := sorted2(rows[j].TargetAttribute.ValueString(), name)
				resp.Diagnostics.AddAttributeError(at.AtName("matching_precedence"), "Matching precedence used twice",
					fmt.Sprintf("The mapping rows for %q and %q both have matching_precedence = %d. Matching precedence must be unique in the object mapping: give one of them another value, or leave it out.",
						a, b, p))
			}
			precedences[p] = i
		}
		if m.SourceAttribute.IsUnknown() || m.Expression.IsUnknown() || m.Constant.IsUnknown() {
			continue
		}
		var set []string
		for name, v := range map[string]types.String{"source_attribute": m.SourceAttribute, "expression": m.Expression, "constant": m.Constant} {
			if !v.IsNull() {
				set = append(set, name)
			}
		}
		sort.Strings(set)
		switch {
		case len(set) == 0:
			resp.Diagnostics.AddAttributeError(at, "Mapping without a source",
				fmt.Sprintf("The mapping row for %q sets none of source_attribute, expression and constant. Set exactly one: source_attribute for a Direct mapping (e.g. \"objectId\"), expression for an Expression mapping, constant for a fixed value.", name))
		case len(set) > 1:
			resp.Diagnostics.AddAttributeError(at, "Mapping with more than one source",
				fmt.Sprintf("The mapping row for %q sets %s. Set exactly one of source_attribute, expression and constant.", name, strings.Join(set, " and ")))
		}
		if !m.SourceAttribute.IsNull() {
			if s := m.SourceAttribute.ValueString(); strings.ContainsAny(s, "[]()\"") {
				resp.Diagnostics.AddAttributeError(at.AtName("source_attribute"), "Invalid source attribute",
					fmt.Sprintf("The mapping row for %q has source_attribute = %q, which is not an attribute name. Write the bare name (e.g. \"mail\", not \"[mail]\"), or use expression for an expression.", name, s))
			}
		}
		if !m.Expression.IsNull() {
			if _, err := parseExpression(m.Expression.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("expression"), "Invalid expression",
					fmt.Sprintf("The mapping row for %q has expression = %q, which cannot be parsed: %s. Write attributes as [name], strings in double quotes, and functions as Name(arg, ...), e.g. Join(\" \", [givenName], [surname]).", name, m.Expression.ValueString(), err))
			}
		}
	}
}

// sorted2 returns a and b in order, so that messages about two set elements read the same on every run.
func sorted2(a, b string) (string, string) {
	if b < a {
		return b, a
	}
	return a, b
}

// ModifyPlan implements resource.ResourceWithModifyPlan. It fails the plan when the provider has no Entra
// configuration (every operation of the resource needs it: without this check the plan would pass and the apply
// would fail here, after writing whatever came before). When the job is known, the planned rows are checked against
// its schema (target attributes exist; no matching precedence collides with a row the resource does not own).
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.clients == nil {
		return // not configured yet (validation)
	}
	if r.clients.Entra == nil {
		// Destroying needs Entra too: the template's rows are put back.
		_, diags := r.clients.RequireEntra(typeName)
		resp.Diagnostics.Append(diags...)
		return
	}
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.ServicePrincipalID.IsUnknown() || plan.JobID.IsUnknown() || plan.SourceObject.IsUnknown() || plan.Mapping.IsUnknown() {
		return
	}
	rows, paths, complete, diags := rowsOf(ctx, plan.Mapping)
	resp.Diagnostics.Append(diags...)
	if !complete {
		return
	}
	for _, m := range rows {
		if m.TargetAttribute.IsUnknown() || m.MatchingPrecedence.IsUnknown() {
			return
		}
	}
	c := r.clients.Entra
	timeout, diags := plan.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := c.GetSchema(ctx, plan.ServicePrincipalID.ValueString(), plan.JobID.ValueString())
	if err != nil {
		if entraclient.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("job_id"), "Provisioning job not found",
				fmt.Sprintf("Service principal %s has no provisioning job %s. Use auth0entra_enterprise_app.x.job_id and .service_principal_id.", plan.ServicePrincipalID.ValueString(), plan.JobID.ValueString()))
			return
		}
		resp.Diagnostics.AddError("Could not read the synchronization schema", err.Error())
		return
	}
	doc, err := openSchema(raw, plan.SourceObject.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("source_object"), "Object mapping not found", fmt.Sprintf("Job %s: %s.", plan.JobID.ValueString(), err))
		return
	}
	var released []string
	if !req.State.Raw.IsNull() {
		var state model
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		released = targetsOf(ctx, state.Mapping)
	}
	resp.Diagnostics.Append(checkRows(doc, rows, paths, released)...)
}

// Create implements resource.Resource.
func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel, plan, c, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Create, defaultTimeout, &resp.Diagnostics)
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
	ctx, cancel, state, c, ok := r.begin(ctx, req.State.Get, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}

	spID, jobID, source := state.ServicePrincipalID.ValueString(), state.JobID.ValueString(), state.SourceObject.ValueString()
	raw, err := c.GetSchema(ctx, spID, jobID)
	if entraclient.IsNotFound(err) {
		tflog.Warn(ctx, "The provisioning job no longer exists; removing the attribute mappings from the state", map[string]any{"job_id": jobID})
		resp.Diagnostics.AddWarning("Provisioning job deleted outside Terraform",
			fmt.Sprintf("Provisioning job %s of service principal %s no longer exists in Microsoft Entra (it, or its enterprise application, was deleted outside Terraform), and its synchronization schema went with it: the %s attribute mappings are gone. Terraform removed %s from the state: the next apply writes the mappings again, on the job auth0entra_enterprise_app creates again.",
				jobID, spID, source, typeName))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the synchronization schema", err.Error())
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
			resp.Diagnostics.AddError("Could not read the template's attribute mappings", err.Error())
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
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := r.require(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

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
	ctx, cancel, state, c, ok := r.begin(ctx, req.State.Get, timeouts.Value.Delete, defaultTimeout, &resp.Diagnostics)
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
		resp.Diagnostics.AddError("Could not read the synchronization schema", err.Error())
		return
	}
	doc, err := openSchema(raw, source)
	if err != nil {
		resp.Diagnostics.AddError("Could not restore the attribute mappings", fmt.Sprintf("Job %s: %s.", jobID, err))
		return
	}
	tmpl, err := templateDoc(ctx, c, spID, jobID, source)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the template's attribute mappings", err.Error())
		return
	}
	if err := restore(doc, tmpl, targetsOf(ctx, state.Mapping), true); err != nil {
		resp.Diagnostics.AddError("Could not restore the attribute mappings", err.Error())
		return
	}
	if err := c.PutSchema(ctx, spID, jobID, doc.bytes()); err != nil && !entraclient.IsNotFound(err) {
		resp.Diagnostics.AddError("Could not save the synchronization schema", err.Error())
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
func (r *Resource) write(ctx context.Context, c *entraclient.Client, plan *model, dropped []string) diag.Diagnostics {
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
		diags.AddError("Could not read the synchronization schema", err.Error())
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
			diags.AddError("Could not read the template's attribute mappings", err.Error())
			return diags
		}
		if err := restore(doc, tmpl, dropped, false); err != nil {
			diags.AddError("Could not restore the attribute mappings", err.Error())
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
			diags.AddError("Could not change the attribute mappings", err.Error())
			return diags
		}
	}
	doc.setFlowTypes(actions)
	doc.setEnabled(plan.Enabled)
	out := doc.bytes()
	if sameJSON(out, raw) {
		tflog.Debug(ctx, "The synchronization schema already holds the planned mappings")
	} else if err := c.PutSchema(ctx, spID, jobID, out); err != nil {
		diags.AddError("Could not save the synchronization schema", err.Error())
		return diags
	}
	tflog.Info(ctx, "Saved the attribute mappings", map[string]any{"job_id": jobID, "source_object": source, "rows": len(rows)})

	raw, err = c.GetSchema(ctx, spID, jobID)
	if err != nil {
		diags.AddError("Could not read the synchronization schema back", err.Error())
		return diags
	}
	if doc, err = openSchema(raw, source); err != nil {
		diags.AddError("Could not read the attribute mappings back", err.Error())
		return diags
	}
	diags.Append(flattenInto(ctx, doc, plan)...)
	return diags
}

// begin is how Create, Read and Delete start: it reads the model with get (the plan's or the state's Get) and the
// Entra client, and bounds ctx by the timeout timeoutOf picks (timeouts.Value.Create, Read or Delete), dflt when the
// configuration sets none. The returned cancel is never nil: the caller defers it even when ok is false.
func (r *Resource) begin(ctx context.Context, get func(context.Context, any) diag.Diagnostics,
	timeoutOf func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics), dflt time.Duration,
	diags *diag.Diagnostics,
) (context.Context, context.CancelFunc, model, *entraclient.Client, bool) {
	var m model
	diags.Append(get(ctx, &m)...)
	c := r.require(diags)
	if diags.HasError() {
		return ctx, func() {}, m, nil, false
	}
	timeout, d := timeoutOf(m.Timeouts, ctx, dflt)
	diags.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, m, c, true
}

func (r *Resource) require(diags *diag.Diagnostics) *entraclient.Client {
	c, d := r.clients.RequireEntra(typeName)
	diags.Append(d...)
	return c
}

// checkRows checks the planned rows against the schema: every target attribute exists on the target object; no
// matching precedence collides with a row the resource does not own; the object mapping keeps at least one
// matching attribute. released are rows owned until now and about to be given back to the template: at plan time
// their current values are not what they will be, so they are left out of the collision check.
//
// paths[i] is the attribute path of rows[i] for diagnostics (nil: the mapping attribute itself).
func checkRows(doc *schemaDoc, rows []mappingModel, paths []path.Path, released []string) diag.Diagnostics {
	var diags diag.Diagnostics
	attrs, err := doc.targetAttributes()
	if err != nil {
		diags.AddError("Could not read the schema's directories", err.Error())
		return diags
	}
	known := map[string]bool{}
	for _, a := range attrs {
		known[strings.ToLower(a)] = true
	}
	ownedNow := map[string]bool{}
	for _, m := range rows {
		ownedNow[strings.ToLower(m.TargetAttribute.ValueString())] = true
	}
	for _, t := range released {
		ownedNow[strings.ToLower(t)] = true
	}
	for i, m := range rows {
		t := m.TargetAttribute.ValueString()
		if attrs != nil && !known[strings.ToLower(t)] {
			diags.AddAttributeError(rowPath(paths, i).AtName("target_attribute"), "Unknown target attribute",
				fmt.Sprintf("A mapping row has target_attribute = %q, but object %q of directory %q has no such attribute. %s",
					t, doc.targetObject, doc.targetDirectory, suggest(t, attrs)))
		}
	}
	_, all, err := doc.rowsByTarget()
	if err != nil {
		diags.AddError("Could not read the attribute mappings", err.Error())
		return diags
	}
	matching := 0
	for _, m := range rows {
		if !m.MatchingPrecedence.IsNull() {
			matching++
		}
	}
	for _, other := range all {
		if ownedNow[strings.ToLower(other.target())] {
			continue
		}
		p := other.matchingPriority()
		if p <= 0 {
			continue
		}
		matching++
		for i, m := range rows {
			if !m.MatchingPrecedence.IsNull() && m.MatchingPrecedence.ValueInt64() == p {
				diags.AddAttributeError(rowPath(paths, i).AtName("matching_precedence"), "Matching precedence already used",
					fmt.Sprintf("The mapping row for %q has matching_precedence = %d, but the row for %q, which this resource does not manage, already matches with precedence %d. Choose another precedence, or manage %q here as well (add a mapping for it with a different matching_precedence, or none).",
						m.TargetAttribute.ValueString(), p, other.target(), p, other.target()))
			}
		}
	}
	if matching == 0 && len(rows) > 0 {
		diags.AddAttributeError(path.Root("mapping"), "No matching attribute left",
			fmt.Sprintf("With these mappings the %s object mapping would have no attribute with a matching precedence, and Entra could not match existing %s objects. Give one mapping a matching_precedence (e.g. 1).", doc.sourceObject, strings.ToLower(doc.sourceObject)))
	}
	return diags
}

// rowPath is the path of row i for a diagnostic.
func rowPath(paths []path.Path, i int) path.Path {
	if i < len(paths) {
		return paths[i]
	}
	return path.Root("mapping")
}

// suggest lists target attributes that look like t, or a sample of them.
func suggest(t string, attrs []string) string {
	lt := strings.ToLower(t)
	base := lt
	if i := strings.IndexAny(base, "[.:"); i > 0 {
		base = base[:i]
	}
	var close []string
	for _, a := range attrs {
		la := strings.ToLower(a)
		if strings.Contains(la, base) || strings.Contains(lt, la) {
			close = append(close, a)
		}
	}
	if len(close) == 0 {
		close = attrs
	}
	sort.Strings(close)
	if len(close) > 15 {
		close = append(close[:15], "...")
	}
	return "Attributes of that object include: " + strings.Join(close, ", ") + ". Add a custom attribute to the directory first if you need a new one."
}

// expandRow builds the keys of the attribute mapping the resource writes for m.
func expandRow(m mappingModel) (map[string]json.RawMessage, error) {
	var src any
	switch {
	case !m.SourceAttribute.IsNull():
		n := &exprNode{kind: exprAttribute, name: m.SourceAttribute.ValueString()}
		src = n.source("")
	case !m.Constant.IsNull():
		n := &exprNode{kind: exprConstant, name: m.Constant.ValueString()}
		src = n.source("")
	case !m.Expression.IsNull():
		text := strings.TrimSpace(m.Expression.ValueString())
		n, err := parseExpression(text)
		if err != nil {
			return nil, fmt.Errorf("mapping for %s: expression %q: %w", m.TargetAttribute.ValueString(), text, err)
		}
		src = n.source(text)
	default:
		return nil, fmt.Errorf("mapping for %s has no source", m.TargetAttribute.ValueString())
	}
	out := map[string]json.RawMessage{}
	var err error
	put := func(k string, v any) {
		if err == nil {
			out[k], err = entraclient.MarshalNoEscape(v)
		}
	}
	put("source", src)
	put("flowType", applyFlowType[m.Apply.ValueString()])
	var prio int64
	if !m.MatchingPrecedence.IsNull() {
		prio = m.MatchingPrecedence.ValueInt64()
	}
	put("matchingPriority", prio)
	if m.DefaultValue.IsNull() {
		put("defaultValue", nil)
	} else {
		put("defaultValue", m.DefaultValue.ValueString())
	}
	if _, ok := applyFlowType[m.Apply.ValueString()]; !ok {
		put("flowType", "Always")
	}
	return out, err
}

// flattenInto refreshes m from the schema: the object actions, and each owned row as it is now (rows that
// disappeared are dropped, so the plan adds them again).
func flattenInto(ctx context.Context, doc *schemaDoc, m *model) diag.Diagnostics {
	var diags diag.Diagnostics
	actions := doc.flowTypes()
	vals := make([]attr.Value, len(actions))
	for i, a := range actions {
		vals[i] = types.StringValue(a)
	}
	m.TargetObjectActions, diags = types.SetValue(types.StringType, vals)
	m.Enabled = types.BoolValue(doc.enabled())
	if m.Mapping.IsNull() || m.Mapping.IsUnknown() {
		return diags
	}
	prior, _, _, d := rowsOf(ctx, m.Mapping)
	diags.Append(d...)
	by, _, err := doc.rowsByTarget()
	if err != nil {
		diags.AddError("Could not read the attribute mappings", err.Error())
		return diags
	}
	var out []mappingModel
	for _, p := range prior {
		row, ok := by[strings.ToLower(p.TargetAttribute.ValueString())]
		if !ok {
			continue
		}
		out = append(out, flattenRow(row, &p))
	}
	set, d := setOf(out)
	diags.Append(d...)
	m.Mapping = set
	return diags
}

// flattenRow renders a schema row; prior (the state's or plan's row, when there is one) decides between equivalent
// spellings, so that an expression written as "[mail]" stays an expression.
func flattenRow(r row, prior *mappingModel) mappingModel {
	out := mappingModel{
		TargetAttribute: types.StringValue(r.target()),
		SourceAttribute: types.StringNull(), Expression: types.StringNull(), Constant: types.StringNull(),
		MatchingPrecedence: types.Int64Null(), DefaultValue: types.StringNull(),
		Apply: types.StringNull(),
	}
	if prior != nil && strings.EqualFold(prior.TargetAttribute.ValueString(), r.target()) {
		out.TargetAttribute = prior.TargetAttribute
	}
	var src struct {
		Expression string `json:"expression"`
		Name       string `json:"name"`
		Type       string `json:"type"`
	}
	raw, _ := r.obj.Get("source")
	hasSource := len(raw) > 0 && string(raw) != "null" && json.Unmarshal(raw, &src) == nil
	var dv *string
	if v, ok := r.obj.Get("defaultValue"); ok {
		_ = json.Unmarshal(v, &dv)
	}
	switch {
	case !hasSource:
		// A constant-only row: source null and the value in defaultValue (microsoft-graph.md §5.12).
		if dv != nil {
			out.Constant = types.StringValue(*dv)
		}
		dv = nil
	case src.Type == "Attribute":
		out.SourceAttribute = types.StringValue(src.Name)
	case src.Type == "Constant":
		out.Constant = types.StringValue(src.Name)
	default:
		expr := src.Expression
		if expr == "" {
			expr = src.Name + "()"
		}
		out.Expression = types.StringValue(expr)
	}
	if prior != nil && !prior.Expression.IsNull() && !prior.Expression.IsUnknown() {
		// The prior spelling wins when it means the same source.
		if pn, err := parseExpression(prior.Expression.ValueString()); err == nil {
			var now *exprNode
			switch {
			case !out.SourceAttribute.IsNull():
				now = &exprNode{kind: exprAttribute, name: out.SourceAttribute.ValueString()}
			case !out.Constant.IsNull():
				now = &exprNode{kind: exprConstant, name: out.Constant.ValueString()}
			case !out.Expression.IsNull():
				now, _ = parseExpression(out.Expression.ValueString())
			}
			if pn.equal(now) {
				out.SourceAttribute, out.Constant, out.Expression = types.StringNull(), types.StringNull(), prior.Expression
			}
		}
	}
	if p := r.matchingPriority(); p > 0 {
		out.MatchingPrecedence = types.Int64Value(p)
	}
	switch ft := r.obj.String("flowType"); ft {
	case "Always", "":
		// Left out means always: keep it left out unless the configuration spells it.
		if prior != nil && prior.Apply.ValueString() == applyAlways {
			out.Apply = types.StringValue(applyAlways)
		}
	case "ObjectAddOnly":
		out.Apply = types.StringValue(applyOnCreate)
	default:
		out.Apply = types.StringValue(ft)
	}
	if dv != nil {
		if *dv != "" || prior != nil && !prior.DefaultValue.IsNull() && prior.DefaultValue.ValueString() == "" {
			out.DefaultValue = types.StringValue(*dv)
		}
	}
	return out
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

// restore puts the template's rows for targets back; with actions, also the template's object actions.
func restore(doc, tmpl *schemaDoc, targets []string, actions bool) error {
	by, _, err := tmpl.rowsByTarget()
	if err != nil {
		return err
	}
	for _, t := range targets {
		var raw json.RawMessage
		if r, ok := by[strings.ToLower(t)]; ok {
			raw = tmpl.rows[r.idx]
		}
		if err := doc.restoreRow(t, raw); err != nil {
			return err
		}
	}
	if actions {
		doc.restoreEnabled(tmpl)
		if v, ok := tmpl.om.Get("flowTypes"); ok {
			doc.om.Set("flowTypes", v)
		} else {
			doc.om.Delete("flowTypes")
		}
	}
	return nil
}

// customizedRows returns the rows of doc that differ from the template (the ones an import adopts), or null when
// none does: a configuration that leaves mapping out then plans no change.
func customizedRows(doc, tmpl *schemaDoc) (types.Set, diag.Diagnostics) {
	var diags diag.Diagnostics
	tby, _, err := tmpl.rowsByTarget()
	if err != nil {
		diags.AddError("Could not read the template's attribute mappings", err.Error())
		return types.SetNull(mappingType), diags
	}
	_, all, err := doc.rowsByTarget()
	if err != nil {
		diags.AddError("Could not read the attribute mappings", err.Error())
		return types.SetNull(mappingType), diags
	}
	var out []mappingModel
	for _, r := range all {
		if t, ok := tby[strings.ToLower(r.target())]; ok && sameJSON(doc.rows[r.idx], tmpl.rows[t.idx]) {
			continue
		}
		out = append(out, flattenRow(r, nil))
	}
	if len(out) == 0 {
		return types.SetNull(mappingType), diags
	}
	set, d := setOf(out)
	diags.Append(d...)
	return set, diags
}

// rowsOf returns the rows of the mapping set, each with the attribute path of its element. complete is false when an
// element is unknown (it is left out).
func rowsOf(ctx context.Context, s types.Set) (rows []mappingModel, paths []path.Path, complete bool, diags diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return nil, nil, !s.IsUnknown(), nil
	}
	complete = true
	for _, el := range s.Elements() {
		obj, ok := el.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			complete = false
			continue
		}
		var m mappingModel
		diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
		rows = append(rows, m)
		paths = append(paths, path.Root("mapping").AtSetValue(el))
	}
	return rows, paths, complete, diags
}

func targetsOf(ctx context.Context, s types.Set) []string {
	rows, _, _, _ := rowsOf(ctx, s)
	out := make([]string, 0, len(rows))
	for _, m := range rows {
		if !m.TargetAttribute.IsNull() && !m.TargetAttribute.IsUnknown() {
			out = append(out, m.TargetAttribute.ValueString())
		}
	}
	return out
}

func setOf(rows []mappingModel) (types.Set, diag.Diagnostics) {
	vals := make([]attr.Value, 0, len(rows))
	var diags diag.Diagnostics
	for _, m := range rows {
		obj, d := types.ObjectValue(mappingType.AttrTypes, map[string]attr.Value{
			"target_attribute": m.TargetAttribute, "source_attribute": m.SourceAttribute, "expression": m.Expression,
			"constant": m.Constant, "matching_precedence": m.MatchingPrecedence, "apply": m.Apply, "default_value": m.DefaultValue,
		})
		diags.Append(d...)
		vals = append(vals, obj)
	}
	set, d := types.SetValue(mappingType, vals)
	diags.Append(d...)
	return set, diags
}

func importID(m model) string {
	return m.ServicePrincipalID.ValueString() + "/" + m.JobID.ValueString() + "/" + m.SourceObject.ValueString()
}
