package attributemappings

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/expression"
)

// expandRow builds the keys of the attribute mapping the resource writes for m.
func expandRow(m mappingModel) (map[string]json.RawMessage, error) {
	var src any
	switch {
	case !m.SourceAttribute.IsNull():
		n := &expression.Node{Kind: expression.Attribute, Name: m.SourceAttribute.ValueString()}
		src = n.Source("")
	case !m.Constant.IsNull():
		n := &expression.Node{Kind: expression.Constant, Name: m.Constant.ValueString()}
		src = n.Source("")
	case !m.Expression.IsNull():
		text := strings.TrimSpace(m.Expression.ValueString())
		n, err := expression.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("the mapping row for target_attribute %s: expression %s cannot be parsed: %w", expression.Cut(m.TargetAttribute.ValueString(), 80), expression.Cut(text, 80), err)
		}
		src = n.Source(text)
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
