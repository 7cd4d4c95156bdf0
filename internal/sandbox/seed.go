package sandbox

import (
	"fmt"
	"strings"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/entra"
)

// Seed holds the ids of the objects the sandbox seeds: the manual setup's starting point.
//
// An older `waad` connection keyed by the pairwise `sub` claim, an OIDC app registration used for login, and an
// "Engineering" group. Alice and Bob have already logged in through the connection, so they exist in Auth0 (matched
// by e-mail, since no externalId was ever written); Carol is in the group but has never logged in, so she is absent
// from Auth0 and provisioning her must fail while Create is deselected. Dave is in Entra only and not assigned.
type Seed struct {
	ConnectionID   string
	ConnectionName string
	OIDCAppID      string // appId (client id) of the OIDC app registration
	OIDCAppObject  string // object id of that application
	GroupID        string
	Users          []SeedUser
	// FleetConnectionIDs are the extra `waad` connections of Options.Connections (SANDBOX_CONNECTION_IDS).
	FleetConnectionIDs []string
}

// SeedUser is one seeded person in both clouds.
type SeedUser struct {
	Key         string // alice, bob, carol, dave
	EntraID     string
	UPN         string
	Mail        string
	InGroup     bool
	InAuth0     bool
	Auth0UserID string
}

// User returns the seeded user with the given key.
func (s Seed) User(key string) SeedUser {
	for _, u := range s.Users {
		if u.Key == key {
			return u
		}
	}
	return SeedUser{}
}

// Env returns the seeded ids as environment variables.
func (s Seed) Env() map[string]string {
	if s.ConnectionID == "" {
		return nil
	}
	env := map[string]string{
		"SANDBOX_CONNECTION_ID":   s.ConnectionID,
		"SANDBOX_CONNECTION_NAME": s.ConnectionName,
		"SANDBOX_OIDC_CLIENT_ID":  s.OIDCAppID,
		"SANDBOX_GROUP_ID":        s.GroupID,
	}
	// The acceptance suite's tenant fixture (internal/acctest): the sandbox stands in for the tenants.
	env["AUTH0ENTRA_ACC_CONNECTION_ID"] = s.ConnectionID
	env["AUTH0ENTRA_ACC_OIDC_CLIENT_ID"] = s.OIDCAppID
	env["AUTH0ENTRA_ACC_GROUP_ID"] = s.GroupID
	env["AUTH0ENTRA_ACC_PRESENT_USER_ID"] = s.User("alice").EntraID
	env["AUTH0ENTRA_ACC_ABSENT_USER_ID"] = s.User("carol").EntraID
	if len(s.FleetConnectionIDs) > 0 {
		env["SANDBOX_CONNECTION_IDS"] = strings.Join(s.FleetConnectionIDs, ",")
	}
	for _, u := range s.Users {
		env[fmt.Sprintf("SANDBOX_USER_%s_ID", upper(u.Key))] = u.EntraID
		env[fmt.Sprintf("SANDBOX_USER_%s_UPN", upper(u.Key))] = u.UPN
	}
	return env
}

// SeedConnectionName is the name of the seeded waad connection.
const SeedConnectionName = "entra-corp"

func (sb *Sandbox) seed() error {
	oidcAppID := newGUID()
	conn := fmt.Sprintf(`{"name":%q,"strategy":"waad","show_as_button":true,"options":{`+
		`"client_id":%q,"client_secret":"sandbox-oidc-secret","strategy_version":2,`+
		`"tenant_domain":"corp.example.onmicrosoft.com","domain":"corp.example.onmicrosoft.com","tenantId":%q,`+
		`"domain_aliases":["corp.example"],"identity_api":"microsoft-identity-platform-v2.0","waad_protocol":"openid-connect",`+
		`"use_wsfed":false,"useCommonEndpoint":false,"api_enable_users":true,"basic_profile":true,"ext_profile":true,`+
		`"ext_groups":true,"should_trust_email_verified_connection":"never_set_emails_as_verified",`+
		`"upstream_params":{"screen_name":{"alias":"login_hint"}},"userid_attribute":"sub"}}`,
		SeedConnectionName, oidcAppID, sb.EntraTenantID)
	connID, err := sb.Auth0.CreateConnection([]byte(conn))
	if err != nil {
		return err
	}
	appObj, err := sb.Entra.AddApplication(oidcAppID, "Auth0 login (corp)")
	if err != nil {
		return err
	}
	people := []struct {
		key, given, family string
		inGroup, inAuth0   bool
	}{
		{"alice", "Alice", "Anders", true, true},
		{"bob", "Bob", "Brown", true, true},
		{"carol", "Carol", "Chen", true, false},
		{"dave", "Dave", "Dietrich", false, false},
	}
	seed := Seed{ConnectionID: connID, ConnectionName: SeedConnectionName, OIDCAppID: oidcAppID, OIDCAppObject: appObj}
	var members []string
	for _, p := range people {
		upn := p.key + "@corp.example"
		id, err := sb.Entra.AddUser(entra.User{
			UserPrincipalName: upn, DisplayName: p.given + " " + p.family, GivenName: p.given, Surname: p.family,
			Mail: upn, MailNickname: p.key, JobTitle: "Engineer", Department: "Engineering", AccountEnabled: true,
		})
		if err != nil {
			return err
		}
		su := SeedUser{Key: p.key, EntraID: id, UPN: upn, Mail: upn, InGroup: p.inGroup, InAuth0: p.inAuth0}
		if p.inGroup {
			members = append(members, id)
		}
		if p.inAuth0 {
			// An older connection keys users by the pairwise `sub`, which is not the Entra object id.
			uid, err := sb.Auth0.AddUser(connID, auth0.User{
				UserID: "waad|" + SeedConnectionName + "|" + randomID(43), Email: upn,
				Name: p.given + " " + p.family, GivenName: p.given, FamilyName: p.family, Username: p.key,
			})
			if err != nil {
				return err
			}
			su.Auth0UserID = uid
		}
		seed.Users = append(seed.Users, su)
	}
	gid, err := sb.Entra.AddGroup("Engineering", members)
	if err != nil {
		return err
	}
	seed.GroupID = gid
	sb.Seed = seed
	return nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
