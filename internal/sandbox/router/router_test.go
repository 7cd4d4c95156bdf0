package router

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func newTestRouter() *Router {
	rt := New(func(w http.ResponseWriter, _ *http.Request, status int, retryAfter time.Duration) {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		WriteJSON(w, status, map[string]any{"status": status})
	})
	rt.Handle("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	rt.Handle("POST /things", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(b)
	})
	return rt
}

func do(rt http.Handler, method, target string, body io.Reader, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, req)
	return rec
}

func TestFaultsApplyPerRouteAndRunOut(t *testing.T) {
	rt := newTestRouter()
	rt.Inject(Fault{Route: "GET /things/{id}", Status: 429, RetryAfter: 2 * time.Second, Times: 2})
	for i, want := range []int{429, 429, 200} {
		rec := do(rt, "GET", "/things/a", nil, nil)
		if rec.Code != want {
			t.Fatalf("request %d: status %d, want %d", i, rec.Code, want)
		}
		if want == 429 && rec.Header().Get("Retry-After") != "2" {
			t.Errorf("Retry-After = %q", rec.Header().Get("Retry-After"))
		}
	}
	if rec := do(rt, "POST", "/things", bytes.NewBufferString("x"), nil); rec.Code != 201 {
		t.Errorf("other route affected: %d", rec.Code)
	}
	if got := rt.Count("GET /things/{id}"); got != 3 {
		t.Errorf("count = %d, want 3 (faulted requests count too)", got)
	}
	reqs := rt.Requests("GET /things/{id}")
	if len(reqs) != 3 || reqs[0].Status != 429 || reqs[2].Status != 200 || reqs[2].Path != "/things/a" {
		t.Errorf("request log: %+v", reqs)
	}
}

func TestStatusFaultsQueueInOrder(t *testing.T) {
	rt := newTestRouter()
	rt.Inject(Fault{Route: "GET /things/{id}", Status: 502, Times: 1})
	rt.Inject(Fault{Route: "*", Status: 429, Times: 1})
	rt.Inject(Fault{Route: "GET /things/{id}", Latency: time.Millisecond, Times: 2})
	for i, want := range []int{502, 429, 200} {
		if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != want {
			t.Fatalf("request %d: status %d, want %d", i, rec.Code, want)
		}
	}
}

func TestWildcardFaultAndClear(t *testing.T) {
	rt := newTestRouter()
	rt.Inject(Fault{Route: "*", Status: 503})
	if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != 503 {
		t.Fatalf("status %d", rec.Code)
	}
	rt.ClearFaults()
	if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != 200 {
		t.Fatalf("status %d after clearing", rec.Code)
	}
}

func TestLatencyIsBoundedByTheRequestContext(t *testing.T) {
	rt := newTestRouter()
	rt.Inject(Fault{Route: "GET /things/{id}", Latency: time.Hour})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	c := &http.Client{Timeout: 100 * time.Millisecond}
	start := time.Now()
	if _, err := c.Get(srv.URL + "/things/a"); err == nil {
		t.Fatal("want a timeout")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("latency fault ignored the client's deadline")
	}
}

func TestGzipBodiesAreDecompressedAndLogged(t *testing.T) {
	rt := newTestRouter()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(`{"a":1}`))
	_ = zw.Close()
	rec := do(rt, "POST", "/things", &buf, map[string]string{"Content-Encoding": "gzip"})
	if rec.Code != 201 || rec.Body.String() != `{"a":1}` {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
	if got := string(rt.Requests("POST /things")[0].Body); got != `{"a":1}` {
		t.Errorf("logged body %q", got)
	}
}

func TestAdminAPI(t *testing.T) {
	rt := newTestRouter()
	if rec := do(rt, "POST", "/__sandbox/faults", bytes.NewBufferString(`{"route":"GET /things/{id}","status":500,"times":1}`), nil); rec.Code != 204 {
		t.Fatalf("add fault: %d", rec.Code)
	}
	if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != 500 {
		t.Fatalf("fault from admin API not applied: %d", rec.Code)
	}
	rec := do(rt, "GET", "/__sandbox/counters", nil, nil)
	if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`{"route":"GET /things/{id}","count":1}`)) {
		t.Errorf("counters: %d %s", rec.Code, rec.Body.String())
	}
	// Admin calls are counted too (the counters answer was written before its own call was recorded).
	if got := rt.Count("GET /__sandbox/counters"); got != 1 {
		t.Errorf("admin calls counted %d times, want 1", got)
	}
}

// TestAdminAPIOff: with the admin API off the tenant answers its paths as unknown, and counts them as refused.
func TestAdminAPIOff(t *testing.T) {
	rt := newTestRouter()
	rt.SetAdmin(false)
	if rec := do(rt, "POST", "/__sandbox/faults", bytes.NewBufferString(`{"route":"*","status":500}`), nil); rec.Code != 404 {
		t.Fatalf("admin API off: add fault answered %d, want 404", rec.Code)
	}
	if rec := do(rt, "GET", "/things/a", nil, nil); rec.Code != 200 {
		t.Fatalf("a fault was injected through the switched-off admin API: %d", rec.Code)
	}
	if rec := do(rt, "GET", "/nowhere", nil, nil); rec.Code != 404 {
		t.Fatalf("unknown path: %d", rec.Code)
	}
	served, refused := rt.Totals()
	if served != 1 || refused != 2 {
		t.Errorf("totals: served %d refused %d, want 1 and 2", served, refused)
	}
	if rt.Count("POST /__sandbox/faults") != 1 || rt.Count(RouteUnmatched) != 1 {
		t.Errorf("counts: %v", rt.Counts())
	}
}

