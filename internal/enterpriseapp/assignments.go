package enterpriseapp

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// reconcileAssignments makes the service principal's assignments equal the wanted set: it adds the missing
// principals with the User app role and removes the others.
func reconcileAssignments(ctx context.Context, c *entraclient.Client, sp *entraclient.ServicePrincipal, wantSet types.Set) diag.Diagnostics {
	var diags diag.Diagnostics
	var want []assignment
	diags.Append(wantSet.ElementsAs(ctx, &want, false)...)
	if diags.HasError() {
		return diags
	}
	have, err := c.ListAppRoleAssignedTo(ctx, sp.ID)
	if err != nil {
		addError(&diags, "Could not read the assignments", err)
		return diags
	}
	wanted := map[string]bool{}
	for _, a := range want {
		wanted[strings.ToLower(a.PrincipalID.ValueString())] = true
	}
	present := map[string]bool{}
	for _, h := range have {
		id := strings.ToLower(h.PrincipalID)
		if !wanted[id] {
			tflog.Info(ctx, "Removing an assignment that is not in the configuration", map[string]any{"principal_id": h.PrincipalID, "principal_type": h.PrincipalType})
			if err := c.RemoveAppRoleAssignment(ctx, sp.ID, h.ID); err != nil {
				addAttributeError(&diags, path.Root("assignment"), "Could not remove an assignment", err)
				return diags
			}
			continue
		}
		present[id] = true
	}
	var role entraclient.AppRole
	for _, a := range want {
		id := a.PrincipalID.ValueString()
		if present[strings.ToLower(id)] {
			continue
		}
		if role.ID == "" {
			r, ok := sp.RoleByDisplayName(userRoleName)
			if !ok {
				names := make([]string, 0, len(sp.AppRoles))
				for _, r := range sp.AppRoles {
					names = append(names, r.DisplayName)
				}
				diags.AddAttributeError(path.Root("assignment"), "The application has no User app role",
					fmt.Sprintf("Service principal %s declares no enabled app role named %q (it has: %s), so users and groups cannot be assigned the way the portal does. Restore the role in the application's App roles.",
						sp.ID, userRoleName, strings.Join(names, ", ")))
				return diags
			}
			role = r
		}
		if _, err := c.AssignAppRole(ctx, sp.ID, role.ID, id); err != nil {
			diags.AddAttributeError(path.Root("assignment"), "Could not assign a principal",
				fmt.Sprintf("Assigning %s %s to the application failed: %s", strings.ToLower(a.PrincipalType.ValueString()), id, describe(err)))
			return diags
		}
		present[strings.ToLower(id)] = true
	}
	return diags
}

// flattenAssignments renders the listed assignments as the assignment set, keeping the spelling (case) of principal
// ids as they were written in prior.
func flattenAssignments(ctx context.Context, as []entraclient.AppRoleAssignment, prior types.Set) (types.Set, diag.Diagnostics) {
	spelling := map[string]string{}
	if !prior.IsNull() && !prior.IsUnknown() {
		var ps []assignment
		_ = prior.ElementsAs(ctx, &ps, false)
		for _, p := range ps {
			spelling[strings.ToLower(p.PrincipalID.ValueString())] = p.PrincipalID.ValueString()
		}
	}
	seen := map[string]bool{}
	elems := []attr.Value{}
	sort.Slice(as, func(i, j int) bool { return as[i].PrincipalID < as[j].PrincipalID })
	for _, a := range as {
		id := strings.ToLower(a.PrincipalID)
		if seen[id] {
			continue
		}
		seen[id] = true
		written := a.PrincipalID
		if s, ok := spelling[id]; ok {
			written = s
		}
		obj, d := types.ObjectValue(assignmentType.AttrTypes, map[string]attr.Value{
			"principal_id":   types.StringValue(written),
			"principal_type": types.StringValue(a.PrincipalType),
		})
		if d.HasError() {
			return types.SetNull(assignmentType), d
		}
		elems = append(elems, obj)
	}
	return types.SetValue(assignmentType, elems)
}

// sameAssignments reports whether the listed assignments cover exactly the wanted principals.
func sameAssignments(ctx context.Context, want types.Set, got []entraclient.AppRoleAssignment) bool {
	var ws []assignment
	if want.ElementsAs(ctx, &ws, false).HasError() {
		return true
	}
	w := map[string]bool{}
	for _, a := range ws {
		w[strings.ToLower(a.PrincipalID.ValueString())] = true
	}
	g := map[string]bool{}
	for _, a := range got {
		g[strings.ToLower(a.PrincipalID)] = true
	}
	if len(w) != len(g) {
		return false
	}
	for id := range w {
		if !g[id] {
			return false
		}
	}
	return true
}

func key(id, typ string) string { return strings.ToLower(id) + "/" + typ }
