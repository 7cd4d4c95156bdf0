package auth0client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

// BenchmarkNoChangePlanReads replays, per operation, the reads a no-change plan of one stack makes in one provider
// process (a new client each time, with the read cache the provider turns on): the data source's and the SCIM
// connection's reads of the configuration, the connection and its default mapping, the token's list and its marker
// check. It reports Management API calls and token requests per plan (b.ReportMetric), counted by the sandbox.
func BenchmarkNoChangePlanReads(b *testing.B) {
	for _, cached := range []bool{false, true} {
		name := "uncached"
		if cached {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			sb, err := sandbox.Start(sandbox.Options{CA: testCA})
			if err != nil {
				b.Fatal(err)
			}
			defer sb.Close()
			ctx := context.Background()
			id := sb.Seed.ConnectionID
			setup, err := auth0client.New(ctx, auth0client.Config{Domain: sb.Auth0Domain, ClientID: sb.Auth0ClientID, ClientSecret: sb.Auth0ClientSecret})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := setup.CreateSCIMConfiguration(ctx, id, nil); err != nil {
				b.Fatal(err)
			}
			if _, err := setup.CreateSCIMToken(ctx, id, []string{"get:users"}, 24*time.Hour); err != nil {
				b.Fatal(err)
			}
			rt := sb.Auth0.Router()
			rt.ResetCounters()
			b.ResetTimer()
			for b.Loop() {
				c, err := auth0client.New(ctx, auth0client.Config{
					Domain: sb.Auth0Domain, ClientID: sb.Auth0ClientID, ClientSecret: sb.Auth0ClientSecret, CacheReads: cached,
				})
				if err != nil {
					b.Fatal(err)
				}
				_, e1 := c.GetSCIMConfiguration(ctx, id) // data source
				_, e2 := c.GetSCIMConfiguration(ctx, id) // auth0entra_scim_connection Read
				_, e3 := c.GetConnection(ctx, id)
				_, e4 := c.GetSCIMDefaultMapping(ctx, id)
				_, e5 := c.GetConnection(ctx, id)  // its ModifyPlan
				_, e6 := c.ListSCIMTokens(ctx, id) // auth0entra_scim_token Read
				_, e7 := c.GetConnection(ctx, id)  // the pending-token marker check
				for _, err := range []error{e1, e2, e3, e4, e5, e6, e7} {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			api, tokens := 0, 0
			for _, r := range rt.Requests("") {
				switch {
				case strings.HasPrefix(r.Path, "/api/v2/"):
					api++
				case r.Path == "/oauth/token":
					tokens++
				}
			}
			b.ReportMetric(float64(api)/float64(b.N), "mgmt-calls/plan")
			b.ReportMetric(float64(tokens)/float64(b.N), "token-requests/plan")
		})
	}
}
