package entra

import (
	"context"
	"fmt"
	"net/http"
)

// validateCredentials ("Test connection", microsoft-graph.md §5.8), shared by the job-level and collection-level
// actions and by job cycles.

const (
	invalidTenantURLMessage  = "Please provide a valid tenant URL for your application."
	invalidCredentialsPrefix = "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account."
)

// testConnection does what Entra's "Test Connection" does (microsoft-graph.md §5.8): GET
// {BaseAddress}/Users?filter=userName eq "<random guid>" with the SecretToken, and expects HTTP 200 with an empty
// ListResponse. It returns nil on success, else the error to report:
//
//   - no or invalid (non-https) tenant URL, or a server that cannot be reached →
//     SystemForCrossDomainIdentityManagementInvalidCredentials "Please provide a valid tenant URL for your
//     application." (the DOCUMENTED quarantine text, microsoft-graph.md §5.6), followed by what went wrong;
//   - any other answer → SystemForCrossDomainIdentityManagementCredentialValidationFailure with the SCIM server's
//     status and detail.
//
// The exact failure texts are UNKNOWN (microsoft-graph.md §5.8); the sandbox's include the HTTP status and SCIM detail
// so that a provider can explain the failure.
func (s *Server) testConnection(ctx context.Context, baseAddress, token string) *SyncError {
	base, _, ok := parseTenantURL(baseAddress)
	if !ok {
		msg := invalidTenantURLMessage
		if baseAddress != "" {
			msg += fmt.Sprintf(" The tenant URL %q is not an absolute https URL.", baseAddress)
		}
		return &SyncError{Code: CodeSCIMInvalidCredentials, Message: msg, TenantActionable: true}
	}
	c := &scimClient{hc: s.httpClient(), base: base, token: token}
	body, f := c.do(ctx, http.MethodGet, "/Users", scimFilter("userName", newGUID()), nil)
	if f != nil {
		if f.status == 0 {
			return &SyncError{Code: CodeSCIMInvalidCredentials, Message: invalidTenantURLMessage + " " + f.Error(), TenantActionable: true}
		}
		return &SyncError{Code: CodeSCIMCredentialValidation, Message: invalidCredentialsPrefix + " Details: " + f.Error(), TenantActionable: true}
	}
	res, _ := getFold(body, "Resources")
	list, _ := res.([]any)
	total := numberString(body["totalResults"])
	schemas, _ := body["schemas"].([]any)
	isList := false
	for _, sc := range schemas {
		if sc == scimListResponse {
			isList = true
		}
	}
	if !isList || len(list) != 0 || (total != "" && total != "0") {
		return &SyncError{Code: CodeSCIMCredentialValidation, TenantActionable: true, Message: invalidCredentialsPrefix +
			fmt.Sprintf(" Details: GET %s/Users?filter=userName eq \"<random id>\" answered HTTP 200 but not with an empty SCIM ListResponse (schemas %v, totalResults %q, %d resources).", base, schemas, total, len(list))}
	}
	return nil
}

// validateCredentials answers a validateCredentials action: 204, or 400 with the Graph error whose code is the
// synchronization error code.
func (s *Server) validateCredentials(w http.ResponseWriter, r *http.Request, body validateCredentialsBody, saved []secretKV) {
	if !s.checkSecretKeys(w, r, body.Credentials) {
		return
	}
	creds := body.Credentials
	if body.UseSavedCredentials {
		creds = saved
	}
	if e := s.testConnection(r.Context(), secretValue(creds, "BaseAddress"), secretValue(creds, "SecretToken")); e != nil {
		s.graphError(w, r, http.StatusBadRequest, e.Code, e.Message)
		return
	}
	noContent(w)
}
