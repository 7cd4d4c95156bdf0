package auth0client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/auth0/go-auth0/management"
	"golang.org/x/oauth2"
)

// Error is a failed Auth0 call: what the provider was doing, and Auth0's answer or the transport error.
// Its text never contains request bodies, headers or configured secrets.
type Error struct {
	// Op says what the provider was doing, e.g. `reading connection "con_…"`.
	Op string
	// StatusCode is the HTTP status of Auth0's answer; 0 when no answer arrived.
	StatusCode int
	// Code is Auth0's errorCode (e.g. inexistent_connection, insufficient_scope), or the OAuth error code of a
	// failed token exchange; often empty.
	Code string
	// Message is Auth0's message (or error_description).
	Message string
	// Err is the underlying error when no answer arrived (or when the token exchange failed).
	Err error
	// Hint, when set, says what to check; it comes first for errors that point at a setting (an unreachable domain).
	Hint string
	// credentials marks a rejected client-credentials exchange (401/403 from /oauth/token); repeated, a request
	// not sent because that already happened.
	credentials, repeated bool
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.credentials {
		// Cause first: what Auth0 said about the credentials and what to check, then what the provider was doing.
		b.WriteString("Auth0 rejected the provider's credentials: ")
		e.writeAnswer(&b)
		b.WriteString(". Check the provider's Auth0 credentials (auth0.client_id and auth0.client_secret, or AUTH0_CLIENT_ID and " +
			"AUTH0_CLIENT_SECRET): they must belong to a machine-to-machine application of this tenant authorized for the Management API")
		if e.repeated {
			b.WriteString(". The request was not sent: the same credentials were already rejected in this run")
		}
		fmt.Fprintf(&b, " (while %s)", e.Op)
		return b.String()
	}
	if e.Hint != "" && e.StatusCode == 0 {
		// Cause first: the setting to check, then what the provider was doing and the transport's own words.
		b.WriteString(e.Hint)
		b.WriteString(" (")
		b.WriteString(e.Op)
		b.WriteString(": ")
		if e.Err != nil {
			b.WriteString(e.Err.Error())
		}
		b.WriteString(")")
		return b.String()
	}
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.StatusCode == 0 {
		if e.Err != nil {
			b.WriteString(e.Err.Error())
		} else {
			b.WriteString("no answer from Auth0")
		}
		return b.String()
	}
	b.WriteString("Auth0 answered ")
	e.writeAnswer(&b)
	if hint := e.hint(); hint != "" {
		b.WriteString(". ")
		b.WriteString(hint)
	}
	return b.String()
}

// writeAnswer writes what Auth0 answered: the status, its message when it says more than the status, and its code.
func (e *Error) writeAnswer(b *strings.Builder) {
	fmt.Fprintf(b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" && e.Message != http.StatusText(e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" {
		fmt.Fprintf(b, " (%s)", e.Code)
	}
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) hint() string {
	switch {
	case e.Code == "insufficient_scope" || (e.StatusCode == http.StatusForbidden && strings.Contains(e.Message, "scope")):
		return "Grant the missing scope to the provider's machine-to-machine application (Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications)"
	case e.StatusCode == http.StatusUnauthorized:
		return "Check the provider's Auth0 credentials (auth0.client_id and auth0.client_secret, or auth0.api_token) and that they belong to this tenant"
	case e.StatusCode == http.StatusTooManyRequests:
		return "The tenant's Management API rate limit was still exhausted after the provider's retries; try again later or lower terraform's -parallelism"
	}
	return ""
}

// errorBody is Auth0's error body: {"statusCode":404,"error":"Not Found","message":"...","errorCode":"..."}.
type errorBody struct {
	StatusCode int    `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
	ErrorCode  string `json:"errorCode"`
}

// newAPIError decodes an Auth0 error answer. A body that is not Auth0's JSON shape keeps the HTTP status.
func (c *Client) newAPIError(op string, status int, body []byte) *Error {
	e := &Error{Op: op, StatusCode: status}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Message, e.Code = eb.Message, eb.ErrorCode
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	e.Message = c.scrub(e.Message)
	return e
}

// newTransportError wraps an error that happened before Auth0 answered, e.g. a refused connection, a certificate
// problem, an expired context, or a failed client-credentials exchange.
func (c *Client) newTransportError(op string, err error) *Error {
	e := &Error{Op: op, Err: scrubbedError{err: err, text: c.scrub(err.Error())}}
	if Unreachable(err) {
		what := "nothing answers at that address (connection refused)"
		var dns *net.DNSError
		if errors.As(err, &dns) {
			what = "its name does not resolve (no such host)"
		}
		from := c.domainSource
		if from == "" {
			from = "auth0.domain in the provider block or the environment variable AUTH0_DOMAIN"
		}
		e.Hint = fmt.Sprintf("Cannot reach the Auth0 tenant %q: %s. Check the Auth0 domain, set by %s: it must be the "+
			"tenant's canonical domain, e.g. acme.eu.auth0.com", c.Domain, what, from)
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		e.Op = op + " (getting a Management API access token with the client credentials)"
		if rerr.Response != nil {
			e.StatusCode = rerr.Response.StatusCode
		}
		e.credentials = e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
		e.Code = rerr.ErrorCode
		e.Message = c.scrub(rerr.ErrorDescription)
		if e.Message == "" && e.StatusCode != 0 {
			e.Message = http.StatusText(e.StatusCode)
		}
	}
	return e
}

// scrubbedError keeps the chain of an error (for errors.Is/As) while its text has secrets removed.
type scrubbedError struct {
	err  error
	text string
}

func (s scrubbedError) Error() string { return s.text }
func (s scrubbedError) Unwrap() error { return s.err }

// StatusCode returns the HTTP status of the Auth0 answer behind err, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	var me management.Error
	if errors.As(err, &me) {
		return me.Status()
	}
	return 0
}

// Message returns Auth0's message behind err, or err's text when Auth0 did not answer.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Message != "" {
			return e.Message
		}
		if e.Err != nil {
			return e.Err.Error()
		}
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// ErrorCode returns Auth0's errorCode behind err, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether Auth0 answered 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsConnectionNotFound reports whether Auth0 answered that the connection itself does not exist
// (404 inexistent_connection), as opposed to a missing SCIM configuration on an existing connection.
func IsConnectionNotFound(err error) bool {
	if !IsNotFound(err) {
		return false
	}
	return ErrorCode(err) == "inexistent_connection" || strings.Contains(strings.ToLower(Message(err)), "connection does not exist")
}

// IsSCIMNotConfigured reports whether Auth0 answered 404 for an existing connection's SCIM configuration (or its
// tokens): the connection exists but SCIM is not enabled on it.
func IsSCIMNotConfigured(err error) bool {
	return IsNotFound(err) && !IsConnectionNotFound(err) && !strings.Contains(Message(err), "does not support SCIM")
}

// IsSCIMUnsupported reports whether Auth0 refused SCIM because of the connection's type (a 404 with "This
// connection type does not support SCIM").
func IsSCIMUnsupported(err error) bool {
	return IsNotFound(err) && strings.Contains(Message(err), "does not support SCIM")
}

// IsAlreadyExists reports whether Auth0 refused to create something that exists (400 "... already exists").
func IsAlreadyExists(err error) bool {
	return StatusCode(err) == http.StatusBadRequest && strings.Contains(strings.ToLower(Message(err)), "already exist")
}

// IsTokenLimit reports whether Auth0 refused a SCIM token because the connection already has two (409).
func IsTokenLimit(err error) bool { return StatusCode(err) == http.StatusConflict }
