// Package scimendpoint implements the auth0entra_scim_endpoint data source: the SCIM endpoint URL of an Auth0
// connection, and the Tenant URL Microsoft Entra's provisioning job needs.
package scimendpoint

import (
	"context"
	"fmt"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client/validate"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
)

// TypeName is the data source type.
const TypeName = "auth0entra_scim_endpoint"

var (
	_ datasource.DataSource              = (*DataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*DataSource)(nil)
)

// NewDataSource returns the auth0entra_scim_endpoint data source.
func NewDataSource() datasource.DataSource {
	return &DataSource{DataSourceWithClients: framework.DataSourceWithClients{WithClients: framework.WithClients{TypeName: TypeName}}}
}

// DataSource is the auth0entra_scim_endpoint data source.
type DataSource struct {
	framework.DataSourceWithClients
}

// Metadata implements datasource.DataSource.
func (d *DataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = TypeName
}

// Schema implements datasource.DataSource.
func (d *DataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The SCIM endpoint of an Auth0 connection that has a SCIM configuration (the dashboard's *SCIM Endpoint URL*), " +
			"and the *Tenant URL* to give Microsoft Entra's provisioning job. Auth0 returns the URL from no API; it is built from the " +
			"provider's canonical tenant domain (`auth0.domain`), because custom domains do not serve SCIM.\n\n" +
			"Reading fails when the connection does not exist or has no SCIM configuration. When `auth0entra_scim_connection` " +
			"creates the configuration in the same configuration, take `connection_id` from that resource " +
			"(`auth0entra_scim_connection.<name>.connection_id`): Terraform then reads the endpoint after the configuration exists.",
		Attributes: map[string]schema.Attribute{
			"connection_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the connection (`con_` and 16 letters or digits).",
				Validators:          []validator.String{validate.ConnectionID()},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The connection id.",
			},
			"url": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The SCIM 2.0 endpoint: `https://{canonical tenant domain}/scim/v2/connections/{connection_id}`.",
			},
			"entra_tenant_url": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`url` with `?aadOptscim062020`, the flag that makes Entra send RFC 7644-compliant PATCH requests: " +
					"what goes into the provisioning job's *Tenant URL*.",
			},
			"connection_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The connection's name.",
			},
			"strategy": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The connection's strategy, e.g. `waad`.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": dstimeouts.BlockWithOpts(ctx, dstimeouts.Opts{
				ReadDescription: "How long reading the connection's SCIM configuration may take, including retries " +
					"while Auth0 rate-limits. A duration such as `2m`; default `5m`.",
			}),
		},
	}
}

// dataSourceModel is the data source's configuration and result.
type dataSourceModel struct {
	ConnectionID   types.String     `tfsdk:"connection_id"`
	ID             types.String     `tfsdk:"id"`
	URL            types.String     `tfsdk:"url"`
	EntraTenantURL types.String     `tfsdk:"entra_tenant_url"`
	ConnectionName types.String     `tfsdk:"connection_name"`
	Strategy       types.String     `tfsdk:"strategy"`
	Timeouts       dstimeouts.Value `tfsdk:"timeouts"`
}

// TimeoutsValue is the timeouts block, for framework.BeginRead.
func (m *dataSourceModel) TimeoutsValue() dstimeouts.Value { return m.Timeouts }

// Read checks that the connection has a SCIM configuration and builds the URLs. timeouts.read bounds it (default
// auth0client.DefaultReadTimeout).
func (d *DataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel, m, client, ok := framework.BeginRead[dataSourceModel](ctx, req.Config.Get, d.Auth0, auth0client.DefaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	id := m.ConnectionID.ValueString()

	if name, strategy, ok := client.SCIMConfiguredNote(ctx, id); ok {
		// The auth0entra_scim_connection this connection_id comes from was just planned without change: its state
		// says the configuration exists, and the URLs need nothing else (auth0client.NoteSCIMConfigured).
		m.ID, m.URL, m.EntraTenantURL = types.StringValue(id), types.StringValue(client.SCIMEndpointURL(id)), types.StringValue(client.EntraTenantURL(id))
		m.ConnectionName, m.Strategy = types.StringValue(name), types.StringValue(strategy)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		return
	}
	cfg, err := client.GetSCIMConfiguration(ctx, id)
	switch {
	case auth0client.IsConnectionNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("connection_id"), "Auth0 connection not found",
			fmt.Sprintf("connection_id = %q: tenant %s has no connection with this id. Check the id on the connection's page in the Auth0 Dashboard.", id, client.Domain))
		return
	case auth0client.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("connection_id"), "SCIM is not enabled on the connection",
			fmt.Sprintf("Connection %q has no SCIM configuration, so it has no SCIM endpoint. Create one with the auth0entra_scim_connection resource. "+
				"If that resource is in this configuration, set connection_id = auth0entra_scim_connection.<name>.connection_id so that "+
				"Terraform reads this data source after creating the configuration.", id))
		return
	case err != nil:
		resp.Diagnostics.AddError("Could not read the SCIM configuration", err.Error())
		return
	}

	m.ID = types.StringValue(id)
	m.URL = types.StringValue(client.SCIMEndpointURL(id))
	m.EntraTenantURL = types.StringValue(client.EntraTenantURL(id))
	m.ConnectionName = types.StringValue(cfg.ConnectionName)
	m.Strategy = types.StringValue(cfg.Strategy)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
