package entra

import (
	"fmt"
	"net/http"
	"strings"
)

// Plain app registrations and service principals created through Graph, and directory object reads
// (microsoft-graph.md §9.1–§9.3): what the official azuread provider's azuread_application and
// azuread_service_principal do.
//
//	POST /v1.0/applications              201 application; no service principal (unlike instantiate)
//	POST /v1.0/servicePrincipals         201 servicePrincipal for an existing application's appId
//	GET  /v1.0/directoryObjects/{id}     a user, group or service principal with @odata.type

// createApplication serves POST /v1.0/applications. The body is an application: displayName is required, every
// other v1.0 property may be given (complex ones are merged over the defaults a new application has), and
// owners@odata.bind names its first owners. The answer is 201 with the whole application.
func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) {
	const route = "POST /v1.0/applications"
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	if dn, _ := body["displayName"].(string); strings.TrimSpace(dn) == "" {
		// DOCUMENTED: displayName is required (microsoft-graph.md §9.1). UNKNOWN: the exact message; the sandbox uses the
		// directory's wording for an invalid property value.
		s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'displayName' of resource 'Application'.")
		return
	}
	if pc, _ := body["passwordCredentials"].([]any); len(pc) > 0 {
		// DOCUMENTED (microsoft-graph.md §9.1): adding a password at creation is not supported; use addPassword. UNKNOWN:
		// how a tenant answers it anyway; the sandbox refuses, which is the stricter reading.
		s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Adding passwordCredentials when creating an application is not supported; use addPassword.")
		return
	}
	base := s.base(r) // before the lock: base takes it
	s.underLock(w, func(w http.ResponseWriter) {
		owners, ok := s.bindRefsLocked(w, r, body, "owners@odata.bind")
		if !ok {
			return
		}
		dn, _ := body["displayName"].(string)
		app := s.newApplicationLocked(newGUID(), dn, "", s.lagForLocked(r, route))
		if !s.mergeCreateLocked(w, r, app.props, body, appReadOnly, "application") {
			delete(s.apps, app.id)
			return
		}
		s.setOwnersLocked(app.id, owners)
		writeCreated(w, base+"/v1.0/$metadata#applications/$entity", copyMap(app.props))
	})
}

// createServicePrincipal serves POST /v1.0/servicePrincipals: the service principal of the application whose appId
// the body names, which must exist and not have one yet (microsoft-graph.md §9.2).
func (s *Server) createServicePrincipal(w http.ResponseWriter, r *http.Request) {
	const route = "POST /v1.0/servicePrincipals"
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	appID, _ := body["appId"].(string)
	if strings.TrimSpace(appID) == "" {
		// UNKNOWN: the message for a missing appId; the directory's wording for an invalid property value.
		s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'appId' of resource 'ServicePrincipal'.")
		return
	}
	base := s.base(r) // before the lock: base takes it
	s.underLock(w, func(w http.ResponseWriter) {
		app := s.appByAppIDLocked(appID, true)
		if app == nil {
			// OBSERVED and SOURCE (microsoft-graph.md §9.2): 400 while the application is unknown or not replicated yet;
			// azuread retries on exactly this text.
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest,
				fmt.Sprintf("The appId '%s' of the service principal does not reference a valid application object.", appID))
			return
		}
		if s.spByAppIDLocked(appID, false) != nil {
			// OBSERVED (microsoft-graph.md §9.2): one service principal per application.
			s.graphError(w, r, http.StatusConflict, CodeMultipleObjectsWithSameKeyValue,
				fmt.Sprintf("The service principal cannot be created, updated, or restored because the service principal name %s is already in use.", appID))
			return
		}
		owners, ok := s.bindRefsLocked(w, r, body, "owners@odata.bind")
		if !ok {
			return
		}
		// UNKNOWN: which tags a service principal created through the API carries when the body names none; the
		// portal's WindowsAzureActiveDirectoryIntegratedApp is added by the portal, not by Graph, so the sandbox starts
		// with none.
		sp := s.newServicePrincipalLocked(app, s.newMetaLocked(s.lagForLocked(r, route)), []any{}, false)
		rest := make(map[string]any, len(body))
		for k, v := range body {
			if k != "appId" {
				rest[k] = v
			}
		}
		if !s.mergeCreateLocked(w, r, sp.props, rest, spReadOnly, "servicePrincipal") {
			delete(s.sps, sp.id)
			return
		}
		s.setOwnersLocked(sp.id, owners)
		writeCreated(w, base+"/v1.0/$metadata#servicePrincipals/$entity", copyMap(sp.props))
	})
}

