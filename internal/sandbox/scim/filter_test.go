package scim_test

import (
	"encoding/json"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

func alice(t *testing.T) map[string]any {
	t.Helper()
	var res map[string]any
	err := json.Unmarshal([]byte(`{
		"userName": "alice@corp.example",
		"externalId": "A-1",
		"active": true,
		"name": {"givenName": "Alice", "familyName": "Anders"},
		"emails": [
			{"type": "work", "value": "Alice@Corp.example", "primary": true},
			{"type": "home", "value": "a@home.example"}
		],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Eng"}
	}`), &res)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestFilterMatch(t *testing.T) {
	res := alice(t)
	tests := []struct {
		filter string
		want   bool
	}{
		{`userName eq "alice@corp.example"`, true},
		{`userName eq "ALICE@corp.example"`, true}, // userName is not caseExact
		{`USERNAME EQ "alice@corp.example"`, true}, // attribute names and operators are case-insensitive
		{`userName eq "bob@corp.example"`, false},
		{`externalId eq "A-1"`, true},
		{`externalId eq "a-1"`, false}, // externalId is caseExact
		{`emails[type eq "work"].value eq "alice@corp.example"`, true},
		{`emails[type eq "home"].value eq "alice@corp.example"`, false},
		{`emails[type eq "work" and primary eq true].value eq "alice@corp.example"`, true},
		{`emails.value eq "a@home.example"`, true},
		{`emails eq "a@home.example"`, true},
		{`name.givenName eq "Alice"`, true},
		{`active eq true`, true},
		{`active eq false`, false},
		{`displayName eq null`, true},
		{`userName eq "x" or externalId eq "A-1"`, true},
		{`userName eq "x" or externalId eq "B-2"`, false},
		{`userName eq "alice@corp.example" and active eq true`, true},
		{`userName eq "alice@corp.example" and active eq false`, false},
		{`(userName eq "x" or userName eq "alice@corp.example") and name.familyName eq "Anders"`, true},
		{`userName eq "x" or userName eq "alice@corp.example" and active eq false`, false}, // and binds tighter
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Eng"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq "Eng"`, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice@corp.example"`, true},
		{`userName eq "with \"quotes\""`, false},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			f, err := scim.ParseFilter(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(res); got != tc.want {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	for _, f := range []string{
		`userName ne "x"`,
		`userName co "a"`,
		`userName sw "a"`,
		`userName pr`,
		`not (userName eq "x")`,
		`userName eq`,
		`userName eq "x" and`,
		`(userName eq "x"`,
		`emails[type eq "work".value eq "x"`,
		`userName eq "unterminated`,
		`userName eq bare`,
		`eq "x"`,
		``,
	} {
		if _, err := scim.ParseFilter(f); err == nil {
			t.Errorf("%q parsed", f)
		}
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in, schema, attr, sub, str string
		filtered                   bool
	}{
		{"userName", "", "userName", "", "userName", false},
		{"name.givenName", "", "name", "givenName", "name.givenName", false},
		{`emails[type eq "work"].value`, "", "emails", "value", `emails[type eq "work"].value`, true},
		{`members[value eq "7f4b"]`, "", "members", "", `members[value eq "7f4b"]`, true},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", scim.EnterpriseUserSchema, "department", "",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", false},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", scim.EnterpriseUserSchema, "employeeNumber", "",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber", false},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", scim.EnterpriseUserSchema, "manager", "value",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager.value", false},
		{"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "", "name", "familyName", "name.familyName", false},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", scim.EnterpriseUserSchema, "", "",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", false},
	}
	for _, tc := range tests {
		p, err := scim.ParsePath(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if p.Schema != tc.schema || p.Attr != tc.attr || p.Sub != tc.sub || (p.Filter != nil) != tc.filtered || p.String() != tc.str {
			t.Errorf("%s: %+v (%s)", tc.in, p, p.String())
		}
	}
	for _, bad := range []string{"", `emails[type eq "work"`, `name.givenName[type eq "x"]`, "a b"} {
		if _, err := scim.ParsePath(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestPathSetAndRemove(t *testing.T) {
	res := map[string]any{}
	set := func(path string, v any) {
		p, err := scim.ParsePath(path)
		if err != nil {
			t.Fatal(err)
		}
		p.Set(res, v)
	}
	set(`emails[type eq "work"].value`, "w@x")
	set(`emails[type eq "home"].value`, "h@x")
	set(`emails[type eq "work"].value`, "w2@x")
	set("name.givenName", "G")
	set("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", "D")
	want := `{"emails":[{"type":"work","value":"w2@x"},{"type":"home","value":"h@x"}],"name":{"givenName":"G"},` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"}}`
	if b, _ := json.Marshal(res); string(b) != want {
		t.Fatalf("after Set:\n%s\nwant\n%s", b, want)
	}
	for _, path := range []string{`emails[type eq "home"]`, "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"} {
		p, _ := scim.ParsePath(path)
		p.Remove(res)
	}
	if b, _ := json.Marshal(res); string(b) != `{"emails":[{"type":"work","value":"w2@x"}]}` {
		t.Fatalf("after Remove: %s", b)
	}
}
