package auth0client

import (
	"context"
	"encoding/json"
	"errors"
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
	// Metadata is the connection's metadata: at most 10 string values of at most 255 characters
	// (auth0-connection-metadata.md). The provider keeps its crash-recovery markers here.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Metadata keys the provider writes on a connection, so that a later run can tell what an interrupted run of the
// provider created from what users made (auth0-connection-metadata.md). Users have no reason to write keys with
// this prefix; the provider touches no other key.
const (
	// MarkerSCIMConfiguration is written (with the time, RFC 3339) just before the provider creates a SCIM
	// configuration on a connection that has none, and removed when the provider deletes it.
	MarkerSCIMConfiguration = "auth0entra_scim"
	// MarkerPendingSCIMToken is written just before the provider creates a SCIM token and removed once the answer
	// arrived (see the scimtoken package for its value).
	MarkerPendingSCIMToken = "auth0entra_scim_token"
)

// WithMetadata returns a copy of md with key set to value, or removed when value is "".
func WithMetadata(md map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(md)+1)
	for k, v := range md {
		out[k] = v
	}
	if value == "" {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

// SetConnectionMetadata replaces a connection's metadata (PATCH /api/v2/connections/{id} with {"metadata": ...}).
// Whether Auth0 merges or replaces the metadata object is UNKNOWN (auth0-connection-metadata.md): md must be the
// complete set, read just before and changed only in the provider's own keys, which is right either way for keys
// set; a key removed this way may survive a merging server, which the readers of the markers tolerate.
func (c *Client) SetConnectionMetadata(ctx context.Context, id string, md map[string]string) (*Connection, error) {
	var conn Connection
	if md == nil {
		md = map[string]string{}
	}
	body := struct {
		Metadata map[string]string `json:"metadata"`
	}{md}
	if err := c.call(ctx, fmt.Sprintf("updating the metadata of Auth0 connection %q", id), http.MethodPatch, c.uri("connections", id), body, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// Ambiguous reports whether a failed write may nevertheless have been carried out: no answer arrived (a lost or
// late answer, a dropped connection, a deadline), or the server answered 5xx. A 4xx answer, 429 included, says the
// write did not happen.
func Ambiguous(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) && e.Hint != "" {
		return false // unreachable host: nothing was sent
	}
	status := StatusCode(err)
	return status == 0 || status >= 500
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
