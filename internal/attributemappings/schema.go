package attributemappings

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// Schema implements resource.Resource.
func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Overrides on one object mapping (`User` or `Group`) of a provisioning job's synchronization " +
			"schema: the Entra portal's *Provisioning > Mappings* page.\n\n" +
			"The resource owns **only** the rows of the target attributes listed in `mapping` and the mapping's " +
			"*Target Object Actions*. The schema is read as raw JSON, those places are changed, and the schema is " +
			"written back with `PUT`; every other row, the other object mappings, the directories and all unknown " +
			"properties are left exactly as they were. Destroying the resource puts back the template's rows for " +
			"the owned attributes (removing rows the template does not have) and the template's object actions.\n\n" +
			"Matching precedence must be unique in the object mapping: the plan fails on a duplicate among the " +
			"listed rows, and on a collision with a row the resource does not own (e.g. the default `userName`, " +
			"precedence 1), naming that row.\n\n" +
			"Expressions are sent the way the portal sends them: the text in `source.expression` plus its parse " +
			"tree (attributes `[name]`, string constants, function calls such as `Join(\" \", [givenName], " +
			"[surname])`). Parameter names of the tree follow Microsoft's function reference.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`{service_principal_id}/{job_id}/{source_object}`; the import id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Object id of the enterprise application's service principal (`auth0entra_enterprise_app.x.service_principal_id`), a GUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validators.GUID("auth0entra_enterprise_app.x.service_principal_id, the Object ID of the enterprise application (Entra admin center > Enterprise applications > the app > Properties)")},
			},
			"job_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the provisioning job (`auth0entra_enterprise_app.x.job_id`), `{template id}.{tenant id without dashes}.{application id}`, e.g. `scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validators.SynchronizationJobID("auth0entra_enterprise_app.x.job_id")},
			},
			"source_object": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Which object mapping: `User` (*Provision Microsoft Entra ID Users*) or `Group`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"enabled": enabledAttribute(), // enabled.go
			"target_object_actions": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{types.StringValue("Create"), types.StringValue("Delete"), types.StringValue("Update")})),
				MarkdownDescription: "*Target Object Actions*: any of `Create`, `Update`, `Delete` (default: all three). " +
					"Written to the object mapping's `flowTypes` (`Add`, `Update`, `Delete`). For an older Auth0 connection " +
					"whose users already exist, deselect `Create`: `[\"Update\", \"Delete\"]`.",
			},
			"mapping": schema.SetNestedAttribute{
				Optional: true,
				MarkdownDescription: "The attribute mappings this resource owns, one per target attribute (a set: the order of " +
					"the rows does not matter, and an import reads them back in any order). Each row replaces the object " +
					"mapping's row for `target_attribute`, or adds one. Left out, the resource owns no row.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"target_attribute": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "Target (SCIM) attribute, as Entra names it, e.g. `externalId` or " +
							"`emails[type eq \"work\"].value`. It must exist on the target object of the schema's " +
							"`customappsso` directory: checked at plan when `job_id` is known, otherwise at apply before the schema is written.",
					},
					"source_attribute": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Mapping type *Direct*: the Entra attribute, e.g. `objectId`, `mail`. Exactly one of `source_attribute`, `expression` and `constant`. " +
							"It must exist on the source object of the schema's Entra directory (as must every `[attribute]` of an expression): checked at plan when `job_id` is known, otherwise at apply before the schema is written.",
					},
					"expression": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Mapping type *Expression*, e.g. `Join(\" \", [givenName], [surname])` or " +
							"`ToLower([userPrincipalName], )`. Only the functions of Microsoft's expression reference, spelled as it does " +
							"(names are case-sensitive), checked at plan; inside a string constant write a quote as `\\\"` and a backslash " +
							"as `\\\\` (in HCL: `\\\\\\\"` and `\\\\\\\\`).",
					},
					"constant": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Mapping type *Constant*: a fixed value.",
					},
					"matching_precedence": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "*Match objects using this attribute*, with this precedence (1 is tried first). " +
							"Unique within the object mapping. Left out: not used for matching.",
					},
					"apply": schema.StringAttribute{
						// No schema default: defaults inside set elements change the elements' identity (framework
						// issue #783). Left out means always.
						Optional:            true,
						MarkdownDescription: "*Apply this mapping*: `always` (what leaving it out means) or `on_create` (only during object creation).",
					},
					"default_value": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "*Default value if null*.",
					},
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long writing the overrides into the job's schema may take, including waiting for a " +
					"new job to become readable. A duration such as `15m`; default `10m`.",
				ReadDescription:   "How long reading the job's schema may take, at refresh and at plan. Default `5m`.",
				UpdateDescription: "How long writing changed overrides into the schema may take. Default `10m`.",
				DeleteDescription: "How long restoring the template's rows may take. Default `10m`.",
			}),
		},
	}
}

