// Package entraclient wires msgraph-sdk-go and azidentity for the provider: credentials from the entra block and
// ARM_* variables, authority and Graph overrides, retries bounded by the operation's context, waits for Entra
// replication, and the synchronization schema as raw JSON written with PUT.
//
// What the package does about the SDK pitfalls (microsoft-graph.md §2, §7):
//
//   - Allowed hosts: the Graph host of GraphURL is added to the SDK's allowed hosts, so a bearer token IS sent to an
//     overridden Graph host (the SDK otherwise sends no Authorization header and raises no error). As a second guard,
//     the transport refuses to send a Graph request that carries no Authorization header.
//   - Token scope: Microsoft Graph's own audience, derived from the Graph host for the national clouds
//     (graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn, graph.microsoft.de) and
//     https://graph.microsoft.com/.default for graph.microsoft.com and for every other host (the sandbox, a proxy):
//     an override changes where requests go, not which API the token is for.
//   - Authority host: when overridden, instance discovery is turned off (DisableInstanceDiscovery), so azidentity
//     only reads {authority}/{tenant}/v2.0/.well-known/openid-configuration and calls its token endpoint.
//   - TLS: every client trusts the system pool, which honours SSL_CERT_FILE.
//   - Retries: kiota's RetryHandler is replaced by one that honours Retry-After (also fractional seconds) for 429, 503
//     and 504, never waits past the operation's deadline and logs each wait with tflog. A POST that creates something
//     (instantiate, appRoleAssignedTo, synchronization/jobs, provisionOnDemand) is retried on 429 only: a 503/504
//     can follow a successful create, so the caller first looks for what the request may have created (the
//     temporary application name, an identical assignment, a job from the same template). Replication errors (404
//     after create; 400 "Not a valid reference update"; 409/403 on synchronization calls) are retried by polling
//     with a deadline (wait.go).
//   - Deadlines: every call runs under the operation's context deadline, and the transports wait at most
//     ResponseHeaderTimeout for a server to start answering, so a stalled connection cannot hang a plan.
//   - Errors: every error leaving this package is an *Error built without calling ODataError.Error(), which panics on
//     an error body without a message.
//   - Synchronization: jobs are read as raw JSON (the typed models reject unknown enum values and empty timestamps);
//     the schema is read and written as raw bytes, with PUT (the SDK only generates PATCH, and its models drop
//     objectMapping.flowTypes written as "Add, Update, Delete"). Secrets are written with PascalCase keys.
package entraclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// Config is what the provider's entra block resolves to.
type Config struct {
	TenantID string
	ClientID string

	ClientSecret string

	// ClientCertificate is a base64-encoded PKCS#12 bundle or PEM; ClientCertificatePath a file holding one.
	ClientCertificate         string
	ClientCertificatePath     string
	ClientCertificatePassword string

	// UseOIDC selects workload identity federation: an ID token from OIDCToken, OIDCTokenFilePath, or requested
	// from OIDCRequestURL with OIDCRequestToken (GitHub Actions).
	UseOIDC           bool
	OIDCToken         string
	OIDCTokenFilePath string
	OIDCRequestURL    string
	OIDCRequestToken  string

	UseCLI bool
	UseMSI bool
	// MSIEndpoint overrides the managed identity endpoint.
	MSIEndpoint string

	// AuthorityHost overrides https://login.microsoftonline.com/ (instance discovery is then turned off).
	AuthorityHost string
	// GraphURL overrides https://graph.microsoft.com/v1.0.
	GraphURL string

	UserAgent string

	// Sources says where each setting came from, by key (SourceGraphURL, ...): the block argument ("entra.graph_url")
	// or the environment variable ("ARM_GRAPH_URL"). Messages about a setting to fix name it.
	Sources map[string]string

	// ResponseHeaderTimeout bounds how long one request waits for the server to start answering; 0 means
	// DefaultResponseHeaderTimeout.
	ResponseHeaderTimeout time.Duration

	// CacheReads keeps the answers to Graph GETs for the client's life, emptied by every write (cache.go). The
	// provider turns it on: one provider process serves one Terraform command. Off for clients that live longer and
	// watch objects change (tests, tools).
	CacheReads bool
}

// DefaultGraphURL is Microsoft Graph v1.0 in the public cloud.
const DefaultGraphURL = "https://graph.microsoft.com/v1.0"

