package entraclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Error is a failed Graph operation, with what a diagnostic needs: the HTTP status, Graph's error code and a readable
// message. It is the only error type the package returns for API failures.
type Error struct {
	// Op says what the provider was doing, e.g. "creating the provisioning job".
	Op string
	// StatusCode is the HTTP status (0 when no answer came: transport, authentication or deadline).
	StatusCode int
	// Code is Graph's error code; for synchronization errors wrapped as UnknownError, the inner code.
	Code string
	// Message is Graph's message, unwrapped from the JSON the synchronization service nests in it.
	Message string
	// Details are Graph's error details ("code: message" each).
	Details []string
	// RequestID identifies the request for Microsoft support.
	RequestID string
	// Auth is true when the failure happened getting a token.
	Auth bool
	// Unreachable is true when the host (the login authority or Graph) could not be reached at all: its name does
	// not resolve, or nothing listens there. The message names the setting to check.
	Unreachable bool
	// Repeated is true for a sign-in failure already reported by an earlier operation of the same run.
	Repeated bool

	err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case e.Message != "":
		b.WriteString(e.Message)
	default:
		b.WriteString("unknown error")
	}
	if len(e.Details) > 0 {
		b.WriteString(" (" + strings.Join(e.Details, "; ") + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request-id " + e.RequestID + "]")
	}
	if h := e.permissionHint(); h != "" {
		b.WriteString(". " + h)
	}
	return b.String()
}

// Unwrap returns the transport or context error underneath, if any.
func (e *Error) Unwrap() error { return e.err }

// wrapErr converts any error from the SDK into an *Error. It never calls ODataError.Error(), which panics when the
// error body has no message (microsoft-graph.md §7.3).
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var own *Error
	if errors.As(err, &own) {
		if own.Op == "" {
			own.Op = op
		}
		return own
	}
	e := &Error{Op: op}
	var oe *odataerrors.ODataError
	var ae *abstractions.ApiError
	var authErr *tokenError
	switch {
	case errors.As(err, &oe):
		e.StatusCode = oe.ResponseStatusCode
		if main := oe.GetErrorEscaped(); main != nil {
			e.Code = deref(main.GetCode())
			e.Message = deref(main.GetMessage())
			for _, d := range main.GetDetails() {
				if d == nil {
					continue
				}
				s := strings.TrimPrefix(deref(d.GetCode())+": "+deref(d.GetMessage()), ": ")
				if t := deref(d.GetTarget()); t != "" {
					s += " (target " + t + ")"
				}
				if strings.TrimSpace(s) != ":" && s != "" {
					e.Details = append(e.Details, s)
				}
			}
			if inner := main.GetInnerError(); inner != nil {
				e.RequestID = deref(inner.GetRequestId())
			}
		}
		if e.RequestID == "" && oe.ResponseHeaders != nil {
			if v := oe.ResponseHeaders.Get("request-id"); len(v) > 0 {
				e.RequestID = v[0]
			}
		}
		if e.Message == "" && e.Code == "" {
			e.Message = http.StatusText(e.StatusCode)
		}
		e.Code, e.Message = unwrapSyncMessage(e.Code, e.Message)
	case errors.As(err, &ae):
		e.StatusCode = ae.ResponseStatusCode
		e.Message = ae.Message
		if strings.HasPrefix(e.Message, "The server returned an unexpected status code") {
			e.Message = http.StatusText(e.StatusCode)
		}
	case errors.As(err, &authErr):
		if inner := AsError(authErr.err); inner != nil {
			out := *inner
			out.Auth = true
			return &out
		}
		e.Auth = true
		e.Message = "could not get a Microsoft Entra access token: " + firstLine(authErr.err.Error())
		e.err = err
	case strings.Contains(err.Error(), "timeout awaiting response headers"):
		// The transport's ResponseHeaderTimeout (it also matches context.DeadlineExceeded, which would blame the
		// resource's timeouts).
		e.Message = "the server accepted the request but did not start answering in time (a stalled connection); run the operation again, and check the network path to Microsoft Graph and the login host"
		e.err = err
	case errors.Is(err, context.DeadlineExceeded):
		e.Message = "the operation's time ran out (raise the resource's timeouts if Entra is slow)"
		e.err = err
	case errors.Is(err, context.Canceled):
		e.Message = "the operation was cancelled"
		e.err = err
	default:
		e.Message = err.Error()
		e.err = err
	}
	return e
}

// unwrapSyncMessage extracts the readable part of the synchronization service's errors, which arrive as
// code "UnknownError" with a JSON document in the message: {"Message":"..."} or {"error":{"code":...,"message":...}}.
func unwrapSyncMessage(code, msg string) (string, string) {
	t := strings.TrimSpace(msg)
	if !strings.HasPrefix(t, "{") {
		return code, msg
	}
	var doc map[string]any
	if json.Unmarshal([]byte(t), &doc) != nil {
		return code, msg
	}
	if m, ok := doc["Message"].(string); ok && m != "" {
		return code, m
	}
	if m, ok := doc["message"].(string); ok && m != "" {
		if c, ok := doc["code"].(string); ok && c != "" && (code == "" || code == "UnknownError") {
			code = c
		}
		return code, m
	}
	if inner, ok := doc["error"].(map[string]any); ok {
		c, _ := inner["code"].(string)
		m, _ := inner["message"].(string)
		if c != "" && (code == "" || code == "UnknownError") {
			code = c
		}
		if m == "" {
			m = c
		}
		if m != "" {
			return code, m
		}
	}
	return code, msg
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// StatusCode returns the HTTP status of a failed operation, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// AsError returns err as an *Error, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// isNotValidReference reports Graph's 400 for a principal or resource that has not replicated yet.
func isNotValidReference(err error) bool {
	e := AsError(err)
	return e != nil && e.StatusCode == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(e.Message+" "+strings.Join(e.Details, " ")), "not a valid reference update")
}

// tokenError marks a failure of the credential, so that diagnostics can say "authentication" rather than "Graph".
type tokenError struct{ err error }

func (e *tokenError) Error() string { return e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }
