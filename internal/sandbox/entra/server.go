// Package entra plays the Microsoft Entra side of the sandbox: the tenant's OpenID configuration and token endpoint
// (so the real azidentity code runs), Microsoft Graph v1.0 for application templates, applications, service
// principals, users, groups and app role assignments, and the synchronization API with a small provisioning engine
// that talks SCIM to the Auth0 side over HTTP.
//
// The wire behaviour follows contributing/facts/microsoft-graph.md (cited below as "microsoft-graph.md §N"). Where the
// reference marks a behaviour OBSERVED or DOCUMENTED the sandbox matches it; where it says UNKNOWN a comment says
// which choice the sandbox made.
//
// Files by concern: login.go (OpenID configuration, token endpoint, bearer check), graph_apps.go (instantiate,
// applications, service principals), graph_directory.go (users, groups), odata.go ($filter, $select, $top),
// assignments.go (appRoleAssignedTo), sync_jobs.go (templates, jobs, start/pause/restart), sync_secrets.go,
// sync_schema.go (schema GET/PUT/PATCH, validation, parseExpression), default_schema.go (the `scim` template's
// schema), sync_credentials.go (validateCredentials), engine.go (provisioning one user: matching, object actions,
// PATCH/POST), provision_on_demand.go, cycle.go (job cycles, quarantine), expressions.go (mapping expressions),
// scim_paths.go (SCIM attribute paths), scim_client.go (the engine's SCIM client), errors.go (Graph and AADSTS
// error bodies), api.go (the Go API tests use to inspect state and make drift).
package entra

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/google/uuid"
)

// NonGalleryTemplateID is the application template of "Create your own application" (microsoft-graph.md §3.1).
const NonGalleryTemplateID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"

// App role ids every non-gallery application declares (microsoft-graph.md §3.2).
const (
	AppRoleUser        = "18d14569-c3bd-439b-9a66-3a2aee01d14f"
	AppRoleMsiamAccess = "b9632174-c057-4f7e-951b-be3adc52bfe6"
)

// Config configures a Server.
type Config struct {
	// TenantID is the directory (tenant) id, a GUID.
	TenantID string
	// TenantDomain is the tenant's initial domain (publisherDomain of new applications); default
	// "sandbox.onmicrosoft.com". The login endpoints accept it in place of the tenant id.
	TenantDomain string
	// CycleInterval, when positive, runs a provisioning cycle for every Active job in the background at this
	// interval until Close. Zero (the default) runs cycles only when RunCycle is called.
	CycleInterval time.Duration
	// Now overrides the clock (tests); default time.Now.
	Now func() time.Time
}

// Server is the in-memory Entra tenant. It is safe for concurrent use.
type Server struct {
	cfg Config
	rt  *router.Router

	stop     context.CancelFunc
	stopped  chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	baseURL string
	client  *http.Client
	seq     int64

	lag            time.Duration
	routeLag       map[string]time.Duration
	instantiate404 int
	spelling       FlowTypesSpelling
	podLimit       int
	podWindow      time.Duration

	clients map[string]*oauthClient    // by client id
	grants  map[string]map[string]bool // granted Graph application permissions by client id (permissions.go)
	tokens  map[string]*accessToken    // by access token
	// owners lists owner object ids per application or service principal object id; betaProps holds beta-only
	// application properties (owners_beta.go). Both keyed by lower-case object id.
	owners    map[string][]string
	betaProps map[string]map[string]any

	apps   map[string]*application      // by object id
	sps    map[string]*servicePrincipal // by object id
	users  map[string]*user             // by object id
	groups map[string]*group            // by object id
	asgs   map[string]*assignment       // by assignment id
	// provLogs are the provisioning logs, newest first (provisioning_logs.go).
	provLogs []map[string]any
}

// New returns an empty tenant.
func New(cfg Config) *Server {
	if cfg.TenantDomain == "" {
		cfg.TenantDomain = "sandbox.onmicrosoft.com"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:       cfg,
		routeLag:  map[string]time.Duration{},
		spelling:  FlowTypesSpaced,
		podLimit:  5,
		podWindow: 10 * time.Second,
		clients:   map[string]*oauthClient{},
		tokens:    map[string]*accessToken{},
		apps:      map[string]*application{},
		sps:       map[string]*servicePrincipal{},
		users:     map[string]*user{},
		groups:    map[string]*group{},
		asgs:      map[string]*assignment{},
	}
	s.rt = router.New(s.writeError)
	s.routes()
	if cfg.CycleInterval > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		s.stop, s.stopped = cancel, make(chan struct{})
		go s.scheduler(ctx, cfg.CycleInterval)
	}
	return s
}

