// Package auth0client wires github.com/auth0/go-auth0 for the provider: the client-credentials flow (or a static
// API token) over HTTPS, a retry policy bounded by the operation's context, error mapping, and SCIM helpers.
//
// The SCIM and connection helpers send their requests through go-auth0's client (authentication, User-Agent,
// Auth0-Client header) but decode the JSON themselves, which works around go-auth0 v1.49.0 pitfalls:
//
//   - the SCIM configuration's update time is `updated_on` on the wire, while go-auth0 reads `updated_at`, so
//     GetUpdatedAt() is always empty; SCIMConfiguration.UpdatedOn here is read from the raw JSON;
//   - go-auth0 decodes only statusCode, error and message from error bodies; Error here also keeps errorCode
//     (e.g. inexistent_connection), which tells a deleted connection from a missing SCIM configuration;
//   - connection options are kept as raw JSON, so a read-modify-write never drops or reshapes an option the
//     provider does not know.
package auth0client

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	auth0 "github.com/auth0/go-auth0"
	"github.com/auth0/go-auth0/management"
	"golang.org/x/oauth2"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// Config is what the provider's auth0 block resolves to.
type Config struct {
	// Domain is the canonical tenant host (optionally with a port), e.g. acme.eu.auth0.com.
	Domain string
	// DomainSource says where Domain came from, for messages about an unreachable tenant, e.g. "auth0.domain in
	// the provider block" or "the environment variable AUTH0_DOMAIN"; empty when unknown.
	DomainSource string
	ClientID     string
	ClientSecret string
	// APIToken is a Management API access token; used instead of client credentials when set.
	APIToken string
	// ClientAssertionPrivateKey (PEM) and ClientAssertionSigningAlg (default RS256) authenticate the client with
	// Private Key JWT instead of ClientSecret (go-auth0's WithClientCredentialsPrivateKeyJwt).
	ClientAssertionPrivateKey string
	ClientAssertionSigningAlg string
	// Audience overrides the Management API audience (default https://{Domain}/api/v2/).
	Audience string
	// UserAgent is appended to go-auth0's User-Agent.
	UserAgent string
	// Retry bounds retries of throttled and failed requests; the zero value means DefaultRetryPolicy.
	Retry RetryPolicy
	// ResponseHeaderTimeout bounds how long one request waits for Auth0's answer to begin once it is sent; the
	// zero value means DefaultResponseHeaderTimeout. A request that times out is a transport error to RetryPolicy.
	ResponseHeaderTimeout time.Duration
	// CacheReads keeps the answers to GETs for the client's life, emptied by every write (cache.go). The provider
	// turns it on: one provider process serves one Terraform command. Off for clients that live longer than one
	// command and watch objects change (tests, tools).
	CacheReads bool
}

// Client is the provider's Auth0 client.
type Client struct {
	// Domain is the canonical tenant host the SCIM endpoint URL is built from.
	Domain string
	// Management is the go-auth0 Management API client.
	Management *management.Management

	// secrets are scrubbed from every error text, in case a server or library ever echoes one.
	secrets []string
	// domainSource is Config.DomainSource.
	domainSource string
	// rejected is the first rejected client-credentials exchange; later calls fail with it without a request.
	rejected atomic.Pointer[Error]
	// cache holds this process's Management API reads (Config.CacheReads); nil when off.
	cache *readCache
	// pacer spaces the Management API requests of this client (pacer.go).
	pacer *pacing.Pacer
}

// PacingStats reports how long this client's requests waited for their turn, and how many 429s it received.
func (c *Client) PacingStats() (waited time.Duration, throttled int) { return c.pacer.Stats() }

// DefaultResponseHeaderTimeout bounds the wait for the start of one answer. The Management API answers in well under
// a second; this only has to end a wait on a connection that will never answer, for calls whose context has no
// deadline (or a long one).
const DefaultResponseHeaderTimeout = time.Minute

// DefaultReadTimeout bounds a read-only operation that has no timeouts argument of its own: a resource's Read and
// ModifyPlan, a data source's Read. Without it a plan could wait forever on a tenant that does not answer.
const DefaultReadTimeout = 5 * time.Minute

