package auth0

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// scimConfig is a connection's stored SCIM configuration.
type scimConfig struct {
	userIDAttribute string
	mapping         []Mapping
	createdAt       time.Time
	updatedOn       time.Time
}

// scimConfigJSON is the configuration object (auth0-management-api.md §3.1), fields in the OBSERVED key order. The API
// sends updated_on, never updated_at (auth0-management-api.md §3.2).
type scimConfigJSON struct {
	TenantName      string             `json:"tenant_name"`
	ConnectionID    string             `json:"connection_id"`
	ConnectionName  string             `json:"connection_name"`
	Strategy        string             `json:"strategy"`
	Mapping         []scimFirstMapping `json:"mapping"`
	UpdatedOn       string             `json:"updated_on"`
	CreatedAt       string             `json:"created_at"`
	UserIDAttribute string             `json:"user_id_attribute"`
}

// scimFirstMapping is a mapping row inside a configuration: {"scim":..,"auth0":..} (OBSERVED).
type scimFirstMapping struct {
	SCIM  string `json:"scim"`
	Auth0 string `json:"auth0"`
}

// auth0FirstMapping is a row of default-mapping: {"auth0":..,"scim":..} (OBSERVED).
type auth0FirstMapping struct {
	Auth0 string `json:"auth0"`
	SCIM  string `json:"scim"`
}

// scimConfigRequest is the body of POST and PATCH scim-configuration (additionalProperties false,
// auth0-management-api.md §3.1).
type scimConfigRequest struct {
	UserIDAttribute *string            `json:"user_id_attribute"`
	Mapping         *[]json.RawMessage `json:"mapping"`
}

func (s *Server) scimConfigJSONLocked(c *connection, cfg *scimConfig) scimConfigJSON {
	rows := make([]scimFirstMapping, len(cfg.mapping))
	for i, m := range cfg.mapping {
		rows[i] = scimFirstMapping{SCIM: m.SCIM, Auth0: m.Auth0}
	}
	return scimConfigJSON{
		TenantName:      s.cfg.TenantName,
		ConnectionID:    c.id,
		ConnectionName:  c.name,
		Strategy:        c.strategy,
		Mapping:         rows,
		UpdatedOn:       timestamp(cfg.updatedOn),
		CreatedAt:       timestamp(cfg.createdAt),
		UserIDAttribute: cfg.userIDAttribute,
	}
}

