package attributemappings

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/expression"
)

// flattenInto refreshes m from the schema: the object actions, and each owned row as it is now (rows that
// disappeared are dropped, so the plan adds them again).
func flattenInto(ctx context.Context, doc *schemaDoc, m *resourceModel) diag.Diagnostics {
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
		entraclient.AddError(&diags, "Could not read the attribute mappings", err)
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
		if pn, err := expression.Parse(prior.Expression.ValueString()); err == nil {
			var now *expression.Node
			switch {
			case !out.SourceAttribute.IsNull():
				now = &expression.Node{Kind: expression.Attribute, Name: out.SourceAttribute.ValueString()}
			case !out.Constant.IsNull():
				now = &expression.Node{Kind: expression.Constant, Name: out.Constant.ValueString()}
			case !out.Expression.IsNull():
				now, _ = expression.Parse(out.Expression.ValueString())
			}
			if pn.Equal(now) {
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

// customizedRows returns the rows of doc that differ from the template (the ones an import adopts), or null when
// none does: a configuration that leaves mapping out then plans no change.
func customizedRows(doc, tmpl *schemaDoc) (types.Set, diag.Diagnostics) {
	var diags diag.Diagnostics
	tby, _, err := tmpl.rowsByTarget()
	if err != nil {
		entraclient.AddError(&diags, "Could not read the template's attribute mappings", err)
		return types.SetNull(mappingType), diags
	}
	_, all, err := doc.rowsByTarget()
	if err != nil {
		entraclient.AddError(&diags, "Could not read the attribute mappings", err)
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
