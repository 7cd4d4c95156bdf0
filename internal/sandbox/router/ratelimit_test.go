package router

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimitBucketPerKey(t *testing.T) {
	rt := newTestRouter()
	now := time.Unix(1_700_000_000, 0)
	rt.limit = newLimiter(RateLimit{
		RPS: 2,
		Key: func(r *http.Request) string { return r.Header.Get("App") },
		Headers: func(h http.Header, limit, remaining int, reset time.Time) {
			h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
			h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		},
	}, func() time.Time { return now })

	// A bucket of 2 (one second's worth): two requests pass, the third is refused, with the cloud's 429.
	for i, want := range []int{200, 200, 429} {
		rec := do(rt, "GET", "/things/a", nil, map[string]string{"App": "one"})
		if rec.Code != want {
			t.Fatalf("request %d: %d, want %d", i, rec.Code, want)
		}
		if got := rec.Header().Get("X-RateLimit-Limit"); got != "2" {
			t.Errorf("request %d: X-RateLimit-Limit %q", i, got)
		}
		if want == 429 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("a refusal without the cloud's Retry-After")
		}
	}
	if rec := do(rt, "GET", "/things/a", nil, map[string]string{"App": "one"}); rec.Header().Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("remaining after refusal: %q", rec.Header().Get("X-RateLimit-Remaining"))
	}
	// Another key has its own bucket.
	if rec := do(rt, "GET", "/things/a", nil, map[string]string{"App": "two"}); rec.Code != 200 {
		t.Errorf("another app's bucket: %d", rec.Code)
	}
	// Half a second refills one token at 2 rps; the bucket is full again after one second.
	now = now.Add(500 * time.Millisecond)
	if rec := do(rt, "GET", "/things/a", nil, map[string]string{"App": "one"}); rec.Code != 200 {
		t.Errorf("after the refill: %d", rec.Code)
	}
	if got := rt.Throttled(); got != 2 {
		t.Errorf("Throttled() = %d, want 2", got)
	}
	reqs := rt.Requests("GET /things/{id}")
	if reqs[2].Status != 429 {
		t.Errorf("a refused request is logged with its 429: %+v", reqs[2])
	}
}

func TestRateLimitAppliesAndOff(t *testing.T) {
	rt := newTestRouter()
	rt.SetRateLimit(&RateLimit{RPS: 1, Applies: func(r *http.Request) bool { return r.Method == http.MethodGet }})
	do(rt, "GET", "/things/a", nil, nil)
	if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != 429 {
		t.Fatalf("second GET within the second: %d, want 429", rec.Code)
	}
	for i := 0; i < 3; i++ {
		if rec := do(rt, "POST", "/things", nil, nil); rec.Code != 201 {
			t.Fatalf("a request the limit does not apply to: %d", rec.Code)
		}
	}
	rt.SetRateLimit(nil)
	if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != 200 {
		t.Fatalf("rate limiting off: %d", rec.Code)
	}
}
