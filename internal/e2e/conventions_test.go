package e2e_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// TestAccConventions_privateKeyJWTEnvironmentAndUserAgent runs examples/complete with the conventions users bring
// from the auth0 and azuread providers: Auth0 authenticates with a Private Key JWT client assertion (ES256) instead
// of a secret, the entra block names a national cloud whose hosts the explicit (sandbox) overrides replace, and
// every request to both clouds carries the Terraform version in its User-Agent.
//
// Skipped on tenants: none of its three points can be made there through the public APIs. The public key is
// registered on the Auth0 application through the sandbox's Go API (on a tenant that takes the Dashboard or a
// Management API grant on applications, which the provider's documented grant does not hold); a tenant lives in one
// cloud, so a national cloud cannot be pointed at its hosts; and the User-Agent is read from the request log.
// examples/complete itself runs on tenants in TestAccSeedFlow.
func TestAccConventions_privateKeyJWTEnvironmentAndUserAgent(t *testing.T) {
	acctest.SkipOnTenants(t, "registers a Private Key JWT public key on the Auth0 application, points a national cloud at "+
		"the sandbox's hosts and reads the User-Agent from the request log")
	sb := acctest.Sandbox(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	sb.Auth0.SetClientAssertionKey(sb.Auth0ClientID, &key.PublicKey)

	providerBlock := fmt.Sprintf(`
provider "auth0entra" {
  auth0 {
    domain                       = %q
    client_id                    = %q
    client_assertion_private_key = %q
    client_assertion_signing_alg = "ES256"
  }
  entra {
    tenant_id      = %q
    client_id      = %q
    client_secret  = %q
    environment    = "usgovernment"
    authority_host = %q
    graph_url      = %q
  }
}
`, sb.Auth0Domain, sb.Auth0ClientID, keyPEM, sb.EntraTenantID, sb.EntraClientID, sb.EntraClientSecret, sb.EntraURL+"/", sb.EntraURL+"/v1.0")
	complete := acctest.CompleteExample(t, sb)
	cfg := providerBlock + complete[len(acctest.ProviderConfig(sb)):]

	ua := regexp.MustCompile(`terraform-provider-auth0entra/\S+ .*Terraform/\d+\.\d+\.\d+`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:           cfg,
			ConfigVariables:  acctest.CompleteExampleVariables(sb),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: func(*terraform.State) error {
				toks := sb.Auth0.Router().Requests(auth0.RouteToken)
				if len(toks) == 0 {
					return fmt.Errorf("no Auth0 token request")
				}
				for _, r := range toks {
					form, _ := url.ParseQuery(string(r.Body))
					if form.Get("client_assertion") == "" || form.Get("client_secret") != "" {
						return fmt.Errorf("the Auth0 token request did not use a client assertion alone: %v", keys(form))
					}
				}
				for cloud, reqs := range map[string]int{"Auth0": len(sb.Auth0.Router().Requests("")), "Entra": len(sb.Entra.Router().Requests(""))} {
					if reqs == 0 {
						return fmt.Errorf("no %s requests", cloud)
					}
				}
				for _, r := range append(sb.Auth0.Router().Requests(auth0.RouteGetConnection), sb.Entra.Router().Requests(routeGetJob)...) {
					if got := r.Header.Get("User-Agent"); !ua.MatchString(got) {
						return fmt.Errorf("%s: User-Agent %q lacks the provider and Terraform versions", r.Route, got)
					}
				}
				return nil
			},
		}},
	})
}

func keys(v url.Values) string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	return strings.Join(out, ",")
}
