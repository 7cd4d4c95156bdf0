// Command sandbox runs the two-cloud sandbox as a standalone process.
//
// It writes .sandbox/env (a file a POSIX shell can `source`) with every variable the provider needs and the ids of
// the seeded objects, and .sandbox/ca.pem, the CA that SSL_CERT_FILE names. It runs until interrupted, then writes
// .sandbox/counters.json: how many requests each tenant served and refused, per route.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func main() {
	dir := flag.String("dir", ".sandbox", "directory for env and ca.pem")
	addr := flag.String("addr", "127.0.0.1", "loopback address to listen on")
	auth0Port := flag.Int("auth0-port", 0, "port of the Auth0 tenant (0 picks a free one)")
	entraPort := flag.Int("entra-port", 0, "port of the Entra tenant (0 picks a free one)")
	admin := flag.Bool("admin", true, "serve the admin API (/__sandbox/: faults, counters, request log); false makes the tenants look real")
	lag := flag.Duration("replication-lag", 0, "how long objects created through Graph stay invisible (e.g. 2s), as in a real tenant")
	official := flag.Bool("official-providers", false, "also grant the Auth0 M2M application the scopes the official Auth0 provider needs for a whole stack (clients, client grants, users, groups)")
	auth0RPS := flag.Float64("auth0-rps", 0, "enforce Auth0's Management API rate limit at this many requests per second per tenant (x-ratelimit-* headers, 429 when exceeded); 0 is off")
	graphRPS := flag.Float64("graph-rps", 0, "throttle Microsoft Graph at this many requests per second per application (429 with Retry-After); 0 is off")
	connections := flag.Int("connections", 0, "seed this many more waad connections, for fleets of stacks (ids in SANDBOX_CONNECTION_IDS, comma-separated)")
	flag.Parse()

	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	sb, err := sandbox.Start(sandbox.Options{
		Addr: *addr, Auth0Port: *auth0Port, EntraPort: *entraPort, NoAdmin: !*admin, ReplicationLag: *lag, OfficialProviders: *official,
		Auth0RPS: *auth0RPS, GraphRPS: *graphRPS, Connections: *connections,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	caFile, err := filepath.Abs(filepath.Join(*dir, "ca.pem"))
	if err != nil {
		log.Fatal(err)
	}
	if err := sb.CA.WriteFiles(caFile, ""); err != nil {
		log.Fatal(err)
	}
	envFile := filepath.Join(*dir, "env")
	tmp := envFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(sandbox.EnvFile(sb.Env(caFile))), 0o600); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, envFile); err != nil { // atomic: a reader never sees half a file
		log.Fatal(err)
	}
	fmt.Printf("sandbox: Auth0 tenant https://%s, Entra tenant %s\n", sb.Auth0Domain, sb.EntraURL)
	fmt.Printf("sandbox: wrote %s; run: source %s\n", envFile, envFile)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	_ = os.Remove(envFile)
	// Every request either tenant answered, admin API and unknown paths included, for checking what a run did.
	stats := map[string]any{}
	for name, rt := range map[string]*router.Router{"auth0": sb.Auth0.Router(), "entra": sb.Entra.Router()} {
		served, refused := rt.Totals()
		stats[name] = map[string]any{"served": served, "refused": refused, "throttled": rt.Throttled(), "routes": rt.Counts()}
		fmt.Printf("sandbox: %s answered %d requests below 400 and %d at 400 or above\n", name, served, refused)
	}
	if b, err := json.MarshalIndent(stats, "", "  "); err == nil {
		_ = os.WriteFile(filepath.Join(*dir, "counters.json"), append(b, '\n'), 0o600)
	}
}
