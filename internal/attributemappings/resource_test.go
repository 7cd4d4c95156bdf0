package attributemappings_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/attributemappings"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const (
	addr       = "auth0entra_attribute_mappings.users"
	groupsAddr = "auth0entra_attribute_mappings.groups"
	appAddr    = "auth0entra_enterprise_app.app"
	schemaPut  = "PUT /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema"
	schemaGet  = "GET /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema"
	emailsWork = `emails[type eq "work"].value`
)

// appHCL is the enterprise application the mappings belong to, with valid credentials. The token goes through a
// sensitive variable (see tokenVars), never into the configuration text the test harness logs.
func appHCL(t *testing.T, sb *sandbox.Sandbox) (string, config.Variables) {
	t.Helper()
	if _, err := sb.Auth0.CreateSCIMConfiguration(sb.Seed.ConnectionID, "externalId", nil); err != nil {
		t.Fatal(err)
	}
	tok, err := sb.Auth0.CreateSCIMToken(sb.Seed.ConnectionID, []string{"get:users", "patch:users", "delete:users"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return appHCLFor("Auth0 SCIM (mappings)", sb.Seed.GroupID, sb.Auth0.SCIMEndpoint(sb.Seed.ConnectionID)+"?aadOptscim062020", tok.TokenID, tok.Token)
}

// targetAppHCL is appHCL on either target: the Auth0 side prepared through the Management API (removed when the test
// ends), a random name. It also returns the token's secret, for Auth0's SCIM endpoint.
func targetAppHCL(t *testing.T, tg *acctest.Target) (hcl string, vars config.Variables, token string) {
	t.Helper()
	a0 := tg.Auth0(t)
	tenantURL := tg.SetUpSCIM(t, a0)
	token, tokenID := tg.IssueSCIMToken(t, a0)
	hcl, vars = appHCLFor(acctest.RandomName()+" Auth0 SCIM (mappings)", tg.GroupID, tenantURL, tokenID, token)
	return hcl, vars, token
}

func appHCLFor(name, groupID, tenantURL, tokenID, token string) (string, config.Variables) {
	return fmt.Sprintf(`
variable "scim_token" {
  type      = string
  sensitive = true
}

resource "auth0entra_enterprise_app" "app" {
  display_name = %q
  assignment   = [{ principal_id = %q, principal_type = "Group" }]
  provisioning = {
    tenant_url              = %q
    secret_token_wo         = var.scim_token
    secret_token_wo_version = %q
  }
}
`, name, groupID, tenantURL, tokenID), config.Variables{"scim_token": config.StringVariable(token)}
}

// mappingsHCL is the resource under test; body holds target_object_actions and mapping.
func mappingsHCL(body string) string {
	return `
resource "auth0entra_attribute_mappings" "users" {
  service_principal_id = auth0entra_enterprise_app.app.service_principal_id
  job_id               = auth0entra_enterprise_app.app.job_id
  source_object        = "User"
` + body + "\n}\n"
}

// groupsHCL is a Group mapping that overrides nothing: the template's rows and object actions.
const groupsHCL = `
resource "auth0entra_attribute_mappings" "groups" {
  service_principal_id = auth0entra_enterprise_app.app.service_principal_id
  job_id               = auth0entra_enterprise_app.app.job_id
  source_object        = "Group"
}
`

// groupsCustomHCL customizes the Group mapping like the User one: no Delete (a group unassigned from the app stays
// in Auth0), and externalId sourced from mailNickname instead of objectId.
const groupsCustomHCL = `
resource "auth0entra_attribute_mappings" "groups" {
  service_principal_id  = auth0entra_enterprise_app.app.service_principal_id
  job_id                = auth0entra_enterprise_app.app.job_id
  source_object         = "Group"
  target_object_actions = ["Create", "Update"]
  mapping = [
    { target_attribute = "externalId", source_attribute = "mailNickname" },
  ]
}
`

// seedMappings is the manual setup's mapping edits.
const seedMappings = `
  target_object_actions = ["Update", "Delete"]
  mapping = [
    { target_attribute = "emails[type eq \"work\"].value", source_attribute = "mail", matching_precedence = 2 },
    { target_attribute = "externalId", source_attribute = "objectId" },
  ]`

// updatedMappings adds an expression row. The rows are deliberately not in the schema's order (displayName, emails,
// externalId): mapping is a set, so an import, which reads them in schema order, still plans no change.
const updatedMappings = `
  target_object_actions = ["Update", "Delete"]
  mapping = [
    { target_attribute = "externalId", source_attribute = "objectId" },
    { target_attribute = "emails[type eq \"work\"].value", source_attribute = "mail", matching_precedence = 3 },
    { target_attribute = "displayName", expression = "Join(\" \", [givenName], [surname])", apply = "on_create" },
  ]`

// env gives the tests the target (its sandbox nil on tenants), the ids of the app and a Graph client (the provider's
// own) to read templates and schemas.
type env struct {
	tg       *acctest.Target
	sb       *sandbox.Sandbox
	c        *entraclient.Client
	sp, job  string
	template []byte
}

func (e *env) capture(s *terraform.State) error {
	rs, ok := s.RootModule().Resources[appAddr]
	if !ok {
		return fmt.Errorf("%s is not in the state", appAddr)
	}
	e.sp, e.job = rs.Primary.Attributes["service_principal_id"], rs.Primary.Attributes["job_id"]
	if e.template == nil {
		return acctest.Eventually(e.c, "waiting for the job's template", func(ctx context.Context) error {
			raw, err := e.c.GetTemplateSchema(ctx, e.sp, entraclient.SCIMTemplateID)
			if err != nil {
				return err
			}
			e.template = raw
			return nil
		})
	}
	return nil
}

func newEnv(t *testing.T) *env {
	sb := acctest.Sandbox(t)
	c, err := entraclient.New(context.Background(), entraclient.Config{
		TenantID: sb.EntraTenantID, ClientID: sb.EntraClientID, ClientSecret: sb.EntraClientSecret,
		AuthorityHost: sb.EntraURL + "/", GraphURL: sb.EntraURL + "/v1.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{tg: acctest.SandboxTarget(sb), sb: sb, c: c}
}

// newTargetEnv is newEnv on either target (acctest.NewTarget).
func newTargetEnv(t *testing.T) *env {
	tg := acctest.NewTarget(t)
	return &env{tg: tg, sb: tg.Sandbox, c: tg.Entra(t)}
}

// userMapping returns the User object mapping of a schema, decoded.
func userMapping(raw []byte) (map[string]any, error) { return objectMapping(raw, "User") }

// objectMapping returns the object mapping of a job schema whose source object is source (User or Group).
func objectMapping(raw []byte, source string) (map[string]any, error) {
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	for _, r := range as[[]any](s["synchronizationRules"]) {
		for _, om := range as[[]any](as[map[string]any](r)["objectMappings"]) {
			if m := as[map[string]any](om); m["sourceObjectName"] == source {
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("no %s object mapping", source)
}

// as is a checked type assertion for walking decoded JSON: the zero value when v is not a T (the check that reads it
// then fails).
func as[T any](v any) T {
	t, _ := v.(T)
	return t
}

func row(om map[string]any, target string) map[string]any {
	for _, a := range as[[]any](om["attributeMappings"]) {
		if m := as[map[string]any](a); m["targetAttributeName"] == target {
			return m
		}
	}
	return nil
}

// jobSchema is the job's schema: on the sandbox as it stores it (the last PUT body, byte for byte, which the key-order
// checks compare with the template), on tenants as Graph answers it.
func (e *env) jobSchema() ([]byte, error) {
	if e.sb == nil {
		ctx, cancel := acctest.CheckContext()
		defer cancel()
		return e.c.GetSchema(ctx, e.sp, e.job)
	}
	raw, ok := e.sb.Entra.JobSchema(e.sp, e.job)
	if !ok {
		return nil, fmt.Errorf("job %s has no schema", e.job)
	}
	return raw, nil
}

// keyPaths lists every object key of a JSON document with its path, in document order, leaving out the subtrees
// skip says the resource owns.
func keyPaths(t *testing.T, raw []byte, skip func(path string, obj map[string]any) bool) []string {
	t.Helper()
	var out []string
	var walk func(path string, dec *json.Decoder)
	walk = func(path string, dec *json.Decoder) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch d := tok.(type) {
		case json.Delim:
			switch d {
			case '{':
				for dec.More() {
					k, _ := dec.Token()
					key := as[string](k)
					var v json.RawMessage
					if err := dec.Decode(&v); err != nil {
						t.Fatal(err)
					}
					p := path + "/" + key
					var obj map[string]any
					_ = json.Unmarshal(v, &obj)
					if skip(p, obj) {
						continue
					}
					out = append(out, p)
					walk(p, json.NewDecoder(bytes.NewReader(v)))
				}
				_, _ = dec.Token()
			case '[':
				for i := 0; dec.More(); i++ {
					var v json.RawMessage
					if err := dec.Decode(&v); err != nil {
						t.Fatal(err)
					}
					var obj map[string]any
					_ = json.Unmarshal(v, &obj)
					p := fmt.Sprintf("%s[%d]", path, i)
					if obj != nil && skip(p, obj) {
						out = append(out, p+"=(owned)")
						continue
					}
					walk(p, json.NewDecoder(bytes.NewReader(v)))
				}
				_, _ = dec.Token()
			}
		default:
			out = append(out, fmt.Sprintf("%s=%v", path, d))
		}
	}
	walk("", json.NewDecoder(bytes.NewReader(raw)))
	return out
}

// ownedOrAnnotation skips what the resource may change: the owned rows, the User mapping's flowTypes, and the
// top-level id / OData annotation GET adds.
func ownedOrAnnotation(targets ...string) func(string, map[string]any) bool {
	return func(p string, obj map[string]any) bool {
		if p == "/id" || strings.HasPrefix(p, "/@odata.") {
			return true
		}
		if strings.HasSuffix(p, "/flowTypes") && strings.Contains(p, "/objectMappings[0]") {
			return true
		}
		if obj != nil && strings.Contains(p, "/objectMappings[0]/attributeMappings[") {
			for _, t := range targets {
				if obj["targetAttributeName"] == t {
					return true
				}
			}
		}
		return false
	}
}

// checkRestUnchanged compares the job schema with the template outside the owned places: same keys, same order,
// same values.
func (e *env) checkRestUnchanged(t *testing.T, targets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		raw, err := e.jobSchema()
		if err != nil {
			return err
		}
		want := keyPaths(t, e.template, ownedOrAnnotation(targets...))
		got := keyPaths(t, raw, ownedOrAnnotation(targets...))
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			for i := range min(len(want), len(got)) {
				if want[i] != got[i] {
					return fmt.Errorf("the schema changed outside the owned rows, first at %d: want %s, got %s", i, want[i], got[i])
				}
			}
			return fmt.Errorf("the schema changed outside the owned rows: %d key paths, want %d", len(got), len(want))
		}
		return nil
	}
}

// checkProvisionOnDemand runs the seed's test through the provider's Graph client: with Create deselected, the
// fixture's present user (already in Auth0) is updated and the absent one (never logged in) is not created. Auth0's
// users are counted through its SCIM endpoint with the test's token.
func (e *env) checkProvisionOnDemand(t *testing.T, token string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		endpoint := e.tg.Auth0(t).SCIMEndpointURL(e.tg.ConnectionID)
		_, before, err := acctest.SCIMUsers(endpoint, token, "")
		if err != nil {
			return err
		}
		for _, c := range []struct{ who, id, want string }{{"the present user", e.tg.PresentUserID, "Success"}, {"the absent user", e.tg.AbsentUserID, "Skipped"}} {
			if r := e.tg.ProvisionOnDemand(t, e.sp, e.job, c.id); r.Status != c.want {
				return fmt.Errorf("provisioning %s on demand: %s, want %s", c.who, r.Summary(), c.want)
			}
		}
		if _, after, err := acctest.SCIMUsers(endpoint, token, ""); err != nil || after != before {
			return fmt.Errorf("Auth0 had %d users and now has %d (%v), although Create is deselected", before, after, err)
		}
		return nil
	}
}

// TestAccAttributeMappings_lifecycle runs the manual setup's mapping edits, updates, repairs drift made by hand
// through Graph, imports, gives a row back, and restores the template on destroy, on both targets: the Auth0 side is
// prepared through the Management API, the schema and Provision on Demand go through Graph. On the sandbox Entra also
// lags and throttles, and the request log shows the retried PUT and no PATCH.
func TestAccAttributeMappings_lifecycle(t *testing.T) {
	e := newTargetEnv(t)
	sb, tg := e.sb, e.tg
	app, vars, token := targetAppHCL(t, tg)
	if sb != nil {
		sb.Entra.SetReplicationLag(time.Second)
		sb.Entra.Router().Inject(router.Fault{Route: schemaPut, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1})
		sb.Entra.Router().Inject(router.Fault{Route: schemaGet, Status: http.StatusServiceUnavailable, RetryAfter: time.Second, Times: 1})
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy: func(*terraform.State) error {
			return acctest.Eventually(e.c, "waiting for the deleted service principal to be gone", func(ctx context.Context) error {
				if _, err := e.c.GetServicePrincipal(ctx, e.sp); !entraclient.IsNotFound(err) {
					return fmt.Errorf("service principal %s still exists (%v)", e.sp, err)
				}
				return nil
			})
		},
		Steps: []resource.TestStep{
			{
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(seedMappings), groupsHCL),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("target_object_actions"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Update"), knownvalue.StringExact("Delete")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("mapping"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"target_attribute": knownvalue.StringExact(emailsWork), "matching_precedence": knownvalue.Int64Exact(2), "apply": knownvalue.Null()}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"target_attribute": knownvalue.StringExact("externalId"), "matching_precedence": knownvalue.Null(), "apply": knownvalue.Null()}),
					})),
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("mapping"), knownvalue.Null()),
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("target_object_actions"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Create"), knownvalue.StringExact("Update"), knownvalue.StringExact("Delete")})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.capture,
					resource.TestCheckResourceAttrPair(addr, "job_id", appAddr, "job_id"),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[addr].Primary.ID; id != e.sp+"/"+e.job+"/User" {
							return fmt.Errorf("id = %s", id)
						}
						raw, err := e.jobSchema()
						if err != nil {
							return err
						}
						om, err := userMapping(raw)
						if err != nil {
							return err
						}
						if om["flowTypes"] != "Update, Delete" {
							return fmt.Errorf("flowTypes = %v", om["flowTypes"])
						}
						if src := as[map[string]any](row(om, "externalId")["source"]); src["name"] != "objectId" || src["type"] != "Attribute" || src["expression"] != "[objectId]" {
							return fmt.Errorf("externalId source = %v", src)
						}
						if p := row(om, emailsWork)["matchingPriority"]; p != float64(2) {
							return fmt.Errorf("emails matching priority = %v", p)
						}
						if sb == nil {
							return nil
						}
						if n := sb.Entra.Router().Count(schemaPut); n < 2 {
							return fmt.Errorf("the throttled PUT was not retried (%d PUTs)", n)
						}
						if n := sb.Entra.Router().Count("PATCH /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema"); n != 0 {
							return fmt.Errorf("the schema was PATCHed")
						}
						return nil
					},
					e.checkRestUnchanged(t, "externalId", emailsWork),
					e.checkProvisionOnDemand(t, token),
				),
			},
			{
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(updatedMappings), groupsHCL),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						raw, _ := e.jobSchema()
						om, err := userMapping(raw)
						if err != nil {
							return err
						}
						dn := row(om, "displayName")
						src := as[map[string]any](dn["source"])
						if dn["flowType"] != "ObjectAddOnly" || src["type"] != "Function" || src["name"] != "Join" || src["expression"] != `Join(" ", [givenName], [surname])` {
							return fmt.Errorf("displayName row = %v", dn)
						}
						if p := row(om, emailsWork)["matchingPriority"]; p != float64(3) {
							return fmt.Errorf("emails matching priority = %v", p)
						}
						return nil
					},
					e.checkRestUnchanged(t, "externalId", emailsWork, "displayName"),
				),
			},
			{
				// Drift by hand: Create re-enabled and externalId sourced from mailNickname again. The plan shows it;
				// apply fixes it.
				PreConfig: func() {
					raw, err := e.jobSchema()
					if err != nil {
						t.Fatal(err)
					}
					var s map[string]any
					_ = json.Unmarshal(raw, &s)
					for _, r := range as[[]any](s["synchronizationRules"]) {
						for _, om := range as[[]any](as[map[string]any](r)["objectMappings"]) {
							if m := as[map[string]any](om); m["sourceObjectName"] == "User" {
								m["flowTypes"] = "Add, Update, Delete"
								row(m, "externalId")["source"] = map[string]any{"expression": "[mailNickname]", "name": "mailNickname", "parameters": []any{}, "type": "Attribute"}
							}
						}
					}
					delete(s, "@odata.context") // not part of the resource; Graph sends it with every answer
					b, _ := json.Marshal(s)
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if err := e.c.PutSchema(ctx, e.sp, e.job, b); err != nil {
						t.Fatal(err)
					}
				},
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(updatedMappings), groupsHCL),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("target_object_actions"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Update"), knownvalue.StringExact("Delete")})),
				}},
				Check: func(*terraform.State) error {
					raw, _ := e.jobSchema()
					om, _ := userMapping(raw)
					if om["flowTypes"] != "Update, Delete" {
						return fmt.Errorf("flowTypes not repaired: %v", om["flowTypes"])
					}
					if src := as[map[string]any](row(om, "externalId")["source"]); src["name"] != "objectId" {
						return fmt.Errorf("externalId not repaired: %v", src)
					}
					return nil
				},
			},
			{
				// Import adopts the rows that differ from the template.
				ConfigVariables:   vars,
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return e.sp + "/" + e.job + "/User", nil },
			},
			{
				// Adoption with an import block: the configuration lists the rows in another order than the schema,
				// and the plan is empty (the harness fails on any change but the import).
				ConfigVariables:   vars,
				Config:            tg.Config(app, mappingsHCL(updatedMappings), groupsHCL),
				ResourceName:      addr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return e.sp + "/" + e.job + "/User", nil },
			},
			{
				// A Group mapping nobody customized imports with no rows (null, not an empty list): empty plan.
				ConfigVariables:   vars,
				Config:            tg.Config(app, mappingsHCL(updatedMappings), groupsHCL),
				ResourceName:      groupsAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return e.sp + "/" + e.job + "/Group", nil },
			},
			{
				// The Group mapping's rows and actions are managed like the User mapping's.
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(updatedMappings), groupsCustomHCL),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupsAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupsAddr, tfjsonpath.New("target_object_actions"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("Create"), knownvalue.StringExact("Update")})),
				},
				Check: func(*terraform.State) error {
					raw, _ := e.jobSchema()
					om, err := objectMapping(raw, "Group")
					if err != nil {
						return err
					}
					if om["flowTypes"] != "Add, Update" {
						return fmt.Errorf("Group flowTypes = %v", om["flowTypes"])
					}
					if src := as[map[string]any](row(om, "externalId")["source"]); src["name"] != "mailNickname" || src["expression"] != "[mailNickname]" {
						return fmt.Errorf("Group externalId source = %v", src)
					}
					tm, _ := objectMapping(e.template, "Group")
					for _, name := range []string{"displayName", "members"} {
						got, _ := json.Marshal(row(om, name))
						want, _ := json.Marshal(row(tm, name))
						if !bytes.Equal(got, want) {
							return fmt.Errorf("Group %s row changed:\n got %s\nwant %s", name, got, want)
						}
					}
					return nil
				},
			},
			{
				// The customized Group mapping imports as configured.
				ConfigVariables:   vars,
				ResourceName:      groupsAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return e.sp + "/" + e.job + "/Group", nil },
			},
			{
				// A row left out of the configuration goes back to the template's, for either mapping.
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(seedMappings), groupsHCL),
				Check: func(*terraform.State) error {
					raw, _ := e.jobSchema()
					om, _ := userMapping(raw)
					tm, _ := userMapping(e.template)
					got, _ := json.Marshal(row(om, "displayName"))
					want, _ := json.Marshal(row(tm, "displayName"))
					if !bytes.Equal(got, want) {
						return fmt.Errorf("displayName row not restored:\n got %s\nwant %s", got, want)
					}
					gm, _ := objectMapping(raw, "Group")
					gtm, _ := objectMapping(e.template, "Group")
					got, _ = json.Marshal(gm)
					want, _ = json.Marshal(gtm)
					if !bytes.Equal(got, want) {
						return fmt.Errorf("the Group mapping was not restored:\n got %s\nwant %s", got, want)
					}
					return nil
				},
			},
			{
				// Destroying the mappings restores the template's rows and object actions.
				ConfigVariables: vars,
				Config:          tg.Config(app),
				Check: func(*terraform.State) error {
					raw, _ := e.jobSchema()
					om, _ := userMapping(raw)
					tm, _ := userMapping(e.template)
					got, _ := json.Marshal(om)
					want, _ := json.Marshal(tm)
					if !bytes.Equal(got, want) {
						return fmt.Errorf("the User mapping was not restored:\n got %s\nwant %s", got, want)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAttributeMappings_errors runs on both targets: a matching precedence collision known only at apply, then
// every invalid argument failing the plan with a message naming it, against a real job's schema read through Graph
// (the Auth0 side prepared through the Management API). On the sandbox the request log also shows that no failed plan
// wrote anything.
func TestAccAttributeMappings_errors(t *testing.T) {
	e := newTargetEnv(t)
	sb, tg := e.sb, e.tg
	app, vars, _ := targetAppHCL(t, tg)
	// A failed plan writes nothing: on the sandbox, from the first plan-only step on, every step checks that no
	// request but reads (and logins) reached either cloud since the counters were reset, which covers the step before
	// it.
	noWrites := func() {
		if sb != nil {
			acctest.CheckNoWrites(t, sb)
		}
	}
	planHCL := func(hcl, want string) resource.TestStep {
		return resource.TestStep{ConfigVariables: vars, Config: tg.Config(app, hcl), PlanOnly: true, ExpectError: acctest.ErrorRe(want), PreConfig: noWrites}
	}
	plan := func(body, want string) resource.TestStep { return planHCL(mappingsHCL(body), want) }
	mappingsFor := func(sp, job string) string {
		return fmt.Sprintf(`
resource "auth0entra_attribute_mappings" "users" {
  service_principal_id = %q
  job_id               = %q
  source_object        = "User"
}`, sp, job)
	}
	const someJob = "scim.00000000000000000000000000000000.00000000-0000-0000-0000-000000000000"
	if sb != nil {
		sb.Entra.SetReplicationLag(500 * time.Millisecond)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				// Known only at apply: the collision with userName (precedence 1) fails the apply, naming the row.
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(`mapping = [{ target_attribute = "externalId", source_attribute = "objectId", matching_precedence = 1 }]`)),
				ExpectError:     acctest.ErrorRe(`(?s)Matching precedence already used.*"userName".*precedence 1`),
			},
			{ConfigVariables: vars, Config: tg.Config(app), Check: e.capture},
			{
				ConfigVariables: vars,
				Config:          tg.Config(app, mappingsHCL(`mapping = [{ target_attribute = "externalId", source_attribute = "objectId", matching_precedence = 1 }]`)),
				PlanOnly:        true,
				ExpectError:     acctest.ErrorRe(`(?s)Matching precedence already used.*"userName"`),
				PreConfig: func() {
					if sb != nil {
						acctest.ResetCounters(sb)
					}
				},
			},
			plan(`mapping = [{ target_attribute = "emails[type eq \"private\"].value", source_attribute = "mail" }]`, `(?s)Unknown target attribute.*private.*customappsso.*include:.*work`),
			plan(`mapping = [{ target_attribute = "externalid", source_attribute = "mail" }, { target_attribute = "externalId", source_attribute = "objectId" }]`, `(?s)Target attribute mapped twice.*"externalId" and "externalid"`),
			plan(`mapping = [{ target_attribute = "externalId", source_attribute = "objectId", matching_precedence = 2 }, { target_attribute = "displayName", source_attribute = "displayName", matching_precedence = 2 }]`, `(?s)Matching precedence used twice.*"displayName" and "externalId".*matching_precedence = 2`),
			plan(`mapping = [{ target_attribute = "externalId" }]`, `(?s)Mapping without a source.*"externalId".*exactly one`),
			plan(`mapping = [{ target_attribute = "externalId", source_attribute = "objectId", constant = "x" }]`, `(?s)Mapping with more than one source.*"externalId".*constant and source_attribute`),
			plan(`mapping = [{ target_attribute = "externalId", expression = "Join(\" \", [givenName]" }]`, `(?s)Invalid expression.*"externalId".*cannot be parsed.*not closed`),
			plan(`mapping = [{ target_attribute = "externalId", source_attribute = "[objectId]" }]`, `(?s)Invalid source attribute.*"externalId".*"\[objectId\]".*bare name`),
			plan(`mapping = [{ target_attribute = "externalId", source_attribute = "objectId", matching_precedence = 0 }]`, `(?s)Invalid matching precedence.*target_attribute "externalId" has matching_precedence = 0.*start at 1.*leave matching_precedence out`),
			plan(`mapping = [{ target_attribute = "externalId", source_attribute = "objectId", apply = "sometimes" }]`, `(?s)Invalid apply.*"externalId" has apply = "sometimes".*Use "always".*"on_create"`),
			plan(`target_object_actions = ["Add"]`, `(?s)Invalid target object action.*contains "Add".*"Create", "Update" and "Delete"`),
			plan(`target_object_actions = []`, `(?s)No target object action.*at least one of "Create", "Update" and "Delete"`),
			plan(`mapping = [{ target_attribute = "", source_attribute = "objectId" }]`, `(?s)Invalid target attribute.*empty target_attribute.*"externalId"`),
			// Functions Microsoft's reference does not have, or spells otherwise (microsoft-graph.md §5.16).
			plan(`mapping = [{ target_attribute = "externalId", expression = "Frobnicate([mail])" }]`, `(?s)Unknown function in expression.*"externalId" has expression = "Frobnicate\(\[mail\]\)".*calls "Frobnicate".*Use one of: Append,.*ToLower`),
			plan(`mapping = [{ target_attribute = "externalId", expression = "tolower([mail])" }]`, `(?s)Unknown function in expression.*calls "tolower".*case-sensitive.*write ToLower`),
			// Source attributes the job's schema does not have, directly or inside an expression.
			plan(`mapping = [{ target_attribute = "externalId", source_attribute = "favouriteColour" }]`, `(?s)Unknown source attribute.*target_attribute "externalId" reads the source attribute "favouriteColour".*object "User" of directory "Azure Active Directory".*include:`),
			plan(`mapping = [{ target_attribute = "displayName", expression = "Join(\" \", [givenName], [nickName])" }]`, `(?s)Unknown source attribute.*"displayName" reads the source attribute "nickName"`),
			// The Group mapping is checked against the Group object's attributes, not the User's.
			planHCL(strings.Replace(groupsCustomHCL, `source_attribute = "mailNickname"`, `source_attribute = "givenName"`, 1),
				`(?s)Unknown source attribute.*"externalId" reads the source attribute "givenName".*object "Group" of directory "Azure Active Directory"`),
			planHCL(strings.Replace(groupsCustomHCL, `target_attribute = "externalId"`, `target_attribute = "userName"`, 1),
				`(?s)Unknown target attribute.*"userName"`),
			// A long value is cut, never echoed whole.
			plan(`mapping = [{ target_attribute = "externalId", expression = "Join(\" \"`+strings.Repeat(`, [givenName]`, 400)+`" }]`, `(?s)Invalid expression.*"externalId" has expression = "Join\(.{60,90}… \(5\d\d\d characters\), which cannot be parsed`),
			planHCL(`
resource "auth0entra_attribute_mappings" "users" {
  service_principal_id = auth0entra_enterprise_app.app.service_principal_id
  job_id               = auth0entra_enterprise_app.app.job_id
  source_object        = "user"
}`, `(?s)Invalid source_object.*source_object = "user".*Use "User".*or "Group".*case-sensitive`),
			plan(`mapping = [{ target_attribute = "userName", source_attribute = "userPrincipalName" }]`, `(?s)No matching attribute left`),
			planHCL(mappingsFor("${auth0entra_enterprise_app.app.service_principal_id}", someJob), `(?s)Provisioning job not found`),
			// Ids that cannot be right fail at plan, before any call, naming the attribute, the value and the fix.
			planHCL(mappingsFor("not-a-guid", someJob), `(?s)Invalid GUID.*service_principal_id = "not-a-guid".*auth0entra_enterprise_app.x.service_principal_id`),
			planHCL(mappingsFor("00000000-0000-0000-0000-000000000000", "scim"), `(?s)Invalid provisioning job id.*job_id = "scim".*<template>\.<tenant id as 32 hexadecimal digits>\.<application id>.*template id.*auth0entra_enterprise_app.x.job_id`),
			planHCL(mappingsFor("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"), `(?s)Invalid provisioning job id.*job_id = "00000000-0000-0000-0000-000000000000".*That is a GUID`),
			// The last failed plan wrote nothing either.
			{ConfigVariables: vars, Config: tg.Config(app), PlanOnly: true, PreConfig: noWrites},
		},
	})
}

