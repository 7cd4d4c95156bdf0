package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The provisioning engine. For provisionOnDemand (provision_on_demand.go) and job cycles (cycle.go) it applies the
// job's schema — the User object mapping of the synchronization rule: attribute mappings, matching precedence,
// object actions (flowTypes) — to one Entra user at a time and talks SCIM 2.0 (scim_client.go) to the tenant URL
// saved in BaseAddress with the SecretToken, over the HTTP client from SetHTTPClient.
//
// What is provisioned: users with the User object mapping, and groups with the Group object mapping when it is
// enabled (engine_groups.go). Deleting an Entra user is not propagated.

// attrMap is one attribute mapping of the User object mapping, parsed.
type attrMap struct {
	target   string
	node     *exprNode // nil: constant-only mapping (defaultValue)
	nodeErr  error
	defValue *string
	flowType string
	priority int
}

type userMapping struct {
	ruleID       string
	name         string
	enabled      bool
	flowTypes    string
	flow         map[string]bool
	targetObject string
	attrs        []attrMap
	targetTypes  map[string]string // lower-cased target attribute → type
}

// loadUserMapping finds the rule (ruleID, or the first rule when empty) and its object mapping whose source object
// is User.
func loadUserMapping(raw json.RawMessage, ruleID string) (*userMapping, error) {
	return loadObjectMapping(raw, ruleID, sourceUserObjectName)
}

// loadObjectMapping finds the rule (ruleID, or the first rule when empty) and its object mapping whose source object
// is source (User or Group).
func loadObjectMapping(raw json.RawMessage, ruleID, source string) (*userMapping, error) {
	var schema map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&schema); err != nil {
		return nil, fmt.Errorf("the job's schema cannot be read: %v", err)
	}
	rules, _ := schema["synchronizationRules"].([]any)
	var rule map[string]any
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		if id, _ := rm["id"].(string); ruleID == "" || strings.EqualFold(id, ruleID) {
			rule = rm
			break
		}
	}
	if rule == nil {
		return nil, errRuleNotFound
	}
	um := &userMapping{flow: map[string]bool{}, targetTypes: map[string]string{}}
	um.ruleID, _ = rule["id"].(string)
	oms, _ := rule["objectMappings"].([]any)
	var om map[string]any
	for _, o := range oms {
		m, _ := o.(map[string]any)
		if src, _ := m["sourceObjectName"].(string); strings.EqualFold(src, source) {
			om = m
			break
		}
	}
	if om == nil {
		return nil, fmt.Errorf("the synchronization rule '%s' has no object mapping for source object %s", um.ruleID, source)
	}
	um.name, _ = om["name"].(string)
	um.enabled, _ = om["enabled"].(bool)
	um.flowTypes, _ = om["flowTypes"].(string)
	for _, f := range splitFlags(um.flowTypes) {
		um.flow[f] = true
	}
	um.targetObject, _ = om["targetObjectName"].(string)
	tgtDir, _ := rule["targetDirectoryName"].(string)
	if attrs, ok := indexDirectories(schema).resolveObject(tgtDir, um.targetObject); ok {
		um.targetTypes = attrs
	}
	ams, _ := om["attributeMappings"].([]any)
	for _, a := range ams {
		am, _ := a.(map[string]any)
		m := attrMap{}
		m.target, _ = am["targetAttributeName"].(string)
		m.flowType, _ = am["flowType"].(string)
		if p, err := strconv.Atoi(numberString(am["matchingPriority"])); err == nil {
			m.priority = p
		}
		if dv, ok := am["defaultValue"].(string); ok && dv != "" {
			m.defValue = &dv
		}
		if src, ok := am["source"].(map[string]any); ok {
			m.node, m.nodeErr = nodeFromSource(src)
		}
		um.attrs = append(um.attrs, m)
	}
	return um, nil
}

var errRuleNotFound = errors.New("rule not found")

// sourceUser is a snapshot of an Entra user as provisioning sees it.
type sourceUser struct {
	id, upn   string
	found     bool
	inScope   bool
	assigned  bool
	role      string
	escrowed  string // SCIM id this job provisioned the user as, if any
	managerID string
	names     []string          // canonical attribute names with a value, for step details
	attrs     map[string]string // lower-cased name → value
}

func (u *sourceUser) attr(name string) *string {
	if v, ok := u.attrs[strings.ToLower(name)]; ok {
		return &v
	}
	return nil
}

