package entra

import (
	"fmt"
	"net/http"
	"strings"
)

// Groups through the beta API, as the official azuread provider's azuread_group and azuread_group_member use them
// (azuread talks to groups through beta only; microsoft-graph.md §9.4 lists its calls, §9.5 the shapes):
//
//	POST   /beta/groups                                 201 group (default properties)
//	GET    /beta/groups, /beta/groups/{id}              list ($filter, $select, $top) and read
//	PATCH  /beta/groups/{id}                            204
//	DELETE /beta/groups/{id}                            204
//	GET    /beta/groups/{id}/members                    directoryObjects with @odata.type ($filter id eq …)
//	POST   /beta/groups/{id}/members/$ref               204; 400 when already a member
//	DELETE /beta/groups/{id}/members/{memberId}/$ref    204
//	GET    /beta/groups/{id}/owners, POST owners/$ref, DELETE owners/{ownerId}/$ref
//	GET    /beta/groups/{id}/memberOf                   the groups this group belongs to
//
// Groups created here are ordinary sandbox groups: they can be assigned to an enterprise app and the provisioning
// engine sends them and their members like seeded ones.

func (s *Server) registerBetaGroups() {
	h, g := s.rt.Handle, s.graph
	h("POST /beta/groups", g(s.createGroup))
	h("GET /beta/groups", g(s.listBetaGroups))
	h("GET /beta/groups/{id}", g(s.getBetaGroup))
	h("PATCH /beta/groups/{id}", g(s.patchGroup))
	h("DELETE /beta/groups/{id}", g(s.deleteGroup))
	h("GET /beta/groups/{id}/members", g(s.listBetaGroupMembers))
	h("POST /beta/groups/{id}/members/$ref", g(s.addGroupMember))
	h("DELETE /beta/groups/{id}/members/{memberId}/$ref", g(s.removeGroupMember))
	h("GET /beta/groups/{id}/owners", g(s.listOwners("beta", "groups")))
	h("POST /beta/groups/{id}/owners/$ref", g(s.addOwner("groups")))
	h("DELETE /beta/groups/{id}/owners/{ownerId}/$ref", g(s.removeOwner("groups")))
	h("GET /beta/groups/{id}/memberOf", g(s.listGroupMemberOf))
}

// groupWritable are the group properties a create or PATCH may set (DOCUMENTED, group resource page, beta; the ones
// azuread sends are among them). Others are refused as unknown.
var groupWritable = []string{
	"classification", "description", "displayName", "groupTypes", "isAssignableToRole", "mailEnabled", "mailNickname",
	"membershipRule", "membershipRuleProcessingState", "preferredDataLocation", "preferredLanguage",
	"resourceBehaviorOptions", "resourceProvisioningOptions", "securityEnabled", "theme", "visibility",
	"writebackConfiguration",
}

// betaProps renders a group as beta does: the v1.0 properties plus the beta ones azuread reads. UNKNOWN beyond the
// documented create answer (microsoft-graph.md §9.5): which of them a real tenant includes without $select; the
// sandbox includes all, with the values a new security group has.
func (g *group) betaProps() map[string]any {
	p := g.props()
	delete(p, "@odata.type")
	for k, v := range map[string]any{
		"deletedDateTime": nil, "classification": nil, "creationOptions": []any{}, "expirationDateTime": nil,
		"isAssignableToRole": nil, "membershipRule": nil, "membershipRuleProcessingState": nil,
		"onPremisesDomainName": nil, "onPremisesLastSyncDateTime": nil, "onPremisesNetBiosName": nil,
		"onPremisesSamAccountName": nil, "onPremisesSecurityIdentifier": nil, "onPremisesSyncEnabled": nil,
		"onPremisesProvisioningErrors": []any{}, "preferredDataLocation": nil, "preferredLanguage": nil,
		"proxyAddresses": []any{}, "renewedDateTime": graphTime(g.created), "resourceBehaviorOptions": []any{},
		"resourceProvisioningOptions": []any{}, "securityIdentifier": nil, "theme": nil,
		"writebackConfiguration": map[string]any{"isEnabled": nil, "onPremisesGroupType": nil},
	} {
		p[k] = v
	}
	for k, v := range g.extra {
		p[k] = copyValue(v)
	}
	return p
}

