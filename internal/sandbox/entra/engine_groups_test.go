package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// setGroupMapping sets one field of the Group object mapping (enabled, flowTypes, ...).
func setGroupMapping(key string, v any) func(map[string]any) {
	return func(schema map[string]any) {
		for _, om := range objectMappingsOf(schema) {
			if om["sourceObjectName"] == "Group" {
				om[key] = v
			}
		}
	}
}

func (w *seedWorld) groupCycle(t *testing.T) *TaskExecution {
	t.Helper()
	if err := w.s.RunCycle(context.Background(), w.a.spID); err != nil {
		t.Fatal(err)
	}
	j, _ := w.s.Job(w.a.spID, w.a.jobID)
	return j.Status.LastExecution
}

func TestRunCycleGroups(t *testing.T) {
	w := newSeedWorld(t, "?aadOptscim062020")
	w.mustStatus(w.call("POST", w.jobPath(w.a, "/start"), nil), 204)
	le := w.groupCycle(t)
	if le.State != "Succeeded" || le.CountExported != 2 {
		t.Fatalf("cycle: %+v", le)
	}
	// The group was looked up by displayName with members excluded, created without members, then its provisioned
	// member (alice; carol is absent and Create is off for users) added with PATCH.
	var lookup, create *scimRequest
	for _, r := range w.scim.reqs("") {
		if strings.HasSuffix(r.Path, "/Groups") && r.Method == "GET" && lookup == nil {
			lookup = &r
		}
		if strings.HasSuffix(r.Path, "/Groups") && r.Method == "POST" {
			create = &r
		}
	}
	if lookup == nil || lookup.Query != `displayName eq "Engineering"` {
		t.Fatalf("lookup %+v", lookup)
	}
	if create == nil || create.Body["displayName"] != "Engineering" || create.Body["externalId"] != w.group || create.Body["members"] != nil {
		t.Fatalf("create %+v", create)
	}
	if len(w.scim.groups) != 1 {
		t.Fatalf("groups %+v", w.scim.groups)
	}
	for _, g := range w.scim.groups {
		if len(g.members) != 1 || !g.members[w.aliceSCIM] {
			t.Fatalf("members %+v", g.members)
		}
	}
	j, _ := w.s.Job(w.a.spID, w.a.jobID)
	if got, _ := json.Marshal(j.Status.SynchronizedEntryCountByType); string(got) != `[{"key":"User","value":1},{"key":"Group","value":1}]` {
		t.Errorf("synchronizedEntryCountByType %s", got)
	}
	// A second cycle has nothing to send for the group.
	before := len(w.scim.reqs("PATCH"))
	if le := w.groupCycle(t); le.State != "Succeeded" || len(w.scim.reqs("PATCH")) != before {
		t.Fatalf("second cycle: %+v, PATCHes %d → %d", le, before, len(w.scim.reqs("PATCH")))
	}
	// Alice leaves the group: removed with the aadOptscim062020 filtered path.
	if err := w.s.SetGroupMembers(w.group, []string{w.carol}); err != nil {
		t.Fatal(err)
	}
	w.groupCycle(t)
	for _, g := range w.scim.groups {
		if len(g.members) != 0 {
			t.Fatalf("members after removal %+v", g.members)
		}
	}
	// The provisioning logs hold one entry per object and cycle, typed User or Group.
	r := w.mustStatus(w.call("GET", "/v1.0/auditLogs/provisioning?$filter=jobId+eq+'"+w.a.jobID+"'", nil), 200)
	types := map[string]int{}
	for _, e := range r.list() {
		types[sandboxtest.As[string](t, dig(e, "sourceIdentity", "identityType"))]++
	}
	if types["Group"] != 3 || types["User"] == 0 {
		t.Errorf("log entries by type %v", types)
	}
}

