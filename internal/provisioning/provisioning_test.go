package provisioning

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// The two fixtures are Microsoft's documented examples (microsoft-graph.md §5.14, §5.6).

func TestParseResultDocumentedSkip(t *testing.T) {
	raw, err := os.ReadFile("testdata/ondemand-skipped.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseResult(raw)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "Skipped" || r.ErrorCode != "RedundantExport" || !r.Succeeded() {
		t.Errorf("got status %q code %q succeeded %v", r.Status, r.ErrorCode, r.Succeeded())
	}
	if r.ReportableIdentifier != "BillBob@contoso.com" || r.TargetID != "52507a19-96ec-4e73-9250-3e65ffd2d926" {
		t.Errorf("identities: %+v", r)
	}
	if len(r.Steps) != 4 || r.Steps[1].Type != "Matching" || r.Steps[1].Details["userName"] != "BillBob@contoso.com" {
		t.Errorf("steps: %+v", r.Steps)
	}
}

func TestParseResultArrayValueAndTypeKey(t *testing.T) {
	value := `[{"action":"Update","reportableIdentifier":"alice@corp.example","statusInfo":{"status":"Success","errorCode":null},"provisioningSteps":[{"name":"EntryExportUpdate","type":"Export","status":"Success","description":"User 'alice@corp.example' was updated","details":{}}]}]`
	raw, _ := json.Marshal(map[string]string{"key": "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo", "value": value})
	r, err := ParseResult(raw)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "Success" || r.Action != "Update" || !r.Succeeded() || r.Summary() != "Success: Update alice@corp.example" {
		t.Errorf("got %+v, summary %q", r, r.Summary())
	}
}

func TestParseResultRejectsEmpty(t *testing.T) {
	if _, err := ParseResult([]byte(`{"key":"","value":""}`)); err == nil {
		t.Error("want an error for a response with no result")
	}
	if _, err := ParseResult([]byte(`not json`)); err == nil {
		t.Error("want an error for a non-JSON response")
	}
}

