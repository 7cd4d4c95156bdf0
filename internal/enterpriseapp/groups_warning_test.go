package enterpriseapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/enterpriseapp"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// planWarnings runs the resource's ModifyPlan for an existing app (state: its ids) whose configuration assigns the
// seeded group and gives provisioning the token secret, and returns the warnings. With creating, the plan is the
// app's creation (no prior state).
func planWarnings(t *testing.T, clients *conns.Clients, spID, jobID, tenantURL, secret string, creating bool) []string {
	t.Helper()
	ctx := context.Background()
	r := &enterpriseapp.Resource{}
	var sr fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
	r.Configure(ctx, fwresource.ConfigureRequest{ProviderData: clients}, &fwresource.ConfigureResponse{})
	typ := sr.Schema.Type().TerraformType(ctx)
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
	state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
	asgSet, ok1 := sr.Schema.GetAttributes()["assignment"].GetType().(types.SetType)
	asgType, ok2 := asgSet.ElemType.(types.ObjectType)
	provType, ok3 := sr.Schema.GetAttributes()["provisioning"].GetType().(types.ObjectType)
	if !ok1 || !ok2 || !ok3 {
		t.Fatal("assignment or provisioning does not have the expected type")
	}
	asg := types.SetValueMust(asgType, []attr.Value{types.ObjectValueMust(asgType.AttrTypes, map[string]attr.Value{
		"principal_id": types.StringValue(groupID), "principal_type": types.StringValue("Group")})})
	prov := types.ObjectValueMust(provType.AttrTypes, map[string]attr.Value{
		"tenant_url": types.StringValue(tenantURL), "secret_token_wo": types.StringValue(secret),
		"secret_token_wo_version": types.StringValue("1"), "secret_token": types.StringNull(),
		"scope": types.StringValue("assigned"), "enabled": types.BoolValue(true)})
	for name, v := range map[string]any{"display_name": "Auth0 SCIM (corp)", "assignment": asg, "provisioning": prov,
		"id": spID, "service_principal_id": spID, "job_id": jobID} {
		if d := plan.SetAttribute(ctx, path.Root(name), v); d.HasError() {
			t.Fatal(d)
		}
		if d := state.SetAttribute(ctx, path.Root(name), v); d.HasError() {
			t.Fatal(d)
		}
	}
	// The write-only secret is in the configuration only.
	if d := state.SetAttribute(ctx, path.Root("provisioning").AtName("secret_token_wo"), types.StringNull()); d.HasError() {
		t.Fatal(d)
	}
	if creating {
		state.Raw = tftypes.NewValue(typ, nil)
	}
	req := fwresource.ModifyPlanRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}, Plan: plan, State: state}
	resp := &fwresource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("ModifyPlan: %v", resp.Diagnostics)
	}
	var out []string
	for _, w := range resp.Diagnostics.Warnings() {
		out = append(out, w.Summary()+": "+w.Detail())
	}
	return out
}

var groupID string

// TestGroupScopeWarning runs on both targets: a plan where a group is assigned, the Group object mapping is enabled
// and the token lacks the group scopes warns, saying what will happen and the two ways out; with the group scopes, or
// with the Group mapping disabled, or for an app being created (its job's mapping is not decided yet), it does not. The job is set up by hand through the Management API and Graph, the
// Group mapping enabled with Graph's schema PUT, the second token issued through the Management API.
func TestGroupScopeWarning(t *testing.T) {
	tg := acctest.NewTarget(t)
	hand := tg.SetUpByHand(t, acctest.RandomName()+" Auth0 SCIM (corp)") // the guide's token: get:users, patch:users, delete:users
	groupID = tg.GroupID
	en := tg.Entra(t)
	// Each plan runs with clients of its own, as a new provider process would (the clients keep their reads).
	clients := func() *conns.Clients { return &conns.Clients{Entra: tg.Entra(t), Auth0: tg.Auth0(t)} }
	// warnings polls the plan's warnings until there are want of them: Graph answers with a lag after the schema PUT
	// (microsoft-graph.md §3.4).
	warnings := func(secret string, want int) []string {
		t.Helper()
		var w []string
		if err := acctest.Eventually(en, "the plan's warnings", func(context.Context) error {
			w = planWarnings(t, clients(), hand.ServicePrincipalID, hand.JobID, hand.TenantURL, secret, false)
			if len(w) != want {
				return fmt.Errorf("%d warnings, want %d: %q", len(w), want, w)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return w
	}

	setGroupMapping := func(on bool) {
		t.Helper()
		ctx, cancel := acctest.CheckContext()
		defer cancel()
		raw, err := en.GetSchema(entraclient.Fresh(ctx), hand.ServicePrincipalID, hand.JobID)
		if err != nil {
			t.Fatal(err)
		}
		var schema map[string]any
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		delete(schema, "@odata.context")
		rules, _ := schema["synchronizationRules"].([]any)
		found := false
		for _, rule := range rules {
			rm, _ := rule.(map[string]any)
			oms, _ := rm["objectMappings"].([]any)
			for _, om := range oms {
				if om, _ := om.(map[string]any); om["sourceObjectName"] == "Group" {
					om["enabled"] = on
					found = true
				}
			}
		}
		if !found {
			t.Fatal("the job's schema has no Group object mapping")
		}
		b, err := json.Marshal(schema)
		if err != nil {
			t.Fatal(err)
		}
		if err := en.PutSchema(ctx, hand.ServicePrincipalID, hand.JobID, b); err != nil {
			t.Fatal(err)
		}
	}

	// Users only (the hand setup disables the Group mapping, as examples/complete does): no warning.
	warnings(hand.Token, 0)

	// The template's default, the Group mapping enabled, with the guide's token: the warning.
	setGroupMapping(true)
	w := warnings(hand.Token, 1)
	for _, want := range []string{"Assigned groups will be refused by Auth0", hand.TokenID, "delete:groups, get:groups, patch:groups, post:groups",
		"403", "quarantine", "Users only", `enabled = false`, "Users and groups", "secret_token_wo_version"} {
		if !strings.Contains(w[0], want) {
			t.Errorf("the warning does not say %q:\n%s", want, w[0])
		}
	}
	if strings.Contains(w[0], hand.Token) {
		t.Fatal("the warning shows the token's secret")
	}
	// Creating an app: its job's Group mapping is decided in the same apply by auth0entra_attribute_mappings, which
	// the app cannot see (examples/complete disables it), so no warning, even now that the mapping is enabled.
	if w := planWarnings(t, clients(), hand.ServicePrincipalID, hand.JobID, hand.TenantURL, hand.Token, true); len(w) != 0 {
		t.Errorf("a new app was warned: %q", w)
	}

	// With a token that has the group scopes: no warning.
	token, _ := tg.IssueSCIMToken(t, tg.Auth0(t), "get:users", "patch:users", "get:groups", "post:groups", "patch:groups", "delete:groups")
	warnings(token, 0)
}
