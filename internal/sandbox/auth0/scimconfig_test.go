package auth0_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

var configKeyOrder = regexp.MustCompile(`^\{"tenant_name":"[^"]*","connection_id":"con_\w{16}","connection_name":"[^"]*",` +
	`"strategy":"\w+","mapping":\[.*\],"updated_on":"[^"]+","created_at":"[^"]+","user_id_attribute":"[^"]*"\}$`)

func TestCreateSCIMConfiguration(t *testing.T) {
	tn := newTenant(t, "sandbox")
	waad := tn.mustCreateConnection(t, waadConnectionBody)
	okta := tn.mustCreateConnection(t, `{"name":"okta","strategy":"okta","options":{}}`)
	saml := tn.mustCreateConnection(t, `{"name":"saml","strategy":"samlp","options":{}}`)
	oidc := tn.mustCreateConnection(t, `{"name":"oidc","strategy":"oidc","options":{}}`)
	db := tn.mustCreateConnection(t, `{"name":"db","strategy":"auth0"}`)

	tests := []struct {
		name, conn, body, contentType string
		status                        int
		rows                          int
		uid, message                  string
	}{
		{"waad, no body", waad, "", "", 201, 30, "externalId", ""},
		{"waad again", waad, "{}", "application/json", 400, 0, "", "SCIM configuration already exists for connection"},
		{"okta, {}", okta, "{}", "application/json", 201, 32, "externalId", ""},
		{"samlp, null", saml, "null", "application/json", 201, 32, "userName", ""},
		{"oidc, user_id_attribute only", oidc, `{"user_id_attribute":"userName"}`, "application/json", 201, 32, "userName", ""},
		{"database", db, "", "", 404, 0, "", "This connection type does not support SCIM. Please see our documentation for the currently supported connection types: https://auth0.com/docs/authenticate/protocols/scim/configure-inbound-scim."},
		{"unknown connection", "con_xxxxxxxxxxxxxxxx", "", "", 404, 0, "", "The connection does not exist"},
		{"malformed id", "nope", "", "", 400, 0, "", "Path validation error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tn.call(t, "POST", "/api/v2/connections/"+tc.conn+"/scim-configuration", tc.body, map[string]string{"Content-Type": tc.contentType})
			if got.status != tc.status {
				t.Fatalf("%d %s", got.status, got.body)
			}
			body := got.json(t)
			if tc.status != 201 {
				if !strings.Contains(sandboxtest.As[string](t, body["message"]), tc.message) {
					t.Fatalf("message %q", body["message"])
				}
				return
			}
			if !configKeyOrder.Match(got.body) {
				t.Fatalf("key order: %s", got.body)
			}
			if n := len(sandboxtest.As[[]any](t, body["mapping"])); n != tc.rows || body["user_id_attribute"] != tc.uid || body["tenant_name"] != "sandbox" {
				t.Fatalf("rows %d uid %v: %s", n, body["user_id_attribute"], got.body)
			}
			if body["created_at"] != "2025-11-06T03:50:36.919Z" || body["updated_on"] != body["created_at"] {
				t.Fatalf("timestamps: %v %v", body["created_at"], body["updated_on"])
			}
			if !strings.Contains(string(got.body), `"mapping":[{"scim":`) {
				t.Fatalf("configuration rows are scim-first: %s", got.body)
			}
		})
	}

	// A mapping only: the strategy's default user_id_attribute.
	tn.DeleteSCIMConfiguration(okta)
	got := tn.call(t, "POST", "/api/v2/connections/"+okta+"/scim-configuration", `{"mapping":[{"auth0":"a","scim":"b"}]}`, nil)
	if got.status != 201 || !strings.Contains(string(got.body), `"mapping":[{"scim":"b","auth0":"a"}]`) ||
		got.json(t)["user_id_attribute"] != "externalId" {
		t.Fatalf("%d %s", got.status, got.body)
	}

	tn.DeleteSCIMConfiguration(okta)
	for _, body := range []string{
		`{"mapping":[{"auth0":"a"}]}`, `{"mapping":[{"auth0":"","scim":"b"}]}`, `{"mapping":"x"}`,
		`{"user_id_attribute":""}`, `{"other":1}`, `[]`, `{`,
	} {
		if got := tn.call(t, "POST", "/api/v2/connections/"+okta+"/scim-configuration", body, nil); got.status != 400 {
			t.Errorf("POST %s: %d %s", body, got.status, got.body)
		}
	}
}

