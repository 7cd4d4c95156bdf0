package auth0client_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

const connRoute = "GET /api/v2/connections/{id}"

// fast keeps 5xx back-offs short in tests; rate-limit waits still follow the server's headers.
var fast = auth0client.RetryPolicy{MaxAttempts: 6, BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond}

func TestRetry_429WaitsForRateLimitReset(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	f.rt.Inject(router.Fault{Route: connRoute, Status: http.StatusTooManyRequests, RetryAfter: 500 * time.Millisecond, Times: 2})

	conn, err := c.GetConnection(context.Background(), testConnID)
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if conn.ID != testConnID || conn.Strategy != "waad" {
		t.Fatalf("unexpected connection %+v", conn)
	}
	reqs := f.rt.Requests(connRoute)
	if len(reqs) != 3 {
		t.Fatalf("want 3 requests (two throttled, one served), got %d", len(reqs))
	}
	resets := f.announcedResets()
	if len(resets) != 2 {
		t.Fatalf("want 2 throttled answers, got %d", len(resets))
	}
	for i, reset := range resets {
		next := reqs[i+1].Time
		if next.Before(reset) {
			t.Errorf("retry %d was sent at %s, before the announced X-RateLimit-Reset %s", i+1, next.Format(time.RFC3339Nano), reset.Format(time.RFC3339))
		}
	}
	if got := reqs[2].Status; got != http.StatusOK {
		t.Errorf("last attempt status = %d, want 200", got)
	}
}

func TestRetry_5xxBacksOffAndSucceeds(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := startFakeTenant(t)
			c := f.client(t, fast)
			f.rt.Inject(router.Fault{Route: connRoute, Status: status, Times: 3})
			if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
				t.Fatalf("GetConnection: %v", err)
			}
			reqs := f.rt.Requests(connRoute)
			if len(reqs) != 4 {
				t.Fatalf("want 4 requests, got %d", len(reqs))
			}
			// Back-off doubles: each gap is at least half of BaseDelay·2^(n-1).
			for i := 1; i < len(reqs); i++ {
				gap := reqs[i].Time.Sub(reqs[i-1].Time)
				minGap := fast.BaseDelay << (i - 1) / 2
				if gap < minGap {
					t.Errorf("gap before attempt %d = %s, want >= %s", i+1, gap, minGap)
				}
			}
		})
	}
}

func TestRetry_Permanent503GivesUpWithinDeadline(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, auth0client.RetryPolicy{MaxAttempts: 1000, BaseDelay: 50 * time.Millisecond, MaxDelay: 400 * time.Millisecond})
	f.rt.Inject(router.Fault{Route: connRoute, Status: http.StatusServiceUnavailable})

	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, err := c.GetConnection(ctx, testConnID)
	elapsed := time.Since(start)

	if err == nil {
		t.Fatal("GetConnection succeeded against a permanent 503")
	}
	if elapsed > deadline {
		t.Errorf("gave up after %s, later than the %s deadline", elapsed, deadline)
	}
	if got := auth0client.StatusCode(err); got != http.StatusServiceUnavailable {
		t.Errorf("StatusCode(err) = %d, want 503 (the last answer); err = %v", got, err)
	}
	if n := f.rt.Count(connRoute); n < 3 {
		t.Errorf("only %d attempts before giving up; want several", n)
	}
	if !strings.Contains(err.Error(), "503 Service Unavailable") || !strings.Contains(err.Error(), testConnID) {
		t.Errorf("error text %q should name the status and the connection", err)
	}
}

func TestRetry_Permanent503GivesUpAfterMaxAttempts(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, auth0client.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond})
	f.rt.Inject(router.Fault{Route: connRoute, Status: http.StatusServiceUnavailable})
	_, err := c.GetConnection(context.Background(), testConnID) // no deadline: the attempt bound must stop it
	if auth0client.StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("want a 503 error, got %v", err)
	}
	if n := f.rt.Count(connRoute); n != 3 {
		t.Errorf("attempts = %d, want exactly MaxAttempts = 3", n)
	}
}

