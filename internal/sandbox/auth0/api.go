package auth0

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

// This file is the tenant's Go API for tests and for making drift by hand: what an administrator could do in the
// Auth0 dashboard behind the provider's back. It bypasses authentication, scopes and the router's counters.

// ErrConnectionNotFound is returned by the Go API for an unknown connection id.
var ErrConnectionNotFound = errors.New("auth0: the connection does not exist")

// SCIMConfiguration is a connection's SCIM configuration.
type SCIMConfiguration struct {
	TenantName      string
	ConnectionID    string
	ConnectionName  string
	Strategy        string
	UserIDAttribute string
	Mapping         []Mapping
	CreatedAt       time.Time
	UpdatedOn       time.Time
}

// SCIMToken is a SCIM token of a connection. Token (the secret) is set only by CreateSCIMToken.
type SCIMToken struct {
	TokenID string
	Token   string
	Scopes  []string
	// CreatedAt, ValidUntil (zero: never expires) and LastUsedAt (zero: never used).
	CreatedAt  time.Time
	ValidUntil time.Time
	LastUsedAt time.Time
}

func (s *Server) configLocked(c *connection, cfg *scimConfig) SCIMConfiguration {
	return SCIMConfiguration{
		TenantName:      s.cfg.TenantName,
		ConnectionID:    c.id,
		ConnectionName:  c.name,
		Strategy:        c.strategy,
		UserIDAttribute: cfg.userIDAttribute,
		Mapping:         append([]Mapping(nil), cfg.mapping...),
		CreatedAt:       cfg.createdAt,
		UpdatedOn:       cfg.updatedOn,
	}
}

func apiErr(e *apiError) error {
	return fmt.Errorf("auth0: %d %s: %s", e.StatusCode, e.Error, e.Message)
}

// SCIMConfiguration returns the connection's SCIM configuration; false when it has none.
func (s *Server) SCIMConfiguration(connectionID string) (SCIMConfiguration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connections[connectionID]
	cfg := s.scimConfigs[connectionID]
	if !ok || cfg == nil {
		return SCIMConfiguration{}, false
	}
	return s.configLocked(c, cfg), true
}

// CreateSCIMConfiguration enables SCIM on a connection as POST scim-configuration does, with the same checks. An
// empty userIDAttribute or a nil mapping takes the strategy's default.
func (s *Server) CreateSCIMConfiguration(connectionID, userIDAttribute string, mapping []Mapping) (SCIMConfiguration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.lookupConnectionLocked(connectionID)
	switch {
	case e != nil:
	case !contains(scimStrategies, c.strategy):
		e = errSCIMUnsupported
	case c.strategy == StrategyAzureAD && usesCommonEndpoint(c):
		e = errCommonEndpoint
	case s.scimConfigs[connectionID] != nil:
		e = errSCIMExists
	}
	if e != nil {
		return SCIMConfiguration{}, apiErr(e)
	}
	defMapping, defUID := defaultMapping(c.strategy)
	if mapping == nil {
		mapping = defMapping
	}
	if userIDAttribute == "" {
		userIDAttribute = defUID
	}
	now := s.now()
	cfg := &scimConfig{userIDAttribute: userIDAttribute, mapping: append([]Mapping(nil), mapping...), createdAt: now, updatedOn: now}
	s.scimConfigs[connectionID] = cfg
	return s.configLocked(c, cfg), nil
}

// UpdateSCIMConfiguration replaces the user_id_attribute and mapping as PATCH scim-configuration does (updated_on
// moves), e.g. to simulate an edit in the dashboard.
func (s *Server) UpdateSCIMConfiguration(connectionID, userIDAttribute string, mapping []Mapping) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, cfg, e := s.lookupSCIMConfigLocked(connectionID)
	if e != nil {
		return apiErr(e)
	}
	cfg.userIDAttribute = userIDAttribute
	cfg.mapping = append([]Mapping(nil), mapping...)
	cfg.updatedOn = s.now()
	return nil
}

// DeleteSCIMConfiguration turns SCIM off for the connection (its tokens go too); it reports whether a configuration
// existed.
func (s *Server) DeleteSCIMConfiguration(connectionID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.scimConfigs[connectionID]
	delete(s.scimConfigs, connectionID)
	delete(s.scimTokens, connectionID)
	return ok
}

