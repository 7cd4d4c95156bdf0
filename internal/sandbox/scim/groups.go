package scim

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// SCIM Groups (scim-groups.md §1): /scim/v2/connections/{id}/Groups with create, read, replace, patch and delete,
// search with `eq` only, members that must be users of the connection, displayName unique per connection, at most
// 10,000 members per POST/PUT and 1,000 member values per PATCH, each operation guarded by its `*:groups` scope.

// CoreGroupSchema is the RFC 7643 §4.2 Group schema URN.
const CoreGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"

// Scopes of SCIM tokens for groups (scim-groups.md §1, auth0-management-api.md §5.2).
const (
	ScopeGetGroups    = "get:groups"
	ScopePostGroups   = "post:groups"
	ScopePutGroups    = "put:groups"
	ScopePatchGroups  = "patch:groups"
	ScopeDeleteGroups = "delete:groups"
)

// Member limits (DOCUMENTED, scim-groups.md §1).
const (
	MaxMembersPerWrite = 10000 // POST and PUT
	MaxMembersPerPatch = 1000  // member values across the operations of one PATCH
)

// Group is a SCIM-provisioned group of a connection, as the Management API shows it.
type Group struct {
	ID          string
	DisplayName string
	ExternalID  string
	Members     []string // user_ids, in the order they were added
	Created     string
	Updated     string
}

type groupRecord struct {
	seq int64
	g   Group
}

// ErrGroupNotFound is returned for an unknown group.
var ErrGroupNotFound = errors.New("group not found")

// base58 is the alphabet of Auth0 group ids (DOCUMENTED pattern ^grp_[1-9a-km-zA-HJ-NP-Z]{14,22}$, scim-groups.md §2).
const base58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

func newGroupID() string {
	b := make([]byte, 16)
	n := big.NewInt(int64(len(base58)))
	for i := range b {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic(err)
		}
		b[i] = base58[k.Int64()]
	}
	return "grp_" + string(b)
}

// Groups returns copies of the connection's groups, oldest first.
func (s *Server) Groups(connectionID string) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := make([]*groupRecord, 0, len(s.groups[connectionID]))
	for _, r := range s.groups[connectionID] {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	out := make([]Group, len(recs))
	for i, r := range recs {
		out[i] = r.g.clone()
	}
	return out
}

// AllGroups returns every group of every connection, keyed by connection id.
func (s *Server) AllGroups() map[string][]Group {
	s.mu.Lock()
	ids := make([]string, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	out := map[string][]Group{}
	for _, id := range ids {
		if gs := s.Groups(id); len(gs) > 0 {
			out[id] = gs
		}
	}
	return out
}

// GroupByID returns a group of any connection, and the connection it belongs to.
func (s *Server) GroupByID(groupID string) (Group, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for conn, gs := range s.groups {
		if r, ok := gs[groupID]; ok {
			return r.g.clone(), conn, true
		}
	}
	return Group{}, "", false
}

func (g Group) clone() Group {
	g.Members = append([]string(nil), g.Members...)
	return g
}

// removeMemberLocked drops a deleted user from every group of the connection. Whether Auth0 does this is UNKNOWN
// (scim-groups.md §3); a membership of a user who no longer exists could not be rendered, so it goes.
func (s *Server) removeMemberLocked(connectionID, userID string) {
	for _, r := range s.groups[connectionID] {
		for i, m := range r.g.Members {
			if m == userID {
				r.g.Members = append(r.g.Members[:i], r.g.Members[i+1:]...)
				break
			}
		}
	}
}

func groupLocation(r *http.Request, connID, groupID string) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host + Prefix + url.PathEscape(connID) + "/Groups/" + url.PathEscape(groupID)
}

// groupResource renders a group as a SCIM resource. Members carry `value` (the user's SCIM id, i.e. user_id); whether
// Auth0 adds `display` or `$ref` is UNKNOWN (scim-groups.md §3): the sandbox sends `value` only.
func groupResource(g Group, location string, withMembers bool) map[string]any {
	res := map[string]any{
		"schemas":     []any{CoreGroupSchema},
		"id":          g.ID,
		"displayName": g.DisplayName,
	}
	if g.ExternalID != "" {
		res["externalId"] = g.ExternalID
	}
	if withMembers {
		ms := make([]any, len(g.Members))
		for i, m := range g.Members {
			ms[i] = map[string]any{"value": m}
		}
		res["members"] = ms
	}
	meta := map[string]any{"resourceType": "Group", "created": g.Created, "lastModified": g.Updated}
	if location != "" {
		meta["location"] = location
	}
	res["meta"] = meta
	return res
}