func TestRetry_RateLimitResetAfterDeadlineGivesUpAtOnce(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	f.rt.Inject(router.Fault{Route: connRoute, Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.GetConnection(ctx, testConnID)
	if auth0client.StatusCode(err) != http.StatusTooManyRequests {
		t.Fatalf("want the 429 answer, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("waited %s although the reset was after the deadline", elapsed)
	}
	if !strings.Contains(err.Error(), "Global limit has been reached") || !strings.Contains(err.Error(), "parallelism") {
		t.Errorf("error text %q should carry Auth0's message and a hint", err)
	}
}

func TestRetry_BodyResentOnEveryAttempt(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	const route = "PATCH /api/v2/connections/{id}"
	// The router applies every matching fault to a request at once, so one fault covers both failed attempts.
	f.rt.Inject(router.Fault{Route: route, Status: http.StatusBadGateway, Times: 2})

	conn, err := c.GetConnection(context.Background(), testConnID)
	if err != nil {
		t.Fatal(err)
	}
	opts, changed, err := auth0client.ApplyOptionChanges(conn.Options, []auth0client.OptionChange{{Key: "userid_attribute", Value: "oid"}})
	if err != nil || !changed {
		t.Fatalf("ApplyOptionChanges: changed=%v err=%v", changed, err)
	}
	if _, err := c.UpdateConnectionOptions(context.Background(), testConnID, opts); err != nil {
		t.Fatal(err)
	}
	reqs := f.rt.Requests(route)
	if len(reqs) != 3 {
		t.Fatalf("want 3 PATCH attempts, got %d", len(reqs))
	}
	for i, r := range reqs {
		if len(r.Body) == 0 || !bytes.Equal(r.Body, reqs[0].Body) {
			t.Errorf("attempt %d sent body %q, want %q", i+1, r.Body, reqs[0].Body)
		}
	}
	options, ok := decodeJSON(t, reqs[2].Body)["options"].(map[string]any)
	if !ok {
		t.Fatalf("the PATCH body has no options object: %s", reqs[2].Body)
	}
	// The request log masks the client secret (router.Masked); that it was sent is what is left to check.
	if options["userid_attribute"] != "oid" || options["client_secret"] != router.Masked || options["strategy_version"] != float64(2) {
		t.Errorf("PATCH options = %v; want the change and every other option kept", options)
	}
	if _, ok := options["waad_common_endpoint"]; ok {
		t.Errorf("PATCH options carry the read-only echo waad_common_endpoint: %v", options)
	}
}

func TestRetry_CreatingPOSTNotRepeatedAfter500(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	const route = "POST /api/v2/connections/{id}/scim-configuration/tokens"
	f.rt.Inject(router.Fault{Route: route, Status: http.StatusInternalServerError, Times: 1})
	_, err := c.CreateSCIMToken(context.Background(), testConnID, []string{"get:users"}, 0)
	if auth0client.StatusCode(err) != http.StatusInternalServerError {
		t.Fatalf("want the 500 answer, got %v", err)
	}
	if n := f.rt.Count(route); n != 1 {
		t.Errorf("a token POST was sent %d times after a 500; it may have created a token, so it must not be repeated", n)
	}

	// A 429 means Auth0 did nothing: that POST is retried.
	f.rt.Inject(router.Fault{Route: route, Status: http.StatusTooManyRequests, RetryAfter: time.Millisecond, Times: 1})
	tok, err := c.CreateSCIMToken(context.Background(), testConnID, []string{"get:users"}, 901*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenID == "" || tok.Token == "" {
		t.Errorf("token not decoded: %v", tok)
	}
	if strings.Contains(tok.String(), tok.Token) {
		t.Errorf("SCIMToken.String() leaks the secret: %s", tok)
	}
	reqs := f.rt.Requests(route)
	if body := decodeJSON(t, reqs[len(reqs)-1].Body); body["token_lifetime"] != float64(901) {
		t.Errorf("token_lifetime = %v, want 901", body["token_lifetime"])
	}
}

func TestRetry_TransportErrorsAreBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there any more: every dial is refused

	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: addr, APIToken: "static-token-do-not-log",
		Retry: auth0client.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.GetConnection(context.Background(), testConnID)
	if err == nil {
		t.Fatal("want an error")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	if auth0client.StatusCode(err) != 0 || !strings.Contains(err.Error(), "refused") {
		t.Errorf("want a transport error naming the refused connection, got %v", err)
	}
	if strings.Contains(err.Error(), "static-token-do-not-log") {
		t.Errorf("error leaks the API token: %v", err)
	}
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	hits := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits++ }))
	defer srv.Close()
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: strings.TrimPrefix(srv.URL, "https://"), APIToken: "t", Retry: fast})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.GetConnection(context.Background(), testConnID)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}
	if hits != 0 || time.Since(start) > time.Second {
		t.Errorf("an untrusted server was reached (%d) or retried (%s)", hits, time.Since(start))
	}
}