// tokenRequestTimeout bounds one client-credentials exchange, retries included: go-auth0 fetches tokens with a
// context of its own, not the operation's, so this is what keeps a token request from waiting forever.
const tokenRequestTimeout = 2 * time.Minute

// New builds a Client. It makes no API call: credentials are first used by the first request.
//
// Requests go over HTTPS to Domain, trusting the system certificate pool (SSL_CERT_FILE / SSL_CERT_DIR are
// honoured). go-auth0's own retries are turned off; the retrying transport of this package handles 429, 5xx
// and transport errors for both the Management API and the /oauth/token exchange. Each request waits at most
// ResponseHeaderTimeout for the answer to begin.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Domain == "" {
		return nil, fmt.Errorf("the Auth0 domain is empty")
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("unexpected http.DefaultTransport type %T", http.DefaultTransport)
	}
	transport := base.Clone()
	transport.ResponseHeaderTimeout = cfg.ResponseHeaderTimeout
	if transport.ResponseHeaderTimeout <= 0 {
		transport.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	}
	// One pacer per client, and the provider builds one client per process: every resource and data source shares it.
	pacer := pacing.New("Auth0")
	retrying := NewRetryTransport(&pacedTransport{base: transport, pacer: pacer}, cfg.Retry)

	ua := fmt.Sprintf("Go-Auth0/%s", auth0.Version)
	if cfg.UserAgent != "" {
		ua += " " + cfg.UserAgent
	}
	opts := []management.Option{
		management.WithNoRetries(),
		management.WithClient(&http.Client{Transport: retrying}),
		management.WithUserAgent(ua),
	}

	switch {
	case cfg.APIToken != "":
		opts = append(opts, management.WithStaticToken(cfg.APIToken))
	default:
		// The token source outlives the call that configured the provider, so it gets a context that is never
		// cancelled, and the retrying client for its POST /oauth/token requests.
		tokenCtx := context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient,
			&http.Client{Transport: retrying, Timeout: tokenRequestTimeout})
		if cfg.ClientAssertionPrivateKey != "" {
			opts = append(opts, privateKeyJWTOption(tokenCtx, cfg))
		} else if cfg.Audience != "" {
			opts = append(opts, management.WithClientCredentialsAndAudience(tokenCtx, cfg.ClientID, cfg.ClientSecret, cfg.Audience))
		} else {
			opts = append(opts, management.WithClientCredentials(tokenCtx, cfg.ClientID, cfg.ClientSecret))
		}
	}

	m, err := management.New(cfg.Domain, opts...)
	if err != nil {
		return nil, fmt.Errorf("building the Auth0 Management API client for %q: %w", cfg.Domain, err)
	}
	c := &Client{Domain: cfg.Domain, Management: m, domainSource: cfg.DomainSource, pacer: pacer}
	if cfg.CacheReads {
		c.cache = &readCache{}
	}
	for _, s := range []string{cfg.ClientSecret, cfg.APIToken, cfg.ClientAssertionPrivateKey} {
		if len(s) >= minScrubbedSecret {
			c.secrets = append(c.secrets, s)
		}
	}
	return c, nil
}

// SCIMEndpointURL is the SCIM 2.0 base URL of a connection: https://{canonical domain}/scim/v2/connections/{id}.
// Auth0 returns it from no API; it is built from the canonical tenant domain (custom domains do not serve SCIM).
func (c *Client) SCIMEndpointURL(connectionID string) string {
	return "https://" + c.Domain + "/scim/v2/connections/" + connectionID
}

// EntraTenantURL is the Tenant URL to give Microsoft Entra's provisioning job: the SCIM endpoint URL with the
// aadOptscim062020 flag, which makes Entra's PATCH requests RFC 7644 compliant.
func (c *Client) EntraTenantURL(connectionID string) string {
	return c.SCIMEndpointURL(connectionID) + "?aadOptscim062020"
}

// minScrubbedSecret is the shortest secret scrubbed from error texts; shorter values are no real secret and
// replacing them would garble the text.
const minScrubbedSecret = 6

// scrub removes configured secrets from s.
func (c *Client) scrub(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
