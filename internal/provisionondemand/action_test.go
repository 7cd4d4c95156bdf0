package provisionondemand_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const actionType = "auth0entra_provision_on_demand"

// The Terraform CLI on these machines (1.11) cannot run actions (1.14), so these tests speak the plugin protocol to
// the provider server themselves, in the order Terraform does: GetProviderSchema, ConfigureProvider, then
// ValidateActionConfig and InvokeAction, reading the progress events and the final diagnostics of the stream.

// actionServer is a provider server that also serves actions (tfprotov6.ProviderServerWithActions, which is
// deprecated in favour of this union).
type actionServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
}

// server is the provider's protocol-6 server, configured for a target: the sandbox's explicit provider arguments,
// or, on tenants, none (the provider reads the AUTH0_* and ARM_* environment, as the empty provider block does).
type server struct {
	t       *testing.T
	srv     actionServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

func newServer(t *testing.T, tg *acctest.Target) *server {
	t.Helper()
	ctx := context.Background()
	ps, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := ps.(actionServer)
	if !ok {
		t.Fatalf("the provider server %T does not serve actions", ps)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "GetProviderSchema", schemas.Diagnostics)
	s := &server{t: t, srv: srv, schemas: schemas}

	typ := schemas.Provider.ValueType()
	cfg := s.object(typ, nil)
	if sb := tg.Sandbox; sb != nil {
		cfg = s.sandboxConfig(typ, sb)
	}
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: s.dynamic(typ, cfg)})
	if err != nil {
		t.Fatal(err)
	}
	failOnErrors(t, "ConfigureProvider", resp.Diagnostics)
	return s
}

// sandboxConfig is the provider configuration for sb, as acctest.ProviderConfig writes it.
func (s *server) sandboxConfig(typ tftypes.Type, sb *sandbox.Sandbox) tftypes.Value {
	t := s.t
	return s.object(typ, map[string]tftypes.Value{
		"auth0": s.object(attrType(t, typ, "auth0"), map[string]tftypes.Value{
			"domain":        tftypes.NewValue(tftypes.String, sb.Auth0Domain),
			"client_id":     tftypes.NewValue(tftypes.String, sb.Auth0ClientID),
			"client_secret": tftypes.NewValue(tftypes.String, sb.Auth0ClientSecret),
		}),
		"entra": s.object(attrType(t, typ, "entra"), map[string]tftypes.Value{
			"tenant_id":      tftypes.NewValue(tftypes.String, sb.EntraTenantID),
			"client_id":      tftypes.NewValue(tftypes.String, sb.EntraClientID),
			"client_secret":  tftypes.NewValue(tftypes.String, sb.EntraClientSecret),
			"authority_host": tftypes.NewValue(tftypes.String, sb.EntraURL+"/"),
			"graph_url":      tftypes.NewValue(tftypes.String, sb.EntraURL+"/v1.0"),
		}),
	})
}

// object builds an object value of type typ from the given attributes; the others are null.
func (s *server) object(typ tftypes.Type, set map[string]tftypes.Value) tftypes.Value {
	s.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		s.t.Fatalf("%s is not an object type", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range set {
		if _, ok := obj.AttributeTypes[name]; !ok {
			s.t.Fatalf("the schema has no attribute %q", name)
		}
		vals[name] = v
	}
	return tftypes.NewValue(typ, vals)
}

func (s *server) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	s.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		s.t.Fatal(err)
	}
	return &dv
}

func attrType(t *testing.T, typ tftypes.Type, name string) tftypes.Type {
	t.Helper()
	at, ok := typ.(tftypes.Object).AttributeTypes[name]
	if !ok {
		t.Fatalf("the provider schema has no %q", name)
	}
	return at
}