// BenchmarkRouter measures the sandbox's per-request overhead (routing, fault check, accounting).
func BenchmarkRouter(b *testing.B) {
	rt := newTestRouter()
	rt.maxLog = 0 // measure dispatch, not the log's growth
	req := httptest.NewRequest("GET", "/things/a", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, req)
	}
}

// newThingStore is a router whose POST /things really stores something, so a test can tell a carried-out request
// from one that was not.
func newThingStore() (*Router, *int) {
	rt := newTestRouter()
	stored := new(int)
	rt.Handle("POST /store", func(w http.ResponseWriter, _ *http.Request) {
		*stored++
		WriteJSON(w, http.StatusCreated, map[string]int{"n": *stored})
	})
	return rt, stored
}

func TestAfterStatusCarriesOutThenFails(t *testing.T) {
	rt, stored := newThingStore()
	rt.Inject(Fault{Route: "POST /store", AfterStatus: 503, Times: 1})
	if rec := do(rt, "POST", "/store", nil, nil); rec.Code != 503 {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	if *stored != 1 {
		t.Fatalf("stored = %d: an after_status fault must carry the request out", *stored)
	}
	if rec := do(rt, "POST", "/store", nil, nil); rec.Code != 201 || *stored != 2 {
		t.Fatalf("second request: %d, stored %d", rec.Code, *stored)
	}
	if reqs := rt.Requests("POST /store"); len(reqs) != 2 || reqs[0].Status != 503 || reqs[1].Status != 201 {
		t.Errorf("request log: %+v", reqs)
	}

	// A before-fault answers without carrying out, and takes precedence.
	rt.Inject(Fault{Route: "POST /store", Status: 500, Times: 1})
	rt.Inject(Fault{Route: "POST /store", AfterStatus: 502, Times: 1})
	if rec := do(rt, "POST", "/store", nil, nil); rec.Code != 500 || *stored != 2 {
		t.Fatalf("status fault: %d, stored %d", rec.Code, *stored)
	}
}

func TestAfterDropAndAfterLatencyCarryOut(t *testing.T) {
	rt, stored := newThingStore()
	srv := httptest.NewServer(rt)
	defer srv.Close()

	rt.Inject(Fault{Route: "POST /store", AfterDrop: true, Times: 1})
	resp, err := srv.Client().Post(srv.URL+"/store", "application/json", nil)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("after_drop: got an answer %d, want a dropped connection", resp.StatusCode)
	}
	if *stored != 1 {
		t.Fatalf("stored = %d after a dropped answer, want 1", *stored)
	}

	rt.Inject(Fault{Route: "POST /store", AfterLatency: 5 * time.Second, Times: 1})
	client := &http.Client{Timeout: 200 * time.Millisecond}
	start := time.Now()
	if resp, err := client.Post(srv.URL+"/store", "application/json", nil); err == nil {
		resp.Body.Close()
		t.Fatalf("after_latency: got an answer within the client's timeout")
	}
	if time.Since(start) > 3*time.Second || *stored != 2 {
		t.Fatalf("after_latency: waited %s, stored %d (want the write done and the client's wait ended)", time.Since(start), *stored)
	}
}

func TestHookSeesCarriedOutRequestsBeforeTheAnswer(t *testing.T) {
	rt, stored := newThingStore()
	var seen []int
	rt.SetHook(func(n int, req Request) {
		seen = append(seen, n)
		if req.Route == "POST /store" && *stored != n {
			t.Errorf("hook %d ran before the request was carried out (stored %d)", n, *stored)
		}
	})
	rt.Inject(Fault{Route: "POST /store", Status: 429, Times: 1}) // answered before handling: not seen
	for range 3 {
		do(rt, "POST", "/store", nil, nil)
	}
	if len(seen) != 2 || seen[0] != 1 || seen[1] != 2 {
		t.Errorf("hook saw %v, want [1 2]", seen)
	}
}

func TestAdminFaultAfterStatus(t *testing.T) {
	rt, stored := newThingStore()
	if rec := do(rt, "POST", "/__sandbox/faults", bytes.NewBufferString(`{"route":"POST /store","after_status":500,"times":1}`), nil); rec.Code != 204 {
		t.Fatalf("admin: %d %s", rec.Code, rec.Body)
	}
	if rec := do(rt, "POST", "/__sandbox/faults", bytes.NewBufferString(`{"route":"POST /store"}`), nil); rec.Code != 400 {
		t.Errorf("a fault that does nothing: %d, want 400", rec.Code)
	}
	if rec := do(rt, "POST", "/store", nil, nil); rec.Code != 500 || *stored != 1 {
		t.Fatalf("status %d stored %d", rec.Code, *stored)
	}
}
