// Package auth0 plays the Auth0 side of the sandbox: /oauth/token, the Management API for connections and their
// SCIM configuration and tokens, and (through package scim) Auth0's inbound SCIM 2.0 server.
package auth0

import (
	"net/http"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// Config configures a Server.
type Config struct {
	// TenantName is reported as tenant_name in SCIM configurations (current Auth0 sends the bare tenant name).
	TenantName string
}

// Server is the in-memory Auth0 tenant.
type Server struct {
	cfg    Config
	rt     *router.Router
	domain string
}

// New returns a tenant with no clients and no connections.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.rt = router.New(s.writeError)
	return s
}

// Router is the tenant's HTTP handler, with fault injection and request counters.
func (s *Server) Router() *router.Router { return s.rt }

// SetDomain records the host[:port] clients reach the tenant at (the Management API audience is built from it).
func (s *Server) SetDomain(domain string) { s.domain = domain }

// AddClient registers a machine-to-machine application that may use the client-credentials grant.
func (s *Server) AddClient(clientID, clientSecret string, scopes []string) {}

// IssueToken returns a Management API access token with the given scopes (what AUTH0_API_TOKEN would hold).
func (s *Server) IssueToken(scopes []string) string { return "" }

// CreateConnection stores a connection as a POST /api/v2/connections would and returns its id.
// body is the JSON request body (name, strategy, options, ...).
func (s *Server) CreateConnection(body []byte) (string, error) { return "", nil }

// AddUser stores an Auth0 user of a connection, as if they had already logged in through it; returns the user_id.
func (s *Server) AddUser(connectionID string, u User) (string, error) { return "", nil }

// User is an Auth0 user profile as the sandbox stores it.
type User struct {
	UserID      string         `json:"user_id,omitempty"`
	Email       string         `json:"email,omitempty"`
	Name        string         `json:"name,omitempty"`
	GivenName   string         `json:"given_name,omitempty"`
	FamilyName  string         `json:"family_name,omitempty"`
	Username    string         `json:"username,omitempty"`
	Blocked     bool           `json:"blocked,omitempty"`
	AppMetadata map[string]any `json:"app_metadata,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, retryAfter time.Duration) {
	router.WriteJSON(w, status, map[string]any{"statusCode": status, "error": http.StatusText(status), "message": http.StatusText(status)})
}
