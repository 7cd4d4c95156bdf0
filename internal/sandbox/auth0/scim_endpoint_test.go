package auth0_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// scimCall calls the connection's SCIM endpoint with a SCIM token.
func (tn *tenant) scimCall(t *testing.T, method, connID, path, token, body string) response {
	t.Helper()
	return tn.call(t, method, "/scim/v2/connections/"+connID+path, body, map[string]string{"Authorization": "Bearer " + token})
}

func TestSCIMEndpointTokens(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	other := tn.mustCreateConnection(t, `{"name":"other","strategy":"okta"}`)
	for _, c := range []string{id, other} {
		if _, err := tn.CreateSCIMConfiguration(c, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	expiring, err := tn.CreateSCIMToken(id, []string{"get:users"}, 1000*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	revoked, _ := tn.CreateSCIMToken(id, []string{"get:users"}, 0)
	tn.RevokeSCIMToken(id, revoked.TokenID)
	foreign, _ := tn.CreateSCIMToken(other, []string{"get:users"}, 0)

	tests := []struct {
		name   string
		token  string
		after  time.Duration
		status int
		detail string
	}{
		{"valid", expiring.Token, 0, 200, ""},
		{"management token", tn.token, 0, 401, "Invalid token"},
		{"revoked", revoked.Token, 0, 401, "Invalid token"},
		{"other connection's token", foreign.Token, 0, 401, "Invalid token"},
		{"just before valid_until", expiring.Token, 999 * time.Second, 200, ""},
		{"at valid_until", expiring.Token, time.Second, 401, "Expired token"},
	}
	for _, tc := range tests {
		tn.clock.Advance(tc.after)
		r := tn.scimCall(t, "GET", id, "/Users", tc.token, "")
		if r.status != tc.status {
			t.Fatalf("%s: %d %s", tc.name, r.status, r.body)
		}
		if tc.detail != "" && r.json(t)["detail"] != tc.detail {
			t.Fatalf("%s: %s", tc.name, r.body)
		}
	}
	// last_used_at records the last successful use, on the API and in the Management API list.
	toks := tn.SCIMTokens(id)
	if len(toks) != 1 || !toks[0].LastUsedAt.Equal(tn.clock.Now().Add(-time.Second)) {
		t.Fatalf("%+v", toks)
	}
	r := tn.call(t, "GET", "/api/v2/connections/"+id+"/scim-configuration/tokens", "", nil)
	var items []map[string]any
	_ = json.Unmarshal(r.body, &items)
	if len(items) != 1 || items[0]["last_used_at"] != "2025-11-06T04:07:15.919Z" {
		t.Fatalf("%s", r.body)
	}

	// Deleting the configuration turns the endpoint off.
	tn.DeleteSCIMConfiguration(id)
	if r := tn.scimCall(t, "GET", id, "/Users", expiring.Token, ""); r.status != 404 {
		t.Fatalf("without configuration: %d %s", r.status, r.body)
	}
}

// TestSeedFlow walks the older-connection guide: users who already logged in (no externalId, no upn) are found by
// e-mail, then Entra's PATCH writes externalId and userName into their profile.
func TestSeedFlow(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	uid, err := tn.AddUser(id, auth0.User{
		UserID: "waad|entra-corp|pairwise-sub", Email: "alice@corp.example", Name: "Alice Anders",
		GivenName: "Alice", FamilyName: "Anders", Username: "alice",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tn.CreateSCIMConfiguration(id, "", nil); err != nil {
		t.Fatal(err)
	}
	tok := tn.mustSCIMToken(t, id, []string{"get:users", "patch:users", "delete:users"})
	search := func(filter string) []any {
		r := tn.scimCall(t, "GET", id, "/Users?filter="+url.QueryEscape(filter), tok.Token, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", filter, r.status, r.body)
		}
		return sandboxtest.As[[]any](t, r.json(t)["Resources"])
	}
	if n := len(search(`externalId eq "11111111-2222-3333-4444-555555555555"`)); n != 0 {
		t.Fatalf("externalId matched %d users", n)
	}
	found := search(`emails[type eq "work"].value eq "alice@corp.example"`)
	if len(found) != 1 || sandboxtest.As[map[string]any](t, found[0])["id"] != uid {
		t.Fatalf("%v", found)
	}
	// Creating is not allowed with these scopes.
	if r := tn.scimCall(t, "POST", id, "/Users", tok.Token, `{"userName":"carol@corp.example","externalId":"c"}`); r.status != 403 {
		t.Fatalf("POST without post:users: %d", r.status)
	}
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
		`{"op":"Replace","path":"externalId","value":"11111111-2222-3333-4444-555555555555"},` +
		`{"op":"Replace","path":"userName","value":"alice@corp.example"},` +
		`{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Engineering"}]}`
	if r := tn.scimCall(t, "PATCH", id, "/Users/"+url.PathEscape(uid), tok.Token, patch); r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	u, ok := tn.GetUser(id, uid)
	if !ok {
		t.Fatal("user gone")
	}
	if ext, _ := u.Attr("app_metadata.external_id"); ext != "11111111-2222-3333-4444-555555555555" {
		t.Fatalf("external_id %v", ext)
	}
	if u.Attributes["upn"] != "alice@corp.example" || u.AppMetadata["department"] != "Engineering" || u.Username != "alice" || u.Email != "alice@corp.example" {
		t.Fatalf("%+v", u)
	}
	if n := len(search(`externalId eq "11111111-2222-3333-4444-555555555555"`)); n != 1 {
		t.Fatalf("externalId now matches %d users", n)
	}
	users := tn.ListUsers(id)
	if len(users) != 1 || users[0].UserID != uid || users[0].CreatedAt == "" {
		t.Fatalf("%+v", users)
	}
	if err := tn.UpdateUser(id, uid, func(u *auth0.User) { u.Blocked = true }); err != nil {
		t.Fatal(err)
	}
	if r := tn.scimCall(t, "GET", id, "/Users/"+url.PathEscape(uid), tok.Token, ""); r.json(t)["active"] != false {
		t.Fatalf("%s", r.body)
	}
	if r := tn.scimCall(t, "DELETE", id, "/Users/"+url.PathEscape(uid), tok.Token, ""); r.status != 204 {
		t.Fatalf("DELETE: %d", r.status)
	}
	if _, ok := tn.GetUser(id, uid); ok || tn.DeleteUser(id, uid) {
		t.Fatal("user not deleted")
	}
}
