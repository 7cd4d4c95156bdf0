package entra

import (
	"net/http"
)

// Users and groups: read-only over Graph (the sandbox's directory is seeded through AddUser and AddGroup).

// userDefaultSelect is the property set Graph v1.0 returns for a user without $select.
var userDefaultSelect = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

var (
	userFilterable  = []string{"id", "userPrincipalName", "mail", "mailNickname", "displayName", "givenName", "surname", "accountEnabled", "employeeId", "department", "jobTitle", "userType"}
	groupFilterable = []string{"id", "displayName", "mailNickname", "mail", "securityEnabled", "mailEnabled"}
)

// props renders every property the sandbox knows for a user.
func (u *user) props() map[string]any {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	phones := []any{}
	for _, p := range u.BusinessPhones {
		phones = append(phones, p)
	}
	return map[string]any{
		"@odata.type":       "#microsoft.graph.user",
		"id":                u.ID,
		"userPrincipalName": u.UserPrincipalName,
		"displayName":       str(u.DisplayName),
		"givenName":         str(u.GivenName),
		"surname":           str(u.Surname),
		"mail":              str(u.Mail),
		"mailNickname":      str(u.MailNickname),
		"jobTitle":          str(u.JobTitle),
		"department":        str(u.Department),
		"accountEnabled":    u.AccountEnabled,
		"employeeId":        str(u.EmployeeID),
		"preferredLanguage": str(u.PreferredLanguage),
		"mobilePhone":       str(u.MobilePhone),
		"businessPhones":    phones,
		"faxNumber":         str(u.FaxNumber),
		"officeLocation":    str(u.OfficeLocation),
		"streetAddress":     str(u.StreetAddress),
		"city":              str(u.City),
		"state":             str(u.State),
		"postalCode":        str(u.PostalCode),
		"country":           str(u.Country),
		"userType":          "Member",
		"createdDateTime":   graphTime(u.created),
	}
}

func (g *group) props() map[string]any {
	var desc any
	if g.description != "" {
		desc = g.description
	}
	p := map[string]any{
		"@odata.type":     "#microsoft.graph.group",
		"id":              g.id,
		"displayName":     g.displayName,
		"description":     desc,
		"mail":            nil,
		"mailEnabled":     false,
		"mailNickname":    g.id[:8],
		"securityEnabled": true,
		"groupTypes":      []any{},
		"visibility":      nil,
		"createdDateTime": graphTime(g.created),
	}
	for k := range p {
		if v, ok := g.extra[k]; ok {
			p[k] = copyValue(v)
		}
	}
	return p
}

// withoutType is an object's properties as its own entity set shows them: without the @odata.type a
// directoryObject collection adds.
func withoutType(p map[string]any) map[string]any {
	delete(p, "@odata.type")
	return p
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	listVisible(s, w, r, "v1.0", "users", "user", func() map[string]*user { return s.users },
		func(u *user) map[string]any { return withoutType(u.props()) }, userFilterable, userDefaultSelect)
}

// getUser serves GET /users/{id}, where id is an object id or a userPrincipalName.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.getObject(w, r, id, "v1.0", "users/$entity", "user", userDefaultSelect, func() (map[string]any, bool) {
		if u := s.userLocked(id, true); u != nil {
			return withoutType(u.props()), true
		}
		return nil, false
	})
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	listVisible(s, w, r, "v1.0", "groups", "group", func() map[string]*group { return s.groups },
		func(g *group) map[string]any { return withoutType(g.props()) }, groupFilterable, nil)
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.getObject(w, r, id, "v1.0", "groups/$entity", "group", nil, func() (map[string]any, bool) {
		if g := s.visibleGroupLocked(id); g != nil {
			return withoutType(g.props()), true
		}
		return nil, false
	})
}

// listGroupMembers serves GET /groups/{id}/members: directoryObjects with @odata.type.
func (s *Server) listGroupMembers(w http.ResponseWriter, r *http.Request) {
	s.listRelated(w, r, "v1.0", func(id string) ([]map[string]any, bool) {
		g := s.visibleGroupLocked(id)
		if g == nil {
			return nil, false
		}
		var items []map[string]any
		for _, id := range g.members {
			if u := s.users[id]; u != nil {
				p := u.props()
				sel, _ := selectProps(p, "", userDefaultSelect, "user")
				items = append(items, sel)
			} else if m := s.groups[id]; m != nil {
				items = append(items, m.props())
			}
		}
		return items, true
	})
}
