// Package enterpriseapp implements the auth0entra_enterprise_app resource.
package enterpriseapp

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// NewResource returns the auth0entra_enterprise_app resource.
func NewResource() resource.Resource { return &Resource{} }

// Resource is the auth0entra_enterprise_app resource. Placeholder until it is built.
type Resource struct{}

func (r *Resource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "auth0entra_enterprise_app"
}

func (r *Resource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}}
}

func (r *Resource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (r *Resource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (r *Resource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (r *Resource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
