// Package auth0 plays the Auth0 side of the sandbox: /oauth/token, the Management API for connections and their
// SCIM configuration and tokens, and (through package scim) Auth0's inbound SCIM 2.0 server.
//
// Behaviour follows contributing/facts/auth0-management-api.md and testdata/recordings: OBSERVED and DOCUMENTED
// behaviour is matched; where that file says UNKNOWN, a comment names the choice made.
package auth0

import (
	"net/http"
	"sync"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

// defaultRateLimit is the x-ratelimit-limit reported when Config.RateLimit is zero.
const defaultRateLimit = 50

// Config configures a Server.
type Config struct {
	// TenantName is reported as tenant_name in SCIM configurations (current Auth0 sends the bare tenant name).
	TenantName string
	// Now is the tenant's clock; nil means time.Now. Tests move it forward to expire tokens.
	Now func() time.Time
	// RateLimit is the bucket size reported in x-ratelimit-limit (default 50). It is not enforced; inject 429s
	// with the router's faults.
	RateLimit int
}

// Server is the in-memory Auth0 tenant. It is safe for concurrent use.
type Server struct {
	cfg  Config
	rt   *router.Router
	scim *scim.Server

	mu           sync.Mutex
	domain       string
	clients      map[string]client
	accessTokens map[string]accessToken
	connections  map[string]*connection
	connSeq      int64
	scimConfigs  map[string]*scimConfig  // by connection id
	scimTokens   map[string][]*scimToken // by connection id, oldest first
	appStore     appStore                // applications and client grants (clients.go)
	rlWindow     int64                   // second of the rate-limit window
	rlCount      int                     // requests in that second
}

// New returns a tenant with no clients and no connections.
func New(cfg Config) *Server {
	s := &Server{
		cfg:          cfg,
		clients:      map[string]client{},
		accessTokens: map[string]accessToken{},
		connections:  map[string]*connection{},
		scimConfigs:  map[string]*scimConfig{},
		scimTokens:   map[string][]*scimToken{},
	}
	s.rt = router.New(s.writeError)
	s.scim = scim.New(scimTenant{s}, s.now)
	s.routes()
	return s
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// Router is the tenant's HTTP handler, with fault injection and request counters.
func (s *Server) Router() *router.Router { return s.rt }

// SCIM is the tenant's inbound SCIM server, which also holds the tenant's users.
func (s *Server) SCIM() *scim.Server { return s.scim }

// SetDomain records the host[:port] clients reach the tenant at (the Management API audience is built from it).
func (s *Server) SetDomain(domain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domain = domain
}

// Domain returns the host[:port] set with SetDomain.
func (s *Server) Domain() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.domain
}

// Route patterns, as the router's counters and request log name them.
const (
	RouteToken                = "POST /oauth/token"
	RouteListConnections      = "GET /api/v2/connections"
	RouteCreateConnection     = "POST /api/v2/connections"
	RouteGetConnection        = "GET /api/v2/connections/{id}"
	RouteUpdateConnection     = "PATCH /api/v2/connections/{id}"
	RouteDeleteConnection     = "DELETE /api/v2/connections/{id}"
	RouteGetSCIMConfig        = "GET /api/v2/connections/{id}/scim-configuration"
	RouteCreateSCIMConfig     = "POST /api/v2/connections/{id}/scim-configuration"
	RouteUpdateSCIMConfig     = "PATCH /api/v2/connections/{id}/scim-configuration"
	RouteDeleteSCIMConfig     = "DELETE /api/v2/connections/{id}/scim-configuration"
	RouteDefaultMapping       = "GET /api/v2/connections/{id}/scim-configuration/default-mapping"
	RouteListSCIMTokens       = "GET /api/v2/connections/{id}/scim-configuration/tokens"
	RouteCreateSCIMToken      = "POST /api/v2/connections/{id}/scim-configuration/tokens"
	RouteDeleteSCIMToken      = "DELETE /api/v2/connections/{id}/scim-configuration/tokens/{tokenId}"
	RouteListSCIMConfigs      = "GET /api/v2/connections-scim-configurations"
	routeManagementAPIUnknown = "/api/v2/"
)

func (s *Server) routes() {
	s.rt.Handle(RouteToken, s.token)

	s.api(RouteListConnections, "read:connections", s.listConnections)
	s.api(RouteCreateConnection, "create:connections", s.createConnection)
	s.api(RouteGetConnection, "read:connections", s.getConnection)
	s.api(RouteUpdateConnection, "update:connections", s.updateConnection)
	s.api(RouteDeleteConnection, "delete:connections", s.deleteConnection)

	s.api(RouteGetSCIMConfig, "read:scim_config", s.getSCIMConfig)
	s.api(RouteCreateSCIMConfig, "create:scim_config", s.createSCIMConfig)
	s.api(RouteUpdateSCIMConfig, "update:scim_config", s.updateSCIMConfig)
	s.api(RouteDeleteSCIMConfig, "delete:scim_config", s.deleteSCIMConfig)
	s.api(RouteDefaultMapping, "read:scim_config", s.defaultMapping)
	s.api(RouteListSCIMConfigs, "read:scim_config", s.listSCIMConfigs)

	s.api(RouteListSCIMTokens, "read:scim_token", s.listSCIMTokens)
	s.api(RouteCreateSCIMToken, "create:scim_token", s.createSCIMToken)
	s.api(RouteDeleteSCIMToken, "delete:scim_token", s.deleteSCIMToken)

	s.groupRoutes() // groups.go
	s.registerClientRoutes()

	s.rt.Handle(routeManagementAPIUnknown, func(w http.ResponseWriter, r *http.Request) {
		s.setRateLimitHeaders(w)
		s.writeAPIError(w, errNotFound)
	})

	s.scim.Register(s.rt)
}

// api registers a Management API route: rate-limit headers, bearer authentication and the scope check come first.
func (s *Server) api(pattern, scope string, h http.HandlerFunc) {
	s.rt.Handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.setRateLimitHeaders(w)
		if e := s.authenticate(r, scope); e != nil {
			s.writeAPIError(w, e)
			return
		}
		h(w, r)
	})
}

// writeNoContent answers 204; Auth0 sends its JSON content type even then (OBSERVED).
func writeNoContent(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusNoContent)
}

// timestamp formats t as Auth0 does: ISO-8601 with milliseconds and Z (OBSERVED).
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
