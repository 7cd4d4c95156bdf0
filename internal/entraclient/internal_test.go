package entraclient

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

func TestRawObjectKeepsOrderAndBytes(t *testing.T) {
	in := `{"z":1,"a":{"y": [1, 2.50, "x"],  "b":null},"m":"<tag>"}`
	o, err := ParseRawObject([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.Keys(), ","); got != "z,a,m" {
		t.Fatalf("keys = %s", got)
	}
	a, _ := o.Get("a")
	if string(a) != `{"y": [1, 2.50, "x"],  "b":null}` {
		t.Fatalf("value bytes changed: %s", a)
	}
	o.Set("z", json.RawMessage(`2`))
	o.Set("new", json.RawMessage(`true`))
	o.Delete("m")
	if got := string(o.Bytes()); got != `{"z":2,"a":{"y": [1, 2.50, "x"],  "b":null},"new":true}` {
		t.Fatalf("Bytes() = %s", got)
	}
	if err := o.SetValue("html", "<a & b>"); err != nil {
		t.Fatal(err)
	}
	if v, _ := o.Get("html"); string(v) != `"<a & b>"` {
		t.Fatalf("HTML was escaped: %s", v)
	}
	for _, bad := range []string{`[]`, `{"a":1} {}`, `{"a":}`} {
		if _, err := ParseRawObject([]byte(bad)); err == nil {
			t.Errorf("ParseRawObject(%s) accepted", bad)
		}
	}
}

func TestUnwrapSyncMessage(t *testing.T) {
	cases := []struct{ code, msg, wantCode, wantMsg string }{
		{"UnknownError", `{"Message":"No HTTP resource was found"}`, "UnknownError", "No HTTP resource was found"},
		{"UnknownError", "{\r\n  \"error\":{\r\n    \"code\":\"InvalidNotificationSettings\",\"message\":null}}", "InvalidNotificationSettings", "InvalidNotificationSettings"},
		{"UnknownError", `{"error":{"code":"X","message":"y"}}`, "X", "y"},
		{"Request_BadRequest", "plain text", "Request_BadRequest", "plain text"},
		{"A", "{not json", "A", "{not json"},
	}
	for _, c := range cases {
		code, msg := unwrapSyncMessage(c.code, c.msg)
		if code != c.wantCode || msg != c.wantMsg {
			t.Errorf("unwrapSyncMessage(%q, %q) = %q, %q; want %q, %q", c.code, c.msg, code, msg, c.wantCode, c.wantMsg)
		}
	}
}

// An ODataError without error.message makes ODataError.Error() panic (microsoft-graph.md §7.3); wrapErr must not.
func TestWrapErrNeverPanicsOnThinODataError(t *testing.T) {
	thin := odataerrors.NewODataError()
	thin.ResponseStatusCode = 409
	main := odataerrors.NewMainError()
	code := "OnlyCode"
	main.SetCode(&code)
	withCode := odataerrors.NewODataError()
	withCode.ResponseStatusCode = 400
	withCode.SetErrorEscaped(main)

	for _, err := range []error{thin, withCode, errors.Join(errors.New("ctx"), thin)} {
		got := wrapErr("doing something", err)
		e := AsError(got)
		if e == nil {
			t.Fatalf("wrapErr returned %T", got)
		}
		_ = got.Error() // must not panic
		if e.StatusCode == 0 {
			t.Errorf("status lost: %v", got)
		}
	}
	if e := AsError(wrapErr("x", withCode)); e.Code != "OnlyCode" || !strings.Contains(e.Error(), "HTTP 400 OnlyCode") {
		t.Errorf("got %q", e.Error())
	}
	if e := AsError(wrapErr("x", thin)); !strings.Contains(e.Error(), "HTTP 409: Conflict") {
		t.Errorf("got %q", e.Error())
	}
}

func TestRetryDelay(t *testing.T) {
	mk := func(v string) *http.Response {
		h := http.Header{}
		if v != "" {
			h.Set("Retry-After", v)
		}
		return &http.Response{Header: h}
	}
	if d := retryDelay(mk("2"), 1); d != 2*time.Second {
		t.Errorf("Retry-After 2 → %s", d)
	}
	if d := retryDelay(mk("0.5"), 1); d != 500*time.Millisecond {
		t.Errorf("Retry-After 0.5 → %s (fractions must be kept)", d)
	}
	if d := retryDelay(mk(time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat)), 1); d < time.Second || d > 3*time.Second {
		t.Errorf("Retry-After date → %s", d)
	}
	if d := retryDelay(mk(""), 3); d < 4*time.Second || d > 5*time.Second {
		t.Errorf("third backoff → %s", d)
	}
	if d := retryDelay(mk(""), 20); d > maxBackoff {
		t.Errorf("backoff not capped: %s", d)
	}
}

