package scimtoken_test

import (
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
)

func init() {
	resource.AddTestSweepers("auth0entra_scim_token", &resource.Sweeper{
		Name: "auth0entra_scim_token",
		F:    acctest.SweepSCIMTokens,
	})
}
