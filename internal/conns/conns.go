// Package conns holds what the provider hands its resources and data sources at Configure time: the two API
// clients, each possibly absent with the reason why.
package conns

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// Clients is the provider data of every resource, data source and action.
type Clients struct {
	Auth0 *auth0client.Client
	// Auth0Missing says why Auth0 is nil (e.g. no auth0 block and no AUTH0_* variables).
	Auth0Missing string

	Entra *entraclient.Client
	// EntraMissing says why Entra is nil.
	EntraMissing string
}

// RequireAuth0 returns the Auth0 client or a diagnostic that says how to configure it.
func (c *Clients) RequireAuth0(typeName string) (*auth0client.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if c == nil || c.Auth0 == nil {
		why := "the provider has no Auth0 configuration"
		if c != nil && c.Auth0Missing != "" {
			why = c.Auth0Missing
		}
		diags.AddError("Auth0 is not configured",
			fmt.Sprintf("%s manages Auth0 objects, but %s. Set the provider's auth0 block (domain, and client_id + client_secret or api_token) or the AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET / AUTH0_API_TOKEN environment variables.", typeName, why))
		return nil, diags
	}
	return c.Auth0, diags
}

// RequireEntra returns the Entra client or a diagnostic that says how to configure it.
func (c *Clients) RequireEntra(typeName string) (*entraclient.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if c == nil || c.Entra == nil {
		why := "the provider has no Entra configuration"
		if c != nil && c.EntraMissing != "" {
			why = c.EntraMissing
		}
		diags.AddError("Microsoft Entra is not configured",
			fmt.Sprintf("%s manages Microsoft Entra objects, but %s. Set the provider's entra block (tenant_id, client_id and one credential) or the ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET (or ARM_USE_OIDC, ARM_USE_CLI, ARM_USE_MSI, ARM_CLIENT_CERTIFICATE_PATH) environment variables.", typeName, why))
		return nil, diags
	}
	return c.Entra, diags
}

// FromProviderData converts the ProviderData a resource receives in Configure. A nil input (the provider is not
// configured yet, as during validation) returns nil without a diagnostic.
func FromProviderData(data any) (*Clients, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	c, ok := data.(*Clients)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *conns.Clients, got %T. This is a bug in the provider; please report it.", data))
		return nil, diags
	}
	return c, diags
}
