package conns

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
)

// RequireGraph returns the Entra client as the raw-JSON Graph interface the provisioning Go API uses.
func (c *Clients) RequireGraph(typeName string) (provisioning.Graph, diag.Diagnostics) {
	en, diags := c.RequireEntra(typeName)
	if diags.HasError() {
		return nil, diags
	}
	return en, diags
}
