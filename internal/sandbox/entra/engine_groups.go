package entra

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The Group object mapping ("Provision Azure Active Directory Groups", microsoft-graph.md §5.11, scim-groups.md §4):
// cycles and provisionOnDemand export the groups in scope — assigned to the application, or every group with
// SyncAll — to the SCIM endpoint's /Groups, matched on the mapping's matching attribute (displayName), with their
// members as SCIM references: the SCIM ids of the member users this job provisioned. A member that is not
// provisioned (not in scope, or refused) is left out, as exportMissingReferences false says.
//
// Requests, as Microsoft's SCIM guide shows them (scim-groups.md §4): lookup
// GET /Groups?excludedAttributes=members&filter=displayName eq "<name>", or GET /Groups/{id}?excludedAttributes=members
// for a group this job provisioned before (its stored id); create POST /Groups without members, then
// PATCH {"op":"Add","path":"members","value":[{"value":"<id>"}]} (at most 1,000 values per PATCH: Auth0's limit);
// removal {"op":"Remove","path":"members","value":[...]} or, with aadOptscim062020, one
// {"op":"remove","path":"members[value eq \"<id>\"]"} per member; a group that leaves the scope is deleted with
// DELETE /Groups/{id} when Delete is among the object actions.
//
// The sandbox remembers the members it exported per group (Entra keeps this in its escrow, scim-groups.md §4); a group
// matched but not created by this job gets all its provisioned members added (adding an existing member is
// harmless on Auth0, UNKNOWN: the sandbox's server accepts it).

// sourceGroup is a snapshot of an Entra group as provisioning sees it.
type sourceGroup struct {
	id, name string
	found    bool
	inScope  bool
	assigned bool
	escrowed string
	members  []string          // Entra user ids (direct members)
	names    []string          // attribute names with a value, for step details
	attrs    map[string]string // lower-cased name → value
}

func (g *sourceGroup) attr(name string) *string {
	if v, ok := g.attrs[strings.ToLower(name)]; ok {
		return &v
	}
	return nil
}

// groupAssignedLocked reports whether the group itself is assigned to the service principal.
func (s *Server) groupAssignedLocked(spID, groupID string) bool {
	for _, a := range s.assignmentsLocked(spID, true) {
		if a.PrincipalType == "Group" && strings.EqualFold(a.PrincipalID, groupID) {
			return true
		}
	}
	return false
}

func (s *Server) snapshotGroupLocked(sp *servicePrincipal, j *job, id string) sourceGroup {
	sg := sourceGroup{id: id, name: id, attrs: map[string]string{}}
	g := s.visibleGroupLocked(id)
	if g == nil {
		return sg
	}
	sg.found, sg.id, sg.name = true, g.id, g.displayName
	sg.assigned = s.groupAssignedLocked(sp.id, g.id)
	sg.inScope = sg.assigned || syncAll(sp.secrets)
	if j != nil {
		sg.escrowed = j.escrow[g.id]
	}
	for _, m := range g.members {
		if s.users[m] != nil {
			sg.members = append(sg.members, m)
		}
	}
	set := func(name, v string) {
		if v != "" {
			sg.names = append(sg.names, name)
			sg.attrs[strings.ToLower(name)] = v
		}
	}
	set("objectId", g.id)
	set("displayName", g.displayName)
	set("description", g.description)
	set("IsSoftDeleted", boolString(!sg.inScope))
	set("members", strings.Join(sg.members, ";"))
	return sg
}

// groupsInScopeLocked lists the groups a cycle looks at: in scope, or provisioned earlier by this job.
func (s *Server) groupsInScopeLocked(sp *servicePrincipal, j *job) []string {
	var ids []string
	for _, g := range visibleInOrder(s.groups, s.now()) {
		if syncAll(sp.secrets) || s.groupAssignedLocked(sp.id, g.id) || j.escrow[g.id] != "" {
			ids = append(ids, g.id)
		}
	}
	return ids
}