// wantsMembers reads the attributes / excludedAttributes parameters (RFC 7644 §3.9) as far as members go: Entra asks
// for groups with excludedAttributes=members (scim-groups.md §4).
func wantsMembers(q url.Values) bool {
	for _, a := range strings.Split(q.Get("excludedAttributes"), ",") {
		if strings.EqualFold(strings.TrimSpace(a), "members") {
			return false
		}
	}
	if attrs := q.Get("attributes"); attrs != "" {
		for _, a := range strings.Split(attrs, ",") {
			if strings.EqualFold(strings.TrimSpace(a), "members") {
				return true
			}
		}
		return false
	}
	return true
}

func writeGroupNotFound(w http.ResponseWriter, id string) {
	// The detail text is UNKNOWN (scim-groups.md §3); it mirrors the Users one.
	WriteError(w, http.StatusNotFound, "", "Group "+id+" not found")
}

// eqOnly rejects filters with `and`/`or`: Auth0 documents `eq` only for groups (scim-groups.md §1).
func eqOnly(f Filter) string {
	if _, ok := f.(eqFilter); ok {
		return ""
	}
	return "Only the 'eq' operator is supported when filtering groups"
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	connID, _, ok := s.authorize(w, r, ScopeGetGroups)
	if !ok {
		return
	}
	q := r.URL.Query()
	filter, ok := readFilter(w, q, eqOnly)
	if !ok {
		return
	}
	withMembers := wantsMembers(q)
	var matched []any
	for _, g := range s.Groups(connID) {
		res := groupResource(g, groupLocation(r, connID, g.ID), true)
		if filter == nil || filter.Match(res) {
			if !withMembers {
				delete(res, "members")
			}
			matched = append(matched, res)
		}
	}
	writeList(w, q, matched)
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	connID, _, ok := s.authorize(w, r, ScopeGetGroups)
	if !ok {
		return
	}
	id := r.PathValue("group_id")
	s.mu.Lock()
	rec, found := s.groups[connID][id]
	var g Group
	if found {
		g = rec.g.clone()
	}
	s.mu.Unlock()
	if !found {
		writeGroupNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, groupResource(g, groupLocation(r, connID, id), wantsMembers(r.URL.Query())))
}

// groupBody is what POST and PUT accept.
type groupBody struct {
	DisplayName *string         `json:"displayName"`
	ExternalID  *string         `json:"externalId"`
	Members     json.RawMessage `json:"members"`
}

// memberValues decodes a members array: [{"value": "<user_id>", ...}, ...].
func memberValues(raw json.RawMessage) ([]string, *patchError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, &patchError{"invalidValue", "Attribute 'members' must be an array of objects with a 'value'"}
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		v, _ := it["value"].(string)
		if v == "" {
			return nil, &patchError{"invalidValue", fmt.Sprintf("members[%d].value is required", i)}
		}
		out = append(out, v)
	}
	return out, nil
}

// checkMembersLocked enforces "members must be users of the connection". A group id as member (nested groups) is
// refused the same way. Status and wording are UNKNOWN (scim-groups.md §3): 400 invalidValue naming the value.
func (s *Server) checkMembersLocked(connID string, members []string) *patchError {
	for _, m := range members {
		if _, ok := s.users[connID][m]; !ok {
			return &patchError{"invalidValue", fmt.Sprintf("Member '%s' is not a user of this connection; group members must be users of the connection", m)}
		}
	}
	return nil
}

// displayNameTakenLocked: displayName is unique per connection (DOCUMENTED); whether the comparison ignores case is
// UNKNOWN (scim-groups.md §3) — the sandbox ignores case, as it does for userName.
func (s *Server) displayNameTakenLocked(connID, name, exceptID string) bool {
	for id, r := range s.groups[connID] {
		if id != exceptID && strings.EqualFold(r.g.DisplayName, name) {
			return true
		}
	}
	return false
}

