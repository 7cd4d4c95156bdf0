package scimconnection

import (
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

func TestInterplayWarnings(t *testing.T) {
	oid, sub, first := "oid", "sub", "on_first_login"
	conn := &auth0client.Connection{ID: "con_0123456789abcdef", Name: "entra-corp", Strategy: "waad"}
	cur := settings{userIDClaim: sub, setUserRootAttributes: first}

	// Configured oid at the last plan and still now, but the connection holds sub: another writer.
	d := interplayWarnings(configuredSettings{UserIDClaim: &oid}, configuredSettings{UserIDClaim: &oid}, cur, conn)
	if len(d) != 1 || d.HasError() {
		t.Fatalf("want one warning, got %v", d)
	}
	detail := d[0].Detail()
	for _, want := range []string{`connection_settings.user_id_claim = "oid"`, `userid_attribute = "sub"`, "auth0_connection", `user_id_attribute = "oid"`, "con_0123456789abcdef"} {
		if !strings.Contains(detail, want) {
			t.Errorf("warning lacks %q: %s", want, detail)
		}
	}
	// A configuration change is not a fight.
	if d := interplayWarnings(configuredSettings{UserIDClaim: &sub}, configuredSettings{UserIDClaim: &oid}, cur, conn); len(d) != 0 {
		t.Errorf("config change warned: %v", d)
	}
	// Not configured: the setting is read, nobody fights.
	if d := interplayWarnings(configuredSettings{}, configuredSettings{}, cur, conn); len(d) != 0 {
		t.Errorf("unconfigured warned: %v", d)
	}
	// In agreement: silent.
	if d := interplayWarnings(configuredSettings{SetUserRootAttributes: &first}, configuredSettings{SetUserRootAttributes: &first}, cur, conn); len(d) != 0 {
		t.Errorf("agreeing warned: %v", d)
	}
	each := "on_each_login"
	if d := interplayWarnings(configuredSettings{SetUserRootAttributes: &each}, configuredSettings{SetUserRootAttributes: &each}, cur, conn); len(d) != 1 {
		t.Errorf("set_user_root_attributes flipped without a warning: %v", d)
	}
}
