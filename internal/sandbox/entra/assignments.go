package entra

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// App role assignments to a service principal: /servicePrincipals/{id}/appRoleAssignedTo (microsoft-graph.md §4).

// AppRoleAssignment is one assignment of a user, group or service principal to an app role of a resource service
// principal, in its Graph JSON shape.
type AppRoleAssignment struct {
	ID                   string  `json:"id"`
	DeletedDateTime      *string `json:"deletedDateTime"`
	AppRoleID            string  `json:"appRoleId"`
	CreatedDateTime      string  `json:"createdDateTime"`
	PrincipalDisplayName string  `json:"principalDisplayName"`
	PrincipalID          string  `json:"principalId"`
	PrincipalType        string  `json:"principalType"`
	ResourceDisplayName  string  `json:"resourceDisplayName"`
	ResourceID           string  `json:"resourceId"`
}

type assignment struct {
	meta
	AppRoleAssignment
}

// defaultAccessRole assigns without a specific role; valid only when the resource declares no app roles
// (microsoft-graph.md §4).
const defaultAccessRole = "00000000-0000-0000-0000-000000000000"

// assignmentID makes a 43-character base64url id like Graph's. Real ids start with the principal's object id
// bytes (the documented examples decode that way); the rest is random here.
func assignmentID(principalID string) string {
	b := make([]byte, 32)
	if raw, err := hex.DecodeString(strings.ReplaceAll(principalID, "-", "")); err == nil && len(raw) == 16 {
		// GUID byte order as .NET writes it: the first three groups little-endian.
		copy(b, []byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]})
		copy(b[8:], raw[8:])
	}
	_, _ = rand.Read(b[16:])
	return base64.RawURLEncoding.EncodeToString(b)
}

