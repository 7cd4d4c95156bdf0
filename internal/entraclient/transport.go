package entraclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	khttp "github.com/microsoft/kiota-http-go"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	// defaultMaxAttempts bounds the attempts of one request when the context has no deadline; with a deadline, the
	// deadline is what ends the retries.
	defaultMaxAttempts = 8
	// maxBackoff caps the wait between two attempts when the server sends no Retry-After.
	maxBackoff = 30 * time.Second
)

// retryMiddleware replaces kiota's RetryHandler. It retries 429, 503 and 504 (the throttling answers of Graph),
// honouring Retry-After in seconds (fractions kept) or as an HTTP date, else backing off exponentially from one second.
// A POST that creates something (see nonIdempotent) is retried on 429 only: a 429 means the request was turned away
// unprocessed, whereas a 503 or 504 can come back after the object was created, and sending the POST again would
// create a second application, job or assignment. The callers of those POSTs handle a 5xx themselves by looking for
// what the first request may have created (CreateEnterpriseApp, AssignAppRole, CreateJob).
// It never sleeps past the request context's deadline: when the next wait would end after it, the last answer is
// returned at once, so the caller reports the throttling instead of a bare timeout. Each attempt gets a fresh copy
// of the request (later middlewares, such as compression, change headers and body in place).
//
// It also refuses to send a request for the Graph host without an Authorization header: the SDK's silent
// "no token for a host it does not know" (microsoft-graph.md §2 item 6) becomes an error instead of anonymous calls.
type retryMiddleware struct {
	maxAttempts int
	graphHost   string
}

// Intercept implements khttp.Middleware.
func (m *retryMiddleware) Intercept(p khttp.Pipeline, idx int, req *http.Request) (*http.Response, error) {
	if strings.EqualFold(req.URL.Hostname(), m.graphHost) && req.Header.Get("Authorization") == "" {
		return nil, errors.New("refusing to call Microsoft Graph without an access token (the Graph host is not among the SDK's allowed hosts); this is a bug in the provider")
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	ctx := req.Context()
	createOnly := nonIdempotent(req.Method, req.URL.Path)
	limit := m.maxAttempts
	if _, ok := ctx.Deadline(); ok {
		limit = absoluteMaxAttempts
	}
	for attempt := 1; ; attempt++ {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		if attempt > 1 {
			r.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
		}
		resp, err := p.Next(r, idx)
		if err != nil || !retryableStatus(resp.StatusCode, createOnly) || attempt >= limit {
			return resp, err
		}
		delay := retryDelay(resp, attempt)
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(dl) {
			tflog.Warn(ctx, "Microsoft Graph is throttling; the next retry would pass the operation's deadline, giving up", map[string]any{
				"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode, "attempt": attempt, "retry_after": delay.String(),
			})
			return resp, nil
		}
		tflog.Info(ctx, "Microsoft Graph asked to retry later; waiting", map[string]any{
			"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode, "attempt": attempt, "wait": delay.String(),
		})
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// absoluteMaxAttempts is a safety net, with a deadline, against a server that throttles forever with a short
// Retry-After.
const absoluteMaxAttempts = 100

// retryableStatus reports whether an answer is worth sending the request again for: 429 always; 503 and 504 only for
// requests that are safe to repeat (nonIdempotent is false).
func retryableStatus(code int, nonIdempotent bool) bool {
	if code == http.StatusTooManyRequests {
		return true
	}
	return !nonIdempotent && (code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout)
}

// creatingCollections are the last path segments of the Graph endpoints where a POST creates a new object each time
// it is sent (or starts work that must not run twice).
var creatingCollections = []string{
	"instantiate",        // POST /applicationTemplates/{id}/instantiate: a new application and service principal
	"approleassignedto",  // POST /servicePrincipals/{id}/appRoleAssignedTo: a new assignment
	"approleassignments", // POST /users|groups/{id}/appRoleAssignments: a new assignment
	"provisionondemand",  // POST .../jobs/{jobId}/provisionOnDemand: provisions the subjects now
	"applications",       // POST /applications
	"serviceprincipals",  // POST /servicePrincipals
}

// nonIdempotent reports whether a request creates something each time it is sent: a POST to one of
// creatingCollections, or to .../synchronization/jobs (a new provisioning job). Paths compare case-insensitively,
// as Graph does.
func nonIdempotent(method, urlPath string) bool {
	if method != http.MethodPost {
		return false
	}
	p := strings.ToLower(strings.TrimRight(urlPath, "/"))
	if strings.HasSuffix(p, "/synchronization/jobs") {
		return true
	}
	last := p[strings.LastIndex(p, "/")+1:]
	for _, c := range creatingCollections {
		if last == c {
			return true
		}
	}
	return false
}

// retryDelay reads Retry-After (seconds, possibly fractional, or an HTTP date), else backs off 1s, 2s, 4s, ... with
// jitter, capped at maxBackoff.
func retryDelay(resp *http.Response, attempt int) time.Duration {
	if ra := strings.TrimSpace(resp.Header.Get("Retry-After")); ra != "" {
		if secs, err := strconv.ParseFloat(ra, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second))
		}
		if t, err := http.ParseTime(ra); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
			return 0
		}
	}
	d := time.Second << min(attempt-1, 5)
	d += time.Duration(rand.Int64N(int64(250 * time.Millisecond)))
	return min(d, maxBackoff)
}

// userAgentMiddleware appends the provider's product token to the User-Agent kiota sets.
type userAgentMiddleware struct{ product string }

// Intercept implements khttp.Middleware.
func (m *userAgentMiddleware) Intercept(p khttp.Pipeline, idx int, req *http.Request) (*http.Response, error) {
	if m.product != "" {
		ua := req.Header.Get("User-Agent")
		if !strings.Contains(ua, m.product) {
			req.Header.Set("User-Agent", strings.TrimSpace(fmt.Sprintf("%s %s", ua, m.product)))
		}
	}
	return p.Next(req, idx)
}