// writeCreated answers 201 with a new object's properties (a copy the caller owns) and its metadata context.
func writeCreated(w http.ResponseWriter, context string, out map[string]any) {
	out["@odata.context"] = context
	writeJSON(w, http.StatusCreated, out)
}

// mergeCreateLocked writes the properties of a create body into a new object's props: unknown and read-only
// properties are refused as PATCH refuses them, annotations (@odata.*, *@odata.bind) are skipped, and a complex value
// is merged over the default one so that the sub-properties it leaves out keep the values Graph gives a new object.
func (s *Server) mergeCreateLocked(w http.ResponseWriter, r *http.Request, props, body map[string]any, readOnly []string, entity string) bool {
	isAnnotation := func(k string) bool { return strings.Contains(k, "@odata.") }
	if !s.checkWritable(w, r, props, body, readOnly, entity, isAnnotation) {
		return false
	}
	for k, v := range body {
		if !isAnnotation(k) {
			props[k] = mergeDefaults(props[k], v)
		}
	}
	return true
}

// mergeDefaults returns given, with the keys of def it lacks filled in when both are objects (recursively).
func mergeDefaults(def, given any) any {
	dm, ok1 := def.(map[string]any)
	gm, ok2 := given.(map[string]any)
	if !ok1 || !ok2 {
		return given
	}
	out := copyMap(dm)
	for k, v := range gm {
		out[k] = mergeDefaults(dm[k], v)
	}
	return out
}

// bindRefsLocked reads an @odata.bind annotation (a list of object URLs) and returns the object ids. An entry that
// names no object of the tenant is refused with 400 Request_BadRequest "Resource '…' does not exist or one of its
// queried reference-property objects are not present." (SOURCE, microsoft-graph.md §9.3: azuread's group create
// retries on that 400 while owners replicate). Callers hold s.mu.
func (s *Server) bindRefsLocked(w http.ResponseWriter, r *http.Request, body map[string]any, key string) ([]string, bool) {
	raw, present := body[key]
	if !present || raw == nil {
		return nil, true
	}
	list, ok := raw.([]any)
	if !ok {
		s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property '"+key+"'.")
		return nil, false
	}
	var ids []string
	for _, v := range list {
		ref, _ := v.(string)
		id := boundObjectID(ref)
		if id == "" {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid object identifier '"+ref+"'.")
			return nil, false
		}
		if s.directoryObjectLocked(id) == nil {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest,
				fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
			return nil, false
		}
		ids = append(ids, strings.ToLower(id))
	}
	return ids, true
}

// boundObjectID takes the object id from an object URL: …/directoryObjects/{id}, …/users/{id}, …/groups/{id} or
// …/servicePrincipals/{id} (Graph's examples use the typed forms, azuread the directoryObjects one).
func boundObjectID(ref string) string {
	if id := refObjectID(ref); id != "" {
		return id
	}
	for _, set := range []string{"/users/", "/groups/", "/servicePrincipals/"} {
		if i := strings.LastIndex(ref, set); i >= 0 {
			id := strings.Trim(ref[i+len(set):], "/")
			if id != "" && !strings.ContainsAny(id, "/?") {
				return id
			}
		}
	}
	return ""
}

// setOwnersLocked records the owners an object was created with. Callers hold s.mu.
func (s *Server) setOwnersLocked(id string, owners []string) {
	if len(owners) == 0 {
		return
	}
	if s.owners == nil {
		s.owners = map[string][]string{}
	}
	s.owners[strings.ToLower(id)] = owners
}

// getDirectoryObject serves GET /v1.0/directoryObjects/{id}: the object with its @odata.type (azuread reads an
// owner's type this way before it orders a group's owners, microsoft-graph.md §9.3).
func (s *Server) getDirectoryObject(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	obj := s.directoryObjectLocked(id)
	s.mu.Unlock()
	if obj == nil {
		s.notFound(w, r, id)
		return
	}
	obj["@odata.context"] = s.base(r) + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(w, http.StatusOK, obj)
}