func TestClientCredentialsFlow(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatal(err)
	}
	toks := f.rt.Requests("POST /oauth/token")
	if len(toks) != 1 {
		t.Fatalf("want one token exchange reused by both calls, got %d", len(toks))
	}
	if ct := toks[0].Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("token request Content-Type = %q", ct)
	}
	if !strings.Contains(string(toks[0].Body), "grant_type=client_credentials") || !strings.Contains(string(toks[0].Body), "audience=https%3A%2F%2F"+strings.ReplaceAll(f.domain, ":", "%3A")+"%2Fapi%2Fv2%2F") {
		t.Errorf("token request body = %q, want the client-credentials grant for the tenant's Management API audience", toks[0].Body)
	}
	req := f.rt.Requests(connRoute)[0]
	if ua := req.Header.Get("User-Agent"); !strings.HasPrefix(ua, "Go-Auth0/") || !strings.HasSuffix(ua, "terraform-provider-auth0entra/test") {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestClientCredentials_TokenEndpointThrottledIsRetried(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	f.rt.Inject(router.Fault{Route: "POST /oauth/token", Status: http.StatusTooManyRequests, RetryAfter: time.Millisecond, Times: 1})
	if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatal(err)
	}
	if n := f.rt.Count("POST /oauth/token"); n != 2 {
		t.Errorf("token requests = %d, want 2 (throttled, then served)", n)
	}

	// The client-credentials exchange is idempotent, so even a 500 is retried.
	f2 := startFakeTenant(t)
	c2 := f2.client(t, fast)
	f2.rt.Inject(router.Fault{Route: "POST /oauth/token", Status: http.StatusInternalServerError, Times: 2})
	if _, err := c2.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatal(err)
	}
	if n := f2.rt.Count("POST /oauth/token"); n != 3 {
		t.Errorf("token requests = %d, want 3", n)
	}
}

func TestClientCredentials_AudienceOverride(t *testing.T) {
	f := startFakeTenant(t)
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: f.domain, ClientID: f.clientID, ClientSecret: f.clientSecret, Audience: "https://acme.eu.auth0.com/api/v2/"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatal(err)
	}
	if body := string(f.rt.Requests("POST /oauth/token")[0].Body); !strings.Contains(body, "audience=https%3A%2F%2Facme.eu.auth0.com%2Fapi%2Fv2%2F") {
		t.Errorf("token request body = %q, want the configured audience", body)
	}
}

