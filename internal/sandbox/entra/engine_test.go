package entra

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

// seedWorld is the manual setup's situation: an app assigned to the Engineering group (alice, carol), alice
// already in the SCIM target (matched by e-mail, different userName), carol absent, dave unassigned.
type seedWorld struct {
	*tenant
	a                  app
	scim               *fakeSCIM
	base               string
	alice, carol, dave string
	aliceSCIM, group   string
}

func newSeedWorld(t *testing.T, tenantURLSuffix string) *seedWorld {
	t.Helper()
	tn := newTenant(t)
	tn.s.SetProvisionOnDemandRateLimit(0, 0)
	w := &seedWorld{tenant: tn}
	w.scim, w.base = newFakeSCIM(t, "scim-token")
	var err error
	add := func(key, given string) string {
		id, e := tn.s.AddUser(User{UserPrincipalName: key + "@corp.example", DisplayName: given + " Example", GivenName: given,
			Surname: "Example", Mail: key + "@corp.example", MailNickname: key, JobTitle: "Engineer", Department: "Engineering", AccountEnabled: true})
		if e != nil {
			err = e
		}
		return id
	}
	w.alice, w.carol, w.dave = add("alice", "Alice"), add("carol", "Carol"), add("dave", "Dave")
	if err != nil {
		t.Fatal(err)
	}
	gid, err := tn.s.AddGroup("Engineering", []string{w.alice, w.carol})
	if err != nil {
		t.Fatal(err)
	}
	w.group = gid
	w.aliceSCIM = w.scim.addUser(map[string]any{"userName": "alice", "active": true, "displayName": "Alice A.",
		"name":   map[string]any{"givenName": "Al"},
		"emails": []any{map[string]any{"type": "work", "value": "alice@corp.example", "primary": true}}})

	w.a = tn.instantiate("Auth0 SCIM (corp)")
	tn.createJob(&w.a)
	tn.mustStatus(tn.call("POST", "/v1.0/servicePrincipals/"+w.a.spID+"/appRoleAssignedTo", map[string]any{"principalId": gid, "resourceId": w.a.spID, "appRoleId": AppRoleUser}), 201)
	tn.mustStatus(tn.putSecrets(w.a, "BaseAddress", w.base+tenantURLSuffix, "SecretToken", "scim-token", "SyncAll", "false"), 204)
	tn.mustStatus(tn.editSchema(w.a, seedMappings), 204)
	return w
}

type podResult struct {
	status int
	raw    []byte
	key    podKey
	value  podValue
}

func (w *seedWorld) provisionOnDemand(userID string) podResult {
	w.t.Helper()
	r := w.call("POST", w.jobPath(w.a, "/provisionOnDemand"), map[string]any{"parameters": []any{map[string]any{
		"ruleId": DefaultRuleID, "subjects": []any{map[string]any{"objectId": userID, "objectTypeName": "User"}}}}})
	res := podResult{status: r.status, raw: r.raw}
	if r.status == 200 {
		if !strings.HasSuffix(r.str("@odata.context"), "#microsoft.graph.stringKeyStringValuePair") {
			w.t.Errorf("@odata.context %q", r.str("@odata.context"))
		}
		if err := json.Unmarshal([]byte(r.str("key")), &res.key); err != nil {
			w.t.Fatalf("key is not a JSON string: %v %s", err, r.raw)
		}
		if err := json.Unmarshal([]byte(r.str("value")), &res.value); err != nil {
			w.t.Fatalf("value is not a JSON string: %v %s", err, r.raw)
		}
	}
	return res
}

func stepKinds(v podValue) []string {
	var out []string
	for _, s := range v.ProvisioningSteps {
		out = append(out, s.Type+"/"+s.Status)
	}
	return out
}

