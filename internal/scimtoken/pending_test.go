package scimtoken

import (
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

func TestPendingMarker(t *testing.T) {
	existing := []auth0client.SCIMToken{
		{TokenID: "tok_old1", CreatedAt: "2026-01-01T10:00:00.000Z", Scopes: []string{"get:users"}},
		{TokenID: "tok_old2", CreatedAt: "2026-01-02T10:00:00.000Z", Scopes: []string{"get:users", "patch:users"}},
	}
	m := newMarker(existing, []string{"patch:users", "get:users"})
	back, ok := parseMarker(m.String())
	if !ok || !back.after.Equal(m.after) || len(back.scopes) != 2 || back.scopes[0] != "get:users" {
		t.Fatalf("marker %q decodes to %+v, %v", m, back, ok)
	}
	if len(m.String()) > 255 {
		t.Errorf("marker longer than a metadata value may be: %d", len(m.String()))
	}
	later := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC).Format(time.RFC3339Nano)
	conn := &auth0client.Connection{ID: "con_x", Metadata: map[string]string{auth0client.MarkerPendingSCIMToken: m.String(), "other": "kept"}}
	toks := append(existing,
		auth0client.SCIMToken{TokenID: "tok_left", CreatedAt: later, Scopes: []string{"patch:users", "get:users"}},
		auth0client.SCIMToken{TokenID: "tok_users", CreatedAt: later, Scopes: []string{"get:users"}}, // other scopes: someone else's
		auth0client.SCIMToken{TokenID: "tok_mine", CreatedAt: later, Scopes: []string{"get:users", "patch:users"}},
	)
	createdHere.Store("tok_mine", struct{}{})
	defer createdHere.Delete("tok_mine")
	left := leftovers(conn, toks)
	if len(left) != 1 || left[0].TokenID != "tok_left" {
		t.Errorf("leftovers = %v, want only tok_left (not older tokens, not other scopes, not a token this process handed to Terraform)", left)
	}
	if got := leftovers(&auth0client.Connection{ID: "con_x"}, toks); len(got) != 0 {
		t.Errorf("without a marker nothing is a leftover, got %v", got)
	}
	if _, ok := parseMarker("garbage"); ok {
		t.Error("a value that is not a marker was accepted")
	}
	if empty := newMarker(nil, []string{"get:users"}); empty.String() != "-|get:users" {
		t.Errorf("marker without tokens = %q", empty)
	}
}
