// Package entra plays the Microsoft Entra side of the sandbox: the tenant's OpenID configuration and token endpoint
// (so the real azidentity code runs), Microsoft Graph v1.0 for application templates, applications, service
// principals, users, groups and app role assignments, and the synchronization API with a small provisioning engine
// that talks SCIM to the Auth0 side over HTTP.
package entra

import (
	"net/http"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// Config configures a Server.
type Config struct {
	// TenantID is the directory (tenant) id, a GUID.
	TenantID string
}

// Server is the in-memory Entra tenant.
type Server struct {
	cfg     Config
	rt      *router.Router
	baseURL string
	client  *http.Client
}

// New returns an empty tenant.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.rt = router.New(s.writeError)
	return s
}

// Router is the tenant's HTTP handler (login endpoints and Graph), with fault injection and request counters.
func (s *Server) Router() *router.Router { return s.rt }

// SetBaseURL records the https://host:port the tenant is reached at; it is both the authority host and the Graph
// host (Graph lives under /v1.0).
func (s *Server) SetBaseURL(u string) { s.baseURL = u }

// SetHTTPClient sets the client the provisioning engine uses to reach SCIM servers (it must trust the sandbox CA).
func (s *Server) SetHTTPClient(c *http.Client) { s.client = c }

// SetReplicationLag makes newly created directory objects answer 404 on reads for d after their creation.
func (s *Server) SetReplicationLag(d time.Duration) {}

// AddClient registers an application (service principal) that may get tokens with the client-credentials grant,
// with a client secret.
func (s *Server) AddClient(clientID, clientSecret string) {}

// AddApplication stores an app registration (e.g. the OIDC app used for login) and returns its object id.
func (s *Server) AddApplication(appID, displayName string) (string, error) { return "", nil }

// AddUser stores a directory user and returns its object id.
func (s *Server) AddUser(u User) (string, error) { return "", nil }

// AddGroup stores a security group with the given member object ids and returns its object id.
func (s *Server) AddGroup(displayName string, memberIDs []string) (string, error) { return "", nil }

// User is a directory user.
type User struct {
	ID                string `json:"id,omitempty"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName,omitempty"`
	GivenName         string `json:"givenName,omitempty"`
	Surname           string `json:"surname,omitempty"`
	Mail              string `json:"mail,omitempty"`
	MailNickname      string `json:"mailNickname,omitempty"`
	JobTitle          string `json:"jobTitle,omitempty"`
	Department        string `json:"department,omitempty"`
	AccountEnabled    bool   `json:"accountEnabled"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, retryAfter time.Duration) {
	router.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": http.StatusText(status), "message": http.StatusText(status)}})
}
