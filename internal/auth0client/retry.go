package auth0client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// RetryPolicy bounds how a request is retried. Every wait is also bounded by the request's context: a wait that
// would outlive the context's deadline is not started, and the last answer is returned instead.
//
// What is retried:
//   - 429 Too Many Requests, for every method: the wait lasts until the `X-RateLimit-Reset` time (epoch seconds)
//     or the `Retry-After` delay, whichever is later, capped by MaxRateLimitWait;
//   - 500, 502, 503 and 504, and transport errors (connection reset, timeouts), with exponential back-off and
//     jitter — for idempotent requests only (GET, HEAD, OPTIONS, PUT, PATCH, DELETE, and the POST /oauth/token
//     exchange). A POST that creates something (a SCIM configuration, a token) is retried only where the outcome
//     proves nothing was created: a 429 (Auth0 throttles before it acts) or a connection that was never made. A 5xx
//     or a lost answer proves nothing — the server may have acted — so the caller reads back instead of repeating
//     the POST (which could create a second object; for tokens, one of only two per connection);
//   - never: certificate errors, an unknown host (DNS answers "no such host") or a refused connection — these do
//     not go away by themselves within an apply, so they fail at once with a message naming the domain setting
//     (see Unreachable) — other statuses, or anything once the context is done.
type RetryPolicy struct {
	// MaxAttempts is how many requests one call may send, the first included. Default 8.
	MaxAttempts int
	// BaseDelay is the back-off after the first 5xx or transport error; it doubles with each attempt and is
	// jittered (a random value between half and all of it). Default 500ms.
	BaseDelay time.Duration
	// MaxDelay caps one back-off. Default 20s.
	MaxDelay time.Duration
	// MaxRateLimitWait caps one wait for a rate-limit reset. Default 1m.
	MaxRateLimitWait time.Duration
}

// DefaultRetryPolicy is used for every zero field of a RetryPolicy.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:      8,
	BaseDelay:        500 * time.Millisecond,
	MaxDelay:         20 * time.Second,
	MaxRateLimitWait: time.Minute,
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetryPolicy.MaxDelay
	}
	if p.MaxRateLimitWait <= 0 {
		p.MaxRateLimitWait = DefaultRetryPolicy.MaxRateLimitWait
	}
	return p
}

// NewRetryTransport wraps base (http.DefaultTransport when nil) with the retry policy p.
func NewRetryTransport(base http.RoundTripper, p RetryPolicy) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &retryTransport{base: base, policy: p.withDefaults(), now: time.Now}
}

type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
	now    func() time.Time
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	getBody, buffered, err := replayableBody(req)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		out := req
		if getBody != nil && (attempt > 1 || buffered) {
			out = req.Clone(ctx)
			if out.Body, err = getBody(); err != nil {
				return nil, err
			}
		}
		resp, err := t.base.RoundTrip(out)

		wait, reason, retry := t.decide(req, resp, err, attempt)
		if !retry {
			return resp, err
		}
		fields := map[string]any{
			"method": req.Method, "path": req.URL.Path, "reason": reason,
			"attempt": attempt, "max_attempts": t.policy.MaxAttempts, "wait": wait.Round(time.Millisecond).String(),
		}
		if attempt >= t.policy.MaxAttempts {
			tflog.Warn(ctx, "Auth0 request failed; giving up after the last allowed attempt", fields)
			return resp, err
		}
		if deadline, ok := ctx.Deadline(); ok && t.now().Add(wait).After(deadline) {
			fields["deadline"] = deadline.UTC().Format(time.RFC3339)
			tflog.Warn(ctx, "Auth0 request failed; giving up because the next attempt would come after the operation's deadline", fields)
			return resp, err
		}
		tflog.Warn(ctx, "Auth0 request failed; retrying", fields)
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
		}
		if err := pacing.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// decide says whether the outcome of one attempt is retried, after how long, and why (for the log).
func (t *retryTransport) decide(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, string, bool) {
	if err != nil {
		if req.Context().Err() != nil || !retryableError(err) || Unreachable(err) {
			return 0, "", false
		}
		if !idempotent(req) && !neverConnected(err) {
			return 0, "", false
		}
		return t.backoff(attempt), "transport error: " + err.Error(), true
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return t.rateLimitWait(resp, attempt), "429 Too Many Requests (rate limit)", true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !idempotent(req) {
			return 0, "", false
		}
		return t.backoff(attempt), resp.Status, true
	}
	return 0, "", false
}

// backoff is BaseDelay·2^(attempt-1), capped by MaxDelay, jittered to between half and all of it.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.policy.BaseDelay
	for i := 1; i < attempt && d < t.policy.MaxDelay; i++ {
		d *= 2
	}
	if d > t.policy.MaxDelay {
		d = t.policy.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// rateLimitWait is the time until Auth0's rate-limit bucket resets: the later of X-RateLimit-Reset (UNIX epoch
// seconds) and Retry-After (seconds or an HTTP date), plus up to 250ms of jitter; the back-off when neither
// header says anything usable; capped by MaxRateLimitWait.
func (t *retryTransport) rateLimitWait(resp *http.Response, attempt int) time.Duration {
	now := t.now()
	var wait time.Duration
	found := false
	if v := resp.Header.Get("X-RateLimit-Reset"); v != "" {
		if epoch, err := strconv.ParseInt(v, 10, 64); err == nil {
			wait, found = time.Unix(epoch, 0).Sub(now), true
		}
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil {
			wait, found = max(wait, time.Duration(secs)*time.Second), true
		} else if at, err := http.ParseTime(v); err == nil {
			wait, found = max(wait, at.Sub(now)), true
		}
	}
	if !found {
		wait = t.backoff(attempt)
	}
	wait = max(wait, 0) + time.Duration(rand.Int64N(int64(250*time.Millisecond)))
	return min(wait, t.policy.MaxRateLimitWait)
}

// idempotent reports whether sending req twice has the same effect as sending it once.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	case http.MethodPost:
		// Exchanging client credentials for an access token creates nothing.
		return req.URL.Path == "/oauth/token"
	}
	return false
}

// retryableError reports whether a transport error may go away by itself. Certificate problems do not. The
// request's own context is checked before (decide): an error that still matches context.DeadlineExceeded is a
// timeout of the transport's, e.g. ResponseHeaderTimeout on a connection that stopped answering, and is retried.
func retryableError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var verr *tls.CertificateVerificationError
	var uaerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cierr x509.CertificateInvalidError
	var rerr tls.RecordHeaderError
	switch {
	case errors.As(err, &verr), errors.As(err, &uaerr), errors.As(err, &herr), errors.As(err, &cierr), errors.As(err, &rerr):
		return false
	}
	return true
}

// Unreachable reports whether err says the host cannot be reached at all: its name does not resolve, or nothing
// listens on the port (connection refused). Both point at a wrong domain rather than a passing failure.
func Unreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsNotFound || (!dns.IsTemporary && !dns.IsTimeout)
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// neverConnected reports whether the request certainly did not reach the server.
func neverConnected(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// replayableBody returns a function that yields the request body afresh for each attempt. When the request
// cannot rebuild its body itself (no GetBody), the body is read into memory once and buffered is true.
func replayableBody(req *http.Request) (getBody func() (io.ReadCloser, error), buffered bool, err error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, false, nil
	}
	if req.GetBody != nil {
		return req.GetBody, false, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, false, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, true, nil
}