// routes registers every endpoint. Patterns are the route names the router counts and faults by.
func (s *Server) routes() {
	h := s.rt.Handle
	g := s.graph

	// Login (login.go).
	h("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration)
	h("GET /{tenant}/discovery/v2.0/keys", s.jwks)
	h("POST /{tenant}/oauth2/v2.0/token", s.token)
	// ARM metadata document for ARM_METADATA_HOSTNAME (arm_metadata.go).
	h("GET /metadata/endpoints", s.armMetadata)

	// Applications and service principals (graph_apps.go).
	h("GET /v1.0/applicationTemplates/{id}", g(s.getApplicationTemplate))
	h("POST /v1.0/applicationTemplates/{id}/instantiate", g(s.instantiate))
	h("POST /v1.0/applications", g(s.createApplication))
	h("GET /v1.0/applications", g(s.listApplications))
	h("GET /v1.0/applications/{id}", g(s.getApplication))
	h("PATCH /v1.0/applications/{id}", g(s.patchApplication))
	h("DELETE /v1.0/applications/{id}", g(s.deleteApplication))
	h("POST /v1.0/servicePrincipals", g(s.createServicePrincipal))
	h("GET /v1.0/servicePrincipals", g(s.listServicePrincipals))
	h("GET /v1.0/servicePrincipals/{id}", g(s.getServicePrincipal))
	h("PATCH /v1.0/servicePrincipals/{id}", g(s.patchServicePrincipal))
	h("DELETE /v1.0/servicePrincipals/{id}", g(s.deleteServicePrincipal))
	// Alternate keys: /applications(appId='…') and /servicePrincipals(appId='…'). ServeMux wildcards cover whole
	// segments only, so one route takes every single-segment path under /v1.0 that no literal route claims.
	h("GET /v1.0/{alternateKey}", g(s.alternateKey))
	h("PATCH /v1.0/{alternateKey}", g(s.alternateKey))
	h("DELETE /v1.0/{alternateKey}", g(s.alternateKey))

	// Directory (graph_directory.go).
	h("GET /v1.0/users", g(s.listUsers))
	h("GET /v1.0/users/{id}", g(s.getUser))
	h("GET /v1.0/groups", g(s.listGroups))
	h("GET /v1.0/groups/{id}", g(s.getGroup))
	h("GET /v1.0/groups/{id}/members", g(s.listGroupMembers))
	h("GET /v1.0/directoryObjects/{id}", g(s.getDirectoryObject))

	// App role assignments (assignments.go).
	h("POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo", g(s.createAssignment))
	h("GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo", g(s.listAssignments))
	h("GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{aid}", g(s.getAssignment))
	h("DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{aid}", g(s.deleteAssignment))

	// Synchronization (sync_jobs.go, sync_secrets.go, sync_schema.go, engine.go).
	const sync = "/v1.0/servicePrincipals/{id}/synchronization"
	h("GET "+sync+"/templates", g(s.listTemplates))
	h("GET "+sync+"/templates/{tid}", g(s.getTemplate))
	h("GET "+sync+"/templates/{tid}/schema", g(s.getTemplateSchema))
	h("GET "+sync+"/jobs", g(s.listJobs))
	h("POST "+sync+"/jobs", g(s.createJob))
	h("POST "+sync+"/jobs/validateCredentials", g(s.validateCredentialsCollection))
	h("GET "+sync+"/jobs/{jobId}", g(s.getJob))
	h("DELETE "+sync+"/jobs/{jobId}", g(s.deleteJob))
	h("POST "+sync+"/jobs/{jobId}/start", g(s.startJob))
	h("POST "+sync+"/jobs/{jobId}/pause", g(s.pauseJob))
	h("POST "+sync+"/jobs/{jobId}/restart", g(s.restartJob))
	h("POST "+sync+"/jobs/{jobId}/validateCredentials", g(s.validateCredentialsJob))
	h("POST "+sync+"/jobs/{jobId}/provisionOnDemand", g(s.provisionOnDemand))
	h("GET "+sync+"/jobs/{jobId}/schema", g(s.getJobSchema))
	h("PUT "+sync+"/jobs/{jobId}/schema", g(s.putJobSchema))
	h("PATCH "+sync+"/jobs/{jobId}/schema", g(s.patchJobSchema))
	h("POST "+sync+"/jobs/{jobId}/schema/parseExpression", g(s.parseExpression))
	h("GET "+sync+"/secrets", g(s.getSecrets))
	h("PUT "+sync+"/secrets", g(s.putSecrets))

	// Provisioning logs (provisioning_logs.go).
	h("GET /v1.0/auditLogs/provisioning", g(s.listProvisioningLogs))
	// Owners and the beta reads of the official azuread provider (owners_beta.go).
	s.registerOwnersAndBeta()
	// Groups through beta, as azuread manages them (groups_beta.go).
	s.registerBetaGroups()

	// Anything else: a Graph-shaped error instead of net/http's plain-text 404/405.
	h("/", s.unknownRoute)
}

// Router is the tenant's HTTP handler (login endpoints and Graph), with fault injection and request counters.
func (s *Server) Router() *router.Router { return s.rt }

// SetBaseURL records the https://host:port the tenant is reached at; it is both the authority host and the Graph
// host (Graph lives under /v1.0).
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// SetHTTPClient sets the client the provisioning engine uses to reach SCIM servers (it must trust the sandbox CA).
func (s *Server) SetHTTPClient(c *http.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.client = c
}

// SetReplicationLag makes objects created through Graph (instantiate, synchronization jobs, app role assignments)
// answer 404 Request_ResourceNotFound on reads for d after their creation: GET by id 404s, list filters omit them,
// and sub-resources of a lagging service principal 404. This is the DOCUMENTED "404 after create is normal"
// (microsoft-graph.md §3.4). Objects added through the Go API (AddUser, AddGroup, AddApplication, AddClient) never lag.
func (s *Server) SetReplicationLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag = d
}