// CreateSCIMToken issues a SCIM token as POST scim-configuration/tokens does (limit of two active tokens included).
// nil scopes take the default; lifetime 0 never expires.
func (s *Server) CreateSCIMToken(connectionID string, scopes []string, lifetime time.Duration) (SCIMToken, error) {
	if scopes == nil {
		scopes = defaultSCIMTokenScopes
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, _, e := s.lookupSCIMConfigLocked(connectionID)
	if e != nil {
		return SCIMToken{}, apiErr(e)
	}
	t, e := s.addSCIMTokenLocked(c.id, append([]string(nil), scopes...), lifetime)
	if e != nil {
		return SCIMToken{}, apiErr(e)
	}
	out := t.public()
	out.Token = t.secret
	return out, nil
}

func (t *scimToken) public() SCIMToken {
	return SCIMToken{
		TokenID:    t.id,
		Scopes:     append([]string(nil), t.scopes...),
		CreatedAt:  t.createdAt,
		ValidUntil: t.validUntil,
		LastUsedAt: t.lastUsedAt,
	}
}

// SCIMTokens lists the connection's SCIM tokens, oldest first, without secrets.
func (s *Server) SCIMTokens(connectionID string) []SCIMToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SCIMToken
	for _, t := range s.scimTokens[connectionID] {
		out = append(out, t.public())
	}
	return out
}

// RevokeSCIMToken deletes a SCIM token; it reports whether the token existed.
func (s *Server) RevokeSCIMToken(connectionID, tokenID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeSCIMTokenLocked(connectionID, tokenID)
}

// SCIMEndpoint returns the connection's SCIM endpoint URL, https://{domain}/scim/v2/connections/{id}, which no API
// field returns (auth0-management-api.md §9); Entra's Tenant URL is this plus "?aadOptscim062020".
func (s *Server) SCIMEndpoint(connectionID string) string {
	return "https://" + s.Domain() + scim.Prefix + connectionID
}

// ConnectionJSON returns the connection exactly as GET /api/v2/connections/{id} would.
func (s *Server) ConnectionJSON(id string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connections[id]
	if !ok {
		return nil, false
	}
	b, _ := json.Marshal(c)
	return b, true
}

// ConnectionIDs returns the ids of every connection, oldest first.
func (s *Server) ConnectionIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := make([]*connection, 0, len(s.connections))
	for _, c := range s.connections {
		cs = append(cs, c)
	}
	sortConnections(cs)
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	return ids
}

// ConnectionByName returns the id of the connection with the given name.
func (s *Server) ConnectionByName(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, c := range s.connections {
		if c.name == name {
			return id, true
		}
	}
	return "", false
}

// PatchConnectionOptions changes individual keys of a connection's options (a nil value removes the key), e.g.
// {"userid_attribute": "oid"} or {"set_user_root_attributes": nil}. Read-only keys are re-derived afterwards.
func (s *Server) PatchConnectionOptions(id string, patch map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connections[id]
	if !ok {
		return ErrConnectionNotFound
	}
	opts := c.options.Clone()
	for k, v := range patch {
		if v == nil {
			opts.Delete(k)
			continue
		}
		if _, err := json.Marshal(v); err != nil {
			return fmt.Errorf("auth0: option %q: %w", k, err)
		}
		opts.Set(k, v)
	}
	c.options = opts
	applyComputedOptions(c)
	return nil
}

// SetConnectionOptions replaces a connection's options wholesale, as a PATCH with options does.
func (s *Server) SetConnectionOptions(id string, options json.RawMessage) error {
	opts, err := parseObject(options)
	if err != nil {
		return fmt.Errorf("auth0: options: %w", err)
	}
	if opts == nil {
		return errors.New("auth0: options must be a JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connections[id]
	if !ok {
		return ErrConnectionNotFound
	}
	c.options = opts
	applyComputedOptions(c)
	return nil
}

// DeleteConnection deletes a connection with its SCIM configuration, tokens and users; it reports whether the
// connection existed.
func (s *Server) DeleteConnection(id string) bool {
	s.mu.Lock()
	_, ok := s.connections[id]
	if ok {
		s.deleteConnectionLocked(id)
	}
	s.mu.Unlock()
	if ok {
		s.scim.DeleteConnection(id)
	}
	return ok
}
