package provisioning

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The two fixtures are Microsoft's documented examples (reference: microsoft-graph-provisioning.md §5.14, §5.6).

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
	calls []string
	body  []byte
	resp  map[string]string
}

func (f *fakeGraph) RawJSON(_ context.Context, method, path string, body []byte) ([]byte, error) {
	f.calls = append(f.calls, method+" "+path)
	if method == "POST" {
		f.body = body
	}
	return []byte(f.resp[method+" "+path]), nil
}

func TestOnDemandPicksTheOnDemandRule(t *testing.T) {
	const job = "/servicePrincipals/sp1/synchronization/jobs/scim.abc.app"
	skipped, _ := os.ReadFile("testdata/ondemand-skipped.json")
	g := &fakeGraph{resp: map[string]string{
		"GET " + job + "/schema":             `{"synchronizationRules":[{"id":"other","metadata":[]},{"id":"03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8","metadata":[{"key":"supportsProvisionOnDemand","value":"true"}]}]}`,
		"POST " + job + "/provisionOnDemand": string(skipped),
	}}
	r, err := OnDemand(context.Background(), g, Request{ServicePrincipalID: "sp1", JobID: "scim.abc.app", ObjectID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "Skipped" {
		t.Errorf("status %q", r.Status)
	}
	want := `{"parameters":[{"ruleId":"03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8","subjects":[{"objectId":"u1","objectTypeName":"User"}]}]}`
	if string(g.body) != want {
		t.Errorf("body\n got %s\nwant %s", g.body, want)
	}
}

func TestOnDemandRequiresIDs(t *testing.T) {
	if _, err := OnDemand(context.Background(), &fakeGraph{}, Request{JobID: "j", ObjectID: "o"}); err == nil {
		t.Error("want an error without a service principal id")
	}
}
