// Package scimendpoint implements the auth0entra_scim_endpoint data source.
package scimendpoint

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// NewDataSource returns the auth0entra_scim_endpoint data source.
func NewDataSource() datasource.DataSource { return &DataSource{} }

// DataSource is the auth0entra_scim_endpoint data source. Placeholder until it is built.
type DataSource struct{}

func (d *DataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = "auth0entra_scim_endpoint"
}

func (d *DataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}}
}

func (d *DataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}
