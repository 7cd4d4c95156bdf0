package scimtoken_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
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
	"github.com/auth0entra/terraform-provider-auth0entra/internal/scimtoken"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const addr = "auth0entra_scim_token.test"

var (
	tokenIDRe = regexp.MustCompile(`^tok_[A-Za-z0-9]{16}$`)
	secretRe  = regexp.MustCompile(`^tok_[A-Za-z0-9]{16}\.[0-9a-f]{64}$`)
	timeRe    = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func attr(name string) tfjsonpath.Path { return tfjsonpath.New(name) }

// withConnection renders a SCIM configuration of the seed connection and a token on it.
func withConnection(sb *sandbox.Sandbox, token string) string {
	return acctest.Config(sb, fmt.Sprintf(`
resource "auth0entra_scim_connection" "test" {
  connection_id = %q
}
`, sb.Seed.ConnectionID), token)
}

// targetWithConnection renders a SCIM configuration of the target's fixture connection and a token on it.
func targetWithConnection(tg *acctest.Target, token string) string {
	return tg.Config(fmt.Sprintf(`
resource "auth0entra_scim_connection" "test" {
  connection_id = %q
}
`, tg.ConnectionID), token)
}

func tokenHCL(args string) string {
	return fmt.Sprintf(`
resource "auth0entra_scim_token" "test" {
  connection_id = auth0entra_scim_connection.test.connection_id
%s
}
`, args)
}

// tokenOnly renders a token on the seed connection, whose SCIM configuration the test creates in the sandbox.
func tokenOnly(sb *sandbox.Sandbox, args string) string {
	return acctest.Config(sb, fmt.Sprintf(`
resource "auth0entra_scim_token" "test" {
  connection_id = %q
%s
}
`, sb.Seed.ConnectionID, args))
}

const olderConnectionScopes = `  scopes = ["get:users", "patch:users", "delete:users"]`

func tokenIDs(sb *sandbox.Sandbox) []string {
	var ids []string
	for _, t := range sb.Auth0.SCIMTokens(sb.Seed.ConnectionID) {
		ids = append(ids, t.TokenID)
	}
	return ids
}

func checkNoTokens(sb *sandbox.Sandbox) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if ids := tokenIDs(sb); len(ids) != 0 {
			return fmt.Errorf("tokens left after destroy: %v", ids)
		}
		return nil
	}
}

// stateValue returns an attribute of addr from the state.
func stateValue(s *terraform.State, name string) string {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return ""
	}
	return rs.Primary.Attributes[name]
}

