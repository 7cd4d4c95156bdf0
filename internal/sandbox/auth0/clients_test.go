package auth0_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// clientScopes are the scopes the official provider's client, grant and enabled-clients calls need.
var clientScopes = append(append([]string(nil), allScopes...),
	"read:clients", "create:clients", "update:clients", "delete:clients",
	"read:client_grants", "create:client_grants", "update:client_grants", "delete:client_grants")

// condensedExchange is one line pair of testdata/recordings/official-provider-clients.txt.
type condensedExchange struct {
	method, path, body string
	code               int
	resp               string
}

func readCondensed(t *testing.T, name string) []condensedExchange {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "recordings", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []condensedExchange
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "> {"), strings.HasPrefix(line, "> ["):
			out[len(out)-1].body = line[2:]
		case strings.HasPrefix(line, "> "):
			m, p, _ := strings.Cut(line[2:], " ")
			out = append(out, condensedExchange{method: m, path: p})
		case strings.HasPrefix(line, "< "):
			code, rest, _ := strings.Cut(line[2:], " ")
			out[len(out)-1].code, _ = strconv.Atoi(code)
			out[len(out)-1].resp = rest
		}
	}
	return out
}

// idPattern matches the ids the recordings carry: client ids (32 alphanumerics), grants and connections.
var idPattern = regexp.MustCompile(`\b(cgr_[A-Za-z0-9]{16}|con_[A-Za-z0-9]{16}|[A-Za-z0-9]{32})\b`)

// TestOfficialProviderClientRecordings replays the official provider's client, client-grant and enabled-clients
// traffic: same statuses, same keys in every answer, same values except ids and secrets.
func TestOfficialProviderClientRecordings(t *testing.T) {
	tn := newTenant(t, "sandbox")
	tn.token = tn.IssueToken(clientScopes)
	ids := map[string]string{"con_gLWAc96nNHMZ5Qrc": tn.mustCreateConnection(t, waadConnectionBody)}
	rewrite := func(s string) string {
		return idPattern.ReplaceAllStringFunc(s, func(id string) string {
			if v, ok := ids[id]; ok {
				return v
			}
			return id
		})
	}
	for i, ex := range readCondensed(t, "official-provider-clients.txt") {
		name := fmt.Sprintf("#%d %s %s", i, ex.method, ex.path)
		r := tn.call(t, ex.method, rewrite(ex.path), rewrite(ex.body), nil)
		if r.status != ex.code {
			t.Fatalf("%s: status %d, recorded %d: %s", name, r.status, ex.code, r.body)
		}
		if ex.resp == "" {
			if len(r.body) != 0 {
				t.Errorf("%s: body %s, recorded none", name, r.body)
			}
			continue
		}
		var want, got any
		if err := json.Unmarshal([]byte(ex.resp), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatalf("%s: %s", name, r.body)
		}
		learnIDs(want, got, ids)
		if diff := shapeDiff("", want, got, ids); diff != "" {
			t.Errorf("%s: %s\nrecorded %s\nsandbox  %s", name, diff, ex.resp, r.body)
		}
	}
}

// learnIDs maps recorded ids to the sandbox's from the id-bearing keys of an answer.
func learnIDs(want, got any, ids map[string]string) {
	w, ok1 := want.(map[string]any)
	g, ok2 := got.(map[string]any)
	if !ok1 || !ok2 {
		return
	}
	for _, k := range []string{"id", "client_id"} {
		ws, _ := w[k].(string)
		gs, _ := g[k].(string)
		if ws != "" && gs != "" {
			if _, known := ids[ws]; !known {
				ids[ws] = gs
			}
		}
	}
}

// shapeDiff compares a recorded answer with the sandbox's: same keys, same types, same values except secrets and
// ids (compared through the id map) and signing keys.
func shapeDiff(path string, want, got any, ids map[string]string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path + ": not an object"
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				return path + "." + k + ": missing"
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return path + "." + k + ": not in the recording"
			}
		}
		for k, wv := range w {
			switch k {
			case "client_secret", "signing_keys":
				continue
			}
			if d := shapeDiff(path+"."+k, wv, g[k], ids); d != "" {
				return d
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: %v, recorded %v", path, got, want)
		}
		for i := range w {
			if d := shapeDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], ids); d != "" {
				return d
			}
		}
	case string:
		if v, ok := ids[w]; ok {
			w = v
		}
		if got != w {
			return fmt.Sprintf("%s: %v, recorded %v", path, got, want)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s: %v, recorded %v", path, got, want)
		}
	}
	return ""
}