// parseSCIMConfigRequest decodes a configuration body. An empty body or JSON null is an empty request.
func parseSCIMConfigRequest(r *http.Request) (scimConfigRequest, *apiError) {
	var req scimConfigRequest
	body, empty, err := readBody(r)
	if err != nil {
		return req, errInvalidJSON
	}
	if empty {
		return req, nil
	}
	in, err := parseObject(body)
	if err != nil {
		if json.Valid(body) {
			return req, errInvalidPayload
		}
		return req, errInvalidJSON
	}
	for _, m := range in {
		if m.Key != "user_id_attribute" && m.Key != "mapping" {
			return req, errInvalidPayload
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return req, errInvalidPayload
	}
	if req.UserIDAttribute != nil && *req.UserIDAttribute == "" {
		return req, errInvalidPayload
	}
	return req, nil
}

// mappingFrom validates the mapping rows: objects with exactly non-empty string auth0 and scim. The API does not
// check that the paths or attribute names mean anything (OBSERVED, auth0-management-api.md §3.4).
func mappingFrom(raw []json.RawMessage) ([]Mapping, *apiError) {
	out := make([]Mapping, 0, len(raw))
	for _, item := range raw {
		o, err := parseObject(item)
		if err != nil || o == nil || len(o) != 2 {
			return nil, errInvalidMapping
		}
		a, okA := o.String("auth0")
		sc, okS := o.String("scim")
		if !okA || !okS || a == "" || sc == "" {
			return nil, errInvalidMapping
		}
		out = append(out, Mapping{SCIM: sc, Auth0: a})
	}
	return out, nil
}

// createSCIMConfig serves POST scim-configuration (auth0-management-api.md §3.4, checklist §13.1). The body may be
// absent, {}, or hold either field; what is missing comes from the strategy's defaults.
func (s *Server) createSCIMConfig(w http.ResponseWriter, r *http.Request) {
	req, e := parseSCIMConfigRequest(r)
	s.mu.Lock()
	c, ce := s.lookupConnectionLocked(r.PathValue("id"))
	switch {
	case ce != nil:
		e = ce
	case !contains(scimStrategies, c.strategy):
		e = errSCIMUnsupported
	case c.strategy == StrategyAzureAD && usesCommonEndpoint(c):
		e = errCommonEndpoint
	case s.scimConfigs[c.id] != nil:
		e = errSCIMExists
	}
	if e != nil {
		s.mu.Unlock()
		s.writeAPIError(w, e)
		return
	}
	mapping, uid := defaultMapping(c.strategy)
	if req.Mapping != nil {
		if mapping, e = mappingFrom(*req.Mapping); e != nil {
			s.mu.Unlock()
			s.writeAPIError(w, e)
			return
		}
	}
	if req.UserIDAttribute != nil {
		uid = *req.UserIDAttribute
	}
	now := s.now()
	cfg := &scimConfig{userIDAttribute: uid, mapping: mapping, createdAt: now, updatedOn: now}
	s.scimConfigs[c.id] = cfg
	out := s.scimConfigJSONLocked(c, cfg)
	s.mu.Unlock()
	router.WriteJSON(w, http.StatusCreated, out)
}

func usesCommonEndpoint(c *connection) bool {
	b, _ := c.options.Bool("useCommonEndpoint")
	return b
}

// lookupSCIMConfigLocked resolves the connection and its configuration: 404 inexistent_connection, or the OBSERVED
// 404 Not Found when the connection has no configuration.
func (s *Server) lookupSCIMConfigLocked(id string) (*connection, *scimConfig, *apiError) {
	c, e := s.lookupConnectionLocked(id)
	if e != nil {
		return nil, nil, e
	}
	cfg := s.scimConfigs[id]
	if cfg == nil {
		return c, nil, errNotFound
	}
	return c, cfg, nil
}

func (s *Server) getSCIMConfig(w http.ResponseWriter, r *http.Request) {
	s.answer(w, func() (any, *apiError) {
		c, cfg, e := s.lookupSCIMConfigLocked(r.PathValue("id"))
		if e != nil {
			return nil, e
		}
		return s.scimConfigJSONLocked(c, cfg), nil
	})
}

// updateSCIMConfig serves PATCH scim-configuration: both fields are required (400 Invalid payload, UNKNOWN
// auth0-management-api.md §6.4), the mapping is replaced wholesale, updated_on moves and created_at stays (OBSERVED).
func (s *Server) updateSCIMConfig(w http.ResponseWriter, r *http.Request) {
	req, e := parseSCIMConfigRequest(r)
	s.mu.Lock()
	c, cfg, ce := s.lookupSCIMConfigLocked(r.PathValue("id"))
	if ce != nil {
		e = ce
	}
	var mapping []Mapping
	if e == nil {
		if req.UserIDAttribute == nil || req.Mapping == nil {
			e = errInvalidPayload
		} else {
			mapping, e = mappingFrom(*req.Mapping)
		}
	}
	if e != nil {
		s.mu.Unlock()
		s.writeAPIError(w, e)
		return
	}
	cfg.userIDAttribute = *req.UserIDAttribute
	cfg.mapping = mapping
	cfg.updatedOn = s.now()
	out := s.scimConfigJSONLocked(c, cfg)
	s.mu.Unlock()
	router.WriteJSON(w, http.StatusOK, out)
}

// deleteSCIMConfig serves DELETE scim-configuration: 204 whether or not a configuration exists (OBSERVED,
// idempotent). Whether the connection's SCIM tokens go with it is UNKNOWN (auth0-management-api.md §6.4); they are
// deleted, as suggested.
func (s *Server) deleteSCIMConfig(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, e := s.lookupConnectionLocked(r.PathValue("id"))
	if e == nil {
		delete(s.scimConfigs, c.id)
		delete(s.scimTokens, c.id)
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeNoContent(w)
}

// defaultMapping serves GET scim-configuration/default-mapping: {"mapping":[...]} with auth0-first rows. It does not
// need an existing configuration (UNKNOWN; only ever recorded with one).
func (s *Server) defaultMapping(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, e := s.lookupConnectionLocked(r.PathValue("id"))
	if e == nil && !contains(scimStrategies, c.strategy) {
		e = errSCIMUnsupported
	}
	var strategy string
	if e == nil {
		strategy = c.strategy
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	mapping, _ := defaultMapping(strategy)
	rows := make([]auth0FirstMapping, len(mapping))
	for i, m := range mapping {
		rows[i] = auth0FirstMapping{Auth0: m.Auth0, SCIM: m.SCIM}
	}
	router.WriteJSON(w, http.StatusOK, struct {
		Mapping []auth0FirstMapping `json:"mapping"`
	}{rows})
}

// listSCIMConfigs serves the tenant-wide GET /connections-scim-configurations (DOCUMENTED, auth0-management-api.md §2)
// with checkpoint pagination: take 1..100 (default 50), from is the opaque cursor of the previous page's next.
func (s *Server) listSCIMConfigs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	take := intParam(q.Get("take"), 50)
	if take < 1 || take > 100 {
		s.writeAPIError(w, newError(400, "invalid_query_string", "Query validation error: 'take' must be between 1 and 100."))
		return
	}
	from := max(intParam(q.Get("from"), 0), 0)

	s.mu.Lock()
	var conns []*connection
	for id, c := range s.connections {
		if s.scimConfigs[id] != nil {
			conns = append(conns, c)
		}
	}
	sortConnections(conns)
	items := []scimConfigJSON{}
	for i := from; i < len(conns) && len(items) < take; i++ {
		items = append(items, s.scimConfigJSONLocked(conns[i], s.scimConfigs[conns[i].id]))
	}
	more := from+len(items) < len(conns)
	s.mu.Unlock()

	out := struct {
		SCIMConfigurations []scimConfigJSON `json:"scim_configurations"`
		Next               string           `json:"next,omitempty"`
	}{SCIMConfigurations: items}
	if more {
		out.Next = strconv.Itoa(from + len(items))
	}
	router.WriteJSON(w, http.StatusOK, out)
}
