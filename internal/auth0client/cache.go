package auth0client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/inflight"
)

// readCache remembers the answers to Management API GETs for the life of one provider process, so that the
// resources and data sources of one plan that read the same object (a connection, its SCIM configuration, its
// default mapping, its tokens) fetch it once: a resource's Read, its ModifyPlan and a data source on the same
// connection share one request each (fleet budgets, README "Rate limits and fleets").
//
// Rules, so that a cached answer is never older than what this process itself wrote:
//   - only answers 200 and 404 are kept (a 404 is the normal "no SCIM configuration" probe); errors, 429 and 5xx
//     never are;
//   - every write (any method other than GET), whatever its outcome — a write whose answer was lost may have
//     happened — drops the entries it may change (affects) before it is sent and again once it is over, and a GET
//     that was in flight meanwhile is not stored when that write may have changed it (generation check);
//   - the answer to a successful PATCH of a connection or POST/PATCH of a SCIM configuration is the object as it now
//     is, the same JSON a GET returns (auth0-management-api.md §2, §8.4): it is kept as that GET's answer. A
//     token's creation answer holds the secret and is never kept;
//   - a GET that starts while a write of this process that may change its answer is in flight waits for the write
//     to end (or for its own context): its answer is then the state after the write, and the number of requests a
//     command sends does not depend on timing (the request budgets count them; Graph's cache does the same);
//   - a caller that must see the server's current state (a poll) passes Fresh(ctx).
//
// Changes made by someone else during the few seconds one Terraform command runs are not seen twice in it; the next
// command (a new provider process) starts empty. Clients built for tests and tools have no cache (Config.CacheReads).
type readCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]cachedAnswer
	// writes are the last writes, by generation, so that a read that raced one is not stored when that write may
	// have changed it, while reads of other objects (other connections of a fleet) still are.
	writes []cachedWrite
	// configured are the SCIM configurations (by URI) that a resource's state, planned without change in this
	// process, says exist; dropped by any write that may change them.
	configured map[string]configuredNote
	// writing are the URIs of the writes being sent.
	writing inflight.Writes
}

type cachedWrite struct {
	gen uint64
	uri string
}

// maxWrites bounds the writes remembered; a read older than all of them is not stored.
const maxWrites = 256

type cachedAnswer struct {
	status int
	body   []byte
}

type freshKey struct{}

// Fresh returns a context whose Management API reads bypass the client's read cache (and refresh it).
func Fresh(ctx context.Context) context.Context { return context.WithValue(ctx, freshKey{}, true) }

func isFresh(ctx context.Context) bool {
	v, _ := ctx.Value(freshKey{}).(bool)
	return v
}

type cachedOnlyKey struct{}

// CachedOnly returns a context whose Management API reads are answered from this process's read cache only: a read
// the cache cannot answer fails with ErrNotCached instead of being sent. For hints that must cost nothing, such as
// the group-scope warning of a no-change plan, which uses what the refresh of the same plan already read (and, with
// -refresh=false, reads nothing).
func CachedOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, cachedOnlyKey{}, true)
}

func isCachedOnly(ctx context.Context) bool {
	v, _ := ctx.Value(cachedOnlyKey{}).(bool)
	return v
}

// ErrNotCached is the error of a read made with CachedOnly that this process's cache cannot answer.
var ErrNotCached = errors.New("not in this run's read cache")

