package enterpriseapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// Groups assigned to the application are exported to Auth0's /Groups by the provisioning job's Group object mapping
// ("Provision Microsoft Entra ID Groups"), which the `scim` template ships enabled (microsoft-graph.md §5.11,
// scim-groups.md §4). Auth0 guards /Groups with the `*:groups` token scopes (scim-groups.md §1) and answers 403
// without them, so a token with user scopes only makes every cycle fail on the groups and the job goes into
// quarantine. groupScopeWarning says so at plan, when it can know: groups assigned (or scope all), the token in the
// configuration known (its id is the part of the secret before the dot, auth0-management-api.md §5.2) and readable
// through the Management API, and the job's Group mapping enabled, as read from the job's schema.
//
// A new application gets no warning: its job does not exist yet, and whether its Group mapping stays enabled is
// decided in the same apply by an auth0entra_attribute_mappings resource this resource cannot see (examples/complete
// disables it). Assuming the template's default there warned users-only configurations falsely during their first
// apply. The check runs on every later plan instead, no-change plans included: there the token list is only the one
// the token's own refresh has just read (auth0client.CachedOnly: nothing is sent for it), and the schema, read only
// when a group scope is missing, is the read the attribute mappings' refresh then takes from the Graph cache.

// groupScopes are the token scopes each Group object action needs; get:groups is needed to match at all. Entra
// updates groups with PATCH, never PUT (scim-groups.md §4).
var groupScopes = map[string]string{"": "get:groups", "Add": "post:groups", "Update": "patch:groups", "Delete": "delete:groups"}

// warningTimeout bounds the reads behind the warning: a plan-time hint must not hold the plan up; when a read fails
// or is slow, there is no warning.
const warningTimeout = 10 * time.Second

