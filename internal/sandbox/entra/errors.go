package entra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error bodies. Graph always answers `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`
// and the message is never absent: msgraph-sdk-go's ODataError.Error() dereferences it and panics without it
// (microsoft-graph.md §2 item 7, §7.3). The login endpoints answer AADSTS-style OAuth errors.

// Graph error codes the sandbox uses.
const (
	CodeResourceNotFound                = "Request_ResourceNotFound"
	CodeBadRequest                      = "Request_BadRequest"
	CodeUnsupportedQuery                = "Request_UnsupportedQuery"
	CodeMultipleObjectsWithSameKeyValue = "Request_MultipleObjectsWithSameKeyValue"
	CodeInvalidAuthToken                = "InvalidAuthenticationToken"
	CodeAuthorizationRequestDenied      = "Authorization_RequestDenied"
	CodeTooManyRequests                 = "TooManyRequests"
	CodeUnknownError                    = "UnknownError"
	CodeInternalError                   = "InternalError"
	CodeCredentialsMissing              = "CredentialsMissing"
	CodeSCIMInvalidCredentials          = "SystemForCrossDomainIdentityManagementInvalidCredentials"
	CodeSCIMCredentialValidation        = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
)

// graphContentType is what Graph sends with JSON bodies; kiota only looks at the media type.
const graphContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

type graphInnerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

type graphMainError struct {
	Code       string          `json:"code"`
	Message    string          `json:"message"`
	InnerError graphInnerError `json:"innerError"`
}

// graphError writes the Graph error envelope.
func (s *Server) graphError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if message == "" {
		message = http.StatusText(status)
	}
	rid := w.Header().Get("request-id")
	if rid == "" {
		rid = newGUID()
		w.Header().Set("request-id", rid)
	}
	crid := w.Header().Get("client-request-id")
	if crid == "" {
		if crid = r.Header.Get("client-request-id"); crid == "" {
			crid = rid
		}
		w.Header().Set("client-request-id", crid)
	}
	writeJSON(w, status, map[string]any{"error": graphMainError{
		Code:    code,
		Message: message,
		// Real directory errors carry a date without a zone designator (microsoft-graph.md §7.1); kiota parses it fine.
		InnerError: graphInnerError{Date: s.now().Format("2006-01-02T15:04:05"), RequestID: rid, ClientRequestID: crid},
	}})
}

