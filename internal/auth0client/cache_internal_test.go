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
		{conn + "/scim-configuration/tokens", conn + "/scim-configuration", false},
		{conn + "/scim-configuration/tokens/tok_1", conn + "/scim-configuration", false},
		{conn, conn + "/scim-configuration/tokens", true},
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
	_, _, gen, _ := rc.get(ctx, uri)
	rc.put(uri, gen, http.StatusInternalServerError, []byte("x"))
	if _, ok, _, _ := rc.get(ctx, uri); ok {
		t.Fatal("a 500 was cached")
	}
	rc.put(uri, gen, http.StatusOK, []byte("a"))
	if a, ok, _, _ := rc.get(ctx, uri); !ok || string(a.body) != "a" {
		t.Fatalf("a 200 was not cached: %v %q", ok, a.body)
	}
	if _, ok, _, _ := rc.get(Fresh(ctx), uri); ok {
		t.Fatal("Fresh(ctx) was answered from the cache")
	}
	// A read in flight while a write is sent is not stored.
	_, _, gen, _ = rc.get(ctx, uri+"/scim-configuration/tokens")
	rc.written(http.MethodPost, uri+"/scim-configuration/tokens", 0, nil)
	rc.put(uri+"/scim-configuration/tokens", gen, http.StatusOK, []byte("stale"))
	if _, ok, _, _ := rc.get(ctx, uri+"/scim-configuration/tokens"); ok {
		t.Fatal("a read that raced a write was cached")
	}
	// A read that raced a write to another connection is stored.
	_, _, gen, _ = rc.get(ctx, uri+"/scim-configuration")
	rc.written(http.MethodPatch, "https://t/api/v2/connections/con_2", 0, nil)
	rc.put(uri+"/scim-configuration", gen, http.StatusOK, []byte("fine"))
	if _, ok, _, _ := rc.get(ctx, uri+"/scim-configuration"); !ok {
		t.Fatal("a write to another connection kept a read from being cached")
	}
	// The answer to a PATCH of the connection is kept as its GET; a token's creation answer never is.
	rc.written(http.MethodPatch, uri, http.StatusOK, []byte("patched"))
	if a, ok, _, _ := rc.get(ctx, uri); !ok || string(a.body) != "patched" {
		t.Fatalf("the PATCH answer was not kept: %v %q", ok, a.body)
	}
	rc.written(http.MethodPost, uri+"/scim-configuration/tokens", http.StatusCreated, []byte(`{"token":"secret"}`))
	if _, ok, _, _ := rc.get(ctx, uri+"/scim-configuration/tokens"); ok {
		t.Fatal("a token creation answer was cached")
	}
	if _, ok, _, _ := rc.get(ctx, uri); !ok {
		t.Fatal("a token write dropped the connection")
	}
}

func TestCachePatchOfConnectionKeepsWhatLiesBelow(t *testing.T) {
	ctx := context.Background()
	rc := &readCache{}
	const conn = "https://t/api/v2/connections/con_1"
	for _, u := range []string{conn, conn + "/scim-configuration", conn + "/scim-configuration/tokens", conn + "/scim-configuration/default-mapping"} {
		_, _, gen, _ := rc.get(ctx, u)
		rc.put(u, gen, http.StatusOK, []byte("x"))
	}
	rc.written(http.MethodPatch, conn, http.StatusOK, []byte("patched"))
	for _, u := range []string{conn + "/scim-configuration", conn + "/scim-configuration/tokens", conn + "/scim-configuration/default-mapping"} {
		if _, ok, _, _ := rc.get(ctx, u); !ok {
			t.Errorf("a PATCH of the connection dropped %s", u)
		}
	}
	if a, _, _, _ := rc.get(ctx, conn); string(a.body) != "patched" {
		t.Errorf("the connection's entry after its PATCH: %q", a.body)
	}
	rc.written(http.MethodDelete, conn, http.StatusAccepted, nil)
	for _, u := range []string{conn, conn + "/scim-configuration", conn + "/scim-configuration/tokens"} {
		if _, ok, _, _ := rc.get(ctx, u); ok {
			t.Errorf("a DELETE of the connection kept %s", u)
		}
	}
}