// checkGroupBody validates the properties of a create (create=true) or PATCH body. Callers hold s.mu.
func (s *Server) checkGroupBody(w http.ResponseWriter, r *http.Request, body map[string]any, create bool) bool {
	for k, v := range body {
		if strings.Contains(k, "@odata.") {
			continue
		}
		if !containsFold(groupWritable, k) {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Property '"+k+"' does not exist as a declared property or extension property.")
			return false
		}
		if !groupValueValid(k, v) {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property '"+k+"' of resource 'Group'.")
			return false
		}
	}
	if create {
		// DOCUMENTED (microsoft-graph.md §9.5): displayName, mailEnabled, mailNickname and securityEnabled are required.
		// UNKNOWN: the message for a missing one; the directory's wording for an invalid value.
		for _, k := range []string{"displayName", "mailEnabled", "mailNickname", "securityEnabled"} {
			if body[k] == nil {
				s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property '"+k+"' of resource 'Group'.")
				return false
			}
		}
	}
	return true
}

// groupValueValid checks the JSON type of one writable property; displayName and mailNickname may not be blank.
func groupValueValid(k string, v any) bool {
	switch k {
	case "displayName", "mailNickname":
		str, ok := v.(string)
		return ok && strings.TrimSpace(str) != ""
	case "mailEnabled", "securityEnabled", "isAssignableToRole":
		_, ok := v.(bool)
		return ok
	case "groupTypes", "resourceBehaviorOptions", "resourceProvisioningOptions":
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range list {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	case "writebackConfiguration":
		_, ok := v.(map[string]any)
		return ok || v == nil
	default:
		_, ok := v.(string)
		return ok || v == nil
	}
}

// applyGroupLocked writes checked properties into a group.
func applyGroupLocked(g *group, body map[string]any) {
	for k, v := range body {
		if strings.Contains(k, "@odata.") {
			continue
		}
		switch k {
		case "displayName":
			g.displayName, _ = v.(string)
		case "description":
			g.description, _ = v.(string)
		default:
			if g.extra == nil {
				g.extra = map[string]any{}
			}
			g.extra[k] = copyValue(v)
		}
	}
}

// createGroup serves POST /beta/groups. owners@odata.bind and members@odata.bind name the first owners and members
// (DOCUMENTED); azuread binds the caller as owner and adds members afterwards with $ref.
func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	const route = "POST /beta/groups"
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	base := s.base(r) // before the lock: base takes it
	s.underLock(w, func(w http.ResponseWriter) {
		if !s.checkGroupBody(w, r, body, true) {
			return
		}
		owners, ok := s.bindRefsLocked(w, r, body, "owners@odata.bind")
		if !ok {
			return
		}
		members, ok := s.bindRefsLocked(w, r, body, "members@odata.bind")
		if !ok {
			return
		}
		g := &group{meta: s.newMetaLocked(s.lagForLocked(r, route)), id: newGUID(), members: members}
		applyGroupLocked(g, body)
		s.groups[g.id] = g
		s.setOwnersLocked(g.id, owners)
		writeCreated(w, base+"/beta/$metadata#groups/$entity", g.betaProps())
	})
}

func (s *Server) listBetaGroups(w http.ResponseWriter, r *http.Request) {
	listVisible(s, w, r, "beta", "groups", "group", func() map[string]*group { return s.groups },
		(*group).betaProps, groupFilterable, nil)
}

func (s *Server) getBetaGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.getObject(w, r, id, "beta", "groups/$entity", "group", nil, func() (map[string]any, bool) {
		if g := s.visibleGroupLocked(id); g != nil {
			return g.betaProps(), true
		}
		return nil, false
	})
}

func (s *Server) patchGroup(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	id := r.PathValue("id")
	s.withGroup(w, r, id, func(w http.ResponseWriter, g *group) {
		if !s.checkGroupBody(w, r, body, false) {
			return
		}
		applyGroupLocked(g, body)
		noContent(w)
	})
}