func dedupe(ms []string) []string {
	seen := map[string]bool{}
	out := ms[:0:0]
	for _, m := range ms {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// validateGroup checks a complete group for POST and PUT. The status for too many members is UNKNOWN
// (scim-groups.md §3): 400 invalidValue, saying the limit.
func validateGroup(b groupBody) ([]string, *patchError) {
	if b.DisplayName == nil || strings.TrimSpace(*b.DisplayName) == "" {
		return nil, &patchError{"invalidValue", "Attribute 'displayName' is required"}
	}
	if len(*b.DisplayName) > 128 {
		// The Management API caps a group name at 128 characters (scim-groups.md §2).
		return nil, &patchError{"invalidValue", "Attribute 'displayName' must be at most 128 characters"}
	}
	members, pe := memberValues(b.Members)
	if pe != nil {
		return nil, pe
	}
	if len(members) > MaxMembersPerWrite {
		return nil, &patchError{"invalidValue", fmt.Sprintf("A group can be sent with at most %d members per request; this one has %d", MaxMembersPerWrite, len(members))}
	}
	return dedupe(members), nil
}

func writePatchError(w http.ResponseWriter, pe *patchError) {
	WriteError(w, http.StatusBadRequest, pe.scimType, pe.detail)
}

// readGroup authorizes a POST or PUT of a group for scope and reads and validates its body, returning the members
// it names. It writes the error and reports false when any step fails.
func (s *Server) readGroup(w http.ResponseWriter, r *http.Request, scope string) (string, groupBody, []string, bool) {
	var b groupBody
	connID, _, ok := s.authorizeBody(w, r, scope, &b)
	if !ok {
		return "", b, nil, false
	}
	members, pe := validateGroup(b)
	if pe != nil {
		writePatchError(w, pe)
		return "", b, nil, false
	}
	return connID, b, members, true
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	connID, b, members, ok := s.readGroup(w, r, ScopePostGroups)
	if !ok {
		return
	}
	now := timestamp(s.now())
	g := Group{ID: newGroupID(), DisplayName: *b.DisplayName, Members: members, Created: now, Updated: now}
	if b.ExternalID != nil {
		g.ExternalID = *b.ExternalID
	}
	s.mu.Lock()
	if pe := s.checkMembersLocked(connID, members); pe != nil {
		s.mu.Unlock()
		writePatchError(w, pe)
		return
	}
	if s.displayNameTakenLocked(connID, g.DisplayName, "") {
		s.mu.Unlock()
		WriteError(w, http.StatusConflict, "uniqueness", "Group with displayName "+g.DisplayName+" already exists")
		return
	}
	if s.groups == nil {
		s.groups = map[string]map[string]*groupRecord{}
	}
	if s.groups[connID] == nil {
		s.groups[connID] = map[string]*groupRecord{}
	}
	s.seq++
	s.groups[connID][g.ID] = &groupRecord{seq: s.seq, g: g}
	s.mu.Unlock()
	loc := groupLocation(r, connID, g.ID)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusCreated, groupResource(g, loc, true))
}

func (s *Server) replaceGroup(w http.ResponseWriter, r *http.Request) {
	connID, b, members, ok := s.readGroup(w, r, ScopePutGroups)
	if !ok {
		return
	}
	s.changeGroup(w, r, connID, func(g *Group) *patchError {
		g.DisplayName, g.Members = *b.DisplayName, members
		g.ExternalID = ""
		if b.ExternalID != nil {
			g.ExternalID = *b.ExternalID
		}
		return nil
	})
}

func (s *Server) patchGroup(w http.ResponseWriter, r *http.Request) {
	var req patchRequest
	connID, _, ok := s.authorizeBody(w, r, ScopePatchGroups, &req)
	if !ok {
		return
	}
	if len(req.Operations) == 0 {
		writePatchError(w, &patchError{"invalidValue", "Operations must hold at least one operation"})
		return
	}
	// The limit counts the members one PATCH changes: the values of members operations, and one for each operation
	// on a filtered path members[value eq "…"] (Entra's removal with aadOptscim062020 names one member per
	// operation). How Auth0 counts is UNKNOWN beyond "1,000 per PATCH" (scim-groups.md §3).
	total := 0
	for _, op := range req.Operations {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(op.Path)), "members[") {
			total++
		} else if vs, err := memberValues(op.Value); err == nil {
			total += len(vs)
		}
	}
	if total > MaxMembersPerPatch {
		writePatchError(w, &patchError{"invalidValue", fmt.Sprintf("A PATCH can change at most %d members; this one has %d", MaxMembersPerPatch, total)})
		return
	}
	s.changeGroup(w, r, connID, func(g *Group) *patchError {
		for i, op := range req.Operations {
			if pe := applyGroupOp(g, op); pe != nil {
				return &patchError{pe.scimType, fmt.Sprintf("Operations[%d]: %s", i, pe.detail)}
			}
		}
		return nil
	})
}

