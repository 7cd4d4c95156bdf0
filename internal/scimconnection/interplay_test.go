package scimconnection_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"gopkg.in/yaml.v3"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

// The official auth0_connection next to auth0entra_scim_connection on the same waad connection (interplay.go).
// The official provider's update is replayed from its recording (TestAccConnectionAzureAD.yaml, the PATCH that
// sends the whole options object), sent to the sandbox between Terraform runs as auth0_connection would.

// officialUpdate returns the recorded PATCH body of auth0_connection's update.
func officialUpdate(t *testing.T) string {
	t.Helper()
	var c struct {
		Interactions []struct {
			Request struct {
				Method string `yaml:"method"`
				Body   string `yaml:"body"`
			} `yaml:"request"`
		} `yaml:"interactions"`
	}
	if err := yaml.Unmarshal([]byte(acctest.ReadRepoFile(t, "internal/sandbox/auth0/testdata/recordings/TestAccConnectionAzureAD.yaml")), &c); err != nil {
		t.Fatal(err)
	}
	for _, in := range c.Interactions {
		if in.Request.Method == http.MethodPatch {
			return in.Request.Body
		}
	}
	t.Fatal("the recording has no PATCH")
	return ""
}

// replay sends body as PATCH /api/v2/connections/{id} over the wire, as the official provider does.
func replay(t *testing.T, sb *sandbox.Sandbox, id, body string) {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sb.CA.Pool(), MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequest(http.MethodPatch, "https://"+sb.Auth0Domain+"/api/v2/connections/"+id, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sb.Auth0.IssueToken(sandbox.AllManagementScopes))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replayed PATCH: %d %s", resp.StatusCode, b)
	}
}

// TestAccSCIMConnection_nextToOfficialConnection: with the recommended split (auth0_connection owns the options,
// this resource the SCIM configuration and no connection_settings), the official update changes nothing this
// resource plans, and this resource's plans and refreshes leave the options exactly as auth0_connection wrote them
// (so auth0_connection's own plan stays empty too).
func TestAccSCIMConnection_nextToOfficialConnection(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	patch := officialUpdate(t)
	var written map[string]any
	cfg := acctest.Config(sb, scimConnection(id, overrides))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed(sb, id),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// auth0_connection updates the connection (user id sub, sync at first login, its whole options).
				PreConfig: func() {
					replay(t, sb, id, patch)
					written = optionsOf(t, sb, id)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, attr("connection_settings"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"user_id_claim":            knownvalue.StringExact("sub"),
						"use_common_endpoint":      knownvalue.Bool(false),
						"set_user_root_attributes": knownvalue.StringExact("on_first_login"),
					})),
					statecheck.ExpectKnownValue(addr, attr("effective_mapping").AtMapKey(department), knownvalue.StringExact("app_metadata.dept")),
				},
				Check: func(*terraform.State) error {
					// auth0_connection's next read finds its options as it wrote them: its plan stays empty.
					if got := optionsOf(t, sb, id); !reflect.DeepEqual(got, written) {
						return fmt.Errorf("options changed after auth0_connection's update:\nnow  %v\nwrote %v", got, written)
					}
					// And its update left the SCIM configuration alone.
					if m := mappingOf(t, sb, id); m[department] != "app_metadata.dept" {
						return fmt.Errorf("SCIM mapping after auth0_connection's update: %v", m)
					}
					return nil
				},
			},
			{
				// Replaying the official update once more (its next apply) is still a no-op for this resource.
				PreConfig: func() { replay(t, sb, id, patch) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccSCIMConnection_tugOfWarWithOfficialConnection: when both configure the user id claim differently, the
// official update flips it and this resource's next plan writes it back (an update, with the warning checked in
// interplay_internal_test.go) — the fight the guide tells users to avoid.
func TestAccSCIMConnection_tugOfWarWithOfficialConnection(t *testing.T) {
	sb := acctest.Sandbox(t)
	id := sb.Seed.ConnectionID
	patch := officialUpdate(t) // userid_attribute "sub"
	cfg := acctest.Config(sb, scimConnection(id, `
  connection_settings = { user_id_claim = "oid" }
`))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed(sb, id),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { replay(t, sb, id, patch) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr, attr("connection_settings").AtMapKey("user_id_claim"), knownvalue.StringExact("oid")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if got := optionsOf(t, sb, id)["userid_attribute"]; got != "oid" {
						return fmt.Errorf("userid_attribute = %v after this resource's apply, want oid", got)
					}
					return nil
				},
			},
		},
	})
}