// Defaults of the waits for Entra replication.
const (
	DefaultReplicationTimeout = 10 * time.Minute
	defaultPollMin            = 500 * time.Millisecond
	defaultPollMax            = 10 * time.Second
	// DefaultInstantiateLookupTimeout bounds how long an application is looked for after /instantiate answered a
	// server error (5xx) before the request is sent again.
	DefaultInstantiateLookupTimeout = 30 * time.Second
	// forbiddenGrace bounds how long a 403 on a synchronization call is treated as replication: past it, the 403
	// is a missing permission and is reported.
	forbiddenGrace = 90 * time.Second
)

// Client is the provider's Microsoft Graph client.
type Client struct {
	cfg Config

	graph    *msgraphsdk.GraphServiceClient
	adapter  abstractions.RequestAdapter
	cred     azcore.TokenCredential
	graphURL string
	scope    string

	// ReplicationTimeout bounds one wait for Entra replication (a 404 right after a create, and the like), inside
	// the operation's own deadline.
	ReplicationTimeout time.Duration
	// InstantiateLookupTimeout bounds how long CreateEnterpriseApp looks for the application after /instantiate
	// answered a server error, before sending it again (default DefaultInstantiateLookupTimeout).
	InstantiateLookupTimeout time.Duration
	// PollMin and PollMax bound the interval between two polls of a wait (it grows by half each time).
	PollMin, PollMax time.Duration

	schemaLocks keyedMutex
	// pacer spaces this client's Graph requests (pacer.go).
	pacer *pacing.Pacer
}

// PacingStats reports how long this client's Graph requests waited for their turn, and how many 429s it received.
func (c *Client) PacingStats() (waited time.Duration, throttled int) { return c.pacer.Stats() }

// New builds a Client. It makes no API call.
func New(ctx context.Context, cfg Config) (*Client, error) {
	return newClient(ctx, cfg, nil)
}

// newClient builds a Client whose HTTP traffic (login and Graph) goes through base; nil means the default transport,
// which trusts the system certificate pool (SSL_CERT_FILE).
func newClient(ctx context.Context, cfg Config, base http.RoundTripper) (*Client, error) {
	graphURL := strings.TrimRight(cfg.GraphURL, "/")
	if graphURL == "" {
		graphURL = DefaultGraphURL
	}
	gu, err := url.Parse(graphURL)
	if err != nil || gu.Host == "" || (gu.Scheme != "https" && !isLoopback(gu.Hostname())) {
		return nil, fmt.Errorf("the Graph URL %q must be an https URL such as %s", cfg.GraphURL, DefaultGraphURL)
	}
	if base == nil {
		base = defaultTransport()
	}
	base = withResponseHeaderTimeout(base, cfg.ResponseHeaderTimeout)

	state := &signInState{}
	authority := "so https://login.microsoftonline.com/ is used"
	if cfg.AuthorityHost == "" && cfg.GraphURL != "" {
		authority = "so the login host of the entra.graph_url cloud is used"
	}
	login := &loginTransport{base: base, setting: cfg.settingFrom(SourceAuthorityHost, authority), last: state}
	inner, err := newCredential(ctx, cfg, login)
	if err != nil {
		return nil, err
	}
	cred := &markedCredential{TokenCredential: inner, cfg: cfg, state: state}
	scope := GraphScope(gu.Hostname())
	hosts := allowedHosts(gu.Hostname())
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, hosts)
	if err != nil {
		return nil, fmt.Errorf("setting up Graph authentication: %w", err)
	}

	opts := msgraphsdk.GetDefaultClientOptions()
	// One pacer per client, and the provider builds one client per process: every resource and data source shares it.
	pacer := pacing.New("Microsoft Graph")
	var middlewares []khttp.Middleware
	if cfg.CacheReads {
		middlewares = append(middlewares, &readCache{graphHost: gu.Hostname()})
	}
	middlewares = append(middlewares,
		msgraphcore.NewGraphTelemetryHandler(&opts),
		khttp.NewUrlReplaceHandler(true, msgraphcore.ReplacementPairs),
		&retryMiddleware{maxAttempts: defaultMaxAttempts, graphHost: gu.Hostname(), graphSource: cfg.settingFrom(SourceGraphURL, "so "+DefaultGraphURL+" is used")},
		&pacerMiddleware{graphHost: gu.Hostname(), pacer: pacer},
		khttp.NewRedirectHandler(),
		khttp.NewCompressionHandler(),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		&userAgentMiddleware{product: cfg.UserAgent},
		khttp.NewHeadersInspectionHandler(),
	)
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(base, middlewares...),
		// No client-wide timeout: every operation carries its own deadline (the resource's timeouts), which also
		// bounds the retries. A redirect is followed by kiota's RedirectHandler, not by net/http.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("setting up the Graph request adapter: %w", err)
	}
	adapter.SetBaseUrl(graphURL)

	return &Client{
		cfg:                cfg,
		graph:              msgraphsdk.NewGraphServiceClient(adapter),
		adapter:            adapter,
		cred:               cred,
		graphURL:           graphURL,
		scope:              scope,
		pacer:              pacer,
		ReplicationTimeout: DefaultReplicationTimeout,
		PollMin:            defaultPollMin,
		PollMax:            defaultPollMax,
	}, nil
}

