package entra

import (
	"fmt"
	"net/http"
	"strings"
)

// Owners of applications and service principals, and the beta reads the official azuread provider makes
// (contributing/facts/entra-tokens.md §4 lists the calls, from the azuread source).
//
//	GET    /v1.0/{applications|servicePrincipals}/{id}/owners                  list (directoryObject collection)
//	POST   /v1.0/{applications|servicePrincipals}/{id}/owners/$ref             add  {"@odata.id": ".../directoryObjects/{oid}"}
//	DELETE /v1.0/{applications|servicePrincipals}/{id}/owners/{ownerId}/$ref   remove
//	GET    /beta/applications/{id}, /beta/servicePrincipals/{id}               the object with beta-only properties
//	PATCH  /beta/applications/{id}                                             azuread sets oauth2RequirePostResponse here

// registerOwnersAndBeta adds the routes (called from routes()).
func (s *Server) registerOwnersAndBeta() {
	h, g := s.rt.Handle, s.graph
	for _, set := range []string{"applications", "servicePrincipals"} {
		h("GET /v1.0/"+set+"/{id}/owners", g(s.listOwners("v1.0", set)))
		h("POST /v1.0/"+set+"/{id}/owners/$ref", g(s.addOwner(set)))
		h("DELETE /v1.0/"+set+"/{id}/owners/{ownerId}/$ref", g(s.removeOwner(set)))
	}
	h("GET /beta/applications/{id}", g(s.getBetaApplication))
	h("PATCH /beta/applications/{id}", g(s.patchBetaApplication))
	h("GET /beta/servicePrincipals/{id}", g(s.getBetaServicePrincipal))
}

// ownedLocked finds the application, service principal or group an owners route names. Callers hold s.mu.
func (s *Server) ownedLocked(set, id string) bool {
	switch set {
	case "applications":
		return s.visibleAppLocked(id) != nil
	case "groups":
		return s.visibleGroupLocked(id) != nil
	}
	return s.spLocked(id, true) != nil
}

// directoryObjectLocked renders a directory object as an owners list shows it (with @odata.type), or nil.
func (s *Server) directoryObjectLocked(id string) map[string]any {
	if u := s.userLocked(id, true); u != nil {
		m := u.props()
		m["@odata.type"] = "#microsoft.graph.user"
		return m
	}
	if sp := s.spLocked(id, true); sp != nil {
		m := copyMap(sp.props)
		m["@odata.type"] = "#microsoft.graph.servicePrincipal"
		return m
	}
	if g := s.visibleGroupLocked(id); g != nil {
		m := g.props()
		m["@odata.type"] = "#microsoft.graph.group"
		return m
	}
	return nil
}

// listOwners serves GET /{version}/{set}/{id}/owners.
func (s *Server) listOwners(version, set string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		items, ok := s.related(w, r, func(id string) ([]map[string]any, bool) {
			var items []map[string]any
			for _, oid := range s.owners[strings.ToLower(id)] {
				if obj := s.directoryObjectLocked(oid); obj != nil {
					items = append(items, obj)
				}
			}
			return items, s.ownedLocked(set, id)
		})
		if !ok {
			return
		}
		// Graph's context for this navigation property is the directoryObjects entity set.
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": s.base(r) + "/" + version + "/$metadata#directoryObjects",
			"value":          items,
		})
	}
}

// addOwner adds a reference. Graph answers 204; an existing owner is 400 Request_BadRequest "One or more added
// object references already exist for the following modified properties: 'owners'." and an unknown object 404
// (both DOCUMENTED in the add-owner pages' error sections and widely reported; exact texts in the facts file).
func (s *Server) addOwner(set string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		oid, ok := s.readRef(w, r, refObjectID)
		if !ok {
			return
		}
		id := r.PathValue("id")
		s.underLock(w, func(w http.ResponseWriter) {
			if !s.ownedLocked(set, id) {
				s.notFound(w, r, id)
				return
			}
			if s.directoryObjectLocked(oid) == nil {
				s.notFound(w, r, oid)
				return
			}
			key := strings.ToLower(id)
			for _, o := range s.owners[key] {
				if strings.EqualFold(o, oid) {
					s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "One or more added object references already exist for the following modified properties: 'owners'.")
					return
				}
			}
			if s.owners == nil {
				s.owners = map[string][]string{}
			}
			s.owners[key] = append(s.owners[key], strings.ToLower(oid))
			noContent(w)
		})
	}
}

