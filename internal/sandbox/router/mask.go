package router

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Masking of secrets in the request log. The log (Requests and GET /__sandbox/requests) is for tests and people
// reading what a client sent; like the provider's own logs (tflog masks the SCIM token and client secrets), it
// never keeps a credential. Every masked value becomes Masked; the key or header stays so a reader still sees
// that a credential was sent and in which form.

// Masked replaces a secret value in the request log.
const Masked = "***"

// secretFormKeys are OAuth form parameters that carry credentials (RFC 6749, RFC 7523).
var secretFormKeys = []string{"client_secret", "client_assertion", "assertion", "password", "refresh_token", "code", "code_verifier"}

// secretJSONKeys are JSON keys whose string value is a credential wherever they appear: Auth0 connection and
// client secrets, SCIM tokens as Auth0 returns them, Graph password credentials.
var secretJSONKeys = []string{"client_secret", "token", "secretText", "password", "refresh_token", "access_token"}

// secretKVKeys are the `key` values of Graph synchronization secrets and validateCredentials credentials
// ({"key": "SecretToken", "value": "…"}) whose `value` is a credential.
var secretKVKeys = []string{"SecretToken", "Password", "ClientSecret", "AuthenticationToken"}

// maskHeader returns a copy of h with credentials masked: Authorization keeps its scheme.
func maskHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range []string{"Authorization", "Proxy-Authorization"} {
		vs := out.Values(k)
		for i, v := range vs {
			scheme, cred, found := strings.Cut(v, " ")
			switch {
			case !found:
				vs[i] = Masked
			default:
				vs[i] = scheme + " " + maskSecret(cred)
			}
		}
	}
	for _, k := range []string{"Cookie", "X-Api-Key"} {
		if out.Get(k) != "" {
			out.Set(k, Masked)
		}
	}
	return out
}

// maskBody masks credentials in a form or JSON body; other bodies are kept as sent.
func maskBody(h http.Header, body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case mt == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return []byte(Masked) // unreadable: keep nothing that might be a secret
		}
		changed := false
		for _, k := range secretFormKeys {
			if v.Has(k) {
				v.Set(k, Masked)
				changed = true
			}
		}
		if !changed {
			return body
		}
		return []byte(v.Encode())
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return body
		}
		if !maskJSON(doc) {
			return body
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return []byte(Masked)
		}
		return b
	}
	return body
}

// maskJSON masks credentials in place and reports whether it changed anything.
func maskJSON(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		if k, ok := t["key"].(string); ok && containsFold(secretKVKeys, k) {
			if s, ok := t["value"].(string); ok && s != "" {
				t["value"] = maskSecret(s)
				changed = true
			}
		}
		for k, val := range t {
			if s, ok := val.(string); ok && s != "" && containsFold(secretJSONKeys, k) {
				t[k] = maskSecret(s)
				changed = true
				continue
			}
			if maskJSON(val) {
				changed = true
			}
		}
	case []any:
		for _, e := range t {
			if maskJSON(e) {
				changed = true
			}
		}
	}
	return changed
}

// maskSecret masks one credential. An Auth0 SCIM token is tok_<token_id>.<secret>; its token_id is public (the
// Management API lists it), so the log keeps it wherever the token appears (a bearer header, Graph's SecretToken, a
// Management API answer) and tests can tell which token a request carried.
func maskSecret(s string) string {
	if id, _, ok := strings.Cut(s, "."); ok && strings.HasPrefix(s, "tok_") {
		return id + "." + Masked
	}
	return Masked
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// maskedRequest is what the log keeps of a request: header and body with credentials masked.
func maskedRequest(h http.Header, body []byte) (http.Header, []byte) {
	return maskHeader(h), maskBody(h, body)
}
