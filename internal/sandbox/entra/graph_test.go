package entra

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

func TestInstantiate(t *testing.T) {
	tn := newTenant(t)
	r := tn.mustStatus(tn.call("POST", "/v1.0/applicationTemplates/"+NonGalleryTemplateID+"/instantiate", map[string]any{"displayName": "Auth0 SCIM (corp)"}), 201)
	if !strings.HasSuffix(r.str("@odata.context"), "$metadata#microsoft.graph.applicationServicePrincipal") {
		t.Errorf("@odata.context = %q", r.str("@odata.context"))
	}
	appID := r.str("application", "appId")
	if r.str("application", "applicationTemplateId") != NonGalleryTemplateID || r.str("servicePrincipal", "applicationTemplateId") != NonGalleryTemplateID {
		t.Errorf("applicationTemplateId not set: %s", r.raw)
	}
	sp := sandboxtest.As[map[string]any](t, r.body["servicePrincipal"])
	if sp["appId"] != appID || sp["appRoleAssignmentRequired"] != true || sp["displayName"] != "Auth0 SCIM (corp)" {
		t.Errorf("service principal: %v", sp)
	}
	if names := sandboxtest.As[[]any](t, sp["servicePrincipalNames"]); len(names) != 1 || names[0] != appID {
		t.Errorf("servicePrincipalNames = %v", names)
	}
	tags := sandboxtest.As[[]any](t, sp["tags"])
	if len(tags) != 2 || tags[0] != "WindowsAzureActiveDirectoryIntegratedApp" || tags[1] != "WindowsAzureActiveDirectoryCustomSingleSignOnApplication" {
		t.Errorf("tags = %v", tags)
	}
	roles := map[string]string{}
	for _, ro := range sandboxtest.As[[]any](t, sp["appRoles"]) {
		m := sandboxtest.As[map[string]any](t, ro)
		roles[sandboxtest.As[string](t, m["displayName"])] = sandboxtest.As[string](t, m["id"])
	}
	if roles["User"] != AppRoleUser || roles["msiam_access"] != AppRoleMsiamAccess {
		t.Errorf("appRoles = %v", roles)
	}

	tests := []struct {
		name   string
		tpl    string
		body   any
		status int
		code   string
	}{
		{"unknown template", "00000000-0000-0000-0000-000000000001", map[string]any{"displayName": "x"}, 404, CodeResourceNotFound},
		{"no display name", NonGalleryTemplateID, map[string]any{}, 400, CodeBadRequest},
		{"bad json", NonGalleryTemplateID, "{", 400, "BadRequest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.call("POST", "/v1.0/applicationTemplates/"+tc.tpl+"/instantiate", tc.body)
			if r.status != tc.status || r.errCode() != tc.code || r.errMsg() == "" {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	tn.mustStatus(tn.call("GET", "/v1.0/applicationTemplates/"+NonGalleryTemplateID, nil), 200)
}

func TestApplicationsAndServicePrincipals(t *testing.T) {
	tn := newTenant(t)
	oidcApp := "0b6c5f9e-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
	if _, err := tn.s.AddApplication(oidcApp, "Auth0 login (corp)"); err != nil {
		t.Fatal(err)
	}
	a := tn.instantiate("SCIM one")
	tn.instantiate("SCIM two")

	q := func(f string) string { return "?$filter=" + url.QueryEscape(f) }
	tests := []struct {
		name  string
		path  string
		count int
	}{
		{"by appId", "/v1.0/applications" + q("appId eq '"+oidcApp+"'"), 1},
		{"by displayName case-insensitive", "/v1.0/applications" + q("displayName eq 'scim ONE'"), 1},
		{"template and name", "/v1.0/applications" + q("applicationTemplateId eq '"+NonGalleryTemplateID+"' and displayName eq 'SCIM two'"), 1},
		{"startswith", "/v1.0/applications" + q("startswith(displayName,'SCIM')"), 2},
		{"no match", "/v1.0/applications" + q("appId eq 'nope'"), 0},
		{"all", "/v1.0/applications", 4}, // + the automation client's own app
		{"sp by appId", "/v1.0/servicePrincipals" + q("appId eq '"+a.appID+"'"), 1},
		{"top", "/v1.0/applications?$top=1", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.mustStatus(tn.call("GET", tc.path, nil), 200)
			if n := len(r.list()); n != tc.count {
				t.Fatalf("%d results, want %d: %s", n, tc.count, r.raw)
			}
		})
	}

	errs := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"unsupported filter op", "GET", "/v1.0/applications" + q("displayName gt 'a'"), nil, 400, CodeUnsupportedQuery},
		{"unfilterable property", "GET", "/v1.0/applications" + q("notes eq 'a'"), nil, 400, CodeUnsupportedQuery},
		{"or", "GET", "/v1.0/applications" + q("appId eq 'a' or appId eq 'b'"), nil, 400, CodeUnsupportedQuery},
		{"unknown app", "GET", "/v1.0/applications/" + newGUID(), nil, 404, CodeResourceNotFound},
		{"unknown sp", "GET", "/v1.0/servicePrincipals/" + newGUID(), nil, 404, CodeResourceNotFound},
		{"patch read-only", "PATCH", "/v1.0/applications/" + a.appObj, map[string]any{"appId": "x"}, 400, CodeBadRequest},
		{"patch unknown property", "PATCH", "/v1.0/applications/" + a.appObj, map[string]any{"colour": "x"}, 400, CodeBadRequest},
		{"bad select", "GET", "/v1.0/applications/" + a.appObj + "?$select=nope", nil, 400, "BadRequest"},
		{"unknown segment", "GET", "/v1.0/nothingHere/x/y", nil, 400, "BadRequest"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.call(tc.method, tc.path, tc.body)
			if r.status != tc.status || r.errCode() != tc.code || r.errMsg() == "" {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}

	// Alternate key and $select.
	r := tn.mustStatus(tn.call("GET", "/v1.0/applications(appId='"+a.appID+"')?$select=id,displayName", nil), 200)
	if r.str("id") != a.appObj || r.str("displayName") != "SCIM one" || r.body["appId"] != nil {
		t.Errorf("alternate key/$select: %s", r.raw)
	}
	tn.mustStatus(tn.call("GET", "/v1.0/servicePrincipals(appId='"+a.appID+"')", nil), 200)

	// PATCH renames; the SP's appDisplayName follows.
	tn.mustStatus(tn.call("PATCH", "/v1.0/applications/"+a.appObj, map[string]any{"displayName": "SCIM renamed", "notes": "n"}), 204)
	if r := tn.call("GET", "/v1.0/servicePrincipals/"+a.spID, nil); r.str("appDisplayName") != "SCIM renamed" || r.str("displayName") != "SCIM one" {
		t.Errorf("after rename: %s", r.raw)
	}
	tn.mustStatus(tn.call("PATCH", "/v1.0/servicePrincipals/"+a.spID, map[string]any{"appRoleAssignmentRequired": false}), 204)

	// Deleting the application deletes its service principal, jobs and assignments.
	tn.createJob(&a)
	u, _ := tn.s.AddUser(User{UserPrincipalName: "x@corp.example", DisplayName: "X", AccountEnabled: true})
	tn.mustStatus(tn.call("POST", "/v1.0/servicePrincipals/"+a.spID+"/appRoleAssignedTo", map[string]any{"principalId": u, "resourceId": a.spID, "appRoleId": AppRoleUser}), 201)
	tn.mustStatus(tn.call("DELETE", "/v1.0/applications/"+a.appObj, nil), 204)
	tn.mustStatus(tn.call("GET", "/v1.0/servicePrincipals/"+a.spID, nil), 404)
	tn.mustStatus(tn.call("GET", tn.jobPath(a, ""), nil), 404)
	if len(tn.s.Jobs(a.spID)) != 0 || len(tn.s.Assignments(a.spID)) != 0 {
		t.Error("jobs or assignments survived the application")
	}
	tn.mustStatus(tn.call("DELETE", "/v1.0/applications/"+a.appObj, nil), 404)

	// DELETE a service principal keeps the application.
	b := tn.instantiate("SCIM three")
	tn.mustStatus(tn.call("DELETE", "/v1.0/servicePrincipals(appId='"+b.appID+"')", nil), 204)
	tn.mustStatus(tn.call("GET", "/v1.0/applications/"+b.appObj, nil), 200)
}

func TestUsersAndGroups(t *testing.T) {
	tn := newTenant(t)
	alice, _ := tn.s.AddUser(User{UserPrincipalName: "alice@corp.example", DisplayName: "Alice Anders", GivenName: "Alice", Mail: "alice@corp.example", Department: "Engineering", AccountEnabled: true})
	bob, _ := tn.s.AddUser(User{UserPrincipalName: "bob@corp.example", DisplayName: "Bob Brown", AccountEnabled: false})
	gid, err := tn.s.AddGroup("Engineering", []string{alice, bob})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tn.s.AddGroup("Bad", []string{"missing"}); err == nil {
		t.Error("AddGroup with a missing member succeeded")
	}

	r := tn.mustStatus(tn.call("GET", "/v1.0/users/ALICE@corp.example", nil), 200)
	if r.str("id") != alice || r.body["department"] != nil || r.body["businessPhones"] == nil {
		t.Errorf("default property set: %s", r.raw)
	}
	r = tn.mustStatus(tn.call("GET", "/v1.0/users/"+alice+"?$select=department,accountEnabled,mailNickname", nil), 200)
	if r.str("department") != "Engineering" || r.body["accountEnabled"] != true || r.str("mailNickname") != "alice" {
		t.Errorf("$select: %s", r.raw)
	}
	r = tn.mustStatus(tn.call("GET", "/v1.0/users?$filter="+url.QueryEscape("accountEnabled eq false"), nil), 200)
	if l := r.list(); len(l) != 1 || l[0]["id"] != bob {
		t.Errorf("filter accountEnabled: %s", r.raw)
	}
	r = tn.mustStatus(tn.call("GET", "/v1.0/users?$filter="+url.QueryEscape("mail eq 'alice@corp.example'")+"&$count=true", nil), 200)
	if len(r.list()) != 1 || r.body["@odata.count"] != float64(1) {
		t.Errorf("filter mail: %s", r.raw)
	}
	tn.mustStatus(tn.call("GET", "/v1.0/users/nobody@corp.example", nil), 404)

	r = tn.mustStatus(tn.call("GET", "/v1.0/groups?$filter="+url.QueryEscape("displayName eq 'engineering'"), nil), 200)
	if l := r.list(); len(l) != 1 || l[0]["id"] != gid || l[0]["securityEnabled"] != true {
		t.Errorf("groups filter: %s", r.raw)
	}
	tn.mustStatus(tn.call("GET", "/v1.0/groups/"+gid, nil), 200)
	r = tn.mustStatus(tn.call("GET", "/v1.0/groups/"+gid+"/members", nil), 200)
	if l := r.list(); len(l) != 2 || l[0]["@odata.type"] != "#microsoft.graph.user" {
		t.Errorf("members: %s", r.raw)
	}
	tn.mustStatus(tn.call("GET", "/v1.0/groups/"+newGUID()+"/members", nil), 404)
}

func TestAppRoleAssignments(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")
	other := tn.instantiate("Other")
	alice, _ := tn.s.AddUser(User{UserPrincipalName: "alice@corp.example", DisplayName: "Alice", AccountEnabled: true})
	gid, _ := tn.s.AddGroup("Engineering", []string{alice})
	path := "/v1.0/servicePrincipals/" + a.spID + "/appRoleAssignedTo"

	r := tn.mustStatus(tn.call("POST", path, map[string]any{"principalId": gid, "resourceId": a.spID, "appRoleId": AppRoleUser}), 201)
	aid := r.str("id")
	if len(aid) != 43 || strings.ContainsAny(aid, "+/=") {
		t.Errorf("assignment id %q is not 43-char base64url", aid)
	}
	if r.str("principalType") != "Group" || r.str("principalDisplayName") != "Engineering" || r.str("resourceDisplayName") != "SCIM" || r.str("appRoleId") != AppRoleUser {
		t.Errorf("assignment: %s", r.raw)
	}

	tests := []struct {
		name   string
		sp     string
		body   map[string]any
		status int
		code   string
		msg    string
	}{
		{"user", a.spID, map[string]any{"principalId": alice, "resourceId": a.spID, "appRoleId": AppRoleMsiamAccess}, 201, "", ""},
		{"duplicate", a.spID, map[string]any{"principalId": gid, "resourceId": a.spID, "appRoleId": AppRoleUser}, 400, CodeBadRequest, "Permission being assigned already exists on the object"},
		{"missing principal", a.spID, map[string]any{"principalId": newGUID(), "resourceId": a.spID, "appRoleId": AppRoleUser}, 400, CodeBadRequest, "Not a valid reference update."},
		{"missing role", a.spID, map[string]any{"principalId": alice, "resourceId": a.spID, "appRoleId": newGUID()}, 400, CodeBadRequest, "Permission being assigned was not found on application '" + a.appID + "'."},
		{"default role on an app with roles", a.spID, map[string]any{"principalId": alice, "resourceId": a.spID, "appRoleId": defaultAccessRole}, 400, CodeBadRequest, "Permission being assigned was not found"},
		{"resource mismatch", a.spID, map[string]any{"principalId": alice, "resourceId": other.spID, "appRoleId": AppRoleUser}, 400, CodeBadRequest, "resourceId"},
		{"unknown sp", newGUID(), map[string]any{"principalId": alice, "resourceId": "x", "appRoleId": AppRoleUser}, 404, CodeResourceNotFound, "does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.call("POST", "/v1.0/servicePrincipals/"+tc.sp+"/appRoleAssignedTo", tc.body)
			if r.status != tc.status || r.errCode() != tc.code || !strings.Contains(r.errMsg(), tc.msg) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}

	r = tn.mustStatus(tn.call("GET", path, nil), 200)
	if len(r.list()) != 2 {
		t.Fatalf("list: %s", r.raw)
	}
	tn.mustStatus(tn.call("GET", path+"/"+aid, nil), 200)
	tn.mustStatus(tn.call("DELETE", path+"/"+aid, nil), 204)
	tn.mustStatus(tn.call("DELETE", path+"/"+aid, nil), 404)
	if got := tn.s.Assignments(a.spID); len(got) != 1 || got[0].PrincipalID != alice {
		t.Errorf("Assignments() = %+v", got)
	}
}

func TestReplicationLag(t *testing.T) {
	tn := newTenant(t)
	alice, _ := tn.s.AddUser(User{UserPrincipalName: "alice@corp.example", DisplayName: "Alice", AccountEnabled: true})
	tn.s.SetReplicationLag(300 * time.Millisecond)

	a := tn.instantiate("Lagging")
	checks := []struct{ method, path string }{
		{"GET", "/v1.0/applications/" + a.appObj},
		{"GET", "/v1.0/servicePrincipals/" + a.spID},
		{"GET", "/v1.0/applications(appId='" + a.appID + "')"},
		{"PATCH", "/v1.0/applications/" + a.appObj},
		{"GET", "/v1.0/servicePrincipals/" + a.spID + "/synchronization/templates"},
		{"POST", "/v1.0/servicePrincipals/" + a.spID + "/synchronization/jobs"},
		{"GET", "/v1.0/servicePrincipals/" + a.spID + "/appRoleAssignedTo"},
	}
	for _, c := range checks {
		r := tn.call(c.method, c.path, map[string]any{"templateId": "scim", "notes": "x"})
		if r.status != 404 || r.errCode() != CodeResourceNotFound {
			t.Errorf("%s %s during lag: %d %s", c.method, c.path, r.status, r.raw)
		}
	}
	r := tn.mustStatus(tn.call("GET", "/v1.0/applications?$filter="+url.QueryEscape("appId eq '"+a.appID+"'"), nil), 200)
	if len(r.list()) != 0 {
		t.Error("filter returned a lagging application")
	}
	// The Go API sees through the lag.
	if _, ok := tn.s.Application(a.appObj); !ok {
		t.Error("Application() hides a lagging object")
	}

	waitFor(t, func() bool { return tn.call("GET", "/v1.0/servicePrincipals/"+a.spID, nil).status == 200 })

	// Jobs and assignments created through Graph lag too; per route and per request overrides apply.
	tn.s.SetReplicationLag(0)
	tn.s.SetReplicationLagFor("POST /v1.0/servicePrincipals/{id}/synchronization/jobs", 300*time.Millisecond)
	tn.createJob(&a)
	tn.mustStatus(tn.call("GET", tn.jobPath(a, ""), nil), 404)
	tn.mustStatus(tn.call("GET", tn.jobPath(a, "/schema"), nil), 404)
	if l := tn.call("GET", tn.syncPath(a, "/jobs"), nil).list(); len(l) != 0 {
		t.Error("job list shows a lagging job")
	}
	waitFor(t, func() bool { return tn.call("GET", tn.jobPath(a, ""), nil).status == 200 })

	r = tn.callWith("POST", "/v1.0/servicePrincipals/"+a.spID+"/appRoleAssignedTo",
		map[string]any{"principalId": alice, "resourceId": a.spID, "appRoleId": AppRoleUser},
		map[string]string{"Authorization": "Bearer " + tn.token, "X-Sandbox-Replication-Lag": "300ms"})
	tn.mustStatus(r, 201)
	if l := tn.call("GET", "/v1.0/servicePrincipals/"+a.spID+"/appRoleAssignedTo", nil).list(); len(l) != 0 {
		t.Error("assignment visible during lag")
	}
	waitFor(t, func() bool {
		return len(tn.call("GET", "/v1.0/servicePrincipals/"+a.spID+"/appRoleAssignedTo", nil).list()) == 1
	})

	// Principals that are still replicating cannot be assigned.
	tn.s.SetReplicationLag(300 * time.Millisecond)
	b := tn.instantiate("Principal")
	tn.s.SetReplicationLag(0)
	r = tn.call("POST", "/v1.0/servicePrincipals/"+a.spID+"/appRoleAssignedTo", map[string]any{"principalId": b.spID, "resourceId": a.spID, "appRoleId": AppRoleUser})
	if r.status != 400 || r.errMsg() != "Not a valid reference update." {
		t.Errorf("lagging principal: %d %s", r.status, r.raw)
	}
}

func TestInstantiateNotFoundStillCreates(t *testing.T) {
	tn := newTenant(t)
	tn.s.SetInstantiateNotFound(1)
	r := tn.call("POST", "/v1.0/applicationTemplates/"+NonGalleryTemplateID+"/instantiate", map[string]any{"displayName": "TERRAFORM_INSTANTIATE_x"})
	if r.status != 404 || r.errCode() != CodeResourceNotFound {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	q := url.QueryEscape("applicationTemplateId eq '" + NonGalleryTemplateID + "' and displayName eq 'TERRAFORM_INSTANTIATE_x'")
	l := tn.mustStatus(tn.call("GET", "/v1.0/applications?$filter="+q, nil), 200).list()
	if len(l) != 1 {
		t.Fatalf("the application was not created: %v", l)
	}
	tn.mustStatus(tn.call("POST", "/v1.0/applicationTemplates/"+NonGalleryTemplateID+"/instantiate", map[string]any{"displayName": "next"}), 201)
}

func TestFaultsUseGraphEnvelope(t *testing.T) {
	tn := newTenant(t)
	rt := tn.s.Router()
	rt.Inject(router.Fault{Route: "GET /v1.0/users", Status: 429, RetryAfter: 2 * time.Second, Times: 1})
	r := tn.call("GET", "/v1.0/users", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "2" || r.errCode() != CodeTooManyRequests || r.errMsg() == "" {
		t.Fatalf("429: %d %v %s", r.status, r.header, r.raw)
	}
	rt.Inject(router.Fault{Route: "GET /v1.0/users", Status: 503, Times: 1})
	r = tn.call("GET", "/v1.0/users", nil)
	if r.status != 503 || r.header.Get("Retry-After") != "1" || r.errMsg() == "" {
		t.Fatalf("503: %d %v %s", r.status, r.header, r.raw)
	}
	tn.mustStatus(tn.call("GET", "/v1.0/users", nil), 200)
	if got := tn.s.Counters()["GET /v1.0/users"]; got != 3 {
		t.Errorf("counter = %d", got)
	}

	rt.Inject(router.Fault{Route: "POST /{tenant}/oauth2/v2.0/token", Status: 429, Times: 1})
	st, body := tn.postForm("/"+testTenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}})
	if st != 429 || body["error"] != "temporarily_unavailable" {
		t.Fatalf("login 429: %d %v", st, body)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(25 * time.Millisecond)
	}
}
