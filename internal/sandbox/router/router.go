// Package router is the HTTP plumbing both sandbox clouds share: route registration with Go 1.22 patterns, fault
// injection per route (latency, throttling, server errors — before the request is handled, or after it was carried
// out: a late answer, an error answer or a dropped connection), request counters and a request log for tests and
// benchmarks, a hook that sees every carried-out request before its answer leaves, gzip request bodies, and a small
// admin API under /__sandbox/.
//
// What a throttled or failing response looks like is the cloud's own business: each cloud passes an ErrorWriter.
package router

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrorWriter writes a cloud-specific error response. For status 429 it must also set the cloud's rate-limit
// headers; retryAfter is how long the client should wait.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, status int, retryAfter time.Duration)

// Fault is what the sandbox does to requests matching a route before (or instead of) handling them.
type Fault struct {
	// Route is the registered pattern, e.g. "GET /api/v2/connections/{id}"; "*" matches every route.
	Route string `json:"route"`
	// Latency delays the response (bounded by the request's context).
	Latency time.Duration `json:"latency,omitempty"`
	// Status, when set (429 or 5xx), answers with that error instead of handling the request.
	Status int `json:"status,omitempty"`
	// RetryAfter is sent with 429 answers (the cloud's own headers); default one second.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	// AfterStatus, when set (429 or 5xx), lets the request be carried out and then answers with that error
	// instead of the real answer: the client cannot tell whether its write happened (a lost answer).
	AfterStatus int `json:"after_status,omitempty"`
	// AfterLatency lets the request be carried out and then delays the answer (bounded by the request's context,
	// so a client that stops waiting gets no answer although the write happened).
	AfterLatency time.Duration `json:"after_latency,omitempty"`
	// AfterDrop lets the request be carried out and then closes the connection without any answer.
	AfterDrop bool `json:"after_drop,omitempty"`
	// Times limits how many requests the fault applies to; 0 means every request until cleared.
	Times int `json:"times,omitempty"`
}

// retryAfter is the Retry-After the fault's error answer carries: RetryAfter, one second when unset.
func (f *Fault) retryAfter() time.Duration {
	if f.RetryAfter == 0 {
		return time.Second
	}
	return f.RetryAfter
}

// before reports whether the fault acts before the request is handled; after, whether it acts once it was.
func (f *Fault) before() bool { return f.Status != 0 || f.Latency > 0 }
func (f *Fault) after() bool  { return f.AfterStatus != 0 || f.AfterLatency > 0 || f.AfterDrop }

// Hook sees every request that was carried out, before its answer leaves the sandbox; n counts the requests this
// router carried out (from 1, across routes, admin routes excluded). The answer waits until the hook returns, so a
// hook that stops the client makes the answer lost. Faulted requests (answered before being handled) are not seen.
type Hook func(n int, req Request)

// Request is one request as the sandbox received it (body decompressed).
type Request struct {
	Route  string      `json:"route"`
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query,omitempty"`
	Header http.Header `json:"-"`
	Body   []byte      `json:"body,omitempty"`
	Status int         `json:"status"`
	Time   time.Time   `json:"time"`
}

// Router is an http.Handler with fault injection and accounting.
type Router struct {
	mux      *http.ServeMux
	errorOut ErrorWriter

	mu        sync.Mutex
	faults    []*Fault
	counts    map[string]int
	requests  []Request
	maxLog    int
	hook      Hook
	handled   int
	adminOff  bool
	served    int      // answered below 400
	refused   int      // answered 400 or above (admin API switched off, unknown paths, authentication, errors)
	limit     *limiter // ratelimit.go; nil when off
	throttled int
}

// RouteUnmatched names, in the counters, requests no registered pattern matched.
const (
	RouteUnmatched = "(unmatched)"
)

// DefaultMaxLog is how many requests the request log keeps; later ones are counted but not logged.
const DefaultMaxLog = 100000