func TestProvisionOnDemandOutcomes(t *testing.T) {
	w := newSeedWorld(t, "?aadOptscim062020")

	// Present user → matched (userName misses, e-mail hits) and updated with the non-flag PATCH style.
	res := w.provisionOnDemand(w.alice)
	if res.key.Result != "Success" || res.value.Action != "Update" || res.value.StatusInfo.Status != "Success" {
		t.Fatalf("alice: %s", res.raw)
	}
	if got, want := stepKinds(res.value), []string{"Import/Success", "Matching/Success", "Scoping/Success", "Export/Success"}; !reflect.DeepEqual(got, want) {
		t.Errorf("steps %v, want %v", got, want)
	}
	if res.value.TargetSystem.Name != "customappsso" || res.value.SourceSystem.Name != "Azure Active Directory" ||
		*res.value.SourceIdentity.ID != w.alice || *res.value.TargetIdentity.ID != w.aliceSCIM || res.value.TargetIdentity.Type != scimEnterpriseUser {
		t.Errorf("identities: %s", res.raw)
	}
	gets := w.scim.reqs("GET")
	if len(gets) != 2 || gets[0].Query != `userName eq "alice@corp.example"` || gets[1].Query != `emails[type eq "work"].value eq "alice@corp.example"` {
		t.Errorf("matching queries: %+v", gets)
	}
	patches := w.scim.reqs("PATCH")
	if len(patches) != 1 {
		t.Fatalf("PATCH requests: %+v", patches)
	}
	ops := map[string]map[string]any{}
	for _, o := range sandboxtest.As[[]any](t, patches[0].Body["Operations"]) {
		om := sandboxtest.As[map[string]any](t, o)
		ops[sandboxtest.As[string](t, om["path"])] = om
	}
	if o := ops["externalId"]; o == nil || o["op"] != "Add" || o["value"] != w.alice {
		t.Errorf("externalId op (on demand ignores aadOptscim062020: title case, objectId source): %v", ops["externalId"])
	}
	if o := ops["userName"]; o == nil || o["op"] != "Replace" || o["value"] != "alice@corp.example" {
		t.Errorf("userName op: %v", ops["userName"])
	}
	if _, ok := ops["active"]; ok {
		t.Error("active sent although it already matched")
	}
	if u := w.scim.user(w.aliceSCIM); u["externalId"] != w.alice {
		t.Errorf("SCIM user after update: %v", u)
	}

	// Nothing changed since → Skipped RedundantExport (DOCUMENTED shape).
	res = w.provisionOnDemand(w.alice)
	if res.key.Result != "Skipped" || res.key.Details.ErrorCode != "RedundantExport" || res.value.Action != "Other" {
		t.Errorf("alice again: %s", res.raw)
	}

	// Absent user with Create deselected → no POST, the user-visible error of the seed.
	res = w.provisionOnDemand(w.carol)
	if res.key.Result != "Skipped" || res.key.Details.ErrorCode != SkipActionTypeNotEnabled ||
		!strings.Contains(res.key.Details.ErrorMessage, "Create action is not enabled") {
		t.Errorf("carol: %s", res.raw)
	}
	last := res.value.ProvisioningSteps[len(res.value.ProvisioningSteps)-1]
	if last.Name != "EntrySynchronizationSkip" || last.Type != "Export" || last.Status != "Skipped" {
		t.Errorf("carol's last step: %+v", last)
	}
	if n := len(w.scim.reqs("POST")); n != 0 {
		t.Errorf("%d POSTs with Create deselected", n)
	}

	// Unassigned user → NotEffectivelyEntitled.
	res = w.provisionOnDemand(w.dave)
	if res.key.Result != "Skipped" || res.key.Details.ErrorCode != SkipNotEffectivelyEntitled {
		t.Errorf("dave: %s", res.raw)
	}

	// Unknown user → import failure.
	res = w.provisionOnDemand(newGUID())
	if res.key.Result != "Failure" || res.value.ProvisioningSteps[0].Status != "Failure" {
		t.Errorf("unknown user: %s", res.raw)
	}

	// Create enabled → carol is created.
	w.mustStatus(w.editSchema(w.a, func(s map[string]any) { userMappingOf(t, s)["flowTypes"] = "Add, Update, Delete" }), 204)
	res = w.provisionOnDemand(w.carol)
	if res.key.Result != "Success" || res.value.Action != "Create" {
		t.Fatalf("carol with Create: %s", res.raw)
	}
	posts := w.scim.reqs("POST")
	if len(posts) != 1 {
		t.Fatalf("POSTs: %+v", posts)
	}
	b := posts[0].Body
	emails := sandboxtest.As[map[string]any](t, sandboxtest.As[[]any](t, b["emails"])[0])
	if b["userName"] != "carol@corp.example" || b["active"] != true || b["externalId"] != w.carol || emails["type"] != "work" || emails["value"] != "carol@corp.example" ||
		dig(b, scimEnterpriseUser, "department") != "Engineering" || dig(b, "name", "formatted") != "Carol Example" {
		t.Errorf("POST body: %v", b)
	}
	if res.value.TargetIdentity.ID == nil || *res.value.TargetIdentity.ID == "" {
		t.Errorf("no target id: %s", res.raw)
	}

	// Unsupported expression → failure naming the function.
	w.mustStatus(w.editSchema(w.a, func(s map[string]any) {
		rowFor(t, userMappingOf(t, s), "title")["source"] = map[string]any{"expression": "Mid([jobTitle], 1, 3)", "name": "Mid", "parameters": []any{}, "type": "Function"}
	}), 204)
	res = w.provisionOnDemand(w.alice)
	if res.key.Result != "Failure" || res.key.Details.ErrorCode != FailExpression || !strings.Contains(res.key.Details.ErrorMessage, "'Mid'") {
		t.Errorf("unsupported expression: %s", res.raw)
	}

	// SCIM server refuses the token → failure with the SCIM status and detail.
	_ = w.s.SetSecret(w.a.spID, "SecretToken", "revoked")
	w.mustStatus(w.editSchema(w.a, func(s map[string]any) {
		rowFor(t, userMappingOf(t, s), "title")["source"] = map[string]any{"expression": "[jobTitle]", "name": "jobTitle", "parameters": []any{}, "type": "Attribute"}
	}), 204)
	res = w.provisionOnDemand(w.alice)
	if res.key.Result != "Failure" || res.key.Details.ErrorCode != CodeSCIMCredentialValidation || !strings.Contains(res.key.Details.ErrorMessage, "HTTP/401") {
		t.Errorf("revoked token: %s", res.raw)
	}
}

