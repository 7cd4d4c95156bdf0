package auth0client

import (
	"net/http"
	"strconv"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// pacedTransport sends every Management API request (each attempt of the retry transport above it) through the
// client's pacer, which every resource and data source of the provider process shares, and feeds the pacer the
// rate-limit headers of each answer (auth0-management-api.md §7.1, §7.4). The token exchange (/oauth/token) belongs
// to the Authentication API, whose limits are separate, and is not paced.
type pacedTransport struct {
	base  http.RoundTripper
	pacer *pacing.Pacer
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/oauth/token" {
		return t.base.RoundTrip(req)
	}
	if err := t.pacer.Wait(req.Context()); err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	defer t.pacer.Answered()
	if err != nil {
		return resp, err
	}
	limit, _ := strconv.Atoi(resp.Header.Get("X-RateLimit-Limit"))
	remaining, errR := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
	var reset time.Time
	if epoch, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		reset = time.Unix(epoch, 0)
	}
	if errR != nil {
		remaining = 1 // no usable header: nothing says the bucket is empty
	}
	t.pacer.Observe(limit, remaining, reset)
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := time.Until(reset)
		if v, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			wait = max(wait, time.Duration(v)*time.Second)
		}
		t.pacer.Throttled(max(wait, 0))
	}
	return resp, err
}