// model is the resource's state.
type resourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	ServicePrincipalID  types.String   `tfsdk:"service_principal_id"`
	JobID               types.String   `tfsdk:"job_id"`
	SourceObject        types.String   `tfsdk:"source_object"`
	Enabled             types.Bool     `tfsdk:"enabled"`
	TargetObjectActions types.Set      `tfsdk:"target_object_actions"`
	Mapping             types.Set      `tfsdk:"mapping"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// TimeoutsValue is the timeouts block, for framework.Begin.
func (m *resourceModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

// mappingModel is one element of mapping.
type mappingModel struct {
	TargetAttribute    types.String `tfsdk:"target_attribute"`
	SourceAttribute    types.String `tfsdk:"source_attribute"`
	Expression         types.String `tfsdk:"expression"`
	Constant           types.String `tfsdk:"constant"`
	MatchingPrecedence types.Int64  `tfsdk:"matching_precedence"`
	Apply              types.String `tfsdk:"apply"`
	DefaultValue       types.String `tfsdk:"default_value"`
}

var mappingType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"target_attribute":    types.StringType,
	"source_attribute":    types.StringType,
	"expression":          types.StringType,
	"constant":            types.StringType,
	"matching_precedence": types.Int64Type,
	"apply":               types.StringType,
	"default_value":       types.StringType,
}}

// rowsOf returns the rows of the mapping set, each with the attribute path of its element. complete is false when an
// element is unknown (it is left out).
func rowsOf(ctx context.Context, s types.Set) (rows []mappingModel, paths []path.Path, complete bool, diags diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return nil, nil, !s.IsUnknown(), nil
	}
	complete = true
	for _, el := range s.Elements() {
		obj, ok := el.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			complete = false
			continue
		}
		var m mappingModel
		diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
		rows = append(rows, m)
		paths = append(paths, path.Root("mapping").AtSetValue(el))
	}
	return rows, paths, complete, diags
}

func targetsOf(ctx context.Context, s types.Set) []string {
	rows, _, _, _ := rowsOf(ctx, s)
	out := make([]string, 0, len(rows))
	for _, m := range rows {
		if !m.TargetAttribute.IsNull() && !m.TargetAttribute.IsUnknown() {
			out = append(out, m.TargetAttribute.ValueString())
		}
	}
	return out
}

// enabledAttribute is the object mapping's "Enabled" switch (the portal's Mappings page: "Provision Microsoft Entra ID Groups —
// Enabled: Yes/No"). For the Group object mapping it is how a configuration says "users only" (false: no group is
// ever sent to Auth0; assigned groups only select which users are provisioned) or "users and groups" (true, the
// template's default: assigned groups are created in Auth0 with their members, which needs a SCIM token with the
// group scopes, scim-groups.md §1 and §4).
func enabledAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(true),
		MarkdownDescription: "Whether the object mapping runs (the portal's *Enabled* switch; default `true`, as the " +
			"template ships both mappings). For `source_object = \"Group\"` this chooses the setup: `false` is " +
			"**users only** (no group is sent to Auth0; assigned groups only select which users are provisioned), " +
			"`true` is **users and groups** (assigned groups are created in Auth0 with their members; the SCIM token " +
			"must carry `get:groups`, `post:groups`, `patch:groups` and `delete:groups`). See the guide " +
			"*Provisioning groups*.",
	}
}