// get waits until no write in flight may change uri's answer, then returns the cached answer for uri, and the
// generation a request started now belongs to.
func (rc *readCache) get(ctx context.Context, uri string) (cachedAnswer, bool, uint64, error) {
	if err := rc.writing.Wait(ctx, func(w string) bool { return affects(w, uri) }); err != nil {
		return cachedAnswer{}, false, 0, err
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	a, ok := rc.entries[uri]
	if isFresh(ctx) {
		ok = false
	}
	return a, ok, rc.gen, nil
}

// begin records a write to uri as in flight and drops what it may change; call end with its outcome once it is over.
func (rc *readCache) begin(method, uri string) {
	rc.written(method, uri, 0, nil)
	rc.writing.Begin(uri)
}

// end records the outcome of a write begun with begin and wakes the reads that waited for it.
func (rc *readCache) end(method, uri string, status int, body []byte) {
	rc.written(method, uri, status, body)
	rc.writing.End(uri)
}

// put stores an answer read in generation gen, unless a write happened since.
func (rc *readCache) put(uri string, gen uint64, status int, body []byte) {
	if status != http.StatusOK && status != http.StatusNotFound {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if gen != rc.gen {
		if len(rc.writes) == 0 || rc.writes[0].gen > gen+1 {
			return // older than every write remembered: it may have raced any of them
		}
		for _, w := range rc.writes {
			if w.gen > gen && affects(w.uri, uri) {
				return
			}
		}
	}
	rc.store(uri, status, body)
}

func (rc *readCache) store(uri string, status int, body []byte) {
	if rc.entries == nil {
		rc.entries = map[string]cachedAnswer{}
	}
	rc.entries[uri] = cachedAnswer{status: status, body: append([]byte(nil), body...)}
}

// lookup returns a cached answer without starting a request (for answers derived from another one).
func (rc *readCache) lookup(uri string) (cachedAnswer, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	a, ok := rc.entries[uri]
	return a, ok
}

// written drops what a write to uri may change; after a successful write whose answer is the object (seedable),
// it keeps that answer as the object's GET.
func (rc *readCache) written(method, uri string, status int, body []byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.gen++
	rc.writes = append(rc.writes, cachedWrite{gen: rc.gen, uri: uri})
	if len(rc.writes) > maxWrites {
		rc.writes = rc.writes[len(rc.writes)-maxWrites:]
	}
	for k := range rc.entries {
		if affects(uri, k) && !patchLeaves(method, uri, k) {
			delete(rc.entries, k)
		}
	}
	if status >= 200 && status < 300 && seedable(method, uri) && len(body) > 0 {
		rc.store(uri, http.StatusOK, body)
	}
	if status == http.StatusCreated && method == http.MethodPost && strings.HasSuffix(uri, "/scim-configuration") {
		// A 201 to the configuration's POST proves that the connection had none (a second one is refused with 400
		// "already exists", auth0-management-api.md §6.3): the configuration is new and has no tokens yet
		// (auth0-management-api.md §5.4). The empty token list is the answer a GET would give now, so that the token
		// created next in the same run (auth0entra_scim_token) does not list them first.
		rc.store(uri+"/tokens", http.StatusOK, []byte("[]"))
	}
	for k := range rc.configured {
		if affects(uri, k) && !patchLeaves(method, uri, k) {
			delete(rc.configured, k)
		}
	}
}

// noteConfigured records what the state of a SCIM configuration resource says of it: a connection whose SCIM
// configuration exists, with that name and strategy (see Client.NoteSCIMConfigured).
func (rc *readCache) noteConfigured(uri string, n configuredNote) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.configured == nil {
		rc.configured = map[string]configuredNote{}
	}
	rc.configured[uri] = n
}

func (rc *readCache) notedConfigured(uri string) (configuredNote, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n, ok := rc.configured[uri]
	return n, ok
}

// configuredNote is what the state of auth0entra_scim_connection says of the connection.
type configuredNote struct{ connectionName, strategy string }

// affects reports whether a write to write may change what a GET of entry answers: the object itself, what lies
// below it (a connection's SCIM configuration and tokens), and the collections and objects above it (a token's list)
// — except the connection object, which writes to its SCIM configuration and tokens leave alone (its answer has no
// SCIM field: auth0-management-api.md §8.4), and the SCIM configuration, which writes to its tokens leave alone
// (auth0-management-api.md §5.5).
func affects(write, entry string) bool {
	write, entry = strings.TrimRight(write, "/"), strings.TrimRight(entry, "/")
	if under(entry, write) {
		return true
	}
	if !under(write, entry) {
		return false
	}
	below := write[len(entry):]
	switch {
	case isConnectionURI(entry):
		return !strings.HasPrefix(below, "/scim-configuration")
	case strings.HasSuffix(entry, "/scim-configuration"):
		return !strings.HasPrefix(below, "/tokens")
	}
	return true
}

// patchLeaves reports whether a write that affects entry leaves it alone after all: a PATCH of a connection object
// changes what lies below it (its SCIM configuration, the configuration's tokens, the default mapping) in nothing.
// Its body can change neither the connection's name nor its strategy, the only connection fields a SCIM
// configuration's answer repeats (auth0-management-api.md §3.1, §8.5).
func patchLeaves(method, write, entry string) bool {
	return method == http.MethodPatch && isConnectionURI(write) && strings.HasPrefix(entry, strings.TrimRight(write, "/")+"/")
}

// isConnectionURI reports whether uri names one connection: .../api/v2/connections/{id}.
func isConnectionURI(uri string) bool {
	i := strings.LastIndex(uri, "/connections/")
	return i >= 0 && !strings.Contains(uri[i+len("/connections/"):], "/")
}

// seedable reports whether a successful write's answer is what a GET of the same URI answers.
func seedable(method, uri string) bool {
	switch {
	case method == http.MethodPatch && isConnectionURI(uri):
		return true
	case (method == http.MethodPost || method == http.MethodPatch) && strings.HasSuffix(uri, "/scim-configuration"):
		return true
	}
	return false
}

// under reports whether uri is base or lies below it (path segments, not string prefixes: con_1 is not under con_12).
func under(uri, base string) bool {
	return uri == base || strings.HasPrefix(uri, base+"/") || strings.HasPrefix(uri, base+"?")
}
