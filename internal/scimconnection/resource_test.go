package scimconnection_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const (
	addr       = "auth0entra_scim_connection.test"
	department = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"
	manager    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"
	badge      = "urn:ietf:params:scim:schemas:extension:acme:2.0:User.badge"
)

// scimConnection renders the resource for connection id with the given extra arguments.
func scimConnection(id, body string) string {
	return fmt.Sprintf(`
resource "auth0entra_scim_connection" "test" {
  connection_id = %q
%s
}
`, id, body)
}

const overrides = `
  mapping = [
    { scim = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", auth0 = "app_metadata.dept" },
    { scim = "urn:ietf:params:scim:schemas:extension:acme:2.0:User.badge", auth0 = "app_metadata.badge" },
  ]
  remove_default_mapping = ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"]
`

func attr(name string) tfjsonpath.Path { return tfjsonpath.New(name) }

func mappingOf(t *testing.T, sb *sandbox.Sandbox, id string) map[string]string {
	t.Helper()
	cfg, ok := sb.Auth0.SCIMConfiguration(id)
	if !ok {
		t.Fatalf("connection %s has no SCIM configuration in the sandbox", id)
	}
	out := map[string]string{}
	for _, m := range cfg.Mapping {
		out[m.SCIM] = m.Auth0
	}
	return out
}

func optionsOf(t *testing.T, sb *sandbox.Sandbox, id string) map[string]any {
	t.Helper()
	raw, ok := sb.Auth0.ConnectionJSON(id)
	if !ok {
		t.Fatalf("connection %s does not exist in the sandbox", id)
	}
	var conn struct {
		Options map[string]any `json:"options"`
	}
	if err := json.Unmarshal(raw, &conn); err != nil {
		t.Fatal(err)
	}
	return conn.Options
}

// optionPatches returns the PATCH requests of the connection that change its options (the provider's marker is
// written with PATCHes of the metadata alone).
func optionPatches(sb *sandbox.Sandbox) []router.Request {
	var out []router.Request
	for _, r := range sb.Auth0.Router().Requests(auth0.RouteUpdateConnection) {
		if strings.Contains(string(r.Body), `"options"`) {
			out = append(out, r)
		}
	}
	return out
}

// markerOnly reports whether r is a PATCH of the connection that writes only its metadata (the provider's marker).
func markerOnly(r router.Request) bool {
	return r.Route == auth0.RouteUpdateConnection && !strings.Contains(string(r.Body), `"options"`) && strings.Contains(string(r.Body), `"metadata"`)
}