// deleteGroup removes a group, its memberships in other groups, its owners and the app role assignments made to
// it. UNKNOWN: deleted groups go to the directory's deleted items for 30 days in a real tenant (restorable); the
// sandbox has no deleted items and forgets the group.
func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.withGroup(w, r, id, func(w http.ResponseWriter, g *group) {
		delete(s.groups, g.id)
		delete(s.owners, strings.ToLower(g.id))
		for _, other := range s.groups {
			other.members = removeFold(other.members, g.id)
		}
		for aid, as := range s.asgs {
			if strings.EqualFold(as.PrincipalID, g.id) {
				delete(s.asgs, aid)
			}
		}
		noContent(w)
	})
}

func removeFold(list []string, id string) []string {
	out := list[:0:0]
	for _, v := range list {
		if !strings.EqualFold(v, id) {
			out = append(out, v)
		}
	}
	return out
}

// listBetaGroupMembers serves GET /beta/groups/{id}/members: every member as a directoryObject with @odata.type.
func (s *Server) listBetaGroupMembers(w http.ResponseWriter, r *http.Request) {
	s.listRelated(w, r, "beta", func(id string) ([]map[string]any, bool) {
		g := s.visibleGroupLocked(id)
		if g == nil {
			return nil, false
		}
		var items []map[string]any
		for _, mid := range g.members {
			if obj := s.directoryObjectLocked(mid); obj != nil {
				items = append(items, obj)
			}
		}
		return items, true
	})
}

// addGroupMember serves POST /beta/groups/{id}/members/$ref {"@odata.id": ".../directoryObjects/{id}"}: 204; an
// existing member is 400 with Graph's wording for every $ref collection, an unknown object 404 (microsoft-graph.md
// §9.4).
func (s *Server) addGroupMember(w http.ResponseWriter, r *http.Request) {
	oid, ok := s.readRef(w, r, boundObjectID)
	if !ok {
		return
	}
	id := r.PathValue("id")
	s.withGroup(w, r, id, func(w http.ResponseWriter, g *group) {
		if s.directoryObjectLocked(oid) == nil {
			s.notFound(w, r, oid)
			return
		}
		if strings.EqualFold(oid, g.id) {
			// UNKNOWN: the exact answer for a group made a member of itself; the sandbox refuses it.
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "A group cannot be a member of itself.")
			return
		}
		for _, m := range g.members {
			if strings.EqualFold(m, oid) {
				s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "One or more added object references already exist for the following modified properties: 'members'.")
				return
			}
		}
		g.members = append(g.members, strings.ToLower(oid))
		noContent(w)
	})
}

// removeGroupMember serves DELETE /beta/groups/{id}/members/{memberId}/$ref. UNKNOWN: the answer for a
// non-member; 404 Request_ResourceNotFound as for owners.
func (s *Server) removeGroupMember(w http.ResponseWriter, r *http.Request) {
	id, mid := r.PathValue("id"), r.PathValue("memberId")
	s.withGroup(w, r, id, func(w http.ResponseWriter, g *group) {
		kept := removeFold(g.members, mid)
		if len(kept) == len(g.members) {
			s.notFound(w, r, mid)
			return
		}
		g.members = kept
		noContent(w)
	})
}

// listGroupMemberOf serves GET /beta/groups/{id}/memberOf: the groups that have this group as a direct member
// (administrative units are not modelled, so none appear).
func (s *Server) listGroupMemberOf(w http.ResponseWriter, r *http.Request) {
	s.listRelated(w, r, "beta", func(id string) ([]map[string]any, bool) {
		g := s.visibleGroupLocked(id)
		if g == nil {
			return nil, false
		}
		var items []map[string]any
		for _, other := range visibleInOrder(s.groups, s.now()) {
			for _, m := range other.members {
				if strings.EqualFold(m, g.id) {
					items = append(items, other.props())
					break
				}
			}
		}
		return items, true
	})
}

// GroupMembers returns the member object ids of a group (Go API, for tests).
func (s *Server) GroupMembers(groupID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.groups {
		if strings.EqualFold(g.id, groupID) {
			return append([]string(nil), g.members...), nil
		}
	}
	return nil, fmt.Errorf("entra: no group %s", groupID)
}
