package auth0_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// A group created over SCIM shows in the Management API as a connection group with its members.
func TestGroupsThroughManagementAPI(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustSCIMConnection(t)
	uid, err := tn.AddUser(id, auth0.User{Email: "alice@corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	tok := tn.mustSCIMToken(t, id, []string{"get:groups", "post:groups"})
	r := tn.scimCall(t, "POST", id, "/Groups", tok.Token, `{"displayName":"Engineering","externalId":"gid-1","members":[{"value":"`+uid+`"}]}`)
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	gid := sandboxtest.As[string](t, r.json(t)["id"])

	r = tn.call(t, "GET", "/api/v2/groups?connection_id="+id, "", nil)
	var list []map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &list) != nil || len(list) != 1 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	g := list[0]
	if g["id"] != gid || g["name"] != "Engineering" || g["external_id"] != "gid-1" || g["connection_id"] != id || g["tenant_name"] != "sandbox" {
		t.Fatalf("group %v", g)
	}
	if r = tn.call(t, "GET", "/api/v2/groups?connection_id=con_other", "", nil); string(r.body) != "[]" {
		t.Fatalf("other connection: %s", r.body)
	}
	r = tn.call(t, "GET", "/api/v2/groups/"+gid+"/members", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `{"id":"`+uid+`","member_type":"user"}`) {
		t.Fatalf("members: %d %s", r.status, r.body)
	}
	if r = tn.call(t, "GET", "/api/v2/groups/grp_unknown", "", nil); r.status != 404 {
		t.Fatalf("unknown: %d", r.status)
	}
	// Scope-guarded like every Management API route.
	r = tn.call(t, "GET", "/api/v2/groups", "", map[string]string{"Authorization": "Bearer " + tn.IssueToken([]string{"read:connections"})})
	if r.status != 403 || !strings.Contains(string(r.body), "read:groups") {
		t.Fatalf("scope: %d %s", r.status, r.body)
	}
}