// TestConnectionCheckpointPaging pages connections and a connection's enabled clients with take/from → next, as
// the official provider's data "auth0_connection" does.
func TestConnectionCheckpointPaging(t *testing.T) {
	tn := newTenant(t, "sandbox")
	tn.token = tn.IssueToken(clientScopes)
	var conns []string
	for i := range 5 {
		conns = append(conns, tn.mustCreateConnection(t, fmt.Sprintf(`{"name":"db-%d","strategy":"auth0"}`, i)))
	}
	var seen []string
	from := ""
	pages := 0
	for {
		q := "/api/v2/connections?include_totals=true&per_page=50&take=2"
		if from != "" {
			q += "&from=" + from
		}
		r := tn.call(t, "GET", q, "", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		m := r.json(t)
		if _, ok := m["total"]; ok {
			t.Fatalf("checkpoint answer carries total: %s", r.body)
		}
		for _, c := range sandboxtest.As[[]any](t, m["connections"]) {
			seen = append(seen, sandboxtest.As[string](t, sandboxtest.As[map[string]any](t, c)["id"]))
		}
		pages++
		next, _ := m["next"].(string)
		if next == "" {
			break
		}
		from = next
	}
	if pages != 3 || !reflect.DeepEqual(seen, conns) {
		t.Fatalf("paged %d times through %v, want 3 pages of %v", pages, seen, conns)
	}
	if r := tn.call(t, "GET", "/api/v2/connections?take=0", "", nil); r.status != 400 {
		t.Fatalf("take=0: %d", r.status)
	}
	// Without take/from the offset shape stays.
	if m := tn.call(t, "GET", "/api/v2/connections?include_totals=true&per_page=50", "", nil).json(t); m["total"] != float64(5) {
		t.Fatalf("offset paging: %v", m)
	}

	// Enabled clients page the same way.
	var body []string
	for i := range 3 {
		body = append(body, fmt.Sprintf(`{"client_id":"client%027d","status":true}`, i))
	}
	if r := tn.call(t, "PATCH", "/api/v2/connections/"+conns[0]+"/clients", "["+strings.Join(body, ",")+"]", nil); r.status != 204 {
		t.Fatalf("patch clients: %d %s", r.status, r.body)
	}
	m := tn.call(t, "GET", "/api/v2/connections/"+conns[0]+"/clients?take=2", "", nil).json(t)
	if len(sandboxtest.As[[]any](t, m["clients"])) != 2 || m["next"] == nil {
		t.Fatalf("first page: %v", m)
	}
	m = tn.call(t, "GET", "/api/v2/connections/"+conns[0]+"/clients?take=2&from="+sandboxtest.As[string](t, m["next"]), "", nil).json(t)
	if cl := sandboxtest.As[[]any](t, m["clients"]); len(cl) != 1 || m["next"] != nil {
		t.Fatalf("last page: %v", m)
	}
	conn := tn.call(t, "GET", "/api/v2/connections/"+conns[0], "", nil).json(t)
	if ec, _ := conn["enabled_clients"].([]any); len(ec) != 3 {
		t.Fatalf("enabled_clients after PATCH /clients: %v", conn["enabled_clients"])
	}
	if r := tn.call(t, "GET", "/api/v2/connections/con_0000000000000000/clients", "", nil); r.status != 404 {
		t.Fatalf("clients of an unknown connection: %d", r.status)
	}
}

func TestClientGrantRules(t *testing.T) {
	tn := newTenant(t, "sandbox")
	tn.token = tn.IssueToken(clientScopes)
	c := tn.call(t, "POST", "/api/v2/clients", `{"name":"m2m","app_type":"non_interactive"}`, nil).json(t)
	id := sandboxtest.As[string](t, c["client_id"])
	aud := `"https://` + tn.Domain() + `/api/v2/"`
	if r := tn.call(t, "POST", "/api/v2/client-grants", `{"client_id":"`+id+`","audience":`+aud+`,"scope":["read:users"]}`, nil); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := tn.call(t, "POST", "/api/v2/client-grants", `{"client_id":"`+id+`","audience":`+aud+`,"scope":[]}`, nil); r.status != 409 {
		t.Fatalf("duplicate: %d %s", r.status, r.body)
	}
	if r := tn.call(t, "POST", "/api/v2/client-grants", `{"client_id":"nobody","audience":`+aud+`}`, nil); r.status != 404 {
		t.Fatalf("unknown client: %d %s", r.status, r.body)
	}
	if r := tn.call(t, "POST", "/api/v2/client-grants", `{"client_id":"`+id+`"}`, nil); r.status != 400 {
		t.Fatalf("no audience: %d %s", r.status, r.body)
	}
	// Deleting the client takes its grants along.
	if r := tn.call(t, "DELETE", "/api/v2/clients/"+id, "", nil); r.status != 204 {
		t.Fatalf("delete client: %d", r.status)
	}
	if m := tn.call(t, "GET", "/api/v2/client-grants?include_totals=true", "", nil).json(t); m["total"] != float64(0) {
		t.Fatalf("grants after the client went: %v", m)
	}
	if r := tn.call(t, "GET", "/api/v2/clients/"+id, "", nil); r.status != 404 || !strings.Contains(string(r.body), "inexistent_client") {
		t.Fatalf("deleted client: %d %s", r.status, r.body)
	}
	// Scopes are checked.
	tn.token = tn.IssueToken(allScopes)
	if r := tn.call(t, "GET", "/api/v2/clients", "", nil); r.status != 403 {
		t.Fatalf("without read:clients: %d", r.status)
	}
}