func boolString(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// snapshotUserLocked reads user id for the job's service principal. Scope: with SyncAll the user is in scope;
// otherwise only when assigned directly or through a group. IsSoftDeleted is "True" for a disabled account or a user
// out of scope, which is how Entra deprovisions (the default `active` mapping is Switch([IsSoftDeleted], ...)).
func (s *Server) snapshotUserLocked(sp *servicePrincipal, j *job, id string) sourceUser {
	su := sourceUser{id: id, attrs: map[string]string{}}
	u := s.userLocked(id, true)
	if u == nil {
		return su
	}
	su.found, su.id, su.upn, su.managerID = true, u.ID, u.UserPrincipalName, u.ManagerID
	su.assigned, su.role = s.isAssignedLocked(sp.id, u.ID)
	su.inScope = su.assigned || syncAll(sp.secrets)
	if j != nil {
		su.escrowed = j.escrow[u.ID]
	}
	set := func(name, v string) {
		if v != "" {
			su.names = append(su.names, name)
			su.attrs[strings.ToLower(name)] = v
		}
	}
	phone := ""
	if len(u.BusinessPhones) > 0 {
		phone = u.BusinessPhones[0]
	}
	set("objectId", u.ID)
	set("accountEnabled", boolString(u.AccountEnabled))
	set("displayName", u.DisplayName)
	set("mailNickname", u.MailNickname)
	set("userPrincipalName", u.UserPrincipalName)
	set("IsSoftDeleted", boolString(!u.AccountEnabled || !su.inScope))
	set("appRoleAssignments", su.role)
	set("givenName", u.GivenName)
	set("surname", u.Surname)
	set("mail", u.Mail)
	set("jobTitle", u.JobTitle)
	set("department", u.Department)
	set("employeeId", u.EmployeeID)
	set("preferredLanguage", u.PreferredLanguage)
	set("physicalDeliveryOfficeName", u.OfficeLocation)
	set("streetAddress", u.StreetAddress)
	set("city", u.City)
	set("state", u.State)
	set("postalCode", u.PostalCode)
	set("country", u.Country)
	set("telephoneNumber", phone)
	set("mobile", u.MobilePhone)
	set("facsimileTelephoneNumber", u.FaxNumber)
	set("userType", "Member")
	set("manager", u.ManagerID)
	return su
}

type provisioningStep struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Status      string            `json:"status"`
	Description string            `json:"description"`
	Timestamp   string            `json:"timestamp"`
	Details     map[string]string `json:"details"`
}

type modifiedProperty struct {
	DisplayName string  `json:"displayName"`
	OldValue    *string `json:"oldValue"`
	NewValue    *string `json:"newValue"`
}

// outcome is the result of provisioning one user.
type outcome struct {
	result       string // Success, Failure, Skipped
	action       string // Create, Update, Disable, Other
	errorCode    string
	errorMsg     string
	skipReason   string
	steps        []provisioningStep
	modified     []modifiedProperty
	targetID     string
	targetType   string
	upn          string
	sourceID     string
	exported     bool // an export was attempted
	credFailure  *scimFailure
	sourceType   string          // "User" when empty, or "Group"
	groupMembers map[string]bool // a group's exported members (SCIM ids) after the export (engine_groups.go)
	start, end   time.Time
}

type provisionRun struct {
	client  *scimClient
	rfc     bool // aadOptscim062020 PATCH rules (never on demand, microsoft-graph.md §6)
	mapping *userMapping
	escrow  map[string]string // Entra id → SCIM id, to resolve references
	now     func() time.Time
}

func (run *provisionRun) step(o *outcome, name, typ, status, desc string, details map[string]string) {
	if details == nil {
		details = map[string]string{}
	}
	o.steps = append(o.steps, provisioningStep{Name: name, Type: typ, Status: status, Description: desc,
		Timestamp: graphTime(run.now()), Details: details})
}

func (o *outcome) finish(result, code, msg string) {
	o.result, o.errorCode, o.errorMsg = result, code, msg
}

// skip ends the outcome as skipped for reason: an EntrySynchronizationSkip step that says stepMsg, with the
// SkipReason and the extra details, and msg as the outcome's message.
func (run *provisionRun) skip(o *outcome, reason, stepMsg, msg string, extra map[string]string) *outcome {
	details := map[string]string{"SkipReason": reason}
	for k, v := range extra {
		details[k] = v
	}
	run.step(o, "EntrySynchronizationSkip", "Export", "Skipped", stepMsg, details)
	o.skipReason = reason
	o.finish("Skipped", reason, msg)
	return o
}