// TestAccSCIMToken_lifecycle runs on both targets: a token with the older connection's scopes for 8760h, used on
// Auth0's SCIM endpoint (last_used_at read back, the secret kept), imported, rotate_before changed in place, other
// scopes replacing it, destroy revoking it. Checks read the fixture connection's tokens through the Management API;
// on the sandbox the request log also shows the lifetime sent and that an in-place change writes nothing.
func TestAccSCIMToken_lifecycle(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0 := tg.Auth0(t)
	endpoint := a0.SCIMEndpointURL(tg.ConnectionID)
	var secret string
	tokenSame := statecheck.CompareValue(compare.ValuesSame())
	tokenID := statecheck.CompareValue(compare.ValuesDiffer())
	withConnection := func(token string) string {
		return tg.Config(fmt.Sprintf(`
resource "auth0entra_scim_connection" "test" {
  connection_id = %q
}
`, tg.ConnectionID), token)
	}
	cfg := withConnection(tokenHCL(olderConnectionScopes + "\n  lifetime = \"8760h\""))
	importID := func(s *terraform.State) (string, error) {
		return tg.ConnectionID + ":" + stateValue(s, "token_id"), nil
	}
	onlyToken := func(s *terraform.State) ([]auth0client.SCIMToken, error) {
		toks, err := tg.SCIMTokens(a0)
		if err != nil {
			return nil, err
		}
		if len(toks) != 1 || toks[0].TokenID != stateValue(s, "token_id") {
			return nil, fmt.Errorf("Auth0's tokens on %s = %v, want only %s", tg.ConnectionID, toks, stateValue(s, "token_id"))
		}
		return toks, nil
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("token_id"), knownvalue.StringRegexp(tokenIDRe)),
					statecheck.ExpectKnownValue(addr, attr("token"), knownvalue.StringRegexp(secretRe)),
					statecheck.ExpectKnownValue(addr, attr("created_at"), knownvalue.StringRegexp(timeRe)),
					statecheck.ExpectKnownValue(addr, attr("valid_until"), knownvalue.StringRegexp(timeRe)),
					statecheck.ExpectKnownValue(addr, attr("last_used_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, attr("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("get:users"), knownvalue.StringExact("patch:users"), knownvalue.StringExact("delete:users"),
					})),
					statecheck.CompareValuePairs(addr, attr("id"), addr, attr("token_id"), compare.ValuesSame()),
					tokenSame.AddStateValue(addr, attr("token")),
					tokenID.AddStateValue(addr, attr("token_id")),
				},
				Check: func(s *terraform.State) error {
					secret = stateValue(s, "token")
					toks, err := onlyToken(s)
					if err != nil {
						return err
					}
					created, err1 := time.Parse(time.RFC3339, toks[0].CreatedAt)
					until, err2 := time.Parse(time.RFC3339, toks[0].ValidUntil)
					if err1 != nil || err2 != nil || until.Sub(created) != 8760*time.Hour {
						return fmt.Errorf("token created %q, valid until %q in Auth0; want valid for 8760h", toks[0].CreatedAt, toks[0].ValidUntil)
					}
					if sb == nil {
						return nil
					}
					reqs := sb.Auth0.Router().Requests(auth0.RouteCreateSCIMToken)
					if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"token_lifetime":31536000`) {
						return fmt.Errorf("token request = %+v", reqs)
					}
					return nil
				},
			},
			{
				// Entra uses the token; refreshing reads last_used_at and keeps the secret (cf. auth0 provider #1423).
				PreConfig: func() {
					if code, _, err := acctest.SCIMUsers(endpoint, secret, ""); err != nil || code != http.StatusOK {
						t.Fatalf("the token does not work on the SCIM endpoint: %d %v", code, err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("last_used_at"), knownvalue.StringRegexp(timeRe)),
					tokenSame.AddStateValue(addr, attr("token")),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: importID,
				ImportStateVerify: true,
				// The secret is shown by Auth0 only at creation; an imported token has none.
				ImportStateVerifyIgnore: []string{"token"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["token"] != "" {
						return fmt.Errorf("an imported token must have no secret: %v", states)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID,
			},
			{
				// rotate_before alone is an in-place change: nothing is written to Auth0.
				Config: withConnection(tokenHCL(olderConnectionScopes + "\n  lifetime = \"8760h\"\n  rotate_before = \"720h\"")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					tokenSame.AddStateValue(addr, attr("token")),
					statecheck.ExpectKnownValue(addr, attr("rotate_before"), knownvalue.StringExact("720h")),
				},
				Check: func(s *terraform.State) error {
					if _, err := onlyToken(s); err != nil {
						return err
					}
					if sb == nil {
						return nil
					}
					if n := sb.Auth0.Router().Count(auth0.RouteCreateSCIMToken) + sb.Auth0.Router().Count(auth0.RouteDeleteSCIMToken); n != 1 {
						return fmt.Errorf("token writes = %d, want only the first creation", n)
					}
					return nil
				},
			},
			{
				// Other scopes: a new token.
				Config: withConnection(tokenHCL(`  scopes = ["get:users", "post:users", "patch:users", "delete:users"]` + "\n  lifetime = \"8760h\"")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{tokenID.AddStateValue(addr, attr("token_id"))},
				Check: func(s *terraform.State) error {
					_, err := onlyToken(s)
					return err
				},
			},
		},
	})
}

func TestAccSCIMToken_rotation(t *testing.T) {
	sb := acctest.Sandbox(t)
	t.Cleanup(scimtoken.SetClock(nil))
	// The provider judges the rotation window by its clock; the steps that apply move it so that what the plan
	// after each apply sees does not depend on how long the apply took.
	shifted := func(d time.Duration) func() {
		return func() { scimtoken.SetClock(func() time.Time { return time.Now().Add(d) }) }
	}
	cfg := withConnection(sb, tokenHCL(olderConnectionScopes+`
  lifetime      = "901s"
  rotate_before = "900s"
  lifecycle {
    create_before_destroy = true
  }`))
	replaced := statecheck.CompareValue(compare.ValuesDiffer())
	var first string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoTokens(sb),
		Steps: []resource.TestStep{
			{
				PreConfig: shifted(-time.Hour), // long before the window opens
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{replaced.AddStateValue(addr, attr("token_id"))},
				Check:             func(s *terraform.State) error { first = stateValue(s, "token_id"); return nil },
			},
			{
				// A 901s token with rotate_before = 900s is inside its window from one second after creation until
				// it expires. The provider's clock is stopped one second after the window opens (Auth0 reports times
				// to the millisecond), long before the token expires: no waiting on the real clock.
				PreConfig: func() {
					toks := sb.Auth0.SCIMTokens(sb.Seed.ConnectionID)
					if len(toks) != 1 {
						t.Fatalf("tokens = %+v", toks)
					}
					inside := toks[0].ValidUntil.Add(-900 * time.Second).Add(time.Second)
					scimtoken.SetClock(func() time.Time { return inside })
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy),
						plancheck.ExpectUnknownValue(addr, attr("token")),
					},
				},
			},
			{
				// Apply the rotation. The clock stays inside the window of any 901s token, so the plan after the
				// apply wants to rotate again: that is deterministic, not a flake.
				PreConfig:          shifted(time.Minute),
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					replaced.AddStateValue(addr, attr("token_id")),
					statecheck.ExpectKnownValue(addr, attr("token"), knownvalue.StringRegexp(secretRe)),
				},
				Check: func(s *terraform.State) error {
					ids := tokenIDs(sb)
					if len(ids) != 1 || ids[0] != stateValue(s, "token_id") || ids[0] == first {
						return fmt.Errorf("after rotation the sandbox holds %v; want only the new token", ids)
					}
					// create_before_destroy: the new token was issued before the old one was revoked.
					var order []string
					for _, r := range sb.Auth0.Router().Requests("") {
						switch r.Route {
						case auth0.RouteCreateSCIMToken:
							order = append(order, "create")
						case auth0.RouteDeleteSCIMToken:
							order = append(order, "delete "+r.Path[strings.LastIndex(r.Path, "/")+1:])
						}
					}
					if want := []string{"create", "create", "delete " + first}; strings.Join(order, ",") != strings.Join(want, ",") {
						return fmt.Errorf("token writes = %v, want %v", order, want)
					}
					return nil
				},
			},
			{
				// Back before the window: nothing to do.
				PreConfig: shifted(-time.Hour),
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
}

func TestAccSCIMToken_expiredTokenIsReplaced(t *testing.T) {
	sb := acctest.Sandbox(t)
	t.Cleanup(scimtoken.SetClock(nil))
	cfg := withConnection(sb, tokenHCL(olderConnectionScopes+"\n  lifetime = \"1h\""))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// Without rotate_before, a token past valid_until is still replaced.
				PreConfig:          func() { scimtoken.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) }) },
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
			{
				PreConfig: func() { scimtoken.SetClock(nil) },
				Config:    cfg,
				PlanOnly:  true,
			},
		},
	})
}

// TestAccSCIMToken_twoTokenLimit runs on both targets (the other tokens issued and revoked through the Management
// API): Auth0 holds two tokens per connection, so the plan fails listing them, a create_before_destroy replacement
// stops before writing anything, and a plain replacement fits. On the sandbox the request log shows which plans sent
// no token request.
func TestAccSCIMToken_twoTokenLimit(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	a0 := tg.Auth0(t)
	conn := tg.ConnectionID
	tg.SetUpSCIM(t, a0)
	var others []auth0client.SCIMToken
	for i := 0; i < 2; i++ {
		_, id := tg.IssueSCIMToken(t, a0, "get:users")
		others = append(others, auth0client.SCIMToken{TokenID: id})
	}
	if sb != nil {
		sb.Auth0.Router().ResetCounters()
	}
	// ids lists the connection's tokens through the Management API, sorted (Auth0 documents no order).
	ids := func() []string {
		toks, err := tg.SCIMTokens(a0)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, 0, len(toks))
		for _, tok := range toks {
			out = append(out, tok.TokenID)
		}
		sort.Strings(out)
		return out
	}
	revoke := func(id string) {
		ctx, cancel := acctest.CheckContext()
		defer cancel()
		if err := a0.DeleteSCIMToken(ctx, conn, id); err != nil {
			t.Fatalf("revoking %s: %v", id, err)
		}
	}
	// same reports whether got holds exactly the token ids want.
	same := func(got []string, want ...string) bool {
		sort.Strings(want)
		return slices.Equal(got, want)
	}
	scopes := func(s string) string { return fmt.Sprintf("  scopes = [%s]", s) }
	cbd := "\n  lifecycle {\n    create_before_destroy = true\n  }"
	var mine string
	only := func(args string) string {
		return tg.Config(fmt.Sprintf(`
resource "auth0entra_scim_token" "test" {
  connection_id = %q
%s
}
`, conn, args))
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Two tokens exist already: the plan fails and lists them.
				Config: only(scopes(`"get:users"`)),
				ExpectError: acctest.ErrorRe(`Connection already has two SCIM tokens.*` + others[0].TokenID + `, created .*scopes get:users.*` +
					others[1].TokenID + `.*Delete one of them first`),
			},
			{
				// One revoked outside Terraform: now the token fits.
				PreConfig: func() {
					if sb != nil {
						if n := sb.Auth0.Router().Count(auth0.RouteCreateSCIMToken); n != 0 {
							t.Fatalf("the failed plan still sent %d token requests", n)
						}
					}
					revoke(others[0].TokenID)
				},
				Config:            only(scopes(`"get:users"`) + cbd),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr, attr("token_id"), knownvalue.StringRegexp(tokenIDRe))},
				Check:             func(s *terraform.State) error { mine = stateValue(s, "token_id"); return nil },
			},
			{
				// A create_before_destroy replacement needs a third slot while the old token still exists. The plan
				// does not count this resource's own token (the provider cannot see create_before_destroy: it warns),
				// but when Terraform plans the create again during apply, the old token is one of two: the apply
				// stops there, listing both, before anything is written.
				Config:      only(scopes(`"get:users", "patch:users"`) + cbd),
				ExpectError: acctest.ErrorRe(`Connection already has two SCIM tokens.*` + others[1].TokenID + `.*create_before_destroy`),
			},
			{
				// Terraform deposed the old token before the refused create and would revoke it at the next apply,
				// but the plan cannot tell it from a foreign token: the plan still fails, naming it.
				Config:      only(scopes(`"get:users", "patch:users"`)),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRe(`Connection already has two SCIM tokens.*` + `deposed`),
			},
			{
				// Revoking the deposed token in Auth0, as the error says, lets the replacement through: Terraform
				// forgets the deposed object (its revocation finds it gone) and creates the new token.
				PreConfig: func() {
					if ids := ids(); !same(ids, others[1].TokenID, mine) {
						t.Fatalf("the refused replacement changed the tokens: %v", ids)
					}
					if sb != nil {
						if n := sb.Auth0.Router().Count(auth0.RouteCreateSCIMToken); n != 1 {
							t.Fatalf("token creations = %d, want only the one of step 2", n)
						}
					}
					revoke(mine)
				},
				Config: only(scopes(`"get:users", "patch:users"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if ids := ids(); !same(ids, others[1].TokenID, stateValue(s, "token_id")) || stateValue(s, "token_id") == mine {
						return fmt.Errorf("Auth0's tokens = %v", ids)
					}
					return nil
				},
			},
			{
				// A replacement without create_before_destroy revokes the old token first and fits, although
				// another token exists.
				Config: only(scopes(`"get:users", "delete:users"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if ids := ids(); !same(ids, others[1].TokenID, stateValue(s, "token_id")) {
						return fmt.Errorf("Auth0's tokens = %v", ids)
					}
					return nil
				},
			},
		},
	})
	if ids := ids(); !same(ids, others[1].TokenID) {
		t.Errorf("destroy must revoke only this resource's token; left %v", ids)
	}
}

// TestAccSCIMToken_revokedOutsideTerraform runs on both targets: the token revoked through the Management API shows
// as a plan to create it again; then the whole SCIM configuration deleted through the Management API plans both
// resources again.
func TestAccSCIMToken_revokedOutsideTerraform(t *testing.T) {
	tg := acctest.NewTarget(t)
	a0 := tg.Auth0(t)
	cfg := targetWithConnection(tg, tokenHCL(olderConnectionScopes))
	replaced := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					replaced.AddStateValue(addr, attr("token_id")),
					statecheck.ExpectKnownValue(addr, attr("valid_until"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() {
					toks, err := tg.SCIMTokens(a0)
					if err != nil || len(toks) != 1 {
						t.Fatalf("the fixture's tokens: %v (%v), want one", toks, err)
					}
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if err := a0.DeleteSCIMToken(ctx, tg.ConnectionID, toks[0].TokenID); err != nil {
						t.Fatalf("revoking %s: %v", toks[0].TokenID, err)
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
				ConfigStateChecks: []statecheck.StateCheck{
					replaced.AddStateValue(addr, attr("token_id")),
					statecheck.ExpectKnownValue(addr, attr("token"), knownvalue.StringRegexp(secretRe)),
				},
			},
			{
				// The whole SCIM configuration deleted: both resources are planned again.
				PreConfig: func() {
					ctx, cancel := acctest.CheckContext()
					defer cancel()
					if err := a0.DeleteSCIMConfiguration(ctx, tg.ConnectionID); err != nil {
						t.Fatalf("turning SCIM off on %s: %v", tg.ConnectionID, err)
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
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("auth0entra_scim_connection.test", plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccSCIMToken_planTimeErrors runs on both targets: every invalid argument fails the plan with a message naming
// it, on the fixture connection with SCIM set up through the Management API. On the sandbox the request log also
// shows that no plan wrote anything.
func TestAccSCIMToken_planTimeErrors(t *testing.T) {
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	tg.SetUpSCIM(t, tg.Auth0(t))
	if sb != nil {
		sb.Auth0.Router().ResetCounters()
	}
	only := func(args string) string {
		return tg.Config(fmt.Sprintf(`
resource "auth0entra_scim_token" "test" {
  connection_id = %q
%s
}
`, tg.ConnectionID, args))
	}
	step := func(hcl, want string) resource.TestStep {
		return resource.TestStep{Config: hcl, PlanOnly: true, ExpectError: acctest.ErrorRe(want)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(only(`  scopes = ["get:user"]`), `Invalid SCIM token scope.*"get:user" is not a scope.*Did you mean "get:users"`),
			step(only(`  scopes = []`), `Empty set.*scopes = \[\]: name at least one scope`),
			step(only(olderConnectionScopes+"\n  lifetime = \"2562047h\""), `Duration too long.*lifetime = "2562047h" is longer than 876000h`),
			step(only(olderConnectionScopes+"\n  lifetime = \"600s\""), `Duration too short.*lifetime = "600s" is 10m0s \(600 seconds\).*more than 900 seconds.*"901s"`),
			step(only(olderConnectionScopes+"\n  lifetime = \"15m\""), `Duration too short.*lifetime = "15m"`),
			step(only(olderConnectionScopes+"\n  lifetime = \"1y\""), `Invalid duration.*"1y" is not a duration.*"8760h"`),
			step(only(olderConnectionScopes+"\n  lifetime = \"1000.5s\""), `Invalid duration.*not a whole number of seconds`),
			step(only(olderConnectionScopes+"\n  rotate_before = \"720h\""), `rotate_before needs lifetime.*rotate_before = "720h".*Add a lifetime`),
			step(only(olderConnectionScopes+"\n  lifetime = \"720h\"\n  rotate_before = \"720h\""), `Rotation window longer than the token's lifetime.*rotate_before = "720h"`),
			step(tg.Config(`
resource "auth0entra_scim_token" "test" {
  connection_id = "con_0000000000000000"
  scopes        = ["get:users"]
}`), `Auth0 connection not found.*con_0000000000000000`),
			step(tg.Config(`
resource "auth0entra_scim_token" "test" {
  connection_id = "entra-corp"
  scopes        = ["get:users"]
}`), `Invalid Auth0 connection id.*"entra-corp"`),
		},
	})
	if sb == nil {
		return
	}
	for _, r := range sb.Auth0.Router().Requests("") {
		if r.Method != http.MethodGet && strings.HasPrefix(r.Path, "/api/v2/") {
			t.Errorf("validation failed at plan time, yet the provider sent %s %s", r.Method, r.Path)
		}
	}
}

