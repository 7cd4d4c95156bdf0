package entraclient

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	khttp "github.com/microsoft/kiota-http-go"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// pacerMiddleware sends every Graph request (each attempt of the retry middleware before it) through the client's
// pacer, which every resource and data source of the provider process shares. Graph says nothing about its limits
// until it throttles (microsoft-graph.md §7.2): a 429 holds every request back for its Retry-After and slows the
// pace; answers that are not 429 speed it up again.
type pacerMiddleware struct {
	graphHost string
	pacer     *pacing.Pacer
}

// Intercept implements khttp.Middleware.
func (m *pacerMiddleware) Intercept(p khttp.Pipeline, idx int, req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Hostname(), m.graphHost) {
		return p.Next(req, idx)
	}
	if err := m.pacer.Wait(req.Context()); err != nil {
		return nil, err
	}
	resp, err := p.Next(req, idx)
	defer m.pacer.Answered()
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := time.Second
		if secs, perr := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("Retry-After")), 64); perr == nil && secs >= 0 {
			wait = time.Duration(secs * float64(time.Second))
		}
		m.pacer.Throttled(wait)
	} else {
		m.pacer.Observe(0, 0, time.Time{})
	}
	return resp, nil
}
