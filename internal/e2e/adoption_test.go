package e2e_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// adoptionGuide is the guide whose configuration TestAccAdoptExistingSetup applies.
const adoptionGuide = "templates/guides/adopting-an-existing-setup.md.tmpl"

// TestAccAdoptExistingSetup does the manual setup by hand in both clouds — through the Management API and Graph, so
// it runs on both targets — then applies the configuration of the guide "Adopting an existing setup" — its
// `terraform` code blocks, as published, but for the application's name — with import blocks for the four
// resources. The apply imports them and only records what neither cloud stores (rotate_before, oidc_client_id and
// the token version, for which Entra gets the same token again); nothing is created, replaced or deleted, the plan
// after the apply is empty, the adopted token is still Auth0's only one, and provisioning works throughout. On the
// sandbox it also checks Entra's saved token and that the apply wrote nothing but the credentials.
func TestAccAdoptExistingSetup(t *testing.T) {
	acctest.SkipUnlessAcceptance(t)
	tg := acctest.NewTarget(t)
	appName := acctest.RandomName() + " Auth0 SCIM (corp)"
	hand := tg.SetUpByHand(t, appName)
	got := ids{sp: hand.ServicePrincipalID, app: hand.ApplicationObjectID, job: hand.JobID, tokenID: hand.TokenID, token: hand.Token}
	if err := provisionPresent(t, tg, &got); err != nil {
		t.Fatalf("the setup made by hand does not provision: %v", err)
	}
	var before map[string]int
	if tg.Sandbox != nil {
		before = routeCounts(tg.Sandbox)
	}
	a0 := tg.Auth0(t)

	vars := config.Variables{
		"connection_id":        config.StringVariable(tg.ConnectionID),
		"scim_token_id":        config.StringVariable(hand.TokenID),
		"service_principal_id": config.StringVariable(hand.ServicePrincipalID),
		"provisioning_job_id":  config.StringVariable(hand.JobID),
		"oidc_app_client_id":   config.StringVariable(tg.OIDCClientID),
		"engineering_group_id": config.StringVariable(tg.GroupID),
		"current_scim_token":   config.StringVariable(hand.Token),
	}
	tg.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBothCloudsClean(t, tg, &got),
		Steps: []resource.TestStep{{
			Config:          tg.Config(acctest.Replace(t, guideConfig(t, adoptionGuide), `"Auth0 SCIM (corp)"`, strconv.Quote(appName))),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{expectChanges{
					acctest.CompleteConnection: "import",
					acctest.CompleteToken:      "import, update",
					acctest.CompleteApp:        "import, update",
					acctest.CompleteMappings:   "import",
				}},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checks(captureIDs(&got), func(*terraform.State) error {
				if got.sp != hand.ServicePrincipalID || got.job != hand.JobID || got.tokenID != hand.TokenID {
					return fmt.Errorf("the state holds %+v, not the objects made by hand", got)
				}
				if got.token != "" {
					return fmt.Errorf("an imported token cannot have its secret in the state")
				}
				got.token = hand.Token // what Entra must still hold
				toks, err := tg.SCIMTokens(a0)
				if err != nil {
					return err
				}
				if len(toks) != 1 || toks[0].TokenID != hand.TokenID {
					return fmt.Errorf("Auth0 has the tokens %+v, want only the adopted %s", toks, hand.TokenID)
				}
				if sb := tg.Sandbox; sb != nil {
					// Graph masks saved secrets; on tenants, the one token Auth0 has provisioning below is the proof.
					if secret := sb.Entra.Secrets(got.sp)["SecretToken"]; secret != hand.Token {
						return fmt.Errorf("Entra's SecretToken changed: the adoption must keep the token Entra uses")
					}
					if writes := unexpectedWrites(before, routeCounts(sb)); len(writes) > 0 {
						return fmt.Errorf("the adoption changed more than the credentials it re-saves:\n  %s", strings.Join(writes, "\n  "))
					}
				}
				return provisionPresent(t, tg, &got)
			}),
		}},
	})
}

// guideConfig returns the `terraform` code blocks of a guide template, joined.
func guideConfig(t *testing.T, path string) string {
	t.Helper()
	blocks := regexp.MustCompile("(?s)```terraform\n(.*?)```").FindAllStringSubmatch(acctest.ReadRepoFile(t, path), -1)
	if len(blocks) == 0 {
		t.Fatalf("%s has no terraform code block", path)
	}
	var b strings.Builder
	for _, m := range blocks {
		b.WriteString(m[1])
		b.WriteString("\n")
	}
	return b.String()
}

// allowedAdoptionWrites are the only writes the adopting apply may make besides the token requests of each provider
// instance: Entra's Test Connection, and saving the same credentials again (secret_token_wo_version is recorded).
var allowedAdoptionWrites = map[string]bool{
	"entra " + routeValidateJob:              true,
	"entra " + routePutSecrets:               true,
	"entra POST /{tenant}/oauth2/v2.0/token": true,
	"auth0 " + auth0.RouteToken:              true,
}

// unexpectedWrites lists the requests other than reads (GET) and the allowed writes made between two snapshots.
func unexpectedWrites(before, after map[string]int) []string {
	var out []string
	for route, n := range after {
		_, pattern, _ := strings.Cut(route, " ")
		if n == before[route] || strings.HasPrefix(pattern, "GET ") || allowedAdoptionWrites[route] {
			continue
		}
		out = append(out, fmt.Sprintf("%s: +%d", route, n-before[route]))
	}
	return out
}