// TestAccSCIMToken_importIDErrors runs on both targets: an import id without the connection fails with the format.
func TestAccSCIMToken_importIDErrors(t *testing.T) {
	tg := acctest.NewTarget(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{
			{Config: targetWithConnection(tg, tokenHCL(olderConnectionScopes))},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "tok_AbCdEfGh12345678",
				ExpectError:   acctest.ErrorRe(`Invalid import id.*"<connection_id>:<token_id>"`),
			},
		},
	})
}

// TestAccSCIMToken_secretNeverLogged runs on both targets: create, refresh, import and destroy with TF_LOG=trace
// (Terraform's and the provider's logs in one file), then checks that neither the token nor the provider's
// credentials appear. On tenants the provider reads both clouds' credentials from the environment.
func TestAccSCIMToken_secretNeverLogged(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TF_LOG_PATH_MASK", "") // it would win over TF_ACC_LOG_PATH (make test runs this package with one set)
	t.Setenv("TF_LOG", "TRACE")
	tg := acctest.NewTarget(t)
	sb := tg.Sandbox
	// The secrets looked for in the log, by what they are.
	secrets := map[string]string{
		"the Auth0 client secret":     os.Getenv("AUTH0_CLIENT_SECRET"),
		"the Entra client secret":     os.Getenv("ARM_CLIENT_SECRET"),
		"an Authorization header":     "Bearer ey",
		"an Authorization header (2)": "Authorization: Bearer",
	}
	if sb != nil {
		// Credentials come from the environment, as in a pipeline: the test harness logs the configuration it runs,
		// so credentials written in HCL would show up in the log whatever the provider does.
		t.Setenv("AUTH0_DOMAIN", sb.Auth0Domain)
		t.Setenv("AUTH0_CLIENT_ID", sb.Auth0ClientID)
		t.Setenv("AUTH0_CLIENT_SECRET", sb.Auth0ClientSecret)
		// The configuration uses no Entra resource, so on the sandbox the provider gets no Entra credentials (no
		// entra block, no ARM_*); the Entra client secret is still looked for, so that no path that picks it up and
		// logs it goes unnoticed.
		secrets["the Auth0 client secret"] = sb.Auth0ClientSecret
		secrets["the Entra client secret"] = sb.EntraClientSecret
	}
	// The fixture connection's own client secret, which the provider reads with the connection's options (and
	// sends back when it writes them).
	ctx, cancel := acctest.CheckContext()
	conn, err := tg.Auth0(t).GetConnection(ctx, tg.ConnectionID)
	cancel()
	if err != nil {
		t.Fatalf("reading the fixture connection: %v", err)
	}
	var connSecret string
	if err := json.Unmarshal(conn.Options["client_secret"], &connSecret); err != nil || connSecret == "" {
		t.Fatalf("the fixture connection has no client_secret option to look for (%v)", err)
	}
	secrets["the connection's secret"] = connSecret
	cfg := fmt.Sprintf(`
provider "auth0entra" {}

resource "auth0entra_scim_connection" "test" {
  connection_id = %q
}
`, tg.ConnectionID) + tokenHCL(olderConnectionScopes+"\n  lifetime = \"8760h\"")
	var secret, tokenID string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             tg.CheckSCIMRemoved(t),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					secret, tokenID = stateValue(s, "token"), stateValue(s, "token_id")
					return nil
				},
			},
			{
				ResourceName: addr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return tg.ConnectionID + ":" + stateValue(s, "token_id"), nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
			},
		},
	})
	if !secretRe.MatchString(secret) {
		t.Fatalf("no token secret captured (%q)", secret)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if !strings.Contains(log, tokenID) || !strings.Contains(log, "Created SCIM token") {
		t.Fatalf("the trace log (%d bytes) does not mention the token id or the provider's own messages: the check would prove nothing", len(b))
	}
	_, hexPart, _ := strings.Cut(secret, ".")
	secrets["the SCIM token"] = secret
	secrets["the SCIM token's secret"] = hexPart
	for name, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(log, s) {
			i := strings.Index(log, s)
			t.Errorf("%s appears in the TF_LOG=trace output, e.g. …%s…", name, log[max(0, i-200):min(len(log), i+len(s)+50)])
		}
	}
}