// changeGroup runs a PUT or PATCH change on a copy of the group and stores it when the result is valid.
func (s *Server) changeGroup(w http.ResponseWriter, r *http.Request, connID string, change func(*Group) *patchError) {
	id := r.PathValue("group_id")
	s.mu.Lock()
	rec, found := s.groups[connID][id]
	if !found {
		s.mu.Unlock()
		writeGroupNotFound(w, id)
		return
	}
	g := rec.g.clone()
	if pe := change(&g); pe != nil {
		s.mu.Unlock()
		writePatchError(w, pe)
		return
	}
	g.Members = dedupe(g.Members)
	if pe := s.checkMembersLocked(connID, g.Members); pe != nil {
		s.mu.Unlock()
		writePatchError(w, pe)
		return
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		s.mu.Unlock()
		writePatchError(w, &patchError{"invalidValue", "Attribute 'displayName' is required"})
		return
	}
	if s.displayNameTakenLocked(connID, g.DisplayName, id) {
		s.mu.Unlock()
		WriteError(w, http.StatusConflict, "uniqueness", "Another group already has this displayName")
		return
	}
	g.Updated = timestamp(s.now())
	rec.g = g
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, groupResource(g, groupLocation(r, connID, id), true))
}

// applyGroupOp applies one PatchOp operation to a group. Both of Entra's member shapes are accepted (scim-groups.md
// §4): `{"op":"Add"|"Remove","path":"members","value":[{"value":"id"}]}` and, with aadOptscim062020,
// `{"op":"remove","path":"members[value eq \"id\"]"}`; displayName and externalId are replaced with or without a path.
func applyGroupOp(g *Group, op patchOp) *patchError {
	name := strings.ToLower(op.Op)
	if name != "add" && name != "replace" && name != "remove" {
		return &patchError{"invalidSyntax", fmt.Sprintf("unsupported op %q", op.Op)}
	}
	path := strings.TrimSpace(op.Path)
	if path == "" {
		if name == "remove" {
			return &patchError{"noTarget", "remove requires a path"}
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(op.Value, &obj); err != nil {
			return &patchError{"invalidValue", "an operation without a path needs an object value"}
		}
		for k, v := range obj {
			if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") {
				continue
			}
			if pe := applyGroupOp(g, patchOp{Op: op.Op, Path: k, Value: v}); pe != nil {
				return pe
			}
		}
		return nil
	}
	p, err := ParsePath(path)
	if err != nil {
		return &patchError{"invalidPath", fmt.Sprintf("invalid path %q: %v", path, err)}
	}
	switch strings.ToLower(p.Attr) {
	case "displayname", "externalid":
		var v *string
		if name != "remove" {
			if err := json.Unmarshal(op.Value, &v); err != nil || v == nil {
				return &patchError{"invalidValue", fmt.Sprintf("%s of %q needs a string value", name, p.Attr)}
			}
		}
		if strings.EqualFold(p.Attr, "displayName") {
			if v == nil {
				return &patchError{"mutability", "displayName is required and cannot be removed"}
			}
			if len(*v) > 128 {
				return &patchError{"invalidValue", "Attribute 'displayName' must be at most 128 characters"}
			}
			g.DisplayName = *v
		} else if v == nil {
			g.ExternalID = ""
		} else {
			g.ExternalID = *v
		}
		return nil
	case "members":
	default:
		return &patchError{"invalidPath", fmt.Sprintf("attribute %q cannot be changed on a group (displayName, externalId, members)", path)}
	}
	values, pe := memberValues(op.Value)
	if pe != nil {
		return pe
	}
	if p.Filter != nil {
		// members[value eq "id"]: only remove makes sense.
		if name != "remove" {
			return &patchError{"invalidPath", fmt.Sprintf("%s with a filtered members path is not supported", name)}
		}
		kept := g.Members[:0:0]
		for _, m := range g.Members {
			if !p.Filter.Match(map[string]any{"value": m}) {
				kept = append(kept, m)
			}
		}
		g.Members = kept
		return nil
	}
	switch name {
	case "add":
		g.Members = append(g.Members, values...)
	case "replace":
		g.Members = values
	case "remove":
		if op.Value == nil {
			g.Members = nil
			return nil
		}
		drop := map[string]bool{}
		for _, v := range values {
			drop[v] = true
		}
		kept := g.Members[:0:0]
		for _, m := range g.Members {
			if !drop[m] {
				kept = append(kept, m)
			}
		}
		g.Members = kept
	}
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	connID, _, ok := s.authorize(w, r, ScopeDeleteGroups)
	if !ok {
		return
	}
	id := r.PathValue("group_id")
	s.mu.Lock()
	_, found := s.groups[connID][id]
	delete(s.groups[connID], id)
	s.mu.Unlock()
	if !found {
		writeGroupNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
