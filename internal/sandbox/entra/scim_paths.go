package entra

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SCIM attribute paths as the customappsso directory names them: `userName`, `name.givenName`,
// `emails[type eq "work"].value`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`
// (extension attributes use ':' before the attribute name for `scim` jobs, microsoft-graph.md §6).

const (
	scimCoreUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimEnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	scimCoreGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	scimListResponse   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimPatchOp        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

type scimPath struct {
	urn         string // extension schema, "" for core attributes
	attr        string // top-level attribute
	filterAttr  string // e.g. "type" in emails[type eq "work"]
	filterValue string // e.g. "work"
	sub         string // sub-attribute, e.g. "value" or "givenName"
}

func (p scimPath) filtered() bool { return p.filterAttr != "" }

func parseSCIMPath(path string) scimPath {
	var p scimPath
	rest := path
	if strings.HasPrefix(strings.ToLower(path), "urn:") && !strings.Contains(path, "[") {
		i := strings.LastIndexByte(path, ':')
		p.urn, rest = path[:i], path[i+1:]
	}
	if open := strings.IndexByte(rest, '['); open >= 0 {
		if end := strings.IndexByte(rest[open:], ']'); end >= 0 {
			p.attr = rest[:open]
			p.filterAttr, p.filterValue = parseValueFilter(rest[open+1 : open+end])
			rest = strings.TrimPrefix(rest[open+end+1:], ".")
			p.sub = rest
			return p
		}
	}
	p.attr, p.sub, _ = strings.Cut(rest, ".")
	return p
}

// parseValueFilter reads `type eq "work"` (or an unquoted value).
func parseValueFilter(f string) (attr, value string) {
	fields := strings.SplitN(strings.TrimSpace(f), " ", 3)
	if len(fields) != 3 || !strings.EqualFold(fields[1], "eq") {
		return strings.TrimSpace(f), ""
	}
	return fields[0], strings.Trim(strings.TrimSpace(fields[2]), `"`)
}

func getFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// getSCIMPath reads a path from a SCIM resource. Attribute names are case-insensitive (RFC 7643 §2.1).
func getSCIMPath(res map[string]any, p scimPath) (any, bool) {
	container := res
	if p.urn != "" {
		ext, ok := getFold(res, p.urn)
		m, isMap := ext.(map[string]any)
		if !ok || !isMap {
			return nil, false
		}
		container = m
	}
	v, ok := getFold(container, p.attr)
	if !ok || v == nil {
		return nil, false
	}
	if p.filtered() {
		list, _ := v.([]any)
		var found map[string]any
		for _, e := range list {
			em, _ := e.(map[string]any)
			if fv, ok := getFold(em, p.filterAttr); ok && strings.EqualFold(scimString(fv), p.filterValue) {
				found = em
				break
			}
		}
		if found == nil {
			return nil, false
		}
		if p.sub == "" {
			return found, true
		}
		sv, ok := getFold(found, p.sub)
		return sv, ok && sv != nil
	}
	if p.sub != "" {
		m, _ := v.(map[string]any)
		sv, ok := getFold(m, p.sub)
		return sv, ok && sv != nil
	}
	return v, true
}

// setSCIMPath writes a value into a SCIM resource being built for POST.
func setSCIMPath(res map[string]any, p scimPath, v any) {
	container := res
	if p.urn != "" {
		ext, _ := res[p.urn].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			res[p.urn] = ext
		}
		container = ext
	}
	switch {
	case p.filtered():
		list, _ := container[p.attr].([]any)
		var elem map[string]any
		for _, e := range list {
			if em, ok := e.(map[string]any); ok && strings.EqualFold(scimString(em[p.filterAttr]), p.filterValue) {
				elem = em
			}
		}
		if elem == nil {
			elem = map[string]any{}
			if strings.EqualFold(p.filterValue, "true") || strings.EqualFold(p.filterValue, "false") {
				elem[p.filterAttr] = strings.EqualFold(p.filterValue, "true")
			} else {
				elem[p.filterAttr] = p.filterValue
			}
			// Entra marks the work e-mail primary when it creates a user (use-scim article sample).
			if p.attr == "emails" && p.filterAttr == "type" && p.filterValue == "work" {
				elem["primary"] = true
			}
			container[p.attr] = append(list, elem)
		}
		key := p.sub
		if key == "" {
			key = "value"
		}
		elem[key] = v
	case p.sub != "":
		m, _ := container[p.attr].(map[string]any)
		if m == nil {
			m = map[string]any{}
			container[p.attr] = m
		}
		m[p.sub] = v
	default:
		container[p.attr] = v
	}
}

// scimString renders a SCIM value for comparison and for step details: booleans as "True"/"False" (as Entra
// shows them), strings as they are, anything else as JSON.
func scimString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		if t {
			return "True"
		}
		return "False"
	case json.Number:
		return t.String()
	case float64:
		return fmt.Sprint(t)
	case map[string]any:
		if inner, ok := t["value"]; ok {
			return scimString(inner)
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// flattenSCIM renders a SCIM resource as the flat attribute → string map matching steps show.
func flattenSCIM(res map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if k == "schemas" || k == "meta" {
				continue
			}
			name := k
			if prefix != "" {
				name = prefix + "." + k
				if strings.HasPrefix(strings.ToLower(prefix), "urn:") {
					name = prefix + ":" + k
				}
			}
			switch t := v.(type) {
			case map[string]any:
				walk(name, t)
			case []any:
				for _, e := range t {
					em, ok := e.(map[string]any)
					if !ok {
						continue
					}
					typ := scimString(em["type"])
					for sk, sv := range em {
						if sk == "type" || sk == "primary" {
							continue
						}
						if typ != "" {
							out[fmt.Sprintf("%s[type eq \"%s\"].%s", name, typ, sk)] = scimString(sv)
						} else {
							out[name+"."+sk] = scimString(sv)
						}
					}
				}
			default:
				out[name] = scimString(v)
			}
		}
	}
	walk("", res)
	return out
}