func TestProvisionOnDemandErrors(t *testing.T) {
	w := newSeedWorld(t, "")
	body := func(rule, typ string, n int) map[string]any {
		var subs []any
		for i := 0; i < n; i++ {
			subs = append(subs, map[string]any{"objectId": w.alice, "objectTypeName": typ})
		}
		return map[string]any{"parameters": []any{map[string]any{"ruleId": rule, "subjects": subs}}}
	}
	bare := w.instantiate("No credentials")
	w.createJob(&bare)
	tests := []struct {
		name   string
		path   string
		body   any
		status int
		code   string
		msg    string
	}{
		{"unknown rule", w.jobPath(w.a, "/provisionOnDemand"), body(newGUID(), "User", 1), 400, CodeUnknownError, "was not found in the schema"},
		{"two group subjects", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "Group", 2), 400, CodeUnknownError, "one group per request"},
		{"device subject", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "Device", 1), 400, CodeUnknownError, "use User or Group"},
		{"too many subjects", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "User", 6), 400, CodeUnknownError, "at most 5"},
		{"no subjects", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "User", 0), 400, CodeUnknownError, "subjects"},
		{"credentials missing", w.jobPath(bare, "/provisionOnDemand"), body(DefaultRuleID, "User", 1), 400, CodeCredentialsMissing, "Please configure provisioning by providing your admin credentials then retry the provision on-demand."},
		{"unknown job", "/v1.0/servicePrincipals/" + w.a.spID + "/synchronization/jobs/nope/provisionOnDemand", body(DefaultRuleID, "User", 1), 404, CodeResourceNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.call("POST", tc.path, tc.body)
			if r.status != tc.status || r.errCode() != tc.code || !strings.Contains(r.errMsg(), tc.msg) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}

	// Several subjects → the array-valued answer.
	r := w.mustStatus(w.call("POST", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "User", 2)), 200)
	var vals []podValue
	if r.str("key") != onDemandStatusInfoKey || json.Unmarshal([]byte(r.str("value")), &vals) != nil || len(vals) != 2 {
		t.Errorf("multi-subject: %s", r.raw)
	}

	// Rate limit: 5 per 10 seconds per job (DOCUMENTED).
	w.s.SetProvisionOnDemandRateLimit(5, 10*time.Second)
	for i := 0; i < 5; i++ {
		w.mustStatus(w.call("POST", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "User", 1)), 200)
	}
	r = w.call("POST", w.jobPath(w.a, "/provisionOnDemand"), body(DefaultRuleID, "User", 1))
	if r.status != 429 || r.errCode() != CodeTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("6th call: %d %v %s", r.status, r.header, r.raw)
	}
}

