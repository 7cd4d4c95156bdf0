package auth0client

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// SCIMConfiguration is a connection's SCIM configuration as Auth0 returns it.
type SCIMConfiguration struct {
	TenantName     string `json:"tenant_name"`
	ConnectionID   string `json:"connection_id"`
	ConnectionName string `json:"connection_name"`
	Strategy       string `json:"strategy"`
	CreatedAt      string `json:"created_at"`
	// UpdatedOn is read from `updated_on`, the field Auth0 sends (go-auth0 v1.49.0 looks for `updated_at`).
	UpdatedOn       string        `json:"updated_on"`
	UserIDAttribute string        `json:"user_id_attribute"`
	Mapping         []SCIMMapping `json:"mapping"`
}

// SCIMMapping maps one SCIM attribute path to one Auth0 user attribute.
type SCIMMapping struct {
	Auth0 string `json:"auth0"`
	SCIM  string `json:"scim"`
}

// SCIMConfigurationInput is the body of a create (both fields optional) or update (both required) request.
type SCIMConfigurationInput struct {
	UserIDAttribute string        `json:"user_id_attribute,omitempty"`
	Mapping         []SCIMMapping `json:"mapping,omitempty"`
}

// DefaultUserIDAttribute is the SCIM attribute Auth0 uses as the user id of OIDC-family connections (waad
// included) when none is given.
const DefaultUserIDAttribute = "externalId"

func scimOp(verb, connectionID string) string {
	return fmt.Sprintf("%s the SCIM configuration of Auth0 connection %q", verb, connectionID)
}

