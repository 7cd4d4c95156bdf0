package entra

import (
	"net/http"
	"strings"
)

// Provisioning logs: GET /v1.0/auditLogs/provisioning (provisioningObjectSummary, scim-groups.md §5). Every object a
// cycle looks at leaves one entry — what the portal's "Provisioning logs" blade lists — with its source identity type
// (User or Group), the action, the status (success, failure, skipped) and, on failure, errorInformation. The sandbox
// keeps the last maxProvisioningLogs entries, newest first, and filters on jobId, cycleId, changeId and the status
// (the properties Graph documents as filterable that a provider needs; the rest answers 400 like other lists).

const maxProvisioningLogs = 2000

var provisioningLogFilterable = []string{"jobId", "cycleId", "changeId", "id", "tenantId"}

// provisioningActions maps the engine's actions to Graph's provisioningAction enum (lower camel case).
var provisioningActions = map[string]string{"Create": "create", "Update": "update", "Delete": "delete", "Disable": "disable", "Other": "other"}

// logOutcome records a cycle's outcome for one object.
func (s *Server) logOutcome(spID, jobID, cycleID string, o *outcome) {
	steps := make([]any, 0, len(o.steps))
	for _, st := range o.steps {
		details := make([]any, 0, len(st.Details))
		for k, v := range st.Details {
			details = append(details, map[string]any{"key": k, "value": v})
		}
		steps = append(steps, map[string]any{
			"name": st.Name, "provisioningStepType": strings.ToLower(st.Type), "status": strings.ToLower(st.Status),
			"description": st.Description, "details": map[string]any{"@odata.type": "#microsoft.graph.detailsInfo"},
			"detailsList": details,
		})
	}
	mods := make([]any, 0, len(o.modified))
	for _, m := range o.modified {
		mods = append(mods, map[string]any{"displayName": m.DisplayName, "oldValue": m.OldValue, "newValue": m.NewValue})
	}
	status := map[string]any{"status": strings.ToLower(o.result), "errorInformation": nil}
	if o.result != "Success" {
		status["errorInformation"] = map[string]any{
			"errorCode": o.errorCode, "reason": o.errorMsg, "additionalDetails": nil, "errorCategory": errorCategory(o),
			"recommendedAction": nil,
		}
	}
	action := provisioningActions[o.action]
	if action == "" {
		action = "other"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	spName := ""
	if sp := s.sps[spID]; sp != nil {
		spName, _ = sp.props["displayName"].(string)
	}
	entry := map[string]any{
		"id": newGUID(), "activityDateTime": graphTime(o.end), "changeId": newGUID(), "cycleId": cycleID,
		"durationInMilliseconds": o.end.Sub(o.start).Milliseconds(), "jobId": jobID, "tenantId": s.cfg.TenantID,
		"initiatedBy":            map[string]any{"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
		"modifiedProperties":     mods,
		"provisioningAction":     action,
		"provisioningStatusInfo": status,
		"provisioningSteps":      steps,
		"servicePrincipal":       map[string]any{"id": spID, "displayName": spName},
		"sourceIdentity":         map[string]any{"id": o.sourceID, "displayName": o.upn, "identityType": o.sourceTypeName(), "details": nil},
		"sourceSystem":           map[string]any{"id": nil, "displayName": SourceDirectoryName, "details": nil},
		"targetIdentity":         map[string]any{"id": o.targetID, "displayName": o.upn, "identityType": o.targetType, "details": nil},
		"targetSystem":           map[string]any{"id": nil, "displayName": TargetDirectoryName, "details": nil},
	}
	s.provLogs = append([]map[string]any{entry}, s.provLogs...)
	if len(s.provLogs) > maxProvisioningLogs {
		s.provLogs = s.provLogs[:maxProvisioningLogs]
	}
}

// errorCategory is Graph's provisioningStatusErrorCategory: failures are NonServiceFailure when the target answered
// (the sandbox's choice; the mapping of codes to categories is UNKNOWN), skips carry none.
func errorCategory(o *outcome) any {
	if o.result != "Failure" {
		return nil
	}
	return "nonServiceFailure"
}

// listProvisioningLogs serves GET /v1.0/auditLogs/provisioning.
func (s *Server) listProvisioningLogs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	items := make([]map[string]any, len(s.provLogs))
	copy(items, s.provLogs)
	s.mu.Unlock()
	s.listQuery(w, r, "auditLogs/provisioning", "provisioningObjectSummary", items, provisioningLogFilterable, nil)
}
