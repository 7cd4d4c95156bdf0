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

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	us := visibleInOrder(s.users, s.now())
	items := make([]map[string]any, len(us))
	for i, u := range us {
		items[i] = u.props()
		delete(items[i], "@odata.type")
	}
	s.mu.Unlock()
	s.listQuery(w, r, "users", "user", items, userFilterable, userDefaultSelect)
}

// getUser serves GET /users/{id}, where id is an object id or a userPrincipalName.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u := s.userLocked(r.PathValue("id"), true)
	var obj map[string]any
	if u != nil {
		obj = u.props()
		delete(obj, "@odata.type")
	}
	s.mu.Unlock()
	if u == nil {
		s.notFound(w, r, r.PathValue("id"))
		return
	}
	s.writeEntity(w, r, "users/$entity", "user", obj, userDefaultSelect)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gs := visibleInOrder(s.groups, s.now())
	items := make([]map[string]any, len(gs))
	for i, g := range gs {
		items[i] = g.props()
		delete(items[i], "@odata.type")
	}
	s.mu.Unlock()
	s.listQuery(w, r, "groups", "group", items, groupFilterable, nil)
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g := s.visibleGroupLocked(r.PathValue("id"))
	var obj map[string]any
	if g != nil {
		obj = g.props()
		delete(obj, "@odata.type")
	}
	s.mu.Unlock()
	if g == nil {
		s.notFound(w, r, r.PathValue("id"))
		return
	}
	s.writeEntity(w, r, "groups/$entity", "group", obj, nil)
}

// listGroupMembers serves GET /groups/{id}/members: directoryObjects with @odata.type.
func (s *Server) listGroupMembers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g := s.visibleGroupLocked(r.PathValue("id"))
	var items []map[string]any
	if g != nil {
		for _, id := range g.members {
			if u := s.users[id]; u != nil {
				p := u.props()
				sel, _ := selectProps(p, "", userDefaultSelect, "user")
				items = append(items, sel)
			} else if m := s.groups[id]; m != nil {
				items = append(items, m.props())
			}
		}
	}
	s.mu.Unlock()
	if g == nil {
		s.notFound(w, r, r.PathValue("id"))
		return
	}
	if items == nil {
		items = []map[string]any{}
	}
	s.listQuery(w, r, "directoryObjects", "directoryObject", items, []string{"id", "displayName"}, nil)
}