func TestParseJobStatusDocumentedQuarantine(t *testing.T) {
	raw, err := os.ReadFile("testdata/job-quarantined.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseJobStatus(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Quarantined() || s.QuarantineReason != "EncounteredQuarantineException" ||
		s.QuarantineCode != "SystemForCrossDomainIdentityManagementInvalidCredentials" || s.State != "Active" {
		t.Errorf("got %+v", s)
	}
	if s.LastExecutionState != "Failed" || s.LastExecutionBegan == nil || s.QuarantineSince == nil {
		t.Errorf("execution: %+v", s)
	}
	if !strings.Contains(s.LastExecutionError, "valid tenant URL") {
		t.Errorf("last execution error %q", s.LastExecutionError)
	}
}

func TestParseJobStatusZeroTimes(t *testing.T) {
	s, err := ParseJobStatus([]byte(`{"schedule":{"state":"Active"},"status":{"code":"NotRun","lastExecution":{"state":"Failed","timeBegan":"0001-01-01T00:00:00Z","timeEnded":"0001-01-01T00:00:00Z","error":{"code":"None","message":"","tenantActionable":false}},"quarantine":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Quarantined() || s.LastExecutionBegan != nil || s.LastExecutionError != "" {
		t.Errorf("got %+v", s)
	}
}

type fakeGraph struct {
	schema, job, result string
	ruleID              string
	subjects            []entraclient.ProvisionSubject
}

func (f *fakeGraph) GetSchema(context.Context, string, string) ([]byte, error) {
	return []byte(f.schema), nil
}
func (f *fakeGraph) GetJobJSON(context.Context, string, string) ([]byte, error) {
	return []byte(f.job), nil
}
func (f *fakeGraph) ProvisionOnDemand(_ context.Context, _, _, ruleID string, subjects ...entraclient.ProvisionSubject) (json.RawMessage, error) {
	f.ruleID, f.subjects = ruleID, subjects
	return json.RawMessage(f.result), nil
}

func TestOnDemandPicksTheOnDemandRule(t *testing.T) {
	skipped, _ := os.ReadFile("testdata/ondemand-skipped.json")
	g := &fakeGraph{
		schema: `{"synchronizationRules":[{"id":"other","metadata":[]},{"id":"03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8","metadata":[{"key":"supportsProvisionOnDemand","value":"true"}]}]}`,
		result: string(skipped),
	}
	r, err := OnDemand(context.Background(), g, Request{ServicePrincipalID: "sp1", JobID: "scim.abc.app", ObjectID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "Skipped" {
		t.Errorf("status %q", r.Status)
	}
	if g.ruleID != "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8" || len(g.subjects) != 1 || g.subjects[0] != (entraclient.ProvisionSubject{ObjectID: "u1", ObjectTypeName: "User"}) {
		t.Errorf("rule %q subjects %+v", g.ruleID, g.subjects)
	}
}

func TestOnDemandRequiresIDs(t *testing.T) {
	if _, err := OnDemand(context.Background(), &fakeGraph{}, Request{JobID: "j", ObjectID: "o"}); err == nil {
		t.Error("want an error without a service principal id")
	}
}

// TestOnDemandGroupWithMembers: a Group request names its members under links.members, in the documented shape
// (microsoft-graph.md §5.14); the result is the group's report, whatever the order of Graph's reports, with one
// result per member; members are refused for a user and beyond five.
func TestOnDemandGroupWithMembers(t *testing.T) {
	// The member's report first: the order of the reports is not documented.
	value := `[{"action":"Update","reportableIdentifier":"alice@corp.example","sourceIdentity":{"id":"u1"},"statusInfo":{"status":"Success"},"provisioningSteps":[]},` +
		`{"action":"Create","reportableIdentifier":"Engineering","sourceIdentity":{"id":"g1"},"targetIdentity":{"id":"grp_1"},"statusInfo":{"status":"Success"},"provisioningSteps":[]},` +
		`{"action":"Other","reportableIdentifier":"bob@corp.example","sourceIdentity":{"id":"u2"},"statusInfo":{"status":"Failure","errorCode":"SystemForCrossDomainIdentityManagementBadRequest"},"provisioningSteps":[]}]`
	raw, _ := json.Marshal(map[string]string{"key": "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo", "value": value})
	g := &fakeGraph{result: string(raw)}
	r, err := OnDemand(context.Background(), g, Request{ServicePrincipalID: "sp1", JobID: "scim.abc.app", RuleID: "rule", ObjectID: "g1", ObjectType: "Group", MemberIDs: []string{"u1", "u2"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"subjects": g.subjects})
	if want := `{"subjects":[{"objectId":"g1","objectTypeName":"Group","links":{"members":[{"objectId":"u1","objectTypeName":"User"},{"objectId":"u2","objectTypeName":"User"}]}}]}`; string(body) != want {
		t.Errorf("subjects\n got %s\nwant %s", body, want)
	}
	if r.SourceID != "g1" || r.Action != "Create" || r.TargetID != "grp_1" || !r.Succeeded() {
		t.Errorf("the group's result: %+v", r)
	}
	if len(r.Members) != 2 || r.Members[0].SourceID != "u1" || !r.Members[0].Succeeded() || r.Members[1].SourceID != "u2" || r.Members[1].Succeeded() {
		t.Errorf("members: %+v", r.Members)
	}
	if r.AllSucceeded() {
		t.Error("AllSucceeded with a failed member")
	}

	if _, err := OnDemand(context.Background(), g, Request{ServicePrincipalID: "sp1", JobID: "j", RuleID: "rule", ObjectID: "u1", MemberIDs: []string{"u2"}}); err == nil || !strings.Contains(err.Error(), "only for a Group") {
		t.Errorf("members with a user: %v", err)
	}
	six := []string{"1", "2", "3", "4", "5", "6"}
	if _, err := OnDemand(context.Background(), g, Request{ServicePrincipalID: "sp1", JobID: "j", RuleID: "rule", ObjectID: "g1", ObjectType: "Group", MemberIDs: six}); err == nil || !strings.Contains(err.Error(), "at most 5") {
		t.Errorf("six members: %v", err)
	}
}