func TestBadClientSecret_ErrorIsClearAndHasNoSecret(t *testing.T) {
	f := startFakeTenant(t)
	const wrong = "wrong-secret-must-not-appear"
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: f.domain, ClientID: f.clientID, ClientSecret: wrong, Retry: fast})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetConnection(context.Background(), testConnID)
	if err == nil {
		t.Fatal("want an error")
	}
	text := err.Error()
	if strings.Contains(text, wrong) || strings.Contains(text, f.clientSecret) {
		t.Errorf("error leaks a secret: %s", text)
	}
	if auth0client.StatusCode(err) != http.StatusUnauthorized || !strings.Contains(text, "access token") || !strings.Contains(text, "client_secret") {
		t.Errorf("want a 401 that says the token exchange failed and what to check, got %q", text)
	}
	if !strings.HasPrefix(text, "Auth0 rejected the provider's credentials: 401") {
		t.Errorf("the cause does not come first: %q", text)
	}
	// Reported once: later calls fail at once without another exchange, saying so.
	exchanges := f.rt.Count("POST /oauth/token")
	_, err = c.ListSCIMTokens(context.Background(), testConnID)
	if err == nil || !strings.Contains(err.Error(), "already rejected") || auth0client.StatusCode(err) != http.StatusUnauthorized {
		t.Errorf("second call: %v", err)
	}
	if n := f.rt.Count("POST /oauth/token"); n != exchanges {
		t.Errorf("the rejected credentials were sent again (%d exchanges, then %d)", exchanges, n)
	}
}

func TestStaticToken(t *testing.T) {
	f := startFakeTenant(t)
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: f.domain, APIToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatal(err)
	}
	if n := f.rt.Count("POST /oauth/token"); n != 0 {
		t.Errorf("a static token must not be exchanged; got %d token requests", n)
	}
}

func TestErrorMapping(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	ctx := context.Background()

	_, err := c.GetConnection(ctx, "con_0000000000000000")
	var e *auth0client.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *auth0client.Error, got %T %v", err, err)
	}
	if !auth0client.IsNotFound(err) || !auth0client.IsConnectionNotFound(err) || auth0client.IsSCIMNotConfigured(err) {
		t.Errorf("inexistent connection misclassified: %v", err)
	}
	if auth0client.ErrorCode(err) != "inexistent_connection" || auth0client.Message(err) != "The connection does not exist" {
		t.Errorf("code/message = %q/%q", auth0client.ErrorCode(err), auth0client.Message(err))
	}
	if want := `reading Auth0 connection "con_0000000000000000": Auth0 answered 404 Not Found: The connection does not exist (inexistent_connection)`; err.Error() != want {
		t.Errorf("error text\n got %q\nwant %q", err, want)
	}

	_, err = c.GetSCIMConfiguration(ctx, testConnID)
	if !auth0client.IsSCIMNotConfigured(err) || auth0client.IsConnectionNotFound(err) {
		t.Errorf("missing SCIM configuration misclassified: %v", err)
	}
	if auth0client.StatusCode(nil) != 0 || auth0client.IsNotFound(nil) {
		t.Error("nil error misclassified")
	}
}