// GetSCIMConfiguration reads a connection's SCIM configuration. A connection without one answers 404 (see
// IsSCIMNotConfigured); a missing connection answers 404 inexistent_connection (see IsConnectionNotFound).
func (c *Client) GetSCIMConfiguration(ctx context.Context, connectionID string) (*SCIMConfiguration, error) {
	var cfg SCIMConfiguration
	err := c.call(ctx, scimOp("reading", connectionID), http.MethodGet, c.uri("connections", connectionID, "scim-configuration"), nil, &cfg)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// CreateSCIMConfiguration enables SCIM on a connection. A nil in sends a POST without a body, so Auth0 applies
// the strategy's default mapping and user id attribute.
func (c *Client) CreateSCIMConfiguration(ctx context.Context, connectionID string, in *SCIMConfigurationInput) (*SCIMConfiguration, error) {
	var body any
	if in != nil {
		body = in
	}
	var cfg SCIMConfiguration
	err := c.call(ctx, scimOp("creating", connectionID), http.MethodPost, c.uri("connections", connectionID, "scim-configuration"), body, &cfg)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// UpdateSCIMConfiguration replaces a connection's SCIM user id attribute and whole mapping.
func (c *Client) UpdateSCIMConfiguration(ctx context.Context, connectionID, userIDAttribute string, mapping []SCIMMapping) (*SCIMConfiguration, error) {
	if mapping == nil {
		mapping = []SCIMMapping{}
	}
	body := struct {
		UserIDAttribute string        `json:"user_id_attribute"`
		Mapping         []SCIMMapping `json:"mapping"`
	}{userIDAttribute, mapping}
	var cfg SCIMConfiguration
	err := c.call(ctx, scimOp("updating", connectionID), http.MethodPatch, c.uri("connections", connectionID, "scim-configuration"), body, &cfg)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// DeleteSCIMConfiguration disables SCIM on a connection (Auth0 answers 204 whether or not it was enabled).
func (c *Client) DeleteSCIMConfiguration(ctx context.Context, connectionID string) error {
	return c.call(ctx, scimOp("deleting", connectionID), http.MethodDelete, c.uri("connections", connectionID, "scim-configuration"), nil, nil)
}

// GetSCIMDefaultMapping reads the mapping Auth0 applies to the connection's strategy by default.
func (c *Client) GetSCIMDefaultMapping(ctx context.Context, connectionID string) ([]SCIMMapping, error) {
	var out struct {
		Mapping []SCIMMapping `json:"mapping"`
	}
	op := fmt.Sprintf("reading the default SCIM mapping of Auth0 connection %q", connectionID)
	if err := c.call(ctx, op, http.MethodGet, c.uri("connections", connectionID, "scim-configuration", "default-mapping"), nil, &out); err != nil {
		return nil, err
	}
	return out.Mapping, nil
}

// SCIMToken is a SCIM bearer token. Token (the secret) is present only in the answer to its creation.
type SCIMToken struct {
	TokenID    string   `json:"token_id"`
	Token      string   `json:"token,omitempty"`
	Scopes     []string `json:"scopes"`
	CreatedAt  string   `json:"created_at"`
	ValidUntil string   `json:"valid_until,omitempty"`
	LastUsedAt string   `json:"last_used_at,omitempty"`
}

// String describes the token without its secret, so that printing it by mistake leaks nothing.
func (t SCIMToken) String() string {
	s := fmt.Sprintf("%s (created %s, scopes %v", t.TokenID, t.CreatedAt, t.Scopes)
	if t.ValidUntil != "" {
		s += ", valid until " + t.ValidUntil
	}
	if t.LastUsedAt != "" {
		s += ", last used " + t.LastUsedAt
	}
	return s + ")"
}

// GoString is String, for %#v.
func (t SCIMToken) GoString() string { return t.String() }

// SCIM token scopes Auth0 accepts (users, and since 2026 groups).
var SCIMTokenScopes = []string{
	"get:users", "post:users", "put:users", "patch:users", "delete:users",
	"get:groups", "post:groups", "put:groups", "patch:groups", "delete:groups",
}

// MinSCIMTokenLifetime is the exclusive lower bound of a token lifetime: Auth0 requires more than 900 seconds.
const MinSCIMTokenLifetime = 900 * time.Second

// MaxSCIMTokenLifetime is the longest token lifetime the provider sends. Auth0's own upper bound is UNKNOWN
// (auth0-management-api.md §5.2 gives only the lower one); 100 years is far beyond any rotation policy and keeps
// created_at + lifetime a valid date for every client, where a lifetime near Go's limit (2562047h) overflows.
const MaxSCIMTokenLifetime = 876000 * time.Hour

// MaxSCIMTokensPerConnection is how many active tokens Auth0 allows on one connection.
const MaxSCIMTokensPerConnection = 2

// CreateSCIMToken issues a token. A zero lifetime issues a token that never expires.
func (c *Client) CreateSCIMToken(ctx context.Context, connectionID string, scopes []string, lifetime time.Duration) (*SCIMToken, error) {
	body := struct {
		Scopes        []string `json:"scopes"`
		TokenLifetime int64    `json:"token_lifetime,omitempty"`
	}{Scopes: scopes, TokenLifetime: int64(lifetime / time.Second)}
	var tok SCIMToken
	op := fmt.Sprintf("creating a SCIM token on Auth0 connection %q", connectionID)
	if err := c.call(ctx, op, http.MethodPost, c.uri("connections", connectionID, "scim-configuration", "tokens"), body, &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

// ListSCIMTokens lists a connection's tokens (without secrets). A connection without SCIM configuration answers
// 404 (IsSCIMNotConfigured).
func (c *Client) ListSCIMTokens(ctx context.Context, connectionID string) ([]SCIMToken, error) {
	var toks []SCIMToken
	op := fmt.Sprintf("listing the SCIM tokens of Auth0 connection %q", connectionID)
	if c.cache != nil && !isFresh(ctx) {
		// This run already found that the connection has no SCIM configuration (or no connection,
		// auth0-management-api.md §6.2): then it has no tokens either. The same 404 body is returned, so callers
		// classify it exactly as the list's own 404 (IsNotFound, IsConnectionNotFound).
		if a, ok := c.cache.lookup(c.uri("connections", connectionID, "scim-configuration")); ok && a.status == http.StatusNotFound {
			return nil, c.decode(op, a.status, a.body, nil)
		}
	}
	if err := c.call(ctx, op, http.MethodGet, c.uri("connections", connectionID, "scim-configuration", "tokens"), nil, &toks); err != nil {
		return nil, err
	}
	return toks, nil
}

// DeleteSCIMToken revokes a token.
func (c *Client) DeleteSCIMToken(ctx context.Context, connectionID, tokenID string) error {
	op := fmt.Sprintf("deleting SCIM token %q of Auth0 connection %q", tokenID, connectionID)
	return c.call(ctx, op, http.MethodDelete, c.uri("connections", connectionID, "scim-configuration", "tokens", tokenID), nil, nil)
}

// NoteSCIMConfigured records, for the rest of this process, what the state of an auth0entra_scim_connection that is
// planned without change says: the connection has a SCIM configuration, with that connection name and strategy.
// Terraform plans that resource before the data sources that take its connection_id, so the data source
// auth0entra_scim_endpoint can build its URLs from it instead of reading the configuration again: a plan with
// -refresh=false then sends no request at all, as Terraform's own resources do (fleet budgets). With refresh, the
// resource's Read has just read the configuration, so the note says nothing that a read would not. Any write to the
// connection or its configuration drops the note; a client without read cache keeps none.
func (c *Client) NoteSCIMConfigured(connectionID, connectionName, strategy string) {
	if c.cache == nil || connectionID == "" || strategy == "" {
		return // no cache, or a state that does not say enough
	}
	c.cache.noteConfigured(c.uri("connections", connectionID, "scim-configuration"), configuredNote{connectionName, strategy})
}

// SCIMConfiguredNote returns what NoteSCIMConfigured recorded for the connection, if anything, unless ctx asks for
// fresh reads (Fresh).
func (c *Client) SCIMConfiguredNote(ctx context.Context, connectionID string) (connectionName, strategy string, ok bool) {
	if c.cache == nil || isFresh(ctx) {
		return "", "", false
	}
	n, ok := c.cache.notedConfigured(c.uri("connections", connectionID, "scim-configuration"))
	return n.connectionName, n.strategy, ok
}