// fail ends the outcome with the SCIM call's failure.
func (o *outcome) fail(f *scimFailure) {
	o.credFailure = credentialOnly(f)
	o.finish("Failure", failureCode(f), f.Error())
}

// matchingAttrs are the mappings with matchingPriority > 0, in ascending order of it: the attributes matching
// tries, one after the other, until one finds the object.
func (m *userMapping) matchingAttrs() []attrMap {
	prio := make([]attrMap, 0, len(m.attrs))
	for _, a := range m.attrs {
		if a.priority > 0 {
			prio = append(prio, a)
		}
	}
	sort.SliceStable(prio, func(i, j int) bool { return prio[i].priority < prio[j].priority })
	return prio
}

// Error codes of provisioning outcomes. RedundantExport and NotEffectivelyEntitled are DOCUMENTED skip reasons
// (microsoft-graph.md §5.15); the others are the sandbox's names for outcomes whose real codes are UNKNOWN.
const (
	SkipRedundantExport        = "RedundantExport"
	SkipNotEffectivelyEntitled = "NotEffectivelyEntitled"
	SkipActionTypeNotEnabled   = "ActionTypeNotEnabled"
	FailEntryNotFound          = "EntryImportObjectNotFound"
	FailExpression             = "ExpressionEvaluationFailure"
	FailMultipleMatches        = "SystemForCrossDomainIdentityManagementMultipleMatches"
	FailSCIMRequest            = "SystemForCrossDomainIdentityManagementServiceError"
)

// importNotFound ends the outcome of an object the source directory does not have (kind "User" or "Group").
func (run *provisionRun) importNotFound(o *outcome, kind, id string) *outcome {
	run.step(o, "EntryImport", "Import", "Failure", fmt.Sprintf("Failed to retrieve %s '%s' from %s", kind, id, SourceDirectoryName), nil)
	o.finish("Failure", FailEntryNotFound, fmt.Sprintf("The %s '%s' was not found in %s.", kind, id, SourceDirectoryName))
	return o
}

