package scim

import (
	"strconv"
	"strings"
)

// Mapping is one row of a connection's SCIM attribute mapping: a SCIM attribute path and the Auth0 profile
// attribute (root, or dotted such as app_metadata.x) it is stored in. Each row applies in both directions
// (auth0-management-api.md §4.3).
type Mapping struct {
	SCIM  string `json:"scim"`
	Auth0 string `json:"auth0"`
}

// Configuration is what the SCIM server needs to know about a connection with SCIM enabled.
type Configuration struct {
	ConnectionName string
	Strategy       string
	// UserIDAttribute is the SCIM attribute holding the user's identifier at the identity provider; the Auth0
	// user_id of a provisioned user is "{strategy}|{connection name}|{that value}".
	UserIDAttribute string
	Mapping         []Mapping
}

// row is a mapping row with its SCIM path parsed.
type row struct {
	path  Path
	auth0 string
	// inverted marks active ↔ blocked, which Auth0 stores inverted (auth0-management-api.md §4.3).
	inverted bool
}

// compile parses the mapping's SCIM paths. The Management API accepts any string as a path (auth0-management-api.md
// §3.4), so rows whose path does not parse, and rows naming id, meta or the user_id (which cannot be mapped,
// auth0-management-api.md §4.3), are ignored here.
func compile(mapping []Mapping) []row {
	rows := make([]row, 0, len(mapping))
	for _, m := range mapping {
		p, err := ParsePath(m.SCIM)
		if err != nil || m.Auth0 == "" || m.Auth0 == "user_id" {
			continue
		}
		if p.Schema == "" && (strings.EqualFold(p.Attr, "id") || strings.EqualFold(p.Attr, "meta") || strings.EqualFold(p.Attr, "schemas")) {
			continue
		}
		rows = append(rows, row{
			path:     p,
			auth0:    m.Auth0,
			inverted: m.Auth0 == "blocked" && p.Schema == "" && strings.EqualFold(p.Attr, "active") && p.Sub == "" && p.Filter == nil,
		})
	}
	return rows
}

// render builds the SCIM attributes of a user from its profile through the mapping (no id, meta or schemas).
func render(rows []row, p Profile) map[string]any {
	res := map[string]any{}
	for _, r := range rows {
		v, ok := p.Get(r.auth0)
		if r.inverted {
			b, _ := toBool(v)
			r.path.Set(res, !b)
			continue
		}
		if !ok || v == nil {
			continue
		}
		r.path.Set(res, cloneValue(v))
	}
	return res
}

// apply stores the SCIM attributes of res into the profile through the mapping. With replace (PUT, and PATCH, which
// is applied to the rendered resource), mapped attributes absent from res are removed from the profile; `active`
// absent leaves `blocked` unchanged. SCIM attributes without a mapping row are ignored (auth0-management-api.md §4.3).
func apply(rows []row, res map[string]any, p Profile, replace bool) {
	for _, r := range rows {
		v, ok := r.path.Value(res)
		if ok && v == nil {
			ok = false
		}
		if r.inverted {
			if b, valid := toBool(v); ok && valid {
				p.Set("blocked", !b)
			}
			continue
		}
		switch {
		case ok:
			p.Set(r.auth0, cloneValue(v))
		case replace:
			p.Delete(r.auth0)
		}
	}
}

// toBool reads a boolean, accepting the strings "True"/"False" that Entra sends without aadOptscim062020
// (auth0-management-api.md §9; microsoft-graph.md §6).
func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	}
	return false, false
}
