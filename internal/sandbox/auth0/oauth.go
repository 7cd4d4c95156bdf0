package auth0

import (
	"crypto"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// accessTokenLifetime is the expires_in of Management API tokens (DOCUMENTED, auth0-management-api.md §11).
const accessTokenLifetime = 86400 * time.Second

// client is a machine-to-machine application allowed the client-credentials grant for the Management API.
type client struct {
	secret string
	scopes []string
	// assertionKey verifies Private Key JWT client assertions (oauth_assertion.go); nil when none is registered.
	assertionKey crypto.PublicKey
}

// accessToken is what an opaque Management API access token stands for.
type accessToken struct {
	scopes  []string
	expires time.Time
}

// oauthError is the authentication API's error body.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// tokenResponse is the client-credentials answer (DOCUMENTED, auth0-management-api.md §11).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
}

// AddClient registers a machine-to-machine application that may use the client-credentials grant.
func (s *Server) AddClient(clientID, clientSecret string, scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = client{secret: clientSecret, scopes: append([]string(nil), scopes...)}
}

// IssueToken returns a Management API access token with the given scopes (what AUTH0_API_TOKEN would hold). Like
// tokens from /oauth/token it expires after 86400 seconds of the tenant's clock.
func (s *Server) IssueToken(scopes []string) string {
	return s.issue(scopes, accessTokenLifetime)
}

// IssueTokenWithLifetime is IssueToken with a chosen lifetime, for tests of token expiry.
func (s *Server) IssueTokenWithLifetime(scopes []string, lifetime time.Duration) string {
	return s.issue(scopes, lifetime)
}

// RevokeAccessToken makes a Management API access token invalid.
func (s *Server) RevokeAccessToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.accessTokens, token)
}

func (s *Server) issue(scopes []string, lifetime time.Duration) string {
	tok := randomAlnum(48)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessTokens[tok] = accessToken{scopes: append([]string(nil), scopes...), expires: s.now().Add(lifetime)}
	return tok
}

// token serves POST /oauth/token with the client-credentials grant. Client authentication is accepted as HTTP
// Basic (what golang.org/x/oauth2 tries first) or as client_id/client_secret in the body; bodies may be form-encoded
// or JSON. The audience must be this tenant's Management API, https://{domain}/api/v2/.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	params, err := tokenParams(r)
	if err != nil {
		router.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_request", err.Error()})
		return
	}
	if gt := params.Get("grant_type"); gt != "client_credentials" {
		router.WriteJSON(w, http.StatusForbidden, oauthError{"unauthorized_client", "Grant type '" + gt + "' not allowed for the client."})
		return
	}
	id, secret, basic := r.BasicAuth()
	assertion := params.Get("client_assertion") != ""
	if assertion {
		cid, oe := s.clientFromAssertion(params)
		if oe != nil {
			writeOAuthError(w, oe)
			return
		}
		id = cid
	} else if basic {
		// x/oauth2 form-encodes both halves before Basic encoding them (RFC 6749 §2.3.1).
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
	} else {
		id, secret = params.Get("client_id"), params.Get("client_secret")
	}

	s.mu.Lock()
	c, known := s.clients[id]
	domain := s.domain
	s.mu.Unlock()
	if !known || (!assertion && subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1) {
		router.WriteJSON(w, http.StatusUnauthorized, oauthError{"access_denied", "Unauthorized"})
		return
	}
	if domain == "" {
		domain = r.Host
	}
	if aud := params.Get("audience"); aud != "https://"+domain+"/api/v2/" {
		router.WriteJSON(w, http.StatusForbidden, oauthError{"access_denied", "Service not enabled within domain: " + aud})
		return
	}
	granted := c.scopes
	if want := strings.Fields(params.Get("scope")); len(want) > 0 {
		granted = nil
		for _, sc := range want {
			if contains(c.scopes, sc) {
				granted = append(granted, sc)
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	router.WriteJSON(w, http.StatusOK, tokenResponse{
		AccessToken: s.issue(granted, accessTokenLifetime),
		ExpiresIn:   int(accessTokenLifetime / time.Second),
		Scope:       strings.Join(granted, " "),
		TokenType:   "Bearer",
	})
}

// tokenParams reads the token request's parameters from a form or JSON body.
func tokenParams(r *http.Request) (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	v := url.Values{}
	for k, val := range m {
		if str, ok := val.(string); ok {
			v.Set(k, str)
		}
	}
	return v, nil
}

// authenticate checks the request's bearer access token and, when scope is set, that the token carries it.
func (s *Server) authenticate(r *http.Request, scope string) *apiError {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return errInvalidToken
	}
	s.mu.Lock()
	at, known := s.accessTokens[strings.TrimSpace(tok)]
	s.mu.Unlock()
	if !known || !s.now().Before(at.expires) {
		return errInvalidToken
	}
	if scope != "" && !contains(at.scopes, scope) {
		return errInsufficientScope(scope)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
