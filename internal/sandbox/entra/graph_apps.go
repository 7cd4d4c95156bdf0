package entra

import (
	"net/http"
	"strings"
	"time"
)

// Application templates, applications and service principals (microsoft-graph.md §3).
//
// Applications and service principals are stored as the JSON property maps Graph renders, so PATCH can update any
// writable property and GET returns what was written.

type application struct {
	meta
	id    string
	props map[string]any
}

type servicePrincipal struct {
	meta
	id    string
	appID string
	props map[string]any
	// Synchronization state hangs off the service principal.
	secrets []secretKV
	jobs    map[string]*job
}

func (a *application) appID() string { s, _ := a.props["appId"].(string); return s }
func (sp *servicePrincipal) displayName() string {
	s, _ := sp.props["displayName"].(string)
	return s
}

// Properties PATCH may not change.
var (
	appReadOnly = []string{"id", "appId", "createdDateTime", "deletedDateTime", "publisherDomain", "applicationTemplateId", "disabledByMicrosoftStatus"}
	spReadOnly  = []string{"id", "appId", "appDisplayName", "appOwnerOrganizationId", "applicationTemplateId", "deletedDateTime", "servicePrincipalType", "appRoles", "oauth2PermissionScopes", "signInAudience"}

	appFilterable = []string{"id", "appId", "displayName", "applicationTemplateId", "publisherDomain", "signInAudience", "tags", "identifierUris"}
	spFilterable  = []string{"id", "appId", "displayName", "applicationTemplateId", "servicePrincipalType", "accountEnabled", "tags", "servicePrincipalNames", "appOwnerOrganizationId"}
)

func nonGalleryAppRoles() []any {
	role := func(id, name string) map[string]any {
		return map[string]any{
			"allowedMemberTypes": []any{"User"}, "description": name, "displayName": name, "id": id,
			"isEnabled": true, "origin": "Application", "value": nil,
		}
	}
	return []any{role(AppRoleMsiamAccess, "msiam_access"), role(AppRoleUser, "User")}
}

// addAppLocked creates an application and its service principal. templateID is the application template, or ""
// for a plain app registration. Callers hold s.mu.
func (s *Server) addAppLocked(appID, displayName, templateID string, lag time.Duration) (*application, *servicePrincipal) {
	app := s.newApplicationLocked(appID, displayName, templateID, lag)
	spTags := []any{"WindowsAzureActiveDirectoryIntegratedApp"}
	if templateID != "" {
		// microsoft-graph.md §3.2: the custom (non-gallery) app's service principal carries both feature tags.
		spTags = []any{"WindowsAzureActiveDirectoryIntegratedApp", "WindowsAzureActiveDirectoryCustomSingleSignOnApplication"}
	}
	sp := s.newServicePrincipalLocked(app, app.meta, spTags, templateID != "")
	return app, sp
}

func graphInfo() map[string]any {
	return map[string]any{"logoUrl": nil, "marketingUrl": nil, "privacyStatementUrl": nil, "supportUrl": nil, "termsOfServiceUrl": nil}
}

