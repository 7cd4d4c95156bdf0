package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
)

// scimGroup is the part of a SCIM group the test reads.
type scimGroup struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	ExternalID  string `json:"externalId"`
	Members     []struct {
		Value string `json:"value"`
	} `json:"members"`
}

// deleteGroupsNamed deletes the connection's groups named name (what a failed earlier run may have left on the fixture).
func deleteGroupsNamed(g scimClient, name string) error {
	var list struct {
		Resources []scimGroup `json:"Resources"`
	}
	if st, err := g.do(http.MethodGet, "/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "`+name+`"`), &list); err != nil || st != http.StatusOK {
		return fmt.Errorf("SCIM GET /Groups by displayName: %d %v", st, err)
	}
	for _, r := range list.Resources {
		if st, err := g.do(http.MethodDelete, "/Groups/"+url.PathEscape(r.ID), nil); err != nil || st != http.StatusNoContent {
			return fmt.Errorf("SCIM DELETE /Groups/%s: %d %v", r.ID, st, err)
		}
	}
	return nil
}

// TestAccGroupsOnDemand_onBothTargets: examples/users-and-groups applied on the target, then Provision on Demand of
// the fixture group with the fixture's present user named as its member. The group is created in Auth0 (read back over SCIM: its
// name, its Entra object id as externalId, and on the sandbox its provisioned member), then deleted over SCIM before
// the destroy revokes the token, so the fixture connection keeps no group. A group a failed earlier run left behind
// is deleted first.
func TestAccGroupsOnDemand_onBothTargets(t *testing.T) {
	tg := acctest.NewTarget(t)
	var got ids
	appName := acctest.RandomName() + " Auth0 SCIM (corp)"
	main := acctest.Replace(t, acctest.ReadRepoFile(t, "examples/users-and-groups/main.tf"), `"Auth0 SCIM (corp)"`, strconv.Quote(appName))
	cfg := tg.Config(acctest.WithoutProviderSetup(main),
		acctest.ReadRepoFile(t, "examples/users-and-groups/variables.tf"), acctest.ReadRepoFile(t, "examples/users-and-groups/outputs.tf"))
	scim := scimClient{base: tg.Auth0(t).SCIMEndpointURL(tg.ConnectionID), token: &got.token}

	provision := func(objectID, objectType string, members ...string) (*provisioning.Result, error) {
		ctx, cancel := ctxMinute()
		defer cancel()
		return provisioning.OnDemand(ctx, tg.Entra(t), provisioning.Request{ServicePrincipalID: got.sp, JobID: got.job, ObjectID: objectID, ObjectType: objectType, MemberIDs: members})
	}
	onDemand := func(*terraform.State) (err error) {
		ctx, cancel := ctxMinute()
		defer cancel()
		name, err := tg.Entra(t).GetPrincipal(entraclient.Fresh(ctx), tg.GroupID, entraclient.PrincipalGroup)
		if err != nil {
			return err
		}
		if err := deleteGroupsNamed(scim, name); err != nil {
			return err
		}
		// The group with the present user named as its member (links.members): one report for the group, one for
		// the member.
		r, err := provision(tg.GroupID, "Group", tg.PresentUserID)
		if err != nil || r.Status != "Success" || r.Action != "Create" || r.TargetID == "" {
			return fmt.Errorf("provision on demand of the group (%v):\n%s", err, explain(r))
		}
		if len(r.Members) != 1 || !strings.EqualFold(r.Members[0].SourceID, tg.PresentUserID) || !r.AllSucceeded() {
			return fmt.Errorf("provision on demand of the group's member %s:\n%s", tg.PresentUserID, explain(r))
		}
		// Whatever the checks below find, the group goes before the destroy revokes the token.
		defer func() {
			if st, derr := scim.do(http.MethodDelete, "/Groups/"+url.PathEscape(r.TargetID), nil); (derr != nil || st != http.StatusNoContent) && err == nil {
				err = fmt.Errorf("SCIM DELETE of the created group %s: %d %v", r.TargetID, st, derr)
			}
		}()
		var g scimGroup
		if st, err := scim.do(http.MethodGet, "/Groups/"+url.PathEscape(r.TargetID), &g); err != nil || st != http.StatusOK {
			return fmt.Errorf("SCIM GET of the created group %s: %d %v", r.TargetID, st, err)
		}
		if g.DisplayName != name || g.ExternalID != tg.GroupID {
			return fmt.Errorf("Auth0 has the group %+v, want %q with externalId %s", g, name, tg.GroupID)
		}
		if sb := tg.Sandbox; sb != nil {
			// Which members Entra sends when Provision on Demand names none is not documented; the sandbox sends the
			// members it provisioned, here the present user.
			var members []string
			for _, m := range g.Members {
				members = append(members, m.Value)
			}
			if want := []string{sb.Seed.User("alice").Auth0UserID}; !slices.Equal(members, want) {
				return fmt.Errorf("group members %v, want the provisioned member %v", members, want)
			}
		}
		return nil
	}

	tg.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(checkBothCloudsClean(t, tg, &got), func(*terraform.State) error {
			if sb := tg.Sandbox; sb != nil {
				if gs := sb.Auth0.SCIM().Groups(tg.ConnectionID); len(gs) != 0 {
					return fmt.Errorf("the fixture connection kept groups: %+v", gs)
				}
			}
			return nil
		}),
		Steps: []resource.TestStep{{
			Config:          cfg,
			ConfigVariables: tg.CompleteExampleVariables(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checks(captureIDs(&got), onDemand),
		}},
	})
}

// explain renders a Provision on Demand result, or says there is none.
func explain(r *provisioning.Result) string {
	if r == nil {
		return "(no result)"
	}
	return provisionondemand.Explain(r)
}
