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
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// maxRows is the most rows one resource may own (a guard against runaway configurations, far above the 22 rows of
// the template, microsoft-graph.md §5.11).
const maxRows = 200

// ValidateConfig implements resource.ResourceWithValidateConfig: every check that needs no API call. Unknown values
// pass here; what they become is checked at apply, before the schema is written. The schema sets no generic
// validators on these attributes: their messages would print set elements as mapping[Value({...})] and give no fix.
// Every message here names the attribute, the row (by its target_attribute), the value cut to about 80 characters
// (vq), and the fix.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg resourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if v := cfg.SourceObject; !v.IsNull() && !v.IsUnknown() && v.ValueString() != "User" && v.ValueString() != "Group" {
		resp.Diagnostics.AddAttributeError(path.Root("source_object"), "Invalid source_object",
			fmt.Sprintf("source_object = %s is not an object mapping of the provisioning job. Use \"User\" (Provision Microsoft Entra ID Users) or \"Group\" (Provision Microsoft Entra ID Groups); the names are case-sensitive.", vq(v.ValueString())))
	}
	validateActions(ctx, cfg.TargetObjectActions, &resp.Diagnostics)
	if cfg.Mapping.IsNull() || cfg.Mapping.IsUnknown() {
		return
	}
	if n := len(cfg.Mapping.Elements()); n > maxRows {
		resp.Diagnostics.AddAttributeError(path.Root("mapping"), "Too many mapping rows",
			fmt.Sprintf("mapping has %d rows; one auth0entra_attribute_mappings owns at most %d. Leave out rows that repeat the template (they need no override).", n, maxRows))
	}
	rows, paths, _, diags := rowsOf(ctx, cfg.Mapping)
	resp.Diagnostics.Append(diags...)
	targets := map[string]int{}
	precedences := map[int64]int{}
	for i, m := range rows {
		at := paths[i]
		name := m.TargetAttribute.ValueString()
		row := rowLabel(m.TargetAttribute)
		if !m.TargetAttribute.IsUnknown() && !m.TargetAttribute.IsNull() {
			if strings.TrimSpace(name) == "" {
				resp.Diagnostics.AddAttributeError(at.AtName("target_attribute"), "Invalid target attribute",
					"A mapping row has an empty target_attribute. Name the SCIM attribute the row writes, as Entra names it, e.g. \"externalId\" or \"emails[type eq \\\"work\\\"].value\".")
			}
			t := strings.ToLower(name)
			if j, dup := targets[t]; dup {
				a, b := sorted2(rows[j].TargetAttribute.ValueString(), name)
				resp.Diagnostics.AddAttributeError(at.AtName("target_attribute"), "Target attribute mapped twice",
					fmt.Sprintf("The mapping rows with target_attribute %s and %s map the same target attribute (names compare case-insensitively). An attribute can be the target of only one mapping (microsoft-graph.md §5.9): merge the two rows.", vq(a), vq(b)))
			}
			targets[t] = i
		}
		if !m.MatchingPrecedence.IsUnknown() && !m.MatchingPrecedence.IsNull() {
			p := m.MatchingPrecedence.ValueInt64()
			if p < 1 {
				resp.Diagnostics.AddAttributeError(at.AtName("matching_precedence"), "Invalid matching precedence",
					fmt.Sprintf("%s has matching_precedence = %d. Precedences start at 1 (tried first); to not match on this attribute, leave matching_precedence out.", row, p))
			} else if j, dup := precedences[p]; dup {
				a, b := sorted2(rows[j].TargetAttribute.ValueString(), name)
				resp.Diagnostics.AddAttributeError(at.AtName("matching_precedence"), "Matching precedence used twice",
					fmt.Sprintf("The mapping rows for target_attribute %s and %s both have matching_precedence = %d. Matching precedence must be unique in the object mapping: give one of them another value, or leave it out.",
						vq(a), vq(b), p))
			}
			precedences[p] = i
		}
		if v := m.Apply; !v.IsNull() && !v.IsUnknown() && v.ValueString() != applyAlways && v.ValueString() != applyOnCreate {
			resp.Diagnostics.AddAttributeError(at.AtName("apply"), "Invalid apply",
				fmt.Sprintf("%s has apply = %s. Use \"always\" (the default: every update) or \"on_create\" (only when the object is created).", row, vq(v.ValueString())))
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
				fmt.Sprintf("%s sets none of source_attribute, expression and constant. Set exactly one: source_attribute for a Direct mapping (e.g. \"objectId\"), expression for an Expression mapping, constant for a fixed value.", row))
		case len(set) > 1:
			resp.Diagnostics.AddAttributeError(at, "Mapping with more than one source",
				fmt.Sprintf("%s sets %s. Set exactly one of source_attribute, expression and constant.", row, strings.Join(set, " and ")))
		}
		if !m.SourceAttribute.IsNull() {
			if s := m.SourceAttribute.ValueString(); strings.TrimSpace(s) == "" || strings.ContainsAny(s, "[]()\"") {
				resp.Diagnostics.AddAttributeError(at.AtName("source_attribute"), "Invalid source attribute",
					fmt.Sprintf("%s has source_attribute = %s, which is not an attribute name. Write the bare name of an Entra attribute (e.g. \"mail\", not \"[mail]\"), or use expression for an expression.", row, vq(s)))
			}
		}
		if !m.Expression.IsNull() {
			validateExpression(at.AtName("expression"), row, m.Expression.ValueString(), &resp.Diagnostics)
		}
	}
}

