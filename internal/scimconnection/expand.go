package scimconnection

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// inputs is what Create and Update write, taken from the (fully known) plan and configuration.
type inputs struct {
	connectionID    string
	userIDAttribute string
	rows            []auth0client.SCIMMapping
	remove          []string
	settings        settingsInput
}

func inputsFrom(plan, config resourceModel) (inputs, diag.Diagnostics) {
	in := inputs{connectionID: plan.ConnectionID.ValueString(), userIDAttribute: plan.UserIDAttribute.ValueString()}
	in.rows, _ = mappingRows(plan.Mapping)
	in.remove, _ = stringSet(plan.RemoveDefaultMapping)
	diags := checkRows(in.rows, in.remove) // values unknown at plan time are checked here
	in.settings = configSettings(config.ConnectionSettings)
	return in, diags
}

// settingsInput is connection_settings as configured: a nil field is not managed; an unknown one is not known
// yet (plan time only).
type settingsInput struct {
	unknown bool

	userIDClaim        *string
	userIDClaimUnknown bool

	useCommonEndpoint     *bool
	commonEndpointUnknown bool

	setUserRootAttributes *string
	rootAttributesUnknown bool
}

// configSettings reads the configured connection_settings.
func configSettings(obj types.Object) settingsInput {
	var in settingsInput
	if obj.IsNull() {
		return in
	}
	if obj.IsUnknown() {
		return settingsInput{unknown: true, userIDClaimUnknown: true, commonEndpointUnknown: true, rootAttributesUnknown: true}
	}
	attrs := obj.Attributes()
	if v, ok := attrs["user_id_claim"].(types.String); ok {
		in.userIDClaimUnknown = v.IsUnknown()
		if !v.IsNull() && !v.IsUnknown() {
			s := v.ValueString()
			in.userIDClaim = &s
		}
	}
	if v, ok := attrs["use_common_endpoint"].(types.Bool); ok {
		in.commonEndpointUnknown = v.IsUnknown()
		if !v.IsNull() && !v.IsUnknown() {
			b := v.ValueBool()
			in.useCommonEndpoint = &b
		}
	}
	if v, ok := attrs["set_user_root_attributes"].(types.String); ok {
		in.rootAttributesUnknown = v.IsUnknown()
		if !v.IsNull() && !v.IsUnknown() {
			s := v.ValueString()
			in.setUserRootAttributes = &s
		}
	}
	return in
}

// optionChanges turns the managed settings into connection option changes. For waad connections Auth0 reads a
// missing set_user_root_attributes as on_each_login (and only then shows the Dashboard toggle on), so
// on_each_login is written by removing the key.
func (s settingsInput) optionChanges() []auth0client.OptionChange {
	var out []auth0client.OptionChange
	if s.userIDClaim != nil {
		out = append(out, auth0client.OptionChange{Key: auth0client.OptionUserIDAttribute, Value: *s.userIDClaim})
	}
	if s.useCommonEndpoint != nil {
		out = append(out, auth0client.OptionChange{Key: auth0client.OptionUseCommonEndpoint, Value: *s.useCommonEndpoint})
	}
	if s.setUserRootAttributes != nil {
		var v any = *s.setUserRootAttributes
		if *s.setUserRootAttributes == syncEachLogin {
			v = nil
		}
		out = append(out, auth0client.OptionChange{Key: auth0client.OptionSetUserRootAttributes, Value: v})
	}
	return out
}

// prepareConnection reads the connection, checks it again (values unknown at plan time are known now), and
// writes the managed settings with a read-modify-write of the whole options object, so that no other option is
// lost. It returns the connection as it is afterwards.
func (r *Resource) prepareConnection(ctx context.Context, client *auth0client.Client, in inputs, diags *diag.Diagnostics) (*auth0client.Connection, bool) {
	id := in.connectionID
	conn, err := client.GetConnection(ctx, id)
	if auth0client.IsNotFound(err) {
		diags.AddAttributeError(path.Root("connection_id"), "Auth0 connection not found",
			fmt.Sprintf("connection_id = %q: tenant %s has no connection with this id.", id, client.Domain))
		return nil, false
	}
	if err != nil {
		diags.AddError("Could not read the connection", err.Error())
		return nil, false
	}
	diags.Append(checkConnection(conn, in.settings)...)
	if diags.HasError() {
		return nil, false
	}
	changes := in.settings.optionChanges()
	options, changed, err := auth0client.ApplyOptionChanges(conn.Options, changes)
	if err != nil {
		diags.AddError("Could not prepare the connection options", err.Error())
		return nil, false
	}
	if !changed {
		return conn, true
	}
	keys := make([]string, len(changes))
	for i, c := range changes {
		keys[i] = c.Key
	}
	tflog.Info(ctx, "Updating connection settings", map[string]any{"connection_id": id, "managed_options": strings.Join(keys, ",")})
	conn, err = client.UpdateConnectionOptions(ctx, id, options)
	if err != nil {
		diags.AddAttributeError(path.Root("connection_settings"), "Could not update the connection settings", err.Error())
		return nil, false
	}
	return conn, true
}

