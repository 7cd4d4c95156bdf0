package entra

import (
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// TestCreateApplicationAndServicePrincipal follows azuread_application and azuread_service_principal: create with
// the caller bound as owner, the rename that proves replication, the service principal from the appId, the
// removal of the caller as owner, and the errors Graph gives (microsoft-graph.md §9.1, §9.2).
func TestCreateApplicationAndServicePrincipal(t *testing.T) {
	tn := newTenant(t)
	callerSP, _ := tn.s.ServicePrincipalByAppID(testClient)
	caller := sandboxtest.As[string](t, callerSP["id"])
	bind := tn.url + "/v1.0/directoryObjects/" + caller

	// The body azuread sends (go-azure-sdk keeps explicit nulls for unset nullable properties).
	r := tn.mustStatus(tn.call("POST", "/v1.0/applications", map[string]any{
		"displayName": "Auth0 login", "description": nil, "signInAudience": "AzureADMyOrg", "tags": []any{},
		"isFallbackPublicClient": false, "isDeviceOnlyAuthSupported": false, "identifierUris": []any{},
		"web":               map[string]any{"redirectUris": []any{"https://tenant.example/login/callback"}, "implicitGrantSettings": map[string]any{"enableIdTokenIssuance": false}},
		"owners@odata.bind": []any{bind},
	}), 201)
	appObj, appID := r.str("id"), r.str("appId")
	if appObj == "" || appID == "" || appObj == appID || !strings.HasSuffix(r.str("@odata.context"), "/v1.0/$metadata#applications/$entity") {
		t.Fatalf("create: %s", r.raw)
	}
	// Complex values are merged over the defaults: the sub-properties the body left out are there, as Graph shows them.
	if dig(r.body, "web", "homePageUrl") != nil || dig(r.body, "web", "implicitGrantSettings", "enableAccessTokenIssuance") != false ||
		sandboxtest.As[[]any](t, dig(r.body, "web", "redirectUris"))[0] != "https://tenant.example/login/callback" || r.body["applicationTemplateId"] != nil {
		t.Fatalf("web: %s", r.raw)
	}
	// No service principal comes with a plain app registration.
	if l := tn.mustStatus(tn.call("GET", "/v1.0/servicePrincipals?$filter=appId+eq+'"+appID+"'", nil), 200).list(); len(l) != 0 {
		t.Fatalf("service principal created with the application: %v", l)
	}
	if l := tn.mustStatus(tn.call("GET", "/v1.0/applications/"+appObj+"/owners", nil), 200).list(); len(l) != 1 || l[0]["id"] != caller {
		t.Fatalf("owners from owners@odata.bind: %v", l)
	}
	tn.mustStatus(tn.call("PATCH", "/v1.0/applications/"+appObj, map[string]any{"displayName": "TERRAFORM_UPDATE_x"}), 204)
	tn.mustStatus(tn.call("PATCH", "/v1.0/applications/"+appObj, map[string]any{"displayName": "Auth0 login"}), 204)
	tn.mustStatus(tn.call("GET", "/beta/applications/"+appObj, nil), 200)

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		msg    string
	}{
		{"no displayName", map[string]any{"signInAudience": "AzureADMyOrg"}, 400, "'displayName'"},
		{"unknown property", map[string]any{"displayName": "x", "colour": "red"}, 400, "Property 'colour' does not exist"},
		{"read-only property", map[string]any{"displayName": "x", "appId": newGUID()}, 400, "read-only"},
		{"unknown owner", map[string]any{"displayName": "x", "owners@odata.bind": []any{tn.url + "/v1.0/directoryObjects/" + newGUID()}}, 400, "does not exist"},
		{"password at create", map[string]any{"displayName": "x", "passwordCredentials": []any{map[string]any{"displayName": "p"}}}, 400, "addPassword"},
	} {
		if r := tn.call("POST", "/v1.0/applications", tc.body); r.status != tc.status || r.errCode() != CodeBadRequest || !strings.Contains(r.errMsg(), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}

	// The service principal: 400 for an unknown appId (azuread retries on this text), 201, then 409.
	r = tn.call("POST", "/v1.0/servicePrincipals", map[string]any{"appId": newGUID()})
	if r.status != 400 || !strings.Contains(r.errMsg(), "of the service principal does not reference a valid application object") {
		t.Fatalf("unknown appId: %d %s", r.status, r.raw)
	}
	if r := tn.call("POST", "/v1.0/servicePrincipals", map[string]any{"appId": appID, "displayName": " "}); r.status != 400 || !strings.Contains(r.errMsg(), "'displayName'") {
		t.Fatalf("blank displayName: %d %s", r.status, r.raw)
	}
	r = tn.mustStatus(tn.call("POST", "/v1.0/servicePrincipals", map[string]any{
		"appId": appID, "accountEnabled": true, "appRoleAssignmentRequired": false, "description": "TERRAFORM_UPDATE_y",
		"tags": []any{"WindowsAzureActiveDirectoryIntegratedApp"}, "owners@odata.bind": []any{bind},
	}), 201)
	spID := r.str("id")
	if r.str("appId") != appID || r.str("displayName") != "Auth0 login" || r.str("appDisplayName") != "Auth0 login" ||
		r.str("description") != "TERRAFORM_UPDATE_y" || r.str("servicePrincipalType") != "Application" ||
		!strings.HasSuffix(r.str("@odata.context"), "/v1.0/$metadata#servicePrincipals/$entity") {
		t.Fatalf("service principal: %s", r.raw)
	}
	if names := sandboxtest.As[[]any](t, r.body["servicePrincipalNames"]); len(names) != 1 || names[0] != appID {
		t.Fatalf("servicePrincipalNames: %v", names)
	}
	r = tn.call("POST", "/v1.0/servicePrincipals", map[string]any{"appId": appID})
	if r.status != 409 || r.errCode() != CodeMultipleObjectsWithSameKeyValue || !strings.Contains(r.errMsg(), appID+" is already in use") {
		t.Fatalf("second service principal: %d %s", r.status, r.raw)
	}
	tn.mustStatus(tn.call("DELETE", "/v1.0/servicePrincipals/"+spID+"/owners/"+caller+"/$ref", nil), 204)
	tn.mustStatus(tn.call("GET", "/beta/servicePrincipals/"+spID, nil), 200)

	// Deleting the application takes its service principal with it; reads then 404.
	tn.mustStatus(tn.call("DELETE", "/v1.0/applications/"+appObj, nil), 204)
	for _, p := range []string{"/v1.0/applications/" + appObj, "/v1.0/servicePrincipals/" + spID} {
		if r := tn.call("GET", p, nil); r.status != 404 || r.errCode() != CodeResourceNotFound {
			t.Fatalf("%s after delete: %d %s", p, r.status, r.raw)
		}
	}
}

// TestCreateNeedsApplicationWrite: creating applications and service principals takes Application.ReadWrite.All.
func TestCreateNeedsApplicationWrite(t *testing.T) {
	tn := newTenant(t)
	tn.s.RevokeAppRoles(testClient, PermApplicationReadWriteAll)
	for _, p := range []string{"/v1.0/applications", "/v1.0/servicePrincipals"} {
		if r := tn.call("POST", p, map[string]any{"displayName": "x", "appId": newGUID()}); r.status != 403 || r.errCode() != CodeAuthorizationRequestDenied {
			t.Errorf("POST %s without Application.ReadWrite.All: %d %s", p, r.status, r.raw)
		}
	}
}

// TestCreatedApplicationLags: an application created through Graph reads as 404 during replication lag, and a
// service principal for it is refused with the 400 azuread retries on.
func TestCreatedApplicationLags(t *testing.T) {
	tn := newTenant(t)
	tn.s.SetReplicationLagFor("POST /v1.0/applications", 1<<40)
	r := tn.mustStatus(tn.call("POST", "/v1.0/applications", map[string]any{"displayName": "lagging"}), 201)
	if got := tn.call("GET", "/v1.0/applications/"+r.str("id"), nil); got.status != 404 {
		t.Fatalf("read during lag: %d", got.status)
	}
	if got := tn.call("POST", "/v1.0/servicePrincipals", map[string]any{"appId": r.str("appId")}); got.status != 400 {
		t.Fatalf("service principal during lag: %d %s", got.status, got.raw)
	}
}

// TestDirectoryObject: GET /directoryObjects/{id} answers users, groups and service principals with @odata.type and
// needs Directory.Read.All.
func TestDirectoryObject(t *testing.T) {
	tn := newTenant(t)
	uid, err := tn.s.AddUser(User{UserPrincipalName: "u@sandbox.onmicrosoft.com", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	gid, err := tn.s.AddGroup("g", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := tn.call("GET", "/v1.0/directoryObjects/"+uid, nil); r.status != 403 {
		t.Fatalf("without Directory.Read.All: %d %s", r.status, r.raw)
	}
	tn.s.GrantAppRoles(testClient, PermDirectoryReadAll)
	for id, typ := range map[string]string{uid: "#microsoft.graph.user", gid: "#microsoft.graph.group"} {
		r := tn.mustStatus(tn.call("GET", "/v1.0/directoryObjects/"+id, nil), 200)
		if r.str("@odata.type") != typ || r.str("id") != id || !strings.HasSuffix(r.str("@odata.context"), "#directoryObjects/$entity") {
			t.Errorf("%s: %s", id, r.raw)
		}
	}
	if r := tn.call("GET", "/v1.0/directoryObjects/"+newGUID(), nil); r.status != 404 || r.errCode() != CodeResourceNotFound {
		t.Fatalf("unknown object: %d %s", r.status, r.raw)
	}
}
