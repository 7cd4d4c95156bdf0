package auth0

import (
	"net/http"
	"strconv"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

// The Management API's view of SCIM-provisioned groups (scim-groups.md §2): GET /api/v2/groups (filter by
// connection_id, name, external_id; page/per_page or from/take; include_totals), GET /api/v2/groups/{id} and
// GET /api/v2/groups/{id}/members. The store is the SCIM server's (package scim): a group Entra creates over SCIM is
// a connection group with the SCIM displayName as name and the SCIM externalId as external_id.
//
// Read-only here: what Auth0 allows on SCIM-managed groups through the Management API (create, update, delete) is
// UNKNOWN for connection groups and nothing in this provider needs it.

// Route patterns.
const (
	RouteListGroups      = "GET /api/v2/groups"
	RouteGetGroup        = "GET /api/v2/groups/{id}"
	RouteGetGroupMembers = "GET /api/v2/groups/{id}/members"
)

func (s *Server) groupRoutes() {
	// Scopes read:groups and read:group_members (SOURCE, scim-groups.md §2).
	s.api(RouteListGroups, "read:groups", s.listGroups)
	s.api(RouteGetGroup, "read:groups", s.getGroup)
	s.api(RouteGetGroupMembers, "read:group_members", s.getGroupMembers)
}

// groupJSON is the Management API Group (DOCUMENTED fields, scim-groups.md §2).
type groupJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ExternalID   string `json:"external_id,omitempty"`
	ConnectionID string `json:"connection_id"`
	TenantName   string `json:"tenant_name"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func (s *Server) groupJSON(connID string, g scim.Group) groupJSON {
	return groupJSON{ID: g.ID, Name: g.DisplayName, ExternalID: g.ExternalID, ConnectionID: connID,
		TenantName: s.cfg.TenantName, CreatedAt: g.Created, UpdatedAt: g.Updated}
}

// page applies page/per_page (default 0/50, per_page 1..100) and reports whether the query was valid. The checkpoint
// parameters from/take are accepted as an offset and a page size (their exact cursor semantics are UNKNOWN;
// the sandbox's "from" is the index to start at, and the answer carries "next" when more remain).
func page[T any](q map[string][]string, items []T) (out []T, start int, next string, e *apiError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	size, start := 50, 0
	if v := get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, 0, "", errPayload("'Expected number between 1 and 100' on property per_page.")
		}
		size = n
	}
	if v := get("take"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, 0, "", errPayload("'Expected number between 1 and 100' on property take.")
		}
		size = n
	}
	if v := get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, 0, "", errPayload("'Expected number >= 0' on property page.")
		}
		start = n * size
	}
	if v := get("from"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, 0, "", errPayload("'Invalid checkpoint' on property from.")
		}
		start = n
	}
	if start > len(items) {
		start = len(items)
	}
	end := min(start+size, len(items))
	if end < len(items) && get("from") != "" {
		next = strconv.Itoa(end)
	}
	return items[start:end], start, next, nil
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var items []groupJSON
	for connID, gs := range s.scim.AllGroups() {
		if c := q.Get("connection_id"); c != "" && c != connID {
			continue
		}
		for _, g := range gs {
			if n := q.Get("name"); n != "" && n != g.DisplayName {
				continue
			}
			if x := q.Get("external_id"); x != "" && x != g.ExternalID {
				continue
			}
			items = append(items, s.groupJSON(connID, g))
		}
	}
	sortGroups(items)
	out, start, next, e := page(q, items)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	if out == nil {
		out = []groupJSON{}
	}
	switch {
	case q.Get("from") != "" || q.Get("take") != "":
		body := map[string]any{"groups": out}
		if next != "" {
			body["next"] = next
		}
		router.WriteJSON(w, http.StatusOK, body)
	case q.Get("include_totals") == "true":
		router.WriteJSON(w, http.StatusOK, map[string]any{"groups": out, "start": start, "limit": len(out), "total": len(items)})
	default:
		router.WriteJSON(w, http.StatusOK, out)
	}
}

func sortGroups(items []groupJSON) {
	// Oldest first, ties by id: stable output for tests (Auth0's order is UNKNOWN).
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && (items[j].CreatedAt < items[j-1].CreatedAt ||
			items[j].CreatedAt == items[j-1].CreatedAt && items[j].ID < items[j-1].ID); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	g, connID, ok := s.scim.GroupByID(r.PathValue("id"))
	if !ok {
		// The 404 wording for an unknown group is UNKNOWN; Auth0's generic Not Found body.
		s.writeAPIError(w, errNotFound)
		return
	}
	router.WriteJSON(w, http.StatusOK, s.groupJSON(connID, g))
}

// memberJSON is a group member: member_type "user" and the user's id (DOCUMENTED, scim-groups.md §2); the
// membership timestamp is UNKNOWN and left out.
type memberJSON struct {
	ID         string `json:"id"`
	MemberType string `json:"member_type"`
}

func (s *Server) getGroupMembers(w http.ResponseWriter, r *http.Request) {
	g, _, ok := s.scim.GroupByID(r.PathValue("id"))
	if !ok {
		s.writeAPIError(w, errNotFound)
		return
	}
	items := make([]memberJSON, len(g.Members))
	for i, m := range g.Members {
		items[i] = memberJSON{ID: m, MemberType: "user"}
	}
	q := r.URL.Query()
	out, _, next, e := page(q, items)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	body := map[string]any{"members": out}
	if next != "" {
		body["next"] = next
	}
	router.WriteJSON(w, http.StatusOK, body)
}
