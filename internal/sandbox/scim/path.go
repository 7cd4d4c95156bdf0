package scim

import (
	"fmt"
	"strings"
)

// Schema URNs the server knows (RFC 7643 §8.7).
const (
	CoreUserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListResponseSchema   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpSchema        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema          = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// knownSchemas are the URNs a path may be prefixed with. The core schema's attributes live at the root of a
// resource; an extension's live in an object keyed by its URN.
var knownSchemas = []string{CoreUserSchema, EnterpriseUserSchema}

// Path is a parsed SCIM attribute path (RFC 7644 §3.5.2 PATH, §3.10): an attribute of the core schema or of an
// extension, an optional value filter for multi-valued attributes, and an optional sub-attribute. Examples:
// `userName`, `name.givenName`, `emails[type eq "work"].value`, `emails.value` and
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department`.
type Path struct {
	// Schema is the extension URN holding the attribute, or "" for the core schema.
	Schema string
	// Attr is the attribute name; "" when the path names a whole extension object.
	Attr string
	// Filter selects elements of a multi-valued attribute; nil selects all.
	Filter Filter
	// Sub is the sub-attribute name, or "".
	Sub string
}

// String renders the path in Auth0's mapping notation (a dot after an extension URN).
func (p Path) String() string {
	var b strings.Builder
	if p.Schema != "" {
		b.WriteString(p.Schema)
		if p.Attr != "" {
			b.WriteByte('.')
		}
	}
	b.WriteString(p.Attr)
	if p.Filter != nil {
		fmt.Fprintf(&b, "[%s]", p.Filter)
	}
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// ParsePath parses an attribute path as used in mappings, PATCH operations and filters.
func ParsePath(s string) (Path, error) {
	p := &parser{}
	if err := p.lex(s); err != nil {
		return Path{}, err
	}
	path, err := p.parsePath()
	if err != nil {
		return Path{}, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return Path{}, fmt.Errorf("unexpected %q after attribute path", t.text)
	}
	return path, nil
}

// splitName splits an attribute name such as `name.givenName` or an extension-qualified name into schema, attribute
// and sub-attribute.
//
// Auth0's mappings write extension attributes with a dot after the URN (`...:enterprise:2.0:User.department`,
// auth0-management-api.md §4.1) while Entra, following RFC 7644 §3.10, sends a colon
// (`...:enterprise:2.0:User:department`).
// How Auth0 treats the colon form is UNKNOWN (auth0-management-api.md §4.1); the sandbox treats both as the same
// attribute, which is what makes Entra's default enterprise mappings land in Auth0's default mapping rows.
func splitName(name string) (schema, attr, sub string) {
	rest := name
	lower := strings.ToLower(name)
	matched := false
	for _, urn := range knownSchemas {
		u := strings.ToLower(urn)
		switch {
		case lower == u:
			schema, rest, matched = urn, "", true
		case strings.HasPrefix(lower, u+":") || strings.HasPrefix(lower, u+"."):
			schema, rest, matched = urn, name[len(urn)+1:], true
		}
		if matched {
			break
		}
	}
	if !matched && strings.HasPrefix(lower, "urn:") {
		if i := strings.LastIndex(name, ":"); i > 0 {
			schema, rest = name[:i], name[i+1:]
		}
	}
	if strings.EqualFold(schema, CoreUserSchema) {
		schema = ""
	}
	attr, sub, _ = strings.Cut(rest, ".")
	return schema, attr, sub
}

// container returns the object holding the path's attribute: the resource itself for the core schema, or the
// extension object (created when create is set).
func container(res map[string]any, schema string, create bool) map[string]any {
	if schema == "" {
		return res
	}
	key, v, ok := lookup(res, schema)
	if m, isMap := v.(map[string]any); ok && isMap {
		return m
	}
	if !create {
		return nil
	}
	if !ok {
		key = schema
	}
	m := map[string]any{}
	res[key] = m
	return m
}

// lookup finds key in m ignoring case (SCIM attribute names are case-insensitive, RFC 7643 §2.1).
func lookup(m map[string]any, key string) (string, any, bool) {
	if v, ok := m[key]; ok {
		return key, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return k, v, true
		}
	}
	return key, nil, false
}

// Values returns every value the path selects in res, flattening multi-valued attributes.
func (p Path) Values(res map[string]any) []any {
	c := container(res, p.Schema, false)
	if c == nil {
		return nil
	}
	if p.Attr == "" {
		return []any{c}
	}
	_, v, ok := lookup(c, p.Attr)
	if !ok || v == nil {
		return nil
	}
	items, multi := v.([]any)
	if !multi {
		items = []any{v}
	}
	if p.Filter != nil {
		kept := items[:0:0]
		for _, it := range items {
			if m, ok := it.(map[string]any); ok && p.Filter.Match(m) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if p.Sub == "" {
		return items
	}
	var out []any
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if _, sv, ok := lookup(m, p.Sub); ok && sv != nil {
			if arr, isArr := sv.([]any); isArr {
				out = append(out, arr...)
			} else {
				out = append(out, sv)
			}
		}
	}
	return out
}

// Value returns the first value the path selects.
func (p Path) Value(res map[string]any) (any, bool) {
	vs := p.Values(res)
	if len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

// Set stores v at the path in res, creating intermediate objects. With a filter, the first matching element is
// updated; when none matches, an element built from the filter's equalities (e.g. {"type":"work"}) is appended.
func (p Path) Set(res map[string]any, v any) {
	c := container(res, p.Schema, true)
	if p.Attr == "" {
		if m, ok := v.(map[string]any); ok {
			for k, sv := range m {
				c[k] = sv
			}
		}
		return
	}
	key, cur, _ := lookup(c, p.Attr)
	switch {
	case p.Filter == nil && p.Sub == "":
		c[key] = v
	case p.Filter == nil:
		if arr, ok := cur.([]any); ok && len(arr) > 0 {
			for _, it := range arr {
				if m, ok := it.(map[string]any); ok {
					setKey(m, p.Sub, v)
				}
			}
			return
		}
		m, ok := cur.(map[string]any)
		if !ok {
			m = map[string]any{}
			c[key] = m
		}
		setKey(m, p.Sub, v)
	default:
		arr, _ := cur.([]any)
		var elem map[string]any
		for _, it := range arr {
			if m, ok := it.(map[string]any); ok && p.Filter.Match(m) {
				elem = m
				break
			}
		}
		if elem == nil {
			elem = p.Filter.template()
			arr = append(arr, elem)
			c[key] = arr
		}
		if p.Sub != "" {
			setKey(elem, p.Sub, v)
		} else if m, ok := v.(map[string]any); ok {
			for k, sv := range m {
				setKey(elem, k, sv)
			}
		}
	}
}

// Remove deletes what the path selects: the attribute, the sub-attribute, or the matching elements of a
// multi-valued attribute. Empty arrays and objects left behind are removed too.
func (p Path) Remove(res map[string]any) {
	c := container(res, p.Schema, false)
	if c == nil {
		return
	}
	if p.Attr == "" {
		k, _, _ := lookup(res, p.Schema)
		delete(res, k)
		return
	}
	key, cur, ok := lookup(c, p.Attr)
	if !ok {
		return
	}
	switch v := cur.(type) {
	case []any:
		kept := v[:0:0]
		for _, it := range v {
			m, isMap := it.(map[string]any)
			selected := p.Filter == nil || (isMap && p.Filter.Match(m))
			switch {
			case !selected:
				kept = append(kept, it)
			case p.Sub != "" && isMap:
				k, _, _ := lookup(m, p.Sub)
				delete(m, k)
				kept = append(kept, m)
			}
		}
		if len(kept) == 0 {
			delete(c, key)
		} else {
			c[key] = kept
		}
	case map[string]any:
		if p.Sub == "" {
			delete(c, key)
			return
		}
		k, _, _ := lookup(v, p.Sub)
		delete(v, k)
		if len(v) == 0 {
			delete(c, key)
		}
	default:
		if p.Sub == "" && p.Filter == nil {
			delete(c, key)
		}
	}
	if p.Schema != "" && len(c) == 0 {
		k, _, _ := lookup(res, p.Schema)
		delete(res, k)
	}
}

// setKey sets m[key] reusing the existing key's spelling when it differs only in case.
func setKey(m map[string]any, key string, v any) {
	k, _, _ := lookup(m, key)
	m[k] = v
}
