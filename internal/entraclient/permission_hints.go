package entraclient

import (
	"net/http"
	"strings"
)

// Graph application permissions the provider's app registration needs (docs/index.md; microsoft-graph.md §3.1, §4,
// microsoft-graph.md §5.7; contributing/facts/permissions.md). Each is the least privileged one for the operations it
// covers.
const (
	PermissionApplications    = "Application.ReadWrite.All"
	PermissionAssignments     = "AppRoleAssignment.ReadWrite.All"
	PermissionSynchronization = "Synchronization.ReadWrite.All"
	PermissionReadUsers       = "User.Read.All"
	PermissionReadGroups      = "GroupMember.Read.All"
)

// RequiredPermissions lists every Graph application permission the provider needs.
var RequiredPermissions = []string{PermissionApplications, PermissionAssignments, PermissionSynchronization, PermissionReadUsers, PermissionReadGroups}

// permissionFor names the application permission an operation needs, from the words of its Op. Graph's 403
// ("Insufficient privileges to complete the operation.") never names it.
func permissionFor(op string) string {
	o := strings.ToLower(op)
	switch {
	case strings.HasPrefix(o, "reading user"):
		return PermissionReadUsers
	case strings.HasPrefix(o, "reading group"):
		return PermissionReadGroups
	case strings.Contains(o, "assign"):
		return PermissionAssignments
	case strings.Contains(o, "provisioning") || strings.Contains(o, "synchronization"):
		return PermissionSynchronization
	case strings.Contains(o, "application") || strings.Contains(o, "service principal"):
		return PermissionApplications
	}
	return ""
}

// permissionHint is the advice appended to a 403 Authorization_RequestDenied: which permission to grant, and that
// an administrator must consent to it.
func (e *Error) permissionHint() string {
	if e.StatusCode != http.StatusForbidden || e.Code != "Authorization_RequestDenied" {
		return ""
	}
	if p := permissionFor(e.Op); p != "" {
		return "The provider's app registration needs the Microsoft Graph application permission " + p +
			", granted with admin consent (Entra admin center > App registrations > API permissions)"
	}
	return "The provider's app registration needs the Microsoft Graph application permissions " +
		strings.Join(RequiredPermissions, ", ") + ", granted with admin consent"
}