// provision runs the steps of microsoft-graph.md §5.15 for one user: import, scoping, matching, export.
func (run *provisionRun) provision(ctx context.Context, u sourceUser) *outcome {
	m := run.mapping
	o := &outcome{start: run.now(), action: "Other", upn: u.upn, sourceID: u.id, targetType: m.targetObject}
	defer func() { o.end = run.now() }()
	if o.upn == "" {
		o.upn = u.id
	}

	// Import.
	if !u.found {
		return run.importNotFound(o, "User", u.id)
	}
	imported := map[string]string{}
	for _, n := range u.names {
		imported[n] = u.attrs[strings.ToLower(n)]
		v := u.attrs[strings.ToLower(n)]
		o.modified = append(o.modified, modifiedProperty{DisplayName: n, NewValue: &v})
	}
	run.step(o, "EntryImport", "Import", "Success", fmt.Sprintf("Retrieved User '%s' from %s", u.upn, SourceDirectoryName), imported)

	// Evaluate every mapping once.
	values := map[string]*string{}
	for _, a := range m.attrs {
		v, err := run.evaluate(a, &u)
		if err != nil {
			msg := fmt.Sprintf("Failed to evaluate the mapping for target attribute '%s': %v", a.target, err)
			run.step(o, "EntrySynchronizationError", "Export", "Failure", msg, map[string]string{"TargetAttribute": a.target})
			o.finish("Failure", FailExpression, msg)
			return o
		}
		values[strings.ToLower(a.target)] = v
	}

	// Scoping.
	scopeDetails := map[string]string{
		"IsActive": u.attrs["accountenabled"], "Assigned": boolString(u.assigned),
		"IsEffectivelyEntitledForProvisioning": boolString(u.inScope), "IsInProvisioningScopeDisplayName": boolString(u.inScope),
		"ScopeEvaluationResult": "{}",
	}
	if !u.inScope && u.escrowed == "" {
		run.step(o, "EntrySynchronizationScoping", "Scoping", "Success", "Determine if User in scope by evaluating against each scoping filter", scopeDetails)
		msg := fmt.Sprintf("The User '%s' will be skipped due to the following reasons: 1) This object is not assigned to the application. If you did not expect the object to be skipped, update provisioning scope to 'Sync all users and groups' or assign the object to the application with entitlement of provisioning category 'User'.", u.upn)
		return run.skip(o, SkipNotEffectivelyEntitled, msg, msg, nil)
	}

	// Matching: every mapping with matchingPriority > 0, in ascending order, until one finds the user.
	var current map[string]any
	var matchedBy []string
	for _, a := range m.matchingAttrs() {
		v := values[strings.ToLower(a.target)]
		if v == nil || *v == "" {
			continue
		}
		matchedBy = append(matchedBy, a.target)
		found, f := run.client.findUsers(ctx, a.target, *v)
		if f != nil {
			run.step(o, "EntryImport", "Matching", "Failure", fmt.Sprintf("Failed to retrieve '%s' from %s: %s", u.upn, TargetDirectoryName, f.Error()),
				map[string]string{"MatchingAttribute": a.target, "HttpStatusCode": strconv.Itoa(f.status)})
			o.fail(f)
			return o
		}
		if len(found) > 1 {
			msg := fmt.Sprintf("%d Users in %s match %s eq \"%s\"; the User '%s' cannot be matched to one of them.", len(found), TargetDirectoryName, a.target, *v, u.upn)
			run.step(o, "EntryImport", "Matching", "Failure", msg, map[string]string{"MatchingAttribute": a.target})
			o.finish("Failure", FailMultipleMatches, msg)
			return o
		}
		if len(found) == 1 {
			current = found[0]
			break
		}
	}
	if current != nil {
		o.targetID = scimString(current["id"])
		// The documented description has two spaces where an object type would go (microsoft-graph.md §5.14).
		run.step(o, "EntryImport", "Matching", "Success", fmt.Sprintf("Retrieved  '%s' from %s", u.upn, TargetDirectoryName), flattenSCIM(current))
	} else {
		run.step(o, "EntryImport", "Matching", "Success",
			fmt.Sprintf("No matching User was found in %s (matching attributes: %s)", TargetDirectoryName, strings.Join(matchedBy, ", ")), map[string]string{})
	}
	run.step(o, "EntrySynchronizationScoping", "Scoping", "Success", "Determine if User in scope by evaluating against each scoping filter", scopeDetails)

	if !m.enabled {
		msg := fmt.Sprintf("The object mapping '%s' is disabled; the User '%s' will be skipped.", m.name, u.upn)
		run.step(o, "EntrySynchronizationSkip", "Export", "Skipped", msg, map[string]string{"SkipReason": "ObjectMappingDisabled"})
		o.finish("Skipped", "ObjectMappingDisabled", msg)
		return o
	}

	// Export.
	switch {
	case current != nil && !u.inScope:
		return run.disable(ctx, o, u, values, current)
	case current != nil:
		return run.update(ctx, o, u, values, current)
	case !u.inScope:
		msg := fmt.Sprintf("The User '%s' is no longer in scope and no matching User was found in %s; nothing to disable.", u.upn, TargetDirectoryName)
		run.step(o, "EntrySynchronizationSkip", "Export", "Skipped", msg, map[string]string{"SkipReason": SkipNotEffectivelyEntitled})
		o.finish("Skipped", SkipNotEffectivelyEntitled, msg)
		return o
	default:
		return run.create(ctx, o, u, values)
	}
}

// credentialOnly returns f when it is a credential failure (401/403), else nil.
func credentialOnly(f *scimFailure) *scimFailure {
	if f.credential() {
		return f
	}
	return nil
}

func failureCode(f *scimFailure) string {
	switch {
	case f.status == 0:
		return CodeSCIMInvalidCredentials
	case f.credential():
		return CodeSCIMCredentialValidation
	}
	return FailSCIMRequest
}

// evaluate computes a mapping's value: the source expression, else the default value. References (manager) are
// resolved to the SCIM id this job provisioned the referenced user as; unresolved references are left out.
func (run *provisionRun) evaluate(a attrMap, u *sourceUser) (*string, error) {
	if a.nodeErr != nil {
		return nil, a.nodeErr
	}
	var v *string
	if a.node != nil {
		var err error
		if v, err = evalExpr(a.node, u.attr); err != nil {
			return nil, err
		}
	}
	if v == nil {
		v = a.defValue
	}
	if v != nil && run.mapping.targetTypes[strings.ToLower(a.target)] == "Reference" {
		ref, ok := run.escrow[*v]
		if !ok {
			return nil, nil
		}
		v = &ref
	}
	return v, nil
}

