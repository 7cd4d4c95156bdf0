// Package sandbox runs both clouds of the job in one process: an Auth0 tenant and a Microsoft Entra tenant, each on
// its own HTTPS loopback listener with a certificate from a CA the sandbox generates.
//
// The same package serves three uses: in-process for Go tests (Start), `make sandbox` as a standalone process
// (cmd/sandbox, which also writes .sandbox/env), and `make demo`.
//
// Fidelity rule: where contributing/facts/ marks a behaviour OBSERVED or DOCUMENTED the sandbox matches it; where it says
// UNKNOWN the sandbox picks the suggested behaviour and a comment says so.
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/entra"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/tlsca"
	"github.com/google/uuid"
)

// Options configures Start.
type Options struct {
	// CA signs the listeners' certificates. Nil generates one. Tests share one CA per process because Go reads
	// SSL_CERT_FILE once.
	CA *tlsca.CA
	// Addr is the host to listen on; default 127.0.0.1. Ports are chosen by the system unless Auth0Port/EntraPort are set.
	Addr      string
	Auth0Port int
	EntraPort int
	// NoSeed starts empty tenants (credentials are still registered).
	NoSeed bool
	// NoAdmin switches both tenants' admin API (/__sandbox/) off: from outside they then look like real tenants
	// (`bin/sandbox -admin=false`, the offline stand-in for `make testacc-tenants`).
	NoAdmin bool
	// ReplicationLag makes objects created through Graph invisible for this long, as in a real tenant
	// (entra.Server.SetReplicationLag).
	ReplicationLag time.Duration
	// OfficialProviders also grants the M2M application OfficialProviderScopes, for a whole stack managed with the
	// official Auth0 provider beside this one (make whole-stack).
	OfficialProviders bool
	// Auth0RPS, when above 0, enforces Auth0's Management API rate limit: one bucket per tenant refilled at this
	// many requests per second, x-ratelimit-* headers, 429 when empty (fleet.go; `bin/sandbox -auth0-rps`).
	Auth0RPS float64
	// GraphRPS, when above 0, throttles Graph per application and tenant at this many requests per second: 429 with
	// Retry-After (fleet.go; `bin/sandbox -graph-rps`).
	GraphRPS float64
	// Connections seeds this many more `waad` connections (Seed.FleetConnectionIDs, SANDBOX_CONNECTION_IDS), so that
	// fleets of stacks can be planned (`bin/sandbox -connections`, make fleet).
	Connections int
	// Now is both tenants' clock (token expiry, valid_until, job times); nil is time.Now. Tests move it to
	// reach expiry and rotation windows without waiting.
	Now func() time.Time
}

// ManagementScopes are the Management API scopes the sandbox's machine-to-machine application is granted: exactly
// the documented minimum (docs/index.md, auth0-management-api.md §2), every one needed by some operation of the
// provider. Read and update of the connection come from GET/PATCH /connections/{id}; the provider never calls the
// users API nor creates or deletes connections.
var ManagementScopes = []string{
	"read:connections", "update:connections",
	"read:scim_config", "create:scim_config", "update:scim_config", "delete:scim_config",
	"read:scim_token", "create:scim_token", "delete:scim_token",
}

// AllManagementScopes is ManagementScopes (kept for tests that grant and restore the full set).
var AllManagementScopes = ManagementScopes

// OfficialProviderScopes are what the official Auth0 provider needs on top of ManagementScopes for a whole stack
// (auth0_connection created and destroyed, auth0_client, auth0_client_grant, the connection's enabled clients) and
// what reading SCIM-provisioned users and
// groups through the Management API takes. Granted only when Options.OfficialProviders asks for it, so that a
// sandbox started for this provider alone holds exactly the documented minimum.
var OfficialProviderScopes = []string{
	"create:connections", "delete:connections",
	"read:users", "update:users",
	"read:groups", "read:group_members",
	"read:clients", "create:clients", "update:clients", "delete:clients",
	"read:client_grants", "create:client_grants", "update:client_grants", "delete:client_grants",
}

// OfficialProviderGraphPermissions are what azuread needs on top of GraphPermissions for a whole stack: its
// azuread_group and azuread_group_member (microsoft-graph.md §9.4). Granted only with Options.OfficialProviders.
var OfficialProviderGraphPermissions = []string{entra.PermGroupReadWriteAll}

// GraphPermissions are the Microsoft Graph application permissions granted to the sandbox's automation app
// registration: exactly the documented minimum (entra.MinimumPermissions).
var GraphPermissions = entra.MinimumPermissions

// Sandbox is a running pair of tenants.
type Sandbox struct {
	CA    *tlsca.CA
	Auth0 *auth0.Server
	Entra *entra.Server

	// Auth0Domain is host:port of the Auth0 tenant (what AUTH0_DOMAIN holds).
	Auth0Domain string
	// EntraURL is https://host:port of the Entra tenant: authority host and Graph host.
	EntraURL string

	Auth0ClientID, Auth0ClientSecret string
	EntraTenantID                    string
	EntraClientID, EntraClientSecret string

	// Seed holds the ids of the seeded objects (empty when Options.NoSeed).
	Seed Seed

	servers []*http.Server
}

