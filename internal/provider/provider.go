// Package provider is the auth0entra provider: its schema, its configuration, the construction of the two API
// clients and the registration of every resource, data source and action. It stays thin: behaviour lives in the
// resource packages and in auth0client/entraclient.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/attributemappings"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/enterpriseapp"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioningstatus"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisionondemand"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/scimconnection"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/scimendpoint"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/scimtoken"
)

var (
	_ provider.Provider                     = (*Provider)(nil)
	_ provider.ProviderWithConfigValidators = (*Provider)(nil)
)

// Provider is the auth0entra provider.
type Provider struct {
	version string
}

// New returns a constructor of the provider for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &Provider{version: version} }
}

// Metadata implements provider.Provider.
func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "auth0entra"
	resp.Version = p.version
}

// Schema implements provider.Provider.
func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Configures inbound SCIM provisioning from Microsoft Entra ID into an Auth0 `waad` " +
			"connection in one `terraform apply`. Both blocks may be left out when the `AUTH0_*` and `ARM_*` " +
			"environment variables (the same ones the auth0 and azuread providers read) are set.",
		Blocks: map[string]schema.Block{
			"auth0": auth0BlockSchema(),
			"entra": entraBlockSchema(),
		},
	}
}

// ConfigValidators rejects contradictory arguments written in the configuration itself; combinations that involve
// environment variables are checked in Configure.
func (p *Provider) ConfigValidators(context.Context) []provider.ConfigValidator {
	a0 := path.MatchRoot("auth0")
	return []provider.ConfigValidator{
		providervalidator.Conflicting(a0.AtName("api_token"), a0.AtName("client_secret")),
	}
}

// Resources implements provider.Provider.
func (p *Provider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		scimconnection.NewResource,
		scimtoken.NewResource,
		enterpriseapp.NewResource,
		attributemappings.NewResource,
	}
}

// DataSources implements provider.Provider.
func (p *Provider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		scimendpoint.NewDataSource,
		provisioningstatus.NewDataSource,
	}
}

// Actions implements provider.ProviderWithActions (Terraform >= 1.14).
func (p *Provider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		provisionondemand.NewAction,
	}
}
