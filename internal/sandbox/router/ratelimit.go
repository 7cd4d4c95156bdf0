package router

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// RateLimit makes the router enforce a token bucket per key, as both clouds do: Auth0 per tenant on the Management
// API (auth0-management-api.md §7.1), Graph per application and tenant (microsoft-graph.md §7.2). A request over the
// limit is answered 429 by the cloud's ErrorWriter (with its headers: Auth0's x-ratelimit-*, Graph's Retry-After)
// and is not carried out.
//
// UNKNOWN: neither cloud publishes its bucket's exact shape. The sandbox refills RPS tokens per second into a
// bucket of Burst tokens (default: one second's worth, at least 1), which is the documented "N requests per second"
// with the smallest burst, so that a client that stays under the limit is never refused and one that does not is
// refused at once.
type RateLimit struct {
	// RPS is the sustained rate; 0 or less switches rate limiting off.
	RPS float64
	// Burst is the bucket size; 0 means max(1, ceil(RPS)).
	Burst int
	// Applies selects the limited requests (nil: every request but the admin API's).
	Applies func(*http.Request) bool
	// Key names the bucket of a request (nil: one bucket for the whole router).
	Key func(*http.Request) string
	// Headers, when set, writes the cloud's rate-limit headers on every limited request's answer, refused or not:
	// the bucket size, the whole tokens left, and when the bucket is full again.
	Headers func(h http.Header, limit, remaining int, reset time.Time)
}

type bucket struct {
	tokens float64
	last   time.Time
}

type limiter struct {
	cfg     RateLimit
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

func newLimiter(cfg RateLimit, now func() time.Time) *limiter {
	if cfg.Burst <= 0 {
		cfg.Burst = max(1, int(math.Ceil(cfg.RPS)))
	}
	return &limiter{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// take spends one token of r's bucket. It returns whether the request may go on, the tokens left, when the bucket
// is full again, and (refused) how long until one token is there.
func (l *limiter) take(r *http.Request) (ok bool, remaining int, reset time.Time, retryAfter time.Duration) {
	key := ""
	if l.cfg.Key != nil {
		key = l.cfg.Key(r)
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: float64(l.cfg.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.cfg.Burst), b.tokens+now.Sub(b.last).Seconds()*l.cfg.RPS)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		ok = true
	} else {
		retryAfter = time.Duration((1 - b.tokens) / l.cfg.RPS * float64(time.Second))
	}
	reset = now.Add(time.Duration((float64(l.cfg.Burst) - b.tokens) / l.cfg.RPS * float64(time.Second)))
	return ok, int(b.tokens), reset, retryAfter
}

// SetRateLimit switches rate limiting on (l.RPS > 0) or off (nil or RPS <= 0), with fresh buckets.
func (rt *Router) SetRateLimit(l *RateLimit) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if l == nil || l.RPS <= 0 {
		rt.limit = nil
		return
	}
	rt.limit = newLimiter(*l, time.Now)
}

// Throttled returns how many requests the rate limit refused (429) since the router started or ResetCounters.
func (rt *Router) Throttled() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.throttled
}

// rateLimited applies the rate limit to one request. It reports whether the request was refused (the 429 is
// written); otherwise w may be a writer that adds the cloud's headers to the answer.
func (rt *Router) rateLimited(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, bool) {
	rt.mu.Lock()
	l := rt.limit
	rt.mu.Unlock()
	if l == nil || (l.cfg.Applies != nil && !l.cfg.Applies(r)) {
		return w, false
	}
	ok, remaining, reset, retryAfter := l.take(r)
	if l.cfg.Headers != nil {
		w = &headerWriter{ResponseWriter: w, set: func(h http.Header) { l.cfg.Headers(h, l.cfg.Burst, remaining, reset) }}
	}
	if ok {
		return w, false
	}
	rt.mu.Lock()
	rt.throttled++
	rt.mu.Unlock()
	rt.errorOut(w, r, http.StatusTooManyRequests, retryAfter)
	return w, true
}

// headerWriter sets headers just before the answer's status line, over whatever the handler set.
type headerWriter struct {
	http.ResponseWriter
	set  func(http.Header)
	done bool
}

func (h *headerWriter) WriteHeader(code int) {
	if !h.done {
		h.done = true
		h.set(h.Header())
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerWriter) Write(p []byte) (int, error) {
	if !h.done {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(p)
}