func TestRunCycleGroupsRefused(t *testing.T) {
	w := newSeedWorld(t, "")
	w.scim.groupStatus = 403 // a token without the group scopes
	w.mustStatus(w.call("POST", w.jobPath(w.a, "/start"), nil), 204)
	w.groupCycle(t)
	j, _ := w.s.Job(w.a.spID, w.a.jobID)
	if j.Status.Code != "Quarantine" || j.Status.Quarantine == nil || !strings.Contains(j.Status.Quarantine.Error.Message, "Insufficient scope") {
		t.Fatalf("status %+v", j.Status)
	}
	// The users were exported before the group was refused.
	if len(w.scim.reqs("PATCH")) == 0 {
		t.Error("users not provisioned")
	}
	r := w.mustStatus(w.call("GET", "/v1.0/auditLogs/provisioning?$filter=cycleId+eq+'"+j.Status.LastExecution.ActivityIdentifier+"'", nil), 200)
	failed := 0
	for _, e := range r.list() {
		if dig(e, "sourceIdentity", "identityType") == "Group" && dig(e, "provisioningStatusInfo", "status") == "failure" {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("group failures in the log: %d (%s)", failed, r.raw)
	}
	// Repeated failures extend the quarantine series.
	w.groupCycle(t)
	if j, _ = w.s.Job(w.a.spID, w.a.jobID); j.Status.Quarantine.SeriesCount != 2 {
		t.Errorf("series %+v", j.Status.Quarantine)
	}

	// Disabling the Group mapping: nothing is sent to /Groups and the quarantine lifts.
	w.mustStatus(w.editSchema(w.a, setGroupMapping("enabled", false)), 204)
	n := 0
	for _, r := range w.scim.reqs("") {
		if strings.Contains(r.Path, "/Groups") {
			n++
		}
	}
	w.groupCycle(t)
	m := 0
	for _, r := range w.scim.reqs("") {
		if strings.Contains(r.Path, "/Groups") {
			m++
		}
	}
	j, _ = w.s.Job(w.a.spID, w.a.jobID)
	if m != n || j.Status.Quarantine != nil {
		t.Fatalf("disabled mapping: %d → %d /Groups requests, quarantine %+v", n, m, j.Status.Quarantine)
	}
}

func TestProvisionOnDemandGroup(t *testing.T) {
	w := newSeedWorld(t, "")
	r := w.call("POST", w.jobPath(w.a, "/provisionOnDemand"), map[string]any{"parameters": []any{map[string]any{
		"ruleId": DefaultRuleID, "subjects": []any{map[string]any{"objectId": w.group, "objectTypeName": "Group",
			"links": map[string]any{"members": []any{map[string]any{"objectId": w.alice, "objectTypeName": "User"}}}}}}}})
	w.mustStatus(r, 200)
	var vals []podValue
	if err := json.Unmarshal([]byte(r.str("value")), &vals); err != nil || len(vals) != 2 {
		t.Fatalf("%v %s", err, r.raw)
	}
	g := vals[0]
	if g.SourceIdentity.Type != "Group" || g.Action != "Create" || g.StatusInfo.Status != "Success" || g.TargetIdentity.Type != scimCoreGroup {
		t.Fatalf("group report %+v", g)
	}
	if vals[1].SourceIdentity.Type != "User" || vals[1].StatusInfo.Status != "Success" {
		t.Fatalf("member report %+v", vals[1])
	}
	for _, gr := range w.scim.groups {
		if !gr.members[w.aliceSCIM] {
			t.Fatalf("members %+v", gr.members)
		}
	}
	// A refused group shows the failing step.
	w.scim.groupStatus = 403
	res := w.call("POST", w.jobPath(w.a, "/provisionOnDemand"), map[string]any{"parameters": []any{map[string]any{
		"ruleId": DefaultRuleID, "subjects": []any{map[string]any{"objectId": w.group, "objectTypeName": "Group"}}}}})
	var v podValue
	_ = json.Unmarshal([]byte(res.str("value")), &v)
	last := v.ProvisioningSteps[len(v.ProvisioningSteps)-1]
	if v.StatusInfo.Status != "Failure" || last.Status != "Failure" || !strings.Contains(last.Description, "HTTP/403") {
		t.Fatalf("refused: %s", res.raw)
	}
}

// groupRequests returns the fake server's /Groups requests from index from on.
func (w *seedWorld) groupRequests(from int) []scimRequest {
	var out []scimRequest
	for _, r := range w.scim.reqs("")[from:] {
		if strings.Contains(r.Path, "/Groups") {
			out = append(out, r)
		}
	}
	return out
}

// onlyGroup returns the fake server's single group and its SCIM id.
func (w *seedWorld) onlyGroup(t *testing.T) (string, *fakeGroup) {
	t.Helper()
	if len(w.scim.groups) != 1 {
		t.Fatalf("groups in the SCIM server: %+v", w.scim.groups)
	}
	for id, g := range w.scim.groups {
		return id, g
	}
	return "", nil
}

// TestRunCycleGroupFollowsEntra: a group the job provisioned is read back by its stored SCIM id, so a rename in
// Entra is a PATCH of displayName on the same group; a group Auth0 lost is created again; an unassigned group is
// deleted only when Delete is among the Group mapping's actions.
func TestRunCycleGroupFollowsEntra(t *testing.T) {
	w := newSeedWorld(t, "?aadOptscim062020")
	w.mustStatus(w.call("POST", w.jobPath(w.a, "/start"), nil), 204)
	w.groupCycle(t)
	id, _ := w.onlyGroup(t)

	// Renamed in Entra: looked up by id (members excluded), renamed with replace, nothing created.
	if err := w.s.RenameGroup(w.group, "Platform"); err != nil {
		t.Fatal(err)
	}
	n := len(w.scim.reqs(""))
	if le := w.groupCycle(t); le.State != "Succeeded" {
		t.Fatalf("cycle after the rename: %+v", le)
	}
	got := w.groupRequests(n)
	if len(got) != 2 || got[0].Method != "GET" || !strings.HasSuffix(got[0].Path, "/Groups/"+id) || got[0].Excluded != "members" {
		t.Fatalf("requests after the rename: %+v", got)
	}
	ops, _ := got[1].Body["Operations"].([]any)
	if got[1].Method != "PATCH" || len(ops) != 1 || dig(ops[0], "op") != "replace" || dig(ops[0], "path") != "displayName" || dig(ops[0], "value") != "Platform" {
		t.Fatalf("rename request: %+v", got[1])
	}
	if id2, g := w.onlyGroup(t); id2 != id || g.displayName != "Platform" || !g.members[w.aliceSCIM] {
		t.Fatalf("after the rename: %s %+v", id2, g)
	}

	// Deleted in Auth0 out of band: the stored id answers 404, the name matches nothing, the group is created again
	// with its members.
	delete(w.scim.groups, id)
	w.groupCycle(t)
	id3, g := w.onlyGroup(t)
	if id3 == id || g.displayName != "Platform" || !g.members[w.aliceSCIM] {
		t.Fatalf("re-created group: %s %+v", id3, g)
	}

	// Unassigned while Delete is not among the actions: skipped, the group stays in Auth0.
	w.mustStatus(w.editSchema(w.a, setGroupMapping("flowTypes", "Add, Update")), 204)
	var assignment string
	for _, a := range w.mustStatus(w.call("GET", "/v1.0/servicePrincipals/"+w.a.spID+"/appRoleAssignedTo", nil), 200).list() {
		if a["principalId"] == w.group {
			assignment, _ = a["id"].(string)
		}
	}
	w.mustStatus(w.call("DELETE", "/v1.0/servicePrincipals/"+w.a.spID+"/appRoleAssignedTo/"+assignment, nil), 204)
	le := w.groupCycle(t)
	if _, g := w.onlyGroup(t); g == nil || le.State != "Succeeded" {
		t.Fatalf("Delete off: %+v", le)
	}
	r := w.mustStatus(w.call("GET", "/v1.0/auditLogs/provisioning?$filter=cycleId+eq+'"+le.ActivityIdentifier+"'", nil), 200)
	skipped := false
	for _, e := range r.list() {
		if dig(e, "sourceIdentity", "identityType") == "Group" {
			skipped = dig(e, "provisioningStatusInfo", "status") == "skipped"
		}
	}
	if !skipped {
		t.Errorf("the unassigned group's log entry is not a skip: %s", r.raw)
	}

	// Delete back on: the next cycle deletes it, and the one after sends nothing to /Groups.
	w.mustStatus(w.editSchema(w.a, setGroupMapping("flowTypes", "Add, Update, Delete")), 204)
	w.groupCycle(t)
	if len(w.scim.groups) != 0 {
		t.Fatalf("unassigned group not deleted: %+v", w.scim.groups)
	}
	n = len(w.scim.reqs(""))
	w.groupCycle(t)
	if got := w.groupRequests(n); len(got) != 0 {
		t.Fatalf("requests for a deleted, unassigned group: %+v", got)
	}
}

// TestGroupMembersInBatches: members are added and removed in PATCH requests of at most 1,000 members (Auth0's
// limit).
func TestGroupMembersInBatches(t *testing.T) {
	w := newSeedWorld(t, "?aadOptscim062020")
	w.scim.groups = map[string]*fakeGroup{"grp_1": {displayName: "Big", members: map[string]bool{}}}
	ids := make([]string, 2501)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i)
	}
	base, rfc, _ := parseTenantURL(w.base + "?aadOptscim062020")
	run := w.s.newProvisionRun(base, rfc, &userMapping{}, []secretKV{{Key: "SecretToken", Value: "scim-token"}}, nil, false)
	done := map[string]bool{}
	if f := run.patchMembers(context.Background(), "grp_1", ids, done); f != nil {
		t.Fatal(f)
	}
	var sizes []int
	for _, r := range w.scim.reqs("PATCH") {
		ops, _ := r.Body["Operations"].([]any)
		vals, _ := dig(ops[0], "value").([]any)
		sizes = append(sizes, len(vals))
	}
	if fmt.Sprint(sizes) != "[1000 1000 501]" || len(done) != 2501 || len(w.scim.groups["grp_1"].members) != 2501 {
		t.Fatalf("PATCH sizes %v, done %d", sizes, len(done))
	}
	// Removals with aadOptscim062020: one filtered-path operation per member, at most 1,000 per PATCH.
	n := len(w.scim.reqs("PATCH"))
	if f := run.removeMembers(context.Background(), "grp_1", ids[:2001], done); f != nil {
		t.Fatal(f)
	}
	sizes = nil
	for _, r := range w.scim.reqs("PATCH")[n:] {
		ops, _ := r.Body["Operations"].([]any)
		sizes = append(sizes, len(ops))
	}
	if fmt.Sprint(sizes) != "[1000 1000 1]" || len(done) != 500 || len(w.scim.groups["grp_1"].members) != 500 {
		t.Fatalf("removal PATCH sizes %v, done %d, members %d", sizes, len(done), len(w.scim.groups["grp_1"].members))
	}
}