func TestRunCycle(t *testing.T) {
	w := newSeedWorld(t, "?aadOptscim062020")
	w.mustStatus(w.editSchema(w.a, setGroupMapping("enabled", false)), 204) // users only here; groups: engine_groups_test.go
	ctx := context.Background()
	if err := w.s.RunCycle(ctx, w.a.spID); !errors.Is(err, ErrNoActiveJob) {
		t.Fatalf("paused job: %v", err)
	}
	w.mustStatus(w.call("POST", w.jobPath(w.a, "/start"), nil), 204)
	if err := w.s.RunCycle(ctx, w.a.spID); err != nil {
		t.Fatal(err)
	}
	j, _ := w.s.Job(w.a.spID, w.a.jobID)
	le := j.Status.LastExecution
	if j.Status.Code != "Active" || le == nil || le.State != "Succeeded" || le.CountEntitled != 2 || le.CountImported != 2 || le.CountExported != 1 ||
		le.TimeBegan == "" || le.TimeEnded == "" || j.Status.SteadyStateLastAchievedTime == zeroTime || j.Status.LastSuccessfulExecutionWithExports == nil {
		t.Fatalf("after cycle: %+v %+v", j.Status, le)
	}
	if !reflect.DeepEqual(j.Status.SynchronizedEntryCountByType, []KeyLongValue{{Key: "User", Value: 1}}) {
		t.Errorf("synchronizedEntryCountByType %+v", j.Status.SynchronizedEntryCountByType)
	}
	// A cycle with aadOptscim062020 sends RFC 7644 PATCH: lowercase ops, typed values, grouped replace.
	patch := w.scim.reqs("PATCH")[0].Body
	raw, _ := json.Marshal(patch)
	if strings.Contains(string(raw), `"op":"Replace"`) || strings.Contains(string(raw), `"op":"Add"`) {
		t.Errorf("title-case op in a flagged cycle: %s", raw)
	}
	var grouped map[string]any
	for _, o := range sandboxtest.As[[]any](t, patch["Operations"]) {
		if om := sandboxtest.As[map[string]any](t, o); om["path"] == nil {
			grouped = sandboxtest.As[map[string]any](t, om["value"])
		}
	}
	if grouped == nil || grouped["userName"] != "alice@corp.example" || grouped["displayName"] != "Alice Example" || grouped["name.givenName"] != "Alice" {
		t.Errorf("grouped replace: %s", raw)
	}
	if !strings.Contains(string(raw), `{"op":"add","path":"externalId","value":"`+w.alice+`"}`) {
		t.Errorf("add of a missing attribute: %s", raw)
	}

	// Alice leaves the group → disabled (Delete is enabled): {"op":"replace","path":"active","value":false}.
	if err := w.s.SetGroupMembers(w.group, []string{w.carol}); err != nil {
		t.Fatal(err)
	}
	if err := w.s.RunCycle(ctx, w.a.spID); err != nil {
		t.Fatal(err)
	}
	patches := w.scim.reqs("PATCH")
	lastPatch, _ := json.Marshal(patches[len(patches)-1].Body["Operations"])
	if string(lastPatch) != `[{"op":"replace","path":"active","value":false}]` {
		t.Errorf("disable: %s", lastPatch)
	}
	if w.scim.user(w.aliceSCIM)["active"] != false {
		t.Error("alice still active")
	}

	// A revoked token quarantines the job; the series grows; a good token lifts it.
	_ = w.s.SetSecret(w.a.spID, "SecretToken", "revoked")
	_ = w.s.RunCycle(ctx, w.a.spID)
	j, _ = w.s.Job(w.a.spID, w.a.jobID)
	q := j.Status.Quarantine
	if j.Status.Code != "Quarantine" || q == nil || q.Reason != "EncounteredQuarantineException" || q.Error.Code != CodeSCIMCredentialValidation ||
		q.SeriesCount != 1 || !strings.Contains(q.Error.Message, "HTTP/401") || j.Status.LastExecution.State != "Failed" || j.Schedule.State != "Active" {
		t.Fatalf("quarantine: %+v %+v", j.Status, q)
	}
	began, _ := time.Parse(time.RFC3339, q.CurrentBegan)
	next, _ := time.Parse(time.RFC3339, q.NextAttempt)
	if next.Sub(began) != 5*time.Minute {
		t.Errorf("nextAttempt %s after currentBegan %s", q.NextAttempt, q.CurrentBegan)
	}
	r := w.mustStatus(w.call("GET", w.jobPath(w.a, ""), nil), 200)
	if r.str("status", "code") != "Quarantine" || r.str("status", "quarantine", "error", "code") != CodeSCIMCredentialValidation {
		t.Errorf("GET quarantined job: %s", r.raw)
	}
	_ = w.s.RunCycle(ctx, w.a.spID)
	if j, _ = w.s.Job(w.a.spID, w.a.jobID); j.Status.Quarantine.SeriesCount != 2 || j.Status.CountSuccessiveCompleteFailures != 2 {
		t.Errorf("second failure: %+v", j.Status.Quarantine)
	}
	_ = w.s.SetSecret(w.a.spID, "SecretToken", "scim-token")
	_ = w.s.RunCycle(ctx, w.a.spID)
	if j, _ = w.s.Job(w.a.spID, w.a.jobID); j.Status.Quarantine != nil || j.Status.Code != "Active" {
		t.Errorf("after recovery: %+v", j.Status)
	}

	// An unreachable tenant URL quarantines with InvalidCredentials.
	_ = w.s.SetSecret(w.a.spID, "BaseAddress", "https://127.0.0.1:1/scim")
	_ = w.s.RunCycle(ctx, w.a.spID)
	if j, _ = w.s.Job(w.a.spID, w.a.jobID); j.Status.Quarantine == nil || j.Status.Quarantine.Error.Code != CodeSCIMInvalidCredentials ||
		!strings.HasPrefix(j.Status.Quarantine.Error.Message, "Please provide a valid tenant URL for your application.") {
		t.Errorf("unreachable: %+v", j.Status.Quarantine)
	}
}

