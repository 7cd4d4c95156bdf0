package provisioningstatus

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
)

// The last cycle's failures per object type (User, Group), from Entra's provisioning logs (scim-groups.md §5): the
// job's status only counts escrowed objects, without saying which kind failed. A refused group export — a token
// without the group scopes — shows here as last_cycle_group_failures > 0 while users flow.

var failureType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"object_type": types.StringType, "object": types.StringType, "object_id": types.StringType,
	"error_code": types.StringType, "reason": types.StringType,
}}

func failureCountAttribute(what string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, MarkdownDescription: fmt.Sprintf(
		"How many %s the last cycle failed on, from the provisioning logs (null when the job has not run or the logs cannot be read; reading them needs the Graph permission `AuditLog.Read.All`).", what)}
}

func failuresAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed: true,
		MarkdownDescription: "The objects the last cycle failed on (users first), from the provisioning logs: " +
			"`object_type` (`User` or `Group`), `object` (user principal name or group name), `object_id` (Entra " +
			"object id), `error_code` and `reason` as Entra reports them, e.g. a group refused with " +
			"`HTTP/403 ... Insufficient scope, expected any of: get:groups`.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"object_type": schema.StringAttribute{Computed: true, MarkdownDescription: "`User` or `Group`."},
			"object":      schema.StringAttribute{Computed: true, MarkdownDescription: "User principal name or group name."},
			"object_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "Entra object id."},
			"error_code":  schema.StringAttribute{Computed: true, MarkdownDescription: "Entra's error code."},
			"reason":      schema.StringAttribute{Computed: true, MarkdownDescription: "Entra's reason, with the SCIM endpoint's answer."},
		}},
	}
}

// readFailures fills the per-type failure attributes. A job that never ran has none (null); logs that cannot be read
// give a warning and null, not an error: the rest of the status is still worth having.
func readFailures(ctx context.Context, g any, jobID string, st *provisioning.JobStatus, m *dataSourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.LastCycleUserFailures, m.LastCycleGroupFailures = types.Int64Null(), types.Int64Null()
	m.LastCycleFailures = types.ListNull(failureType)
	lr, ok := g.(provisioning.LogReader)
	if !ok || st.LastExecutionID == "" || st.LastExecutionBegan == nil {
		return nil
	}
	failures, counts, err := provisioning.CycleFailures(ctx, lr, jobID, st.LastExecutionID)
	if err != nil {
		tflog.Warn(ctx, "Could not read the provisioning logs", map[string]any{"error": err.Error()})
		diags.AddWarning("Provisioning logs not readable",
			fmt.Sprintf("The last cycle's failures per object type (last_cycle_user_failures, last_cycle_group_failures, last_cycle_failures) come from Entra's provisioning logs, which could not be read: %s. Grant the provider's application the Microsoft Graph permission AuditLog.Read.All to see them.", err))
		return diags
	}
	m.LastCycleUserFailures = types.Int64Value(counts["User"])
	m.LastCycleGroupFailures = types.Int64Value(counts["Group"])
	vals := make([]attr.Value, 0, len(failures))
	for _, f := range failures {
		obj, d := types.ObjectValue(failureType.AttrTypes, map[string]attr.Value{
			"object_type": types.StringValue(f.ObjectType), "object": types.StringValue(f.Object),
			"object_id": types.StringValue(f.ID), "error_code": types.StringValue(f.ErrorCode), "reason": types.StringValue(f.Reason),
		})
		diags.Append(d...)
		vals = append(vals, obj)
	}
	list, d := types.ListValue(failureType, vals)
	diags.Append(d...)
	m.LastCycleFailures = list
	return diags
}