// New returns an empty router for one cloud.
func New(errorOut ErrorWriter) *Router {
	rt := &Router{mux: http.NewServeMux(), errorOut: errorOut, counts: map[string]int{}, maxLog: DefaultMaxLog}
	rt.admin("GET /__sandbox/counters", rt.adminCounters)
	rt.admin("GET /__sandbox/requests", rt.adminRequests)
	rt.admin("POST /__sandbox/faults", rt.adminAddFault)
	rt.admin("DELETE /__sandbox/faults", rt.adminClearFaults)
	return rt
}

// admin registers an admin-API route: counted like every route, and answered 404 the cloud's way while the admin
// API is switched off (a real tenant has no such path).
func (rt *Router) admin(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, rt.account(pattern, func(w http.ResponseWriter, r *http.Request) {
		rt.mu.Lock()
		off := rt.adminOff
		rt.mu.Unlock()
		if off {
			rt.errorOut(w, r, http.StatusNotFound, 0)
			return
		}
		h(w, r)
	}))
}

// SetAdmin switches the admin API under /__sandbox/ on (the default) or off. Off, the tenant looks like a real
// one from outside: fault injection and the request log are reachable only through the Go API.
func (rt *Router) SetAdmin(on bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.adminOff = !on
}

// Totals returns how many requests the router answered below 400 (served) and with 400 or above (refused),
// admin-API requests and unmatched paths included.
func (rt *Router) Totals() (served, refused int) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.served, rt.refused
}

// Handle registers h for pattern (Go 1.22 ServeMux syntax, method included).
func (rt *Router) Handle(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, rt.wrap(pattern, h))
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") && r.Body != nil {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			rt.errorOut(w, r, http.StatusBadRequest, 0)
			return
		}
		r.Body = io.NopCloser(zr)
		r.Header.Del("Content-Encoding")
		r.ContentLength = -1
	}
	if h, pattern := rt.mux.Handler(r); pattern == "" {
		// No route (net/http's 404 or 405): answered as before, and counted.
		rt.account(RouteUnmatched, h.ServeHTTP).ServeHTTP(w, r)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// keepBody reads r's body for the request log and gives the handler a copy to read.
func keepBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// account counts and logs every request to h under route, with its answer's status.
func (rt *Router) account(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := keepBody(r)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer rt.record(route, r, body, rec)
		h(rec, r)
	})
}

func (rt *Router) record(route string, r *http.Request, body []byte, rec *statusRecorder) Request {
	h, b := maskedRequest(r.Header, body) // mask.go: no credential reaches the log
	req := Request{
		Route: route, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: h, Body: b, Status: rec.status, Time: time.Now(),
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.counts[route]++
	if rec.status >= 400 {
		rt.refused++
	} else {
		rt.served++
	}
	if len(rt.requests) < rt.maxLog {
		rt.requests = append(rt.requests, req)
	}
	return req
}

// Inject adds a fault. Faults are checked in the order they were added.
func (rt *Router) Inject(f Fault) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if f.Route == "" {
		f.Route = "*"
	}
	rt.faults = append(rt.faults, &f)
}

// SetHook installs h (nil removes it) and restarts the count of carried-out requests it is given.
func (rt *Router) SetHook(h Hook) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.hook, rt.handled = h, 0
}

// ClearFaults removes every fault.
func (rt *Router) ClearFaults() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.faults = nil
}

// Count returns how many requests reached route (faulted ones included).
func (rt *Router) Count(route string) int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.counts[route]
}

// Counts returns a copy of every route's counter.
func (rt *Router) Counts() map[string]int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make(map[string]int, len(rt.counts))
	for k, v := range rt.counts {
		out[k] = v
	}
	return out
}