// notFound writes the directory's 404 for an object id.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, id string) {
	s.graphError(w, r, http.StatusNotFound, CodeResourceNotFound,
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

// syncError writes an error the way the synchronization service does: code UnknownError and a JSON document
// {"Message": "..."} inside message (microsoft-graph.md §7.1, §5.9). Exact texts of validation failures are UNKNOWN;
// the sandbox words them so that they name the offending value.
func (s *Server) syncError(w http.ResponseWriter, r *http.Request, status int, message string) {
	b, _ := json.Marshal(map[string]string{"Message": message})
	s.graphError(w, r, status, CodeUnknownError, string(b))
}

// badJSON is Graph's answer to a body it cannot read.
func (s *Server) badJSON(w http.ResponseWriter, r *http.Request) {
	s.graphError(w, r, http.StatusBadRequest, "BadRequest",
		"Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
}

// writeError is the router's ErrorWriter for injected faults (and unreadable gzip bodies). Login paths answer in
// the AADSTS format, everything else in the Graph envelope. 429, 503 and 504 carry Retry-After in whole seconds,
// the only statuses kiota's RetryHandler retries (microsoft-graph.md §7.3).
//
// The codes for injected 5xx answers are UNKNOWN for these endpoints; the sandbox uses the codes of the Graph
// error documentation (serviceNotAvailable, generalException) and TooManyRequests for 429 (microsoft-graph.md §7.6).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, retryAfter time.Duration) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout {
		secs := int((retryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if isLoginPath(r.URL.Path) {
		switch status {
		case http.StatusTooManyRequests:
			s.aadError(w, status, "temporarily_unavailable", 50196, "The server terminated an operation because it encountered a client request loop. Please contact your app vendor.")
		case http.StatusBadRequest:
			s.aadError(w, status, "invalid_request", 900144, "The request body could not be read.")
		default:
			s.aadError(w, status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
		}
		return
	}
	code, msg := "generalException", "An internal server error occurred."
	switch status {
	case http.StatusTooManyRequests:
		code, msg = CodeTooManyRequests, "Too many requests."
	case http.StatusBadRequest:
		code, msg = "BadRequest", "The request body could not be read."
	case http.StatusBadGateway:
		code, msg = "BadGateway", "Bad gateway."
	case http.StatusServiceUnavailable:
		code, msg = "serviceNotAvailable", "The service is temporarily unavailable for maintenance or is overloaded. You may repeat the request after a delay, which may be specified in a Retry-After header."
	case http.StatusGatewayTimeout:
		code, msg = "GatewayTimeout", "The server, while acting as a proxy, did not receive a timely response from the upstream server it needed to access in attempting to complete the request."
	}
	s.graphError(w, r, status, code, msg)
}

func isLoginPath(p string) bool {
	return strings.Contains(p, "/oauth2/") || strings.Contains(p, "/.well-known/") || strings.Contains(p, "/discovery/")
}

// aadError writes an AADSTS-style OAuth error, e.g.
// {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. ...", ...}.
func (s *Server) aadError(w http.ResponseWriter, status int, code string, num int, msg string) {
	now := s.now()
	trace, corr := newGUID(), newGUID()
	desc := fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", num, msg, trace, corr, now.Format("2006-01-02 15:04:05Z"))
	writeJSONType(w, status, "application/json; charset=utf-8", map[string]any{
		"error":             code,
		"error_description": desc,
		"error_codes":       []int{num},
		"timestamp":         now.Format("2006-01-02 15:04:05Z"),
		"trace_id":          trace,
		"correlation_id":    corr,
		"error_uri":         fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", num),
	})
}

// unknownRoute answers paths and methods no route serves.
func (s *Server) unknownRoute(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v1.0/") || r.URL.Path == "/v1.0" {
		segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		s.graphError(w, r, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Resource not found for the segment '%s'.", segs[len(segs)-1]))
		return
	}
	s.graphError(w, r, http.StatusNotFound, "NotFound", fmt.Sprintf("No route for %s %s in the Entra sandbox.", r.Method, r.URL.Path))
}

// writeJSON writes v with Graph's content type. HTML characters are not escaped, as Graph does not escape them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, status, graphContentType, v)
}

func writeJSONType(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := marshalJSON(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// marshalJSON is json.Marshal without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// readJSON decodes the request body into v (numbers kept as json.Number). It reports false after answering 400.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		s.badJSON(w, r)
		return false
	}
	return true
}

// noContent answers 204 without a body.
func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// underLock runs f with s.mu held. What f writes is buffered and sent after the lock is released, so a slow client
// never holds up the tenant.
func (s *Server) underLock(w http.ResponseWriter, f func(w http.ResponseWriter)) {
	bw := &bufferedResponse{header: w.Header()}
	func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		f(bw)
	}()
	if bw.status == 0 {
		return // nothing written: the caller answers
	}
	w.WriteHeader(bw.status)
	_, _ = w.Write(bw.body.Bytes())
}

// underLockWith is underLock for a handler of one object: find, under s.mu, looks it up, and do runs with it, or
// the answer is 404 naming key when find returns nil.
func underLockWith[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, find func() *T, do func(w http.ResponseWriter, obj *T)) {
	s.underLock(w, func(w http.ResponseWriter) {
		obj := find()
		if obj == nil {
			s.notFound(w, r, key)
			return
		}
		do(w, obj)
	})
}

// bufferedResponse is an http.ResponseWriter that keeps the status and body until flushed.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
