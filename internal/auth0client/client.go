// Package auth0client wires github.com/auth0/go-auth0 for the provider: the client-credentials flow (or a static
// API token) over HTTPS, a retry policy bounded by the operation's context, error mapping, and SCIM helpers.
package auth0client

import (
	"context"

	"github.com/auth0/go-auth0/management"
)

// Config is what the provider's auth0 block resolves to.
type Config struct {
	// Domain is the canonical tenant host (optionally with a port), e.g. acme.eu.auth0.com.
	Domain       string
	ClientID     string
	ClientSecret string
	// APIToken is a Management API access token; used instead of client credentials when set.
	APIToken string
	// Audience overrides the Management API audience (default https://{Domain}/api/v2/).
	Audience string
	// UserAgent is appended to go-auth0's User-Agent.
	UserAgent string
}

// Client is the provider's Auth0 client.
type Client struct {
	// Domain is the canonical tenant host the SCIM endpoint URL is built from.
	Domain string
	// Management is the go-auth0 Management API client.
	Management *management.Management
}

// New builds a Client. It makes no API call.
func New(ctx context.Context, cfg Config) (*Client, error) {
	m, err := management.New(cfg.Domain, management.WithClientCredentials(ctx, cfg.ClientID, cfg.ClientSecret))
	if err != nil {
		return nil, err
	}
	return &Client{Domain: cfg.Domain, Management: m}, nil
}