// mappingRows reads a mapping set; known is false when any row is not known yet.
func mappingRows(set types.Set) (rows []auth0client.SCIMMapping, known bool) {
	if set.IsUnknown() {
		return nil, false
	}
	known = true
	for _, e := range set.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			known = false
			continue
		}
		scim, _ := obj.Attributes()["scim"].(types.String)
		a0, _ := obj.Attributes()["auth0"].(types.String)
		if scim.IsUnknown() || a0.IsUnknown() {
			known = false
			continue
		}
		rows = append(rows, auth0client.SCIMMapping{SCIM: scim.ValueString(), Auth0: a0.ValueString()})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].SCIM < rows[j].SCIM })
	return rows, known
}

// stringSet reads a set of strings; known is false when any element is not known yet.
func stringSet(set types.Set) (out []string, known bool) {
	if set.IsUnknown() {
		return nil, false
	}
	known = true
	for _, e := range set.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			known = false
			continue
		}
		out = append(out, s.ValueString())
	}
	sort.Strings(out)
	return out, known
}

// desiredMapping merges the configured rows over Auth0's default mapping, keyed by SCIM attribute: default rows
// keep their order, a configured row replaces the default row of its SCIM attribute in place, removed rows are
// dropped, and configured rows for other SCIM attributes follow, sorted by SCIM attribute.
func desiredMapping(defaults, rows []auth0client.SCIMMapping, remove []string) []auth0client.SCIMMapping {
	override := make(map[string]string, len(rows))
	for _, r := range rows {
		override[r.SCIM] = r.Auth0
	}
	removed := make(map[string]bool, len(remove))
	for _, s := range remove {
		removed[s] = true
	}
	out := make([]auth0client.SCIMMapping, 0, len(defaults)+len(rows))
	used := map[string]bool{}
	for _, d := range defaults {
		if removed[d.SCIM] || used[d.SCIM] {
			continue
		}
		used[d.SCIM] = true
		if a0, ok := override[d.SCIM]; ok {
			d.Auth0 = a0
		}
		out = append(out, d)
	}
	for _, r := range rows { // rows are sorted by SCIM attribute
		if !used[r.SCIM] {
			used[r.SCIM] = true
			out = append(out, r)
		}
	}
	return out
}

// overridesFrom is desiredMapping's inverse, used on import: the rows of current that differ from or are absent
// in the defaults, and the default SCIM attributes current lacks.
func overridesFrom(defaults, current []auth0client.SCIMMapping) (rows []auth0client.SCIMMapping, removed []string) {
	def := mappingMap(defaults)
	cur := mappingMap(current)
	for scim, a0 := range cur {
		if d, ok := def[scim]; !ok || d != a0 {
			rows = append(rows, auth0client.SCIMMapping{SCIM: scim, Auth0: a0})
		}
	}
	for scim := range def {
		if _, ok := cur[scim]; !ok {
			removed = append(removed, scim)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].SCIM < rows[j].SCIM })
	sort.Strings(removed)
	return rows, removed
}

// notInDefaults returns the SCIM attributes of remove that the default mapping does not have.
func notInDefaults(defaults []auth0client.SCIMMapping, remove []string) []string {
	def := mappingMap(defaults)
	var out []string
	for _, s := range remove {
		if _, ok := def[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}

// mappingMap keys a mapping by SCIM attribute.
func mappingMap(m []auth0client.SCIMMapping) map[string]string {
	out := make(map[string]string, len(m))
	for _, r := range m {
		out[r.SCIM] = r.Auth0
	}
	return out
}

// sameMapping reports whether two mappings hold the same rows, in any order.
func sameMapping(a, b []auth0client.SCIMMapping) bool {
	if len(a) != len(b) {
		return false
	}
	ma, mb := mappingMap(a), mappingMap(b)
	if len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		if w, ok := mb[k]; !ok || w != v {
			return false
		}
	}
	return true
}

var (
	mappingObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{"scim": types.StringType, "auth0": types.StringType}}
	settingsAttrTypes = map[string]attr.Type{
		"user_id_claim":            types.StringType,
		"use_common_endpoint":      types.BoolType,
		"set_user_root_attributes": types.StringType,
	}
)
