package auth0client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Connection is the part of an Auth0 connection the provider reads. Options are kept as raw JSON so that a
// read-modify-write sends every option back exactly as Auth0 returned it.
type Connection struct {
	ID       string                     `json:"id"`
	Name     string                     `json:"name"`
	Strategy string                     `json:"strategy"`
	Options  map[string]json.RawMessage `json:"options"`
}

// Option names of a `waad` (Microsoft Azure AD) connection that SCIM depends on.
const (
	// OptionUserIDAttribute is "User ID Attribute Type": "oid" or "sub" (Auth0 treats a missing key as "sub").
	OptionUserIDAttribute = "userid_attribute"
	// OptionUseCommonEndpoint is "Use Common Endpoint"; SCIM cannot be enabled while it is true.
	OptionUseCommonEndpoint = "useCommonEndpoint"
	// OptionCommonEndpointEcho is a read-only echo of useCommonEndpoint that Auth0 adds to GET answers.
	OptionCommonEndpointEcho = "waad_common_endpoint"
	// OptionSetUserRootAttributes is "Sync user profile attributes at each login": on_each_login (for waad
	// connections written by leaving the key out), on_first_login or never_on_login.
	OptionSetUserRootAttributes = "set_user_root_attributes"
)

// readOnlyOptions are echoed by GET but set by the server; they are not sent back in a PATCH.
var readOnlyOptions = []string{OptionCommonEndpointEcho}

// OptionString returns a string option and whether it is present (and a string).
func (c *Connection) OptionString(key string) (string, bool) {
	raw, ok := c.Options[key]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// OptionBool returns a boolean option and whether it is present (and a boolean).
func (c *Connection) OptionBool(key string) (bool, bool) {
	raw, ok := c.Options[key]
	if !ok {
		return false, false
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		return false, false
	}
	return b, true
}

// GetConnection reads a connection (GET /api/v2/connections/{id}).
func (c *Client) GetConnection(ctx context.Context, id string) (*Connection, error) {
	var conn Connection
	if err := c.call(ctx, fmt.Sprintf("reading Auth0 connection %q", id), http.MethodGet, c.uri("connections", id), nil, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// OptionChange sets (Value non-nil) or removes (Value nil) one connection option.
type OptionChange struct {
	Key   string
	Value any
}

// ApplyOptionChanges returns a copy of options with the changes applied and the read-only echoes removed, and
// whether anything the caller owns actually changed.
func ApplyOptionChanges(options map[string]json.RawMessage, changes []OptionChange) (map[string]json.RawMessage, bool, error) {
	out := make(map[string]json.RawMessage, len(options)+len(changes))
	for k, v := range options {
		out[k] = v
	}
	for _, k := range readOnlyOptions {
		delete(out, k)
	}
	changed := false
	for _, ch := range changes {
		old, had := out[ch.Key]
		if ch.Value == nil {
			if had {
				delete(out, ch.Key)
				changed = true
			}
			continue
		}
		raw, err := json.Marshal(ch.Value)
		if err != nil {
			return nil, false, fmt.Errorf("encoding connection option %s: %w", ch.Key, err)
		}
		if !had || !jsonEqual(old, raw) {
			out[ch.Key] = raw
			changed = true
		}
	}
	return out, changed, nil
}

// UpdateConnectionOptions replaces a connection's options (PATCH /api/v2/connections/{id} with {"options": ...}).
// Auth0 replaces the whole options object, so options must be a complete set: read the connection, change only
// the keys you own with ApplyOptionChanges, and send the result. The caller must never log options: they hold
// the connection's client secret.
func (c *Client) UpdateConnectionOptions(ctx context.Context, id string, options map[string]json.RawMessage) (*Connection, error) {
	var conn Connection
	body := struct {
		Options map[string]json.RawMessage `json:"options"`
	}{options}
	if err := c.call(ctx, fmt.Sprintf("updating the options of Auth0 connection %q", id), http.MethodPatch, c.uri("connections", id), body, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
