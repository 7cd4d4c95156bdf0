package scim_test

import (
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// PATCH shapes Entra sends without ?aadOptscim062020 ("legacy": title-case ops, "False"/"True" strings, one op
// per attribute) and with it (RFC 7644: lowercase ops, booleans, path-less value objects), auth0-management-api.md §9
// and microsoft-graph.md §6.
func TestPatchShapes(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	tests := []struct {
		name string
		ops  string
		want map[string]any // profile attribute → value; nil means absent
	}{
		{"legacy disable", `[{"op":"Replace","path":"active","value":"False"}]`, map[string]any{"blocked": true}},
		{"flag disable", `[{"op":"replace","path":"active","value":false}]`, map[string]any{"blocked": true}},
		{"legacy enable", `[{"op":"Replace","path":"active","value":"True"}]`, map[string]any{"blocked": false}},
		{"legacy add single attribute", `[{"op":"Add","path":"nickName","value":"Babs"}]`, map[string]any{"nickname": "Babs"}},
		{"flag add single attribute", `[{"op":"add","path":"nickName","value":"Babs"}]`, map[string]any{"nickname": "Babs"}},
		{"legacy replace several", `[
			{"op":"Replace","path":"displayName","value":"Pvlo"},
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"TestBcwqnm@test.microsoft.com"},
			{"op":"Replace","path":"name.givenName","value":"Gtfd"},
			{"op":"Replace","path":"name.familyName","value":"Pkqf"},
			{"op":"Replace","path":"externalId","value":"Eqpj"},
			{"op":"Replace","path":"` + ent + `:employeeNumber","value":"Eqpj"}]`,
			map[string]any{
				"name": "Pvlo", "email": "TestBcwqnm@test.microsoft.com", "given_name": "Gtfd", "family_name": "Pkqf",
				"app_metadata.external_id": "Eqpj", "app_metadata.employee_id": "Eqpj",
			}},
		{"flag replace several with a value object", `[
			{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
			{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","` + ent + `:employeeNumber":"Aklq"}}]`,
			map[string]any{
				"email": "TestMhvaes@test.microsoft.com", "name": "Bjfe", "given_name": "Kkom", "family_name": "Unua",
				"app_metadata.employee_id": "Aklq", "app_metadata.external_id": "oid-1",
			}},
		{"value object with nested objects", `[{"op":"replace","value":{"name":{"givenName":"G"},"` + ent + `":{"department":"D"},"active":false}}]`,
			map[string]any{"given_name": "G", "family_name": "Anders", "app_metadata.department": "D", "blocked": true}},
		{"dotted enterprise path", `[{"op":"replace","path":"` + ent + `.department","value":"Ops"}]`,
			map[string]any{"app_metadata.department": "Ops"}},
		{"manager as reference", `[{"op":"Add","path":"` + ent + `:manager","value":"m-1"}]`,
			map[string]any{"app_metadata.manager": "m-1"}},
		{"filter creates the element", `[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555"}]`,
			map[string]any{"app_metadata.mobile_phone_number": "+1 555"}},
		{"add to a multi-valued attribute replaces the same type", `[{"op":"add","path":"emails","value":[{"type":"work","value":"new@corp.example","primary":true}]}]`,
			map[string]any{"email": "new@corp.example"}},
		{"replace a multi-valued attribute", `[{"op":"replace","path":"emails","value":[{"type":"home","value":"h@x"}]}]`,
			map[string]any{"email": nil}},
		{"remove an attribute", `[{"op":"Remove","path":"title"}]`, map[string]any{"app_metadata.title": nil, "name": "Alice Anders"}},
		{"remove by filter", `[{"op":"remove","path":"emails[type eq \"work\"]"}]`, map[string]any{"email": nil}},
		{"remove a sub-attribute", `[{"op":"remove","path":"name.familyName"}]`, map[string]any{"family_name": nil, "given_name": "Alice"}},
		{"unmapped attribute is ignored", `[{"op":"replace","path":"profileUrl","value":"https://x"}]`, map[string]any{"app_metadata.profile_url": nil}},
		{"complex replace keeps other sub-attributes", `[{"op":"replace","path":"name","value":{"familyName":"Z"}}]`,
			map[string]any{"given_name": "Alice", "family_name": "Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.do("POST", "/Users", "all", entraUser("alice@corp.example", "oid-1", "alice@corp.example"))
			id := sandboxtest.As[string](t, r.body["id"])
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + tc.ops + `}`
			r = h.do("PATCH", userPath(id), "all", body)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if r.body["id"] != id {
				t.Fatalf("response is not the user: %s", r.raw)
			}
			p, _ := h.srv.User(connID, id)
			for name, want := range tc.want {
				got, ok := p.Get(name)
				if want == nil {
					if ok {
						t.Errorf("%s = %v, want absent", name, got)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
			if b, _ := p.Get("blocked"); b == true && r.body["active"] != false {
				t.Errorf("the response must render active from blocked: %s", r.raw)
			}
		})
	}
}

func TestPatchErrors(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", "/Users", "all", entraUser("alice@corp.example", "oid-1", "alice@corp.example"))
	id := sandboxtest.As[string](t, r.body["id"])
	h.do("POST", "/Users", "all", entraUser("bob@corp.example", "oid-2", "bob@corp.example"))
	tests := []struct {
		ops      string
		status   int
		scimType string
	}{
		{`[{"op":"move","path":"title","value":"x"}]`, 400, "invalidSyntax"},
		{`[{"op":"remove"}]`, 400, "noTarget"},
		{`[{"op":"replace","path":"emails[type eq","value":"x"}]`, 400, "invalidPath"},
		{`[{"op":"replace","value":"not an object"}]`, 400, "invalidValue"},
		{`[{"op":"replace","path":"id","value":"x"}]`, 400, "mutability"},
		{`[]`, 400, "invalidValue"},
		{`[{"op":"replace","path":"userName","value":"Bob@corp.example"}]`, 409, "uniqueness"},
	}
	for _, tc := range tests {
		t.Run(tc.ops, func(t *testing.T) {
			r := h.do("PATCH", userPath(id), "all", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+tc.ops+`}`)
			if r.status != tc.status || r.body["scimType"] != tc.scimType {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	// A failed PATCH changes nothing.
	if p, _ := h.srv.User(connID, id); p["upn"] != "alice@corp.example" {
		t.Fatalf("profile changed: %v", p)
	}
	if r := h.do("PATCH", userPath("waad|entra-corp|nobody"), "all", `{"Operations":[{"op":"remove","path":"title"}]}`); r.status != 404 ||
		!strings.Contains(r.raw, "not found") {
		t.Fatalf("unknown user: %d %s", r.status, r.raw)
	}
}
