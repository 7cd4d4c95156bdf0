package entra

import (
	"net/http"
	"sort"
	"strings"
)

// Microsoft Graph application permissions (app roles of the Microsoft Graph service principal) the sandbox knows.
// A client's granted permissions are what an administrator consented to for its app registration; every Graph
// route checks them (microsoft-graph.md §3.1, §4, §5.7; contributing/facts/permissions.md).
const (
	PermApplicationReadAll            = "Application.Read.All"
	PermApplicationReadWriteAll       = "Application.ReadWrite.All"
	PermApplicationReadWriteOwnedBy   = "Application.ReadWrite.OwnedBy"
	PermAppRoleAssignmentReadWriteAll = "AppRoleAssignment.ReadWrite.All"
	PermSynchronizationReadAll        = "Synchronization.Read.All"
	PermSynchronizationReadWriteAll   = "Synchronization.ReadWrite.All"
	PermUserReadAll                   = "User.Read.All"
	PermUserReadWriteAll              = "User.ReadWrite.All"
	PermGroupMemberReadAll            = "GroupMember.Read.All"
	PermGroupReadAll                  = "Group.Read.All"
	PermGroupReadWriteAll             = "Group.ReadWrite.All"
	PermGroupCreate                   = "Group.Create"
	PermGroupMemberReadWriteAll       = "GroupMember.ReadWrite.All"
	PermDirectoryReadAll              = "Directory.Read.All"
	PermDirectoryReadWriteAll         = "Directory.ReadWrite.All"
)

// MinimumPermissions is the least set of application permissions under which every operation of the provider
// succeeds: what docs/index.md lists and what `make sandbox` grants its automation client.
var MinimumPermissions = []string{
	PermApplicationReadWriteAll,       // instantiate, read/rename/delete applications and service principals
	PermAppRoleAssignmentReadWriteAll, // assign users and groups (with Application.Read.All, implied by the above)
	PermSynchronizationReadWriteAll,   // jobs, secrets, schema, provision on demand
	PermUserReadAll,                   // GET /users/{id}: check an assignment's principal
	PermGroupMemberReadAll,            // GET /groups/{id}: check an assignment's principal
}

// anyOf is one requirement: the token must carry at least one of these permissions. A route's requirements must all
// be met.
type anyOf []string

var (
	appRead   = anyOf{PermApplicationReadAll, PermApplicationReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll}
	appWrite  = anyOf{PermApplicationReadWriteAll, PermDirectoryReadWriteAll}
	userRead  = anyOf{PermUserReadAll, PermUserReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll}
	groupRead = anyOf{PermGroupMemberReadAll, PermGroupReadAll, PermGroupReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll}
	// groupCreate, groupWrite and memberWrite: microsoft-graph.md §9.4.
	groupCreate = anyOf{PermGroupCreate, PermGroupReadWriteAll, PermDirectoryReadWriteAll}
	groupWrite  = anyOf{PermGroupReadWriteAll, PermDirectoryReadWriteAll}
	memberWrite = anyOf{PermGroupMemberReadWriteAll, PermGroupReadWriteAll, PermDirectoryReadWriteAll}
	dirRead     = anyOf{PermDirectoryReadAll, PermDirectoryReadWriteAll}
	asgRead     = anyOf{PermApplicationReadAll, PermApplicationReadWriteAll, PermAppRoleAssignmentReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll}
	asgWrite    = anyOf{PermAppRoleAssignmentReadWriteAll}
	syncRead    = anyOf{PermSynchronizationReadAll, PermSynchronizationReadWriteAll}
	syncWrite   = anyOf{PermSynchronizationReadWriteAll}
)