func TestUpdateAndDeleteSCIMConfiguration(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	path := "/api/v2/connections/" + id + "/scim-configuration"
	patch := `{"user_id_attribute":"userName","mapping":[{"auth0":"username","scim":"userName"},{"auth0":"email","scim":"email"}]}`

	if got := tn.call(t, "PATCH", path, patch, nil); got.status != 404 ||
		string(got.body) != `{"statusCode":404,"error":"Not Found","message":"Not Found"}` {
		t.Fatalf("PATCH without configuration: %d %s", got.status, got.body)
	}
	tn.call(t, "POST", path, "", nil)
	tn.clock.Advance(3 * time.Second)

	got := tn.call(t, "PATCH", path, patch, nil)
	if got.status != 200 || !configKeyOrder.Match(got.body) {
		t.Fatalf("%d %s", got.status, got.body)
	}
	body := got.json(t)
	if body["created_at"] != "2025-11-06T03:50:36.919Z" || body["updated_on"] != "2025-11-06T03:50:39.919Z" {
		t.Fatalf("timestamps: %s", got.body)
	}
	if !strings.Contains(string(got.body), `"mapping":[{"scim":"userName","auth0":"username"},{"scim":"email","auth0":"email"}]`) {
		t.Fatalf("mapping must be replaced wholesale: %s", got.body)
	}
	for _, bad := range []string{`{"mapping":[]}`, `{"user_id_attribute":"x"}`, ``, `{}`} {
		got := tn.call(t, "PATCH", path, bad, nil)
		if got.status != 400 || got.json(t)["message"] != "Invalid payload" {
			t.Errorf("PATCH %q: %d %s", bad, got.status, got.body)
		}
	}
	if got := tn.call(t, "PATCH", path, `{"user_id_attribute":"x","mapping":[{"scim":"a"}]}`, nil); got.status != 400 ||
		got.json(t)["message"] != "Invalid mapping provided" {
		t.Errorf("invalid mapping: %d %s", got.status, got.body)
	}

	// DELETE is idempotent and takes the tokens with it (UNKNOWN, auth0-management-api.md §6.4).
	tn.mustSCIMToken(t, id, []string{"get:users"})
	for i := 0; i < 2; i++ {
		if got := tn.call(t, "DELETE", path, "", nil); got.status != 204 || len(got.body) != 0 ||
			got.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("DELETE #%d: %d %q", i+1, got.status, got.body)
		}
	}
	if len(tn.SCIMTokens(id)) != 0 {
		t.Fatal("tokens survived the configuration")
	}
	if got := tn.call(t, "GET", path, "", nil); got.status != 404 ||
		string(got.body) != `{"statusCode":404,"error":"Not Found","message":"Not Found"}` {
		t.Fatalf("GET after delete: %d %s", got.status, got.body)
	}
	if got := tn.call(t, "DELETE", "/api/v2/connections/con_xxxxxxxxxxxxxxxx/scim-configuration", "", nil); got.status != 404 {
		t.Fatalf("DELETE on an unknown connection: %d", got.status)
	}
}

