package entra

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The login side: just enough of the Microsoft identity platform v2.0 endpoints for azidentity with
// DisableInstanceDiscovery (microsoft-graph.md §7.5) to get application tokens for Graph.

const (
	graphDefaultScope    = "https://graph.microsoft.com/.default"
	jwtBearerAssertion   = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	accessTokenLifetime  = 3599 * time.Second
	graphAppIDForHeaders = "00000003-0000-0000-c000-000000000000"
)

type oauthClient struct {
	id      string
	secrets []string
	// federated lists issuer+"\x00"+subject pairs accepted as client assertions (workload identity federation).
	federated map[string]bool
}

type accessToken struct {
	clientID string
	expires  time.Time
}

// knownTenant reports whether the path's tenant segment names this tenant (its id or initial domain).
func (s *Server) knownTenant(t string) bool {
	return strings.EqualFold(t, s.cfg.TenantID) || strings.EqualFold(t, s.cfg.TenantDomain)
}

// openIDConfiguration serves GET /{tenant}/v2.0/.well-known/openid-configuration. MSAL requires issuer,
// authorization_endpoint and token_endpoint, and the issuer's scheme and host must equal the authority's
// (microsoft-graph.md §7.5), so every URL is built on the sandbox's own base URL.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		s.aadError(w, http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")
		return
	}
	b := s.base(r)
	t := s.cfg.TenantID
	writeJSONType(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"token_endpoint":                        b + "/" + t + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              b + "/" + t + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                b + "/" + t + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     b + "/oidc/userinfo",
		"authorization_endpoint":                b + "/" + t + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         b + "/" + t + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  b + "/" + t + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"kerberos_endpoint":                     b + "/" + t + "/kerberos",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          strings.TrimPrefix(b, "https://"),
		"rbac_url":                              "https://pas.windows.net",
	})
}

// jwks serves the key set named by jwks_uri: the key access tokens are signed with (jwt.go).
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	if !s.knownTenant(r.PathValue("tenant")) {
		s.aadError(w, http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '"+r.PathValue("tenant")+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
		return
	}
	writeJSONType(w, http.StatusOK, "application/json; charset=utf-8", s.jwksDocument(r))
}

