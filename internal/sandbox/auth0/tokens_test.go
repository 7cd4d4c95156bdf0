package auth0_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

func TestSCIMTokens(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	path := "/api/v2/connections/" + id + "/scim-configuration/tokens"

	if got := tn.call(t, "GET", path, "", nil); got.status != 404 || got.json(t)["message"] != "Not Found" {
		t.Fatalf("tokens without configuration: %d %s", got.status, got.body)
	}
	tn.call(t, "POST", "/api/v2/connections/"+id+"/scim-configuration", "", nil)

	for _, tc := range []struct{ body, message string }{
		{`{"token_lifetime":900}`, "Payload validation error: 'Value 900 is less than or equal to exclusive minimum 900' on property token_lifetime."},
		{`{"token_lifetime":"1000"}`, "'Expected type integer but found type string' on property token_lifetime."},
		{`{"scopes":[]}`, "'Array is too short (0), minimum 1' on property scopes."},
		{`{"scopes":["read:users"]}`, `'No enum match for: "read:users"' on property scopes[0].`},
		{`{"scopes":["get:users"],"other":1}`, "'Additional properties not allowed: other'."},
	} {
		got := tn.call(t, "POST", path, tc.body, nil)
		if got.status != 400 || !strings.Contains(sandboxtest.As[string](t, got.json(t)["message"]), tc.message) || got.json(t)["errorCode"] != "invalid_body" {
			t.Errorf("POST %s: %d %s", tc.body, got.status, got.body)
		}
	}

	// A non-expiring token: OBSERVED shape.
	got := tn.call(t, "POST", path, `{"scopes":["get:users","post:users"]}`, nil)
	if got.status != 201 || !regexp.MustCompile(`^\{"token_id":"(tok_[A-Za-z0-9]{16})","token":"tok_[A-Za-z0-9]{16}\.[0-9a-f]{64}",`+
		`"scopes":\["get:users","post:users"\],"created_at":"2025-11-06T03:50:36.919Z"\}$`).Match(got.body) {
		t.Fatalf("%d %s", got.status, got.body)
	}
	first := got.json(t)
	firstID := sandboxtest.As[string](t, first["token_id"])
	if !strings.HasPrefix(sandboxtest.As[string](t, first["token"]), firstID+".") {
		t.Fatalf("secret does not start with the token id: %s", got.body)
	}

	// An expiring token: valid_until = created_at + token_lifetime.
	got = tn.call(t, "POST", path, `{"scopes":["get:users"],"token_lifetime":3600}`, nil)
	second := got.json(t)
	if got.status != 201 || second["valid_until"] != "2025-11-06T04:50:36.919Z" {
		t.Fatalf("%d %s", got.status, got.body)
	}

	// Third token: the DOCUMENTED 409.
	got = tn.call(t, "POST", path, `{"scopes":["get:users"]}`, nil)
	if got.status != 409 || string(got.body) != `{"statusCode":409,"error":"Conflict","message":"Maximum of 2 tokens already issued for this connection"}` {
		t.Fatalf("%d %s", got.status, got.body)
	}

	// The list: no secret, valid_until only for the expiring token, no last_used_at before use.
	got = tn.call(t, "GET", path, "", nil)
	want := `[{"token_id":"` + firstID + `","created_at":"2025-11-06T03:50:36.919Z","scopes":["get:users","post:users"]},` +
		`{"token_id":"` + sandboxtest.As[string](t, second["token_id"]) + `","created_at":"2025-11-06T03:50:36.919Z","scopes":["get:users"],"valid_until":"2025-11-06T04:50:36.919Z"}]`
	if got.status != 200 || string(got.body) != want {
		t.Fatalf("list:\n%s\nwant\n%s", got.body, want)
	}

	// Once expired, a token no longer counts against the limit.
	tn.clock.Advance(time.Hour)
	if got = tn.call(t, "POST", path, `{}`, nil); got.status != 201 {
		t.Fatalf("after expiry: %d %s", got.status, got.body)
	}
	var defaults struct{ Scopes []string }
	_ = json.Unmarshal(got.body, &defaults)
	if strings.Join(defaults.Scopes, " ") != "get:users post:users put:users patch:users delete:users" {
		t.Fatalf("default scopes: %v", defaults.Scopes)
	}

	// Delete.
	for _, tc := range []struct {
		tokenID string
		status  int
	}{
		{firstID, 204},
		{firstID, 404},
		{"tok_aaaaaaaaaaaaaaaa", 404},
		{"not-a-token", 400},
	} {
		got := tn.call(t, "DELETE", path+"/"+tc.tokenID, "", nil)
		if got.status != tc.status {
			t.Errorf("DELETE %s: %d %s", tc.tokenID, got.status, got.body)
		}
	}
	if n := len(tn.SCIMTokens(id)); n != 2 {
		t.Fatalf("%d tokens left", n)
	}
}

func TestSCIMTokenGoAPI(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	if _, err := tn.CreateSCIMToken(id, nil, 0); err == nil {
		t.Fatal("token without configuration")
	}
	if _, err := tn.CreateSCIMConfiguration(id, "", nil); err != nil {
		t.Fatal(err)
	}
	tok, err := tn.CreateSCIMToken(id, []string{"get:users"}, time.Hour)
	if err != nil || !strings.HasPrefix(tok.Token, tok.TokenID+".") || !tok.ValidUntil.Equal(tok.CreatedAt.Add(time.Hour)) {
		t.Fatalf("%v %+v", err, tok)
	}
	list := tn.SCIMTokens(id)
	if len(list) != 1 || list[0].Token != "" || !list[0].LastUsedAt.IsZero() {
		t.Fatalf("%+v", list)
	}
	if !tn.RevokeSCIMToken(id, tok.TokenID) || tn.RevokeSCIMToken(id, tok.TokenID) {
		t.Fatal("RevokeSCIMToken")
	}
}
