package auth0_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

func TestCreateConnection(t *testing.T) {
	tn := newTenant(t, "sandbox")
	got := tn.call(t, "POST", "/api/v2/connections", waadConnectionBody, nil)
	if got.status != 201 {
		t.Fatalf("%d %s", got.status, got.body)
	}
	if !regexp.MustCompile(`^\{"id":"con_[A-Za-z0-9]{16}","options":\{"client_id"`).Match(got.body) {
		t.Fatalf("id or key order: %s", got.body)
	}
	body := got.json(t)
	opts := sandboxtest.As[map[string]any](t, body["options"])
	if opts["waad_common_endpoint"] != false || opts["userid_attribute"] != "oid" || len(opts) != 15 {
		t.Fatalf("options: %v", opts)
	}
	for k, want := range map[string]any{
		"is_domain_connection": false, "show_as_button": true, "display_name": "entra-corp",
		"authentication": map[string]any{"active": true}, "connected_accounts": map[string]any{"active": false},
		"enabled_clients": []any{}, "realms": []any{"entra-corp"},
	} {
		if b1, b2 := mustJSON(body[k]), mustJSON(want); b1 != b2 {
			t.Errorf("%s = %s, want %s", k, b1, b2)
		}
	}

	for _, tc := range []struct {
		name, body string
		status     int
		message    string
	}{
		{"duplicate name", waadConnectionBody, 409, "A connection with the same name already exists"},
		{"no name", `{"strategy":"waad"}`, 400, "Payload validation error: 'Missing required property: name'."},
		{"no strategy", `{"name":"x"}`, 400, "Payload validation error: 'Missing required property: strategy'."},
		{"bad name", `{"name":"-bad","strategy":"waad"}`, 400, "Payload validation error: 'String does not match pattern"},
		{"options not an object", `{"name":"x","strategy":"waad","options":"y"}`, 400, "'Expected type object but found type string' on property options."},
		{"not json", `{`, 400, "Invalid request payload JSON format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tn.call(t, "POST", "/api/v2/connections", tc.body, nil)
			if got.status != tc.status || !strings.Contains(sandboxtest.As[string](t, got.json(t)["message"]), tc.message) {
				t.Fatalf("%d %s", got.status, got.body)
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestListConnections(t *testing.T) {
	tn := newTenant(t, "sandbox")
	waad := tn.mustCreateConnection(t, waadConnectionBody)
	okta := tn.mustCreateConnection(t, `{"name":"okta-1","strategy":"okta","options":{"client_id":"a","client_secret":"b"}}`)
	db := tn.mustCreateConnection(t, `{"name":"db","strategy":"auth0"}`)

	ids := func(path string) []string {
		got := tn.call(t, "GET", path, "", nil)
		if got.status != 200 {
			t.Fatalf("%s: %d %s", path, got.status, got.body)
		}
		var list []struct {
			ID string `json:"id"`
		}
		var paged struct {
			Total       int `json:"total"`
			Connections []struct {
				ID string `json:"id"`
			} `json:"connections"`
		}
		if strings.Contains(path, "include_totals=true") {
			if err := json.Unmarshal(got.body, &paged); err != nil {
				t.Fatal(err)
			}
			list = paged.Connections
		} else if err := json.Unmarshal(got.body, &list); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}
	for path, want := range map[string][]string{
		"/api/v2/connections":                                       {waad, okta, db},
		"/api/v2/connections?strategy=waad":                         {waad},
		"/api/v2/connections?strategy=okta&strategy=auth0":          {okta, db},
		"/api/v2/connections?include_totals=true&per_page=2":        {waad, okta},
		"/api/v2/connections?include_totals=true&page=1&per_page=2": {db},
		"/api/v2/connections?name=okta-1":                           {okta},
	} {
		if got := ids(path); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
	if got := tn.ConnectionIDs(); strings.Join(got, ",") != strings.Join([]string{waad, okta, db}, ",") {
		t.Errorf("ConnectionIDs: %v", got)
	}
}

func TestUpdateConnection(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)

	got := tn.call(t, "PATCH", "/api/v2/connections/"+id,
		`{"display_name":"Corp","options":{"client_id":"9","useCommonEndpoint":true,"set_user_root_attributes":"on_first_login"}}`, nil)
	if got.status != 200 {
		t.Fatalf("%d %s", got.status, got.body)
	}
	body := got.json(t)
	if mustJSON(body["options"]) != `{"client_id":"9","set_user_root_attributes":"on_first_login","useCommonEndpoint":true,"waad_common_endpoint":true}` {
		t.Fatalf("options must be replaced wholesale with waad_common_endpoint re-derived: %s", mustJSON(body["options"]))
	}
	if body["display_name"] != "Corp" || body["show_as_button"] != true || body["name"] != "entra-corp" {
		t.Fatalf("top-level fields must merge: %s", got.body)
	}
	// Without options, the options are kept.
	got = tn.call(t, "PATCH", "/api/v2/connections/"+id, `{"show_as_button":false}`, nil)
	if got.status != 200 || sandboxtest.As[map[string]any](t, got.json(t)["options"])["client_id"] != "9" {
		t.Fatalf("%d %s", got.status, got.body)
	}
	for _, body := range []string{`{"name":"other"}`, `{"strategy":"okta"}`, `{"options":[]}`} {
		if got := tn.call(t, "PATCH", "/api/v2/connections/"+id, body, nil); got.status != 400 {
			t.Errorf("PATCH %s: %d %s", body, got.status, got.body)
		}
	}
	if got := tn.call(t, "PATCH", "/api/v2/connections/con_aaaaaaaaaaaaaaaa", `{}`, nil); got.status != 404 {
		t.Errorf("unknown connection: %d", got.status)
	}
}

func TestDeleteConnectionCascades(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustSCIMConnection(t)
	tn.mustSCIMToken(t, id, nil)
	if _, err := tn.AddUser(id, auth0.User{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	got := tn.call(t, "DELETE", "/api/v2/connections/"+id, "", nil)
	if got.status != 202 || !regexp.MustCompile(`^\{"deleted_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"\}$`).Match(got.body) {
		t.Fatalf("%d %s", got.status, got.body)
	}
	if _, ok := tn.SCIMConfiguration(id); ok || len(tn.SCIMTokens(id)) != 0 || len(tn.ListUsers(id)) != 0 {
		t.Fatal("SCIM configuration, tokens and users must go with the connection")
	}
	if got := tn.call(t, "DELETE", "/api/v2/connections/"+id, "", nil); got.status != 404 {
		t.Fatalf("second delete: %d", got.status)
	}
}

func TestConnectionGoAPI(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	if err := tn.PatchConnectionOptions(id, map[string]any{"userid_attribute": "sub", "useCommonEndpoint": true, "ext_groups": nil}); err != nil {
		t.Fatal(err)
	}
	raw, ok := tn.ConnectionJSON(id)
	if !ok {
		t.Fatal("no connection")
	}
	var c struct {
		Options map[string]any `json:"options"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if c.Options["userid_attribute"] != "sub" || c.Options["waad_common_endpoint"] != true || c.Options["ext_groups"] != nil {
		t.Fatalf("options %v", c.Options)
	}
	// With the common endpoint on, SCIM cannot be enabled.
	got := tn.call(t, "POST", "/api/v2/connections/"+id+"/scim-configuration", "", nil)
	if got.status != 400 || got.json(t)["message"] != "SCIM cannot be enabled for this connection when the Azure AD common endpoint is used." {
		t.Fatalf("%d %s", got.status, got.body)
	}
	if err := tn.SetConnectionOptions(id, json.RawMessage(`{"useCommonEndpoint":false}`)); err != nil {
		t.Fatal(err)
	}
	if raw, _ = tn.ConnectionJSON(id); !strings.Contains(string(raw), `"options":{"useCommonEndpoint":false,"waad_common_endpoint":false}`) {
		t.Fatalf("SetConnectionOptions: %s", raw)
	}
	if got, ok := tn.ConnectionByName("entra-corp"); !ok || got != id {
		t.Fatalf("ConnectionByName: %q", got)
	}
	if !tn.DeleteConnection(id) || tn.DeleteConnection(id) {
		t.Fatal("DeleteConnection")
	}
}
