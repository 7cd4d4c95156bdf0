package entra

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// groupMappingEnabled sets the Group object mapping's enabled flag.
func groupMappingEnabled(on bool) func(map[string]any) {
	return func(schema map[string]any) {
		for _, om := range objectMappingsOf(schema) {
			if om["sourceObjectName"] == "Group" {
				om["enabled"] = on
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
	w.mustStatus(w.editSchema(w.a, groupMappingEnabled(false)), 204)
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
