package auth0

import (
	"crypto"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// Private Key JWT client authentication (DOCUMENTED by Auth0: "Authenticate with Private Key JWT"; go-auth0
// v1.49.0's WithClientCredentialsPrivateKeyJwt, SOURCE): the token request carries client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer and a client_assertion JWT with iss = sub = the client id
// and aud = https://{domain}/, signed with a key whose public half is registered on the application.

const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// SetClientAssertionKey registers the public key a client's assertions are verified with (RSA or ECDSA), as the
// application's private_key_jwt credential does. The client must exist (AddClient).
func (s *Server) SetClientAssertionKey(clientID string, pub crypto.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	c.assertionKey = pub
	s.clients[clientID] = c
}

// clientFromAssertion verifies a client assertion and returns the client id it authenticates, or an OAuth error.
// UNKNOWN: Auth0's exact error bodies for a bad assertion; the sandbox answers 401 access_denied as for a bad
// secret, with a description saying what was wrong.
func (s *Server) clientFromAssertion(params url.Values) (string, *oauthError) {
	if t := params.Get("client_assertion_type"); t != jwtBearerAssertionType {
		return "", &oauthError{"invalid_request", fmt.Sprintf("client_assertion_type must be %s", jwtBearerAssertionType)}
	}
	s.mu.Lock()
	domain := s.domain
	s.mu.Unlock()
	var clientID string
	_, err := jwt.Parse(params.Get("client_assertion"), func(tok *jwt.Token) (any, error) {
		iss, _ := tok.Claims.GetIssuer()
		sub, _ := tok.Claims.GetSubject()
		if iss == "" || iss != sub {
			return nil, fmt.Errorf("iss and sub must both be the client id")
		}
		s.mu.Lock()
		c, ok := s.clients[iss]
		s.mu.Unlock()
		if !ok || c.assertionKey == nil {
			return nil, fmt.Errorf("client %q has no private_key_jwt credential", iss)
		}
		clientID = iss
		return c.assertionKey, nil
	},
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}),
		jwt.WithAudience("https://"+domain+"/"),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
		jwt.WithLeeway(5*time.Second),
	)
	if err != nil {
		return "", &oauthError{"access_denied", "Invalid client assertion: " + err.Error()}
	}
	return clientID, nil
}

// writeOAuthError answers a failed token request.
func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	status := http.StatusUnauthorized
	if e.Error == "invalid_request" {
		status = http.StatusBadRequest
	}
	router.WriteJSON(w, status, e)
}
