package auth0client

import (
	"context"
	"net/http"
	"testing"
)

func TestCacheAffects(t *testing.T) {
	const conn = "https://t/api/v2/connections/con_1"
	cases := []struct {
		write, entry string
		want         bool
	}{
		{conn, conn, true},
		{conn, conn + "/scim-configuration", true},
		{conn + "/scim-configuration", conn, false},
		{conn + "/scim-configuration", conn + "/scim-configuration/tokens", true},
		{conn + "/scim-configuration/tokens", conn + "/scim-configuration/tokens", true},
		{conn + "/scim-configuration/tokens/tok_1", conn + "/scim-configuration/tokens", true},
		{conn + "/scim-configuration/tokens/tok_1", conn, false},
		{conn + "/scim-configuration/tokens", conn + "/scim-configuration/default-mapping", false},
		{conn, "https://t/api/v2/connections/con_12", false},
	}
	for _, c := range cases {
		if got := affects(c.write, c.entry); got != c.want {
			t.Errorf("affects(%q, %q) = %v, want %v", c.write, c.entry, got, c.want)
		}
	}
}

func TestCacheRules(t *testing.T) {
	ctx := context.Background()
	rc := &readCache{}
	const uri = "https://t/api/v2/connections/con_1"
	_, _, gen := rc.get(ctx, uri)
	rc.put(uri, gen, http.StatusInternalServerError, []byte("x"))
	if _, ok, _ := rc.get(ctx, uri); ok {
		t.Fatal("a 500 was cached")
	}
	rc.put(uri, gen, http.StatusOK, []byte("a"))
	if a, ok, _ := rc.get(ctx, uri); !ok || string(a.body) != "a" {
		t.Fatalf("a 200 was not cached: %v %q", ok, a.body)
	}
	if _, ok, _ := rc.get(Fresh(ctx), uri); ok {
		t.Fatal("Fresh(ctx) was answered from the cache")
	}
	// A read in flight while a write is sent is not stored.
	_, _, gen = rc.get(ctx, uri+"/scim-configuration")
	rc.written(http.MethodPost, uri+"/scim-configuration/tokens", 0, nil)
	rc.put(uri+"/scim-configuration", gen, http.StatusOK, []byte("stale"))
	if _, ok, _ := rc.get(ctx, uri+"/scim-configuration"); ok {
		t.Fatal("a read that raced a write was cached")
	}
	// A read that raced a write to another connection is stored.
	_, _, gen = rc.get(ctx, uri+"/scim-configuration")
	rc.written(http.MethodPatch, "https://t/api/v2/connections/con_2", 0, nil)
	rc.put(uri+"/scim-configuration", gen, http.StatusOK, []byte("fine"))
	if _, ok, _ := rc.get(ctx, uri+"/scim-configuration"); !ok {
		t.Fatal("a write to another connection kept a read from being cached")
	}
	// The answer to a PATCH of the connection is kept as its GET; a token's creation answer never is.
	rc.written(http.MethodPatch, uri, http.StatusOK, []byte("patched"))
	if a, ok, _ := rc.get(ctx, uri); !ok || string(a.body) != "patched" {
		t.Fatalf("the PATCH answer was not kept: %v %q", ok, a.body)
	}
	rc.written(http.MethodPost, uri+"/scim-configuration/tokens", http.StatusCreated, []byte(`{"token":"secret"}`))
	if _, ok, _ := rc.get(ctx, uri+"/scim-configuration/tokens"); ok {
		t.Fatal("a token creation answer was cached")
	}
	if _, ok, _ := rc.get(ctx, uri); !ok {
		t.Fatal("a token write dropped the connection")
	}
}
