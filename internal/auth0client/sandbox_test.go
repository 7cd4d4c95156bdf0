package auth0client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// startSandbox starts the project's sandbox (both clouds, seeded) with the process's test CA and returns a client
// for its Auth0 tenant.
func startSandbox(t *testing.T, p auth0client.RetryPolicy) (*sandbox.Sandbox, *auth0client.Client) {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{CA: testCA})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	c, err := auth0client.New(context.Background(), auth0client.Config{
		Domain: sb.Auth0Domain, ClientID: sb.Auth0ClientID, ClientSecret: sb.Auth0ClientSecret, Retry: p,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb, c
}

func TestSandbox_429WaitsForRateLimitReset(t *testing.T) {
	sb, c := startSandbox(t, fast)
	const retryAfter = 700 * time.Millisecond
	sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteGetConnection, Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Times: 2})

	conn, err := c.GetConnection(context.Background(), sb.Seed.ConnectionID)
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if conn.Name != sandbox.SeedConnectionName {
		t.Errorf("connection = %+v", conn)
	}
	reqs := sb.Auth0.Router().Requests(auth0.RouteGetConnection)
	if len(reqs) != 3 || reqs[0].Status != 429 || reqs[1].Status != 429 || reqs[2].Status != 200 {
		t.Fatalf("want 429, 429, 200; got %d requests %+v", len(reqs), reqs)
	}
	// The sandbox announces x-ratelimit-reset = ceil(now + RetryAfter) in epoch seconds; no retry may come earlier
	// than RetryAfter after the throttled answer.
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].Time.Sub(reqs[i-1].Time); gap < retryAfter-5*time.Millisecond {
			t.Errorf("retry %d came %s after the 429, before the rate-limit reset (>= %s)", i, gap, retryAfter)
		}
	}
}

func TestSandbox_5xxAreRetried(t *testing.T) {
	sb, c := startSandbox(t, fast)
	sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteGetConnection, Status: http.StatusBadGateway, Times: 2})
	if _, err := c.GetConnection(context.Background(), sb.Seed.ConnectionID); err != nil {
		t.Fatal(err)
	}
	if n := sb.Auth0.Router().Count(auth0.RouteGetConnection); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
}

func TestSandbox_Permanent503GivesUpWithinDeadline(t *testing.T) {
	sb, c := startSandbox(t, auth0client.RetryPolicy{MaxAttempts: 1000, BaseDelay: 50 * time.Millisecond, MaxDelay: 500 * time.Millisecond})
	sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteGetConnection, Status: http.StatusServiceUnavailable})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetConnection(ctx, sb.Seed.ConnectionID)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s, past the 2s deadline", elapsed)
	}
	if auth0client.StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("want the 503, got %v", err)
	}
	if n := sb.Auth0.Router().Count(auth0.RouteGetConnection); n < 3 {
		t.Errorf("gave up after %d attempts", n)
	}
}