type change struct {
	path, value, typ, old string
	add                   bool
}

// diff lists the attributes whose target value differs from the mapped value. ObjectAddOnly mappings flow on
// create only; null values never remove anything.
func (run *provisionRun) diff(values map[string]*string, current map[string]any, only func(attrMap) bool) []change {
	var out []change
	for _, a := range run.mapping.attrs {
		if a.flowType == "ObjectAddOnly" || (only != nil && !only(a)) {
			continue
		}
		v := values[strings.ToLower(a.target)]
		if v == nil {
			continue
		}
		typ := run.mapping.targetTypes[strings.ToLower(a.target)]
		cur, ok := getSCIMPath(current, parseSCIMPath(a.target))
		curS := scimString(cur)
		equal := ok && curS == *v
		if typ == "Boolean" {
			equal = ok && strings.EqualFold(curS, *v)
		}
		if !equal {
			out = append(out, change{path: a.target, value: *v, typ: typ, old: curS, add: !ok})
		}
	}
	return out
}

func typedValue(typ, v string) any {
	if typ == "Boolean" {
		return strings.EqualFold(v, "true")
	}
	return v
}

// patchBody renders changes as a SCIM PatchOp (microsoft-graph.md §6). Without aadOptscim062020 (and always on demand):
// one title-case "Add"/"Replace" per attribute with string values ("False"). With it: lowercase ops, typed values,
// the plain attributes replaced in one path-less operation (or a path operation when there is only one), and
// filtered paths and additions as separate operations.
func patchBody(changes []change, rfc bool) map[string]any {
	var ops []any
	if !rfc {
		for _, c := range changes {
			op := "Replace"
			if c.add {
				op = "Add"
			}
			ops = append(ops, map[string]any{"op": op, "path": c.path, "value": c.value})
		}
	} else {
		grouped := map[string]any{}
		var groupedPath string
		for _, c := range changes {
			if c.add || strings.Contains(c.path, "[") {
				op := "replace"
				if c.add {
					op = "add"
				}
				ops = append(ops, map[string]any{"op": op, "path": c.path, "value": typedValue(c.typ, c.value)})
				continue
			}
			grouped[c.path] = typedValue(c.typ, c.value)
			groupedPath = c.path
		}
		switch len(grouped) {
		case 0:
		case 1:
			ops = append(ops, map[string]any{"op": "replace", "path": groupedPath, "value": grouped[groupedPath]})
		default:
			ops = append(ops, map[string]any{"op": "replace", "value": grouped})
		}
	}
	return map[string]any{"schemas": []any{scimPatchOp}, "Operations": ops}
}

func (run *provisionRun) update(ctx context.Context, o *outcome, u sourceUser, values map[string]*string, current map[string]any) *outcome {
	changes := run.diff(values, current, nil)
	if len(changes) == 0 {
		msg := fmt.Sprintf("The state of the user in both the source and target systems already match. No change to the User '%s' currently needs to be made.", u.upn)
		return run.skip(o, SkipRedundantExport, msg, "The state of the user in both the source and target systems already match.", nil)
	}
	if !run.mapping.flow["Update"] {
		return run.notEnabled(o, u, "Update", "update")
	}
	return run.patch(ctx, o, u, changes, "Update", "EntryExportUpdate", "updated")
}

// disable deprovisions a user that left the scope: only the `active` attribute flows, and only when Delete is among
// the object actions (Entra disables rather than deletes by default).
func (run *provisionRun) disable(ctx context.Context, o *outcome, u sourceUser, values map[string]*string, current map[string]any) *outcome {
	if !run.mapping.flow["Delete"] {
		return run.notEnabled(o, u, "Delete", "disable")
	}
	changes := run.diff(values, current, func(a attrMap) bool { return strings.EqualFold(a.target, "active") })
	if len(changes) == 0 {
		msg := fmt.Sprintf("The User '%s' is already disabled in %s.", u.upn, TargetDirectoryName)
		run.step(o, "EntrySynchronizationSkip", "Export", "Skipped", msg, map[string]string{"SkipReason": SkipRedundantExport})
		o.finish("Skipped", SkipRedundantExport, msg)
		return o
	}
	return run.patch(ctx, o, u, changes, "Disable", "EntryExportUpdateSoftDelete", "disabled")
}