// newApplicationLocked stores an application (app registration) with every v1.0 property at the value Graph gives
// a new one, and no service principal. Callers hold s.mu.
func (s *Server) newApplicationLocked(appID, displayName, templateID string, lag time.Duration) *application {
	now := s.now()
	var tpl any
	appRoles := []any{}
	var homepage any
	if templateID != "" {
		tpl = templateID
		appRoles = nonGalleryAppRoles()
		// microsoft-graph.md §3.2: the custom (non-gallery) app carries the customappsso homepage.
		homepage = "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=customappsso|ISV9.1|primary|z"
	}
	info := graphInfo
	app := &application{meta: s.newMetaLocked(lag), id: newGUID()}
	app.props = map[string]any{
		"id": app.id, "deletedDateTime": nil, "appId": appID, "applicationTemplateId": tpl,
		"disabledByMicrosoftStatus": nil, "createdDateTime": graphTime(now), "displayName": displayName,
		"description": nil, "groupMembershipClaims": nil, "identifierUris": []any{}, "isDeviceOnlyAuthSupported": nil,
		"isFallbackPublicClient": nil, "notes": nil, "publisherDomain": s.cfg.TenantDomain,
		"serviceManagementReference": nil, "signInAudience": "AzureADMyOrg", "tags": []any{},
		"tokenEncryptionKeyId": nil, "defaultRedirectUri": nil, "optionalClaims": nil, "addIns": []any{},
		"api": map[string]any{"requestedAccessTokenVersion": nil, "acceptMappedClaims": nil, "knownClientApplications": []any{},
			"oauth2PermissionScopes": []any{}, "preAuthorizedApplications": []any{}},
		"appRoles": appRoles, "info": info(), "keyCredentials": []any{},
		"parentalControlSettings": map[string]any{"countriesBlockedForMinors": []any{}, "legalAgeGroupRule": "Allow"},
		"passwordCredentials":     []any{}, "publicClient": map[string]any{"redirectUris": []any{}},
		"requiredResourceAccess": []any{}, "spa": map[string]any{"redirectUris": []any{}},
		"verifiedPublisher": map[string]any{"displayName": nil, "verifiedPublisherId": nil, "addedDateTime": nil},
		"web": map[string]any{"homePageUrl": homepage, "logoutUrl": nil, "redirectUris": []any{},
			"implicitGrantSettings": map[string]any{"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
	}
	s.apps[app.id] = app
	return app
}

// newServicePrincipalLocked stores the service principal of app: its name, app roles, permission scopes, sign-in
// audience and homepage come from the application. m is its creation stamp (the instantiated pair shares one).
// Callers hold s.mu.
func (s *Server) newServicePrincipalLocked(app *application, m meta, tags []any, assignmentRequired bool) *servicePrincipal {
	appID := app.appID()
	sp := &servicePrincipal{meta: m, id: newGUID(), appID: appID, jobs: map[string]*job{}}
	s.seq++
	sp.seq = s.seq
	var homepage any
	web, _ := app.props["web"].(map[string]any)
	if web != nil {
		homepage = web["homePageUrl"]
	}
	scopes := []any{}
	if api, _ := app.props["api"].(map[string]any); api != nil {
		if v, ok := api["oauth2PermissionScopes"].([]any); ok {
			scopes, _ = copyValue(v).([]any) // copyValue keeps the type
		}
	}
	// servicePrincipalNames: the appId and the application's identifier URIs (DOCUMENTED, servicePrincipal resource
	// page: "the list of identifierUris copied over from the associated application" plus the appId).
	names := []any{appID}
	if uris, ok := app.props["identifierUris"].([]any); ok {
		names = append(names, uris...) // strings: no copy needed
	}
	sp.props = map[string]any{
		"id": sp.id, "deletedDateTime": nil, "accountEnabled": true, "alternativeNames": []any{},
		"appDisplayName": app.props["displayName"], "appDescription": app.props["description"], "appId": appID,
		"applicationTemplateId":  app.props["applicationTemplateId"],
		"appOwnerOrganizationId": s.cfg.TenantID, "appRoleAssignmentRequired": assignmentRequired,
		"createdDateTime": graphTime(s.now()), "description": nil, "disabledByMicrosoftStatus": nil,
		"displayName": app.props["displayName"], "homepage": homepage, "loginUrl": nil, "logoutUrl": nil, "notes": nil,
		"notificationEmailAddresses": []any{}, "preferredSingleSignOnMode": nil,
		"preferredTokenSigningKeyThumbprint": nil, "replyUrls": []any{}, "servicePrincipalNames": names,
		"servicePrincipalType": "Application", "signInAudience": app.props["signInAudience"], "tags": tags,
		"tokenEncryptionKeyId": nil, "samlSingleSignOnSettings": nil, "addIns": []any{}, "appRoles": copyValue(app.props["appRoles"]),
		"info": graphInfo(), "keyCredentials": []any{}, "oauth2PermissionScopes": scopes, "passwordCredentials": []any{},
		"resourceSpecificApplicationPermissions": []any{},
		"verifiedPublisher":                      map[string]any{"displayName": nil, "verifiedPublisherId": nil, "addedDateTime": nil},
	}
	s.sps[sp.id] = sp
	return sp
}

// visibleAppLocked returns the application with object id, or nil while replication lag still hides it.
func (s *Server) visibleAppLocked(id string) *application {
	a := s.apps[id]
	if a == nil || !a.visible(s.now()) {
		return nil
	}
	return a
}

func (s *Server) appByAppIDLocked(appID string, visibleOnly bool) *application {
	for _, a := range s.apps {
		if strings.EqualFold(a.appID(), appID) && (!visibleOnly || a.visible(s.now())) {
			return a
		}
	}
	return nil
}

func (s *Server) spLocked(id string, visibleOnly bool) *servicePrincipal {
	sp := s.sps[id]
	if sp == nil || (visibleOnly && !sp.visible(s.now())) {
		return nil
	}
	return sp
}

func (s *Server) spByAppIDLocked(appID string, visibleOnly bool) *servicePrincipal {
	for _, sp := range s.sps {
		if strings.EqualFold(sp.appID, appID) && (!visibleOnly || sp.visible(s.now())) {
			return sp
		}
	}
	return nil
}

// getApplicationTemplate serves GET /applicationTemplates/{id} for the non-gallery template ("Custom", as
// data.azuread_application_template names it, microsoft-graph.md §8.2).
func (s *Server) getApplicationTemplate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !strings.EqualFold(id, NonGalleryTemplateID) {
		s.notFound(w, r, id)
		return
	}
	s.writeEntity(w, r, "applicationTemplates/$entity", "applicationTemplate", map[string]any{
		"id": NonGalleryTemplateID, "displayName": "Custom", "homePageUrl": nil, "publisher": "Microsoft Corporation",
		"description": "Integrate any other application that you don't find in the gallery (Non-gallery)",
		"categories":  []any{}, "logoUrl": nil, "supportedProvisioningTypes": []any{"sync"},
		"supportedSingleSignOnModes": []any{"password", "saml", "notSupported"},
	}, nil)
}

// instantiate serves POST /applicationTemplates/{id}/instantiate (microsoft-graph.md §3.1): 201 with the application
// and the service principal. Both lag like every object created through Graph. With SetInstantiateNotFound it answers
// 404 and still creates them (microsoft-graph.md §3.4).
func (s *Server) instantiate(w http.ResponseWriter, r *http.Request) {
	const route = "POST /v1.0/applicationTemplates/{id}/instantiate"
	id := r.PathValue("id")
	if !strings.EqualFold(id, NonGalleryTemplateID) {
		s.notFound(w, r, id)
		return
	}
	var body struct {
		DisplayName string `json:"displayName"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	if strings.TrimSpace(body.DisplayName) == "" {
		s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'displayName' of resource 'ApplicationServicePrincipal'.")
		return
	}
	s.mu.Lock()
	app, sp := s.addAppLocked(newGUID(), body.DisplayName, NonGalleryTemplateID, s.lagForLocked(r, route))
	fail := s.instantiate404 > 0
	if fail {
		s.instantiate404--
	}
	appJSON, spJSON := copyMap(app.props), copyMap(sp.props)
	s.mu.Unlock()
	if fail {
		s.notFound(w, r, NonGalleryTemplateID)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"@odata.context":   s.base(r) + "/v1.0/$metadata#microsoft.graph.applicationServicePrincipal",
		"application":      appJSON,
		"servicePrincipal": spJSON,
	})
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) {
	listVisible(s, w, r, "v1.0", "applications", "application", func() map[string]*application { return s.apps },
		func(a *application) map[string]any { return copyMap(a.props) }, appFilterable, nil)
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) {
	s.getApp(w, r, func() *application { return s.visibleAppLocked(r.PathValue("id")) }, r.PathValue("id"))
}

// getApp, patchApp and deleteApp serve an application that find (called under s.mu) looks up by object id or by
// alternate key; the 404 names key.
func (s *Server) getApp(w http.ResponseWriter, r *http.Request, find func() *application, key string) {
	s.getObject(w, r, key, "v1.0", "applications/$entity", "application", nil, func() (map[string]any, bool) {
		if a := find(); a != nil {
			return copyMap(a.props), true
		}
		return nil, false
	})
}

func (s *Server) patchApplication(w http.ResponseWriter, r *http.Request) {
	s.patchApp(w, r, func() *application { return s.visibleAppLocked(r.PathValue("id")) }, r.PathValue("id"))
}

func (s *Server) patchApp(w http.ResponseWriter, r *http.Request, find func() *application, key string) {
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	underLockWith(s, w, r, key, find, func(w http.ResponseWriter, a *application) {
		if !s.applyPatchLocked(w, r, a.props, body, appReadOnly, "application") {
			return
		}
		// The service principal's appDisplayName follows the application's name.
		if sp := s.spByAppIDLocked(a.appID(), false); sp != nil {
			sp.props["appDisplayName"] = a.props["displayName"]
		}
		noContent(w)
	})
}

// applyPatchLocked merges body into props after checking every property exists and is writable; instance
// annotations (@odata.*) are skipped.
func (s *Server) applyPatchLocked(w http.ResponseWriter, r *http.Request, props, body map[string]any, readOnly []string, entity string) bool {
	isAnnotation := func(k string) bool { return strings.HasPrefix(k, "@odata.") }
	if !s.checkWritable(w, r, props, body, readOnly, entity, isAnnotation) {
		return false
	}
	for k, v := range body {
		if !isAnnotation(k) {
			props[k] = v
		}
	}
	return true
}

// checkWritable refuses, with Graph's 400, the first property of body (annotations passed over) that is read-only
// or that props does not declare, and an empty displayName; it reports whether body may be written.
func (s *Server) checkWritable(w http.ResponseWriter, r *http.Request, props, body map[string]any, readOnly []string, entity string, isAnnotation func(string) bool) bool {
	for k := range body {
		if isAnnotation(k) {
			continue
		}
		if containsFold(readOnly, k) {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Property '"+k+"' is read-only and cannot be set.")
			return false
		}
		if _, ok := props[k]; !ok {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Property '"+k+"' does not exist as a declared property or extension property.")
			return false
		}
	}
	if dn, ok := body["displayName"]; ok {
		if str, _ := dn.(string); strings.TrimSpace(str) == "" {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid value specified for property 'displayName' of resource '"+entity+"'.")
			return false
		}
	}
	return true
}

func (s *Server) deleteApplication(w http.ResponseWriter, r *http.Request) {
	s.deleteApp(w, r, func() *application { return s.visibleAppLocked(r.PathValue("id")) }, r.PathValue("id"))
}

func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request, find func() *application, key string) {
	underLockWith(s, w, r, key, find, func(w http.ResponseWriter, a *application) {
		s.deleteAppLocked(a)
		noContent(w)
	})
}

// deleteAppLocked removes an application and, with it, its service principal (and that one's jobs, secrets and
// assignments).
func (s *Server) deleteAppLocked(a *application) {
	delete(s.apps, a.id)
	if sp := s.spByAppIDLocked(a.appID(), false); sp != nil {
		s.deleteSPLocked(sp)
	}
}

// deleteSPLocked removes a service principal with its synchronization state and the assignments to it.
func (s *Server) deleteSPLocked(sp *servicePrincipal) {
	delete(s.sps, sp.id)
	for id, as := range s.asgs {
		if as.ResourceID == sp.id || as.PrincipalID == sp.id {
			delete(s.asgs, id)
		}
	}
}

func (s *Server) listServicePrincipals(w http.ResponseWriter, r *http.Request) {
	listVisible(s, w, r, "v1.0", "servicePrincipals", "servicePrincipal", func() map[string]*servicePrincipal { return s.sps },
		func(sp *servicePrincipal) map[string]any { return copyMap(sp.props) }, spFilterable, nil)
}

func (s *Server) getServicePrincipal(w http.ResponseWriter, r *http.Request) {
	s.getSP(w, r, func() *servicePrincipal { return s.spLocked(r.PathValue("id"), true) }, r.PathValue("id"))
}

// getSP, patchSP and deleteSP serve a service principal that find (called under s.mu) looks up by object id or by
// alternate key; the 404 names key.
func (s *Server) getSP(w http.ResponseWriter, r *http.Request, find func() *servicePrincipal, key string) {
	s.getObject(w, r, key, "v1.0", "servicePrincipals/$entity", "servicePrincipal", nil, func() (map[string]any, bool) {
		if sp := find(); sp != nil {
			return copyMap(sp.props), true
		}
		return nil, false
	})
}

func (s *Server) patchServicePrincipal(w http.ResponseWriter, r *http.Request) {
	s.patchSP(w, r, func() *servicePrincipal { return s.spLocked(r.PathValue("id"), true) }, r.PathValue("id"))
}

func (s *Server) patchSP(w http.ResponseWriter, r *http.Request, find func() *servicePrincipal, key string) {
	var body map[string]any
	if !s.readJSON(w, r, &body) {
		return
	}
	underLockWith(s, w, r, key, find, func(w http.ResponseWriter, sp *servicePrincipal) {
		if s.applyPatchLocked(w, r, sp.props, body, spReadOnly, "servicePrincipal") {
			noContent(w)
		}
	})
}

func (s *Server) deleteServicePrincipal(w http.ResponseWriter, r *http.Request) {
	s.deleteSP(w, r, func() *servicePrincipal { return s.spLocked(r.PathValue("id"), true) }, r.PathValue("id"))
}

func (s *Server) deleteSP(w http.ResponseWriter, r *http.Request, find func() *servicePrincipal, key string) {
	underLockWith(s, w, r, key, find, func(w http.ResponseWriter, sp *servicePrincipal) {
		s.deleteSPLocked(sp)
		noContent(w)
	})
}

// alternateKey serves /applications(appId='…') and /servicePrincipals(appId='…') for GET, PATCH and DELETE.
func (s *Server) alternateKey(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("alternateKey")
	entitySet, key, ok := parseAlternateKey(seg)
	if !ok {
		s.unknownRoute(w, r)
		return
	}
	switch entitySet {
	case "applications":
		find := func() *application { return s.appByAppIDLocked(key, true) }
		switch r.Method {
		case http.MethodPatch:
			s.patchApp(w, r, find, key)
		case http.MethodDelete:
			s.deleteApp(w, r, find, key)
		default:
			s.getApp(w, r, find, key)
		}
	case "servicePrincipals":
		find := func() *servicePrincipal { return s.spByAppIDLocked(key, true) }
		switch r.Method {
		case http.MethodPatch:
			s.patchSP(w, r, find, key)
		case http.MethodDelete:
			s.deleteSP(w, r, find, key)
		default:
			s.getSP(w, r, find, key)
		}
	default:
		s.unknownRoute(w, r)
	}
}

// parseAlternateKey splits `applications(appId='x')` into ("applications", "x").
func parseAlternateKey(seg string) (entitySet, key string, ok bool) {
	name, rest, found := strings.Cut(seg, "(")
	if !found || !strings.HasSuffix(rest, ")") {
		return "", "", false
	}
	rest = strings.TrimSuffix(rest, ")")
	prop, val, found := strings.Cut(rest, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(prop), "appId") {
		return "", "", false
	}
	val = strings.TrimSpace(val)
	if len(val) < 2 || val[0] != '\'' || val[len(val)-1] != '\'' {
		return "", "", false
	}
	return name, val[1 : len(val)-1], true
}

// copyMap deep-copies a JSON-shaped value tree.
func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return copyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = copyValue(e)
		}
		return out
	default:
		return v
	}
}
