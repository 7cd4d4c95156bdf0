package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The SCIM 2.0 client the provisioning engine talks to the tenant URL with (RFC 7644): bearer token from
// SecretToken, application/scim+json, RFC 7644 §3.12 error details kept for messages.

type scimClient struct {
	hc    *http.Client
	base  string // tenant URL without query or trailing slash
	token string
}

// scimFailure is a SCIM request that did not succeed: a transport error (status 0) or a non-2xx answer.
type scimFailure struct {
	method, path string
	status       int
	detail       string
	err          error
}

// credential reports a failure that means the credentials are wrong: 401 or 403.
func (f *scimFailure) credential() bool {
	return f.status == http.StatusUnauthorized || f.status == http.StatusForbidden
}

func (f *scimFailure) Error() string {
	if f.status == 0 {
		return fmt.Sprintf("The SCIM endpoint could not be reached (%s %s): %v", f.method, f.path, f.err)
	}
	msg := fmt.Sprintf("We received this unexpected response from your application: An HTTP/%d %s response was returned to %s %s.",
		f.status, http.StatusText(f.status), f.method, f.path)
	if f.detail != "" {
		msg += " SCIM error detail: " + f.detail
	}
	return msg
}

// parseTenantURL validates a BaseAddress: an absolute https URL. The query holds Entra feature flags and is not
// sent to the SCIM server; aadOptscim062020 switches on RFC 7644-compliant PATCH requests unless AzureAdScimPatch2017
// opts out (microsoft-graph.md §6).
func parseTenantURL(raw string) (base string, rfc bool, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", false, false
	}
	optOut := false
	for _, f := range strings.Split(u.RawQuery, "&") {
		name, _, _ := strings.Cut(f, "=")
		switch {
		case strings.EqualFold(name, "aadOptscim062020"):
			rfc = true
		case strings.EqualFold(name, "AzureAdScimPatch2017"):
			optOut = true
		}
	}
	u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
	return strings.TrimRight(u.String(), "/"), rfc && !optOut, true
}

func (c *scimClient) do(ctx context.Context, method, rel string, q url.Values, body any) (map[string]any, *scimFailure) {
	target := c.base + rel
	shown := rel
	if len(q) > 0 {
		target += "?" + q.Encode()
		if f := q.Get("filter"); f != "" {
			shown = rel + "?filter=" + f
		}
	}
	var rdr io.Reader
	if body != nil {
		b, err := marshalJSON(body)
		if err != nil {
			return nil, &scimFailure{method: method, path: shown, err: err}
		}
		rdr = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rdr)
	if err != nil {
		return nil, &scimFailure{method: method, path: shown, err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &scimFailure{method: method, path: shown, err: err}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &scimFailure{method: method, path: shown, status: resp.StatusCode, detail: scimErrorDetail(data)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, &scimFailure{method: method, path: shown, status: resp.StatusCode, detail: "the response is not a JSON object: " + truncate(string(data), 200)}
	}
	return m, nil
}

// scimErrorDetail extracts `detail` from an RFC 7644 §3.12 error body, or a prefix of the raw body.
func scimErrorDetail(data []byte) string {
	var e struct {
		Detail   string `json:"detail"`
		ScimType string `json:"scimType"`
		Message  string `json:"message"`
	}
	if json.Unmarshal(data, &e) == nil {
		switch {
		case e.Detail != "" && e.ScimType != "":
			return e.Detail + " (scimType " + e.ScimType + ")"
		case e.Detail != "":
			return e.Detail
		case e.Message != "":
			return e.Message
		}
	}
	return truncate(strings.TrimSpace(string(data)), 300)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func scimFilter(attr, value string) url.Values {
	v := strings.ReplaceAll(strings.ReplaceAll(value, `\`, `\\`), `"`, `\"`)
	return url.Values{"filter": {fmt.Sprintf(`%s eq "%s"`, attr, v)}}
}

// findUsers runs GET /Users?filter=<attr> eq "<value>" and returns the resources of the ListResponse.
func (c *scimClient) findUsers(ctx context.Context, attr, value string) ([]map[string]any, *scimFailure) {
	q := scimFilter(attr, value)
	body, f := c.do(ctx, http.MethodGet, "/Users", q, nil)
	if f != nil {
		return nil, f
	}
	var out []map[string]any
	res, _ := getFold(body, "Resources")
	list, _ := res.([]any)
	for _, r := range list {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}