func TestScheduler(t *testing.T) {
	s := New(Config{TenantID: testTenant, CycleInterval: 20 * time.Millisecond})
	defer s.Close()
	srv := tlsServer(t, s.Router())
	s.SetBaseURL(srv.URL)
	s.SetHTTPClient(caClient(t))
	fake, base := newFakeSCIM(t, "tok")
	_ = fake
	s.mu.Lock()
	_, sp := s.addAppLocked(newGUID(), "x", NonGalleryTemplateID, 0)
	j := &job{spID: sp.id, id: "scim.x." + sp.appID, templateID: "scim", schedule: Schedule{Interval: "PT40M", State: "Active"},
		status: JobStatus{SteadyStateFirstAchievedTime: zeroTime, SteadyStateLastAchievedTime: zeroTime}, schema: defaultSchema(), escrow: map[string]string{}}
	sp.jobs[j.id] = j
	sp.secrets = []secretKV{{"BaseAddress", base}, {"SecretToken", "tok"}}
	s.mu.Unlock()
	waitFor(t, func() bool { jv, _ := s.Job(sp.id, j.id); return jv.Status.LastExecution != nil })
}

func TestExpressions(t *testing.T) {
	attrs := map[string]string{"issoftdeleted": "False", "givenname": "Ann", "surname": "Example", "mail": "ann@example.com"}
	get := func(n string) *string {
		if v, ok := attrs[strings.ToLower(n)]; ok {
			return &v
		}
		return nil
	}
	tests := []struct {
		expr string
		want any // string, nil, or error substring as errString
	}{
		{`Switch([IsSoftDeleted], , "False", "True", "True", "False")`, "True"},
		{`Switch([missing], "dflt", "False", "True")`, "dflt"},
		{`Not([IsSoftDeleted])`, "True"},
		{`Join(" ", [givenName], [surname])`, "Ann Example"},
		{`Join(" ", [givenName], [missing])`, "Ann"},
		{`Join(",", [missing])`, nil},
		{`Append([givenName], "@corp")`, "Ann@corp"},
		{`Coalesce([missing], [mail])`, "ann@example.com"},
		{`ToLower([mail], )`, "ann@example.com"},
		{`ToUpper([givenName])`, "ANN"},
		{`"say \"hi\""`, `say "hi"`}, // escaping as microsoft-graph.md §5.16 says
		{`Join("\\", [givenName], [surname])`, `Ann\Example`},
		{`[mail]`, "ann@example.com"},
		{`Mid([mail], 1, 3)`, errString("'Mid' is not supported")},
		{`Not([mail])`, errString("not a Boolean")},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			n, err := parseExpression(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			v, err := evalExpr(n, get)
			switch want := tc.want.(type) {
			case errString:
				if err == nil || !strings.Contains(err.Error(), string(want)) {
					t.Fatalf("err %v, want %q", err, want)
				}
			case nil:
				if err != nil || v != nil {
					t.Fatalf("got %v %v, want nil", v, err)
				}
			case string:
				if err != nil || v == nil || *v != want {
					t.Fatalf("got %v %v, want %q", deref(v), err, want)
				}
			}
		})
	}
	for _, bad := range []string{``, `Join(" ", [a]`, `[a`, `"open`, `Join(" ") x`} {
		if _, err := parseExpression(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	// Encoding (microsoft-graph.md §5.12).
	n, _ := parseExpression(`Not([IsSoftDeleted])`)
	got, _ := json.Marshal(n.Source(""))
	want := `{"expression":"Not([IsSoftDeleted])","name":"Not","parameters":[{"key":"source","value":{"expression":"[IsSoftDeleted]","name":"IsSoftDeleted","parameters":[],"type":"Attribute"}}],"type":"Function"}`
	if string(got) != want {
		t.Errorf("source JSON\n got %s\nwant %s", got, want)
	}
	n, _ = parseExpression(`"1"`)
	if got, _ := json.Marshal(n.Source("")); string(got) != `{"expression":"\"1\"","name":"1","parameters":[],"type":"Constant"}` {
		t.Errorf("constant JSON %s", got)
	}
}

type errString string

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestConcurrentUse drives Graph, provisionOnDemand, cycles and the Go API at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	w := newSeedWorld(t, "?aadOptscim062020")
	w.mustStatus(w.call("POST", w.jobPath(w.a, "/start"), nil), 204)
	ctx := context.Background()
	done := make(chan struct{})
	var errs = make(chan string, 64)
	work := []func(){
		func() { _ = w.s.RunCycle(ctx, w.a.spID) },
		func() {
			if res := w.provisionOnDemand(w.alice); res.status != 200 {
				errs <- string(res.raw)
			}
		},
		func() {
			if r := w.call("GET", w.jobPath(w.a, ""), nil); r.status != 200 {
				errs <- string(r.raw)
			}
		},
		func() {
			if r := w.call("GET", w.jobPath(w.a, "/schema"), nil); r.status != 200 {
				errs <- string(r.raw)
			}
		},
		func() { _ = w.s.SetSecret(w.a.spID, "SyncAll", "false") },
		func() { _ = w.s.Jobs(w.a.spID) },
		func() { w.call("GET", "/v1.0/users", nil) },
	}
	for i := 0; i < 4; i++ {
		for _, f := range work {
			go func() {
				defer func() { done <- struct{}{} }()
				f()
			}()
		}
	}
	for i := 0; i < 4*len(work); i++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