// actionConfig renders the action's configuration with the given string and bool arguments.
func (s *server) actionConfig(args map[string]any) *tfprotov6.DynamicValue {
	s.t.Helper()
	as, ok := s.schemas.ActionSchemas[actionType]
	if !ok {
		s.t.Fatalf("GetProviderSchema lists no %s action", actionType)
	}
	typ := as.Schema.ValueType()
	set := map[string]tftypes.Value{}
	for k, v := range args {
		switch v := v.(type) {
		case string:
			set[k] = tftypes.NewValue(tftypes.String, v)
		case bool:
			set[k] = tftypes.NewValue(tftypes.Bool, v)
		case []string:
			elems := make([]tftypes.Value, len(v))
			for i, e := range v {
				elems[i] = tftypes.NewValue(tftypes.String, e)
			}
			set[k] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
		default:
			s.t.Fatalf("argument %s: unsupported %T", k, v)
		}
	}
	return s.dynamic(typ, s.object(typ, set))
}

// invocation is what one InvokeAction streamed back.
type invocation struct {
	progress  []string
	completed bool
	diags     []*tfprotov6.Diagnostic
}

func (s *server) invoke(args map[string]any) invocation {
	s.t.Helper()
	stream, err := s.srv.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: s.actionConfig(args)})
	if err != nil {
		s.t.Fatal(err)
	}
	var inv invocation
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			if inv.completed {
				s.t.Errorf("progress %q after the completed event", e.Message)
			}
			inv.progress = append(inv.progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			if inv.completed {
				s.t.Error("two completed events")
			}
			inv.completed = true
			inv.diags = e.Diagnostics
		default:
			s.t.Errorf("unexpected event %T", e)
		}
	}
	if !inv.completed {
		s.t.Fatal("the stream ended without a completed event")
	}
	return inv
}

func (inv invocation) bySeverity(sev tfprotov6.DiagnosticSeverity) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range inv.diags {
		if d.Severity == sev {
			out = append(out, d)
		}
	}
	return out
}

