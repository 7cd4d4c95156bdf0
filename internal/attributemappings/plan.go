package attributemappings

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/expression"
)

// ValidateConfig implements resource.ResourceWithValidateConfig: every check that needs no API call.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg resourceModel
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
			if _, err := expression.Parse(m.Expression.ValueString()); err != nil {
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
		_, diags := r.clients.RequireEntra(TypeName)
		resp.Diagnostics.Append(diags...)
		return
	}
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan resourceModel
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
		entraclient.AddError(&resp.Diagnostics, "Could not read the synchronization schema", err)
		return
	}
	doc, err := openSchema(raw, plan.SourceObject.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("source_object"), "Object mapping not found", fmt.Sprintf("Job %s: %s.", plan.JobID.ValueString(), err))
		return
	}
	var released []string
	if !req.State.Raw.IsNull() {
		var state resourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		released = targetsOf(ctx, state.Mapping)
	}
	resp.Diagnostics.Append(checkRows(doc, rows, paths, released)...)
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
		entraclient.AddError(&diags, "Could not read the schema's directories", err)
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
		entraclient.AddError(&diags, "Could not read the attribute mappings", err)
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
