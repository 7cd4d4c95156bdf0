package scim

import "net/http"

// Discovery endpoints (RFC 7644 §4). What Auth0 serves here is UNKNOWN (auth0-management-api.md §10.3); the sandbox
// serves minimal RFC 7643 documents describing what it implements, to any valid token of the connection whatever its
// scopes.

func (s *Server) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.authorize(w, r, ""); !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":        []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": maxResults},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": false},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "Authentication with a SCIM token generated for the connection",
		}},
	})
}

func (s *Server) resourceTypes(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.authorize(w, r, ""); !ok {
		return
	}
	user := map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
		"id":               "User",
		"name":             "User",
		"endpoint":         "/Users",
		"schema":           CoreUserSchema,
		"schemaExtensions": []any{map[string]any{"schema": EnterpriseUserSchema, "required": false}},
	}
	writeJSON(w, http.StatusOK, listResponse{
		Schemas: []string{ListResponseSchema}, TotalResults: 1, Resources: []any{user}, StartIndex: 1, ItemsPerPage: 1,
	})
}

func (s *Server) schemas(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.authorize(w, r, ""); !ok {
		return
	}
	attr := func(name, typ string, multi bool, sub ...map[string]any) map[string]any {
		a := map[string]any{"name": name, "type": typ, "multiValued": multi, "required": name == "userName"}
		if len(sub) > 0 {
			a["subAttributes"] = sub
		}
		return a
	}
	str := func(name string) map[string]any { return attr(name, "string", false) }
	typed := []map[string]any{str("type"), str("value"), attr("primary", "boolean", false)}
	core := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
		"id":      CoreUserSchema, "name": "User", "description": "User Account",
		"attributes": []any{
			str("userName"), str("externalId"), str("displayName"), str("nickName"), str("profileUrl"),
			str("title"), str("userType"), str("preferredLanguage"), str("locale"), str("timezone"),
			attr("active", "boolean", false),
			attr("name", "complex", false, str("formatted"), str("familyName"), str("givenName"), str("middleName"),
				str("honorificPrefix"), str("honorificSuffix")),
			attr("emails", "complex", true, typed...),
			attr("phoneNumbers", "complex", true, typed...),
			attr("photos", "complex", true, typed...),
			attr("addresses", "complex", true, str("type"), str("formatted"), str("streetAddress"), str("locality"),
				str("region"), str("postalCode"), str("country")),
		},
	}
	enterprise := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
		"id":      EnterpriseUserSchema, "name": "EnterpriseUser", "description": "Enterprise User",
		"attributes": []any{
			str("employeeNumber"), str("costCenter"), str("organization"), str("division"), str("department"),
			attr("manager", "complex", false, str("value"), str("displayName")),
		},
	}
	writeJSON(w, http.StatusOK, listResponse{
		Schemas: []string{ListResponseSchema}, TotalResults: 2, Resources: []any{core, enterprise}, StartIndex: 1, ItemsPerPage: 2,
	})
}