// routePermissions maps a route pattern (as registered in routes) to its requirements. Application.ReadWrite.OwnedBy
// is accepted nowhere: the sandbox does not model application owners, and refusing it is the stricter choice
// (UNKNOWN which operations a real tenant would let an OwnedBy-only client do on apps it created itself).
// Routes not listed need only a valid token: GET applicationTemplates/{id} (the docs list no permission for it,
// UNKNOWN) and the catch-all.
var routePermissions = map[string][]anyOf{
	"POST /v1.0/applicationTemplates/{id}/instantiate": {appWrite},
	"POST /v1.0/applications":                          {appWrite},
	"POST /v1.0/servicePrincipals":                     {appWrite},
	"GET /v1.0/applications":                           {appRead},
	"GET /v1.0/applications/{id}":                      {appRead},
	"PATCH /v1.0/applications/{id}":                    {appWrite},
	"DELETE /v1.0/applications/{id}":                   {appWrite},
	"GET /v1.0/servicePrincipals":                      {appRead},
	"GET /v1.0/servicePrincipals/{id}":                 {appRead},
	"PATCH /v1.0/servicePrincipals/{id}":               {appWrite},
	"DELETE /v1.0/servicePrincipals/{id}":              {appWrite},
	"GET /v1.0/{alternateKey}":                         {appRead},
	"PATCH /v1.0/{alternateKey}":                       {appWrite},
	"DELETE /v1.0/{alternateKey}":                      {appWrite},

	"GET /v1.0/users":               {userRead},
	"GET /v1.0/users/{id}":          {userRead},
	"GET /v1.0/groups":              {groupRead},
	"GET /v1.0/groups/{id}":         {groupRead},
	"GET /v1.0/groups/{id}/members": {groupRead},
	// DOCUMENTED (microsoft-graph.md §9.3): reading any directory object takes Directory.Read.All.
	"GET /v1.0/directoryObjects/{id}": {dirRead},

	// DOCUMENTED (microsoft-graph.md §9.4): creating a group takes Group.Create (or Group.ReadWrite.All or
	// Directory.ReadWrite.All), changing or deleting one Group.ReadWrite.All, adding or removing members
	// GroupMember.ReadWrite.All or more; the beta pages list the same as v1.0.
	"POST /beta/groups":                                {groupCreate},
	"GET /beta/groups":                                 {groupRead},
	"GET /beta/groups/{id}":                            {groupRead},
	"PATCH /beta/groups/{id}":                          {groupWrite},
	"DELETE /beta/groups/{id}":                         {groupWrite},
	"GET /beta/groups/{id}/members":                    {groupRead},
	"POST /beta/groups/{id}/members/$ref":              {memberWrite},
	"DELETE /beta/groups/{id}/members/{memberId}/$ref": {memberWrite},
	"GET /beta/groups/{id}/owners":                     {groupRead},
	"POST /beta/groups/{id}/owners/$ref":               {groupWrite},
	"DELETE /beta/groups/{id}/owners/{ownerId}/$ref":   {groupWrite},
	"GET /beta/groups/{id}/memberOf":                   {groupRead},

	// DOCUMENTED (microsoft-graph.md §4): AppRoleAssignment.ReadWrite.All plus Application.Read.All or
	// Directory.Read.All to create; deleting is documented with the same pair.
	"POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo":         {asgWrite, appRead},
	"GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo":          {asgRead},
	"GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{aid}":    {asgRead},
	"DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{aid}": {asgWrite, appRead},
}

// syncPrefix is the common prefix of the synchronization routes: GET needs Synchronization.Read.All or more, every
// other method Synchronization.ReadWrite.All (microsoft-graph.md §5.7). POST validateCredentials, parseExpression
// and provisionOnDemand change nothing but are documented with Synchronization.ReadWrite.All too.
const syncPrefix = "/v1.0/servicePrincipals/{id}/synchronization/"

func requirementsFor(pattern string) []anyOf {
	if req, ok := routePermissions[pattern]; ok {
		return req
	}
	method, path, _ := strings.Cut(pattern, " ")
	if strings.HasPrefix(path, syncPrefix) {
		if method == http.MethodGet {
			return []anyOf{syncRead}
		}
		return []anyOf{syncWrite}
	}
	return nil
}

// GrantAppRoles grants (admin-consents) Microsoft Graph application permissions to a client registered with
// AddClient. Unknown permission names are stored as given and satisfy nothing.
func (s *Server) GrantAppRoles(clientID string, permissions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grants == nil {
		s.grants = map[string]map[string]bool{}
	}
	g := s.grants[clientID]
	if g == nil {
		g = map[string]bool{}
		s.grants[clientID] = g
	}
	for _, p := range permissions {
		g[p] = true
	}
}

// RevokeAppRoles removes granted application permissions from a client. Tokens issued before keep working but are
// checked against the grants at every request (a real token would keep its roles claim until it expires; the
// sandbox is stricter so a test sees the effect at once).
func (s *Server) RevokeAppRoles(clientID string, permissions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range permissions {
		delete(s.grants[clientID], p)
	}
}

// GrantedAppRoles returns the application permissions granted to a client, sorted (what a token's `roles` claim
// lists).
func (s *Server) GrantedAppRoles(clientID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.grants[clientID]))
	for p := range s.grants[clientID] {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// permitted checks the permissions of the app behind the request's bearer token (already authenticated) against
// the matched route, and answers 403 Authorization_RequestDenied when one requirement is not met, with Graph's
// wording (microsoft-graph.md §7.1). UNKNOWN: the synchronization service may word its 403 differently; the
// directory's answer is used everywhere.
func (s *Server) permitted(w http.ResponseWriter, r *http.Request) bool {
	req := requirementsFor(r.Pattern)
	if len(req) == 0 {
		return true
	}
	tok := strings.TrimSpace(r.Header.Get("Authorization"))
	if i := strings.IndexByte(tok, ' '); i >= 0 {
		tok = strings.TrimSpace(tok[i+1:])
	}
	s.mu.Lock()
	var granted map[string]bool
	if at := s.tokens[tok]; at != nil {
		granted = s.grants[at.clientID]
	}
	s.mu.Unlock()
	for _, need := range req {
		ok := false
		for _, p := range need {
			if granted[p] {
				ok = true
				break
			}
		}
		if !ok {
			s.graphError(w, r, http.StatusForbidden, CodeAuthorizationRequestDenied, "Insufficient privileges to complete the operation.")
			return false
		}
	}
	return true
}