// provisionGroup runs import, scoping, matching and export for one group. memberRefs resolves Entra user ids to the
// SCIM ids this job provisioned them as.
func (run *provisionRun) provisionGroup(ctx context.Context, g sourceGroup, exported map[string]bool) *outcome {
	m := run.mapping
	o := &outcome{start: run.now(), action: "Other", upn: g.name, sourceID: g.id, sourceType: "Group", targetType: m.targetObject}
	defer func() { o.end = run.now() }()

	if !g.found {
		return run.importNotFound(o, "Group", g.id)
	}
	imported := map[string]string{}
	for _, n := range g.names {
		v := g.attrs[strings.ToLower(n)]
		imported[n] = v
		o.modified = append(o.modified, modifiedProperty{DisplayName: n, NewValue: &v})
	}
	run.step(o, "EntryImport", "Import", "Success", fmt.Sprintf("Retrieved Group '%s' from %s", g.name, SourceDirectoryName), imported)

	scopeDetails := map[string]string{
		"Assigned": boolString(g.assigned), "IsEffectivelyEntitledForProvisioning": boolString(g.inScope),
		"IsInProvisioningScopeDisplayName": boolString(g.inScope), "ScopeEvaluationResult": "{}",
	}
	if !g.inScope && g.escrowed == "" {
		run.step(o, "EntrySynchronizationScoping", "Scoping", "Success", "Determine if Group in scope by evaluating against each scoping filter", scopeDetails)
		msg := fmt.Sprintf("The Group '%s' will be skipped due to the following reasons: 1) This object is not assigned to the application. If you did not expect the object to be skipped, update provisioning scope to 'Sync all users and groups' or assign the object to the application.", g.name)
		return run.skip(o, SkipNotEffectivelyEntitled, msg, msg, nil)
	}
	if !m.enabled {
		// Nothing is sent for a disabled object mapping (scim-groups.md §4).
		run.step(o, "EntrySynchronizationScoping", "Scoping", "Success", "Determine if Group in scope by evaluating against each scoping filter", scopeDetails)
		msg := fmt.Sprintf("The object mapping '%s' is disabled; the Group '%s' will be skipped.", m.name, g.name)
		run.step(o, "EntrySynchronizationSkip", "Export", "Skipped", msg, map[string]string{"SkipReason": "ObjectMappingDisabled"})
		o.finish("Skipped", "ObjectMappingDisabled", msg)
		return o
	}

	// Evaluate the mapping rows. The members row is a reference list, resolved below.
	values := map[string]*string{}
	membersMapped := false
	for _, a := range m.attrs {
		if strings.EqualFold(a.target, "members") {
			membersMapped = true
			continue
		}
		var v *string
		if a.nodeErr != nil {
			return run.groupFail(o, FailExpression, fmt.Sprintf("Failed to evaluate the mapping for target attribute '%s': %v", a.target, a.nodeErr))
		}
		if a.node != nil {
			var err error
			if v, err = evalExpr(a.node, g.attr); err != nil {
				return run.groupFail(o, FailExpression, fmt.Sprintf("Failed to evaluate the mapping for target attribute '%s': %v", a.target, err))
			}
		}
		if v == nil {
			v = a.defValue
		}
		values[strings.ToLower(a.target)] = v
	}
	var want []string
	if membersMapped {
		for _, uid := range g.members {
			if ref, ok := run.escrow[uid]; ok {
				want = append(want, ref)
			}
		}
	}

	// Matching. A group this job provisioned before is read by the SCIM id it stored (Entra uses the target's
	// immutable id in every later request, so a renamed group is updated, not created again: scim-groups.md §4);
	// the matching attributes are asked only when there is no stored id or Auth0 no longer has that group.
	var current map[string]any
	if g.escrowed != "" {
		body, f := run.client.do(ctx, http.MethodGet, "/Groups/"+url.PathEscape(g.escrowed), url.Values{"excludedAttributes": {"members"}}, nil)
		switch {
		case f == nil:
			current = body
		case f.status != http.StatusNotFound:
			run.step(o, "EntryImport", "Matching", "Failure", fmt.Sprintf("Failed to retrieve Group '%s' from %s: %s", g.name, TargetDirectoryName, f.Error()),
				map[string]string{"TargetAnchor": g.escrowed, "HttpStatusCode": fmt.Sprint(f.status)})
			o.fail(f)
			return o
		}
	}
	for _, a := range m.matchingAttrs() {
		if current != nil {
			break
		}
		v := values[strings.ToLower(a.target)]
		if v == nil || *v == "" {
			continue
		}
		q := scimFilter(a.target, *v)
		q.Set("excludedAttributes", "members")
		body, f := run.client.do(ctx, http.MethodGet, "/Groups", q, nil)
		if f != nil {
			run.step(o, "EntryImport", "Matching", "Failure", fmt.Sprintf("Failed to retrieve Group '%s' from %s: %s", g.name, TargetDirectoryName, f.Error()),
				map[string]string{"MatchingAttribute": a.target, "HttpStatusCode": fmt.Sprint(f.status)})
			o.fail(f)
			return o
		}
		res, _ := getFold(body, "Resources")
		list, _ := res.([]any)
		if len(list) > 1 {
			return run.groupFail(o, FailMultipleMatches, fmt.Sprintf("%d Groups in %s match %s eq \"%s\"; the Group '%s' cannot be matched to one of them.", len(list), TargetDirectoryName, a.target, *v, g.name))
		}
		if len(list) == 1 {
			current, _ = list[0].(map[string]any)
			break
		}
	}
	if current != nil {
		o.targetID = scimString(current["id"])
		run.step(o, "EntryImport", "Matching", "Success", fmt.Sprintf("Retrieved  '%s' from %s", g.name, TargetDirectoryName), flattenSCIM(current))
	} else {
		run.step(o, "EntryImport", "Matching", "Success", fmt.Sprintf("No matching Group was found in %s", TargetDirectoryName), map[string]string{})
	}
	run.step(o, "EntrySynchronizationScoping", "Scoping", "Success", "Determine if Group in scope by evaluating against each scoping filter", scopeDetails)

	switch {
	case current != nil && !g.inScope:
		if !m.flow["Delete"] {
			return run.groupNotEnabled(o, g, "Delete")
		}
		o.action, o.exported = "Delete", true
		if _, f := run.client.do(ctx, http.MethodDelete, "/Groups/"+url.PathEscape(o.targetID), nil, nil); f != nil {
			return run.groupExportFail(o, "EntryExportDelete", "delete", g, f)
		}
		run.step(o, "EntryExportDelete", "Export", "Success", fmt.Sprintf("Group '%s' was deleted in %s", g.name, TargetDirectoryName), map[string]string{"TargetAnchor": o.targetID})
		o.finish("Success", "", "")
		return o
	case current == nil && !g.inScope:
		msg := fmt.Sprintf("The Group '%s' is no longer in scope and no matching Group was found in %s; nothing to delete.", g.name, TargetDirectoryName)
		run.step(o, "EntrySynchronizationSkip", "Export", "Skipped", msg, map[string]string{"SkipReason": SkipNotEffectivelyEntitled})
		o.finish("Skipped", SkipNotEffectivelyEntitled, msg)
		return o
	case current == nil:
		if !m.flow["Add"] {
			return run.groupNotEnabled(o, g, "Add")
		}
		res := map[string]any{"schemas": []any{scimCoreGroup}, "meta": map[string]any{"resourceType": "Group"}}
		details := map[string]string{"ReportableIdentifier": g.name}
		o.modified = nil
		for _, a := range m.attrs {
			if v := values[strings.ToLower(a.target)]; v != nil {
				setSCIMPath(res, parseSCIMPath(a.target), *v)
				details[a.target] = *v
				nv := *v
				o.modified = append(o.modified, modifiedProperty{DisplayName: a.target, NewValue: &nv})
			}
		}
		o.action, o.exported = "Create", true
		created, f := run.client.do(ctx, http.MethodPost, "/Groups", nil, res)
		if f != nil {
			return run.groupExportFail(o, "EntryExportAdd", "create", g, f)
		}
		o.targetID = scimString(created["id"])
		exported = map[string]bool{}
		if f := run.patchMembers(ctx, o.targetID, want, exported); f != nil {
			return run.groupExportFail(o, "EntryExportAdd", "add the members of", g, f)
		}
		details["TargetAnchor"] = o.targetID
		details["members"] = fmt.Sprint(len(want))
		run.step(o, "EntryExportAdd", "Export", "Success", fmt.Sprintf("Group '%s' was created in %s", g.name, TargetDirectoryName), details)
		o.finish("Success", "", "")
		o.groupMembers = exported
		return o
	}

	// Update: attributes, then members.
	var ops []any
	for _, a := range m.attrs {
		v := values[strings.ToLower(a.target)]
		if v == nil || a.flowType == "ObjectAddOnly" || strings.EqualFold(a.target, "members") {
			continue
		}
		cur, ok := getSCIMPath(current, parseSCIMPath(a.target))
		if !ok || scimString(cur) != *v {
			op := "Replace"
			if run.rfc {
				op = "replace"
			}
			ops = append(ops, map[string]any{"op": op, "path": a.target, "value": *v})
		}
	}
	if exported == nil {
		exported = map[string]bool{} // matched, not created by this job: add every member
	}
	var add, remove []string
	wantSet := map[string]bool{}
	for _, id := range want {
		wantSet[id] = true
		if !exported[id] {
			add = append(add, id)
		}
	}
	for id := range exported {
		if !wantSet[id] {
			remove = append(remove, id)
		}
	}
	sort.Strings(remove)
	if len(ops) == 0 && len(add) == 0 && len(remove) == 0 {
		msg := fmt.Sprintf("The state of the group in both the source and target systems already match. No change to the Group '%s' currently needs to be made.", g.name)
		o.groupMembers = exported
		return run.skip(o, SkipRedundantExport, msg, "The state of the group in both the source and target systems already match.", nil)
	}
	if !m.flow["Update"] {
		return run.groupNotEnabled(o, g, "Update")
	}
	o.action, o.exported = "Update", true
	next := map[string]bool{}
	for k := range exported {
		next[k] = true
	}
	if len(ops) > 0 {
		if _, f := run.client.do(ctx, http.MethodPatch, "/Groups/"+url.PathEscape(o.targetID), nil, map[string]any{"schemas": []any{scimPatchOp}, "Operations": ops}); f != nil {
			return run.groupExportFail(o, "EntryExportUpdate", "update", g, f)
		}
	}
	if f := run.patchMembers(ctx, o.targetID, add, next); f != nil {
		return run.groupExportFail(o, "EntryExportUpdate", "update the members of", g, f)
	}
	if f := run.removeMembers(ctx, o.targetID, remove, next); f != nil {
		return run.groupExportFail(o, "EntryExportUpdate", "update the members of", g, f)
	}
	run.step(o, "EntryExportUpdate", "Export", "Success", fmt.Sprintf("Group '%s' was updated in %s", g.name, TargetDirectoryName),
		map[string]string{"ReportableIdentifier": g.name, "TargetAnchor": o.targetID, "MembersAdded": fmt.Sprint(len(add)), "MembersRemoved": fmt.Sprint(len(remove))})
	o.finish("Success", "", "")
	o.groupMembers = next
	return o
}

