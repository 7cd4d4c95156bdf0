// Package scim plays Auth0's inbound SCIM 2.0 server (auth0-management-api.md §10): /scim/v2/connections/{id}/Users and
// /Groups, with bearer tokens issued by the Management API, a scope per operation, `eq`/`and`/`or` filters, and the
// connection's attribute mapping applied in both directions between SCIM resources and Auth0 user profiles.
//
// The package owns the tenant's users; the Auth0 side (package auth0) supplies the connections' SCIM configurations
// and checks tokens through the Tenant interface.
package scim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// Tenant is what the SCIM server needs from the Auth0 tenant.
type Tenant interface {
	// Configuration returns the connection's SCIM configuration; false when the connection does not exist or has
	// no SCIM configuration.
	Configuration(connectionID string) (Configuration, bool)
	// Authorize checks a SCIM bearer token of the connection, records its use and returns its scopes. It returns
	// ErrInvalidToken or ErrExpiredToken when the token cannot be used.
	Authorize(connectionID, token string) ([]string, error)
}

// Errors Tenant.Authorize returns; their text is the SCIM error detail, hence the capitals.
var (
	ErrInvalidToken error = tokenError("Invalid token")
	ErrExpiredToken error = tokenError("Expired token")
)

// tokenError is an error whose text is Auth0's SCIM error detail for an unusable token, capitalised as Auth0 writes it.
type tokenError string

func (e tokenError) Error() string { return string(e) }

// Scopes of SCIM tokens, one per operation (auth0-management-api.md §10.1).
const (
	ScopeGetUsers    = "get:users"
	ScopePostUsers   = "post:users"
	ScopePutUsers    = "put:users"
	ScopePatchUsers  = "patch:users"
	ScopeDeleteUsers = "delete:users"
)

// Prefix is the path under which each connection's SCIM endpoint lives: {Prefix}{connection_id}.
const Prefix = "/scim/v2/connections/"

// maxResults caps a page of search results (advertised in /ServiceProviderConfig). Auth0's limit is UNKNOWN.
const maxResults = 100

// Server is the inbound SCIM server and the tenant's user store.
type Server struct {
	tenant Tenant
	now    func() time.Time

	mu     sync.Mutex
	users  map[string]map[string]*userRecord  // connection id → user_id → user
	groups map[string]map[string]*groupRecord // connection id → group id → group (groups.go)
	seq    int64
}

// New returns a server with no users. now is the clock (time.Now when nil).
func New(tenant Tenant, now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	return &Server{tenant: tenant, now: now, users: map[string]map[string]*userRecord{}}
}

// Register mounts the SCIM routes on rt.
func (s *Server) Register(rt *router.Router) {
	const base = "/scim/v2/connections/{connection_id}"
	rt.Handle("GET "+base+"/Users", s.listUsers)
	rt.Handle("POST "+base+"/Users", s.createUser)
	rt.Handle("GET "+base+"/Users/{user_id}", s.getUser)
	rt.Handle("PUT "+base+"/Users/{user_id}", s.replaceUser)
	rt.Handle("PATCH "+base+"/Users/{user_id}", s.patchUser)
	rt.Handle("DELETE "+base+"/Users/{user_id}", s.deleteUser)
	rt.Handle("GET "+base+"/Groups", s.listGroups)
	rt.Handle("POST "+base+"/Groups", s.createGroup)
	rt.Handle("GET "+base+"/Groups/{group_id}", s.getGroup)
	rt.Handle("PUT "+base+"/Groups/{group_id}", s.replaceGroup)
	rt.Handle("PATCH "+base+"/Groups/{group_id}", s.patchGroup)
	rt.Handle("DELETE "+base+"/Groups/{group_id}", s.deleteGroup)
	rt.Handle("GET "+base+"/ServiceProviderConfig", s.serviceProviderConfig)
	rt.Handle("GET "+base+"/Schemas", s.schemas)
	rt.Handle("GET "+base+"/ResourceTypes", s.resourceTypes)
	rt.Handle("/scim/v2/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "", "Not Found")
	})
}

