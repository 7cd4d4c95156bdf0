package entra

import (
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// TestBetaGroupLifecycle follows azuread_group and azuread_group_member through the beta API: create with the caller
// bound as owner, the rename that proves replication, member $ref add/list/filter/remove, owners, memberOf, PATCH,
// DELETE and the errors (microsoft-graph.md §9.4, §9.5).
func TestBetaGroupLifecycle(t *testing.T) {
	tn := newTenant(t)
	tn.s.GrantAppRoles(testClient, PermGroupReadWriteAll)
	callerSP, _ := tn.s.ServicePrincipalByAppID(testClient)
	caller := sandboxtest.As[string](t, callerSP["id"])
	alice, _ := tn.s.AddUser(User{UserPrincipalName: "alice@sandbox.onmicrosoft.com", DisplayName: "Alice", AccountEnabled: true})
	bob, _ := tn.s.AddUser(User{UserPrincipalName: "bob@sandbox.onmicrosoft.com", DisplayName: "Bob", AccountEnabled: true})
	parent, _ := tn.s.AddGroup("parent", nil)

	// The body azuread sends for a security group.
	r := tn.mustStatus(tn.call("POST", "/beta/groups", map[string]any{
		"displayName": "SCIM users", "groupTypes": []any{}, "isAssignableToRole": false, "mailEnabled": false,
		"mailNickname": "a1b2c3d4-e", "membershipRule": nil, "resourceBehaviorOptions": []any{},
		"resourceProvisioningOptions": []any{}, "securityEnabled": true,
		"owners@odata.bind": []any{tn.url + "/beta/directoryObjects/" + caller},
	}), 201)
	gid := r.str("id")
	if gid == "" || r.str("displayName") != "SCIM users" || r.body["securityEnabled"] != true || r.body["mailEnabled"] != false ||
		r.str("mailNickname") != "a1b2c3d4-e" || r.body["membershipRule"] != nil || len(sandboxtest.As[[]any](t, r.body["groupTypes"])) != 0 ||
		!strings.HasSuffix(r.str("@odata.context"), "/beta/$metadata#groups/$entity") {
		t.Fatalf("create: %s", r.raw)
	}
	tn.mustStatus(tn.call("PATCH", "/beta/groups/"+gid, map[string]any{"displayName": "TERRAFORM_UPDATE_1"}), 204)
	tn.mustStatus(tn.call("PATCH", "/beta/groups/"+gid, map[string]any{"displayName": "SCIM users", "description": "provisioned"}), 204)
	r = tn.mustStatus(tn.call("GET", "/beta/groups/"+gid, nil), 200)
	if r.str("displayName") != "SCIM users" || r.str("description") != "provisioned" || r.str("mailNickname") != "a1b2c3d4-e" {
		t.Fatalf("read: %s", r.raw)
	}
	if _, ok := r.body["resourceBehaviorOptions"]; !ok {
		t.Fatalf("beta read lacks resourceBehaviorOptions: %s", r.raw)
	}
	// v1.0 reads the same group.
	if r := tn.mustStatus(tn.call("GET", "/v1.0/groups/"+gid, nil), 200); r.str("mailNickname") != "a1b2c3d4-e" {
		t.Fatalf("v1.0 read: %s", r.raw)
	}
	if l := tn.mustStatus(tn.call("GET", "/beta/groups?$filter=displayName+eq+'SCIM+users'", nil), 200).list(); len(l) != 1 || l[0]["id"] != gid {
		t.Fatalf("filter by name: %v", l)
	}

	// Members.
	members := "/beta/groups/" + gid + "/members"
	for _, id := range []string{alice, bob} {
		tn.mustStatus(tn.call("POST", members+"/$ref", map[string]any{"@odata.id": tn.url + "/beta/directoryObjects/" + id}), 204)
	}
	if r := tn.call("POST", members+"/$ref", map[string]any{"@odata.id": tn.url + "/beta/directoryObjects/" + alice}); r.status != 400 || !strings.Contains(r.errMsg(), "'members'") {
		t.Fatalf("duplicate member: %d %s", r.status, r.raw)
	}
	if r := tn.call("POST", members+"/$ref", map[string]any{"@odata.id": tn.url + "/beta/directoryObjects/" + newGUID()}); r.status != 404 {
		t.Fatalf("unknown member: %d %s", r.status, r.raw)
	}
	r = tn.mustStatus(tn.call("GET", members, nil), 200)
	if l := r.list(); len(l) != 2 || l[0]["@odata.type"] != "#microsoft.graph.user" || l[0]["id"] != alice || !strings.HasSuffix(r.str("@odata.context"), "/beta/$metadata#directoryObjects") {
		t.Fatalf("members: %s", r.raw)
	}
	if l := tn.mustStatus(tn.call("GET", members+"?$filter=id+eq+'"+bob+"'", nil), 200).list(); len(l) != 1 || l[0]["id"] != bob {
		t.Fatalf("member filter: %v", l)
	}
	tn.mustStatus(tn.call("DELETE", members+"/"+bob+"/$ref", nil), 204)
	if r := tn.call("DELETE", members+"/"+bob+"/$ref", nil); r.status != 404 {
		t.Fatalf("removing a non-member: %d", r.status)
	}
	if got, _ := tn.s.GroupMembers(gid); len(got) != 1 || got[0] != alice {
		t.Fatalf("members after removal: %v", got)
	}

	// Owners and memberOf.
	if l := tn.mustStatus(tn.call("GET", "/beta/groups/"+gid+"/owners", nil), 200).list(); len(l) != 1 || l[0]["id"] != caller {
		t.Fatalf("owners: %v", l)
	}
	tn.mustStatus(tn.call("POST", "/beta/groups/"+parent+"/members/$ref", map[string]any{"@odata.id": tn.url + "/v1.0/directoryObjects/" + gid}), 204)
	if l := tn.mustStatus(tn.call("GET", "/beta/groups/"+gid+"/memberOf", nil), 200).list(); len(l) != 1 || l[0]["id"] != parent || l[0]["@odata.type"] != "#microsoft.graph.group" {
		t.Fatalf("memberOf: %v", l)
	}

	// Delete: gone, and no longer a member of its parent; then 404.
	tn.mustStatus(tn.call("DELETE", "/beta/groups/"+gid, nil), 204)
	if r := tn.call("GET", "/beta/groups/"+gid, nil); r.status != 404 || r.errCode() != CodeResourceNotFound {
		t.Fatalf("read after delete: %d %s", r.status, r.raw)
	}
	if got, _ := tn.s.GroupMembers(parent); len(got) != 0 {
		t.Fatalf("parent still lists the deleted group: %v", got)
	}
	if r := tn.call("DELETE", "/beta/groups/"+gid, nil); r.status != 404 {
		t.Fatalf("second delete: %d", r.status)
	}
}

func TestBetaGroupRules(t *testing.T) {
	tn := newTenant(t)
	ok := map[string]any{"displayName": "g", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true}
	with := func(k string, v any) map[string]any {
		m := copyMap(ok)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	// The documented minimum (GroupMember.Read.All) reads but does not create.
	if r := tn.call("POST", "/beta/groups", ok); r.status != 403 || r.errCode() != CodeAuthorizationRequestDenied {
		t.Fatalf("create without Group.Create: %d %s", r.status, r.raw)
	}
	tn.s.GrantAppRoles(testClient, PermGroupCreate)
	for _, tc := range []struct {
		name string
		body map[string]any
		msg  string
	}{
		{"no mailNickname", with("mailNickname", nil), "'mailNickname'"},
		{"no securityEnabled", with("securityEnabled", nil), "'securityEnabled'"},
		{"blank displayName", with("displayName", " "), "'displayName'"},
		{"mailEnabled not a boolean", with("mailEnabled", "no"), "'mailEnabled'"},
		{"unknown property", with("colour", "red"), "Property 'colour' does not exist"},
		{"unknown member", with("members@odata.bind", []any{tn.url + "/v1.0/directoryObjects/" + newGUID()}), "does not exist"},
	} {
		if r := tn.call("POST", "/beta/groups", tc.body); r.status != 400 || r.errCode() != CodeBadRequest || !strings.Contains(r.errMsg(), tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	// Group.Create creates (with members bound at creation) but does not change or delete.
	uid, _ := tn.s.AddUser(User{UserPrincipalName: "m@sandbox.onmicrosoft.com", AccountEnabled: true})
	r := tn.mustStatus(tn.call("POST", "/beta/groups", with("members@odata.bind", []any{"https://graph.microsoft.com/beta/users/" + uid})), 201)
	if got, _ := tn.s.GroupMembers(r.str("id")); len(got) != 1 || got[0] != uid {
		t.Fatalf("members bound at creation: %v", got)
	}
	for _, m := range []string{"PATCH", "DELETE"} {
		if got := tn.call(m, "/beta/groups/"+r.str("id"), map[string]any{"description": "x"}); got.status != 403 {
			t.Errorf("%s without Group.ReadWrite.All: %d", m, got.status)
		}
	}
}
