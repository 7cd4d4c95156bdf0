package scim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

var groupScopes = []string{"get:groups", "post:groups", "put:groups", "patch:groups", "delete:groups"}

// groupHarness has a user alice and tokens "all" (user and group scopes) and "users" (user scopes only).
func groupHarness(t *testing.T) (*harness, string) {
	h := newHarness(t)
	h.tenant.tokens["all"] = append(append([]string{}, allUserScopes...), groupScopes...)
	h.tenant.tokens["users"] = allUserScopes
	r := h.do("POST", "/Users", "all", entraUser("alice@corp.example", "oid-1", "alice@corp.example"))
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	return h, sandboxtest.As[string](t, r.body["id"])
}

func TestGroupsLifecycle(t *testing.T) {
	h, alice := groupHarness(t)
	// Entra creates a group without members, then adds them with PATCH.
	r := h.do("POST", "/Groups", "all", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"gid-1","displayName":"Engineering","members":[]}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := sandboxtest.As[string](t, r.body["id"])
	if !strings.HasPrefix(id, "grp_") || len(id) != 20 {
		t.Fatalf("group id %q", id)
	}
	r = h.do("PATCH", "/Groups/"+id, "all", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"`+alice+`"}]}]}`)
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	gs := h.srv.Groups(connID)
	if len(gs) != 1 || len(gs[0].Members) != 1 || gs[0].Members[0] != alice || gs[0].ExternalID != "gid-1" {
		t.Fatalf("stored %+v", gs)
	}
	// Entra's lookup: eq filter, members excluded.
	r = h.do("GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22Engineering%22`, "all", "")
	if r.status != 200 || sandboxtest.As[float64](t, r.body["totalResults"]) != 1 {
		t.Fatalf("search: %d %s", r.status, r.raw)
	}
	if _, has := sandboxtest.As[map[string]any](t, sandboxtest.As[[]any](t, r.body["Resources"])[0])["members"]; has {
		t.Fatalf("members not excluded: %s", r.raw)
	}
	// eq only.
	r = h.do("GET", `/Groups?filter=displayName+eq+%22a%22+or+displayName+eq+%22b%22`, "all", "")
	if r.status != 400 || r.body["scimType"] != "invalidFilter" {
		t.Fatalf("or filter: %d %s", r.status, r.raw)
	}
	// Removing a member the aadOptscim062020 way.
	r = h.do("PATCH", "/Groups/"+id, "all", `{"Operations":[{"op":"remove","path":"members[value eq \"`+alice+`\"]"}]}`)
	if r.status != 200 || len(h.srv.Groups(connID)[0].Members) != 0 {
		t.Fatalf("remove: %d %s", r.status, r.raw)
	}
	r = h.do("DELETE", "/Groups/"+id, "all", "")
	if r.status != 204 || len(h.srv.Groups(connID)) != 0 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if r = h.do("GET", "/Groups/"+id, "all", ""); r.status != 404 {
		t.Fatalf("get deleted: %d", r.status)
	}
}

func TestGroupsRules(t *testing.T) {
	h, alice := groupHarness(t)
	create := func(name, members string) reply {
		return h.do("POST", "/Groups", "all", `{"displayName":"`+name+`","members":[`+members+`]}`)
	}
	if r := create("Eng", `{"value":"`+alice+`"}`); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	// displayName unique per connection.
	if r := create("ENG", ""); r.status != 409 || r.body["scimType"] != "uniqueness" {
		t.Fatalf("duplicate: %d %s", r.status, r.raw)
	}
	// Members must be users of the connection.
	if r := create("Other", `{"value":"waad|entra-corp|nobody"}`); r.status != 400 || !strings.Contains(r.raw, "not a user of this connection") {
		t.Fatalf("foreign member: %d %s", r.status, r.raw)
	}
	// 10,000 members per POST, 1,000 per PATCH.
	many := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`{"value":"u%d"}`, i)
		}
		return strings.Join(parts, ",")
	}
	if r := create("Big", many(10001)); r.status != 400 || !strings.Contains(r.raw, "10000") {
		t.Fatalf("10001 members: %d %.200s", r.status, r.raw)
	}
	id := h.srv.Groups(connID)[0].ID
	r := h.do("PATCH", "/Groups/"+id, "all", `{"Operations":[{"op":"add","path":"members","value":[`+many(1001)+`]}]}`)
	if r.status != 400 || !strings.Contains(r.raw, "1000") {
		t.Fatalf("1001 in PATCH: %d %.200s", r.status, r.raw)
	}
	// 1,001 removals by filtered path, one member each, are over the limit too.
	removals := make([]string, 1001)
	for i := range removals {
		removals[i] = fmt.Sprintf(`{"op":"remove","path":"members[value eq \"u%d\"]"}`, i)
	}
	r = h.do("PATCH", "/Groups/"+id, "all", `{"Operations":[`+strings.Join(removals, ",")+`]}`)
	if r.status != 400 || !strings.Contains(r.raw, "1001") {
		t.Fatalf("1001 filtered removals in PATCH: %d %.200s", r.status, r.raw)
	}
	// Deleting a user drops the membership.
	if r := h.do("DELETE", userPath(alice), "all", ""); r.status != 204 {
		t.Fatalf("%d", r.status)
	}
	if ms := h.srv.Groups(connID)[0].Members; len(ms) != 0 {
		t.Fatalf("members %v", ms)
	}
}

func TestGroupsScopes(t *testing.T) {
	h, _ := groupHarness(t)
	for _, c := range []struct{ method, path, body, scope string }{
		{"GET", "/Groups", "", "get:groups"},
		{"POST", "/Groups", `{"displayName":"x"}`, "post:groups"},
		{"GET", "/Groups/grp_x", "", "get:groups"},
		{"PUT", "/Groups/grp_x", `{"displayName":"x"}`, "put:groups"},
		{"PATCH", "/Groups/grp_x", `{"Operations":[]}`, "patch:groups"},
		{"DELETE", "/Groups/grp_x", "", "delete:groups"},
	} {
		r := h.do(c.method, c.path, "users", c.body)
		if r.status != 403 || r.body["detail"] != "Insufficient scope, expected any of: "+c.scope || r.body["status"] != "403" {
			t.Errorf("%s %s with user scopes only: %d %s", c.method, c.path, r.status, r.raw)
		}
	}
}