// authorize resolves the connection's configuration and checks the bearer token and its scope. It writes the error
// response and returns false when the request may not proceed. scope "" accepts any valid token.
//
// A connection without SCIM configuration answers 404 before the token is looked at (deleting the configuration
// also deletes its tokens, so a 401 would hide the cause).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string) (string, Configuration, bool) {
	connID := r.PathValue("connection_id")
	cfg, ok := s.tenant.Configuration(connID)
	if !ok {
		WriteError(w, http.StatusNotFound, "", "SCIM is not enabled for this connection")
		return "", Configuration{}, false
	}
	token, ok := bearer(r)
	if !ok {
		WriteError(w, http.StatusUnauthorized, "", "Missing bearer token")
		return "", Configuration{}, false
	}
	scopes, err := s.tenant.Authorize(connID, token)
	if err != nil {
		// The status for an expired token is UNKNOWN (auth0-management-api.md §10.3); 401 as suggested.
		WriteError(w, http.StatusUnauthorized, "", err.Error())
		return "", Configuration{}, false
	}
	if scope != "" && !contains(scopes, scope) {
		// UNKNOWN (auth0-management-api.md §10.3): 403 with the RFC error schema, as suggested.
		WriteError(w, http.StatusForbidden, "", "Insufficient scope, expected any of: "+scope)
		return "", Configuration{}, false
	}
	return connID, cfg, true
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// location is the URL of a user resource as the client reached the server.
func location(r *http.Request, connID, userID string) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host + Prefix + url.PathEscape(connID) + "/Users/" + url.PathEscape(userID)
}