func TestCreateSCIMConfiguration_EmptyBodyAndUpdatedOn(t *testing.T) {
	f := startFakeTenant(t)
	c := f.client(t, fast)
	cfg, err := c.CreateSCIMConfiguration(context.Background(), testConnID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UpdatedOn != "2025-11-06T03:50:36.919Z" || cfg.TenantName != "sandbox" || cfg.UserIDAttribute != "externalId" || len(cfg.Mapping) != 1 {
		t.Errorf("configuration not decoded from the raw answer: %+v", cfg)
	}
	req := f.rt.Requests("POST /api/v2/connections/{id}/scim-configuration")[0]
	if len(req.Body) != 0 || req.Header.Get("Content-Type") != "" {
		t.Errorf("a create without input must send no body and no Content-Type; got %q, %q", req.Body, req.Header.Get("Content-Type"))
	}

	if _, err := c.CreateSCIMConfiguration(context.Background(), testConnID, &auth0client.SCIMConfigurationInput{UserIDAttribute: "userName"}); err != nil {
		t.Fatal(err)
	}
	req = f.rt.Requests("POST /api/v2/connections/{id}/scim-configuration")[1]
	if string(req.Body) != "{\"user_id_attribute\":\"userName\"}\n" && string(req.Body) != `{"user_id_attribute":"userName"}` {
		t.Errorf("body = %q", req.Body)
	}
}

func TestEndpointURLs(t *testing.T) {
	c, err := auth0client.New(context.Background(), auth0client.Config{Domain: "acme.eu.auth0.com", APIToken: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.SCIMEndpointURL(testConnID), "https://acme.eu.auth0.com/scim/v2/connections/"+testConnID; got != want {
		t.Errorf("SCIMEndpointURL = %q, want %q", got, want)
	}
	if got, want := c.EntraTenantURL(testConnID), "https://acme.eu.auth0.com/scim/v2/connections/"+testConnID+"?aadOptscim062020"; got != want {
		t.Errorf("EntraTenantURL = %q, want %q", got, want)
	}
}

func TestRetry_CreatingPOSTNotRepeatedAfterAnyAmbiguousAnswer(t *testing.T) {
	const route = "POST /api/v2/connections/{id}/scim-configuration/tokens"
	for name, fault := range map[string]router.Fault{
		"503 before":      {Route: route, Status: http.StatusServiceUnavailable, Times: 1},
		"502 after write": {Route: route, AfterStatus: http.StatusBadGateway, Times: 1},
		"503 after write": {Route: route, AfterStatus: http.StatusServiceUnavailable, Times: 1},
		"dropped answer":  {Route: route, AfterDrop: true, Times: 1},
	} {
		t.Run(name, func(t *testing.T) {
			f := startFakeTenant(t)
			c := f.client(t, fast)
			f.rt.Inject(fault)
			if _, err := c.CreateSCIMToken(context.Background(), testConnID, []string{"get:users"}, 0); err == nil {
				t.Fatal("want the ambiguous answer as an error")
			}
			if n := f.rt.Count(route); n != 1 {
				t.Errorf("the token POST was sent %d times; after an answer that does not prove nothing was created it must be sent once", n)
			}
		})
	}
	// Reads are retried on the same answers, carried out or not.
	f := startFakeTenant(t)
	c := f.client(t, fast)
	f.rt.Inject(router.Fault{Route: connRoute, AfterStatus: http.StatusServiceUnavailable, Times: 1})
	f.rt.Inject(router.Fault{Route: connRoute, AfterDrop: true, Times: 1})
	if _, err := c.GetConnection(context.Background(), testConnID); err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if n := f.rt.Count(connRoute); n != 3 {
		t.Errorf("GET sent %d times, want 3", n)
	}
}

func TestUnreachableDomainFailsFastNamingTheSetting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	_ = ln.Close()
	for name, c := range map[string]struct{ domain, source, want string }{
		"refused, from the block": {refused, "auth0.domain in the provider block", "connection refused"},
		"no such host, from env":  {"no-such-tenant.invalid", "the environment variable AUTH0_DOMAIN", "no such host"},
	} {
		t.Run(name, func(t *testing.T) {
			client, err := auth0client.New(context.Background(), auth0client.Config{Domain: c.domain, DomainSource: c.source,
				ClientID: "id", ClientSecret: "secret-do-not-log"})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = client.GetConnection(context.Background(), testConnID) // the default retry policy
			if err == nil {
				t.Fatal("want an error")
			}
			d := time.Since(start)
			if d > 5*time.Second {
				t.Errorf("took %s, want under 5s", d)
			}
			t.Logf("failed after %s: %s", d.Round(time.Millisecond), err)
			msg := err.Error()
			if !strings.HasPrefix(msg, "Cannot reach the Auth0 tenant") || !strings.Contains(msg, c.source) ||
				!strings.Contains(msg, c.want) || !strings.Contains(msg, c.domain) {
				t.Errorf("message does not name the cause first, the domain and where it came from: %s", msg)
			}
			if strings.Contains(msg, "secret-do-not-log") {
				t.Errorf("leaks the secret: %s", msg)
			}
		})
	}
}
