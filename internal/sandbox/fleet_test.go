package sandbox_test

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

func TestRateLimitsAndFleetConnections(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Auth0RPS: 2, GraphRPS: 1, Connections: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sb.CA.Pool(), MinVersion: tls.VersionTLS12}}}
	get := func(url string) *http.Response {
		t.Helper()
		resp, err := hc.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	ids := strings.Split(sb.Env("ca.pem")["SANDBOX_CONNECTION_IDS"], ",")
	if len(ids) != 3 || ids[0] == "" || ids[0] == sb.Seed.ConnectionID {
		t.Fatalf("SANDBOX_CONNECTION_IDS = %q, want 3 new connection ids", ids)
	}

	// Auth0: a bucket of 2 for the tenant; every Management API answer says so; the third within a second is 429.
	for i, want := range []int{401, 401, 429} {
		resp := get("https://" + sb.Auth0Domain + "/api/v2/connections/" + ids[i])
		if resp.StatusCode != want {
			t.Fatalf("Auth0 request %d: %d, want %d", i, resp.StatusCode, want)
		}
		if resp.Header.Get("X-RateLimit-Limit") != "2" || resp.Header.Get("X-RateLimit-Reset") == "" {
			t.Errorf("Auth0 request %d: x-ratelimit headers %v", i, resp.Header)
		}
		if want == 429 && resp.Header.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("Auth0 429 with x-ratelimit-remaining %q", resp.Header.Get("X-RateLimit-Remaining"))
		}
	}
	// The token endpoint is not the Management API: not limited.
	if resp := get("https://" + sb.Auth0Domain + "/.well-known/openid-configuration"); resp.StatusCode == 429 {
		t.Errorf("a non-Management API request was throttled")
	}

	// Graph: 1 request per second per application; the second is 429 with Retry-After.
	for i, want := range []int{401, 429} {
		resp := get(sb.EntraURL + "/v1.0/applications")
		if resp.StatusCode != want {
			t.Fatalf("Graph request %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("Graph 429 without Retry-After")
		}
	}
	if sb.Auth0.Router().Throttled() != 1 || sb.Entra.Router().Throttled() != 1 {
		t.Errorf("throttled: auth0 %d, entra %d; want 1 and 1", sb.Auth0.Router().Throttled(), sb.Entra.Router().Throttled())
	}
}
