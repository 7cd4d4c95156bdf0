package auth0

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"
)

// User is an Auth0 user profile as the sandbox stores it. Attributes holds every other root attribute of the
// profile (e.g. upn, preferred_username, identities, or whatever name a SCIM mapping writes to).
type User struct {
	UserID      string         `json:"user_id,omitempty"`
	Email       string         `json:"email,omitempty"`
	Name        string         `json:"name,omitempty"`
	GivenName   string         `json:"given_name,omitempty"`
	FamilyName  string         `json:"family_name,omitempty"`
	Nickname    string         `json:"nickname,omitempty"`
	Picture     string         `json:"picture,omitempty"`
	Username    string         `json:"username,omitempty"`
	Blocked     bool           `json:"blocked,omitempty"`
	AppMetadata map[string]any `json:"app_metadata,omitempty"`
	CreatedAt   string         `json:"created_at,omitempty"`
	UpdatedAt   string         `json:"updated_at,omitempty"`
	Attributes  map[string]any `json:"-"`
}

// userFields are the JSON names of User's typed fields.
var userFields = []string{
	"user_id", "email", "name", "given_name", "family_name", "nickname", "picture", "username", "blocked",
	"app_metadata", "created_at", "updated_at",
}

// Attr returns the profile attribute at a dotted name, as a SCIM mapping addresses it (e.g. "upn",
// "app_metadata.external_id", "blocked").
func (u User) Attr(name string) (any, bool) {
	return u.profile().Get(name)
}

// profile converts the user to the JSON profile the SCIM server works on.
func (u User) profile() scim.Profile {
	b, err := json.Marshal(u)
	if err != nil {
		panic(fmt.Sprintf("auth0: user: %v", err))
	}
	p := scim.Profile{}
	_ = json.Unmarshal(b, &p)
	for k, v := range u.Attributes {
		if !contains(userFields, k) {
			p[k] = v
		}
	}
	return p
}

// userFromProfile converts a stored profile back to a User.
func userFromProfile(p scim.Profile) User {
	var u User
	b, _ := json.Marshal(p)
	_ = json.Unmarshal(b, &u)
	for k, v := range p {
		if contains(userFields, k) {
			continue
		}
		if u.Attributes == nil {
			u.Attributes = map[string]any{}
		}
		u.Attributes[k] = v
	}
	return u
}

// AddUser stores an Auth0 user of a connection, as if they had already logged in through it; returns the user_id.
// An empty UserID gets "{strategy}|{connection name}|{random}".
func (s *Server) AddUser(connectionID string, u User) (string, error) {
	s.mu.Lock()
	c, ok := s.connections[connectionID]
	var strategy, name string
	if ok {
		strategy, name = c.strategy, c.name
	}
	s.mu.Unlock()
	if !ok {
		return "", ErrConnectionNotFound
	}
	if u.UserID == "" {
		u.UserID = strategy + "|" + name + "|" + randomAlnum(24)
	}
	p := u.profile()
	if _, ok := p["identities"]; !ok {
		_, idpID, _ := strings.Cut(strings.TrimPrefix(u.UserID, strategy+"|"), "|")
		if idpID == "" {
			idpID = u.UserID
		}
		p["identities"] = []any{map[string]any{"provider": strategy, "connection": name, "user_id": idpID, "isSocial": false}}
	}
	if err := s.scim.AddUser(connectionID, p); err != nil {
		return "", err
	}
	return u.UserID, nil
}

// ListUsers returns the connection's users, oldest first (those added with AddUser and those provisioned by SCIM).
func (s *Server) ListUsers(connectionID string) []User {
	profiles := s.scim.Users(connectionID)
	out := make([]User, len(profiles))
	for i, p := range profiles {
		out[i] = userFromProfile(p)
	}
	return out
}

// GetUser returns one user of the connection.
func (s *Server) GetUser(connectionID, userID string) (User, bool) {
	p, ok := s.scim.User(connectionID, userID)
	if !ok {
		return User{}, false
	}
	return userFromProfile(p), true
}

// UpdateUser changes a user's profile (e.g. to make drift from a test); user_id cannot change.
func (s *Server) UpdateUser(connectionID, userID string, fn func(*User)) error {
	return s.scim.UpdateUser(connectionID, userID, func(p scim.Profile) {
		u := userFromProfile(p)
		fn(&u)
		np := u.profile()
		for k := range p {
			delete(p, k)
		}
		for k, v := range np {
			p[k] = v
		}
	})
}

// DeleteUser removes a user of the connection; it reports whether the user existed.
func (s *Server) DeleteUser(connectionID, userID string) bool {
	return s.scim.DeleteUser(connectionID, userID)
}
