package auth0

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

// apiError is the Management API error body (auth0-management-api.md §6.1). errorCode is optional and absent from many
// 404s.
type apiError struct {
	StatusCode int              `json:"statusCode"`
	Error      string           `json:"error"`
	Message    string           `json:"message"`
	ErrorCode  string           `json:"errorCode,omitempty"`
	Attributes *errorAttributes `json:"attributes,omitempty"`
}

type errorAttributes struct {
	Error string `json:"error"`
}

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{StatusCode: status, Error: http.StatusText(status), Message: fmt.Sprintf(format, args...), ErrorCode: code}
}

// Error bodies. OBSERVED ones are verbatim from the recordings (auth0-management-api.md §6.2); DOCUMENTED ones use the
// spec's description as message (auth0-management-api.md §6.3); the rest are marked where they are built.
var (
	// 401 for a missing, unknown or expired access token (auth0-management-api.md §6.1).
	errInvalidToken = &apiError{StatusCode: 401, Error: "Unauthorized", Message: "Invalid token",
		Attributes: &errorAttributes{Error: "Invalid token"}}
	// OBSERVED: GET or POST scim-configuration of a connection id that does not exist.
	errNoConnection = newError(404, "inexistent_connection", "The connection does not exist")
	// OBSERVED: GET scim-configuration when the connection has none. Also used for PATCH and the token endpoints
	// in that case (UNKNOWN, auth0-management-api.md §6.4, suggested mirror of GET) and for unknown token ids.
	errNotFound = newError(404, "", "Not Found")
	// OBSERVED: POST scim-configuration on a connection whose strategy does not support SCIM.
	errSCIMUnsupported = newError(404, "", "This connection type does not support SCIM. Please see our documentation for the currently supported connection types: https://auth0.com/docs/authenticate/protocols/scim/configure-inbound-scim.")
	// DOCUMENTED (auth0-management-api.md §6.3, §8.1).
	errCommonEndpoint = newError(400, "", "SCIM cannot be enabled for this connection when the Azure AD common endpoint is used.")
	// DOCUMENTED as "SCIM configuration alreay exists for connection" (sic). The typo is fixed so the message
	// contains "already exists", which the checklist of auth0-management-api.md §13 requires and auth0-deploy-cli matches
	// on.
	errSCIMExists = newError(400, "", "SCIM configuration already exists for connection")
	// DOCUMENTED descriptions of POST/PATCH scim-configuration failures.
	errInvalidPayload = newError(400, "", "Invalid payload")
	errInvalidMapping = newError(400, "", "Invalid mapping provided")
	// DOCUMENTED (auth0-management-api.md §5.2).
	errTooManyTokens = newError(409, "", "Maximum of 2 tokens already issued for this connection")
	// Body that is not JSON (Auth0's wording, not in auth0-management-api.md).
	errInvalidJSON = newError(400, "", "Invalid request payload JSON format")
)

func errInsufficientScope(scope string) *apiError {
	return newError(403, "insufficient_scope", "Insufficient scope, expected any of: %s", scope)
}

// errPayload is a body validation error; errorCode invalid_body is OBSERVED in the recordings, the message format is
// Auth0's usual one.
func errPayload(format string, args ...any) *apiError {
	return newError(400, "invalid_body", "Payload validation error: "+format, args...)
}

// errPath is a path parameter validation error (errorCode invalid_uri OBSERVED; "Path validation error" DOCUMENTED).
func errPath(value, pattern, property string) *apiError {
	return newError(400, "invalid_uri", "Path validation error: 'String does not match pattern %s: %s' on property %s.", pattern, value, property)
}

// writeAPIError writes an error body with the Management API's headers.
func (s *Server) writeAPIError(w http.ResponseWriter, e *apiError) {
	router.WriteJSON(w, e.StatusCode, e)
}

// answer runs read under s.mu and answers 200 with what it returns, or with the error it returns.
func (s *Server) answer(w http.ResponseWriter, read func() (any, *apiError)) {
	s.mu.Lock()
	out, e := read()
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	router.WriteJSON(w, http.StatusOK, out)
}

// writeError is the router's ErrorWriter for injected faults (and undecodable gzip bodies): the Management API's
// error shape with its rate-limit headers, the SCIM error schema on SCIM routes, and OAuth errors on /oauth/token.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, retryAfter time.Duration) {
	message := http.StatusText(status)
	code := ""
	if status == http.StatusTooManyRequests {
		// auth0-management-api.md §6.1: Auth0's global rate-limit answer.
		message, code = "Global limit has been reached", "too_many_requests"
		reset := s.now().Add(retryAfter)
		sec := reset.Unix()
		if reset.Nanosecond() > 0 {
			sec++
		}
		w.Header().Set("x-ratelimit-limit", strconv.Itoa(s.rateLimit()))
		w.Header().Set("x-ratelimit-remaining", "0")
		w.Header().Set("x-ratelimit-reset", strconv.FormatInt(sec, 10))
	} else if strings.HasPrefix(r.URL.Path, "/api/v2/") {
		s.setRateLimitHeaders(w)
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/scim/"):
		scim.WriteError(w, status, "", message)
	case strings.HasPrefix(r.URL.Path, "/oauth/"):
		oauthCode := "server_error"
		if status == http.StatusTooManyRequests {
			oauthCode = "too_many_requests"
		}
		router.WriteJSON(w, status, oauthError{Error: oauthCode, ErrorDescription: message})
	default:
		s.writeAPIError(w, newError(status, code, "%s", message))
	}
}

// setRateLimitHeaders sets the x-ratelimit-* headers every Management API response carries (auth0-management-api.md
// §7.1). The bucket is a fixed one-second window that is reported but not enforced: 429s come from injected faults.
func (s *Server) setRateLimitHeaders(w http.ResponseWriter) {
	now := s.now()
	limit := s.rateLimit()
	s.mu.Lock()
	if sec := now.Unix(); sec != s.rlWindow {
		s.rlWindow, s.rlCount = sec, 0
	}
	s.rlCount++
	remaining := max(limit-s.rlCount, 0)
	s.mu.Unlock()
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(limit))
	h.Set("x-ratelimit-remaining", strconv.Itoa(remaining))
	h.Set("x-ratelimit-reset", strconv.FormatInt(now.Unix()+1, 10))
}

func (s *Server) rateLimit() int {
	if s.cfg.RateLimit > 0 {
		return s.cfg.RateLimit
	}
	return defaultRateLimit
}
