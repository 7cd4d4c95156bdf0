package auth0client

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func TestRateLimitWait(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tr := &retryTransport{policy: RetryPolicy{BaseDelay: time.Second, MaxDelay: 10 * time.Second, MaxRateLimitWait: time.Minute}.withDefaults(), now: func() time.Time { return now }}
	resp := func(h map[string]string) *http.Response {
		r := &http.Response{StatusCode: 429, Header: http.Header{}}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return r
	}
	jitter := 250 * time.Millisecond
	for name, c := range map[string]struct {
		h        map[string]string
		min, max time.Duration
	}{
		"reset epoch":                 {map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Add(3*time.Second).Unix(), 10)}, 3 * time.Second, 3*time.Second + jitter},
		"retry-after seconds":         {map[string]string{"Retry-After": "2"}, 2 * time.Second, 2*time.Second + jitter},
		"retry-after date":            {map[string]string{"Retry-After": now.Add(4 * time.Second).Format(http.TimeFormat)}, 4 * time.Second, 4*time.Second + jitter},
		"later of both":               {map[string]string{"Retry-After": "1", "X-RateLimit-Reset": strconv.FormatInt(now.Add(5*time.Second).Unix(), 10)}, 5 * time.Second, 5*time.Second + jitter},
		"capped":                      {map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Add(time.Hour).Unix(), 10)}, time.Minute, time.Minute},
		"reset in the past: no wait":  {map[string]string{"X-RateLimit-Reset": strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)}, 0, jitter},
		"no header: exponential":      {nil, 500 * time.Millisecond, time.Second + jitter},
		"garbage header: exponential": {map[string]string{"X-RateLimit-Reset": "soon"}, 500 * time.Millisecond, time.Second + jitter},
	} {
		got := tr.rateLimitWait(resp(c.h), 1)
		if got < c.min || got > c.max {
			t.Errorf("%s: wait %s, want within [%s, %s]", name, got, c.min, c.max)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	tr := &retryTransport{policy: RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 10: time.Second} {
		got := tr.backoff(attempt)
		if got < ceiling/2 || got > ceiling {
			t.Errorf("attempt %d: back-off %s, want within [%s, %s]", attempt, got, ceiling/2, ceiling)
		}
	}
}

func TestIdempotent(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         bool
	}{
		{"GET", "/api/v2/connections/x", true},
		{"PATCH", "/api/v2/connections/x", true},
		{"DELETE", "/api/v2/connections/x/scim-configuration", true},
		{"POST", "/oauth/token", true},
		{"POST", "/api/v2/connections/x/scim-configuration/tokens", false},
		{"POST", "/api/v2/connections/x/scim-configuration", false},
	} {
		req := &http.Request{Method: c.method, URL: &url.URL{Path: c.path}}
		if got := idempotent(req); got != c.want {
			t.Errorf("idempotent(%s %s) = %v", c.method, c.path, got)
		}
	}
}