// createAssignment serves POST /servicePrincipals/{id}/appRoleAssignedTo → 201.
//
// Errors: the resource service principal missing or still replicating → 404 Request_ResourceNotFound; principal
// missing or still replicating → 400 Request_BadRequest "Not a valid reference update." (azuread retries on exactly
// this message, microsoft-graph.md §4); an app role the resource does not declare → 400 Request_BadRequest "Permission
// being assigned was not found on application '<appId>'."; the same principal and role again → 400 Request_BadRequest
// "Permission being assigned already exists on the object". microsoft-graph.md has no capture of the last two; the
// texts and the 400 status are what public scripts and tools match on.
func (s *Server) createAssignment(w http.ResponseWriter, r *http.Request) {
	const route = "POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo"
	var body struct {
		PrincipalID string `json:"principalId"`
		ResourceID  string `json:"resourceId"`
		AppRoleID   string `json:"appRoleId"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	s.underLock(w, func(w http.ResponseWriter) {
		spID := r.PathValue("id")
		sp := s.spLocked(spID, true)
		if sp == nil {
			s.notFound(w, r, spID)
			return
		}
		if body.ResourceID == "" || !strings.EqualFold(body.ResourceID, sp.id) {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'resourceId' of resource 'AppRoleAssignment'.")
			return
		}
		if body.AppRoleID == "" {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'appRoleId' of resource 'AppRoleAssignment'.")
			return
		}
		ptype, pname, ok := s.principalLocked(body.PrincipalID)
		if !ok {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Not a valid reference update.")
			return
		}
		if !spDeclaresRole(sp, body.AppRoleID) {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("Permission being assigned was not found on application '%s'.", sp.appID))
			return
		}
		for _, a := range s.asgs {
			if a.ResourceID == sp.id && strings.EqualFold(a.PrincipalID, body.PrincipalID) && strings.EqualFold(a.AppRoleID, body.AppRoleID) {
				s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Permission being assigned already exists on the object")
				return
			}
		}
		a := s.addAssignmentLocked(sp, body.PrincipalID, ptype, pname, strings.ToLower(body.AppRoleID), s.lagForLocked(r, route))
		out := a.AppRoleAssignment
		base := s.baseURL
		if base == "" {
			base = "https://" + r.Host
		}
		writeJSON(w, http.StatusCreated, struct {
			Context string `json:"@odata.context"`
			AppRoleAssignment
		}{base + "/v1.0/$metadata#servicePrincipals('" + sp.id + "')/appRoleAssignedTo/$entity", out})
	})
}

func (s *Server) addAssignmentLocked(sp *servicePrincipal, principalID, ptype, pname, roleID string, lag time.Duration) *assignment {
	m := s.newMetaLocked(lag)
	a := &assignment{meta: m, AppRoleAssignment: AppRoleAssignment{
		ID: assignmentID(principalID), AppRoleID: roleID, CreatedDateTime: graphTime(m.created),
		PrincipalDisplayName: pname, PrincipalID: principalID, PrincipalType: ptype,
		ResourceDisplayName: sp.displayName(), ResourceID: sp.id,
	}}
	s.asgs[a.ID] = a
	return a
}

// principalLocked resolves a visible user, group or service principal.
func (s *Server) principalLocked(id string) (ptype, name string, ok bool) {
	if u := s.userLocked(id, true); u != nil && strings.EqualFold(u.ID, id) {
		return "User", u.DisplayName, true
	}
	if g := s.visibleGroupLocked(id); g != nil {
		return "Group", g.displayName, true
	}
	if sp := s.spLocked(id, true); sp != nil {
		return "ServicePrincipal", sp.displayName(), true
	}
	return "", "", false
}

func spDeclaresRole(sp *servicePrincipal, roleID string) bool {
	roles, _ := sp.props["appRoles"].([]any)
	if len(roles) == 0 {
		return roleID == defaultAccessRole
	}
	for _, r := range roles {
		if m, ok := r.(map[string]any); ok && strings.EqualFold(fmt.Sprint(m["id"]), roleID) {
			return true
		}
	}
	return false
}

// listAssignments serves GET /servicePrincipals/{id}/appRoleAssignedTo; assignments still replicating are left out
// ("This request might have replication delays", microsoft-graph.md §4).
func (s *Server) listAssignments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sp := s.spLocked(r.PathValue("id"), true)
	var items []map[string]any
	if sp != nil {
		for _, a := range s.assignmentsLocked(sp.id, true) {
			items = append(items, assignmentProps(a.AppRoleAssignment))
		}
	}
	s.mu.Unlock()
	if sp == nil {
		s.notFound(w, r, r.PathValue("id"))
		return
	}
	if items == nil {
		items = []map[string]any{}
	}
	s.listQuery(w, r, "servicePrincipals('"+sp.id+"')/appRoleAssignedTo", "appRoleAssignment", items,
		[]string{"principalId", "appRoleId", "principalType", "principalDisplayName", "resourceId"}, nil)
}

func (s *Server) assignmentsLocked(spID string, visibleOnly bool) []*assignment {
	now := s.now()
	return inOrder(s.asgs, func(a *assignment) bool { return a.ResourceID == spID && (!visibleOnly || a.visible(now)) })
}

func (s *Server) getAssignment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sp := s.spLocked(r.PathValue("id"), true)
	a := s.asgs[r.PathValue("aid")]
	ok := sp != nil && a != nil && a.ResourceID == sp.id && a.visible(s.now())
	var obj map[string]any
	if ok {
		obj = assignmentProps(a.AppRoleAssignment)
	}
	s.mu.Unlock()
	if !ok {
		id := r.PathValue("aid")
		if sp == nil {
			id = r.PathValue("id")
		}
		s.notFound(w, r, id)
		return
	}
	s.writeEntity(w, r, "servicePrincipals('"+r.PathValue("id")+"')/appRoleAssignedTo/$entity", "appRoleAssignment", obj, nil)
}

// deleteAssignment serves DELETE /servicePrincipals/{id}/appRoleAssignedTo/{aid} → 204.
func (s *Server) deleteAssignment(w http.ResponseWriter, r *http.Request) {
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		a := s.asgs[r.PathValue("aid")]
		if a == nil || a.ResourceID != sp.id || !a.visible(s.now()) {
			s.notFound(w, r, r.PathValue("aid"))
			return
		}
		delete(s.asgs, a.ID)
		noContent(w)
	})
}

func assignmentProps(a AppRoleAssignment) map[string]any {
	return map[string]any{
		"id": a.ID, "deletedDateTime": nil, "appRoleId": a.AppRoleID, "createdDateTime": a.CreatedDateTime,
		"principalDisplayName": a.PrincipalDisplayName, "principalId": a.PrincipalID, "principalType": a.PrincipalType,
		"resourceDisplayName": a.ResourceDisplayName, "resourceId": a.ResourceID,
	}
}

// isAssignedLocked reports whether the user is assigned to the service principal directly or through a group it
// is a direct member of (provisioning does not follow nested groups), and the display name of the role.
func (s *Server) isAssignedLocked(spID, userID string) (bool, string) {
	sp := s.sps[spID]
	for _, a := range s.assignmentsLocked(spID, true) {
		direct := a.PrincipalType == "User" && strings.EqualFold(a.PrincipalID, userID)
		viaGroup := false
		if a.PrincipalType == "Group" {
			if g := s.groups[a.PrincipalID]; g != nil {
				for _, m := range g.members {
					if strings.EqualFold(m, userID) {
						viaGroup = true
						break
					}
				}
			}
		}
		if direct || viaGroup {
			return true, roleName(sp, a.AppRoleID)
		}
	}
	return false, ""
}

func roleName(sp *servicePrincipal, roleID string) string {
	if sp != nil {
		roles, _ := sp.props["appRoles"].([]any)
		for _, r := range roles {
			if m, ok := r.(map[string]any); ok && strings.EqualFold(fmt.Sprint(m["id"]), roleID) {
				if n, ok := m["displayName"].(string); ok {
					return n
				}
			}
		}
	}
	return "Default Access"
}