// listResponse is RFC 7644 §3.4.2's ListResponse, keys in the order Auth0 is expected to send them.
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	Resources    []any    `json:"Resources"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	connID, cfg, ok := s.authorize(w, r, ScopeGetUsers)
	if !ok {
		return
	}
	filter, ok := readFilter(w, r.URL.Query(), nil)
	if !ok {
		return
	}
	rows := compile(cfg.Mapping)
	var matched []any
	for _, p := range s.Users(connID) {
		res := resource(rows, p, location(r, connID, p.UserID()))
		if filter == nil || filter.Match(res) {
			matched = append(matched, res)
		}
	}
	writeList(w, r.URL.Query(), matched)
}

// readFilter parses the list request's filter (nil when there is none). refuse, when not nil, names what a resource
// type does not support in the filters it parses ("" for none). It writes the 400 invalidFilter and reports false
// when the filter is refused.
func readFilter(w http.ResponseWriter, q url.Values, refuse func(Filter) string) (Filter, bool) {
	fs := q.Get("filter")
	if fs == "" {
		return nil, true
	}
	f, err := ParseFilter(fs)
	if err != nil {
		WriteError(w, http.StatusBadRequest, "invalidFilter", err.Error())
		return nil, false
	}
	if refuse != nil {
		if detail := refuse(f); detail != "" {
			WriteError(w, http.StatusBadRequest, "invalidFilter", detail)
			return nil, false
		}
	}
	return f, true
}

// writeList answers a ListResponse with the page of matched that startIndex (1-based, at least 1) and count (0 to
// maxResults, maxResults when absent) select.
func writeList(w http.ResponseWriter, q url.Values, matched []any) {
	start := max(intParam(q.Get("startIndex"), 1), 1)
	count := min(max(intParam(q.Get("count"), maxResults), 0), maxResults)
	page := []any{}
	if start-1 < len(matched) {
		page = matched[start-1 : min(start-1+count, len(matched))]
	}
	writeJSON(w, http.StatusOK, listResponse{
		Schemas:      []string{ListResponseSchema},
		TotalResults: len(matched),
		Resources:    page,
		StartIndex:   start,
		ItemsPerPage: len(page),
	})
}

func intParam(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	connID, cfg, ok := s.authorize(w, r, ScopeGetUsers)
	if !ok {
		return
	}
	userID := r.PathValue("user_id")
	p, found := s.User(connID, userID)
	if !found {
		writeNotFound(w, userID)
		return
	}
	writeJSON(w, http.StatusOK, resource(compile(cfg.Mapping), p, location(r, connID, userID)))
}

func writeNotFound(w http.ResponseWriter, userID string) {
	WriteError(w, http.StatusNotFound, "", "User "+userID+" not found")
}

// authorizeBody is authorize followed by readObject of the body into v: both write their error and report false.
func (s *Server) authorizeBody(w http.ResponseWriter, r *http.Request, scope string, v any) (string, Configuration, bool) {
	connID, cfg, ok := s.authorize(w, r, scope)
	if !ok || !readObject(w, r, v) {
		return "", Configuration{}, false
	}
	return connID, cfg, true
}

// readObject decodes a JSON object request body, writing a 400 on failure.
func readObject(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		WriteError(w, http.StatusBadRequest, "invalidSyntax", "Request body is not a valid JSON object: "+err.Error())
		return false
	}
	return true
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	connID, cfg, ok := s.authorizeBody(w, r, ScopePostUsers, &body)
	if !ok {
		return
	}
	userNameValue, ok := Path{Attr: "userName"}.Value(body)
	userName, isStr := userNameValue.(string)
	if !ok || !isStr || userName == "" {
		WriteError(w, http.StatusBadRequest, "invalidValue", "Attribute 'userName' is required")
		return
	}
	// The Auth0 user_id is built from the attribute the configuration names, so that the provisioned user is the one
	// who later logs in through the connection. Its absence is an error (UNKNOWN in auth0-management-api.md).
	idValue := ""
	if p, err := ParsePath(cfg.UserIDAttribute); err == nil {
		if v, ok := p.Value(body); ok {
			idValue, _ = v.(string)
		}
	}
	if idValue == "" {
		WriteError(w, http.StatusBadRequest, "invalidValue",
			"Attribute '"+cfg.UserIDAttribute+"' (the connection's user_id_attribute) is required")
		return
	}
	rows := compile(cfg.Mapping)
	p := Profile{}
	apply(rows, body, p, false)
	now := timestamp(s.now())
	userID := cfg.Strategy + "|" + cfg.ConnectionName + "|" + idValue
	p["user_id"] = userID
	p["identities"] = []any{map[string]any{
		"provider": cfg.Strategy, "connection": cfg.ConnectionName, "user_id": idValue, "isSocial": false,
	}}
	p["created_at"] = now
	p["updated_at"] = now

	s.mu.Lock()
	if s.userNameTakenLocked(connID, rows, userName, "") {
		s.mu.Unlock()
		WriteError(w, http.StatusConflict, "uniqueness", "User with userName "+userName+" already exists")
		return
	}
	err := s.insertLocked(connID, p)
	s.mu.Unlock()
	if err != nil {
		WriteError(w, http.StatusConflict, "uniqueness", "User "+userID+" already exists")
		return
	}
	loc := location(r, connID, userID)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusCreated, resource(rows, p, loc))
}

func (s *Server) replaceUser(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	connID, cfg, ok := s.authorizeBody(w, r, ScopePutUsers, &body)
	if !ok {
		return
	}
	s.update(w, r, connID, cfg, func(map[string]any) (map[string]any, error) { return body, nil })
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	var req patchRequest
	connID, cfg, ok := s.authorizeBody(w, r, ScopePatchUsers, &req)
	if !ok {
		return
	}
	s.update(w, r, connID, cfg, func(res map[string]any) (map[string]any, error) {
		return res, applyPatch(res, req.Operations)
	})
}

// update runs a PUT or PATCH: change computes the new SCIM attributes from the currently rendered ones; they are
// stored back through the mapping, replacing every mapped attribute.
func (s *Server) update(w http.ResponseWriter, r *http.Request, connID string, cfg Configuration,
	change func(current map[string]any) (map[string]any, error)) {
	userID := r.PathValue("user_id")
	rows := compile(cfg.Mapping)

	s.mu.Lock()
	rec, found := s.users[connID][userID]
	if !found {
		s.mu.Unlock()
		writeNotFound(w, userID)
		return
	}
	res, err := change(render(rows, rec.profile))
	if err != nil {
		s.mu.Unlock()
		var pe *patchError
		if errors.As(err, &pe) {
			WriteError(w, http.StatusBadRequest, pe.scimType, pe.detail)
		} else {
			WriteError(w, http.StatusBadRequest, "invalidValue", err.Error())
		}
		return
	}
	if v, ok := (Path{Attr: "userName"}).Value(res); ok && s.userNameTakenLocked(connID, rows, v, userID) {
		s.mu.Unlock()
		WriteError(w, http.StatusConflict, "uniqueness", "Another user already has this userName")
		return
	}
	p := rec.profile.Clone()
	apply(rows, res, p, true)
	p["user_id"] = userID
	p["updated_at"] = timestamp(s.now())
	rec.profile = p
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, resource(rows, p, location(r, connID, userID)))
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	connID, _, ok := s.authorize(w, r, ScopeDeleteUsers)
	if !ok {
		return
	}
	userID := r.PathValue("user_id")
	if !s.DeleteUser(connID, userID) {
		writeNotFound(w, userID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
