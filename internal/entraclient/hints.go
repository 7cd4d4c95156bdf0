package entraclient

import (
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// Hints for the diagnostics of failed Graph calls, shared by every Entra resource and data source (as auth0client
// adds its hints to every Auth0 error). A resource reports a failed call with AddError or AddAttributeError and never
// shows a bare err.Error().

// Describe renders err for a diagnostic detail: the Graph error (status, code, message, request id; a 403
// Authorization_RequestDenied names the permission the operation needs, permissions.md) and a hint for the common
// causes.
func Describe(err error) string {
	e := AsError(err)
	if e == nil {
		return err.Error()
	}
	msg := e.Error()
	switch {
	case e.Auth:
		msg += "\n\nCheck the provider's entra block (tenant_id, client_id and the credential) or the ARM_* variables."
	case e.StatusCode == http.StatusForbidden && e.permissionHint() == "":
		// A 403 other than Authorization_RequestDenied: Error() added no hint. Name the permission the operation
		// needs when its Op tells, else all of them.
		if p := permissionFor(e.Op); p != "" {
			msg += "\n\nThe principal Terraform runs as may lack a permission: this operation needs the Microsoft Graph application permission " +
				p + ", granted with admin consent (Entra admin center > App registrations > API permissions)."
		} else {
			msg += "\n\nThe principal Terraform runs as lacks a permission: it needs the Microsoft Graph application permissions " +
				joinPermissions() + ", granted with admin consent (Entra admin center > App registrations > API permissions)."
		}
	case e.StatusCode == http.StatusTooManyRequests:
		msg += "\n\nMicrosoft Graph kept throttling until the operation's time ran out; raise the resource's timeouts or run apply again later."
	}
	return msg
}

func joinPermissions() string {
	out := ""
	for i, p := range RequiredPermissions {
		switch {
		case i == 0:
		case i == len(RequiredPermissions)-1:
			out += " and "
		default:
			out += ", "
		}
		out += p
	}
	return out
}

// AddError adds the diagnostic of a failed Entra call made while doing what summary says ("Could not …"). A
// sign-in failure or an unreachable host is reported as such, cause first (see Diagnostic).
func AddError(diags *diag.Diagnostics, summary string, err error) {
	if s, d, ok := Diagnostic(summary, err); ok {
		diags.AddError(s, d)
		return
	}
	diags.AddError(summary, Describe(err))
}

// AddAttributeError is AddError for a failure about one attribute. A sign-in failure is about no attribute.
func AddAttributeError(diags *diag.Diagnostics, p path.Path, summary string, err error) {
	if s, d, ok := Diagnostic(summary, err); ok {
		diags.AddError(s, d)
		return
	}
	diags.AddAttributeError(p, summary, Describe(err))
}