func (run *provisionRun) patch(ctx context.Context, o *outcome, u sourceUser, changes []change, action, stepName, verb string) *outcome {
	o.action, o.exported = action, true
	o.modified = nil
	details := map[string]string{"ReportableIdentifier": u.upn, "TargetAnchor": o.targetID}
	for _, c := range changes {
		old, nv := c.old, c.value
		mp := modifiedProperty{DisplayName: c.path, NewValue: &nv}
		if !c.add {
			mp.OldValue = &old
		}
		o.modified = append(o.modified, mp)
		details[c.path] = c.value
	}
	_, f := run.client.do(ctx, http.MethodPatch, "/Users/"+url.PathEscape(o.targetID), nil, patchBody(changes, run.rfc))
	if f != nil {
		run.step(o, stepName, "Export", "Failure", fmt.Sprintf("Failed to %s User '%s' in %s: %s", strings.TrimSuffix(verb, "d"), u.upn, TargetDirectoryName, f.Error()), details)
		o.fail(f)
		return o
	}
	run.step(o, stepName, "Export", "Success", fmt.Sprintf("User '%s' was %s in %s", u.upn, verb, TargetDirectoryName), details)
	o.finish("Success", "", "")
	return o
}

func (run *provisionRun) create(ctx context.Context, o *outcome, u sourceUser, values map[string]*string) *outcome {
	if !run.mapping.flow["Add"] {
		return run.notEnabled(o, u, "Add", "create")
	}
	res := map[string]any{"schemas": []any{scimCoreUser, scimEnterpriseUser}}
	details := map[string]string{"ReportableIdentifier": u.upn}
	o.modified = nil
	for _, a := range run.mapping.attrs {
		v := values[strings.ToLower(a.target)]
		if v == nil {
			continue
		}
		setSCIMPath(res, parseSCIMPath(a.target), typedValue(run.mapping.targetTypes[strings.ToLower(a.target)], *v))
		details[a.target] = *v
		nv := *v
		o.modified = append(o.modified, modifiedProperty{DisplayName: a.target, NewValue: &nv})
	}
	res["meta"] = map[string]any{"resourceType": "User"}
	o.action, o.exported = "Create", true
	created, f := run.client.do(ctx, http.MethodPost, "/Users", nil, res)
	if f != nil {
		run.step(o, "EntryExportAdd", "Export", "Failure", fmt.Sprintf("Failed to create User '%s' in %s: %s", u.upn, TargetDirectoryName, f.Error()), details)
		o.fail(f)
		return o
	}
	o.targetID = scimString(created["id"])
	details["TargetAnchor"] = o.targetID
	run.step(o, "EntryExportAdd", "Export", "Success", fmt.Sprintf("User '%s' was created in %s", u.upn, TargetDirectoryName), details)
	o.finish("Success", "", "")
	return o
}

// notEnabled is the outcome when the object action the user needs is not in the object mapping's flowTypes: the
// seed's "user not present in Auth0, Create deselected" case (microsoft-graph.md §5.15). The real output is UNKNOWN;
// the sandbox gives the shape microsoft-graph.md suggests — result Skipped with errorCode ActionTypeNotEnabled and a final
// EntrySynchronizationSkip step — and a message saying what is missing and how to fix it.
func (run *provisionRun) notEnabled(o *outcome, u sourceUser, flow, verb string) *outcome {
	var msg string
	if flow == "Add" {
		msg = fmt.Sprintf("The User '%s' will be skipped: no matching User was found in %s and the Create action is not enabled for the object mapping '%s' (flowTypes '%s'). Enable Create under Target Object Actions, or create the user in the target system first.",
			u.upn, TargetDirectoryName, run.mapping.name, run.mapping.flowTypes)
	} else {
		msg = fmt.Sprintf("The User '%s' will be skipped: it needs to be %sd in %s but the %s action is not enabled for the object mapping '%s' (flowTypes '%s').",
			u.upn, strings.TrimSuffix(verb, "e"), TargetDirectoryName, actionLabel(flow), run.mapping.name, run.mapping.flowTypes)
	}
	return run.skip(o, SkipActionTypeNotEnabled, msg, msg, map[string]string{"Action": actionLabel(flow)})
}

func actionLabel(flow string) string {
	if flow == "Add" {
		return "Create"
	}
	return flow
}