// validateExpression checks that text parses and calls only the functions Microsoft's reference documents
// (microsoft-graph.md §5.16).
func validateExpression(at path.Path, row, text string, diags *diag.Diagnostics) {
	if strings.TrimSpace(text) == "" {
		diags.AddAttributeError(at, "Invalid expression",
			fmt.Sprintf("%s has an empty expression. Write an expression such as Join(\" \", [givenName], [surname]), or use source_attribute or constant.", row))
		return
	}
	n, err := expression.Parse(text)
	if err != nil {
		diags.AddAttributeError(at, "Invalid expression",
			fmt.Sprintf("%s has expression = %s, which cannot be parsed: %s. Write attributes as [name], strings in double quotes (a quote or backslash inside one as \\\" or \\\\), and functions as Name(arg, ...), e.g. Join(\" \", [givenName], [surname]).", row, vq(text), err))
		return
	}
	for _, p := range n.UnknownFunctions() {
		if p.Want != "" {
			diags.AddAttributeError(at, "Unknown function in expression",
				fmt.Sprintf("%s has expression = %s, which calls %s. Function names are case-sensitive (microsoft-graph.md §5.16): write %s.", row, vq(text), expression.Cut(p.Name, 40), p.Want))
			continue
		}
		diags.AddAttributeError(at, "Unknown function in expression",
			fmt.Sprintf("%s has expression = %s, which calls %s, a function Microsoft's expression reference does not have. Use one of: %s.", row, vq(text), expression.Cut(p.Name, 40), strings.Join(expression.FunctionNames(), ", ")))
	}
}

// validateActions checks target_object_actions: at least one of Create, Update and Delete, nothing else.
func validateActions(ctx context.Context, s types.Set, diags *diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return
	}
	var actions []types.String
	diags.Append(s.ElementsAs(ctx, &actions, false)...)
	if len(actions) == 0 && !diags.HasError() {
		diags.AddAttributeError(path.Root("target_object_actions"), "No target object action",
			"target_object_actions is empty, so Entra would neither create, update nor delete anything. List at least one of \"Create\", \"Update\" and \"Delete\" (for an older connection whose users exist: [\"Update\", \"Delete\"]), or leave the attribute out for all three.")
	}
	for _, a := range actions {
		if a.IsUnknown() || a.IsNull() {
			continue
		}
		switch a.ValueString() {
		case "Create", "Update", "Delete":
		default:
			diags.AddAttributeError(path.Root("target_object_actions"), "Invalid target object action",
				fmt.Sprintf("target_object_actions contains %s. The actions are \"Create\", \"Update\" and \"Delete\" (case-sensitive).", vq(a.ValueString())))
		}
	}
}

