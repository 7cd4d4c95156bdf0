package entra

import (
	"encoding/json"
	"fmt"
	"sync"
)

// The default synchronization schema of the non-gallery `scim` template. No complete verbatim GET-schema response
// for such a job is public (microsoft-graph.md §5.11); the sandbox assembles it from the documented pieces:
//
//   - one rule USERGROUP_OUTBOUND_USERGROUP, id 03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8 (the id seen on SCIM-derived
//     templates, microsoft-graph.md §5.3), from "Azure Active Directory" to "customappsso" (§5.4), with metadata
//     supportsProvisionOnDemand "true";
//   - object mapping "Provision Azure Active Directory Users" (User → enterprise User URN) with the 22 rows of
//     microsoft-graph.md §5.11, userName matching priority 1, and "Provision Azure Active Directory Groups" (Group →
//     core Group URN) with displayName (matching priority 1), objectId → externalId and members;
//   - flowTypes "Add, Update, Delete" in the spaced form (rendered per FlowTypesSpelling on GET);
//   - directories "Azure Active Directory" (objects User and Group) and "customappsso" whose objects are named by the
//     mappings' targetObjectName URNs. (A beta doc fragment names the customappsso user object "User"; which name
//     a live `scim` job uses is UNKNOWN. Schema validation accepts either, see resolveObject.)
//
// Expressions are encoded as in microsoft-graph.md §5.12; the parameter keys of Switch and Join are UNKNOWN (see
// expressions.go).

// Names of the default schema's parts.
const (
	DefaultRuleID             = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8"
	DefaultRuleName           = "USERGROUP_OUTBOUND_USERGROUP"
	SourceDirectoryName       = "Azure Active Directory"
	TargetDirectoryName       = "customappsso"
	UserObjectMappingName     = "Provision Azure Active Directory Users"
	GroupObjectMappingName    = "Provision Azure Active Directory Groups"
	aadDirectoryID            = "8b0f2a1e-63a3-4c4e-9f3b-5d1a2f0c7e11"
	customAppSSODirectoryID   = "3c9d7e52-1b4f-4a8e-b6d2-0f7a9c5e4b23"
	defaultSchemaVersion      = "v1.2"
	defaultFlowTypes          = "Add, Update, Delete"
	userTargetObjectName      = scimEnterpriseUser
	groupTargetObjectName     = scimCoreGroup
	sourceUserObjectName      = "User"
	sourceGroupObjectName     = "Group"
	defaultMatchingSourceAttr = "userPrincipalName"
)

var (
	defaultSchemaOnce sync.Once
	defaultSchemaJSON json.RawMessage
)

// defaultSchema returns the template's schema as JSON (without id and @odata.context, which GET adds).
func defaultSchema() json.RawMessage {
	defaultSchemaOnce.Do(func() {
		b, err := marshalJSON(buildDefaultSchema())
		if err != nil {
			panic(err)
		}
		defaultSchemaJSON = b
	})
	return append(json.RawMessage(nil), defaultSchemaJSON...)
}

type attrOpt func(map[string]any)

func multivalued(m map[string]any) { m["multivalued"] = true }
func anchor(m map[string]any)      { m["anchor"] = true }
func required(m map[string]any)    { m["required"] = true }
func refs(objs ...string) attrOpt {
	return func(m map[string]any) {
		var out []any
		for _, o := range objs {
			out = append(out, map[string]any{"referencedObjectName": o, "referencedProperty": nil})
		}
		m["referencedObjects"] = out
	}
}

