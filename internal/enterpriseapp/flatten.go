package enterpriseapp

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// readInto refreshes m from Entra: application, assignments, job and saved credentials. afterWrite is true in
// Create and Update, where what was just written must be seen (assignment lists lag; they are polled).
func (r *Resource) readInto(ctx context.Context, c *entraclient.Client, m *resourceModel, afterWrite bool) diag.Diagnostics {
	var diags diag.Diagnostics
	spID := m.ServicePrincipalID.ValueString()
	if spID == "" {
		spID = m.ID.ValueString()
	}
	sp, err := c.GetServicePrincipal(ctx, spID)
	if err != nil {
		addError(&diags, "Could not read the enterprise application", err)
		return diags
	}
	m.ID, m.ServicePrincipalID = types.StringValue(sp.ID), types.StringValue(sp.ID)
	m.ApplicationID = types.StringValue(sp.AppID)
	if !afterWrite && m.ApplicationObjectID.ValueString() != "" && sp.AppDisplayName != "" {
		// A refresh of a known application: the service principal echoes the application registration's name
		// (appDisplayName, microsoft-graph.md §3.2) and the application object id never changes, so the application
		// lookup is not needed (fleet budget: a no-change plan in at most 5 Graph calls).
		m.DisplayName = types.StringValue(sp.AppDisplayName)
	} else {
		app, err := c.FindApplicationByAppID(ctx, sp.AppID)
		if err != nil {
			addError(&diags, "Could not read the application registration", err)
			return diags
		}
		if app != nil {
			m.ApplicationObjectID = types.StringValue(app.ObjectID)
			m.DisplayName = types.StringValue(app.DisplayName)
		} else {
			m.DisplayName = types.StringValue(sp.DisplayName)
		}
	}

	// Assignments: the real set, so that drift shows in the plan.
	want := m.Assignment
	var got []entraclient.AppRoleAssignment
	read := func(ctx context.Context) (bool, error) {
		got, err = c.ListAppRoleAssignedTo(ctx, sp.ID)
		if err != nil {
			return false, err
		}
		if !afterWrite || want.IsUnknown() || want.IsNull() {
			return true, nil
		}
		return sameAssignments(ctx, want, got), nil
	}
	if afterWrite {
		err = c.WaitUntil(ctx, "waiting for the assignments to show", read)
	} else {
		_, err = read(ctx)
	}
	if err != nil {
		addError(&diags, "Could not read the assignments", err)
		return diags
	}
	set, d := flattenAssignments(ctx, got, want)
	diags.Append(d...)
	m.Assignment = set

	// The job.
	var job *entraclient.Job
	if id := m.JobID.ValueString(); id != "" {
		job, err = c.GetJob(ctx, sp.ID, id)
		if entraclient.IsNotFound(err) {
			job, err = nil, nil
		}
	} else if !afterWrite {
		var jobs []entraclient.Job
		jobs, err = c.ListJobs(ctx, sp.ID)
		job = pickJob(jobs)
	}
	if err != nil {
		addError(&diags, "Could not read the provisioning job", err)
		return diags
	}
	if m.Provisioning == nil {
		m.Provisioning = &provisioning{SecretTokenWO: types.StringNull(), SecretTokenWOVersion: types.StringNull(),
			SecretToken: types.StringNull(), TenantURL: types.StringNull(), Scope: types.StringValue(scopeAssigned)}
	}
	if job == nil {
		m.JobID, m.JobStatus = types.StringNull(), types.StringNull()
		m.Quarantined, m.QuarantineReason, m.QuarantineError = types.BoolValue(false), types.StringValue(""), types.StringValue("")
		m.Provisioning.Enabled = types.BoolValue(false)
	} else {
		m.JobID, m.JobStatus = types.StringValue(job.ID), types.StringValue(job.Status.Code)
		m.Quarantined = types.BoolValue(job.Quarantined())
		m.QuarantineReason, m.QuarantineError = types.StringValue(job.QuarantineReason()), types.StringValue(job.QuarantineError())
		m.Provisioning.Enabled = types.BoolValue(job.Enabled())
	}

	// Saved credentials: the tenant URL and the scope come back in clear; the token comes back masked.
	secrets, err := c.GetSecrets(ctx, sp.ID)
	switch {
	case err == nil:
		for _, s := range secrets {
			switch s.Key {
			case entraclient.SecretBaseAddress:
				if s.Value != "" && !entraclient.IsMasked(s.Value) {
					m.Provisioning.TenantURL = types.StringValue(s.Value)
				}
			case entraclient.SecretSyncAll:
				if strings.EqualFold(s.Value, "true") {
					m.Provisioning.Scope = types.StringValue(scopeAll)
				} else if strings.EqualFold(s.Value, "false") {
					m.Provisioning.Scope = types.StringValue(scopeAssigned)
				}
			}
		}
	case entraclient.StatusCode(err) == http.StatusNotFound:
		// No credentials saved yet.
	default:
		addError(&diags, "Could not read the provisioning credentials", err)
	}
	if m.Provisioning.Scope.IsNull() || m.Provisioning.Scope.IsUnknown() {
		m.Provisioning.Scope = types.StringValue(scopeAssigned)
	}
	return diags
}

// deletedDetail explains a service principal found deleted by Read: what is gone, what the next apply does, and
// whether the app registration survived it (deleting the service principal alone leaves the application).
func deletedDetail(ctx context.Context, c *entraclient.Client, state resourceModel, spID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The service principal %s of enterprise application %q no longer exists in Microsoft Entra (it was deleted outside Terraform), and with it the provisioning job and the assignments. Terraform removed %s from the state: the next apply creates the enterprise application again, with a new service principal, provisioning job and credentials.",
		spID, state.DisplayName.ValueString(), TypeName)
	if objectID := state.ApplicationObjectID.ValueString(); objectID != "" {
		if app, err := c.GetApplication(ctx, objectID); err == nil && app != nil {
			fmt.Fprintf(&b, " The app registration %s (client id %s) still exists and is no longer managed by Terraform: delete it in the Entra admin center (App registrations) if it is not needed.", objectID, app.AppID)
		}
	}
	return b.String()
}

// saveProgress records what exists so far, so that a failure later leaves no orphan: unknown values become null.
func saveProgress(ctx context.Context, st *tfsdk.State, m resourceModel, diags *diag.Diagnostics) {
	for _, s := range []*types.String{&m.ID, &m.ApplicationObjectID, &m.ApplicationID, &m.ServicePrincipalID, &m.JobID, &m.JobStatus, &m.QuarantineReason, &m.QuarantineError} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.Quarantined.IsUnknown() {
		m.Quarantined = types.BoolNull()
	}
	if m.Assignment.IsUnknown() {
		m.Assignment = types.SetNull(assignmentType)
	}
	diags.Append(st.Set(ctx, &m)...)
}

// pickJob chooses the SCIM provisioning job among a service principal's jobs (import).
func pickJob(jobs []entraclient.Job) *entraclient.Job {
	for _, pref := range []string{entraclient.SCIMTemplateID, "customappsso"} {
		for i := range jobs {
			if strings.EqualFold(jobs[i].TemplateID, pref) {
				return &jobs[i]
			}
		}
	}
	if len(jobs) > 0 {
		return &jobs[0]
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
