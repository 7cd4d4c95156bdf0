package scim

import (
	"encoding/json"
	"strings"
)

// Profile is an Auth0 user profile as JSON-decoded data: root attributes (user_id, email, name, upn, blocked, ...)
// and nested objects such as app_metadata. Mappings address attributes with dotted names
// (`app_metadata.external_id`).
type Profile map[string]any

// UserID returns the profile's user_id.
func (p Profile) UserID() string {
	s, _ := p["user_id"].(string)
	return s
}

// Get returns the attribute at a dotted name.
func (p Profile) Get(name string) (any, bool) {
	var cur any = map[string]any(p)
	for _, part := range strings.Split(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Set stores v at a dotted name, creating intermediate objects.
func (p Profile) Set(name string, v any) {
	parts := strings.Split(name, ".")
	m := map[string]any(p)
	for _, part := range parts[:len(parts)-1] {
		next, ok := m[part].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[part] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// Delete removes the attribute at a dotted name; objects left empty are removed too.
func (p Profile) Delete(name string) {
	parts := strings.Split(name, ".")
	del(map[string]any(p), parts)
}

func del(m map[string]any, parts []string) bool {
	if len(parts) == 1 {
		delete(m, parts[0])
		return len(m) == 0
	}
	next, ok := m[parts[0]].(map[string]any)
	if !ok {
		return false
	}
	if del(next, parts[1:]) {
		delete(m, parts[0])
	}
	return len(m) == 0
}

// Clone returns a deep copy.
func (p Profile) Clone() Profile {
	return Profile(cloneMap(p))
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case json.RawMessage:
		return append(json.RawMessage(nil), x...)
	default:
		return v
	}
}
