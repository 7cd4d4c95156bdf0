package scim

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrUserExists is returned when a user_id or userName is already taken in the connection.
var ErrUserExists = errors.New("user already exists")

// ErrUserNotFound is returned for an unknown user.
var ErrUserNotFound = errors.New("user not found")

type userRecord struct {
	seq     int64
	profile Profile
}

// AddUser stores a user of the connection, as if they had logged in through it (not provisioned by SCIM).
// The profile must hold user_id; created_at and updated_at are set when missing.
func (s *Server) AddUser(connectionID string, p Profile) error {
	id := p.UserID()
	if id == "" {
		return errors.New("scim: profile has no user_id")
	}
	p = p.Clone()
	now := timestamp(s.now())
	if _, ok := p["created_at"]; !ok {
		p["created_at"] = now
	}
	if _, ok := p["updated_at"]; !ok {
		p["updated_at"] = now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertLocked(connectionID, p)
}

func (s *Server) insertLocked(connectionID string, p Profile) error {
	users := s.users[connectionID]
	if users == nil {
		users = map[string]*userRecord{}
		s.users[connectionID] = users
	}
	if _, ok := users[p.UserID()]; ok {
		return fmt.Errorf("%w: %s", ErrUserExists, p.UserID())
	}
	s.seq++
	users[p.UserID()] = &userRecord{seq: s.seq, profile: p}
	return nil
}

// Users returns copies of the connection's users, oldest first.
func (s *Server) Users(connectionID string) []Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.sortedLocked(connectionID)
	out := make([]Profile, len(recs))
	for i, r := range recs {
		out[i] = r.profile.Clone()
	}
	return out
}

// User returns a copy of one user of the connection.
func (s *Server) User(connectionID, userID string) (Profile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[connectionID][userID]
	if !ok {
		return nil, false
	}
	return r.profile.Clone(), true
}

// UpdateUser changes a user's profile in place (e.g. to make drift from a test); user_id cannot change.
func (s *Server) UpdateUser(connectionID, userID string, fn func(Profile)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[connectionID][userID]
	if !ok {
		return ErrUserNotFound
	}
	p := r.profile.Clone()
	fn(p)
	p["user_id"] = userID
	p["updated_at"] = timestamp(s.now())
	r.profile = p
	return nil
}

// DeleteUser removes a user; it reports whether the user existed.
func (s *Server) DeleteUser(connectionID, userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[connectionID][userID]; !ok {
		return false
	}
	delete(s.users[connectionID], userID)
	s.removeMemberLocked(connectionID, userID)
	return true
}

// DeleteConnection removes every user of the connection (Auth0 deletes a connection's users with it).
func (s *Server) DeleteConnection(connectionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, connectionID)
	delete(s.groups, connectionID)
}

// Resource renders a user as the SCIM server would return it, through the connection's current mapping.
func (s *Server) Resource(connectionID, userID string) (map[string]any, error) {
	cfg, ok := s.tenant.Configuration(connectionID)
	if !ok {
		return nil, errors.New("scim: the connection has no SCIM configuration")
	}
	p, ok := s.User(connectionID, userID)
	if !ok {
		return nil, ErrUserNotFound
	}
	return resource(compile(cfg.Mapping), p, ""), nil
}

func (s *Server) sortedLocked(connectionID string) []*userRecord {
	users := s.users[connectionID]
	recs := make([]*userRecord, 0, len(users))
	for _, r := range users {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	return recs
}

// userNameTakenLocked reports whether another user of the connection already renders the given userName.
func (s *Server) userNameTakenLocked(connectionID string, rows []row, userName any, exceptID string) bool {
	name, ok := userName.(string)
	if !ok || name == "" {
		return false
	}
	userNamePath := Path{Attr: "userName"}
	for id, r := range s.users[connectionID] {
		if id == exceptID {
			continue
		}
		if v, ok := userNamePath.Value(render(rows, r.profile)); ok {
			if str, isStr := v.(string); isStr && strings.EqualFold(str, name) {
				return true
			}
		}
	}
	return false
}

// resource renders a complete SCIM User: schemas, id, the mapped attributes and meta.
func resource(rows []row, p Profile, location string) map[string]any {
	res := render(rows, p)
	schemas := []any{CoreUserSchema}
	if _, _, ok := lookup(res, EnterpriseUserSchema); ok {
		schemas = append(schemas, EnterpriseUserSchema)
	}
	res["schemas"] = schemas
	res["id"] = p.UserID()
	meta := map[string]any{"resourceType": "User"}
	if v, ok := p["created_at"].(string); ok {
		meta["created"] = v
	}
	if v, ok := p["updated_at"].(string); ok {
		meta["lastModified"] = v
	}
	if location != "" {
		meta["location"] = location
	}
	res["meta"] = meta
	return res
}

// timestamp formats t as Auth0 does: ISO-8601 with milliseconds and Z.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