// SetReplicationLagFor overrides the replication lag for objects created by one route, e.g.
// "POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo". A negative d removes the override.
// A single request can also ask for its own lag with the header X-Sandbox-Replication-Lag (a Go duration).
func (s *Server) SetReplicationLagFor(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d < 0 {
		delete(s.routeLag, route)
		return
	}
	s.routeLag[route] = d
}

// SetInstantiateNotFound makes the next n instantiate calls answer 404 while still creating the application and
// service principal (microsoft-graph.md §3.4: "a 404 from /instantiate usually means the application was created
// anyway").
func (s *Server) SetInstantiateNotFound(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.instantiate404 = n
}

// SetProvisionOnDemandRateLimit sets how many provisionOnDemand calls one job accepts per window before answering
// 429. The default is the DOCUMENTED 5 per 10 seconds (microsoft-graph.md §7.2); n <= 0 turns the limit off.
func (s *Server) SetProvisionOnDemandRateLimit(n int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.podLimit, s.podWindow = n, window
}

// AddClient registers an application (service principal) that may get tokens with the client-credentials grant,
// with a client secret. The application and its service principal are also created in the directory.
func (s *Server) AddClient(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		c = &oauthClient{id: clientID}
		s.clients[clientID] = c
	}
	if clientSecret != "" {
		c.secrets = append(c.secrets, clientSecret)
	}
	if s.appByAppIDLocked(clientID, false) == nil {
		s.addAppLocked(clientID, "auth0entra sandbox automation", "", 0)
	}
}

