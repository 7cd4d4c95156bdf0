package scimconnection

import (
	"reflect"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

var defaults = []auth0client.SCIMMapping{
	{Auth0: "upn", SCIM: "userName"},
	{Auth0: "email", SCIM: `emails[type eq "work"].value`},
	{Auth0: "app_metadata.department", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"},
	{Auth0: "app_metadata.manager", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"},
}

func TestDesiredMapping(t *testing.T) {
	rows := []auth0client.SCIMMapping{
		{SCIM: "a:custom", Auth0: "app_metadata.a"},
		{SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", Auth0: "app_metadata.dept"},
	}
	got := desiredMapping(defaults, rows, []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"})
	want := []auth0client.SCIMMapping{
		{Auth0: "upn", SCIM: "userName"},
		{Auth0: "email", SCIM: `emails[type eq "work"].value`},
		{Auth0: "app_metadata.dept", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"},
		{SCIM: "a:custom", Auth0: "app_metadata.a"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("desiredMapping =\n%v\nwant\n%v", got, want)
	}
	if got := desiredMapping(defaults, nil, nil); !reflect.DeepEqual(got, defaults) {
		t.Errorf("no overrides must give the defaults, got %v", got)
	}

	// Import is the inverse of the merge.
	back, removed := overridesFrom(defaults, want)
	if !reflect.DeepEqual(back, rows) || !reflect.DeepEqual(removed, []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"}) {
		t.Errorf("overridesFrom = %v, %v", back, removed)
	}
	if !sameMapping(desiredMapping(defaults, back, removed), want) {
		t.Error("merge(overridesFrom(x)) != x")
	}
}

func TestSameMapping(t *testing.T) {
	a := []auth0client.SCIMMapping{{SCIM: "x", Auth0: "1"}, {SCIM: "y", Auth0: "2"}}
	b := []auth0client.SCIMMapping{{SCIM: "y", Auth0: "2"}, {SCIM: "x", Auth0: "1"}}
	if !sameMapping(a, b) {
		t.Error("order must not matter")
	}
	if sameMapping(a, []auth0client.SCIMMapping{{SCIM: "x", Auth0: "1"}, {SCIM: "x", Auth0: "1"}}) {
		t.Error("a duplicated row is a difference")
	}
	if sameMapping(a, []auth0client.SCIMMapping{{SCIM: "x", Auth0: "1"}, {SCIM: "y", Auth0: "3"}}) {
		t.Error("a changed target is a difference")
	}
}

func TestCheckRows(t *testing.T) {
	diags := checkRows([]auth0client.SCIMMapping{
		{SCIM: "userName", Auth0: "email"}, {SCIM: "userName", Auth0: "nickname"}, {SCIM: "title", Auth0: "app_metadata.title"},
	}, []string{"title"})
	if len(diags) != 2 {
		t.Fatalf("want 2 errors, got %v", diags)
	}
	if d := diags[0].Detail(); !strings.Contains(d, `scim = "userName"`) || !strings.Contains(d, `"email", "nickname"`) {
		t.Errorf("duplicate message = %q", d)
	}
	if d := diags[1].Detail(); !strings.Contains(d, `"title" is in remove_default_mapping`) {
		t.Errorf("contradiction message = %q", d)
	}
}

func TestOptionChanges(t *testing.T) {
	sub, each, no := "sub", syncEachLogin, false
	got := settingsInput{userIDClaim: &sub, setUserRootAttributes: &each, useCommonEndpoint: &no}.optionChanges()
	want := []auth0client.OptionChange{
		{Key: "userid_attribute", Value: "sub"},
		{Key: "useCommonEndpoint", Value: false},
		{Key: "set_user_root_attributes", Value: nil}, // waad: on_each_login is the absent key
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("optionChanges = %v, want %v", got, want)
	}
	if len((settingsInput{}).optionChanges()) != 0 {
		t.Error("nothing configured must change nothing")
	}
}
