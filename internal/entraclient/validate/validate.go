// Package validate holds the plan-time validators of Microsoft Entra identifiers that several resources share: object
// ids (GUIDs) and provisioning job ids. Each message names the attribute, the bad value and the fix.
package validate

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// GUID checks that a string is an object or client id (a GUID). hint says where the right value comes from; empty
// gives the generic hint.
func GUID(hint string) validator.String { return guid{hint: hint} }

type guid struct{ hint string }

func (guid) Description(context.Context) string { return "must be an object id (GUID)" }

func (v guid) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v guid) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || entraclient.IsGUID(req.ConfigValue.ValueString()) {
		return
	}
	hint := v.hint
	if hint == "" {
		hint = "Use the object or client id shown in the Entra admin center"
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Not an object id",
		fmt.Sprintf("%s is %q, which is not a GUID. %s, e.g. 00000000-0000-0000-0000-000000000000.", req.Path, req.ConfigValue.ValueString(), hint))
}

// JobID checks that a string has the form of a provisioning job id, {template id}.{tenant id without dashes}.{application id}.
func JobID() validator.String { return jobID{} }

type jobID struct{}

func (jobID) Description(context.Context) string {
	return "must be a provisioning job id, {template id}.{tenant id without dashes}.{application id}"
}

func (v jobID) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (jobID) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || entraclient.IsJobID(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Not a provisioning job id",
		fmt.Sprintf("%s is %q, which is not a provisioning job id. A job id is {template id}.{tenant id without dashes}.{application id}, e.g. scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555: use auth0entra_enterprise_app.x.job_id, or copy it from Graph (GET /servicePrincipals/{id}/synchronization/jobs).",
			req.Path, req.ConfigValue.ValueString()))
}