// AddApplication stores an app registration (e.g. the OIDC app used for login) and returns its object id. Like
// an app registration people sign in through, it also gets a service principal in the tenant.
func (s *Server) AddApplication(appID, displayName string) (string, error) {
	if appID == "" || displayName == "" {
		return "", fmt.Errorf("entra: AddApplication needs an appId and a displayName")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appByAppIDLocked(appID, false) != nil {
		return "", fmt.Errorf("entra: an application with appId %s already exists", appID)
	}
	app, _ := s.addAppLocked(appID, displayName, "", 0)
	return app.id, nil
}

// AddUser stores a directory user and returns its object id (u.ID when set, else a new GUID).
func (s *Server) AddUser(u User) (string, error) {
	if u.UserPrincipalName == "" {
		return "", fmt.Errorf("entra: AddUser needs a userPrincipalName")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.userLocked(u.UserPrincipalName, false) != nil {
		return "", fmt.Errorf("entra: a user %s already exists", u.UserPrincipalName)
	}
	if u.ID == "" {
		u.ID = newGUID()
	} else if s.objectExistsLocked(u.ID) {
		return "", fmt.Errorf("entra: object id %s is already used", u.ID)
	}
	if u.MailNickname == "" {
		u.MailNickname, _, _ = strings.Cut(u.UserPrincipalName, "@")
	}
	s.users[u.ID] = &user{meta: s.newMetaLocked(0), User: u}
	return u.ID, nil
}

// AddGroup stores a security group with the given member object ids and returns its object id.
func (s *Server) AddGroup(displayName string, memberIDs []string) (string, error) {
	if displayName == "" {
		return "", fmt.Errorf("entra: AddGroup needs a displayName")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range memberIDs {
		if s.users[id] == nil && s.groups[id] == nil {
			return "", fmt.Errorf("entra: group member %s does not exist", id)
		}
	}
	g := &group{meta: s.newMetaLocked(0), id: newGUID(), displayName: displayName, members: append([]string(nil), memberIDs...)}
	s.groups[g.id] = g
	return g.id, nil
}

// User is a directory user. Fields map to the Graph user properties of the same JSON name.
type User struct {
	ID                string   `json:"id,omitempty"`
	UserPrincipalName string   `json:"userPrincipalName"`
	DisplayName       string   `json:"displayName,omitempty"`
	GivenName         string   `json:"givenName,omitempty"`
	Surname           string   `json:"surname,omitempty"`
	Mail              string   `json:"mail,omitempty"`
	MailNickname      string   `json:"mailNickname,omitempty"`
	JobTitle          string   `json:"jobTitle,omitempty"`
	Department        string   `json:"department,omitempty"`
	AccountEnabled    bool     `json:"accountEnabled"`
	EmployeeID        string   `json:"employeeId,omitempty"`
	PreferredLanguage string   `json:"preferredLanguage,omitempty"`
	MobilePhone       string   `json:"mobilePhone,omitempty"`
	BusinessPhones    []string `json:"businessPhones,omitempty"`
	FaxNumber         string   `json:"faxNumber,omitempty"`
	OfficeLocation    string   `json:"officeLocation,omitempty"`
	StreetAddress     string   `json:"streetAddress,omitempty"`
	City              string   `json:"city,omitempty"`
	State             string   `json:"state,omitempty"`
	PostalCode        string   `json:"postalCode,omitempty"`
	Country           string   `json:"country,omitempty"`
	// ManagerID is the object id of the user's manager (the "manager" navigation property).
	ManagerID string `json:"-"`
}

// meta is what every stored object carries: a creation order and the moment it becomes visible to reads.
type meta struct {
	seq       int64
	created   time.Time
	visibleAt time.Time
}

func (m meta) visible(now time.Time) bool { return !now.Before(m.visibleAt) }

func (m meta) order() int64 { return m.seq }

type user struct {
	meta
	User
}

type group struct {
	meta
	id          string
	displayName string
	description string
	members     []string
	// extra holds the other properties of a group created or changed through Graph (mailNickname, securityEnabled,
	// groupTypes, …, groups_beta.go); groups added through AddGroup have none and render as plain security groups.
	extra map[string]any
}

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }

// newMetaLocked stamps a new object; lag is how long it stays invisible.
func (s *Server) newMetaLocked(lag time.Duration) meta {
	s.seq++
	now := s.now()
	return meta{seq: s.seq, created: now, visibleAt: now.Add(lag)}
}

// lagForLocked returns the replication lag for objects created by this request: the X-Sandbox-Replication-Lag header,
// else the route's override, else the tenant default. Callers hold s.mu.
func (s *Server) lagForLocked(r *http.Request, route string) time.Duration {
	if v := r.Header.Get("X-Sandbox-Replication-Lag"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			return d
		}
	}
	if d, ok := s.routeLag[route]; ok {
		return d
	}
	return s.lag
}

func (s *Server) objectExistsLocked(id string) bool {
	return s.apps[id] != nil || s.sps[id] != nil || s.users[id] != nil || s.groups[id] != nil
}

// userLocked finds a user by object id or userPrincipalName (case-insensitive). visibleOnly hides lagging users.
func (s *Server) userLocked(idOrUPN string, visibleOnly bool) *user {
	now := s.now()
	if u := s.users[idOrUPN]; u != nil {
		if visibleOnly && !u.visible(now) {
			return nil
		}
		return u
	}
	for _, u := range s.users {
		if strings.EqualFold(u.UserPrincipalName, idOrUPN) || strings.EqualFold(u.ID, idOrUPN) {
			if visibleOnly && !u.visible(now) {
				return nil
			}
			return u
		}
	}
	return nil
}

// visibleGroupLocked returns the group with object id, or nil while replication lag still hides it.
func (s *Server) visibleGroupLocked(id string) *group {
	for _, g := range s.groups {
		if strings.EqualFold(g.id, id) {
			if !g.visible(s.now()) {
				return nil
			}
			return g
		}
	}
	return nil
}

func (s *Server) httpClient() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// base returns the tenant's base URL; before SetBaseURL it is derived from the request.
func (s *Server) base(r *http.Request) string {
	s.mu.Lock()
	b := s.baseURL
	s.mu.Unlock()
	if b == "" && r != nil {
		b = "https://" + r.Host
	}
	return b
}

// Close stops the background scheduler (when Config.CycleInterval started one). The HTTP listener belongs to the
// caller.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.stopped
		}
	})
}

func (s *Server) scheduler(ctx context.Context, every time.Duration) {
	defer close(s.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, spID := range s.activeJobSPs() {
				_ = s.RunCycle(ctx, spID)
			}
		}
	}
}

// newGUID is a random (version 4) GUID in the lower-case form Entra shows object ids in.
func newGUID() string { return uuid.NewString() }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// graphTime renders t the way Graph does: UTC with seven fractional digits.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// zeroTime is the .NET DateTime.MinValue Graph sends for "never" in synchronization status (microsoft-graph.md §5.5).
const zeroTime = "0001-01-01T00:00:00Z"