func TestReplicationPredicates(t *testing.T) {
	nf := &Error{StatusCode: 404}
	ref := &Error{StatusCode: 400, Message: "Not a valid reference update."}
	bad := &Error{StatusCode: 400, Message: "Invalid value"}
	forbidden := &Error{StatusCode: 403}
	conflict := &Error{StatusCode: 409}
	if !whileReplicatingReference(nf, 0) || !whileReplicatingReference(ref, 0) || whileReplicatingReference(bad, 0) {
		t.Error("whileReplicatingReference")
	}
	if !whileSyncReplicating(conflict, 0) || !whileSyncReplicating(forbidden, time.Second) || whileSyncReplicating(forbidden, 2*forbiddenGrace) {
		t.Error("whileSyncReplicating")
	}
	if whileSyncTransient(nf, 0) || !whileSyncTransient(conflict, 0) {
		t.Error("whileSyncTransient")
	}
}

func TestGraphScopeAndHosts(t *testing.T) {
	for host, want := range map[string]string{
		"graph.microsoft.com":             "https://graph.microsoft.com/.default",
		"graph.microsoft.us":              "https://graph.microsoft.us/.default",
		"dod-graph.microsoft.us":          "https://dod-graph.microsoft.us/.default",
		"microsoftgraph.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn/.default",
		"127.0.0.1":                       "https://graph.microsoft.com/.default",
		"graph-proxy.example.com":         "https://graph.microsoft.com/.default",
	} {
		if got := GraphScope(host); got != want {
			t.Errorf("GraphScope(%s) = %s, want %s", host, got, want)
		}
	}
	hosts := allowedHosts("127.0.0.1")
	if hosts[len(hosts)-1] != "127.0.0.1" || len(allowedHosts("graph.microsoft.com")) != len(microsoftGraphHosts) {
		t.Errorf("allowedHosts = %v", hosts)
	}
	if cloudForGraph("https://graph.microsoft.us/v1.0").ActiveDirectoryAuthorityHost != "https://login.microsoftonline.us/" {
		t.Error("US Government Graph should pair with login.microsoftonline.us")
	}
	if audienceFor("https://login.microsoftonline.us/") != "api://AzureADTokenExchangeUSGov" || audienceFor("https://127.0.0.1:1/") != "api://AzureADTokenExchange" {
		t.Error("audienceFor")
	}
}

