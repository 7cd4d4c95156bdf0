package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// Fleets: many stacks planned against one sandbox (make fleet), with both clouds' rate limits enforced.

// auth0RateLimit is Auth0's Management API limit: one bucket per tenant, every /api/v2/ answer carrying
// x-ratelimit-limit, x-ratelimit-remaining and x-ratelimit-reset (UNIX seconds when the bucket is full again), and a
// 429 when it is empty (auth0-management-api.md §7.1, §7.4).
func auth0RateLimit(rps float64) *router.RateLimit {
	return &router.RateLimit{
		RPS:     rps,
		Applies: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/v2/") },
		Headers: func(h http.Header, limit, remaining int, reset time.Time) {
			sec := reset.Unix()
			if reset.Nanosecond() > 0 {
				sec++
			}
			h.Set("x-ratelimit-limit", strconv.Itoa(limit))
			h.Set("x-ratelimit-remaining", strconv.Itoa(remaining))
			h.Set("x-ratelimit-reset", strconv.FormatInt(sec, 10))
		},
	}
}

// graphRateLimit is Microsoft Graph's throttling: per application and tenant, a 429 with Retry-After (seconds) when
// exceeded, and no rate-limit headers on the other answers (microsoft-graph.md §7.2).
func graphRateLimit(rps float64) *router.RateLimit {
	return &router.RateLimit{
		RPS: rps,
		Applies: func(r *http.Request) bool {
			return strings.HasPrefix(r.URL.Path, "/v1.0/") || strings.HasPrefix(r.URL.Path, "/beta/")
		},
		Key: graphCaller,
	}
}

// graphCaller names the application and tenant of a Graph request from its access token's tid and appid claims
// (read, not verified: the Graph handlers verify the token). A request without a readable token shares one bucket.
func graphCaller(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		TID   string `json:"tid"`
		AppID string `json:"appid"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.TID + "/" + claims.AppID
}

// seedConnections adds n more `waad` connections shaped like the seeded one (same OIDC app registration), named
// entra-fleet-0001, …, for planning n stacks.
func (sb *Sandbox) seedConnections(n int) error {
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("entra-fleet-%04d", i)
		conn := fmt.Sprintf(`{"name":%q,"strategy":"waad","show_as_button":true,"options":{`+
			`"client_id":%q,"client_secret":"sandbox-oidc-secret","strategy_version":2,`+
			`"tenant_domain":"corp.example.onmicrosoft.com","domain":"corp.example.onmicrosoft.com","tenantId":%q,`+
			`"identity_api":"microsoft-identity-platform-v2.0","waad_protocol":"openid-connect",`+
			`"use_wsfed":false,"useCommonEndpoint":false,"api_enable_users":true,"basic_profile":true,"ext_profile":true,`+
			`"userid_attribute":"sub"}}`, name, sb.Seed.OIDCAppID, sb.EntraTenantID)
		id, err := sb.Auth0.CreateConnection([]byte(conn))
		if err != nil {
			return fmt.Errorf("connection %s: %w", name, err)
		}
		sb.Seed.FleetConnectionIDs = append(sb.Seed.FleetConnectionIDs, id)
	}
	return nil
}