// vq quotes a value for a message, cut to about 80 characters.
func vq(s string) string { return expression.Cut(s, 80) }

// rowLabel names a mapping row in a message by its target attribute: "The mapping row for target_attribute \"x\"".
func rowLabel(target types.String) string {
	if target.IsUnknown() || target.IsNull() {
		return "A mapping row (target_attribute not known yet)"
	}
	return "The mapping row for target_attribute " + vq(target.ValueString())
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
	if r.Clients == nil {
		return // not configured yet (validation)
	}
	if r.Clients.Entra == nil {
		// Destroying needs Entra too: the template's rows are put back.
		_, diags := r.Entra()
		resp.Diagnostics.Append(diags...)
		return
	}
	if req.Plan.Raw.IsNull() {
		return
	}
	if !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) {
		// Nothing changes: the rows were checked against the schema when they were applied, and Read has just
		// compared them with the job's schema. A no-change plan makes only Read's calls (README "Request budgets").
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
	c := r.Clients.Entra
	ctx, cancel := framework.Bound(ctx, plan.Timeouts, framework.ReadTimeout, defaultReadTimeout, &resp.Diagnostics)
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
				fmt.Sprintf("A mapping row has target_attribute = %s, but object %q of directory %q has no such attribute. %s",
					vq(t), doc.targetObject, doc.targetDirectory, suggest(t, attrs)))
		}
	}
	diags.Append(checkSources(doc, rows, paths)...)
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

// checkSources checks that every source attribute a planned row reads (source_attribute, or the [attributes] of its
// expression) exists on the source object of the schema's source directory (microsoft-graph.md §5.9: an attribute
// must exist in a directory before it is mapped). Unknown values are skipped; a schema that does not describe the
// source object skips the check (Entra then judges at PUT).
func checkSources(doc *schemaDoc, rows []mappingModel, paths []path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	attrs, err := doc.sourceAttributes()
	if err != nil {
		diags.AddError("Could not read the schema's directories", err.Error())
		return diags
	}
	if len(attrs) == 0 {
		return diags
	}
	known := map[string]bool{}
	for _, a := range attrs {
		known[strings.ToLower(a)] = true
	}
	for i, m := range rows {
		var refs []string
		at := rowPath(paths, i)
		switch {
		case m.SourceAttribute.IsUnknown() || m.Expression.IsUnknown():
			continue
		case !m.SourceAttribute.IsNull():
			refs, at = []string{m.SourceAttribute.ValueString()}, at.AtName("source_attribute")
		case !m.Expression.IsNull():
			n, err := expression.Parse(m.Expression.ValueString())
			if err != nil {
				continue // reported by ValidateConfig
			}
			refs, at = n.Attributes(), at.AtName("expression")
		}
		for _, ref := range refs {
			if known[strings.ToLower(ref)] {
				continue
			}
			diags.AddAttributeError(at, "Unknown source attribute",
				fmt.Sprintf("%s reads the source attribute %s, but object %q of directory %q has no such attribute. %s",
					rowLabel(m.TargetAttribute), vq(ref), doc.sourceObject, doc.sourceDirectory, suggest(ref, attrs)))
		}
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
	var near []string
	for _, a := range attrs {
		la := strings.ToLower(a)
		if strings.Contains(la, base) || strings.Contains(lt, la) {
			near = append(near, a)
		}
	}
	if len(near) == 0 {
		near = attrs
	}
	sort.Strings(near)
	if len(near) > 15 {
		near = append(near[:15], "...")
	}
	return "Attributes of that object include: " + strings.Join(near, ", ") + ". Add a custom attribute to the directory first if you need a new one."
}