// maxMembersPerPatch is Auth0's limit on the members one PATCH of a group changes (scim-groups.md §1); Entra sends
// member changes in batches under it.
const maxMembersPerPatch = 1000

// patchMembers adds members in PATCH requests of at most MaxMembersPerPatch values, recording each in done.
func (run *provisionRun) patchMembers(ctx context.Context, scimID string, ids []string, done map[string]bool) *scimFailure {
	op := "Add"
	if run.rfc {
		op = "add"
	}
	for start := 0; start < len(ids); start += maxMembersPerPatch {
		part := ids[start:min(start+maxMembersPerPatch, len(ids))]
		vals := make([]any, len(part))
		for i, id := range part {
			vals[i] = map[string]any{"value": id}
		}
		body := map[string]any{"schemas": []any{scimPatchOp}, "Operations": []any{map[string]any{"op": op, "path": "members", "value": vals}}}
		if _, f := run.client.do(ctx, http.MethodPatch, "/Groups/"+url.PathEscape(scimID), nil, body); f != nil {
			return f
		}
		for _, id := range part {
			done[id] = true
		}
	}
	return nil
}

// removeMembers removes members: one value-list operation, or with aadOptscim062020 one filtered-path operation per
// member (microsoft-graph.md §6), in PATCH requests of at most 1,000 members, as patchMembers adds them.
func (run *provisionRun) removeMembers(ctx context.Context, scimID string, ids []string, done map[string]bool) *scimFailure {
	for start := 0; start < len(ids); start += maxMembersPerPatch {
		part := ids[start:min(start+maxMembersPerPatch, len(ids))]
		var ops []any
		if run.rfc {
			for _, id := range part {
				ops = append(ops, map[string]any{"op": "remove", "path": fmt.Sprintf(`members[value eq "%s"]`, id)})
			}
		} else {
			vals := make([]any, len(part))
			for i, id := range part {
				vals[i] = map[string]any{"value": id}
			}
			ops = []any{map[string]any{"op": "Remove", "path": "members", "value": vals}}
		}
		if _, f := run.client.do(ctx, http.MethodPatch, "/Groups/"+url.PathEscape(scimID), nil, map[string]any{"schemas": []any{scimPatchOp}, "Operations": ops}); f != nil {
			return f
		}
		for _, id := range part {
			delete(done, id)
		}
	}
	return nil
}

