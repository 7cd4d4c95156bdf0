package scimconnection_test

import (
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
)

func init() {
	// The fixture connection's SCIM configuration goes last: the token and app sweepers run first when all run.
	resource.AddTestSweepers("auth0entra_scim_connection", &resource.Sweeper{
		Name: "auth0entra_scim_connection",
		F:    acctest.SweepSCIMConfiguration,
	})
}