// TestAccAttributeMappings_outOfBand: a Read stalled by Graph ends at timeouts.read; a job deleted outside Terraform
// takes the mappings with it, which are planned for creation and written again on the job the app re-creates.
func TestAccAttributeMappings_outOfBand(t *testing.T) {
	e := newEnv(t)
	sb := e.sb
	app, vars := appHCL(t, sb)
	users := mappingsHCL(seedMappings + "\n  timeouts {\n    read = \"3s\"\n  }")
	// Either resource's refresh may be the one that stalls: both have the short read timeout.
	groups := strings.Replace(groupsHCL, `source_object        = "Group"`, "source_object        = \"Group\"\n  timeouts {\n    read = \"3s\"\n  }", 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{ConfigVariables: vars, Config: acctest.Config(sb, app, users, groups), Check: e.capture},
			{
				// Graph accepts the refresh's read of the schema and never answers: the plan fails when
				// timeouts.read runs out instead of hanging.
				PreConfig: func() {
					// Every read of the schema stalls until the next step clears the fault: how many reads the plan
					// makes (the two mappings' refreshes may be one request, and the enterprise app's plan-time
					// checks read nothing when it does not change) is not what this step is about.
					sb.Entra.Router().Inject(router.Fault{Route: schemaGet, Latency: time.Hour})
				},
				ConfigVariables: vars,
				Config:          acctest.Config(sb, app, users, groups),
				PlanOnly:        true,
				ExpectError:     acctest.ErrorRe(`(?s)Could not read the synchronization schema.*time ran out`),
			},
			{
				// The job deleted by hand: both mappings leave the state and are planned for creation; apply
				// creates the job again and writes them on it.
				PreConfig: func() {
					sb.Entra.Router().ClearFaults()
					if err := sb.Entra.DeleteObject(e.job); err != nil {
						t.Fatal(err)
					}
				},
				ConfigVariables: vars,
				Config:          acctest.Config(sb, app, users, groups),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(groupsAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					raw, err := e.jobSchema()
					if err != nil {
						return err
					}
					om, err := userMapping(raw)
					if err != nil {
						return err
					}
					if om["flowTypes"] != "Update, Delete" {
						return fmt.Errorf("flowTypes = %v", om["flowTypes"])
					}
					if src := as[map[string]any](row(om, "externalId")["source"]); src["name"] != "objectId" {
						return fmt.Errorf("externalId source = %v", src)
					}
					return nil
				},
			},
		},
	})
}