// Start starts both tenants and seeds them.
func Start(opts Options) (*Sandbox, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1"
	}
	ca := opts.CA
	if ca == nil {
		var err error
		if ca, err = tlsca.New(); err != nil {
			return nil, err
		}
	}
	tlsCfg, err := ca.ServerConfig()
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{
		CA:                ca,
		EntraTenantID:     newGUID(),
		Auth0ClientID:     randomID(32),
		Auth0ClientSecret: randomID(64),
		EntraClientID:     newGUID(),
		EntraClientSecret: randomID(40),
	}
	a0cfg := auth0.Config{TenantName: "sandbox", Now: opts.Now}
	if opts.Auth0RPS > 0 {
		a0cfg.RateLimit = max(1, int(math.Ceil(opts.Auth0RPS))) // the bucket size its 429 answers report
	}
	sb.Auth0 = auth0.New(a0cfg)
	sb.Entra = entra.New(entra.Config{TenantID: sb.EntraTenantID, Now: opts.Now})

	if opts.NoAdmin {
		sb.Auth0.Router().SetAdmin(false)
		sb.Entra.Router().SetAdmin(false)
	}
	if opts.ReplicationLag > 0 {
		sb.Entra.SetReplicationLag(opts.ReplicationLag)
	}
	if opts.Auth0RPS > 0 {
		sb.Auth0.Router().SetRateLimit(auth0RateLimit(opts.Auth0RPS))
	}
	if opts.GraphRPS > 0 {
		sb.Entra.Router().SetRateLimit(graphRateLimit(opts.GraphRPS))
	}

	a0, err := sb.listen(opts.Addr, opts.Auth0Port, tlsCfg, sb.Auth0.Router())
	if err != nil {
		return nil, err
	}
	en, err := sb.listen(opts.Addr, opts.EntraPort, tlsCfg, sb.Entra.Router())
	if err != nil {
		sb.Close()
		return nil, err
	}
	sb.Auth0Domain = a0
	sb.EntraURL = "https://" + en
	sb.Auth0.SetDomain(a0)
	sb.Entra.SetBaseURL(sb.EntraURL)
	sb.Entra.SetHTTPClient(&http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}},
	})

	scopes := ManagementScopes
	if opts.OfficialProviders {
		scopes = append(append([]string(nil), ManagementScopes...), OfficialProviderScopes...)
	}
	sb.Auth0.AddClient(sb.Auth0ClientID, sb.Auth0ClientSecret, scopes)
	sb.Entra.AddClient(sb.EntraClientID, sb.EntraClientSecret)
	sb.Entra.GrantAppRoles(sb.EntraClientID, GraphPermissions...)
	if opts.OfficialProviders {
		sb.Entra.GrantAppRoles(sb.EntraClientID, OfficialProviderGraphPermissions...)
	}

	if !opts.NoSeed {
		if err := sb.seed(); err != nil {
			sb.Close()
			return nil, fmt.Errorf("sandbox: seeding: %w", err)
		}
	}
	if opts.Connections > 0 && !opts.NoSeed {
		if err := sb.seedConnections(opts.Connections); err != nil {
			sb.Close()
			return nil, fmt.Errorf("sandbox: seeding connections: %w", err)
		}
	}
	return sb, nil
}

func (sb *Sandbox) listen(addr string, port int, tlsCfg *tls.Config, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, fmt.Sprint(port)))
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, TLSConfig: tlsCfg, ReadHeaderTimeout: 10 * time.Second}
	sb.servers = append(sb.servers, srv)
	go func() { _ = srv.Serve(tls.NewListener(ln, tlsCfg)) }()
	return ln.Addr().String(), nil
}

// Close stops both listeners.
func (sb *Sandbox) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range sb.servers {
		_ = s.Shutdown(ctx)
	}
}

// Env returns every variable the provider needs to reach this sandbox, plus the seeded ids, for `source`-ing.
// SSL_CERT_FILE is set to caFile. The official providers read the same file: terraform-provider-auth0 takes
// AUTH0_DOMAIN/AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET, azuread takes ARM_METADATA_HOSTNAME, ARM_TENANT_ID,
// ARM_CLIENT_ID and ARM_CLIENT_SECRET; both trust the sandbox CA through SSL_CERT_FILE.
func (sb *Sandbox) Env(caFile string) map[string]string {
	env := map[string]string{
		"AUTH0_DOMAIN":        sb.Auth0Domain,
		"AUTH0_CLIENT_ID":     sb.Auth0ClientID,
		"AUTH0_CLIENT_SECRET": sb.Auth0ClientSecret,
		"ARM_TENANT_ID":       sb.EntraTenantID,
		"ARM_CLIENT_ID":       sb.EntraClientID,
		"ARM_CLIENT_SECRET":   sb.EntraClientSecret,
		"ARM_AUTHORITY_HOST":  sb.EntraURL + "/",
		"ARM_GRAPH_URL":       sb.EntraURL + "/v1.0",
		// The official azuread provider finds the sandbox through the ARM metadata document it serves
		// (GET /metadata/endpoints?api-version=2022-09-01): login endpoint and Graph URL both name the sandbox.
		"ARM_METADATA_HOSTNAME": strings.TrimPrefix(sb.EntraURL, "https://"),
		"SSL_CERT_FILE":         caFile,
	}
	for k, v := range sb.Seed.Env() {
		env[k] = v
	}
	return env
}

// EnvFile renders Env as a POSIX shell file of export lines, sorted by name.
func EnvFile(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("# Written by the auth0entra sandbox. `source` it; every value is for the sandbox only.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "export %s='%s'\n", k, strings.ReplaceAll(env[k], "'", `'\''`))
	}
	return b.String()
}

func randomID(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// newGUID is a random (version 4) GUID in the lower-case form Entra shows object ids in.
func newGUID() string { return uuid.NewString() }
