package entra

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/sandboxtest"
)

func TestTemplatesAndJobLifecycle(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")

	r := tn.mustStatus(tn.call("GET", tn.syncPath(a, "/templates"), nil), 200)
	tpl := r.list()[0]
	if tpl["id"] != "scim" || tpl["factoryTag"] != "CustomSCIM" || dig(tpl, "schema", "synchronizationRules") == nil {
		t.Fatalf("template: %s", r.raw)
	}
	r = tn.mustStatus(tn.call("GET", tn.syncPath(a, "/templates/scim/schema"), nil), 200)
	if r.str("id") != "scim.00000000000000000000000000000000" {
		t.Errorf("template schema id %q", r.str("id"))
	}
	tn.mustStatus(tn.call("GET", tn.syncPath(a, "/templates/nope/schema"), nil), 404)

	r = tn.mustStatus(tn.call("POST", tn.syncPath(a, "/jobs"), map[string]any{"templateId": "scim"}), 201)
	a.jobID = r.str("id")
	if want := "scim." + strings.ReplaceAll(testTenant, "-", "") + "." + a.appID; a.jobID != want {
		t.Errorf("job id %q, want %q", a.jobID, want)
	}
	if sandboxtest.As[map[string]any](t, r.body["schedule"])["expiration"] != nil || r.str("schedule", "interval") != "PT40M" || r.str("schedule", "state") != "Disabled" {
		t.Errorf("schedule: %s", r.raw)
	}
	if r.str("status", "code") != "NotConfigured" || r.str("status", "steadyStateFirstAchievedTime") != zeroTime || r.body["synchronizationJobSettings"] == nil {
		t.Errorf("status: %s", r.raw)
	}
	if regexp.MustCompile(`(Time|Began|Ended|Attempt)":""`).Match(r.raw) {
		t.Errorf("empty-string timestamp in %s", r.raw)
	}

	errs := []struct {
		name   string
		body   any
		status int
	}{
		{"duplicate", map[string]any{"templateId": "scim"}, 409},
		{"unknown template", map[string]any{"templateId": "gsuite"}, 400},
		{"no template", map[string]any{}, 400},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.call("POST", tn.syncPath(a, "/jobs"), tc.body)
			if r.status != tc.status || r.errCode() != CodeUnknownError || !strings.HasPrefix(r.errMsg(), `{"Message":`) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}

	code := func() string { return tn.mustStatus(tn.call("GET", tn.jobPath(a, ""), nil), 200).str("status", "code") }
	tn.mustStatus(tn.putSecrets(a, "BaseAddress", "https://tenant.example/scim/v2/connections/con_1?aadOptscim062020", "SecretToken", "tok"), 204)
	if c := code(); c != "Paused" {
		t.Errorf("after secrets: %s", c)
	}
	tn.mustStatus(tn.call("POST", tn.jobPath(a, "/start"), nil), 204)
	r = tn.call("GET", tn.jobPath(a, ""), nil)
	if r.str("schedule", "state") != "Active" || r.str("status", "code") != "NotRun" {
		t.Errorf("after start: %s", r.raw)
	}
	tn.mustStatus(tn.call("POST", tn.jobPath(a, "/pause"), nil), 204)
	r = tn.call("GET", tn.jobPath(a, ""), nil)
	if r.str("schedule", "state") != "Paused" || r.str("status", "code") != "Paused" {
		t.Errorf("after pause: %s", r.raw)
	}

	// Quarantine by hand, then restart clears it; both spellings of resetScope are accepted.
	if err := tn.s.QuarantineJob(a.spID, a.jobID, "", ""); err != nil {
		t.Fatal(err)
	}
	r = tn.call("GET", tn.jobPath(a, ""), nil)
	if r.str("status", "code") != "Quarantine" || r.str("status", "quarantine", "reason") != "EncounteredQuarantineException" ||
		r.str("status", "quarantine", "error", "code") != CodeSCIMCredentialValidation {
		t.Errorf("quarantined: %s", r.raw)
	}
	for _, scope := range []string{"Escrows,Watermark,QuarantineState", "Watermark, Escrows, QuarantineState"} {
		tn.mustStatus(tn.call("POST", tn.jobPath(a, "/restart"), map[string]any{"criteria": map[string]any{"resetScope": scope}}), 204)
	}
	if j, _ := tn.s.Job(a.spID, a.jobID); j.Status.Quarantine != nil || j.Schedule.State != "Active" {
		t.Errorf("after restart: %+v", j)
	}
	tn.mustStatus(tn.call("POST", tn.jobPath(a, "/restart"), nil), 204)
	r = tn.call("POST", tn.jobPath(a, "/restart"), map[string]any{"criteria": map[string]any{"resetScope": "Everything"}})
	if r.status != 400 {
		t.Errorf("bad reset scope: %d %s", r.status, r.raw)
	}
	// Start clears a quarantine too.
	_ = tn.s.QuarantineJob(a.spID, a.jobID, "", "")
	tn.mustStatus(tn.call("POST", tn.jobPath(a, "/start"), nil), 204)
	if j, _ := tn.s.Job(a.spID, a.jobID); j.Status.Quarantine != nil {
		t.Error("start did not clear the quarantine")
	}

	if l := tn.mustStatus(tn.call("GET", tn.syncPath(a, "/jobs"), nil), 200).list(); len(l) != 1 {
		t.Errorf("jobs list: %v", l)
	}
	tn.mustStatus(tn.call("DELETE", tn.jobPath(a, ""), nil), 204)
	tn.mustStatus(tn.call("GET", tn.jobPath(a, ""), nil), 404)
	tn.mustStatus(tn.call("POST", tn.jobPath(a, "/start"), nil), 404)
}

