// Package provisionondemand implements the auth0entra_provision_on_demand action (Terraform >= 1.14): the
// "Provision on Demand" test that ends Auth0's guide — Entra provisions one user into Auth0 now and reports each step.
package provisionondemand

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/framework"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// TypeName is the action type.
const TypeName = "auth0entra_provision_on_demand"

var (
	_ action.ActionWithConfigure      = (*Action)(nil)
	_ action.ActionWithValidateConfig = (*Action)(nil)
)

// NewAction returns the action.
func NewAction() action.Action {
	return &Action{ActionWithClients: framework.ActionWithClients{WithClients: framework.WithClients{TypeName: TypeName}}}
}

// Action is the auth0entra_provision_on_demand action.
type Action struct {
	framework.ActionWithClients
}

// actionModel is the action's configuration.
type actionModel struct {
	ServicePrincipalID types.String `tfsdk:"service_principal_id"`
	JobID              types.String `tfsdk:"job_id"`
	ObjectID           types.String `tfsdk:"object_id"`
	ObjectType         types.String `tfsdk:"object_type"`
	RuleID             types.String `tfsdk:"rule_id"`
	ExpectSuccess      types.Bool   `tfsdk:"expect_success"`
	MemberIDs          types.Set    `tfsdk:"member_ids"`
}

// Metadata implements action.Action.
func (a *Action) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = TypeName
}

// Schema implements action.Action.
func (a *Action) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Provisions one Entra user (or group, with up to 5 of its members) into Auth0 now, as the portal's **Provision on " +
			"Demand** does, and reports each step (import, scoping, matching, export) as progress. With Create " +
			"deselected, a user absent from Auth0 fails — the seed's expected result. Requires Terraform 1.14.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": schema.StringAttribute{Required: true, MarkdownDescription: "`auth0entra_enterprise_app.service_principal_id`.",
				Validators: []validator.String{validators.GUID("auth0entra_enterprise_app.<name>.service_principal_id (the service principal's object id, not the application's client id)")}},
			"job_id": schema.StringAttribute{Required: true, MarkdownDescription: "`auth0entra_enterprise_app.job_id`.",
				Validators: []validator.String{validators.SynchronizationJobID("auth0entra_enterprise_app.<name>.job_id")}},
			"object_id": schema.StringAttribute{Required: true, MarkdownDescription: "Entra object id of the user (or group) to provision.",
				Validators: []validator.String{validators.GUID("the user's (or group's) Object ID in the Microsoft Entra admin center, or the object_id of an azuread_user or azuread_group; a user principal name (alice@corp.example) is not accepted")}},
			"object_type": schema.StringAttribute{Optional: true, MarkdownDescription: "`User` (default) or `Group`.",
				Validators: []validator.String{stringvalidator.OneOf("User", "Group")}},
			"member_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("With `object_type = \"Group\"`: Entra object ids of up to %d of the group's members to provision with it, as the portal's *Provision on Demand* lets you pick them. Each member gets a report of its own.", provisioning.MaxMembers),
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, provisioning.MaxMembers),
					setvalidator.ValueStringsAre(validators.GUID("the member's Object ID in the Microsoft Entra admin center, or the object_id of an azuread_user")),
				}},
			"rule_id":        schema.StringAttribute{Optional: true, MarkdownDescription: "Synchronization rule; by default the job schema's rule that supports provisioning on demand."},
			"expect_success": schema.BoolAttribute{Optional: true, MarkdownDescription: "Fail the action when provisioning does not succeed (default `true`). Set `false` to only report, e.g. to show the expected error for a user absent from Auth0."},
		},
	}
}

// ValidateConfig implements action.ActionWithValidateConfig: member_ids belong to a Group.
func (a *Action) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m actionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.MemberIDs.IsNull() || m.MemberIDs.IsUnknown() || m.ObjectType.IsUnknown() {
		return
	}
	if t := m.ObjectType.ValueString(); t != "Group" {
		if t == "" {
			t = "User (the default)"
		}
		resp.Diagnostics.AddAttributeError(path.Root("member_ids"), "member_ids without a group",
			fmt.Sprintf("member_ids names members of a group to provision with it, but object_type is %s. Set object_type = \"Group\" with the group's object_id, or remove member_ids.", t))
	}
}

// Invoke implements action.Action.
func (a *Action) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m actionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, diags := a.Graph()
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	var members []string
	if !m.MemberIDs.IsNull() {
		resp.Diagnostics.Append(m.MemberIDs.ElementsAs(ctx, &members, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	r, err := provisioning.OnDemand(ctx, g, provisioning.Request{
		ServicePrincipalID: m.ServicePrincipalID.ValueString(),
		JobID:              m.JobID.ValueString(),
		ObjectID:           m.ObjectID.ValueString(),
		ObjectType:         m.ObjectType.ValueString(),
		RuleID:             m.RuleID.ValueString(),
		MemberIDs:          members,
	})
	if err != nil {
		resp.Diagnostics.AddError("Provision on demand failed", err.Error())
		return
	}
	for _, s := range r.Steps {
		msg := fmt.Sprintf("%s %s: %s", s.Type, s.Status, s.Description)
		tflog.Info(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: r.Summary()})
		for _, mr := range r.Members {
			resp.SendProgress(action.InvokeProgressEvent{Message: "member " + mr.Summary()})
		}
	}
	expect := m.ExpectSuccess.IsNull() || m.ExpectSuccess.ValueBool()
	if !r.AllSucceeded() {
		detail := Explain(r)
		if expect {
			resp.Diagnostics.AddError("Provisioning did not succeed", detail)
		} else {
			resp.Diagnostics.AddWarning("Provisioning did not succeed", detail)
		}
	}
}

// Explain renders a result for a diagnostic: the outcome, then every step.
func Explain(r *provisioning.Result) string {
	var b strings.Builder
	b.WriteString(r.Summary())
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "\n  %-9s %-8s %s", s.Type, s.Status, s.Description)
	}
	for _, m := range r.Members {
		b.WriteString("\nmember " + strings.ReplaceAll(Explain(m), "\n", "\n  "))
	}
	return b.String()
}