func TestCacheNewConfigurationHasNoTokens(t *testing.T) {
	ctx := context.Background()
	rc := &readCache{}
	const cfg = "https://t/api/v2/connections/con_1/scim-configuration"
	// A POST that did not answer 201 proves nothing about the tokens.
	rc.written(http.MethodPost, cfg, http.StatusBadRequest, []byte(`{"message":"already exists"}`))
	if _, ok, _, _ := rc.get(ctx, cfg+"/tokens"); ok {
		t.Fatal("a refused POST of the configuration answered the token list")
	}
	rc.written(http.MethodPost, cfg, http.StatusCreated, []byte(`{"connection_id":"con_1"}`))
	if a, ok, _, _ := rc.get(ctx, cfg+"/tokens"); !ok || a.status != http.StatusOK || string(a.body) != "[]" {
		t.Fatalf("the token list of a configuration created just now: %v %d %q, want 200 []", ok, a.status, a.body)
	}
	// The next token write drops it.
	rc.written(http.MethodPost, cfg+"/tokens", http.StatusCreated, []byte(`{"token":"secret"}`))
	if _, ok, _, _ := rc.get(ctx, cfg+"/tokens"); ok {
		t.Fatal("the token list outlived a token creation")
	}
}

func TestCacheConfiguredNote(t *testing.T) {
	ctx := context.Background()
	c, err := New(ctx, Config{Domain: "acme.eu.auth0.com", APIToken: "t", CacheReads: true})
	if err != nil {
		t.Fatal(err)
	}
	c.NoteSCIMConfigured("con_1", "corp", "waad")
	c.NoteSCIMConfigured("con_2", "other", "")
	if name, strategy, ok := c.SCIMConfiguredNote(ctx, "con_1"); !ok || name != "corp" || strategy != "waad" {
		t.Fatalf("note of con_1: %q %q %v", name, strategy, ok)
	}
	if _, _, ok := c.SCIMConfiguredNote(ctx, "con_2"); ok {
		t.Fatal("a state without strategy was noted")
	}
	if _, _, ok := c.SCIMConfiguredNote(Fresh(ctx), "con_1"); ok {
		t.Fatal("Fresh(ctx) was answered from the note")
	}
	// A write to the configuration, or a DELETE of the connection, drops the note; a PATCH of the connection (its
	// options, its metadata) or a write to another connection does not.
	c.cache.written(http.MethodPatch, c.uri("connections", "con_12"), http.StatusOK, nil)
	c.cache.written(http.MethodPatch, c.uri("connections", "con_1"), http.StatusOK, []byte(`{"id":"con_1"}`))
	if _, _, ok := c.SCIMConfiguredNote(ctx, "con_1"); !ok {
		t.Fatal("a PATCH of a connection dropped the note")
	}
	c.cache.noteConfigured(c.uri("connections", "con_3", "scim-configuration"), configuredNote{"x", "waad"})
	c.cache.written(http.MethodDelete, c.uri("connections", "con_3"), http.StatusAccepted, nil)
	if _, _, ok := c.SCIMConfiguredNote(ctx, "con_3"); ok {
		t.Fatal("the note outlived the connection's deletion")
	}
	c.cache.written(http.MethodDelete, c.uri("connections", "con_1", "scim-configuration"), http.StatusNoContent, nil)
	if _, _, ok := c.SCIMConfiguredNote(ctx, "con_1"); ok {
		t.Fatal("the note outlived the configuration's deletion")
	}
	// Without a cache (tools, tests) nothing is noted.
	bare, err := New(ctx, Config{Domain: "acme.eu.auth0.com", APIToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	bare.NoteSCIMConfigured("con_1", "corp", "waad")
	if _, _, ok := bare.SCIMConfiguredNote(ctx, "con_1"); ok {
		t.Fatal("a client without cache kept a note")
	}
}

// A read that starts while a write that may change its answer is in flight waits for the write (or for its own
// context); a read the write cannot change does not wait.
func TestCacheReadsWaitForWrites(t *testing.T) {
	rc := &readCache{}
	const conn = "https://t/api/v2/connections/con_1"
	rc.begin(http.MethodPost, conn+"/scim-configuration")

	if _, _, _, err := rc.get(context.Background(), conn); err != nil {
		t.Fatalf("a read of the connection, which a write of its SCIM configuration leaves alone, waited: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := rc.get(ctx, conn+"/scim-configuration/tokens"); err == nil {
		t.Fatal("a read of the token list went ahead while its configuration was being written")
	}

	got := make(chan cachedAnswer, 1)
	go func() {
		a, _, _, _ := rc.get(context.Background(), conn+"/scim-configuration")
		got <- a
	}()
	rc.end(http.MethodPost, conn+"/scim-configuration", http.StatusCreated, []byte(`{"connection_id":"con_1"}`))
	if a := <-got; a.status != http.StatusOK || string(a.body) != `{"connection_id":"con_1"}` {
		t.Errorf("the read that waited got %d %q, want the configuration the write created", a.status, a.body)
	}
}
