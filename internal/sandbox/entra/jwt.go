package entra

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition (RFC 7517 §4.8), not a security use.
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"net/http"
	"sort"
	"sync"

	"github.com/golang-jwt/jwt/v5"
)

// Access tokens as Microsoft Entra issues them for app-only Microsoft Graph calls: signed JWTs (RS256) with the
// claims of a v1.0 application token (microsoft-graph.md §7.5 says azidentity never parses them; azuread does, see
// contributing/facts/entra-tokens.md). The token string itself stays the key of s.tokens, so every Graph route keeps
// mapping a bearer token back to its client.

// signingKey is the token-signing key, made on first use and shared by every tenant of the process (RSA key
// generation costs tens of milliseconds, and tests start many tenants).
var processKey signingKey

type signingKey struct {
	once sync.Once
	key  *rsa.PrivateKey
	kid  string
	x5t  string
}

func (k *signingKey) get() *signingKey {
	k.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("entra: generating the token-signing key: " + err.Error())
		}
		k.key = key
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			panic("entra: encoding the token-signing key: " + err.Error())
		}
		// UNKNOWN: Entra's kid values are opaque base64url strings equal to x5t (the SHA-1 thumbprint of the
		// signing certificate). Without a certificate the sandbox takes the thumbprint of the public key.
		th := sha1.Sum(der) //nolint:gosec // see import
		k.x5t = base64.RawURLEncoding.EncodeToString(th[:])
		k.kid = k.x5t
	})
	return k
}

func (s *Server) grantedAppRolesLocked(appID string) []string {
	out := make([]string, 0, len(s.grants[appID]))
	for p := range s.grants[appID] {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// issueAccessToken mints a Graph access token for client c, registers it in s.tokens and returns it. resource is
// the resource part of the requested scope (e.g. https://graph.microsoft.com or the sandbox's own URL); it becomes
// `aud`. assertion reports whether the client authenticated with a client assertion (appidacr 2) rather than a
// secret (appidacr 1).
func (s *Server) issueAccessToken(r *http.Request, c *oauthClient, resource string, assertion bool) (string, error) {
	k := processKey.get()
	now := s.now()
	exp := now.Add(accessTokenLifetime)
	base := s.base(r)
	tid := s.cfg.TenantID

	s.mu.Lock()
	var oid, displayName string
	if sp := s.spByAppIDLocked(c.id, false); sp != nil {
		oid, displayName = sp.id, sp.displayName()
	}
	roles := s.grantedAppRolesLocked(c.id)
	s.mu.Unlock()

	acr := "1"
	if assertion {
		acr = "2"
	}
	// Claims of an app-only v1.0 token for Microsoft Graph (see contributing/facts/entra-tokens.md for the list and
	// its sources). UNKNOWN: `iss`/`idp` of a national or private cloud. Public Entra uses https://sts.windows.net/{tid}/;
	// the sandbox's login host stands in for sts.windows.net so the issuer names a host the sandbox serves.
	claims := jwt.MapClaims{
		"aud":                 resource,
		"iss":                 base + "/" + tid + "/",
		"iat":                 now.Unix(),
		"nbf":                 now.Unix(),
		"exp":                 exp.Unix(),
		"aio":                 randomToken(16),
		"app_displayname":     displayName,
		"appid":               c.id,
		"appidacr":            acr,
		"idp":                 base + "/" + tid + "/",
		"idtyp":               "app",
		"oid":                 oid,
		"roles":               roles,
		"sub":                 oid,
		"tenant_region_scope": "EU",
		"tid":                 tid,
		"uti":                 base64.RawURLEncoding.EncodeToString([]byte(randomToken(8))),
		"ver":                 "1.0",
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	// Real Graph tokens also carry a `nonce` header that makes their signature unverifiable by anyone but Graph
	// (a documented Graph peculiarity). The sandbox leaves it out so tests can verify tokens against jwks_uri.
	tok.Header["kid"] = k.kid
	tok.Header["x5t"] = k.x5t
	signed, err := tok.SignedString(k.key)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.tokens[signed] = &accessToken{clientID: c.id, expires: exp}
	s.mu.Unlock()
	return signed, nil
}

// jwksDocument is the key set served at jwks_uri: the public half of the signing key, in the shape Entra uses
// (kty, use, kid, x5t, n, e, issuer). UNKNOWN: Entra also lists an x5c certificate chain; the sandbox has no
// certificate for the key and omits it.
func (s *Server) jwksDocument(r *http.Request) map[string]any {
	k := processKey.get()
	pub := k.key.PublicKey
	return map[string]any{"keys": []any{map[string]any{
		"kty":    "RSA",
		"use":    "sig",
		"kid":    k.kid,
		"x5t":    k.x5t,
		"n":      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"issuer": s.base(r) + "/" + s.cfg.TenantID + "/v2.0",
	}}}
}

// SigningKey returns the public key access tokens are signed with (for tests that verify tokens).
func (s *Server) SigningKey() *rsa.PublicKey { return &processKey.get().key.PublicKey }
