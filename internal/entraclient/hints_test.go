package entraclient

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// Every Entra resource reports failed calls through Describe/AddError: a 403 names the Graph permission the operation
// needs (permissions.md), a sign-in failure is reported as such, other errors keep their text.
func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"403 on the schema", &Error{Op: "reading the synchronization schema", StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."},
			[]string{"HTTP 403", "Synchronization.ReadWrite.All", "admin consent"}},
		{"403 without the code", &Error{Op: "saving the synchronization schema", StatusCode: http.StatusForbidden, Code: "Forbidden"},
			[]string{"HTTP 403", "permission Synchronization.ReadWrite.All"}},
		{"403 of an unnamed operation", &Error{StatusCode: http.StatusForbidden, Code: "Forbidden"},
			[]string{"HTTP 403", "Application.ReadWrite.All", "Synchronization.ReadWrite.All", "User.Read.All and GroupMember.Read.All"}},
		{"throttled", &Error{Op: "reading the provisioning job", StatusCode: http.StatusTooManyRequests}, []string{"raise the resource's timeouts"}},
		{"sign-in", &Error{Op: "reading the provisioning job", Auth: true, Message: "AADSTS7000215"}, []string{"AADSTS7000215", "entra block"}},
		{"not from Graph", errors.New("the synchronization schema is not a JSON object"), []string{"not a JSON object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Describe(tc.err)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Describe = %q, want it to contain %q", got, w)
				}
			}
		})
	}

	var diags diag.Diagnostics
	AddAttributeError(&diags, path.Root("job_id"), "Could not read the synchronization schema",
		&Error{Op: "reading the synchronization schema", StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied"})
	if len(diags) != 1 || diags[0].Summary() != "Could not read the synchronization schema" || !strings.Contains(diags[0].Detail(), "Synchronization.ReadWrite.All") {
		t.Errorf("AddAttributeError: %v", diags)
	}
	diags = nil
	AddError(&diags, "Could not read the synchronization schema", &Error{Op: "reading the synchronization schema", Auth: true, Message: "Entra rejected the client secret (AADSTS7000215)"})
	if len(diags) != 1 || diags[0].Summary() != "Microsoft Entra sign-in failed" || !strings.HasPrefix(diags[0].Detail(), "Entra rejected the client secret") {
		t.Errorf("AddError for a sign-in failure: %v", diags)
	}
}
