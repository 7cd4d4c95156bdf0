package router

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRequestLogMasksSecrets sends the credential-carrying requests the sandbox sees (token requests with a client
// secret or assertion, bearer tokens, connection options with a client secret, Graph synchronization secrets,
// Auth0 SCIM tokens) and checks that neither the Go API nor the admin API gives a secret back, while the rest of
// each request stays readable.
func TestRequestLogMasksSecrets(t *testing.T) {
	const (
		clientSecret = "cs-Zq8~verysecret"
		assertion    = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJl"
		bearer       = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJncmFwaCJ9.bearer-signature"
		scimToken    = "eyJhbGciOiJSUzI1NiJ9.scim-token-value.sig"
		optsSecret   = "waad-app-secret-123"
	)
	secrets := []string{clientSecret, assertion, bearer, scimToken, optsSecret}

	rt := New(func(w http.ResponseWriter, _ *http.Request, status int, _ time.Duration) { w.WriteHeader(status) })
	echo := func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body); w.WriteHeader(200) }
	for _, p := range []string{"POST /token", "POST /oauth/token", "PATCH /api/v2/connections/{id}", "PUT /secrets", "POST /api/v2/tokens", "POST /plain"} {
		rt.Handle(p, echo)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	jsonCT := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + bearer}
	do(rt, "POST", "/token", strings.NewReader("grant_type=client_credentials&client_id=app&client_secret="+clientSecret+"&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"), form)
	do(rt, "POST", "/token", strings.NewReader("grant_type=client_credentials&client_id=app&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="+assertion), form)
	do(rt, "POST", "/oauth/token", strings.NewReader(`{"grant_type":"client_credentials","client_id":"m2m","client_secret":"`+clientSecret+`","audience":"https://t/api/v2/"}`), map[string]string{"Content-Type": "application/json", "Authorization": "Basic " + "bTJtOmNzLVpxOH52ZXJ5c2VjcmV0"})
	do(rt, "PATCH", "/api/v2/connections/con_1", strings.NewReader(`{"options":{"client_id":"123","client_secret":"`+optsSecret+`","userid_attribute":"sub"}}`), jsonCT)
	do(rt, "PUT", "/secrets", strings.NewReader(`{"value":[{"key":"BaseAddress","value":"https://t/scim"},{"key":"SecretToken","value":"`+scimToken+`"}]}`), jsonCT)
	do(rt, "POST", "/api/v2/tokens", strings.NewReader(`{"token":"`+scimToken+`","token_id":"tok_1"}`), jsonCT)
	do(rt, "POST", "/plain", strings.NewReader(`{"a": 1, "b":"keep me"}`), map[string]string{"Content-Type": "application/json"})

	reqs := rt.Requests("")
	if len(reqs) != 7 {
		t.Fatalf("%d requests logged", len(reqs))
	}
	for _, r := range reqs {
		for _, sec := range secrets {
			if strings.Contains(string(r.Body), sec) || strings.Contains(strings.Join(r.Header.Values("Authorization"), " "), sec) {
				t.Errorf("%s %s: secret %q in the log: body %s header %v", r.Method, r.Path, sec, r.Body, r.Header)
			}
		}
	}
	// What is not secret stays: the scheme, the keys, the other values, a body without secrets byte for byte.
	checks := []struct {
		i    int
		want string
	}{
		{0, "client_secret=" + strings.ReplaceAll(Masked, "*", "%2A")},
		{0, "client_id=app"},
		{1, "client_assertion=%2A%2A%2A"},
		{2, `"client_secret":"***"`},
		{2, `"client_id":"m2m"`},
		{3, `"userid_attribute":"sub"`},
		{4, `{"key":"SecretToken","value":"***"}`},
		{4, `"value":"https://t/scim"`},
		{5, `"token":"***"`},
		{6, `{"a": 1, "b":"keep me"}`},
	}
	for _, c := range checks {
		if !strings.Contains(string(reqs[c.i].Body), c.want) {
			t.Errorf("request %d body %s lacks %s", c.i, reqs[c.i].Body, c.want)
		}
	}
	if got := reqs[3].Header.Get("Authorization"); got != "Bearer ***" {
		t.Errorf("Authorization logged as %q", got)
	}
	if got := reqs[2].Header.Get("Authorization"); got != "Basic ***" {
		t.Errorf("Basic credentials logged as %q", got)
	}
	// A SCIM token keeps its public token id.
	do(rt, "POST", "/plain", nil, map[string]string{"Authorization": "Bearer tok_cw8iYTPrN6Fzb6xi.45a7b7f223a42d06a00efebcf515831701a8d10d4e6f2775fb1bb8c1be406205"})
	if got := rt.Requests("POST /plain")[1].Header.Get("Authorization"); got != "Bearer tok_cw8iYTPrN6Fzb6xi.***" {
		t.Errorf("SCIM token logged as %q", got)
	}

	// The admin API serves the same masked log.
	rec := do(rt, "GET", "/__sandbox/requests", nil, nil)
	for _, sec := range secrets {
		if strings.Contains(rec.Body.String(), sec) {
			t.Errorf("admin API shows %q", sec)
		}
	}
}