func TestDefaultMapping(t *testing.T) {
	tn := newTenant(t, "sandbox")
	waad := tn.mustCreateConnection(t, waadConnectionBody)
	okta := tn.mustCreateConnection(t, `{"name":"okta","strategy":"okta"}`)
	db := tn.mustCreateConnection(t, `{"name":"db","strategy":"auth0"}`)

	got := tn.call(t, "GET", "/api/v2/connections/"+waad+"/scim-configuration/default-mapping", "", nil)
	if got.status != 200 || !strings.HasPrefix(string(got.body), `{"mapping":[{"auth0":"upn","scim":"userName"},{"auth0":"email","scim":"emails[type eq \"work\"].value"},`) {
		t.Fatalf("%d %s", got.status, got.body)
	}
	var m struct{ Mapping []auth0.Mapping }
	if err := json.Unmarshal(got.body, &m); err != nil || len(m.Mapping) != 30 ||
		m.Mapping[29] != (auth0.Mapping{Auth0: "app_metadata.manager", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"}) {
		t.Fatalf("waad default: %v %+v", err, m)
	}
	got = tn.call(t, "GET", "/api/v2/connections/"+okta+"/scim-configuration/default-mapping", "", nil)
	if err := json.Unmarshal(got.body, &m); err != nil || len(m.Mapping) != 32 || m.Mapping[0].Auth0 != "preferred_username" {
		t.Fatalf("okta default: %s", got.body)
	}
	if got := tn.call(t, "GET", "/api/v2/connections/"+db+"/scim-configuration/default-mapping", "", nil); got.status != 404 {
		t.Fatalf("database: %d", got.status)
	}
}

func TestListSCIMConfigurations(t *testing.T) {
	tn := newTenant(t, "sandbox")
	var ids []string
	for _, n := range []string{"a", "b", "c"} {
		id := tn.mustCreateConnection(t, `{"name":"`+n+`","strategy":"okta"}`)
		if _, err := tn.CreateSCIMConfiguration(id, "", nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	tn.mustCreateConnection(t, `{"name":"d","strategy":"okta"}`)
	var page struct {
		SCIMConfigurations []struct {
			ConnectionID string `json:"connection_id"`
		} `json:"scim_configurations"`
		Next string `json:"next"`
	}
	got := tn.call(t, "GET", "/api/v2/connections-scim-configurations?take=2", "", nil)
	if err := json.Unmarshal(got.body, &page); err != nil || len(page.SCIMConfigurations) != 2 || page.Next == "" ||
		page.SCIMConfigurations[0].ConnectionID != ids[0] {
		t.Fatalf("%d %s", got.status, got.body)
	}
	got = tn.call(t, "GET", "/api/v2/connections-scim-configurations?take=2&from="+page.Next, "", nil)
	page.Next = ""
	if err := json.Unmarshal(got.body, &page); err != nil || len(page.SCIMConfigurations) != 1 || page.Next != "" ||
		page.SCIMConfigurations[0].ConnectionID != ids[2] {
		t.Fatalf("%d %s", got.status, got.body)
	}
	if got := tn.call(t, "GET", "/api/v2/connections-scim-configurations?take=101", "", nil); got.status != 400 {
		t.Fatalf("take=101: %d", got.status)
	}
}

func TestSCIMConfigurationGoAPI(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustCreateConnection(t, waadConnectionBody)
	cfg, err := tn.CreateSCIMConfiguration(id, "", nil)
	if err != nil || len(cfg.Mapping) != 30 || cfg.UserIDAttribute != "externalId" || cfg.Strategy != "waad" {
		t.Fatalf("%v %+v", err, cfg)
	}
	if _, err := tn.CreateSCIMConfiguration(id, "", nil); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second create: %v", err)
	}
	tn.clock.Advance(time.Second)
	if err := tn.UpdateSCIMConfiguration(id, "userName", []auth0.Mapping{{SCIM: "userName", Auth0: "upn"}}); err != nil {
		t.Fatal(err)
	}
	cfg, ok := tn.SCIMConfiguration(id)
	if !ok || len(cfg.Mapping) != 1 || !cfg.UpdatedOn.After(cfg.CreatedAt) {
		t.Fatalf("%+v", cfg)
	}
	if !tn.DeleteSCIMConfiguration(id) || tn.DeleteSCIMConfiguration(id) {
		t.Fatal("DeleteSCIMConfiguration")
	}
}
