package auth0

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"regexp"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

// maxSCIMTokens is how many active tokens a connection may have (DOCUMENTED, auth0-management-api.md §5.2).
const maxSCIMTokens = 2

// minTokenLifetime is the exclusive minimum of token_lifetime in seconds (DOCUMENTED, auth0-management-api.md §5.2).
const minTokenLifetime = 900

var tokenIDPattern = regexp.MustCompile(`^tok_[A-Za-z0-9]{16}$`)

// SCIMTokenScopes are the scopes a SCIM token may carry (DOCUMENTED, auth0-management-api.md §5.2; group scopes since
// 2026).
var SCIMTokenScopes = []string{
	"get:users", "post:users", "put:users", "patch:users", "delete:users",
	"get:groups", "post:groups", "put:groups", "patch:groups", "delete:groups",
}

// defaultSCIMTokenScopes are given to a token created without scopes. The spec makes scopes optional
// (auth0-management-api.md §6.4) but what Auth0 grants then is UNKNOWN; the sandbox grants every users scope.
var defaultSCIMTokenScopes = []string{"get:users", "post:users", "put:users", "patch:users", "delete:users"}

// scimToken is a stored SCIM bearer token. Zero times mean "never expires" and "never used".
type scimToken struct {
	id         string
	secret     string
	scopes     []string
	createdAt  time.Time
	validUntil time.Time
	lastUsedAt time.Time
}

func (t *scimToken) expired(now time.Time) bool {
	return !t.validUntil.IsZero() && !now.Before(t.validUntil)
}

// tokenCreatedJSON is the create response (OBSERVED key order; valid_until DOCUMENTED, only for expiring tokens).
type tokenCreatedJSON struct {
	TokenID    string   `json:"token_id"`
	Token      string   `json:"token"`
	Scopes     []string `json:"scopes"`
	CreatedAt  string   `json:"created_at"`
	ValidUntil string   `json:"valid_until,omitempty"`
}

// tokenItemJSON is a list item: no secret, no valid_until for non-expiring tokens, no last_used_at until first use
// (OBSERVED and DOCUMENTED, auth0-management-api.md §5.1–5.2).
type tokenItemJSON struct {
	TokenID    string   `json:"token_id"`
	CreatedAt  string   `json:"created_at"`
	Scopes     []string `json:"scopes"`
	ValidUntil string   `json:"valid_until,omitempty"`
	LastUsedAt string   `json:"last_used_at,omitempty"`
}

func optionalTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return timestamp(t)
}

func (t *scimToken) item() tokenItemJSON {
	return tokenItemJSON{
		TokenID:    t.id,
		CreatedAt:  timestamp(t.createdAt),
		Scopes:     append([]string{}, t.scopes...),
		ValidUntil: optionalTimestamp(t.validUntil),
		LastUsedAt: optionalTimestamp(t.lastUsedAt),
	}
}

// parseTokenRequest validates {scopes?, token_lifetime?}. Messages follow Auth0's payload-validation style; the
// rejection of token_lifetime <= 900 was never observed (400 assumed, auth0-management-api.md §6.4).
func parseTokenRequest(r *http.Request) ([]string, int, *apiError) {
	body, empty, err := readBody(r)
	if err != nil {
		return nil, 0, errInvalidJSON
	}
	if empty {
		return append([]string(nil), defaultSCIMTokenScopes...), 0, nil
	}
	in, err := parseObject(body)
	if err != nil {
		if json.Valid(body) {
			return nil, 0, errPayload("'Expected type object but found type %s'.", jsonType(body))
		}
		return nil, 0, errInvalidJSON
	}
	scopes := append([]string(nil), defaultSCIMTokenScopes...)
	lifetime := 0
	for _, m := range in {
		switch m.Key {
		case "scopes":
			var list []any
			if err := json.Unmarshal(m.Value, &list); err != nil {
				return nil, 0, errPayload("'Expected type array but found type %s' on property scopes.", jsonType(m.Value))
			}
			if len(list) == 0 {
				return nil, 0, errPayload("'Array is too short (0), minimum 1' on property scopes.")
			}
			scopes = scopes[:0]
			for i, v := range list {
				sc, ok := v.(string)
				if !ok || !contains(SCIMTokenScopes, sc) {
					b, _ := json.Marshal(v)
					return nil, 0, errPayload("'No enum match for: %s' on property scopes[%d].", b, i)
				}
				scopes = append(scopes, sc)
			}
		case "token_lifetime":
			if string(m.Value) == "null" {
				continue
			}
			var n json.Number
			if err := json.Unmarshal(m.Value, &n); err != nil || jsonType(m.Value) != "number" {
				return nil, 0, errPayload("'Expected type integer but found type %s' on property token_lifetime.", jsonType(m.Value))
			}
			v, err := n.Int64()
			if err != nil {
				return nil, 0, errPayload("'Expected type integer but found type number' on property token_lifetime.")
			}
			if v <= minTokenLifetime {
				return nil, 0, errPayload("'Value %d is less than or equal to exclusive minimum %d' on property token_lifetime.", v, minTokenLifetime)
			}
			lifetime = int(v)
		default:
			return nil, 0, errPayload("'Additional properties not allowed: %s'.", m.Key)
		}
	}
	return scopes, lifetime, nil
}