func (inv invocation) String() string {
	var b strings.Builder
	b.WriteString("progress:\n")
	for _, p := range inv.progress {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	b.WriteString("diagnostics:\n")
	for _, d := range inv.diags {
		fmt.Fprintf(&b, "  %s: %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

func failOnErrors(t *testing.T, rpc string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", rpc, d.Summary, d.Detail)
		}
	}
}

// TestProvisionOnDemandAction runs the seed's Provision on Demand test through the action on a job set up by
// hand (through the Management API and Graph, so it runs on both targets): the fixture's present user (in Auth0) is
// updated and the action succeeds; the absent user (not in Auth0, Create deselected) fails the action with
// ActionTypeNotEnabled, or only warns with expect_success = false. Progress reports every step. The sandbox also
// checks the users' names in the progress and Auth0's users through its Go API.
func TestProvisionOnDemandAction(t *testing.T) {
	if acctest.OnTenants() {
		acctest.SkipUnlessAcceptance(t)
	}
	tg := acctest.NewTarget(t)
	hand := tg.SetUpByHand(t, acctest.RandomName()+" Auth0 SCIM (corp)")
	s := newServer(t, tg)
	sb := tg.Sandbox
	job := map[string]any{"service_principal_id": hand.ServicePrincipalID, "job_id": hand.JobID}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range job {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	t.Run("present user is updated", func(t *testing.T) {
		inv := s.invoke(with(map[string]any{"object_id": tg.PresentUserID}))
		if len(inv.diags) != 0 {
			t.Fatalf("want no diagnostics\n%s", inv)
		}
		steps := []string{"Import Success: ", "Matching Success: ", "Scoping Success: ", "Export Success: ", "Success: Update "}
		if len(inv.progress) != len(steps) {
			t.Fatalf("%d progress events, want %d (%s)\n%s", len(inv.progress), len(steps), strings.Join(steps, "…, "), inv)
		}
		for i, p := range steps {
			if !strings.HasPrefix(inv.progress[i], p) {
				t.Errorf("progress event %d %q, want it to start with %q", i+1, inv.progress[i], p)
			}
		}
		if sb == nil {
			return
		}
		alice := sb.Seed.User("alice")
		want := []string{
			"Import Success: Retrieved User 'alice@corp.example' from Azure Active Directory",
			"Matching Success: Retrieved  'alice@corp.example' from customappsso",
			"Scoping Success: Determine if User in scope by evaluating against each scoping filter",
			"Export Success: User 'alice@corp.example' was updated in customappsso",
			"Success: Update alice@corp.example",
		}
		if strings.Join(inv.progress, "\n") != strings.Join(want, "\n") {
			t.Errorf("progress events:\n  %s\nwant:\n  %s", strings.Join(inv.progress, "\n  "), strings.Join(want, "\n  "))
		}
		u, ok := sb.Auth0.GetUser(sb.Seed.ConnectionID, alice.Auth0UserID)
		if v, _ := u.Attr("app_metadata.external_id"); !ok || v != alice.EntraID {
			t.Errorf("alice's app_metadata.external_id in Auth0 = %v, want her Entra object id %s", v, alice.EntraID)
		}
	})

	t.Run("absent user fails with ActionTypeNotEnabled", func(t *testing.T) {
		users := 0
		if sb != nil {
			users = len(sb.Auth0.ListUsers(sb.Seed.ConnectionID))
		}
		inv := s.invoke(with(map[string]any{"object_id": tg.AbsentUserID}))
		errs := inv.bySeverity(tfprotov6.DiagnosticSeverityError)
		if len(errs) != 1 || len(inv.diags) != 1 || errs[0].Summary != "Provisioning did not succeed" ||
			!regexp.MustCompile(`Skipped: \S+ ActionTypeNotEnabled`).MatchString(errs[0].Detail) {
			t.Fatalf("want one error saying the absent user was skipped with ActionTypeNotEnabled\n%s", inv)
		}
		if len(inv.progress) == 0 {
			t.Fatalf("no progress events\n%s", inv)
		}
		last := inv.progress[len(inv.progress)-1]
		if !regexp.MustCompile(`^Skipped: \S+ ActionTypeNotEnabled: `).MatchString(last) {
			t.Errorf("last progress event %q, want the summary of the skip", last)
		}
		if !regexp.MustCompile(`Export Skipped: The User '[^']+' will be skipped`).MatchString(strings.Join(inv.progress, "\n")) {
			t.Errorf("the progress does not report the skipped export\n%s", inv)
		}
		if sb == nil {
			return
		}
		if !strings.Contains(errs[0].Detail, "Skipped: carol@corp.example ActionTypeNotEnabled") {
			t.Errorf("the error does not name carol\n%s", inv)
		}
		if n := len(sb.Auth0.ListUsers(sb.Seed.ConnectionID)); n != users {
			t.Errorf("Auth0 went from %d to %d users: carol must not be created", users, n)
		}
	})

	t.Run("expect_success false only warns", func(t *testing.T) {
		inv := s.invoke(with(map[string]any{"object_id": tg.AbsentUserID, "expect_success": false}))
		warns := inv.bySeverity(tfprotov6.DiagnosticSeverityWarning)
		if len(warns) != 1 || len(inv.diags) != 1 || !strings.Contains(warns[0].Detail, "ActionTypeNotEnabled") {
			t.Fatalf("want exactly one warning mentioning ActionTypeNotEnabled\n%s", inv)
		}
	})

	t.Run("unknown job fails the request", func(t *testing.T) {
		inv := s.invoke(map[string]any{"service_principal_id": hand.ServicePrincipalID, "job_id": "scim.00000000000000000000000000000000.00000000-0000-0000-0000-000000000000", "object_id": tg.PresentUserID})
		errs := inv.bySeverity(tfprotov6.DiagnosticSeverityError)
		if len(errs) != 1 || errs[0].Summary != "Provision on demand failed" || len(inv.progress) != 0 {
			t.Fatalf("want one error \"Provision on demand failed\" and no progress\n%s", inv)
		}
	})

	t.Run("a group with member_ids sends them as links.members", func(t *testing.T) {
		// The hand setup is users only (examples/complete): the group is skipped, with a warning that explains it.
		// (Its members' own reports, with the Group mapping enabled, are checked by the e2e test
		// TestAccGroupsOnDemand_onBothTargets.)
		inv := s.invoke(with(map[string]any{"object_id": tg.GroupID, "object_type": "Group", "member_ids": []string{tg.PresentUserID}, "expect_success": false}))
		warns := inv.bySeverity(tfprotov6.DiagnosticSeverityWarning)
		if len(inv.diags) != 1 || len(warns) != 1 || !strings.Contains(warns[0].Detail, "ObjectMappingDisabled") {
			t.Fatalf("want one warning saying the group was skipped\n%s", inv)
		}
		if sb == nil {
			return
		}
		reqs := sb.Entra.Router().Requests("POST /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/provisionOnDemand")
		last := string(reqs[len(reqs)-1].Body)
		if want := `"links":{"members":[{"objectId":"` + tg.PresentUserID + `","objectTypeName":"User"}]}`; !strings.Contains(last, want) {
			t.Errorf("the request body %s does not hold %s", last, want)
		}
	})

	t.Run("member_ids are refused at validation without a group, beyond five, or not object ids", func(t *testing.T) {
		for _, c := range []struct {
			args map[string]any
			want string
		}{
			{map[string]any{"object_id": tg.PresentUserID, "member_ids": []string{tg.PresentUserID}}, `(?s)member_ids.*object_type is User \(the default\).*object_type = "Group"`},
			{map[string]any{"object_id": tg.GroupID, "object_type": "Group", "member_ids": []string{
				"00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003",
				"00000000-0000-0000-0000-000000000004", "00000000-0000-0000-0000-000000000005", "00000000-0000-0000-0000-000000000006"}}, `(?s)member_ids.*at most 5 elements, got: 6`},
			{map[string]any{"object_id": tg.GroupID, "object_type": "Group", "member_ids": []string{"alice@corp.example"}}, `(?s)member_ids.*alice@corp.example`},
		} {
			resp, err := s.srv.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: actionType, Config: s.actionConfig(with(c.args))})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range resp.Diagnostics {
				got = append(got, d.Summary+": "+d.Detail+" @ "+fmt.Sprint(d.Attribute))
			}
			if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError || !regexp.MustCompile(c.want).MatchString(got[0]) {
				t.Errorf("%v: diagnostics %q, want one error matching %s", c.args["member_ids"], got, c.want)
			}
		}
	})

	t.Run("invalid object_type is refused at validation", func(t *testing.T) {
		resp, err := s.srv.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
			ActionType: actionType, Config: s.actionConfig(with(map[string]any{"object_id": tg.PresentUserID, "object_type": "Device"})),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError ||
			!strings.Contains(resp.Diagnostics[0].Detail, "object_type") || !strings.Contains(resp.Diagnostics[0].Detail, `"Device"`) {
			t.Fatalf("diagnostics %+v, want one error naming object_type and \"Device\"", resp.Diagnostics)
		}
	})
}

// TestProvisionOnDemandActionSchema checks the action is registered with the arguments the guide documents (the
// registry cannot render action pages with Terraform 1.11, so the guide's table is the action's reference).
func TestProvisionOnDemandActionSchema(t *testing.T) {
	ps, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ps.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	as, ok := resp.ActionSchemas[actionType]
	if !ok {
		t.Fatalf("GetProviderSchema lists no %s action", actionType)
	}
	required := map[string]bool{}
	for _, a := range as.Schema.Block.Attributes {
		required[a.Name] = a.Required
	}
	want := map[string]bool{"service_principal_id": true, "job_id": true, "object_id": true, "object_type": false, "member_ids": false, "rule_id": false, "expect_success": false}
	for name, req := range want {
		if got, ok := required[name]; !ok || got != req {
			t.Errorf("argument %s: present %v, required %v; want required %v", name, ok, got, req)
		}
	}
	if len(required) != len(want) {
		t.Errorf("arguments %v, want exactly %v", required, want)
	}
	guide := acctest.ReadRepoFile(t, "templates/guides/provision-on-demand.md.tmpl")
	for name, req := range required {
		row := fmt.Sprintf("| `%s` | %s |", name, map[bool]string{true: "yes", false: "no"}[req])
		if !strings.Contains(guide, row) {
			t.Errorf("the provision-on-demand guide has no argument row starting %q", row)
		}
	}
}
