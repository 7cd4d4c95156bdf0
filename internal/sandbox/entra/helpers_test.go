package entra

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/tlsca"
)

var (
	testCAOnce sync.Once
	testCA     *tlsca.CA
)

func sharedCA(t *testing.T) *tlsca.CA {
	t.Helper()
	testCAOnce.Do(func() {
		ca, err := tlsca.New()
		if err != nil {
			panic(err)
		}
		testCA = ca
	})
	return testCA
}

// tlsServer starts h over HTTPS with a certificate from the shared test CA.
func tlsServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	cfg, err := sharedCA(t).ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func caClient(t *testing.T) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: sharedCA(t).Pool(), MinVersion: tls.VersionTLS12},
	}}
}

const (
	testTenant = "7868462e-3eae-47bb-9d58-896e03ce6c43"
	testClient = "11111111-2222-4333-8444-555555555555"
	testSecret = "s3cret~value"
)

// tenant is a started sandbox tenant with a Graph client.
type tenant struct {
	t     *testing.T
	s     *Server
	url   string
	http  *http.Client
	token string
}

func newTenant(t *testing.T) *tenant {
	t.Helper()
	s := New(Config{TenantID: testTenant})
	t.Cleanup(s.Close)
	srv := tlsServer(t, s.Router())
	s.SetBaseURL(srv.URL)
	s.SetHTTPClient(caClient(t))
	s.AddClient(testClient, testSecret)
	s.GrantAppRoles(testClient, MinimumPermissions...)
	tn := &tenant{t: t, s: s, url: srv.URL, http: caClient(t)}
	tn.token = tn.getToken(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret},
		"scope": {graphDefaultScope},
	})
	return tn
}

func (tn *tenant) getToken(form url.Values) string {
	tn.t.Helper()
	st, body := tn.postForm("/"+testTenant+"/oauth2/v2.0/token", form)
	if st != http.StatusOK {
		tn.t.Fatalf("token: %d %v", st, body)
	}
	return sandboxtest.As[string](tn.t, body["access_token"])
}

