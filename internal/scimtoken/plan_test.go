package scimtoken

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

func TestRotationDue(t *testing.T) {
	validUntil := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	state := resourceModel{TokenID: types.StringValue("tok_AbCdEfGh12345678"), ValidUntil: types.StringValue("2026-06-01T00:00:00.000Z")}
	plan := resourceModel{RotateBefore: types.StringValue("720h")}

	if due, _ := rotationDue(plan, state, validUntil.Add(-721*time.Hour)); due {
		t.Error("due before the window opens")
	}
	due, why := rotationDue(plan, state, validUntil.Add(-720*time.Hour))
	if !due || !strings.Contains(why, `rotate_before = "720h"`) || !strings.Contains(why, "tok_AbCdEfGh12345678") || !strings.Contains(why, "create_before_destroy") {
		t.Errorf("at the window's opening: due=%v why=%q", due, why)
	}
	if due, why := rotationDue(resourceModel{RotateBefore: types.StringNull()}, state, validUntil); !due || !strings.Contains(why, "expired") {
		t.Errorf("an expired token is due even without rotate_before: %v %q", due, why)
	}
	if due, _ := rotationDue(resourceModel{RotateBefore: types.StringNull()}, state, validUntil.Add(-time.Second)); due {
		t.Error("without rotate_before a valid token is not due")
	}
	never := resourceModel{ValidUntil: types.StringNull()}
	if due, _ := rotationDue(plan, never, validUntil.Add(100*time.Hour)); due {
		t.Error("a token that never expires is never due")
	}
}

func TestLifetimeChanged(t *testing.T) {
	for _, c := range []struct {
		old, new types.String
		want     bool
	}{
		{types.StringValue("8760h"), types.StringValue("525600m"), false},
		{types.StringValue("8760h"), types.StringValue("8761h"), true},
		{types.StringNull(), types.StringValue("8760h"), true},
		{types.StringValue("8760h"), types.StringNull(), true},
		{types.StringNull(), types.StringNull(), false},
		{types.StringValue("8760h"), types.StringUnknown(), true},
	} {
		if got := lifetimeChanged(c.old, c.new); got != c.want {
			t.Errorf("lifetimeChanged(%s, %s) = %v", c.old, c.new, got)
		}
	}
}

func TestLifetimeOfImportedToken(t *testing.T) {
	for _, c := range []struct {
		created, until, want string
	}{
		{"2025-11-06T03:50:37.836Z", "2026-11-06T03:50:37.836Z", "8760h"},
		{"2025-11-06T03:50:37.836Z", "2025-11-06T04:05:38.836Z", "901s"},
		{"2025-11-06T03:50:37.836Z", "2025-11-06T04:20:37.836Z", "30m"},
		{"2025-11-06T03:50:37.836Z", "", ""},
	} {
		got := lifetimeOf(auth0client.SCIMToken{CreatedAt: c.created, ValidUntil: c.until})
		if (c.want == "" && !got.IsNull()) || (c.want != "" && got.ValueString() != c.want) {
			t.Errorf("lifetimeOf(%s..%s) = %s, want %q", c.created, c.until, got, c.want)
		}
	}
}

func TestActive(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !active(auth0client.SCIMToken{}, now) {
		t.Error("a token without valid_until is active")
	}
	if active(auth0client.SCIMToken{ValidUntil: "2025-12-31T23:59:59.000Z"}, now) {
		t.Error("an expired token is not active")
	}
}

func TestDescribeHasNoSecret(t *testing.T) {
	s := describe([]auth0client.SCIMToken{{TokenID: "tok_A", Token: "tok_A.secret", Scopes: []string{"get:users"}, CreatedAt: "x"}})
	if strings.Contains(s, "secret") || !strings.Contains(s, "tok_A, created x, scopes get:users") {
		t.Errorf("describe = %q", s)
	}
}
