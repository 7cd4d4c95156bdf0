package scimconnection

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// flattenInto writes what Auth0 holds into m. The configured overrides are refreshed row by row, so that a row
// changed or removed outside Terraform shows in the plan; after an import (defaults non-nil) they are worked out
// as the differences between Auth0's mapping and its default mapping.
func flattenInto(ctx context.Context, m *resourceModel, conn *auth0client.Connection, cfg *auth0client.SCIMConfiguration, defaults []auth0client.SCIMMapping) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(conn.ID)
	m.ConnectionID = types.StringValue(conn.ID)
	m.UserIDAttribute = types.StringValue(cfg.UserIDAttribute)
	m.TenantName = types.StringValue(cfg.TenantName)
	m.ConnectionName = types.StringValue(conn.Name)
	m.Strategy = types.StringValue(conn.Strategy)
	m.CreatedAt = types.StringValue(cfg.CreatedAt)
	m.UpdatedOn = types.StringValue(cfg.UpdatedOn)
	m.ConnectionSettings = settingsObject(currentSettings(conn))

	held := mappingMap(cfg.Mapping)
	em, d := types.MapValueFrom(ctx, types.StringType, held)
	diags.Append(d...)
	m.EffectiveMapping = em

	if defaults != nil {
		rows, removed := overridesFrom(defaults, cfg.Mapping)
		m.Mapping = types.SetNull(mappingObjectType)
		if len(rows) > 0 {
			m.Mapping, d = rowsSet(ctx, rows)
			diags.Append(d...)
		}
		m.RemoveDefaultMapping = types.SetNull(types.StringType)
		if len(removed) > 0 {
			m.RemoveDefaultMapping, d = types.SetValueFrom(ctx, types.StringType, removed)
			diags.Append(d...)
		}
		return diags
	}

	if !m.Mapping.IsNull() && !m.Mapping.IsUnknown() {
		rows, _ := mappingRows(m.Mapping)
		kept := make([]auth0client.SCIMMapping, 0, len(rows))
		for _, r := range rows {
			if a0, ok := held[r.SCIM]; ok {
				kept = append(kept, auth0client.SCIMMapping{SCIM: r.SCIM, Auth0: a0})
			}
		}
		m.Mapping, d = rowsSet(ctx, kept)
		diags.Append(d...)
	}
	if !m.RemoveDefaultMapping.IsNull() && !m.RemoveDefaultMapping.IsUnknown() {
		remove, _ := stringSet(m.RemoveDefaultMapping)
		kept := make([]string, 0, len(remove))
		for _, s := range remove {
			if _, ok := held[s]; !ok {
				kept = append(kept, s)
			}
		}
		m.RemoveDefaultMapping, d = types.SetValueFrom(ctx, types.StringType, kept)
		diags.Append(d...)
	}
	return diags
}

func rowsSet(ctx context.Context, rows []auth0client.SCIMMapping) (types.Set, diag.Diagnostics) {
	type row struct {
		SCIM  types.String `tfsdk:"scim"`
		Auth0 types.String `tfsdk:"auth0"`
	}
	out := make([]row, len(rows))
	for i, r := range rows {
		out[i] = row{types.StringValue(r.SCIM), types.StringValue(r.Auth0)}
	}
	return types.SetValueFrom(ctx, mappingObjectType, out)
}

// settings is connection_settings with every value known.
type settings struct {
	userIDClaim           string
	useCommonEndpoint     bool
	setUserRootAttributes string
}

// currentSettings reads the connection's settings, with Auth0's meaning of absent options: userid_attribute
// defaults to sub, useCommonEndpoint to false, and for waad a missing set_user_root_attributes is on_each_login.
func currentSettings(conn *auth0client.Connection) settings {
	s := settings{userIDClaim: claimSub, setUserRootAttributes: syncEachLogin}
	if v, ok := conn.OptionString(auth0client.OptionUserIDAttribute); ok && v != "" {
		s.userIDClaim = v
	}
	if v, ok := conn.OptionBool(auth0client.OptionUseCommonEndpoint); ok {
		s.useCommonEndpoint = v
	}
	if v, ok := conn.OptionString(auth0client.OptionSetUserRootAttributes); ok && v != "" {
		s.setUserRootAttributes = v
	}
	return s
}

func settingsObject(s settings) types.Object {
	return types.ObjectValueMust(settingsAttrTypes, map[string]attr.Value{
		"user_id_claim":            types.StringValue(s.userIDClaim),
		"use_common_endpoint":      types.BoolValue(s.useCommonEndpoint),
		"set_user_root_attributes": types.StringValue(s.setUserRootAttributes),
	})
}

// plannedSettings is connection_settings after apply: the configured values, and the connection's current values
// for the others (unknown when the connection is not known yet).
func plannedSettings(wanted settingsInput, conn *auth0client.Connection) types.Object {
	if wanted.unknown {
		return types.ObjectUnknown(settingsAttrTypes)
	}
	claim, common, root := types.StringUnknown(), types.BoolUnknown(), types.StringUnknown()
	if conn != nil {
		cur := currentSettings(conn)
		claim, common, root = types.StringValue(cur.userIDClaim), types.BoolValue(cur.useCommonEndpoint), types.StringValue(cur.setUserRootAttributes)
	}
	switch {
	case wanted.userIDClaim != nil:
		claim = types.StringValue(*wanted.userIDClaim)
	case wanted.userIDClaimUnknown:
		claim = types.StringUnknown()
	}
	switch {
	case wanted.useCommonEndpoint != nil:
		common = types.BoolValue(*wanted.useCommonEndpoint)
	case wanted.commonEndpointUnknown:
		common = types.BoolUnknown()
	}
	switch {
	case wanted.setUserRootAttributes != nil:
		root = types.StringValue(*wanted.setUserRootAttributes)
	case wanted.rootAttributesUnknown:
		root = types.StringUnknown()
	}
	return types.ObjectValueMust(settingsAttrTypes, map[string]attr.Value{
		"user_id_claim": claim, "use_common_endpoint": common, "set_user_root_attributes": root,
	})
}