func (r *Resource) groupScopeWarning(ctx context.Context, req resource.ModifyPlanRequest, plan resourceModel, state *resourceModel, unchanged bool) diag.Diagnostics {
	var diags diag.Diagnostics
	p := plan.Provisioning
	if r.Clients == nil || r.Clients.Auth0 == nil || r.Clients.Entra == nil || p == nil || p.TenantURL.IsUnknown() || p.TenantURL.IsNull() {
		return nil
	}
	if state == nil || state.JobID.IsNull() || state.JobID.IsUnknown() || state.ServicePrincipalID.IsNull() || state.ServicePrincipalID.IsUnknown() {
		return nil // a new application: see above
	}
	groups := 0
	for _, el := range plan.Assignment.Elements() {
		obj, ok := el.(basetypes.ObjectValue)
		if !ok {
			continue
		}
		if t, ok := obj.Attributes()["principal_type"].(basetypes.StringValue); ok && t.ValueString() == "Group" {
			groups++
		}
	}
	all := p.Scope.ValueString() == scopeAll
	if groups == 0 && !all {
		return nil
	}
	var cfg resourceModel
	if d := req.Config.Get(ctx, &cfg); d.HasError() || cfg.Provisioning == nil {
		return nil
	}
	secret := cfg.Provisioning.SecretTokenWO
	if secret.IsNull() {
		secret = cfg.Provisioning.SecretToken
	}
	if secret.IsUnknown() || secret.IsNull() {
		return nil // the token is created in this apply: nothing to look at yet
	}
	tokenID, _, _ := strings.Cut(secret.ValueString(), ".")
	connID := connectionOf(p.TenantURL.ValueString())
	if !strings.HasPrefix(tokenID, "tok_") || connID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, warningTimeout)
	defer cancel()
	listCtx := ctx
	if unchanged {
		// A no-change plan uses the token list the refresh of the token just read; with -refresh=false (or a token
		// managed elsewhere) there is none, and the plan stays free of API calls (README "Request budgets").
		listCtx = auth0client.CachedOnly(ctx)
	}
	tokens, err := r.Clients.Auth0.ListSCIMTokens(listCtx, connID)
	if err != nil {
		tflog.Debug(ctx, "Could not list the connection's SCIM tokens to check the group scopes", map[string]any{"error": err.Error()})
		return nil
	}
	var scopes []string
	found := false
	for _, t := range tokens {
		if t.TokenID == tokenID {
			scopes, found = t.Scopes, true
		}
	}
	if !found {
		return nil
	}
	// The token's scopes first: the schema is read only when a group scope is missing.
	if has := map[string]bool{}; true {
		for _, s := range scopes {
			has[s] = true
		}
		if has["get:groups"] && has["post:groups"] && has["patch:groups"] && has["delete:groups"] {
			return nil
		}
	}
	raw, err := r.Clients.Entra.GetSchema(ctx, state.ServicePrincipalID.ValueString(), state.JobID.ValueString())
	if err != nil {
		tflog.Debug(ctx, "Could not read the job's schema to check the Group object mapping", map[string]any{"error": err.Error()})
		return nil
	}
	enabled, flowTypes, ok := groupMapping(raw)
	if !ok || !enabled {
		return nil
	}
	have := map[string]bool{}
	for _, s := range scopes {
		have[s] = true
	}
	var missing []string
	for _, ft := range append([]string{""}, strings.Split(flowTypes, ",")...) {
		if sc := groupScopes[strings.TrimSpace(ft)]; sc != "" && !have[sc] && !contains(missing, sc) {
			missing = append(missing, sc)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	who := fmt.Sprintf("%d group(s) are assigned to the enterprise application", groups)
	if all {
		who = "Provisioning scope is \"all\" (every group is in scope)"
	}
	diags.AddAttributeWarning(path.Root("provisioning"), "Assigned groups will be refused by Auth0",
		fmt.Sprintf("%s and the provisioning job's Group object mapping (\"Provision Microsoft Entra ID Groups\") is enabled, so every provisioning cycle exports those groups to Auth0's SCIM /Groups endpoint. The SCIM token %s has the scopes %s and lacks %s: Auth0 will answer 403 (Insufficient scope) for each group, Provision on Demand of a group will fail, and after a cycle Entra puts the job in quarantine. Two ways out:\n"+
			"1. Users only: disable the Group object mapping with resource \"auth0entra_attribute_mappings\" { source_object = \"Group\", enabled = false, ... }. Assigned groups then only select which users are provisioned.\n"+
			"2. Users and groups: give the token the group scopes, e.g. scopes = [%s] on auth0entra_scim_token (a new token: change secret_token_wo_version with it).\n"+
			"The Group mapping was read from the job as it is now: if this plan already disables it, the warning is gone once it is applied.",
			who, tokenID, quoteList(scopes), strings.Join(missing, ", "), quoteList(append(append([]string{}, scopes...), missing...))))
	return diags
}

// connectionOf extracts the connection id from a SCIM endpoint URL …/scim/v2/connections/{id}.
func connectionOf(tenantURL string) string {
	u, err := url.Parse(tenantURL)
	if err != nil {
		return ""
	}
	_, rest, ok := strings.Cut(u.Path, "/scim/v2/connections/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// groupMapping reads the Group object mapping's enabled flag and flowTypes from a synchronization schema.
func groupMapping(raw []byte) (enabled bool, flowTypes string, ok bool) {
	var s struct {
		SynchronizationRules []struct {
			ObjectMappings []struct {
				Enabled          bool   `json:"enabled"`
				FlowTypes        string `json:"flowTypes"`
				SourceObjectName string `json:"sourceObjectName"`
			} `json:"objectMappings"`
		} `json:"synchronizationRules"`
	}
	if json.Unmarshal(raw, &s) != nil {
		return false, "", false
	}
	for _, rule := range s.SynchronizationRules {
		for _, om := range rule.ObjectMappings {
			if strings.EqualFold(om.SourceObjectName, "Group") {
				return om.Enabled, om.FlowTypes, true
			}
		}
	}
	return false, "", true // no Group object mapping: nothing is exported
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
