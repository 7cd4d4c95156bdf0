package scimconnection

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// Interplay with the official auth0_connection resource on the same `waad` connection (guide "Try your whole
// stack offline", section "Using auth0_connection next to this provider").
//
// What each writes (SOURCE: auth0/terraform-provider-auth0 internal/auth0/connection/expand.go,
// expandConnectionOptionsAzureAD; contributing/facts/auth0-clients-and-grants.md):
//   - auth0_connection sends PATCH /connections/{id} with the whole `options` object built from its configuration;
//     options it does not configure are left out, and Auth0 replaces the stored options wholesale
//     (auth0-management-api.md §8.4), so they disappear. Its user_id_attribute, waad_common_endpoint and
//     set_user_root_attributes are Optional+Computed: left out of its configuration they read back without a diff.
//   - auth0entra_scim_connection writes the SCIM configuration (its own endpoint, which auth0_connection never
//     touches) and, only when connection_settings configures them, the same three options, keeping every other
//     option as it found it.
//
// So the two fight exactly when both configure one of the three settings (each apply flips it back), or when
// connection_settings configures one that auth0_connection then drops on its next update. The recommended split:
// auth0_connection owns every option, these three included; auth0entra_scim_connection owns the SCIM
// configuration and leaves connection_settings out, reading the settings instead.
//
// Detection: at plan, the settings this resource configured at its last plan are kept in private state. When the
// configuration still asks for the same value but the connection now holds another, something else wrote the
// option since: a warning names the setting, both values and the fix. A changed configuration is not a fight and
// stays silent.

const privateInterplayKey = "connection_settings_configured"

// configuredSettings is what connection_settings asked for at the last plan (nil: not configured).
type configuredSettings struct {
	UserIDClaim           *string `json:"user_id_claim,omitempty"`
	UseCommonEndpoint     *bool   `json:"use_common_endpoint,omitempty"`
	SetUserRootAttributes *string `json:"set_user_root_attributes,omitempty"`
}

// checkInterplay warns about a tug-of-war with another writer of the connection's options and records what the
// configuration asks for now. Called from ModifyPlan once the connection has been read.
func checkInterplay(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, wanted settingsInput, conn *auth0client.Connection) diag.Diagnostics {
	var diags diag.Diagnostics
	if wanted.unknown || conn == nil || resp.Private == nil {
		return diags
	}
	now := configuredSettings{UserIDClaim: wanted.userIDClaim, UseCommonEndpoint: wanted.useCommonEndpoint, SetUserRootAttributes: wanted.setUserRootAttributes}
	if req.Private != nil && !req.State.Raw.IsNull() {
		if raw, d := req.Private.GetKey(ctx, privateInterplayKey); !d.HasError() && len(raw) > 0 {
			var before configuredSettings
			if json.Unmarshal(raw, &before) == nil {
				diags.Append(interplayWarnings(before, now, currentSettings(conn), conn)...)
			}
		}
	}
	b, err := json.Marshal(now)
	if err != nil {
		return diags
	}
	diags.Append(resp.Private.SetKey(ctx, privateInterplayKey, b)...)
	return diags
}

// interplayWarnings compares, setting by setting, what was and is configured with what the connection holds.
func interplayWarnings(before, now configuredSettings, cur settings, conn *auth0client.Connection) diag.Diagnostics {
	var diags diag.Diagnostics
	warn := func(attr, option, want, have, officialArg string) {
		diags.AddAttributeWarning(path.Root("connection_settings").AtName(attr), "Another writer changed a connection setting this resource manages",
			fmt.Sprintf("connection_settings.%s = %q, and this resource wrote it, but connection %q (%s) now has %s = %q. Something else wrote the "+
				"connection's options since the last apply; applying writes %q back. If auth0_connection manages this connection, this is a "+
				"tug-of-war: every auth0_connection update sends the whole options object from its own configuration. Keep the setting in one place: "+
				"set options { %s } in auth0_connection and remove %s from connection_settings here (it is then read, not written). "+
				"See the guide \"Try your whole stack offline\", section \"Using auth0_connection next to this provider\".",
				attr, want, conn.Name, conn.ID, option, have, want, officialArg, attr))
	}
	if now.UserIDClaim != nil && before.UserIDClaim != nil && *now.UserIDClaim == *before.UserIDClaim && cur.userIDClaim != *now.UserIDClaim {
		warn("user_id_claim", auth0client.OptionUserIDAttribute, *now.UserIDClaim, cur.userIDClaim, fmt.Sprintf("user_id_attribute = %q", *now.UserIDClaim))
	}
	if now.UseCommonEndpoint != nil && before.UseCommonEndpoint != nil && *now.UseCommonEndpoint == *before.UseCommonEndpoint && cur.useCommonEndpoint != *now.UseCommonEndpoint {
		warn("use_common_endpoint", auth0client.OptionUseCommonEndpoint, fmt.Sprint(*now.UseCommonEndpoint), fmt.Sprint(cur.useCommonEndpoint), fmt.Sprintf("waad_common_endpoint = %t", *now.UseCommonEndpoint))
	}
	if now.SetUserRootAttributes != nil && before.SetUserRootAttributes != nil && *now.SetUserRootAttributes == *before.SetUserRootAttributes && cur.setUserRootAttributes != *now.SetUserRootAttributes {
		warn("set_user_root_attributes", auth0client.OptionSetUserRootAttributes, *now.SetUserRootAttributes, cur.setUserRootAttributes, fmt.Sprintf("set_user_root_attributes = %q", *now.SetUserRootAttributes))
	}
	return diags
}