func TestSandbox_SCIMHelpers(t *testing.T) {
	sb, c := startSandbox(t, fast)
	ctx := context.Background()
	id := sb.Seed.ConnectionID

	_, err := c.GetSCIMConfiguration(ctx, id)
	if !auth0client.IsSCIMNotConfigured(err) {
		t.Fatalf("want a missing configuration, got %v", err)
	}
	_, err = c.GetSCIMConfiguration(ctx, "con_0000000000000000")
	if !auth0client.IsConnectionNotFound(err) {
		t.Fatalf("want inexistent_connection, got %v", err)
	}

	defaults, err := c.GetSCIMDefaultMapping(ctx, id)
	if err != nil || len(defaults) != 30 || defaults[0] != (auth0client.SCIMMapping{Auth0: "upn", SCIM: "userName"}) {
		t.Fatalf("default mapping = %v, %v", defaults, err)
	}

	cfg, err := c.CreateSCIMConfiguration(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UpdatedOn == "" || cfg.UpdatedOn != cfg.CreatedAt || cfg.UserIDAttribute != "externalId" || len(cfg.Mapping) != 30 || cfg.Strategy != "waad" {
		t.Errorf("created configuration = %+v", cfg)
	}
	if post := sb.Auth0.Router().Requests(auth0.RouteCreateSCIMConfig)[0]; len(post.Body) != 0 {
		t.Errorf("POST body = %q, want none", post.Body)
	}
	_, err = c.CreateSCIMConfiguration(ctx, id, nil)
	if !auth0client.IsAlreadyExists(err) {
		t.Errorf("second create: want 'already exists', got %v", err)
	}

	upd, err := c.UpdateSCIMConfiguration(ctx, id, "userName", []auth0client.SCIMMapping{{Auth0: "email", SCIM: "userName"}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.UpdatedOn == "" || upd.UpdatedOn < cfg.UpdatedOn || upd.CreatedAt != cfg.CreatedAt || len(upd.Mapping) != 1 {
		t.Errorf("updated configuration = %+v (created %s)", upd, cfg.UpdatedOn)
	}

	var toks []*auth0client.SCIMToken
	for i := 0; i < 2; i++ {
		tok, err := c.CreateSCIMToken(ctx, id, []string{"get:users"}, 901*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if tok.ValidUntil == "" || !strings.HasPrefix(tok.Token, tok.TokenID+".") {
			t.Errorf("token = %s", tok)
		}
		toks = append(toks, tok)
	}
	_, err = c.CreateSCIMToken(ctx, id, []string{"get:users"}, 0)
	if !auth0client.IsTokenLimit(err) || !strings.Contains(err.Error(), "Maximum of 2 tokens") {
		t.Errorf("third token: want 409, got %v", err)
	}
	listed, err := c.ListSCIMTokens(ctx, id)
	if err != nil || len(listed) != 2 || listed[0].Token != "" {
		t.Fatalf("list = %v, %v", listed, err)
	}
	if err := c.DeleteSCIMToken(ctx, id, toks[0].TokenID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSCIMToken(ctx, id, toks[0].TokenID); !auth0client.IsNotFound(err) {
		t.Errorf("deleting a deleted token: want 404, got %v", err)
	}

	if err := c.DeleteSCIMConfiguration(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSCIMConfiguration(ctx, id); err != nil {
		t.Errorf("DELETE is idempotent, got %v", err)
	}
	if _, err := c.ListSCIMTokens(ctx, id); !auth0client.IsSCIMNotConfigured(err) {
		t.Errorf("tokens of a connection without SCIM: want 404, got %v", err)
	}

	okta, err := sb.Auth0.CreateConnection([]byte(`{"name":"db","strategy":"auth0"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateSCIMConfiguration(ctx, okta, nil)
	if !auth0client.IsSCIMUnsupported(err) {
		t.Errorf("SCIM on a database connection: want 'does not support SCIM', got %v", err)
	}
}

func TestSandbox_InsufficientScope(t *testing.T) {
	sb, _ := startSandbox(t, fast)
	tok := sb.Auth0.IssueToken([]string{"read:connections"})
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: sb.Auth0Domain, APIToken: tok, Retry: fast})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateSCIMConfiguration(context.Background(), sb.Seed.ConnectionID, nil)
	var e *auth0client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusForbidden || !strings.Contains(err.Error(), "create:scim_config") || !strings.Contains(err.Error(), "Grant the missing scope") {
		t.Errorf("want a 403 naming the scope and the fix, got %v", err)
	}
	if strings.Contains(err.Error(), tok) {
		t.Error("the error leaks the API token")
	}
}

// TestSandbox_ResponseHeaderTimeoutBoundsAHungRequest: a tenant that accepts a request and never answers must not
// hold a call without a deadline forever. Each attempt gives up after ResponseHeaderTimeout, and the retries end.
func TestSandbox_ResponseHeaderTimeoutBoundsAHungRequest(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{CA: testCA})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	const headerTimeout = 300 * time.Millisecond
	c, err := auth0client.New(context.Background(), auth0client.Config{
		Domain: sb.Auth0Domain, ClientID: sb.Auth0ClientID, ClientSecret: sb.Auth0ClientSecret,
		Retry: auth0client.RetryPolicy{MaxAttempts: 3, BaseDelay: 20 * time.Millisecond, MaxDelay: 50 * time.Millisecond}, ResponseHeaderTimeout: headerTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Far longer than the test may take: without the bound the call would wait this long for every attempt.
	sb.Auth0.Router().Inject(router.Fault{Route: auth0.RouteGetSCIMConfig, Latency: 10 * time.Minute})
	t.Cleanup(sb.Auth0.Router().ClearFaults)

	start := time.Now()
	_, err = c.GetSCIMConfiguration(context.Background(), sb.Seed.ConnectionID) // no deadline of its own
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("a request the tenant never answers succeeded")
	}
	if !strings.Contains(err.Error(), "timeout awaiting response headers") || auth0client.StatusCode(err) != 0 {
		t.Errorf("want a transport error naming the response-header timeout, got %v", err)
	}
	if elapsed > 10*time.Second {
		t.Errorf("the call took %s; three attempts of %s each, plus back-off, should end in about a second", elapsed, headerTimeout)
	}
	// The router counts a request when its handler returns, which for an abandoned request is when the server
	// notices the closed connection: wait (bounded) for the last one.
	deadline := time.Now().Add(5 * time.Second)
	n := sb.Auth0.Router().Count(auth0.RouteGetSCIMConfig)
	for ; n < 3 && time.Now().Before(deadline); n = sb.Auth0.Router().Count(auth0.RouteGetSCIMConfig) {
		time.Sleep(10 * time.Millisecond)
	}
	if n != 3 {
		t.Errorf("attempts = %d, want 3 (a timed-out GET is retried up to MaxAttempts)", n)
	}
}

// TestSandbox_DefaultResponseHeaderTimeout: the zero Config gets the documented bound.
func TestSandbox_DefaultResponseHeaderTimeout(t *testing.T) {
	if auth0client.DefaultResponseHeaderTimeout <= 0 || auth0client.DefaultResponseHeaderTimeout > auth0client.DefaultReadTimeout {
		t.Errorf("DefaultResponseHeaderTimeout = %s must be positive and shorter than DefaultReadTimeout (%s)",
			auth0client.DefaultResponseHeaderTimeout, auth0client.DefaultReadTimeout)
	}
}

// TestSandbox_CachedOnlyReadsSendNothing: a CachedOnly read is answered from the run's cache or fails with
// ErrNotCached, and never reaches the tenant (nor fetches an access token for it).
func TestSandbox_CachedOnlyReadsSendNothing(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{CA: testCA})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	ctx := context.Background()
	for _, cached := range []bool{false, true} {
		c, err := auth0client.New(ctx, auth0client.Config{
			Domain: sb.Auth0Domain, ClientID: sb.Auth0ClientID, ClientSecret: sb.Auth0ClientSecret, CacheReads: cached,
		})
		if err != nil {
			t.Fatal(err)
		}
		before := len(sb.Auth0.Router().Requests(""))
		if _, err := c.GetConnection(auth0client.CachedOnly(ctx), sb.Seed.ConnectionID); !errors.Is(err, auth0client.ErrNotCached) {
			t.Fatalf("cache %v: a read nothing had cached: %v, want ErrNotCached", cached, err)
		}
		if n := len(sb.Auth0.Router().Requests("")) - before; n != 0 {
			t.Fatalf("cache %v: the CachedOnly read sent %d requests", cached, n)
		}
		if !cached {
			continue
		}
		if _, err := c.GetConnection(ctx, sb.Seed.ConnectionID); err != nil {
			t.Fatal(err)
		}
		sent := len(sb.Auth0.Router().Requests(""))
		if conn, err := c.GetConnection(auth0client.CachedOnly(ctx), sb.Seed.ConnectionID); err != nil || conn.Name != sandbox.SeedConnectionName {
			t.Fatalf("a cached read with CachedOnly: %+v, %v", conn, err)
		}
		if n := len(sb.Auth0.Router().Requests("")) - sent; n != 0 {
			t.Fatalf("the answered CachedOnly read sent %d requests", n)
		}
	}
}