// POSTs that create something are retried on 429 only; everything else also on 503 and 504.
func TestNonIdempotentRequestsAreRetriedOnThrottlingOnly(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", true},
		{"POST", "/v1.0/servicePrincipals/x/appRoleAssignedTo", true},
		{"POST", "/v1.0/servicePrincipals/x/approleassignedto/", true},
		{"POST", "/v1.0/users/x/appRoleAssignments", true},
		{"POST", "/v1.0/servicePrincipals/x/synchronization/jobs", true},
		{"POST", "/v1.0/servicePrincipals/x/synchronization/jobs/scim.1.2/provisionOnDemand", true},
		{"POST", "/v1.0/applications", true},
		{"POST", "/v1.0/servicePrincipals", true},
		{"POST", "/v1.0/servicePrincipals/x/synchronization/jobs/scim.1.2/start", false},
		{"POST", "/v1.0/servicePrincipals/x/synchronization/jobs/scim.1.2/pause", false},
		{"POST", "/v1.0/servicePrincipals/x/synchronization/jobs/scim.1.2/validateCredentials", false},
		{"GET", "/v1.0/servicePrincipals/x/synchronization/jobs", false},
		{"GET", "/v1.0/servicePrincipals/x/appRoleAssignedTo", false},
		{"PUT", "/v1.0/servicePrincipals/x/synchronization/secrets", false},
		{"PATCH", "/v1.0/applications/x", false},
		{"DELETE", "/v1.0/servicePrincipals/x/appRoleAssignedTo/y", false},
	} {
		if got := nonIdempotent(c.method, c.path); got != c.want {
			t.Errorf("nonIdempotent(%s %s) = %t, want %t", c.method, c.path, got, c.want)
		}
	}
	for _, c := range []struct {
		code          int
		nonIdempotent bool
		want          bool
	}{
		{429, false, true}, {503, false, true}, {504, false, true}, {500, false, true}, {502, false, true},
		{400, false, false}, {404, false, false}, {409, false, false}, {501, false, false},
		{429, true, true}, {503, true, false}, {504, true, false}, {502, true, false}, {500, true, false},
	} {
		if got := retryableStatus(c.code, c.nonIdempotent); got != c.want {
			t.Errorf("retryableStatus(%d, nonIdempotent=%t) = %t", c.code, c.nonIdempotent, got)
		}
	}
}

// Both clients (login and Graph) share a transport that bounds the wait for response headers.
func TestTransportsHaveAResponseHeaderTimeout(t *testing.T) {
	headerTimeout := func(rt http.RoundTripper) time.Duration {
		t.Helper()
		tr, ok := rt.(*http.Transport)
		if !ok {
			t.Fatalf("got a %T, want an *http.Transport", rt)
		}
		return tr.ResponseHeaderTimeout
	}
	if got := headerTimeout(defaultTransport()); got != DefaultResponseHeaderTimeout || got <= 0 {
		t.Errorf("default transport ResponseHeaderTimeout = %s", got)
	}
	bare := &http.Transport{}
	if got := headerTimeout(withResponseHeaderTimeout(bare, 0)); got != DefaultResponseHeaderTimeout {
		t.Errorf("a transport without a timeout gets %s", got)
	}
	if bare.ResponseHeaderTimeout != 0 {
		t.Error("the caller's transport was changed")
	}
	if got := headerTimeout(withResponseHeaderTimeout(bare, time.Second)); got != time.Second {
		t.Errorf("configured timeout: %s", got)
	}
	own := &http.Transport{ResponseHeaderTimeout: 5 * time.Second}
	if withResponseHeaderTimeout(own, 0) != http.RoundTripper(own) {
		t.Error("a transport with its own timeout was replaced")
	}
}

// The Graph URL may be plain http only on loopback. The list must cover every host the provider's entra.graph_url
// check lets through (localhost and 127.0.0.1), or a URL accepted at plan would fail when the client is built.
func TestLoopbackHostsCoverTheProviders(t *testing.T) {
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "LocalHost"} {
		if !isLoopback(h) {
			t.Errorf("%s is not accepted as loopback", h)
		}
	}
	for _, h := range []string{"graph.microsoft.com", "127.0.0.2", "localhost.example.com", ""} {
		if isLoopback(h) {
			t.Errorf("%s is accepted as loopback", h)
		}
	}
	for _, u := range []string{"http://localhost:8080/v1.0", "http://127.0.0.1:8080/v1.0", "http://[::1]:8080/v1.0"} {
		if _, err := newClient(t.Context(), Config{TenantID: "00000000-0000-0000-0000-000000000000", ClientID: "00000000-0000-0000-0000-000000000000", ClientSecret: "x", GraphURL: u}, nil); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if _, err := newClient(t.Context(), Config{TenantID: "00000000-0000-0000-0000-000000000000", ClientID: "00000000-0000-0000-0000-000000000000", ClientSecret: "x", GraphURL: "http://graph.example.com/v1.0"}, nil); err == nil {
		t.Error("plain http to a remote host was accepted")
	}
}