func (run *provisionRun) groupFail(o *outcome, code, msg string) *outcome {
	run.step(o, "EntrySynchronizationError", "Export", "Failure", msg, nil)
	o.finish("Failure", code, msg)
	return o
}

// groupExportFail records a refused export: the step names the request and Auth0's answer (e.g. 403 "Insufficient
// scope, expected any of: post:groups").
func (run *provisionRun) groupExportFail(o *outcome, step, verb string, g sourceGroup, f *scimFailure) *outcome {
	run.step(o, step, "Export", "Failure", fmt.Sprintf("Failed to %s Group '%s' in %s: %s", verb, g.name, TargetDirectoryName, f.Error()),
		map[string]string{"ReportableIdentifier": g.name, "HttpStatusCode": fmt.Sprint(f.status)})
	o.fail(f)
	return o
}

func (run *provisionRun) groupNotEnabled(o *outcome, g sourceGroup, flow string) *outcome {
	msg := fmt.Sprintf("The Group '%s' will be skipped: the %s action is not enabled for the object mapping '%s' (flowTypes '%s').",
		g.name, actionLabel(flow), run.mapping.name, run.mapping.flowTypes)
	return run.skip(o, SkipActionTypeNotEnabled, msg, msg, map[string]string{"Action": actionLabel(flow)})
}

