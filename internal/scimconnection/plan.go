package scimconnection

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// ValidateConfig rejects what can be judged from the configuration alone: a SCIM attribute mapped twice, or both
// mapped and removed. Unknown values are skipped here and checked again at apply.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config resourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	rows, _ := mappingRows(config.Mapping)
	remove, _ := stringSet(config.RemoveDefaultMapping)
	resp.Diagnostics.Append(checkRows(rows, remove)...)
}

// checkRows reports SCIM attributes mapped twice, and SCIM attributes both mapped and removed.
func checkRows(rows []auth0client.SCIMMapping, remove []string) diag.Diagnostics {
	var diags diag.Diagnostics
	seen := map[string][]string{}
	var order []string
	for _, r := range rows {
		if _, ok := seen[r.SCIM]; !ok {
			order = append(order, r.SCIM)
		}
		seen[r.SCIM] = append(seen[r.SCIM], r.Auth0)
	}
	for _, scim := range order {
		if targets := seen[scim]; len(targets) > 1 {
			sort.Strings(targets)
			diags.AddAttributeError(path.Root("mapping"), "SCIM attribute mapped more than once",
				fmt.Sprintf("mapping has %d rows with scim = %q (auth0 = %s). Each SCIM attribute maps to one Auth0 attribute: keep one of these rows.",
					len(targets), scim, quoteAll(targets)))
		}
	}
	for _, scim := range remove {
		if _, ok := seen[scim]; ok {
			diags.AddAttributeError(path.Root("remove_default_mapping"), "SCIM attribute both mapped and removed",
				fmt.Sprintf("%q is in remove_default_mapping and also has a row in mapping. Keep the row in mapping to map it, or keep it in remove_default_mapping to drop it from the mapping, not both.", scim))
		}
	}
	return diags
}

