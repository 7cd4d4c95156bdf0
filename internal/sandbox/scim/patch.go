package scim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// patchRequest is an RFC 7644 §3.5.2 PatchOp message.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// patchError is a PATCH failure with its RFC 7644 §3.12 scimType.
type patchError struct {
	scimType string
	detail   string
}

func (e *patchError) Error() string { return e.detail }

// applyPatch applies the operations to a rendered resource. Operation names are case-insensitive: Entra without
// aadOptscim062020 sends "Add", "Replace", "Remove" (auth0-management-api.md §9). Both of Entra's replace shapes are
// supported: one operation per attribute, and a path-less operation whose value object is keyed by attribute paths
// ("name.givenName", "urn:...:enterprise:2.0:User:employeeNumber") or holds nested objects.
func applyPatch(res map[string]any, ops []patchOp) error {
	if len(ops) == 0 {
		return &patchError{"invalidValue", "Operations must hold at least one operation"}
	}
	for i, op := range ops {
		name := strings.ToLower(op.Op)
		if name != "add" && name != "replace" && name != "remove" {
			return &patchError{"invalidSyntax", fmt.Sprintf("Operations[%d]: unsupported op %q", i, op.Op)}
		}
		var value any
		if len(op.Value) > 0 {
			if err := json.Unmarshal(op.Value, &value); err != nil {
				return &patchError{"invalidValue", fmt.Sprintf("Operations[%d]: invalid value: %v", i, err)}
			}
		}
		if err := applyOp(res, name, op.Path, value); err != nil {
			return &patchError{err.scimType, fmt.Sprintf("Operations[%d]: %s", i, err.detail)}
		}
	}
	return nil
}

func applyOp(res map[string]any, op, rawPath string, value any) *patchError {
	if rawPath == "" {
		if op == "remove" {
			return &patchError{"noTarget", "remove requires a path"}
		}
		obj, ok := value.(map[string]any)
		if !ok {
			return &patchError{"invalidValue", "an operation without a path needs an object value"}
		}
		for k, v := range obj {
			if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") {
				continue
			}
			if err := applyOp(res, op, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	p, err := ParsePath(rawPath)
	if err != nil {
		return &patchError{"invalidPath", fmt.Sprintf("invalid path %q: %v", rawPath, err)}
	}
	if p.Schema == "" && (strings.EqualFold(p.Attr, "id") || strings.EqualFold(p.Attr, "meta")) {
		return &patchError{"mutability", fmt.Sprintf("attribute %q is read-only", p.Attr)}
	}
	if op == "remove" {
		p.Remove(res)
		return nil
	}
	if value == nil {
		return &patchError{"invalidValue", fmt.Sprintf("%s of %q needs a value", op, rawPath)}
	}
	if p.Attr == "" {
		// The whole extension object: apply each of its attributes.
		obj, ok := value.(map[string]any)
		if !ok {
			return &patchError{"invalidValue", fmt.Sprintf("%q needs an object value", rawPath)}
		}
		for k, v := range obj {
			if err := applyOp(res, op, p.Schema+":"+k, v); err != nil {
				return err
			}
		}
		return nil
	}
	setValue(res, op, p, value)
	return nil
}

// setValue performs add or replace of value at p.
//
// A filtered path that selects nothing creates the element for both add and replace (Entra sends
// `replace emails[type eq "work"].value` for users that have no work e-mail yet). Adding to a multi-valued attribute
// replaces the element of the same "type" rather than appending a second one, so the mapping row reading the first
// `[type eq "..."]` element sees the new value.
func setValue(res map[string]any, op string, p Path, value any) {
	if p.Filter != nil || p.Sub != "" {
		p.Set(res, value)
		return
	}
	c := container(res, p.Schema, true)
	key, cur, _ := lookup(c, p.Attr)
	switch existing := cur.(type) {
	case []any:
		items, ok := value.([]any)
		if !ok {
			items = []any{value}
		}
		if op == "replace" {
			c[key] = items
			return
		}
		for _, it := range items {
			existing = addElement(existing, it)
		}
		c[key] = existing
	case map[string]any:
		// Complex single-valued attribute: the given sub-attributes replace or add, others stay (RFC 7644 §3.5.2.3).
		if m, ok := value.(map[string]any); ok {
			for k, v := range m {
				setKey(existing, k, v)
			}
			return
		}
		c[key] = value
	default:
		c[key] = value
	}
}

func addElement(arr []any, it any) []any {
	m, ok := it.(map[string]any)
	if !ok {
		return append(arr, it)
	}
	_, typ, hasType := lookup(m, "type")
	if hasType {
		for i, e := range arr {
			if em, ok := e.(map[string]any); ok {
				if _, t, ok := lookup(em, "type"); ok && equal(t, typ, false) {
					arr[i] = m
					return arr
				}
			}
		}
	}
	return append(arr, m)
}