// provisionGroupOne provisions one group for a job and records the result in the job's escrow.
func (s *Server) provisionGroupOne(ctx context.Context, spID, jobID, groupID string, mapping *userMapping, secrets []secretKV, onDemand bool) (*outcome, error) {
	base, rfc, ok := parseTenantURL(secretValue(secrets, "BaseAddress"))
	if !ok {
		return s.invalidTenantURLOutcome(groupID, "Group", mapping.targetObject), nil
	}
	s.mu.Lock()
	sp, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("job %s was deleted", jobID)
	}
	g := s.snapshotGroupLocked(sp, j, groupID)
	escrow := copyEscrow(j.escrow)
	var exported map[string]bool
	if prev, ok := j.groupMembers[g.id]; ok {
		exported = make(map[string]bool, len(prev))
		for k := range prev {
			exported[k] = true
		}
	}
	s.mu.Unlock()

	o := s.newProvisionRun(base, rfc, mapping, secrets, escrow, onDemand).provisionGroup(ctx, g, exported)

	s.mu.Lock()
	if _, j := s.jobLocked(spID, jobID, false); j != nil && g.found {
		if j.groupMembers == nil {
			j.groupMembers = map[string]map[string]bool{}
		}
		switch {
		case o.result == "Success" && o.action == "Delete":
			delete(j.escrow, g.id)
			delete(j.groupMembers, g.id)
		case o.targetID != "" && g.inScope && o.result != "Failure":
			j.escrow[g.id] = o.targetID
			if o.groupMembers != nil {
				j.groupMembers[g.id] = o.groupMembers
			}
		}
	}
	s.mu.Unlock()
	return o, nil
}