// TestReadWarnsWhenJobDeletedOutOfBand runs on both targets: a Read that finds the job gone tells the user (a
// warning, not only a log line) what was deleted and that the next apply writes the mappings again. The application
// and job are made and the job deleted through Graph; the Read, with a client of its own, is polled, since Graph
// answers with a lag after a write (microsoft-graph.md §3.4).
func TestReadWarnsWhenJobDeletedOutOfBand(t *testing.T) {
	e := newTargetEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	app, err := e.c.CreateEnterpriseApp(ctx, acctest.RandomName()+" Auth0 SCIM (job deleted)")
	if app != nil && app.Application.ObjectID != "" {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if err := e.c.DeleteApplication(entraclient.Fresh(ctx), app.Application.ObjectID); err != nil {
				t.Errorf("deleting application %s: %v", app.Application.ObjectID, err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.c.CreateJob(ctx, app.ServicePrincipal.ID, entraclient.SCIMTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteJob(ctx, app.ServicePrincipal.ID, job.ID); err != nil {
		t.Fatal(err)
	}

	read := func() *fwresource.ReadResponse {
		r := &attributemappings.Resource{}
		var sr fwresource.SchemaResponse
		r.Schema(ctx, fwresource.SchemaRequest{}, &sr)
		r.Configure(ctx, fwresource.ConfigureRequest{ProviderData: &conns.Clients{Entra: e.tg.Entra(t)}}, &fwresource.ConfigureResponse{})
		state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
		for k, v := range map[string]string{"id": app.ServicePrincipal.ID + "/" + job.ID + "/User", "service_principal_id": app.ServicePrincipal.ID, "job_id": job.ID, "source_object": "User"} {
			if d := state.SetAttribute(ctx, path.Root(k), v); d.HasError() {
				t.Fatal(d)
			}
		}
		resp := &fwresource.ReadResponse{State: state}
		r.Read(ctx, fwresource.ReadRequest{State: state}, resp)
		return resp
	}
	var w diag.Diagnostics
	if err := acctest.Eventually(e.c, "the Read of a deleted job", func(context.Context) error {
		resp := read()
		if resp.Diagnostics.HasError() {
			return fmt.Errorf("Read: %v", resp.Diagnostics)
		}
		w = resp.Diagnostics.Warnings()
		if !resp.State.Raw.IsNull() || len(w) != 1 {
			return fmt.Errorf("Read: state kept (%v), warnings %v", !resp.State.Raw.IsNull(), w)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if w[0].Summary() != "Provisioning job deleted outside Terraform" {
		t.Fatalf("warnings: %v", w)
	}
	for _, want := range []string{job.ID, app.ServicePrincipal.ID, "User attribute mappings are gone", "the next apply writes the mappings again"} {
		if !strings.Contains(w[0].Detail(), want) {
			t.Errorf("the warning does not say %q:\n%s", want, w[0].Detail())
		}
	}
}

// TestAccAttributeMappings_entraNotConfigured runs on both targets: without Entra configuration the plan fails,
// saying how to configure it, before anything is written (also for a configuration whose other resources would write
// to Auth0 first). The provider gets the Auth0 configuration only (on tenants the Entra variables are emptied); the
// Management API shows that no token was created, and on the sandbox the request log shows that nothing was written.
func TestAccAttributeMappings_entraNotConfigured(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0 := tg.Auth0(t)
	tg.SetUpSCIM(t, a0)
	acctest.WithoutEntraEnvironment(t)
	provider := "\nprovider \"auth0entra\" {}\n"
	if sb != nil {
		provider = fmt.Sprintf(`
provider "auth0entra" {
  auth0 {
    domain        = %q
    client_id     = %q
    client_secret = %q
  }
}
`, sb.Auth0Domain, sb.Auth0ClientID, sb.Auth0ClientSecret)
	}
	cfg := provider + fmt.Sprintf(`
resource "auth0entra_scim_token" "t" {
  connection_id = %q
  scopes        = ["get:users", "patch:users", "delete:users"]
}

resource "auth0entra_attribute_mappings" "users" {
  service_principal_id = "00000000-0000-0000-0000-000000000000"
  job_id               = "scim.00000000000000000000000000000000.00000000-0000-0000-0000-000000000000"
  source_object        = "User"
  # Applied after the token, so that an apply that reached it would have written to Auth0 first.
  depends_on = [auth0entra_scim_token.t]
}
`, tg.ConnectionID)
	want := acctest.ErrorRe(`(?s)Microsoft Entra is not configured.*auth0entra_attribute_mappings manages Microsoft Entra objects.*entra block.*ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET`)
	noTokens := tg.NoSCIMTokens(t, a0)
	if sb != nil {
		acctest.ResetCounters(sb)
	}
	resource.Test(t, resource.TestCase{
		// No acctest.PreCheck: NewTarget checked the variables before the Entra ones were emptied.
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg, PlanOnly: true, ExpectError: want},
			{Config: cfg, ExpectError: want, PreConfig: func() {
				noTokens()
				if sb != nil {
					acctest.CheckNoWrites(t, sb)
				}
			}},
			// Read before the harness destroys what the apply might have made.
			{Config: cfg, PlanOnly: true, ExpectError: want, PreConfig: noTokens},
		},
	})
	if sb != nil {
		acctest.CheckNoWrites(t, sb)
	}
}