// Requests returns the logged requests for route ("" or "*" for all), oldest first.
func (rt *Router) Requests(route string) []Request {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var out []Request
	for _, r := range rt.requests {
		if route == "" || route == "*" || r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// ResetCounters clears the counters and the request log.
func (rt *Router) ResetCounters() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.counts = map[string]int{}
	rt.requests = nil
	rt.served, rt.refused, rt.throttled = 0, 0, 0
}

func (rt *Router) wrap(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := keepBody(r)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if lw, refused := rt.rateLimited(rec, r); refused {
			rt.record(route, r, body, rec)
			return
		} else if lw != rec {
			// The cloud's rate-limit headers go on the answer, over the handler's own (ratelimit.go).
			w = lw
			rec = &statusRecorder{ResponseWriter: lw, status: http.StatusOK}
		}
		f := rt.take(route)
		logged := false
		logIt := func() Request {
			logged = true
			return rt.record(route, r, body, rec)
		}
		defer func() {
			if !logged {
				logIt()
			}
		}()
		if f.Latency > 0 && !waitFor(r, f.Latency) {
			return
		}
		if f.Status != 0 {
			rt.errorOut(rec, r, f.Status, f.retryAfter())
			return
		}
		rt.mu.Lock()
		hook := rt.hook
		rt.mu.Unlock()
		if hook == nil && !f.after() {
			h(rec, r)
			return
		}

		// Carry the request out into a buffer, so that what the client gets can still be decided.
		buf := &bufferedAnswer{header: http.Header{}, status: http.StatusOK}
		h(buf, r)
		rec.status = buf.status
		if f.AfterStatus != 0 {
			rec.status = f.AfterStatus
		}
		req := logIt()
		if hook != nil {
			rt.mu.Lock()
			rt.handled++
			n := rt.handled
			rt.mu.Unlock()
			hook(n, req)
		}
		if f.AfterLatency > 0 && !waitFor(r, f.AfterLatency) {
			return
		}
		if f.AfterDrop {
			// The write happened; the client sees the connection end without an answer.
			panic(http.ErrAbortHandler)
		}
		if f.AfterStatus != 0 {
			rt.errorOut(w, r, f.AfterStatus, f.retryAfter())
			return
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// waitFor waits d, or less when the client goes away; it reports whether the whole wait passed.
func waitFor(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// bufferedAnswer is an http.ResponseWriter that keeps the answer in memory.
type bufferedAnswer struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }
func (b *bufferedAnswer) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}
func (b *bufferedAnswer) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}

// take returns the combined effect of the faults that apply to this request and uses up the Times of those
// applied: every latency, and the first (oldest) status fault. Later status faults wait for later requests.
func (rt *Router) take(route string) Fault {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var out Fault
	kept := rt.faults[:0]
	for _, f := range rt.faults {
		if f.Route != "*" && f.Route != route {
			kept = append(kept, f)
			continue
		}
		if (f.Status != 0 && out.Status != 0) || ((f.AfterStatus != 0 || f.AfterDrop) && (out.AfterStatus != 0 || out.AfterDrop)) {
			// An earlier fault already answers this request: this one is neither applied nor used up.
			kept = append(kept, f)
			continue
		}
		out.Latency = max(out.Latency, f.Latency)
		out.AfterLatency = max(out.AfterLatency, f.AfterLatency)
		if f.Status != 0 {
			out.Status, out.RetryAfter = f.Status, f.RetryAfter
		}
		if f.AfterStatus != 0 {
			out.AfterStatus = f.AfterStatus
			if out.RetryAfter == 0 {
				out.RetryAfter = f.RetryAfter
			}
		}
		out.AfterDrop = out.AfterDrop || f.AfterDrop
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				continue
			}
		}
		kept = append(kept, f)
	}
	rt.faults = kept
	if out.Status != 0 {
		// Answered before being handled: nothing is carried out, so no after-fault applies.
		out.AfterStatus, out.AfterLatency, out.AfterDrop = 0, 0, false
	}
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (rt *Router) adminCounters(w http.ResponseWriter, _ *http.Request) {
	counts := rt.Counts()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	type row struct {
		Route string `json:"route"`
		Count int    `json:"count"`
	}
	rows := make([]row, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, row{k, counts[k]})
	}
	WriteJSON(w, http.StatusOK, rows)
}

func (rt *Router) adminRequests(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, rt.Requests(r.URL.Query().Get("route")))
}

func (rt *Router) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !f.before() && !f.after() {
		http.Error(w, "a fault needs status, latency, after_status, after_latency or after_drop", http.StatusBadRequest)
		return
	}
	rt.Inject(f)
	w.WriteHeader(http.StatusNoContent)
}

func (rt *Router) adminClearFaults(w http.ResponseWriter, _ *http.Request) {
	rt.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

// WriteJSON writes v as JSON with the given status and `application/json; charset=utf-8`.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
