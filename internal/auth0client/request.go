package auth0client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
	if resp.StatusCode >= http.StatusBadRequest {
		return c.newAPIError(op, resp.StatusCode, body)
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return &Error{Op: op, StatusCode: 0, Err: fmt.Errorf("Auth0 answered %d with a body that is not the expected JSON: %w", resp.StatusCode, err)}
		}
	}
	return nil
}

// uri builds a Management API URL from path segments (each escaped).
func (c *Client) uri(segments ...string) string { return c.Management.URI(segments...) }
