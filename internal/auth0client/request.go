package auth0client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxResponseBody bounds what is read from one answer.
const maxResponseBody = 8 << 20

// call sends one Management API request through go-auth0's client and decodes the answer into out (when not nil).
// in is encoded as JSON; a nil in sends no body at all (and no Content-Type), which is what Auth0 expects for a
// POST that should apply server defaults. op describes the call for error messages.
func (c *Client) call(ctx context.Context, op, method string, uri string, in, out any) error {
	if rejected := c.rejected.Load(); rejected != nil {
		// The credentials were rejected already: one exchange per run is enough to know, and one full report.
		e := *rejected
		e.Op, e.repeated = op, true
		return &e
	}
	var gen uint64
	switch {
	case c.cache == nil:
		if method == http.MethodGet && isCachedOnly(ctx) {
			return &Error{Op: op, Err: ErrNotCached}
		}
	case method == http.MethodGet:
		cached, ok, g, err := c.cache.get(ctx, uri)
		if err != nil {
			return &Error{Op: op, Err: err}
		}
		if ok {
			tflog.Trace(ctx, "Auth0 read answered from this run's cache", map[string]any{"op": op})
			return c.decode(op, cached.status, cached.body, out)
		}
		if isCachedOnly(ctx) {
			return &Error{Op: op, Err: ErrNotCached}
		}
		gen = g
	default:
		// Before the write, and again once it is over: a read sent meanwhile may carry the state before it.
		c.cache.begin(method, uri)
		status, body := 0, []byte(nil)
		defer func() { c.cache.end(method, uri, status, body) }()
		return c.send(ctx, op, method, uri, in, out, func(s int, b []byte) { status, body = s, b })
	}
	return c.send(ctx, op, method, uri, in, out, func(s int, b []byte) {
		if c.cache != nil && method == http.MethodGet {
			c.cache.put(uri, gen, s, b)
		}
	})
}

// send sends one request and hands the answer to seen (for the cache) before decoding it.
func (c *Client) send(ctx context.Context, op, method, uri string, in, out any, seen func(status int, body []byte)) error {
	req, err := c.Management.NewRequest(ctx, method, uri, in)
	if err != nil {
		return &Error{Op: op, Err: err}
	}
	resp, err := c.Management.Do(req)
	if err != nil {
		e := c.newTransportError(op, err)
		if e.credentials {
			c.rejected.CompareAndSwap(nil, e)
		}
		return e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return c.newTransportError(op, fmt.Errorf("reading the answer: %w", err))
	}
	seen(resp.StatusCode, body)
	return c.decode(op, resp.StatusCode, body, out)
}

// decode turns one answer into out or an error.
func (c *Client) decode(op string, status int, body []byte, out any) error {
	if status >= http.StatusBadRequest {
		return c.newAPIError(op, status, body)
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return &Error{Op: op, StatusCode: 0, Err: fmt.Errorf("Auth0 answered %d with a body that is not the expected JSON: %w", status, err)}
		}
	}
	return nil
}

// uri builds a Management API URL from path segments (each escaped).
func (c *Client) uri(segments ...string) string { return c.Management.URI(segments...) }
