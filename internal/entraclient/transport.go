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

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

const (
	// defaultMaxAttempts bounds the attempts of one request when the context has no deadline; with a deadline, the
	// deadline is what ends the retries.
	defaultMaxAttempts = 8
	// maxBackoff caps the wait between two attempts when the server sends no Retry-After.
	maxBackoff = 30 * time.Second
)

// retryMiddleware replaces kiota's RetryHandler. It retries by idempotency, the same rules as the Auth0 side:
//
//   - a request that is safe to repeat (every GET, PUT, PATCH and DELETE, and the POSTs that create nothing, such as
//     start, pause and validateCredentials) is retried on 429, 500, 502, 503 and 504 and on transport errors (a reset
//     connection, an answer cut short, a stalled server);
//   - a POST that creates something (see nonIdempotent) is retried on 429 only: a 429 proves the request was turned
//     away unprocessed, whereas a 5xx or a lost answer can come after the object was created, and sending the POST
//     again would create a second application, job or assignment. The callers of those POSTs read back instead
//     (CreateEnterpriseApp, AssignAppRole, CreateJob);
//   - a host that cannot be reached at all (its name does not resolve, or nothing listens on the port) is not retried:
//     that is a setting to fix, not a transient fault, and it is reported at once (see unreachableError).
//
// Retry-After is honoured in seconds (fractions kept) or as an HTTP date; without it the wait backs off exponentially
// from one second. It never sleeps past the request context's deadline: when the next wait would end after it, the
// last answer is returned at once, so the caller reports the throttling instead of a bare timeout. Each attempt gets a
// fresh copy of the request (later middlewares, such as compression, change headers and body in place).
//
// It also refuses to send a request for the Graph host without an Authorization header: the SDK's silent
// "no token for a host it does not know" (microsoft-graph.md §2 item 6) becomes an error instead of anonymous calls.
type retryMiddleware struct {
	maxAttempts int
	graphHost   string
	// graphSource names the setting the Graph URL came from, for the message about an unreachable host.
	graphSource string
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
		if err != nil {
			if ue := asUnreachable(err, r.URL, m.graphSource); ue != nil {
				return nil, ue
			}
			if createOnly || ctx.Err() != nil || attempt >= limit {
				return nil, err
			}
		} else if !retryableStatus(resp.StatusCode, createOnly) || attempt >= limit {
			return resp, nil
		}
		delay := retryDelay(resp, attempt)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(dl) {
			tflog.Warn(ctx, "Microsoft Graph keeps failing; the next retry would pass the operation's deadline, giving up", map[string]any{
				"method": req.Method, "path": req.URL.Path, "status": status, "attempt": attempt, "retry_after": delay.String(),
			})
			return resp, err
		}
		fields := map[string]any{"method": req.Method, "path": req.URL.Path, "status": status, "attempt": attempt, "wait": delay.String()}
		if err != nil {
			fields["error"] = err.Error()
		}
		tflog.Info(ctx, "Microsoft Graph failed transiently; retrying", fields)
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		if err := pacing.Sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// absoluteMaxAttempts is a safety net, with a deadline, against a server that throttles forever with a short
// Retry-After.
const absoluteMaxAttempts = 100

// retryableStatus reports whether an answer is worth sending the request again for: 429 always (the request was not
// processed); 500, 502, 503 and 504 only for requests that are safe to repeat (nonIdempotent is false).
func retryableStatus(code int, nonIdempotent bool) bool {
	switch code {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return !nonIdempotent
	}
	return false
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
	if resp == nil {
		return backoff(attempt)
	}
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
	return backoff(attempt)
}

// backoff is 1s, 2s, 4s, ... with jitter, capped at maxBackoff.
func backoff(attempt int) time.Duration {
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
