package entraclient

import (
	"context"
	"net/http"
)

// NewWithTransport builds a Client whose HTTP traffic goes through base (tests wrap the transport to play a server
// that answers an error after doing the work).
func NewWithTransport(ctx context.Context, cfg Config, base http.RoundTripper) (*Client, error) {
	return newClient(ctx, cfg, base)
}

// ApplicationsNamedLike lists the applications whose display name starts with prefix.
func (c *Client) ApplicationsNamedLike(ctx context.Context, prefix string) ([]Application, error) {
	return c.listApplications(ctx, "startswith(displayName,'"+odataQuote(prefix)+"')")
}

// InstantiatePrefix is the prefix of the temporary names applications are instantiated with.
const InstantiatePrefix = instantiatePrefix