// token serves POST /{tenant}/oauth2/v2.0/token for the client-credentials grant, authenticated with a client
// secret (form or HTTP Basic) or a client assertion (certificate, or OIDC/workload-identity federation).
//
// Access tokens are signed JWTs with the claims of an app-only Graph token (jwt.go), mapped to the client in
// s.tokens; Graph routes look them up. azidentity does not parse them (microsoft-graph.md §7.5), azuread does.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		s.aadError(w, http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.aadError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt == "" {
		s.aadError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	} else if gt != "client_credentials" {
		s.aadError(w, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"+gt+"'.")
		return
	}
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		u, _ = url.QueryUnescape(u)
		p, _ = url.QueryUnescape(p)
		clientID, secret = u, p
	}
	assertion := f.Get("client_assertion")
	if assertion != "" && f.Get("client_assertion_type") != jwtBearerAssertion {
		s.aadError(w, http.StatusBadRequest, "invalid_request", 700026, "Client assertion type must be '"+jwtBearerAssertion+"'.")
		return
	}

	var c *oauthClient
	switch {
	case assertion != "":
		var status int
		var code, msg string
		var num int
		c, status, code, num, msg = s.clientFromAssertion(clientID, assertion)
		if c == nil {
			s.aadError(w, status, code, num, msg)
			return
		}
	case clientID == "":
		s.aadError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	default:
		s.mu.Lock()
		c = s.clients[clientID]
		s.mu.Unlock()
		if c == nil {
			s.aadError(w, http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+clientID+"' was not found in the directory '"+s.cfg.TenantID+"'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")
			return
		}
		if secret == "" {
			s.aadError(w, http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
			return
		}
		if !c.hasSecret(secret) {
			s.aadError(w, http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+clientID+"'.")
			return
		}
	}

	resource, code, num, msg, ok := checkScope(f.Get("scope"), s.base(r))
	if !ok {
		s.aadError(w, http.StatusBadRequest, code, num, msg)
		return
	}

	tok, err := s.issueAccessToken(r, c, resource, assertion != "")
	if err != nil {
		s.aadError(w, http.StatusInternalServerError, "temporarily_unavailable", 50000, "The sandbox could not sign the token: "+err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSONType(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(accessTokenLifetime / time.Second),
		"ext_expires_in": int(accessTokenLifetime / time.Second),
		"access_token":   tok,
	})
}

func (c *oauthClient) hasSecret(secret string) bool {
	for _, s := range c.secrets {
		if s == secret {
			return true
		}
	}
	return false
}

// checkScope accepts Microsoft Graph's `.default` scope, alone or with the OIDC scopes MSAL adds
// ("openid offline_access profile", microsoft-graph.md §7.5), and returns the resource named (the token's `aud`).
// Graph may be named as https://graph.microsoft.com, by its application id, or by the tenant's own Graph URL
// (ownBase): a national cloud accepts its own Graph endpoint as resource (https://graph.microsoft.us/.default in
// US Government, https://microsoftgraph.chinacloudapi.cn/.default in China; see contributing/facts/entra-tokens.md),
// and azuread configured through the ARM metadata document asks for exactly that. UNKNOWN: how Entra treats a
// trailing slash on the resource (https://graph.microsoft.com//.default); the sandbox ignores it.
func checkScope(scope, ownBase string) (resource, code string, num int, msg string, ok bool) {
	fields := strings.Fields(scope)
	if len(fields) == 0 {
		return "", "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.", false
	}
	for _, f := range fields {
		switch {
		case f == "openid" || f == "profile" || f == "offline_access" || f == "email":
		case strings.HasSuffix(f, "/.default"):
			res := strings.TrimSuffix(f, "/.default")
			trimmed := strings.TrimRight(res, "/")
			switch {
			case strings.EqualFold(trimmed, "https://graph.microsoft.com"), strings.EqualFold(trimmed, graphAppIDForHeaders):
			case ownBase != "" && strings.EqualFold(trimmed, strings.TrimRight(ownBase, "/")):
			default:
				return "", "invalid_resource", 500011, "The resource principal named " + res + " was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant. The sandbox serves Microsoft Graph only, as https://graph.microsoft.com or as " + ownBase + ".", false
			}
			resource = trimmed
		default:
			return "", "invalid_scope", 1002012, "The provided value for scope " + f + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", false
		}
	}
	if resource == "" {
		return "", "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", false
	}
	return resource, "", 0, "", true
}

// clientFromAssertion authenticates a client_assertion JWT.
//
// SIGNATURES ARE NOT VERIFIED: the sandbox has no certificates or issuer keys to check them against. It accepts any
// well-formed, unexpired JWT whose `sub` or `iss` is a registered client id (certificate credentials, where both
// are the client id), or whose iss/sub pair was registered for the client with AddFederatedCredential (workload
// identity federation, e.g. a GitHub Actions token, where client_id names the application).
func (s *Server) clientFromAssertion(clientID, assertion string) (c *oauthClient, status int, code string, num int, msg string) {
	claims, ok := parseJWTClaims(assertion)
	if !ok {
		return nil, http.StatusUnauthorized, "invalid_client", 50027, "JWT token is invalid or malformed."
	}
	if exp, ok := claims["exp"].(float64); ok && time.Unix(int64(exp), 0).Before(s.now()) {
		return nil, http.StatusUnauthorized, "invalid_client", 700024, "Client assertion is not within its valid time range."
	}
	iss, _ := claims["iss"].(string)
	sub, _ := claims["sub"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if clientID != "" {
		if cl := s.clients[clientID]; cl != nil {
			if iss == clientID || sub == clientID || cl.federated[iss+"\x00"+sub] {
				return cl, 0, "", 0, ""
			}
			return nil, http.StatusBadRequest, "invalid_request", 700213, "No matching federated identity record found for presented assertion subject '" + sub + "'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion."
		}
		return nil, http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '" + clientID + "' was not found in the directory '" + s.cfg.TenantID + "'."
	}
	for _, id := range []string{sub, iss} {
		if cl := s.clients[id]; cl != nil {
			return cl, 0, "", 0, ""
		}
	}
	return nil, http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '" + sub + "' was not found in the directory '" + s.cfg.TenantID + "'."
}

// parseJWTClaims decodes the payload of a compact JWS (three base64url segments with a JSON header).
func parseJWTClaims(tok string) (map[string]any, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[2] == "" {
		return nil, false
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, false
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, false
		}
	}
	if _, ok := header["alg"].(string); !ok {
		return nil, false
	}
	return claims, true
}

// graph wraps a Graph handler: it sets the request-id headers and requires a valid bearer token.
func (s *Server) graph(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rid := newGUID()
		crid := r.Header.Get("client-request-id")
		if crid == "" {
			crid = rid
		}
		w.Header().Set("request-id", rid)
		w.Header().Set("client-request-id", crid)
		if !s.authorize(w, r) || !s.permitted(w, r) {
			return
		}
		h(w, r)
	}
}

// authorize checks `Authorization: Bearer <token>` against the tokens the token endpoint issued.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	tok = strings.TrimSpace(tok)
	w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+s.base(r)+`/`+s.cfg.TenantID+`/oauth2/authorize", client_id="`+graphAppIDForHeaders+`"`)
	if !ok || tok == "" {
		s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return false
	}
	s.mu.Lock()
	at := s.tokens[tok]
	expired := at != nil && !s.now().Before(at.expires)
	s.mu.Unlock()
	switch {
	case at == nil:
		s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
		return false
	case expired:
		s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
		return false
	}
	w.Header().Del("WWW-Authenticate")
	return true
}