func (tn *tenant) postForm(path string, form url.Values) (int, map[string]any) {
	tn.t.Helper()
	resp, err := tn.http.PostForm(tn.url+path, form)
	if err != nil {
		tn.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// response is one Graph answer.
type response struct {
	t      testing.TB
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r response) str(path ...string) string {
	v := dig(r.body, path...)
	s, _ := v.(string)
	return s
}

func (r response) errCode() string { return r.str("error", "code") }
func (r response) errMsg() string  { return r.str("error", "message") }

func (r response) list() []map[string]any {
	var out []map[string]any
	vs, _ := r.body["value"].([]any)
	for _, v := range vs {
		out = append(out, sandboxtest.As[map[string]any](r.t, v))
	}
	return out
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// call sends a Graph request with the tenant's token. body may be nil, a string, or anything JSON-encodable.
func (tn *tenant) call(method, path string, body any) response {
	tn.t.Helper()
	return tn.callWith(method, path, body, map[string]string{"Authorization": "Bearer " + tn.token})
}

func (tn *tenant) callWith(method, path string, body any, headers map[string]string) response {
	tn.t.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	case []byte:
		rdr = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tn.t.Fatal(err)
		}
		rdr = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, tn.url+path, rdr)
	if err != nil {
		tn.t.Fatal(err)
	}
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := tn.http.Do(req)
	if err != nil {
		tn.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{t: tn.t, status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r
}

func (tn *tenant) mustStatus(r response, want int) response {
	tn.t.Helper()
	if r.status != want {
		tn.t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	return r
}

// app is an instantiated non-gallery app with a job.
type app struct {
	appID, appObj, spID, jobID string
}

func (tn *tenant) instantiate(name string) app {
	tn.t.Helper()
	r := tn.mustStatus(tn.call("POST", "/v1.0/applicationTemplates/"+NonGalleryTemplateID+"/instantiate", map[string]any{"displayName": name}), 201)
	return app{appID: r.str("application", "appId"), appObj: r.str("application", "id"), spID: r.str("servicePrincipal", "id")}
}

func (tn *tenant) createJob(a *app) {
	tn.t.Helper()
	r := tn.mustStatus(tn.call("POST", "/v1.0/servicePrincipals/"+a.spID+"/synchronization/jobs", map[string]any{"templateId": "scim"}), 201)
	a.jobID = r.str("id")
}

func (tn *tenant) syncPath(a app, rest string) string {
	return "/v1.0/servicePrincipals/" + a.spID + "/synchronization" + rest
}

func (tn *tenant) jobPath(a app, rest string) string {
	return tn.syncPath(a, "/jobs/"+a.jobID+rest)
}

func (tn *tenant) putSecrets(a app, kv ...string) response {
	tn.t.Helper()
	var vals []map[string]string
	for i := 0; i+1 < len(kv); i += 2 {
		vals = append(vals, map[string]string{"key": kv[i], "value": kv[i+1]})
	}
	return tn.call("PUT", tn.syncPath(a, "/secrets"), map[string]any{"value": vals})
}

// ---- a fake SCIM 2.0 server (RFC 7644) ----

type scimRequest struct {
	Method, Path, Query string // Query: the filter parameter
	Excluded            string // the excludedAttributes parameter
	Body                map[string]any
}

type fakeSCIM struct {
	mu       sync.Mutex
	token    string
	users    map[string]map[string]any
	order    []string
	requests []scimRequest
	// failWith, when set, answers every request with this status.
	failWith int
	// ignoreFilter makes GET /Users return every user, whatever the filter.
	ignoreFilter bool
	nextID       int
	// groups: SCIM id → {displayName, externalId, members: set of values}.
	groups map[string]*fakeGroup
	// groupStatus, when set, answers every /Groups request with this status (e.g. 403 for a token without group scopes).
	groupStatus int
}

type fakeGroup struct {
	displayName, externalID string
	members                 map[string]bool
}

// serveGroups is a minimal /Groups: eq filter on displayName, GET by id, POST, PATCH of members and displayName, DELETE.
func (f *fakeSCIM) serveGroups(w http.ResponseWriter, r *http.Request, rest string, body map[string]any) {
	if f.groupStatus != 0 {
		scimErr(w, f.groupStatus, "Insufficient scope, expected any of: get:groups")
		return
	}
	if f.groups == nil {
		f.groups = map[string]*fakeGroup{}
	}
	render := func(id string, g *fakeGroup) map[string]any {
		return map[string]any{"schemas": []any{scimCoreGroup}, "id": id, "displayName": g.displayName, "externalId": g.externalID}
	}
	w.Header().Set("Content-Type", "application/scim+json")
	id, _ := url.PathUnescape(strings.TrimPrefix(rest, "/"))
	switch {
	case r.Method == "GET" && rest == "":
		_, val := parseTestFilter(r.URL.Query().Get("filter"))
		res := []any{}
		for gid, g := range f.groups {
			if g.displayName == val {
				res = append(res, render(gid, g))
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{scimListResponse}, "totalResults": len(res), "Resources": res})
	case r.Method == "GET" && f.groups[id] != nil:
		_ = json.NewEncoder(w).Encode(render(id, f.groups[id]))
	case r.Method == "POST" && rest == "":
		f.nextID++
		gid := fmt.Sprintf("grp_%d", f.nextID)
		g := &fakeGroup{members: map[string]bool{}}
		g.displayName, _ = body["displayName"].(string)
		g.externalID, _ = body["externalId"].(string)
		f.groups[gid] = g
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(render(gid, g))
	case r.Method == "PATCH" && f.groups[id] != nil:
		g := f.groups[id]
		ops, ok := patchOps(w, body)
		if !ok {
			return
		}
		for _, om := range ops {
			path, _ := om["path"].(string)
			switch {
			case path == "displayName":
				g.displayName, _ = om["value"].(string)
			case path == "members":
				vals, _ := om["value"].([]any)
				op, _ := om["op"].(string)
				for _, v := range vals {
					vm, _ := v.(map[string]any)
					m, _ := vm["value"].(string)
					g.members[m] = strings.EqualFold(op, "add")
					if !g.members[m] {
						delete(g.members, m)
					}
				}
			case strings.HasPrefix(path, "members[value eq "):
				_, v := parseTestFilter(strings.TrimSuffix(strings.TrimPrefix(path, "members["), "]"))
				delete(g.members, v)
			}
		}
		_ = json.NewEncoder(w).Encode(render(id, g))
	case r.Method == "DELETE" && f.groups[id] != nil:
		delete(f.groups, id)
		w.WriteHeader(204)
	default:
		scimErr(w, 404, "Group not found")
	}
}

const scimPrefix = "/scim/v2/connections/con_test"

func newFakeSCIM(t *testing.T, token string) (*fakeSCIM, string) {
	f := &fakeSCIM{token: token, users: map[string]map[string]any{}}
	srv := tlsServer(t, f)
	return f, srv.URL + scimPrefix
}

func (f *fakeSCIM) addUser(u map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("waad|entra-corp|user%d", f.nextID)
	u["id"] = id
	u["schemas"] = []any{scimCoreUser}
	f.users[id] = u
	f.order = append(f.order, id)
	return id
}

func (f *fakeSCIM) user(id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.users[id]
}

func (f *fakeSCIM) reqs(method string) []scimRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []scimRequest
	for _, r := range f.requests {
		if method == "" || r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// patchOps returns a SCIM PATCH body's Operations, each an object, or answers 400 and reports false.
func patchOps(w http.ResponseWriter, body map[string]any) ([]map[string]any, bool) {
	raw, _ := body["Operations"].([]any)
	ops := make([]map[string]any, 0, len(raw))
	for _, o := range raw {
		om, ok := o.(map[string]any)
		if !ok {
			scimErr(w, 400, "Operations: each operation must be an object")
			return nil, false
		}
		ops = append(ops, om)
	}
	return ops, true
}

func scimErr(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": fmt.Sprint(status), "detail": detail})
}

func (f *fakeSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.requests = append(f.requests, scimRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query().Get("filter"), Excluded: r.URL.Query().Get("excludedAttributes"), Body: body})
	if f.failWith != 0 {
		scimErr(w, f.failWith, "injected failure")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		scimErr(w, 401, "Invalid token")
		return
	}
	if grest, ok := strings.CutPrefix(r.URL.Path, scimPrefix+"/Groups"); ok {
		f.serveGroups(w, r, grest, body)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, scimPrefix+"/Users")
	if !ok {
		scimErr(w, 404, "Not found")
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	switch {
	case r.Method == "GET" && rest == "":
		attr, val := parseTestFilter(r.URL.Query().Get("filter"))
		res := []any{}
		for _, id := range f.order {
			u := f.users[id]
			if v, ok := getSCIMPath(u, parseSCIMPath(attr)); f.ignoreFilter || ok && strings.EqualFold(scimString(v), val) {
				res = append(res, u)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{scimListResponse}, "totalResults": len(res), "Resources": res, "startIndex": 1, "itemsPerPage": len(res)})
	case r.Method == "POST" && rest == "":
		f.nextID++
		id := fmt.Sprintf("waad|entra-corp|new%d", f.nextID)
		body["id"] = id
		f.users[id] = body
		f.order = append(f.order, id)
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(body)
	case r.Method == "PATCH" && strings.HasPrefix(rest, "/"):
		id, _ := url.PathUnescape(strings.TrimPrefix(rest, "/"))
		u := f.users[id]
		if u == nil {
			scimErr(w, 404, "User not found")
			return
		}
		ops, ok := patchOps(w, body)
		if !ok {
			return
		}
		for _, om := range ops {
			if p, ok := om["path"].(string); ok {
				setSCIMPath(u, parseSCIMPath(p), om["value"])
			} else if vm, ok := om["value"].(map[string]any); ok {
				for k, v := range vm {
					setSCIMPath(u, parseSCIMPath(k), v)
				}
			}
		}
		_ = json.NewEncoder(w).Encode(u)
	default:
		scimErr(w, 405, "unsupported")
	}
}

// parseTestFilter reads `attr eq "value"` (attr may contain a [..] filter).
func parseTestFilter(f string) (string, string) {
	i := strings.LastIndex(f, ` eq "`)
	if i < 0 {
		return "", ""
	}
	v := strings.TrimSuffix(f[i+5:], `"`)
	return f[:i], strings.ReplaceAll(v, `\"`, `"`)
}