// createSCIMToken serves POST scim-configuration/tokens: 201 with the secret, which no other call returns.
func (s *Server) createSCIMToken(w http.ResponseWriter, r *http.Request) {
	scopes, lifetime, e := parseTokenRequest(r)
	s.mu.Lock()
	c, _, ce := s.lookupSCIMConfigLocked(r.PathValue("id"))
	if ce != nil {
		e = ce
	}
	var t *scimToken
	if e == nil {
		t, e = s.addSCIMTokenLocked(c.id, scopes, time.Duration(lifetime)*time.Second)
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	router.WriteJSON(w, http.StatusCreated, tokenCreatedJSON{
		TokenID:    t.id,
		Token:      t.secret,
		Scopes:     append([]string{}, t.scopes...),
		CreatedAt:  timestamp(t.createdAt),
		ValidUntil: optionalTimestamp(t.validUntil),
	})
}

// addSCIMTokenLocked issues a token: id tok_ + 16 alphanumerics, secret "<id>.<64 hex>" (OBSERVED). Expired tokens do
// not count against the limit of two active tokens (the limit is DOCUMENTED for active tokens).
func (s *Server) addSCIMTokenLocked(connID string, scopes []string, lifetime time.Duration) (*scimToken, *apiError) {
	now := s.now()
	active := 0
	for _, t := range s.scimTokens[connID] {
		if !t.expired(now) {
			active++
		}
	}
	if active >= maxSCIMTokens {
		return nil, errTooManyTokens
	}
	id := "tok_" + randomAlnum(16)
	t := &scimToken{id: id, secret: id + "." + randomHex(64), scopes: scopes, createdAt: now}
	if lifetime > 0 {
		// valid_until = created_at + token_lifetime is inferred (UNKNOWN, auth0-management-api.md §5.2).
		t.validUntil = now.Add(lifetime)
	}
	s.scimTokens[connID] = append(s.scimTokens[connID], t)
	return t, nil
}

// listSCIMTokens serves GET scim-configuration/tokens: a JSON array, oldest first.
func (s *Server) listSCIMTokens(w http.ResponseWriter, r *http.Request) {
	s.answer(w, func() (any, *apiError) {
		c, _, e := s.lookupSCIMConfigLocked(r.PathValue("id"))
		if e != nil {
			return nil, e
		}
		items := []tokenItemJSON{}
		for _, t := range s.scimTokens[c.id] {
			items = append(items, t.item())
		}
		return items, nil
	})
}

// deleteSCIMToken serves DELETE scim-configuration/tokens/{tokenId}: 204 (OBSERVED). An unknown token id answers
// 404 Not Found: UNKNOWN (auth0-management-api.md §6.4 leaves 404 or 204 open); 404 lets the provider notice a token
// deleted behind its back.
func (s *Server) deleteSCIMToken(w http.ResponseWriter, r *http.Request) {
	tokenID := r.PathValue("tokenId")
	s.mu.Lock()
	c, _, e := s.lookupSCIMConfigLocked(r.PathValue("id"))
	if e == nil && !tokenIDPattern.MatchString(tokenID) {
		e = errPath(tokenID, tokenIDPattern.String(), "tokenId (The id of the scim token to delete)")
	}
	if e == nil && !s.removeSCIMTokenLocked(c.id, tokenID) {
		e = errNotFound
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeNoContent(w)
}

func (s *Server) removeSCIMTokenLocked(connID, tokenID string) bool {
	tokens := s.scimTokens[connID]
	for i, t := range tokens {
		if t.id == tokenID {
			s.scimTokens[connID] = append(tokens[:i:i], tokens[i+1:]...)
			return true
		}
	}
	return false
}

// scimTenant adapts Server to scim.Tenant.
type scimTenant struct{ s *Server }

// Configuration implements scim.Tenant.
func (t scimTenant) Configuration(connectionID string) (scim.Configuration, bool) {
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connections[connectionID]
	cfg := s.scimConfigs[connectionID]
	if !ok || cfg == nil {
		return scim.Configuration{}, false
	}
	return scim.Configuration{
		ConnectionName:  c.name,
		Strategy:        c.strategy,
		UserIDAttribute: cfg.userIDAttribute,
		Mapping:         append([]Mapping(nil), cfg.mapping...),
	}, true
}

// Authorize implements scim.Tenant: the token must be a SCIM token of this connection and not expired (per
// valid_until); each successful use sets last_used_at.
func (t scimTenant) Authorize(connectionID, token string) ([]string, error) {
	s := t.s
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tok := range s.scimTokens[connectionID] {
		if subtle.ConstantTimeCompare([]byte(tok.secret), []byte(token)) != 1 {
			continue
		}
		if tok.expired(now) {
			return nil, scim.ErrExpiredToken
		}
		tok.lastUsedAt = now
		return append([]string(nil), tok.scopes...), nil
	}
	return nil, scim.ErrInvalidToken
}