func attrDef(name, typ string, opts ...attrOpt) map[string]any {
	m := map[string]any{
		"anchor": false, "caseExact": false, "defaultValue": nil, "flowNullValues": false, "multivalued": false,
		"mutability": "ReadWrite", "name": name, "required": false, "type": typ,
		"apiExpressions": []any{}, "metadata": []any{}, "referencedObjects": []any{},
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func objectDef(name string, attrs ...map[string]any) map[string]any {
	list := make([]any, len(attrs))
	for i, a := range attrs {
		list[i] = a
	}
	return map[string]any{"name": name, "attributes": list, "metadata": []any{}, "supportedApis": []any{}}
}

func strAttrs(names ...string) []map[string]any {
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = attrDef(n, "String")
	}
	return out
}

func aadDirectory() map[string]any {
	user := []map[string]any{
		attrDef("objectId", "String", anchor),
		attrDef("accountEnabled", "Boolean"),
		attrDef("appRoleAssignments", "String", multivalued),
		attrDef("IsSoftDeleted", "Boolean"),
		attrDef("manager", "Reference", refs("User")),
		attrDef("employeeHireDate", "DateTime"),
		attrDef("otherMails", "String", multivalued),
		attrDef("proxyAddresses", "String", multivalued),
	}
	user = append(user, strAttrs("userPrincipalName", "mail", "mailNickname", "displayName", "givenName", "surname",
		"jobTitle", "department", "employeeId", "employeeType", "companyName", "preferredLanguage",
		"physicalDeliveryOfficeName", "streetAddress", "city", "state", "postalCode", "country", "usageLocation",
		"telephoneNumber", "mobile", "facsimileTelephoneNumber", "userType")...)
	for i := 1; i <= 15; i++ {
		user = append(user, attrDef(fmt.Sprintf("extensionAttribute%d", i), "String"))
	}
	group := []map[string]any{
		attrDef("objectId", "String", anchor),
		attrDef("IsSoftDeleted", "Boolean"),
		attrDef("mailEnabled", "Boolean"),
		attrDef("securityEnabled", "Boolean"),
		attrDef("members", "Reference", multivalued, refs("User", "Group")),
		attrDef("appRoleAssignments", "String", multivalued),
	}
	group = append(group, strAttrs("displayName", "description", "mail", "mailNickname")...)
	return map[string]any{
		"id": aadDirectoryID, "name": SourceDirectoryName, "discoverabilities": "None", "discoveryDateTime": nil,
		"readOnly": false, "version": nil,
		"objects": []any{objectDef(sourceUserObjectName, user...), objectDef(sourceGroupObjectName, group...)},
	}
}

func customAppSSODirectory() map[string]any {
	const ent = scimEnterpriseUser + ":"
	user := []map[string]any{
		attrDef("userName", "String", required),
		attrDef("active", "Boolean"),
		attrDef(ent+"manager", "Reference", refs(userTargetObjectName)),
	}
	user = append(user, strAttrs("externalId", "displayName", "nickName", "title", "userType", "preferredLanguage",
		"locale", "timezone", "profileUrl",
		"name.givenName", "name.familyName", "name.formatted", "name.middleName", "name.honorificPrefix", "name.honorificSuffix",
		`emails[type eq "work"].value`, `emails[type eq "home"].value`, `emails[type eq "other"].value`,
		`addresses[type eq "work"].formatted`, `addresses[type eq "work"].streetAddress`,
		`addresses[type eq "work"].locality`, `addresses[type eq "work"].region`,
		`addresses[type eq "work"].postalCode`, `addresses[type eq "work"].country`,
		`addresses[type eq "other"].formatted`,
		`phoneNumbers[type eq "work"].value`, `phoneNumbers[type eq "mobile"].value`, `phoneNumbers[type eq "fax"].value`,
		`roles[primary eq "True"].display`, `roles[primary eq "True"].type`, `roles[primary eq "True"].value`,
		ent+"employeeNumber", ent+"department", ent+"costCenter", ent+"division", ent+"organization")...)
	group := []map[string]any{
		attrDef("displayName", "String", required),
		attrDef("externalId", "String"),
		attrDef("members", "Reference", multivalued, refs(userTargetObjectName, groupTargetObjectName)),
	}
	return map[string]any{
		"id": customAppSSODirectoryID, "name": TargetDirectoryName, "discoverabilities": "None",
		"discoveryDateTime": nil, "readOnly": false, "version": nil,
		"objects": []any{objectDef(userTargetObjectName, user...), objectDef(groupTargetObjectName, group...)},
	}
}

// mapping builds an attributeMapping from an expression.
func mapping(expr, target string, matchingPriority int) map[string]any {
	n, err := parseExpression(expr)
	if err != nil {
		panic(err)
	}
	return map[string]any{
		"defaultValue": nil, "exportMissingReferences": false, "flowBehavior": "FlowWhenChanged", "flowType": "Always",
		"matchingPriority": matchingPriority, "source": n.Source(""), "targetAttributeName": target,
	}
}

func objectMappingMetadata(joining string) []any {
	kv := func(k, v string) map[string]any { return map[string]any{"key": k, "value": v} }
	return []any{kv("IsCustomerDefined", "false"), kv("DisableMonitoringForChanges", "false"),
		kv("Disposition", `"Normal"`), kv("ExcludeFromReporting", "false"), kv("EscrowBehavior", `"Default"`),
		kv("Unsynchronized", "false"), kv("OriginalJoiningProperty", joining)}
}

func buildDefaultSchema() map[string]any {
	const ent = scimEnterpriseUser + ":"
	manager := mapping("[manager]", ent+"manager", 0)
	// exportMissingReferences for manager is UNKNOWN (microsoft-graph.md §5.11, row 22); true is the likely value.
	manager["exportMissingReferences"] = true
	users := []any{
		mapping("[userPrincipalName]", "userName", 1),
		mapping(`Switch([IsSoftDeleted], , "False", "True", "True", "False")`, "active", 0),
		mapping("[displayName]", "displayName", 0),
		mapping("[jobTitle]", "title", 0),
		mapping("[mail]", `emails[type eq "work"].value`, 0),
		mapping("[preferredLanguage]", "preferredLanguage", 0),
		mapping("[givenName]", "name.givenName", 0),
		mapping("[surname]", "name.familyName", 0),
		mapping(`Join(" ", [givenName], [surname])`, "name.formatted", 0),
		mapping("[physicalDeliveryOfficeName]", `addresses[type eq "work"].formatted`, 0),
		mapping("[streetAddress]", `addresses[type eq "work"].streetAddress`, 0),
		mapping("[city]", `addresses[type eq "work"].locality`, 0),
		mapping("[state]", `addresses[type eq "work"].region`, 0),
		mapping("[postalCode]", `addresses[type eq "work"].postalCode`, 0),
		mapping("[country]", `addresses[type eq "work"].country`, 0),
		mapping("[telephoneNumber]", `phoneNumbers[type eq "work"].value`, 0),
		mapping("[mobile]", `phoneNumbers[type eq "mobile"].value`, 0),
		mapping("[facsimileTelephoneNumber]", `phoneNumbers[type eq "fax"].value`, 0),
		mapping("[mailNickname]", "externalId", 0),
		mapping("[employeeId]", ent+"employeeNumber", 0),
		mapping("[department]", ent+"department", 0),
		manager,
	}
	groups := []any{
		mapping("[displayName]", "displayName", 1),
		mapping("[objectId]", "externalId", 0),
		mapping("[members]", "members", 0),
	}
	return map[string]any{
		"version":     defaultSchemaVersion,
		"directories": []any{aadDirectory(), customAppSSODirectory()},
		"synchronizationRules": []any{map[string]any{
			"containerFilter":     map[string]any{"includedContainers": []any{}},
			"editable":            true,
			"groupFilter":         map[string]any{"includedGroups": []any{}},
			"id":                  DefaultRuleID,
			"metadata":            []any{map[string]any{"key": "supportsProvisionOnDemand", "value": "true"}},
			"name":                DefaultRuleName,
			"priority":            1,
			"sourceDirectoryName": SourceDirectoryName,
			"targetDirectoryName": TargetDirectoryName,
			"objectMappings": []any{
				map[string]any{
					"attributeMappings": users, "enabled": true, "flowTypes": defaultFlowTypes,
					"metadata": objectMappingMetadata(defaultMatchingSourceAttr), "name": UserObjectMappingName,
					"scope": nil, "sourceObjectName": sourceUserObjectName, "targetObjectName": userTargetObjectName,
				},
				map[string]any{
					"attributeMappings": groups, "enabled": true, "flowTypes": defaultFlowTypes,
					"metadata": objectMappingMetadata("displayName"), "name": GroupObjectMappingName,
					"scope": nil, "sourceObjectName": sourceGroupObjectName, "targetObjectName": groupTargetObjectName,
				},
			},
		}},
	}
}