// GraphURL returns the Graph base URL requests go to.
func (c *Client) GraphURL() string { return c.graphURL }

// Scope returns the OAuth scope of the Graph tokens.
func (c *Client) Scope() string { return c.scope }

// TenantID returns the configured directory id.
func (c *Client) TenantID() string { return c.cfg.TenantID }

// GraphScope returns the token scope for a Graph host: the national clouds have their own Graph audience; every other
// host (graph.microsoft.com, a proxy, the sandbox) is Microsoft Graph in the public cloud.
func GraphScope(host string) string {
	switch strings.ToLower(host) {
	case "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn", "graph.microsoft.de":
		return "https://" + strings.ToLower(host) + "/.default"
	default:
		return "https://graph.microsoft.com/.default"
	}
}

// microsoftGraphHosts are the hosts msgraph-sdk-go sends tokens to by default.
var microsoftGraphHosts = []string{
	"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "graph.microsoft.de",
	"microsoftgraph.chinacloudapi.cn", "canary.graph.microsoft.com",
}

// allowedHosts is the SDK's default list plus the configured Graph host (host names only: the validator ignores
// ports and rejects schemes).
func allowedHosts(graphHost string) []string {
	hosts := append([]string(nil), microsoftGraphHosts...)
	for _, h := range hosts {
		if strings.EqualFold(h, graphHost) {
			return hosts
		}
	}
	return append(hosts, strings.ToLower(graphHost))
}

// loopbackHosts are the Graph hosts that may be reached over plain http (a local emulator or proxy); every other host
// must use https. The list must include every host the provider's entra.graph_url validation lets through
// (internal/provider/config.go accepts localhost and 127.0.0.1): a URL the provider accepts must never be rejected
// here. It also accepts the IPv6 loopback ::1 (written http://[::1]:port), which the provider's check does not, and
// compares case-insensitively (host names are).
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

func isLoopback(host string) bool {
	for _, h := range loopbackHosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

// DefaultResponseHeaderTimeout bounds how long a request (login or Graph) waits for the server to start answering
// once it is sent. Every operation also has its own deadline; this one keeps a stalled connection from hanging a call
// whose deadline is far away, or that has none.
const DefaultResponseHeaderTimeout = 2 * time.Minute

// defaultTransport is a fresh transport that trusts the system certificate pool (which honours SSL_CERT_FILE).
func defaultTransport() http.RoundTripper {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok { // another package replaced the default transport: start from a plain one that honours proxy variables
		base = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	t := base.Clone()
	t.ForceAttemptHTTP2 = true
	t.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	return t
}

// withResponseHeaderTimeout returns rt with its ResponseHeaderTimeout set to d (DefaultResponseHeaderTimeout when d
// is 0 and rt has none), on a copy: the caller's transport is left alone. Round trippers other than *http.Transport
// are returned as they are.
func withResponseHeaderTimeout(rt http.RoundTripper, d time.Duration) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok || (d <= 0 && t.ResponseHeaderTimeout != 0) || (d > 0 && t.ResponseHeaderTimeout == d) {
		return rt
	}
	if d <= 0 {
		d = DefaultResponseHeaderTimeout
	}
	t = t.Clone()
	t.ResponseHeaderTimeout = d
	return t
}

// keyedMutex serialises read-modify-write cycles on one synchronization schema across resources of one run (two
// auth0entra_attribute_mappings on the same job are applied concurrently by Terraform).
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	m, ok := k.locks[key]
	if !ok {
		m = &sync.Mutex{}
		k.locks[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// LockSchema serialises schema read-modify-write cycles on one job; call the returned function to unlock.
func (c *Client) LockSchema(servicePrincipalID, jobID string) func() {
	return c.schemaLocks.lock(servicePrincipalID + "/" + jobID)
}