// ModifyPlan checks the connection before anything is written and plans what Auth0 will hold afterwards:
//
//   - the connection must exist and be a `waad` connection that does not use the Azure AD common endpoint (or
//     connection_settings.use_common_endpoint = false turns it off);
//   - on create, the connection must not have a SCIM configuration already (import it instead);
//   - effective_mapping is planned as the default mapping with the overrides applied, so drift in any row shows;
//   - connection_settings not written in the configuration are planned as the connection's current values.
//
// When connection_id is not known yet, everything is checked at apply.
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.Clients == nil {
		return // destroy, or the provider is not configured yet
	}
	if !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) {
		// Nothing changes: the state's computed values stand and there is nothing to check against Auth0. A refresh
		// just before (same process) already compared the connection with the state; with -refresh=false the plan
		// makes no call at all (fleet budget: plan -refresh=false with no change costs 0 requests). The data source
		// auth0entra_scim_endpoint on this connection takes what the state says instead of reading it again.
		var state resourceModel
		if client, _ := r.Auth0(); client != nil && !req.State.Get(ctx, &state).HasError() {
			client.NoteSCIMConfigured(state.ConnectionID.ValueString(), state.ConnectionName.ValueString(), state.Strategy.ValueString())
		}
		return
	}
	var plan, config resourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var state *resourceModel
	if !req.State.Raw.IsNull() {
		state = &resourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	wanted := configSettings(config.ConnectionSettings)

	if plan.ConnectionID.IsUnknown() {
		plan.EffectiveMapping = types.MapUnknown(types.StringType)
		plan.ConnectionName, plan.Strategy, plan.UpdatedOn = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		plan.ConnectionSettings = plannedSettings(wanted, nil)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	client, diags := r.Auth0()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := framework.Bound(ctx, plan.Timeouts, framework.ReadTimeout, auth0client.DefaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	id := plan.ConnectionID.ValueString()

	conn, err := client.GetConnection(ctx, id)
	if auth0client.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("connection_id"), "Auth0 connection not found",
			fmt.Sprintf("connection_id = %q: tenant %s has no connection with this id. Check the id on the connection's page in the "+
				"Auth0 Dashboard (Authentication > Enterprise > Microsoft Azure AD), or create the connection first.", id, client.Domain))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the connection", err.Error())
		return
	}
	resp.Diagnostics.Append(checkConnection(conn, wanted)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ConnectionName = types.StringValue(conn.Name)
	plan.Strategy = types.StringValue(conn.Strategy)
	plan.ConnectionSettings = plannedSettings(wanted, conn)
	resp.Diagnostics.Append(checkInterplay(ctx, req, resp, wanted, conn)...) // interplay.go: another writer of the options

	defaults, err := client.GetSCIMDefaultMapping(ctx, id)
	if err != nil {
		resp.Diagnostics.AddError("Could not read Auth0's default SCIM mapping", err.Error())
		return
	}
	rows, rowsKnown := mappingRows(plan.Mapping)
	remove, removeKnown := stringSet(plan.RemoveDefaultMapping)
	if stray := notInDefaults(defaults, remove); len(stray) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("remove_default_mapping"), "Nothing to remove",
			fmt.Sprintf("remove_default_mapping names %s, which Auth0's default mapping for %s connections does not have, so removing it changes nothing. "+
				"Check the spelling (enterprise attributes are written urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.<name>, with a dot).",
				quoteAll(stray), conn.Strategy))
	}
	if rowsKnown && removeKnown {
		desired := desiredMapping(defaults, rows, remove)
		resp.Diagnostics.Append(checkUserIDAttribute(plan.UserIDAttribute, desired)...)
		em, d := types.MapValueFrom(ctx, types.StringType, mappingMap(desired))
		resp.Diagnostics.Append(d...)
		plan.EffectiveMapping = em
	} else {
		plan.EffectiveMapping = types.MapUnknown(types.StringType)
	}

	// updated_on moves only when the SCIM configuration itself is written.
	if state != nil && plan.EffectiveMapping.Equal(state.EffectiveMapping) && plan.UserIDAttribute.Equal(state.UserIDAttribute) {
		plan.UpdatedOn = state.UpdatedOn
	} else {
		plan.UpdatedOn = types.StringUnknown()
	}

	if state == nil {
		resp.Diagnostics.Append(r.checkNotConfigured(ctx, client, conn, req)...)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkNotConfigured fails a create when the connection already has a SCIM configuration that this resource
// instance does not own. Two kinds of create are replacements of an object this instance owns: on a replacement
// planned by the provider or by -replace, private state names the connection of the object being replaced; on the
// replacement of a tainted object left by a failed create, Terraform passes neither its state nor its private
// state, and the refresh that came just before told rememberIncompleteCreate.
//
// A third kind is the remains of a create that an interrupted run of the provider carried out without Terraform
// recording it (killed process, lost answer): the connection carries the provider's marker (see createOrAdopt),
// and Create adopts the configuration instead of creating one.
func (r *Resource) checkNotConfigured(ctx context.Context, client *auth0client.Client, conn *auth0client.Connection, req resource.ModifyPlanRequest) diag.Diagnostics {
	var diags diag.Diagnostics
	id := conn.ID
	if owned, d := req.Private.GetKey(ctx, privateConnectionKey); !d.HasError() && string(owned) == string(privateValue(id)) {
		return diags
	}
	if incompleteCreate(client, id) {
		return diags
	}
	_, err := client.GetSCIMConfiguration(ctx, id)
	switch {
	case err == nil && conn.Metadata[auth0client.MarkerSCIMConfiguration] != "":
		diags.AddAttributeWarning(path.Root("connection_id"), "Adopting a SCIM configuration an interrupted run created",
			fmt.Sprintf("Connection %q has a SCIM configuration that no Terraform state holds, and the connection carries this provider's marker "+
				"(metadata %s = %q), written just before an earlier run of the provider created it: that run was interrupted before "+
				"Terraform could record the result. Apply adopts it (and sets the planned mapping) instead of creating a second one.",
				id, auth0client.MarkerSCIMConfiguration, conn.Metadata[auth0client.MarkerSCIMConfiguration]))
	case err == nil:
		diags.AddAttributeError(path.Root("connection_id"), "SCIM is already enabled on this connection",
			fmt.Sprintf("Connection %q already has a SCIM configuration, made outside this Terraform configuration. Import it instead of creating it: "+
				"add an import block\n\n  import {\n    to = %s.<name>\n    id = %q\n  }\n\nor run `terraform import %s.<name> %s`. "+
				"(Deleting it in Auth0 would also revoke its SCIM tokens.)\n\n"+
				"If this resource's own create failed halfway in an earlier apply, Terraform holds the configuration as tainted and this plan replaces it "+
				"once the tainted object is refreshed: plan again without -refresh=false.", id, TypeName, id, TypeName, id))
	case auth0client.IsNotFound(err):
	default:
		diags.AddError("Could not read the SCIM configuration", err.Error())
	}
	return diags
}

// checkUserIDAttribute rejects a user_id_attribute that no row of the resulting mapping provides: Auth0 would
// have no mapped SCIM attribute to take the user id from.
func checkUserIDAttribute(uid types.String, desired []auth0client.SCIMMapping) diag.Diagnostics {
	var diags diag.Diagnostics
	if uid.IsNull() || uid.IsUnknown() || len(desired) == 0 {
		// An empty mapping is Auth0's own business (it applies its defaults to an empty POST, and Create then
		// writes the empty mapping); the check is about a mapping that has rows but not this one.
		return diags
	}
	v := uid.ValueString()
	for _, m := range desired {
		if m.SCIM == v {
			return diags
		}
	}
	shown := v
	if len(shown) > 80 {
		shown = shown[:80] + "…"
	}
	diags.AddAttributeError(path.Root("user_id_attribute"), "User id attribute not in the mapping",
		fmt.Sprintf("user_id_attribute = %q, but no row of the resulting SCIM mapping has scim = %q, so Auth0 would have no attribute to "+
			"take the user id from. Use a mapped SCIM attribute (Auth0's default is \"externalId\"), add a row "+
			"{ scim = %q, auth0 = \"...\" } to mapping, or take it out of remove_default_mapping.", shown, shown, shown))
	return diags
}

// checkConnection rejects a connection SCIM cannot be enabled on, saying what to change. wanted holds the
// configured connection_settings (nil fields: not configured; unknown: decided at apply).
func checkConnection(conn *auth0client.Connection, wanted settingsInput) diag.Diagnostics {
	var diags diag.Diagnostics
	if conn.Strategy != "waad" {
		diags.AddAttributeError(path.Root("connection_id"), "Not a Microsoft Azure AD connection",
			fmt.Sprintf("Connection %q (%q) is a %q connection. %s configures SCIM for Microsoft Azure AD (waad) connections only; "+
				"set connection_id to the id of a waad connection (Auth0 Dashboard > Authentication > Enterprise > Microsoft Azure AD).",
				conn.ID, conn.Name, conn.Strategy, TypeName))
		return diags
	}
	common, _ := conn.OptionBool(auth0client.OptionUseCommonEndpoint)
	if common && !wanted.commonEndpointUnknown && (wanted.useCommonEndpoint == nil || *wanted.useCommonEndpoint) {
		diags.AddAttributeError(path.Root("connection_settings").AtName("use_common_endpoint"), "Connection uses the Azure AD common endpoint",
			fmt.Sprintf("Connection %q (%q) has \"Use Common Endpoint\" on (option useCommonEndpoint = true), and Auth0 cannot enable SCIM on such a connection. "+
				"Add `use_common_endpoint = false` to connection_settings so that this resource turns it off before enabling SCIM "+
				"(users of other Entra tenants can then no longer log in through this connection), or choose another connection.",
				conn.ID, conn.Name))
	}
	return diags
}

// createErrorDetail explains a failed POST scim-configuration.
func createErrorDetail(id string, err error) string {
	switch {
	case auth0client.IsAlreadyExists(err):
		return fmt.Sprintf("%s\n\nConnection %q already has a SCIM configuration. Import it: `terraform import %s.<name> %s`.", err, id, TypeName, id)
	case auth0client.IsSCIMUnsupported(err):
		return fmt.Sprintf("%s\n\nConnection %q is not of a type that supports SCIM; use a Microsoft Azure AD (waad) connection.", err, id)
	case auth0client.StatusCode(err) == 400 && strings.Contains(auth0client.Message(err), "common endpoint"):
		return fmt.Sprintf("%s\n\nSet connection_settings.use_common_endpoint = false.", err)
	}
	return err.Error()
}

// mustBeFalse accepts only false: SCIM and the Azure AD common endpoint exclude each other.
type mustBeFalse struct{}

func (mustBeFalse) Description(context.Context) string { return "must be false" }

func (v mustBeFalse) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (mustBeFalse) ValidateBool(_ context.Context, req validator.BoolRequest, resp *validator.BoolResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || !req.ConfigValue.ValueBool() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "SCIM cannot work with the common endpoint",
		fmt.Sprintf("%s = true: Auth0 cannot enable SCIM on a Microsoft Azure AD connection that uses the common endpoint. "+
			"Set it to false (to turn the common endpoint off) or leave it out (to keep the connection's setting, which must then be off).", req.Path))
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// incompleteCreates hands one fact from Read to ModifyPlan: connection → the SCIM configuration found in the state
// is the remains of this provider's failed create (private state privateIncompleteKey). Terraform plans the
// replacement of such a tainted object like a create, showing ModifyPlan neither the object nor its private state,
// but it refreshes the object first, in the same provider process and with the same configured client. Keys hold
// the client, so that nothing carries over to another provider configuration or another Terraform run.
var incompleteCreates sync.Map // incompleteKey → struct{}

type incompleteKey struct {
	client       *auth0client.Client
	connectionID string
}

func rememberIncompleteCreate(client *auth0client.Client, connectionID string) {
	incompleteCreates.Store(incompleteKey{client, connectionID}, struct{}{})
}

func incompleteCreate(client *auth0client.Client, connectionID string) bool {
	_, ok := incompleteCreates.Load(incompleteKey{client, connectionID})
	return ok
}
