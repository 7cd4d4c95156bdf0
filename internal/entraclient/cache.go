package entraclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	khttp "github.com/microsoft/kiota-http-go"
	"golang.org/x/sync/singleflight"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/inflight"
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
//   - a GET that starts while a write of this process to the same object is in flight (the same service principal,
//     application or group, or a collection the object belongs to: related) waits for the write to end (or for its
//     own context), then looks in the cache. Its answer would be the state before or after the write depending on
//     timing; waiting makes it the state after, and makes the number of requests a command sends the same from run
//     to run (the request budgets count them: two attribute-mapping resources planned while the other writes the
//     same job's schema read it once or twice depending on the machine's load). Reads of other objects do not wait,
//     so the stacks of a fleet planned in one configuration do not hold each other up;
//   - the waits for replication (wait.go) and every caller that must see the current state pass Fresh(ctx).
//
// Changes made by someone else during one Terraform command are not seen twice in it; the next command (a new provider
// process) starts empty. Clients built for tests and tools have no cache (Config.CacheReads).
type readCache struct {
	graphHost string

	mu      sync.Mutex
	gen     uint64
	entries map[string]cachedAnswer
	// writing are the objects (objectOf) of the writes being sent.
	writing inflight.Writes
	// flight makes concurrent GETs of the same URL in the same generation one request (Terraform refreshes resources
	// in parallel, and several of them read the same job or schema): without it, both miss the cache and the count of
	// a plan's requests would depend on timing.
	flight singleflight.Group
}

// flightResult is what the GET that went out gives the GETs that waited for it: its answer when it was a 200.
type flightResult struct {
	answer cachedAnswer
	ok     bool
	resp   *http.Response // the answer itself when it was not a 200, for the request that sent it only
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
		obj := objectOf(req.URL.Path)
		rc.beginWrite(obj)
		defer rc.endWrite(obj)
		return p.Next(req, idx)
	}
	key := cacheKey(req)
	a, ok, gen, err := rc.lookup(req.Context(), key, objectOf(req.URL.Path))
	if err != nil {
		return nil, err
	}
	if isFresh(req.Context()) {
		fr, err := rc.fetch(p, idx, req, key, gen)
		return fr.result(req, err)
	}
	if ok {
		tflog.Trace(req.Context(), "Graph read answered from this run's cache", map[string]any{"path": req.URL.Path})
		return a.response(req), nil
	}
	// One request per URL and generation: a GET that joins one in flight takes its answer when it is a 200, and
	// otherwise (an error, a 404 a replication wait polls for) sends its own.
	led := false
	v, err, _ := rc.flight.Do(key+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		led = true
		// A flight of the same read may have ended, and stored its answer, between the look-up above and now.
		rc.mu.Lock()
		a, ok := rc.entries[key]
		same := rc.gen == gen
		rc.mu.Unlock()
		if ok && same {
			return flightResult{answer: a, ok: true}, nil
		}
		return rc.fetch(p, idx, req, key, gen)
	})
	fr, _ := v.(flightResult)
	if led {
		return fr.result(req, err)
	}
	if err == nil && fr.ok {
		tflog.Trace(req.Context(), "Graph read answered by a concurrent identical read", map[string]any{"path": req.URL.Path})
		return fr.answer.response(req), nil
	}
	fr, err = rc.fetch(p, idx, req, key, gen)
	return fr.result(req, err)
}

// fetch sends the GET and keeps a 200 answer, unless a write began since generation gen was read.
func (rc *readCache) fetch(p khttp.Pipeline, idx int, req *http.Request, key string, gen uint64) (flightResult, error) {
	resp, err := p.Next(req, idx)
	if err != nil || resp.StatusCode != http.StatusOK {
		return flightResult{resp: resp}, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return flightResult{}, err
	}
	a := cachedAnswer{header: resp.Header.Clone(), body: body, proto: resp.Proto}
	rc.mu.Lock()
	if gen == rc.gen {
		if rc.entries == nil {
			rc.entries = map[string]cachedAnswer{}
		}
		rc.entries[key] = a
	}
	rc.mu.Unlock()
	return flightResult{answer: a, ok: true}, nil
}

// result is the answer for the request that sent the GET.
func (fr flightResult) result(req *http.Request, err error) (*http.Response, error) {
	if err != nil || !fr.ok {
		return fr.resp, err
	}
	return fr.answer.response(req), nil
}

// lookup waits until no write to an object related to obj is in flight, then returns the cached answer for key, if
// any, and the generation.
func (rc *readCache) lookup(ctx context.Context, key, obj string) (cachedAnswer, bool, uint64, error) {
	if err := rc.writing.Wait(ctx, func(w string) bool { return related(w, obj) }); err != nil {
		return cachedAnswer{}, false, 0, err
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	a, ok := rc.entries[key]
	return a, ok, rc.gen, nil
}

func (rc *readCache) beginWrite(obj string) {
	rc.invalidate()
	rc.writing.Begin(obj)
}

func (rc *readCache) endWrite(obj string) {
	rc.invalidate()
	rc.writing.End(obj)
}

// objectOf is the object a Graph path names: its first three segments (version, collection, id), e.g.
// /v1.0/servicePrincipals/{id} for everything about one service principal and its synchronization job, or fewer for
// a collection (/v1.0/applications).
func objectOf(p string) string {
	segs := strings.SplitN(strings.Trim(p, "/"), "/", 4)
	if len(segs) > 3 {
		segs = segs[:3]
	}
	return strings.Join(segs, "/")
}

// related reports whether a write to one object may change what a read of the other answers: the same object, or
// one is the collection of the other.
func related(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
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