// writes lists the Management API requests that change something (every method but GET), leaving out the
// PATCHes that only write the provider's marker on the connection.
func writes(sb *sandbox.Sandbox) []string {
	var out []string
	for _, r := range sb.Auth0.Router().Requests("") {
		if r.Method != http.MethodGet && strings.HasPrefix(r.Path, "/api/v2/") && !markerOnly(r) {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// checkDestroyed asks the sandbox: the SCIM configuration is gone, the connection is still there.
func checkDestroyed(sb *sandbox.Sandbox, id string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, ok := sb.Auth0.SCIMConfiguration(id); ok {
			return fmt.Errorf("connection %s still has a SCIM configuration after destroy", id)
		}
		if _, ok := sb.Auth0.ConnectionJSON(id); !ok {
			return fmt.Errorf("destroy deleted connection %s; it must only remove the SCIM configuration", id)
		}
		return nil
	}
}

// TestAccSCIMConnection_lifecycle runs on both targets: create with Auth0's defaults, overrides merged over them,
// import, back to the defaults, destroy. Every check reads the fixture connection through the Management API; on the
// sandbox the request log also shows the empty POST, no connection PATCH, and a throttled read waited out.
func TestAccSCIMConnection_lifecycle(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	id := tg.ConnectionID
	a0 := tg.Auth0(t)
	ctx, cancel := acctest.CheckContext()
	conn, err := a0.GetConnection(ctx, id)
	cancel()
	if err != nil {
		t.Fatalf("the fixture connection %s: %v", id, err)
	}
	createdAt := statecheck.CompareValue(compare.ValuesSame())
	updatedOn := statecheck.CompareValue(compare.ValuesDiffer())
	firstChecks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, attr("id"), knownvalue.StringExact(id)),
		statecheck.ExpectKnownValue(addr, attr("user_id_attribute"), knownvalue.StringExact("externalId")),
		statecheck.ExpectKnownValue(addr, attr("effective_mapping"), knownvalue.MapSizeExact(30)),
		statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey("emails[type eq \"work\"].value"), knownvalue.StringExact("email")),
		statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(manager), knownvalue.StringExact("app_metadata.manager")),
		statecheck.ExpectKnownValue(addr, attr("mapping"), knownvalue.Null()),
		statecheck.ExpectKnownValue(addr, attr("strategy"), knownvalue.StringExact("waad")),
		statecheck.ExpectKnownValue(addr, attr("tenant_name"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(addr, attr("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`))),
		createdAt.AddStateValue(addr, attr("created_at")),
		updatedOn.AddStateValue(addr, attr("updated_on")),
	}
	if sb != nil {
		// The seeded connection's settings; a tenant's fixture connection has its own.
		firstChecks = append(firstChecks,
			statecheck.ExpectKnownValue(addr, attr("tenant_name"), knownvalue.StringExact("sandbox")),
			statecheck.ExpectKnownValue(addr, attr("connection_settings"), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"user_id_claim":            knownvalue.StringExact("sub"),
				"use_common_endpoint":      knownvalue.Bool(false),
				"set_user_root_attributes": knownvalue.StringExact("on_each_login"),
			})))
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{
			{
				// Nothing but the connection: Auth0's defaults, created with an empty POST.
				Config: tg.Config(scimConnection(id, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey("userName"), knownvalue.StringExact("upn")),
						plancheck.ExpectKnownValue(addr, attr("connection_name"), knownvalue.StringExact(conn.Name)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: firstChecks,
				Check: func(*terraform.State) error {
					m, err := tg.SCIMMapping(a0)
					if err != nil {
						return err
					}
					if len(m) != 30 || m[manager] != "app_metadata.manager" {
						return fmt.Errorf("the connection's SCIM mapping is not Auth0's default of 30 rows: %v", m)
					}
					if sb == nil {
						return nil
					}
					posts := sb.Auth0.Router().Requests(auth0.RouteCreateSCIMConfig)
					if len(posts) != 1 || len(posts[0].Body) != 0 || posts[0].Header.Get("Content-Type") != "" {
						return fmt.Errorf("want one POST scim-configuration without body, got %d: %+v", len(posts), posts)
					}
					if n := len(optionPatches(sb)); n != 0 {
						return fmt.Errorf("no connection setting is configured, yet the connection was patched %d times", n)
					}
					return nil
				},
			},
			{
				// Overrides merged over the default mapping; on the sandbox, a throttled read on the way is waited out.
				PreConfig: func() {
					if sb != nil {
						sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteGetSCIMConfig, Status: http.StatusTooManyRequests, RetryAfter: 100 * time.Millisecond, Times: 1})
					}
				},
				Config: tg.Config(scimConnection(id, overrides)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(department), knownvalue.StringExact("app_metadata.dept")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("effective_mapping"), knownvalue.MapSizeExact(30)),
					statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(department), knownvalue.StringExact("app_metadata.dept")),
					statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(badge), knownvalue.StringExact("app_metadata.badge")),
					statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey("userName"), knownvalue.StringExact("upn")),
					createdAt.AddStateValue(addr, attr("created_at")),
					updatedOn.AddStateValue(addr, attr("updated_on")),
				},
				Check: func(*terraform.State) error {
					m, err := tg.SCIMMapping(a0)
					if err != nil {
						return err
					}
					if _, ok := m[manager]; ok {
						return fmt.Errorf("the manager row is still mapped: %v", m)
					}
					if m[department] != "app_metadata.dept" || m[badge] != "app_metadata.badge" || len(m) != 30 {
						return fmt.Errorf("Auth0's mapping = %v", m)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
			},
			{
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   id,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(addr, attr("remove_default_mapping"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(manager)})),
					plancheck.ExpectKnownValue(addr, attr("mapping"), knownvalue.SetSizeExact(2)),
				}},
			},
			{
				// Back to the defaults: the removed and overridden rows return.
				Config: tg.Config(scimConnection(id, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(manager), knownvalue.StringExact("app_metadata.manager")),
					statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(department), knownvalue.StringExact("app_metadata.department")),
					statecheck.ExpectKnownValue(addr, attr("effective_mapping"), knownvalue.MapSizeExact(30)),
				},
				Check: func(*terraform.State) error {
					m, err := tg.SCIMMapping(a0)
					if err != nil {
						return err
					}
					if m[manager] != "app_metadata.manager" || m[department] != "app_metadata.department" {
						return fmt.Errorf("Auth0's mapping after going back to the defaults = %v", m)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSCIMConnection_connectionSettingsReadModifyWrite runs on both targets: connection_settings are written by
// read-modify-write of the fixture connection's options, so every option the provider does not manage (the client
// secret included) is kept; on_each_login is written by leaving set_user_root_attributes out; an administrator's
// change of the user id claim and of an unmanaged option (through the Management API) shows as drift, and the apply
// that repairs the claim keeps the other option. Options are read through the Management API (fresh reads); on the
// sandbox the request log also shows the one PATCH and what it sent. The fixture's options are put back at the end.
func TestAccSCIMConnection_connectionSettingsReadModifyWrite(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0 := tg.Auth0(t)
	id := tg.ConnectionID
	readOptions := func() (map[string]json.RawMessage, error) {
		ctx, cancel := acctest.CheckContext()
		defer cancel()
		conn, err := a0.GetConnection(ctx, id)
		if err != nil {
			return nil, err
		}
		return conn.Options, nil
	}
	options := func() map[string]any {
		t.Helper()
		raw, err := readOptions()
		if err != nil {
			t.Fatalf("reading the options of %s: %v", id, err)
		}
		out := map[string]any{}
		for k, v := range raw {
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				t.Fatalf("option %q: %v", k, err)
			}
			out[k] = x
		}
		return out
	}
	beforeRaw, err := readOptions()
	if err != nil {
		t.Fatalf("reading the options of %s: %v", id, err)
	}
	before := options()
	// The fixture's claim, and the other one the test switches to.
	orig, _ := before["userid_attribute"].(string)
	other := map[string]string{"sub": "oid", "oid": "sub"}[orig]
	if other == "" {
		t.Fatalf("the fixture connection should use the claim sub or oid, got %q", orig)
	}
	if sb != nil && orig != "sub" {
		t.Fatalf("the seed connection should use sub, got %v", orig)
	}
	// The connection's options are the fixture's: put them back as they were (the resource leaves connection
	// settings on destroy, and the drift step changes an unmanaged option).
	t.Cleanup(func() {
		now, err := readOptions()
		if err != nil {
			t.Errorf("reading the options of %s: %v", id, err)
			return
		}
		a, _ := json.Marshal(now)
		b, _ := json.Marshal(beforeRaw)
		if string(a) == string(b) {
			return
		}
		restore := map[string]json.RawMessage{}
		for k, v := range beforeRaw {
			if k != auth0client.OptionCommonEndpointEcho {
				restore[k] = v
			}
		}
		ctx, cancel := acctest.CheckContext()
		defer cancel()
		if _, err := a0.UpdateConnectionOptions(ctx, id, restore); err != nil {
			t.Errorf("putting the options of %s back: %v", id, err)
		}
	})
	// shown is an option's value for a message: the client secret is never shown.
	shown := func(k string, v any) any {
		if k == "client_secret" {
			return "(not shown)"
		}
		return v
	}

	settings := func(claim, sync string) string {
		return fmt.Sprintf(`
  connection_settings = {
    user_id_claim            = %q
    use_common_endpoint      = false
    set_user_root_attributes = %q
  }
`, claim, sync)
	}

	// lastPatch returns the options of the last PATCH of the connection (sandbox only).
	lastPatch := func() (map[string]any, error) {
		reqs := optionPatches(sb)
		if len(reqs) == 0 {
			return nil, fmt.Errorf("the connection was never patched")
		}
		var body map[string]any
		if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
			return nil, err
		}
		if len(body) != 1 {
			return nil, fmt.Errorf("PATCH body has top-level keys other than options: %v", body)
		}
		opts, _ := body["options"].(map[string]any)
		return opts, nil
	}
	// sentByPatch checks, on the sandbox, the one PATCH of the first apply: every option the connection had is sent
	// back unchanged, except the two managed ones and the read-only echo waad_common_endpoint, which the server
	// derives.
	sentByPatch := func() error {
		if n := len(optionPatches(sb)); n != 1 {
			return fmt.Errorf("want exactly one PATCH of the connection, got %d", n)
		}
		sent, err := lastPatch()
		if err != nil {
			return err
		}
		for k, v := range before {
			switch k {
			case "userid_attribute", "waad_common_endpoint":
				continue
			}
			if sent[k] == router.Masked {
				// The request log masks credentials (client_secret): sent, but unreadable here.
				continue
			}
			if !reflect.DeepEqual(sent[k], v) {
				return fmt.Errorf("PATCH changed or dropped option %q: sent %v, had %v", k, sent[k], v)
			}
		}
		if sent["userid_attribute"] != other || sent["set_user_root_attributes"] != "on_first_login" || sent["useCommonEndpoint"] != false {
			return fmt.Errorf("PATCH options lack the managed values: %v", sent)
		}
		if _, ok := sent["waad_common_endpoint"]; ok {
			return fmt.Errorf("PATCH sent the read-only waad_common_endpoint")
		}
		if len(sent) != len(before)+1-1 { // + set_user_root_attributes, - waad_common_endpoint
			return fmt.Errorf("PATCH sent %d options, want %d: %v", len(sent), len(before), sent)
		}
		return nil
	}
	// drifted is the value the administrator gives the unmanaged option ext_groups.
	extGroups, _ := before["ext_groups"].(bool)
	drifted := !extGroups

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := tg.CheckSCIMRemoved(t)(s); err != nil {
				return err
			}
			if got := options()["userid_attribute"]; got != orig {
				return fmt.Errorf("destroy must leave the connection settings; userid_attribute = %v, want %s", got, orig)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: tg.Config(scimConnection(id, settings(other, "on_first_login"))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("user_id_claim"), knownvalue.StringExact(other)),
					statecheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("set_user_root_attributes"), knownvalue.StringExact("on_first_login")),
				},
				Check: func(*terraform.State) error {
					if sb != nil {
						if err := sentByPatch(); err != nil {
							return err
						}
					}
					// Read back: the managed options changed, every other option (the client secret included) kept.
					got := options()
					for k, v := range before {
						switch k {
						case "userid_attribute", "set_user_root_attributes", "useCommonEndpoint", "waad_common_endpoint":
							continue
						}
						if !reflect.DeepEqual(got[k], v) {
							return fmt.Errorf("the apply changed or dropped option %q: now %v, had %v", k, shown(k, got[k]), shown(k, v))
						}
					}
					if got["userid_attribute"] != other || got["set_user_root_attributes"] != "on_first_login" || got["useCommonEndpoint"] != false {
						return fmt.Errorf("options after apply: userid_attribute %v, set_user_root_attributes %v, useCommonEndpoint %v",
							got["userid_attribute"], got["set_user_root_attributes"], got["useCommonEndpoint"])
					}
					return nil
				},
			},
			{
				// on_each_login is written by removing the option (waad quirk).
				Config: tg.Config(scimConnection(id, settings(orig, "on_each_login"))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("set_user_root_attributes"), knownvalue.StringExact("on_each_login")),
				},
				Check: func(*terraform.State) error {
					if sb != nil {
						sent, err := lastPatch()
						if err != nil {
							return err
						}
						if _, ok := sent["set_user_root_attributes"]; ok {
							return fmt.Errorf("on_each_login must be written by leaving set_user_root_attributes out; sent %v", sent["set_user_root_attributes"])
						}
					}
					if v, ok := options()["set_user_root_attributes"]; ok {
						return fmt.Errorf("the connection still has set_user_root_attributes = %v", v)
					}
					return nil
				},
			},
			{
				// Drift: an administrator switches the user id claim and an unmanaged option, through the
				// Management API (read-modify-write, as the provider does).
				PreConfig: func() {
					cur, err := readOptions()
					if err != nil {
						t.Fatal(err)
					}
					changes := map[string]json.RawMessage{}
					for k, v := range cur {
						if k != auth0client.OptionCommonEndpointEcho {
							changes[k] = v
						}
					}
					changes["userid_attribute"], _ = json.Marshal(other)
					changes["ext_groups"], _ = json.Marshal(drifted)
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if _, err := a0.UpdateConnectionOptions(ctx, id, changes); err != nil {
						t.Fatalf("changing the options of %s: %v", id, err)
					}
				},
				Config:             tg.Config(scimConnection(id, settings(orig, "on_each_login"))),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: tg.Config(scimConnection(id, settings(orig, "on_each_login"))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("user_id_claim"), knownvalue.StringExact(orig)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					got := options()
					if got["userid_attribute"] != orig {
						return fmt.Errorf("userid_attribute = %v, want %s restored", got["userid_attribute"], orig)
					}
					if got["ext_groups"] != drifted {
						return fmt.Errorf("an unmanaged option was overwritten: ext_groups = %v, the administrator set %v", got["ext_groups"], drifted)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSCIMConnection_drift runs on both targets: the SCIM configuration deleted, then its mapping edited (an owned
// row, a default row, an added row), both through the Management API as the Dashboard does; each plan shows the drift
// and each apply repairs it, read back through the Management API.
func TestAccSCIMConnection_drift(t *testing.T) {
	tg := acctest.NewTarget(t)
	a0 := tg.Auth0(t)
	id := tg.ConnectionID
	cfg := tg.Config(scimConnection(id, overrides))
	mapping := func() map[string]string {
		m, err := tg.SCIMMapping(a0)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// The SCIM configuration is deleted outside Terraform: Read drops it, the plan creates it again.
				PreConfig: func() {
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if err := a0.DeleteSCIMConfiguration(ctx, id); err != nil {
						t.Fatalf("turning SCIM off on %s: %v", id, err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if m := mapping(); m[department] != "app_metadata.dept" {
						return fmt.Errorf("recreated mapping lacks the override: %v", m)
					}
					return nil
				},
			},
			{
				// The mapping is edited in the Dashboard: an owned row, a default row, and an added row.
				PreConfig: func() {
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					cur, err := a0.GetSCIMConfiguration(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					var edited []auth0client.SCIMMapping
					for _, m := range cur.Mapping {
						switch m.SCIM {
						case department:
							m.Auth0 = "app_metadata.somewhere_else"
						case "userName":
							m.Auth0 = "email"
						}
						edited = append(edited, m)
					}
					edited = append(edited, auth0client.SCIMMapping{SCIM: "nickName2", Auth0: "app_metadata.nick"})
					if _, err := a0.UpdateSCIMConfiguration(ctx, id, "userName", edited); err != nil {
						t.Fatal(err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey("userName"), knownvalue.StringExact("upn")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("user_id_attribute"), knownvalue.StringExact("externalId")),
				},
				Check: func(*terraform.State) error {
					m := mapping()
					if m[department] != "app_metadata.dept" || m["userName"] != "upn" || len(m) != 30 {
						return fmt.Errorf("drift not repaired: %v", m)
					}
					if _, ok := m["nickName2"]; ok {
						return fmt.Errorf("a row added outside Terraform survived: %v", m)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSCIMConnection_planTimeErrors runs on both targets: every invalid argument fails the plan with a message
// naming it, on the fixture connection and on ids that are malformed or not found. The other kinds of connection —
// an Okta one, a waad one on the common endpoint, one that already has SCIM — are made through the sandbox's Go API,
// so their steps run on the sandbox only (on tenants they would need create:connections, which the provider's
// documented grant does not hold); there the request log also shows that no plan wrote anything.
func TestAccSCIMConnection_planTimeErrors(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	step := func(id, body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      tg.Config(scimConnection(id, body)),
			PlanOnly:    true,
			ExpectError: acctest.ErrorRe(want),
		}
	}
	fixture := tg.ConnectionID
	steps := []resource.TestStep{
		step("corp", "", `Invalid Auth0 connection id.*connection_id = "corp".*"con_" followed by 16`),
		step("con_0000000000000000", "", `Auth0 connection not found.*con_0000000000000000`),
		step(fixture, `
  mapping = [
    { scim = "userName", auth0 = "email" },
    { scim = "userName", auth0 = "nickname" },
  ]`, `SCIM attribute mapped more than once.*scim = "userName"`),
		step(fixture, `
  mapping                = [{ scim = "userName", auth0 = "email" }]
  remove_default_mapping = ["userName"]`, `SCIM attribute both mapped and removed.*"userName"`),
		step(fixture, `user_id_attribute = ""`, `Empty value.*user_id_attribute is empty: write a SCIM attribute of the mapping, e.g. "externalId"`),
		step(fixture, `connection_settings = { user_id_claim = "upn" }`, `connection_settings.user_id_claim = "upn" is not a value.*"sub" \(Pairwise`),
	}
	if sb != nil {
		okta, err := sb.Auth0.CreateConnection([]byte(`{"name":"okta-corp","strategy":"okta","options":{"client_id":"x","client_secret":"y","domain":"corp.okta.com"}}`))
		if err != nil {
			t.Fatal(err)
		}
		common, err := sb.Auth0.CreateConnection([]byte(`{"name":"entra-common","strategy":"waad","options":{"client_id":"x","client_secret":"y",` +
			`"domain":"corp.example.onmicrosoft.com","tenant_domain":"corp.example.onmicrosoft.com","useCommonEndpoint":true,"userid_attribute":"sub"}}`))
		if err != nil {
			t.Fatal(err)
		}
		configured, err := sb.Auth0.CreateConnection([]byte(`{"name":"entra-other","strategy":"waad","options":{"client_id":"x","client_secret":"y",` +
			`"domain":"other.example.onmicrosoft.com","tenant_domain":"other.example.onmicrosoft.com","useCommonEndpoint":false}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sb.Auth0.CreateSCIMConfiguration(configured, "", nil); err != nil {
			t.Fatal(err)
		}
		sb.Auth0.Router().ResetCounters()
		steps = append(steps,
			step(okta, "", `Not a Microsoft Azure AD connection.*"okta-corp"\) is a "okta" connection`),
			step(common, "", `Connection uses the Azure AD common endpoint.*use_common_endpoint = false`),
			step(common, `connection_settings = { use_common_endpoint = true }`, `SCIM cannot work with the common endpoint.*Set it to false`),
			step(configured, "", `SCIM is already enabled on this connection.*import`),
		)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
	// On tenants the fixture check (acctest.NewTarget) shows that no SCIM configuration was created.
	if sb == nil {
		return
	}
	if w := writes(sb); len(w) != 0 {
		t.Errorf("validation failed at plan time, yet the provider wrote to Auth0: %v", w)
	}
	if _, ok := sb.Auth0.SCIMConfiguration(fixture); ok {
		t.Error("a SCIM configuration was created although every plan failed")
	}
}

func TestAccSCIMConnection_turnsOffCommonEndpoint(t *testing.T) {
	sb := acctest.Sandbox(t)
	id, err := sb.Auth0.CreateConnection([]byte(`{"name":"entra-common","strategy":"waad","options":{"client_id":"x","client_secret":"y",` +
		`"domain":"corp.example.onmicrosoft.com","tenant_domain":"corp.example.onmicrosoft.com","useCommonEndpoint":true,"userid_attribute":"sub"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed(sb, id),
		Steps: []resource.TestStep{{
			Config: acctest.Config(sb, scimConnection(id, `connection_settings = { use_common_endpoint = false }`)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("use_common_endpoint"), knownvalue.Bool(false)),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				if got := optionsOf(t, sb, id)["useCommonEndpoint"]; got != false {
					return fmt.Errorf("useCommonEndpoint = %v, want false", got)
				}
				// The options were patched before SCIM was enabled.
				var order []string
				for _, r := range sb.Auth0.Router().Requests("") {
					if (r.Route == auth0.RouteUpdateConnection && strings.Contains(string(r.Body), `"options"`)) || r.Route == auth0.RouteCreateSCIMConfig {
						order = append(order, r.Route)
					}
				}
				if want := []string{auth0.RouteUpdateConnection, auth0.RouteCreateSCIMConfig}; !reflect.DeepEqual(order, want) {
					return fmt.Errorf("write order = %v, want %v", order, want)
				}
				return nil
			},
		}},
	})
}

func TestAccSCIMConnection_connectionIDUnknownAtPlan(t *testing.T) {
	sb := acctest.Sandbox(t)
	okta, err := sb.Auth0.CreateConnection([]byte(`{"name":"okta-corp","strategy":"okta","options":{"client_id":"x","client_secret":"y","domain":"corp.okta.com"}}`))
	if err != nil {
		t.Fatal(err)
	}
	viaData := func(id string) string {
		return fmt.Sprintf(`
resource "terraform_data" "conn" {
  input = %q
}

resource "auth0entra_scim_connection" "test" {
  connection_id = terraform_data.conn.output
}
`, id)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed(sb, sb.Seed.ConnectionID),
		Steps: []resource.TestStep{
			{
				// Checked at apply: the plan cannot know the connection.
				Config:      acctest.Config(sb, viaData(okta)),
				ExpectError: acctest.ErrorRe(`Not a Microsoft Azure AD connection`),
			},
			{
				Config: acctest.Config(sb, viaData(sb.Seed.ConnectionID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(addr, attr("effective_mapping")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("effective_mapping"), knownvalue.MapSizeExact(30)),
				},
			},
		},
	})
	if _, ok := sb.Auth0.SCIMConfiguration(okta); ok {
		t.Error("SCIM was enabled on the okta connection")
	}
}

func TestAccSCIMConnection_connectionDeletedOutsideTerraform(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: acctest.Config(sb, scimConnection(id, ""))},
			{
				// Read drops the resource; planning it again then fails at plan time, naming the connection.
				PreConfig:   func() { sb.Auth0.DeleteConnection(id) },
				Config:      acctest.Config(sb, scimConnection(id, "")),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Auth0 connection not found.*` + id),
			},
			{
				// Without the resource in the configuration there is nothing left to do.
				Config: acctest.Config(sb),
			},
		},
	})
}
