package entraclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	khttp "github.com/microsoft/kiota-http-go"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// readCache is a Graph middleware that remembers the answers to GETs for the life of one provider process, so that
// the resources and data sources of one plan that read the same object (a service principal, its job, the job's
// schema) fetch it once (fleet budgets, README "Rate limits and fleets").
//
// Rules, so that a cached answer is never older than what this process itself wrote:
//   - only 200 answers to GETs for the Graph host are kept (never a 404: replication waits poll until one goes);
//   - every other request to the Graph host (a write, whatever its outcome — a lost answer may hide a write that
//     happened) empties the whole cache before it is sent and again once it is over, and a GET that was in flight
//     meanwhile is not stored (generation check);
//   - the waits for replication (wait.go) and every caller that must see the current state pass Fresh(ctx).
//
// Changes made by someone else during one Terraform command are not seen twice in it; the next command (a new provider
// process) starts empty. Clients built for tests and tools have no cache (Config.CacheReads).
type readCache struct {
	graphHost string

	mu      sync.Mutex
	gen     uint64
	entries map[string]cachedAnswer
}

type cachedAnswer struct {
	header http.Header
	body   []byte
	proto  string
}

type freshKey struct{}

// Fresh returns a context whose Graph reads bypass the client's read cache (and refresh it).
func Fresh(ctx context.Context) context.Context { return context.WithValue(ctx, freshKey{}, true) }

func isFresh(ctx context.Context) bool {
	v, _ := ctx.Value(freshKey{}).(bool)
	return v
}

// cacheKey is the URL and the headers that change Graph's answer.
func cacheKey(req *http.Request) string {
	return req.URL.String() + "\x00" + req.Header.Get("ConsistencyLevel") + "\x00" + req.Header.Get("Prefer")
}

// Intercept implements khttp.Middleware.
func (rc *readCache) Intercept(p khttp.Pipeline, idx int, req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Hostname(), rc.graphHost) {
		return p.Next(req, idx)
	}
	if req.Method != http.MethodGet {
		rc.invalidate()
		defer rc.invalidate()
		return p.Next(req, idx)
	}
	key := cacheKey(req)
	rc.mu.Lock()
	a, ok := rc.entries[key]
	gen := rc.gen
	rc.mu.Unlock()
	if ok && !isFresh(req.Context()) {
		tflog.Trace(req.Context(), "Graph read answered from this run's cache", map[string]any{"path": req.URL.Path})
		return a.response(req), nil
	}
	resp, err := p.Next(req, idx)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	a = cachedAnswer{header: resp.Header.Clone(), body: body, proto: resp.Proto}
	rc.mu.Lock()
	if gen == rc.gen {
		if rc.entries == nil {
			rc.entries = map[string]cachedAnswer{}
		}
		rc.entries[key] = a
	}
	rc.mu.Unlock()
	return a.response(req), nil
}

func (rc *readCache) invalidate() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.gen++
	rc.entries = nil
}

// response is a fresh *http.Response carrying the cached answer.
func (a cachedAnswer) response(req *http.Request) *http.Response {
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: a.proto, ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: req,
	}
}
