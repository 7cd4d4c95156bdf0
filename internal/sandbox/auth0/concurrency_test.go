package auth0_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// TestConcurrentUse exercises the Management API, the SCIM server and the Go API at once (meaningful under -race).
func TestConcurrentUse(t *testing.T) {
	tn := newTenant(t, "sandbox")
	id := tn.mustSCIMConnection(t)
	tok := tn.mustSCIMToken(t, id, nil)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				name := fmt.Sprintf("u%d-%d", w, i)
				body := `{"userName":"` + name + `@corp.example","externalId":"` + name + `","active":true}`
				if r := tn.scimCall(t, "POST", id, "/Users", tok.Token, body); r.status != 201 {
					t.Errorf("POST: %d %s", r.status, r.body)
					return
				}
				uid := "waad|entra-corp|" + name
				patch := `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
				if r := tn.scimCall(t, "PATCH", id, "/Users/"+url.PathEscape(uid), tok.Token, patch); r.status != 200 {
					t.Errorf("PATCH: %d %s", r.status, r.body)
				}
				tn.call(t, "GET", "/api/v2/connections/"+id+"/scim-configuration", "", nil)
				tn.call(t, "GET", "/api/v2/connections/"+id+"/scim-configuration/tokens", "", nil)
				_ = tn.PatchConnectionOptions(id, map[string]any{"ext_groups": i%2 == 0})
				_ = tn.UpdateUser(id, uid, func(u *auth0.User) { u.Nickname = name })
				_ = tn.ListUsers(id)
				_ = tn.SCIMTokens(id)
			}
		}(w)
	}
	wg.Wait()
	if n := len(tn.ListUsers(id)); n != 40 {
		t.Fatalf("%d users", n)
	}
	for _, u := range tn.ListUsers(id) {
		if !u.Blocked {
			t.Fatalf("%s not blocked", u.UserID)
		}
	}
}