func TestSecrets(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")
	tn.mustStatus(tn.putSecrets(a, "BaseAddress", "https://t.example/scim", "SecretToken", "tok-1", "SyncAll", "false"), 204)
	tn.mustStatus(tn.putSecrets(a, "SecretToken", "tok-2"), 204) // merge by key

	r := tn.mustStatus(tn.call("GET", tn.syncPath(a, "/secrets"), nil), 200)
	got := map[string]string{}
	for _, kv := range r.list() {
		got[sandboxtest.As[string](t, kv["key"])] = sandboxtest.As[string](t, kv["value"])
	}
	if got["BaseAddress"] != "https://t.example/scim" || got["SecretToken"] != "*" || got["SyncAll"] != "false" || len(got) != 3 {
		t.Errorf("GET secrets: %v", got)
	}
	if tn.s.Secrets(a.spID)["SecretToken"] != "tok-2" {
		t.Error("merge did not update the token")
	}
	tn.mustStatus(tn.putSecrets(a, "SyncAll", ""), 204) // "" removes
	if _, ok := tn.s.Secrets(a.spID)["SyncAll"]; ok {
		t.Error(`"" did not remove SyncAll`)
	}

	tests := []struct {
		name   string
		kv     []string
		status int
		code   string
		msg    string
	}{
		{"camelCase key", []string{"baseAddress", "x"}, 500, CodeInternalError, "Requested value 'baseAddress' was not found."},
		{"empty notification settings", []string{"SyncNotificationSettings", ""}, 400, CodeUnknownError, "InvalidNotificationSettings"},
		{"empty object notification settings", []string{"SyncNotificationSettings", "{}"}, 204, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.putSecrets(a, tc.kv...)
			if r.status != tc.status || r.errCode() != tc.code || !strings.Contains(r.errMsg(), tc.msg) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	tn.mustStatus(tn.call("PUT", "/v1.0/servicePrincipals/"+newGUID()+"/synchronization/secrets", map[string]any{"value": []any{}}), 404)
}

// userMappingOf returns the User object mapping of a decoded schema.
func userMappingOf(t *testing.T, schema map[string]any) map[string]any {
	t.Helper()
	for _, om := range objectMappingsOf(schema) {
		if om["sourceObjectName"] == "User" {
			return om
		}
	}
	t.Fatal("no User object mapping")
	return nil
}

func rowFor(t testing.TB, om map[string]any, target string) map[string]any {
	t.Helper()
	for _, a := range sandboxtest.As[[]any](t, om["attributeMappings"]) {
		if m := sandboxtest.As[map[string]any](t, a); m["targetAttributeName"] == target {
			return m
		}
	}
	return nil
}

func TestDefaultSchema(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")
	tn.createJob(&a)
	r := tn.mustStatus(tn.call("GET", tn.jobPath(a, "/schema"), nil), 200)
	if r.str("id") != a.jobID || !strings.Contains(r.str("@odata.context"), "/schema/$entity") {
		t.Errorf("schema header: id=%q ctx=%q", r.str("id"), r.str("@odata.context"))
	}
	rule := sandboxtest.As[map[string]any](t, sandboxtest.As[[]any](t, r.body["synchronizationRules"])[0])
	if rule["id"] != DefaultRuleID || rule["name"] != DefaultRuleName || rule["sourceDirectoryName"] != "Azure Active Directory" || rule["targetDirectoryName"] != "customappsso" {
		t.Errorf("rule: %v", rule["id"])
	}
	oms := sandboxtest.As[[]any](t, rule["objectMappings"])
	users, groups := sandboxtest.As[map[string]any](t, oms[0]), sandboxtest.As[map[string]any](t, oms[1])
	if users["name"] != UserObjectMappingName || groups["name"] != GroupObjectMappingName {
		t.Errorf("object mapping names %v / %v", users["name"], groups["name"])
	}
	if users["flowTypes"] != "Add, Update, Delete" || users["targetObjectName"] != scimEnterpriseUser {
		t.Errorf("user mapping header: %v %v", users["flowTypes"], users["targetObjectName"])
	}
	if n := len(sandboxtest.As[[]any](t, users["attributeMappings"])); n != 22 {
		t.Errorf("%d user rows, want 22", n)
	}
	if n := len(sandboxtest.As[[]any](t, groups["attributeMappings"])); n != 3 {
		t.Errorf("%d group rows, want 3", n)
	}
	if p := rowFor(t, users, "userName")["matchingPriority"]; p != float64(1) {
		t.Errorf("userName matchingPriority %v", p)
	}
	active := sandboxtest.As[map[string]any](t, rowFor(t, users, "active")["source"])
	if active["type"] != "Function" || active["name"] != "Switch" || active["expression"] != `Switch([IsSoftDeleted], , "False", "True", "True", "False")` {
		t.Errorf("active source: %v", active)
	}
	if src := sandboxtest.As[map[string]any](t, rowFor(t, users, "externalId")["source"]); src["expression"] != "[mailNickname]" || src["type"] != "Attribute" {
		t.Errorf("externalId source: %v", src)
	}

	// Spelling of flowTypes.
	_ = tn.s.SetFlowTypesSpelling(a.spID, a.jobID, FlowTypesCompact)
	r = tn.call("GET", tn.jobPath(a, "/schema"), nil)
	if !strings.Contains(string(r.raw), `"flowTypes":"Add,Update,Delete"`) {
		t.Error("compact spelling not applied")
	}
}

// editSchema GETs the job schema, lets f change it and PUTs it back.
func (tn *tenant) editSchema(a app, f func(schema map[string]any)) response {
	tn.t.Helper()
	r := tn.mustStatus(tn.call("GET", tn.jobPath(a, "/schema"), nil), 200)
	var schema map[string]any
	if err := json.Unmarshal(r.raw, &schema); err != nil {
		tn.t.Fatal(err)
	}
	f(schema)
	return tn.call("PUT", tn.jobPath(a, "/schema"), schema)
}

// seedMappings applies the manual setup's mapping edits: deselect Create, externalId ← objectId, emails matching
// precedence 2.
func seedMappings(schema map[string]any) {
	for _, om := range objectMappingsOf(schema) {
		if om["sourceObjectName"] != "User" {
			continue
		}
		om["flowTypes"] = "Update, Delete"
		ams, _ := om["attributeMappings"].([]any) // the tests that use these edits check the rows they expect
		for _, a := range ams {
			m, _ := a.(map[string]any)
			switch m["targetAttributeName"] {
			case "externalId":
				m["source"] = map[string]any{"expression": "[objectId]", "name": "objectId", "parameters": []any{}, "type": "Attribute"}
			case `emails[type eq "work"].value`:
				m["matchingPriority"] = 2
			}
		}
	}
}

func TestSchemaPut(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")
	tn.createJob(&a)

	r := tn.editSchema(a, func(s map[string]any) {
		seedMappings(s)
		s["x-unmodelled"] = map[string]any{"kept": []any{1.5, "two"}}
	})
	tn.mustStatus(r, 204)
	raw, _ := tn.s.JobSchema(a.spID, a.jobID)
	if !strings.Contains(string(raw), `"x-unmodelled":{"kept":[1.5,"two"]}`) {
		t.Error("unknown property not stored as sent")
	}
	r = tn.mustStatus(tn.call("GET", tn.jobPath(a, "/schema"), nil), 200)
	om := userMappingOf(t, r.body)
	if om["flowTypes"] != "Update, Delete" || sandboxtest.As[map[string]any](t, rowFor(t, om, "externalId")["source"])["name"] != "objectId" ||
		rowFor(t, om, `emails[type eq "work"].value`)["matchingPriority"] != float64(2) || r.body["x-unmodelled"] == nil {
		t.Errorf("after PUT: %s", r.raw)
	}

	// A PUT of the compact spelling is returned per the job's spelling; AsStored returns it verbatim.
	tn.mustStatus(tn.editSchema(a, func(s map[string]any) { userMappingOf(t, s)["flowTypes"] = "Update,Delete" }), 204)
	if om := userMappingOf(t, tn.call("GET", tn.jobPath(a, "/schema"), nil).body); om["flowTypes"] != "Update, Delete" {
		t.Errorf("spaced rendering: %v", om["flowTypes"])
	}
	_ = tn.s.SetFlowTypesSpelling(a.spID, a.jobID, FlowTypesAsStored)
	if om := userMappingOf(t, tn.call("GET", tn.jobPath(a, "/schema"), nil).body); om["flowTypes"] != "Update,Delete" {
		t.Errorf("as-stored rendering: %v", om["flowTypes"])
	}

	// A body without directories keeps the current ones.
	tn.mustStatus(tn.editSchema(a, func(s map[string]any) { delete(s, "directories") }), 204)
	if tn.call("GET", tn.jobPath(a, "/schema"), nil).body["directories"] == nil {
		t.Error("directories lost")
	}

	tests := []struct {
		name string
		edit func(s map[string]any)
		msg  string
	}{
		{"unknown target attribute", func(s map[string]any) {
			rowFor(t, userMappingOf(t, s), "title")["targetAttributeName"] = "shoeSize"
		}, "the target attribute 'shoeSize' is not defined"},
		{"target mapped twice", func(s map[string]any) {
			rowFor(t, userMappingOf(t, s), "title")["targetAttributeName"] = "displayName"
		}, "'displayName' is mapped more than once"},
		{"duplicate matching precedence", func(s map[string]any) {
			rowFor(t, userMappingOf(t, s), `emails[type eq "work"].value`)["matchingPriority"] = 1
		}, "matching precedence 1 is used by both"},
		{"unknown directory", func(s map[string]any) {
			sandboxtest.As[map[string]any](t, sandboxtest.As[[]any](t, s["synchronizationRules"])[0])["targetDirectoryName"] = "nowhere"
		}, "refers to the directory 'nowhere'"},
		{"bad flowTypes", func(s map[string]any) { userMappingOf(t, s)["flowTypes"] = "Add, Upsert" }, "flowTypes value 'Upsert'"},
		{"bad flowType", func(s map[string]any) { rowFor(t, userMappingOf(t, s), "title")["flowType"] = "Sometimes" }, "flowType 'Sometimes'"},
		{"unknown target object", func(s map[string]any) { userMappingOf(t, s)["targetObjectName"] = "Person" }, "target object 'Person'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.editSchema(a, tc.edit)
			if r.status != 400 || r.errCode() != CodeUnknownError || !strings.Contains(r.errMsg(), tc.msg) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	// A custom attribute added to the target directory can then be mapped.
	tn.mustStatus(tn.editSchema(a, func(s map[string]any) {
		for _, d := range sandboxtest.As[[]any](t, s["directories"]) {
			dm := sandboxtest.As[map[string]any](t, d)
			if dm["name"] != "customappsso" {
				continue
			}
			obj := sandboxtest.As[map[string]any](t, sandboxtest.As[[]any](t, dm["objects"])[0])
			obj["attributes"] = append(sandboxtest.As[[]any](t, obj["attributes"]), map[string]any{"name": "urn:ietf:params:scim:schemas:extension:custom:2.0:User:costCentre", "type": "String"})
		}
		om := userMappingOf(t, s)
		om["attributeMappings"] = append(sandboxtest.As[[]any](t, om["attributeMappings"]), map[string]any{
			"targetAttributeName": "urn:ietf:params:scim:schemas:extension:custom:2.0:User:costCentre", "flowType": "Always", "matchingPriority": 0,
			"source": map[string]any{"expression": "[department]", "name": "department", "parameters": []any{}, "type": "Attribute"},
		})
	}), 204)

	// PATCH does not exist on the service.
	r = tn.call("PATCH", tn.jobPath(a, "/schema"), map[string]any{})
	want := `{"Message":"No HTTP resource was found that matches the request URI 'https://syncfabric.windowsazure.com/api/servicePrincipals('` + a.spID + `')/synchronization/jobs('` + a.jobID + `')/schema?api-version=2.0'."}`
	if r.status != 404 || r.errCode() != CodeUnknownError || r.errMsg() != want {
		t.Errorf("PATCH schema: %d %s", r.status, r.raw)
	}
}

func TestParseExpression(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")
	tn.createJob(&a)
	r := tn.mustStatus(tn.call("POST", tn.jobPath(a, "/schema/parseExpression"), map[string]any{"expression": `Join(" ", [givenName], [surname])`}), 200)
	if r.body["parsingSucceeded"] != true || r.str("parsedExpression", "name") != "Join" || len(sandboxtest.As[[]any](t, dig(r.body, "parsedExpression", "parameters"))) != 3 {
		t.Errorf("%s", r.raw)
	}
	r = tn.mustStatus(tn.call("POST", tn.jobPath(a, "/schema/parseExpression"), map[string]any{"expression": `Join(" ", [givenName]`}), 200)
	if r.body["parsingSucceeded"] != false || r.str("error", "message") == "" {
		t.Errorf("%s", r.raw)
	}
}

func TestValidateCredentials(t *testing.T) {
	tn := newTenant(t)
	a := tn.instantiate("SCIM")
	tn.createJob(&a)
	fake, base := newFakeSCIM(t, "good-token")
	occupied, occupiedBase := newFakeSCIM(t, "good-token")
	occupied.ignoreFilter = true
	occupied.addUser(map[string]any{"userName": "anything"})

	creds := func(base, token string) map[string]any {
		return map[string]any{"credentials": []map[string]string{{"key": "BaseAddress", "value": base}, {"key": "SecretToken", "value": token}}}
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		msg    string
	}{
		{"valid", creds(base+"?aadOptscim062020", "good-token"), 204, "", ""},
		{"wrong token", creds(base, "bad-token"), 400, CodeSCIMCredentialValidation, "HTTP/401 Unauthorized"},
		{"scim detail included", creds(base, "bad-token"), 400, CodeSCIMCredentialValidation, "SCIM error detail: Invalid token"},
		{"wrong path", creds(strings.TrimSuffix(base, "/con_test")+"/con_other", "good-token"), 400, CodeSCIMCredentialValidation, "HTTP/404"},
		{"not empty", creds(occupiedBase, "good-token"), 400, CodeSCIMCredentialValidation, "not with an empty SCIM ListResponse"},
		{"http url", creds(strings.Replace(base, "https://", "http://", 1), "good-token"), 400, CodeSCIMInvalidCredentials, "Please provide a valid tenant URL for your application."},
		{"unreachable", creds("https://127.0.0.1:1/scim", "good-token"), 400, CodeSCIMInvalidCredentials, "Please provide a valid tenant URL for your application."},
		{"no url", map[string]any{"credentials": []any{}}, 400, CodeSCIMInvalidCredentials, "Please provide a valid tenant URL for your application."},
		{"wrong key case", map[string]any{"credentials": []map[string]string{{"key": "baseAddress", "value": base}}}, 500, CodeInternalError, "Requested value 'baseAddress' was not found."},
		{"saved (none)", map[string]any{"useSavedCredentials": true}, 400, CodeSCIMInvalidCredentials, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tn.call("POST", tn.jobPath(a, "/validateCredentials"), tc.body)
			if r.status != tc.status || r.errCode() != tc.code || !strings.Contains(r.errMsg(), tc.msg) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	// The request Entra sends: GET {base}/Users?filter=userName eq "<guid>" with the bearer token.
	gets := fake.reqs("GET")
	if len(gets) == 0 || gets[0].Path != scimPrefix+"/Users" || !regexp.MustCompile(`^userName eq "[0-9a-f-]{36}"$`).MatchString(gets[0].Query) {
		t.Errorf("SCIM request: %+v", gets)
	}

	tn.mustStatus(tn.putSecrets(a, "BaseAddress", base, "SecretToken", "good-token"), 204)
	tn.mustStatus(tn.call("POST", tn.jobPath(a, "/validateCredentials"), map[string]any{"useSavedCredentials": true}), 204)

	// Collection level: needs templateId.
	r := tn.call("POST", tn.syncPath(a, "/jobs/validateCredentials"), creds(base, "good-token"))
	if r.status != 400 || !strings.Contains(r.errMsg(), "templateId") {
		t.Errorf("collection without templateId: %d %s", r.status, r.raw)
	}
	body := creds(base, "good-token")
	body["templateId"] = "scim"
	tn.mustStatus(tn.call("POST", tn.syncPath(a, "/jobs/validateCredentials"), body), 204)
}
