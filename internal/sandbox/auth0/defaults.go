package auth0

import "github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/scim"

// Mapping is one row of a SCIM attribute mapping.
type Mapping = scim.Mapping

// defaultMapping returns a copy of the strategy's default SCIM mapping, and its default user_id_attribute.
func defaultMapping(strategy string) ([]Mapping, string) {
	switch strategy {
	case StrategyAzureAD:
		return append([]Mapping(nil), waadDefaultMapping...), "externalId"
	case StrategySAML:
		// The samlp default mapping is UNKNOWN (never recorded); the OIDC-family rows are served. Its
		// user_id_attribute, userName, is DOCUMENTED (auth0-management-api.md §4.2).
		return append([]Mapping(nil), oidcDefaultMapping...), "userName"
	default:
		return append([]Mapping(nil), oidcDefaultMapping...), "externalId"
	}
}

// waadDefaultMapping is the 30-row default of a waad connection (OBSERVED, auth0-management-api.md §4.1). GET
// default-mapping was never recorded for waad; serving the same rows is what auth0-management-api.md §4.1 suggests
// (UNKNOWN).
var waadDefaultMapping = []Mapping{
	{Auth0: "upn", SCIM: "userName"},
	{Auth0: "email", SCIM: "emails[type eq \"work\"].value"},
	{Auth0: "app_metadata.external_id", SCIM: "externalId"},
	{Auth0: "blocked", SCIM: "active"},
	{Auth0: "name", SCIM: "displayName"},
	{Auth0: "given_name", SCIM: "name.givenName"},
	{Auth0: "family_name", SCIM: "name.familyName"},
	{Auth0: "nickname", SCIM: "nickName"},
	{Auth0: "picture", SCIM: "photos[type eq \"photo\"].value"},
	{Auth0: "app_metadata.work_phone_number", SCIM: "phoneNumbers[type eq \"work\"].value"},
	{Auth0: "app_metadata.mobile_phone_number", SCIM: "phoneNumbers[type eq \"mobile\"].value"},
	{Auth0: "app_metadata.fax_number", SCIM: "phoneNumbers[type eq \"fax\"].value"},
	{Auth0: "app_metadata.street_address", SCIM: "addresses[type eq \"work\"].streetAddress"},
	{Auth0: "app_metadata.city", SCIM: "addresses[type eq \"work\"].locality"},
	{Auth0: "app_metadata.state", SCIM: "addresses[type eq \"work\"].region"},
	{Auth0: "app_metadata.postal_code", SCIM: "addresses[type eq \"work\"].postalCode"},
	{Auth0: "app_metadata.postal_address", SCIM: "addresses[type eq \"work\"].formatted"},
	{Auth0: "app_metadata.country", SCIM: "addresses[type eq \"work\"].country"},
	{Auth0: "app_metadata.profile_url", SCIM: "profileUrl"},
	{Auth0: "app_metadata.user_type", SCIM: "userType"},
	{Auth0: "app_metadata.title", SCIM: "title"},
	{Auth0: "app_metadata.language", SCIM: "preferredLanguage"},
	{Auth0: "app_metadata.locale", SCIM: "locale"},
	{Auth0: "app_metadata.timezone", SCIM: "timezone"},
	{Auth0: "app_metadata.employee_id", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber"},
	{Auth0: "app_metadata.cost_center", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.costCenter"},
	{Auth0: "app_metadata.organization", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.organization"},
	{Auth0: "app_metadata.division", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.division"},
	{Auth0: "app_metadata.department", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"},
	{Auth0: "app_metadata.manager", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"},
}

// oidcDefaultMapping is the 32-row default of okta (and, by the OIDC family, oidc) connections (OBSERVED,
// auth0-management-api.md §4.2): the same rows, in the same order, from POST with an empty body and from GET
// default-mapping.
var oidcDefaultMapping = []Mapping{
	{Auth0: "preferred_username", SCIM: "userName"},
	{Auth0: "email", SCIM: "emails[primary eq true].value"},
	{Auth0: "app_metadata.external_id", SCIM: "externalId"},
	{Auth0: "blocked", SCIM: "active"},
	{Auth0: "name", SCIM: "displayName"},
	{Auth0: "given_name", SCIM: "name.givenName"},
	{Auth0: "family_name", SCIM: "name.familyName"},
	{Auth0: "app_metadata.middle_name", SCIM: "name.middleName"},
	{Auth0: "app_metadata.honorific_prefix", SCIM: "name.honorificPrefix"},
	{Auth0: "app_metadata.honorific_suffix", SCIM: "name.honorificSuffix"},
	{Auth0: "nickname", SCIM: "nickName"},
	{Auth0: "picture", SCIM: "photos[type eq \"photo\"].value"},
	{Auth0: "app_metadata.primary_phone_number", SCIM: "phoneNumbers[primary eq true].value"},
	{Auth0: "app_metadata.mobile_phone_number", SCIM: "phoneNumbers[type eq \"mobile\"].value"},
	{Auth0: "app_metadata.street_address", SCIM: "addresses[type eq \"work\"].streetAddress"},
	{Auth0: "app_metadata.city", SCIM: "addresses[type eq \"work\"].locality"},
	{Auth0: "app_metadata.state", SCIM: "addresses[type eq \"work\"].region"},
	{Auth0: "app_metadata.postal_code", SCIM: "addresses[type eq \"work\"].postalCode"},
	{Auth0: "app_metadata.postal_address", SCIM: "addresses[type eq \"work\"].formatted"},
	{Auth0: "app_metadata.country", SCIM: "addresses[type eq \"work\"].country"},
	{Auth0: "app_metadata.profile_url", SCIM: "profileUrl"},
	{Auth0: "app_metadata.user_type", SCIM: "userType"},
	{Auth0: "app_metadata.title", SCIM: "title"},
	{Auth0: "app_metadata.language", SCIM: "preferredLanguage"},
	{Auth0: "app_metadata.locale", SCIM: "locale"},
	{Auth0: "app_metadata.timezone", SCIM: "timezone"},
	{Auth0: "app_metadata.employee_id", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber"},
	{Auth0: "app_metadata.cost_center", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.costCenter"},
	{Auth0: "app_metadata.organization", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.organization"},
	{Auth0: "app_metadata.division", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.division"},
	{Auth0: "app_metadata.department", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"},
	{Auth0: "app_metadata.manager", SCIM: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"},
}