func (s *Server) removeOwner(set string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, oid := r.PathValue("id"), r.PathValue("ownerId")
		s.underLock(w, func(w http.ResponseWriter) {
			if !s.ownedLocked(set, id) {
				s.notFound(w, r, id)
				return
			}
			key := strings.ToLower(id)
			list := s.owners[key]
			for i, o := range list {
				if strings.EqualFold(o, oid) {
					s.owners[key] = append(list[:i:i], list[i+1:]...)
					noContent(w)
					return
				}
			}
			// UNKNOWN: the exact answer for removing a non-owner; Graph answers 404 Request_ResourceNotFound for
			// a missing reference on other navigation properties, and the sandbox does the same.
			s.notFound(w, r, oid)
		})
	}
}

// readRef reads a $ref body {"@odata.id": "…"} and returns the object id parse finds in the URL (owners take
// directoryObjects URLs only, group members the typed ones too). It answers 400 and reports false when there is none.
func (s *Server) readRef(w http.ResponseWriter, r *http.Request, parse func(ref string) string) (string, bool) {
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return "", false
	}
	ref, _ := body["@odata.id"].(string)
	oid := parse(ref)
	if oid == "" {
		s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid object identifier '"+ref+"'.")
		return "", false
	}
	return oid, true
}

// refObjectID takes the object id from an @odata.id such as https://graph.microsoft.com/v1.0/directoryObjects/{id}
// (azuread builds it on its own Graph base URL).
func refObjectID(ref string) string {
	i := strings.LastIndex(ref, "/directoryObjects/")
	if i < 0 {
		return ""
	}
	id := strings.Trim(ref[i+len("/directoryObjects/"):], "/")
	if id == "" || strings.ContainsAny(id, "/?") {
		return ""
	}
	return id
}

// AddOwner makes objectID an owner of the application or service principal with object id ownedID (Go API,
// no Graph checks).
func (s *Server) AddOwner(ownedID, objectID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apps[ownedID] == nil && s.sps[ownedID] == nil {
		return fmt.Errorf("entra: no application or service principal %s", ownedID)
	}
	if s.owners == nil {
		s.owners = map[string][]string{}
	}
	s.owners[strings.ToLower(ownedID)] = append(s.owners[strings.ToLower(ownedID)], strings.ToLower(objectID))
	return nil
}

// Owners returns the owner object ids of an application or service principal.
func (s *Server) Owners(ownedID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.owners[strings.ToLower(ownedID)]...)
}

// Beta-only properties. UNKNOWN beyond these: beta carries many more preview properties; the sandbox adds the ones
// azuread reads (applications: oauth2RequirePostResponse; service principals: samlMetadataUrl) and a few
// documented neighbours, each with the value Graph shows for an object that never set them.
func betaApplication(props map[string]any, extra map[string]any) map[string]any {
	out := copyMap(props)
	out["oauth2RequirePostResponse"] = false
	out["uniqueName"] = nil
	out["certification"] = nil
	out["requestSignatureVerification"] = nil
	out["servicePrincipalLockConfiguration"] = nil
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func betaServicePrincipal(props map[string]any) map[string]any {
	out := copyMap(props)
	out["samlMetadataUrl"] = nil
	out["errorUrl"] = nil
	out["signInAudience"] = props["signInAudience"]
	return out
}

func (s *Server) getBetaApplication(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.getObject(w, r, id, "beta", "applications/$entity", "application", nil, func() (map[string]any, bool) {
		if a := s.visibleAppLocked(id); a != nil {
			return betaApplication(a.props, s.betaProps[strings.ToLower(id)]), true
		}
		return nil, false
	})
}

// patchBetaApplication accepts the beta-only oauth2RequirePostResponse and every v1.0 property.
func (s *Server) patchBetaApplication(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	id := r.PathValue("id")
	underLockWith(s, w, r, id, func() *application { return s.visibleAppLocked(id) }, func(w http.ResponseWriter, a *application) {
		beta := map[string]any{}
		rest := map[string]any{}
		for k, v := range body {
			if k == "oauth2RequirePostResponse" {
				if _, ok := v.(bool); !ok {
					s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'oauth2RequirePostResponse' of resource 'Application'.")
					return
				}
				beta[k] = v
				continue
			}
			rest[k] = v
		}
		if !s.applyPatchLocked(w, r, a.props, rest, appReadOnly, "application") {
			return
		}
		if len(beta) > 0 {
			if s.betaProps == nil {
				s.betaProps = map[string]map[string]any{}
			}
			if s.betaProps[strings.ToLower(id)] == nil {
				s.betaProps[strings.ToLower(id)] = map[string]any{}
			}
			for k, v := range beta {
				s.betaProps[strings.ToLower(id)][k] = v
			}
		}
		noContent(w)
	})
}

func (s *Server) getBetaServicePrincipal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.getObject(w, r, id, "beta", "servicePrincipals/$entity", "servicePrincipal", nil, func() (map[string]any, bool) {
		if sp := s.spLocked(id, true); sp != nil {
			return betaServicePrincipal(sp.props), true
		}
		return nil, false
	})
}
