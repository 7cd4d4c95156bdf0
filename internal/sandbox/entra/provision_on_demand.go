package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// provisionOnDemand (microsoft-graph.md §5.14, §5.15): the answer shapes and the handler.

type podRequest struct {
	Parameters []struct {
		RuleID   string `json:"ruleId"`
		Subjects []struct {
			ObjectID       string `json:"objectId"`
			ObjectTypeName string `json:"objectTypeName"`
			Links          *struct {
				Members []struct {
					ObjectID       string `json:"objectId"`
					ObjectTypeName string `json:"objectTypeName"`
				} `json:"members"`
			} `json:"links"`
		} `json:"subjects"`
	} `json:"parameters"`
}

type podKeyDetails struct {
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

type podKey struct {
	Result  string        `json:"result"`
	Details podKeyDetails `json:"details"`
}

type podStatusInfo struct {
	Status            string  `json:"status"`
	ErrorCode         *string `json:"errorCode"`
	Reason            *string `json:"reason"`
	AdditionalDetails *string `json:"additionalDetails"`
	ErrorCategory     *string `json:"errorCategory"`
	RecommendedAction *string `json:"recommendedAction"`
}

type podIdentity struct {
	ID          *string `json:"id"`
	Type        string  `json:"type"`
	DisplayName *string `json:"displayName"`
	Details     any     `json:"details"`
}

type podSystem struct {
	ID      *string `json:"id"`
	Name    string  `json:"name"`
	Details any     `json:"details"`
}

// podValue is the value half of the provisionOnDemand answer, in the key order of microsoft-graph.md §5.14.
type podValue struct {
	Action               string             `json:"action"`
	ChangeID             string             `json:"changeId"`
	EndTime              string             `json:"endTime"`
	ModifiedProperties   []modifiedProperty `json:"modifiedProperties"`
	ProvisioningSteps    []provisioningStep `json:"provisioningSteps"`
	ReportableIdentifier string             `json:"reportableIdentifier"`
	StartTime            string             `json:"startTime"`
	StatusInfo           podStatusInfo      `json:"statusInfo"`
	SourceIdentity       podIdentity        `json:"sourceIdentity"`
	SourceSystem         podSystem          `json:"sourceSystem"`
	TargetIdentity       podIdentity        `json:"targetIdentity"`
	TargetSystem         podSystem          `json:"targetSystem"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (o *outcome) value() podValue {
	mods := o.modified
	if mods == nil {
		mods = []modifiedProperty{}
	}
	return podValue{
		Action: o.action, ChangeID: newGUID(), EndTime: graphTime(o.end), ModifiedProperties: mods,
		ProvisioningSteps: o.steps, ReportableIdentifier: o.upn, StartTime: graphTime(o.start),
		StatusInfo:     podStatusInfo{Status: o.result, ErrorCode: strPtr(o.errorCode), Reason: strPtr(o.errorMsg)},
		SourceIdentity: podIdentity{ID: strPtr(o.sourceID), Type: o.sourceTypeName()},
		SourceSystem:   podSystem{Name: SourceDirectoryName},
		TargetIdentity: podIdentity{ID: strPtr(o.targetID), Type: o.targetType},
		TargetSystem:   podSystem{Name: TargetDirectoryName},
	}
}

func (o *outcome) sourceTypeName() string {
	if o.sourceType == "" {
		return "User"
	}
	return o.sourceType
}

func (o *outcome) key() podKey {
	k := podKey{Result: o.result}
	if o.result != "Success" {
		k.Details = podKeyDetails{ErrorCode: o.errorCode, ErrorMessage: o.errorMsg}
	}
	return k
}

// onDemandStatusInfoKey is the key of the newer (array-valued) answer shape (microsoft-graph.md §5.14).
const onDemandStatusInfoKey = "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"

// provisionOnDemand serves POST …/jobs/{jobId}/provisionOnDemand → 200 stringKeyStringValuePair (microsoft-graph.md
// §5.14).
// For one subject, key and value are JSON-encoded strings: key {"result","details"}, value the change record with
// provisioningSteps. For several subjects (at most 5), key is the StatusInfo type name and value a JSON array of
// change records — the newer documented variant.
//
// Errors: rate limit 5 per 10 s per job → 429 TooManyRequests with Retry-After (DOCUMENTED, microsoft-graph.md §7.2);
// credentials never saved → 400 CredentialsMissing (SOURCE, microsoft-graph.md §5.14); unknown ruleId or malformed
// parameters → 400 UnknownError.
// provisionOnDemand ignores aadOptscim062020 (DOCUMENTED, microsoft-graph.md §6) and works whether the job is started
// or not.
func (s *Server) provisionOnDemand(w http.ResponseWriter, r *http.Request) {
	var req podRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	var (
		spID, jobID string
		secrets     []secretKV
		schema      json.RawMessage
		retryAfter  time.Duration
		found       bool
	)
	s.withJob(w, r, func(w http.ResponseWriter, sp *servicePrincipal, j *job) {
		found = true
		now := s.now()
		kept := j.podCalls[:0]
		for _, t := range j.podCalls {
			if now.Sub(t) < s.podWindow {
				kept = append(kept, t)
			}
		}
		j.podCalls = kept
		if s.podLimit > 0 {
			if len(kept) >= s.podLimit {
				retryAfter = kept[0].Add(s.podWindow).Sub(now)
				return
			}
			j.podCalls = append(j.podCalls, now)
		}
		spID, jobID = sp.id, j.id
		secrets = append([]secretKV(nil), sp.secrets...)
		schema = append(json.RawMessage(nil), j.schema...)
	})
	if !found {
		return
	}
	if retryAfter > 0 {
		secs := int((retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		s.graphError(w, r, http.StatusTooManyRequests, CodeTooManyRequests, "Too many requests. provisionOnDemand accepts 5 requests per 10 seconds.")
		return
	}
	if len(req.Parameters) == 0 || len(req.Parameters[0].Subjects) == 0 {
		s.syncError(w, r, http.StatusBadRequest, "The request is invalid: parameters[0].subjects must name at least one object.")
		return
	}
	p := req.Parameters[0]
	if p.RuleID == "" {
		s.syncError(w, r, http.StatusBadRequest, "The request is invalid: parameters[0].ruleId is required.")
		return
	}
	if len(p.Subjects) > 5 {
		s.syncError(w, r, http.StatusBadRequest, "The request is invalid: provisionOnDemand accepts at most 5 subjects.")
		return
	}
	// A Group subject provisions the group (Group object mapping) and, first, the members listed in links.members
	// — at most 5, one group per request (DOCUMENTED, microsoft-graph.md §5.14; scim-groups.md §4).
	groups := 0
	for _, sub := range p.Subjects {
		switch {
		case strings.EqualFold(sub.ObjectTypeName, "User"):
		case strings.EqualFold(sub.ObjectTypeName, "Group"):
			groups++
			if sub.Links != nil && len(sub.Links.Members) > 5 {
				s.syncError(w, r, http.StatusBadRequest, "The request is invalid: provisionOnDemand provisions at most 5 members of a group.")
				return
			}
		default:
			s.syncError(w, r, http.StatusBadRequest, fmt.Sprintf("The request is invalid: objectTypeName '%s' is not supported; use User or Group.", sub.ObjectTypeName))
			return
		}
	}
	if groups > 1 {
		s.syncError(w, r, http.StatusBadRequest, "The request is invalid: provisionOnDemand provisions one group per request.")
		return
	}
	mapping, err := loadUserMapping(schema, p.RuleID)
	if errors.Is(err, errRuleNotFound) {
		s.syncError(w, r, http.StatusBadRequest, fmt.Sprintf("The synchronization rule '%s' was not found in the schema of job '%s'.", p.RuleID, jobID))
		return
	}
	if err != nil {
		s.syncError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if !secretsConfigured(secrets) {
		s.graphError(w, r, http.StatusBadRequest, CodeCredentialsMissing, "Please configure provisioning by providing your admin credentials then retry the provision on-demand.")
		return
	}

	var outcomes []*outcome
	for _, sub := range p.Subjects {
		if strings.EqualFold(sub.ObjectTypeName, "Group") {
			gm, err := loadObjectMapping(schema, p.RuleID, sourceGroupObjectName)
			if err != nil {
				s.syncError(w, r, http.StatusBadRequest, err.Error())
				return
			}
			var members []*outcome
			if sub.Links != nil && gm.enabled {
				for _, m := range sub.Links.Members {
					o, err := s.provisionOne(r.Context(), spID, jobID, m.ObjectID, mapping, secrets, true)
					if err != nil {
						s.notFound(w, r, jobID)
						return
					}
					members = append(members, o)
				}
			}
			o, err := s.provisionGroupOne(r.Context(), spID, jobID, sub.ObjectID, gm, secrets, true)
			if err != nil {
				s.notFound(w, r, jobID)
				return
			}
			outcomes = append(outcomes, o)
			outcomes = append(outcomes, members...)
			continue
		}
		o, err := s.provisionOne(r.Context(), spID, jobID, sub.ObjectID, mapping, secrets, true)
		if err != nil {
			s.notFound(w, r, jobID)
			return
		}
		outcomes = append(outcomes, o)
	}

	var key, value []byte
	if len(outcomes) == 1 {
		key, _ = marshalJSON(outcomes[0].key())
		value, _ = marshalJSON(outcomes[0].value())
	} else {
		vals := make([]podValue, len(outcomes))
		for i, o := range outcomes {
			vals[i] = o.value()
		}
		key = []byte(onDemandStatusInfoKey)
		value, _ = marshalJSON(vals)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": s.base(r) + "/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
		"key":            string(key),
		"value":          string(value),
	})
}

// invalidTenantURLOutcome is the outcome of provisioning one object while the job's BaseAddress is not a usable
// tenant URL: a failed export test connection. sourceType is "" for users (their outcomes name none).
func (s *Server) invalidTenantURLOutcome(sourceID, sourceType, targetType string) *outcome {
	o := &outcome{start: s.now(), end: s.now(), action: "Other", sourceID: sourceID, upn: sourceID, sourceType: sourceType, targetType: targetType}
	o.steps = append(o.steps, provisioningStep{Name: "EntryExportTestConnection", Type: "Export", Status: "Failure",
		Description: invalidTenantURLMessage, Timestamp: graphTime(s.now()), Details: map[string]string{}})
	o.finish("Failure", CodeSCIMInvalidCredentials, invalidTenantURLMessage)
	return o
}

// copyEscrow copies a job's escrow (source object id → target id) for a run that works without the lock.
func copyEscrow(escrow map[string]string) map[string]string {
	out := make(map[string]string, len(escrow))
	for k, v := range escrow {
		out[k] = v
	}
	return out
}

// newProvisionRun prepares the provisioning of one object against the job's SCIM endpoint (base and rfc as
// parseTenantURL reads the BaseAddress secret; on-demand runs never send RFC 7644-compliant PATCH requests).
func (s *Server) newProvisionRun(base string, rfc bool, mapping *userMapping, secrets []secretKV, escrow map[string]string, onDemand bool) *provisionRun {
	return &provisionRun{
		client:  &scimClient{hc: s.httpClient(), base: base, token: secretValue(secrets, "SecretToken")},
		rfc:     rfc && !onDemand,
		mapping: mapping,
		escrow:  escrow,
		now:     s.now,
	}
}

// provisionOne provisions one user for a job and records the result in the job's escrow.
func (s *Server) provisionOne(ctx context.Context, spID, jobID, userID string, mapping *userMapping, secrets []secretKV, onDemand bool) (*outcome, error) {
	base, rfc, ok := parseTenantURL(secretValue(secrets, "BaseAddress"))
	if !ok {
		return s.invalidTenantURLOutcome(userID, "", mapping.targetObject), nil
	}
	s.mu.Lock()
	sp, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("job %s was deleted", jobID)
	}
	u := s.snapshotUserLocked(sp, j, userID)
	escrow := copyEscrow(j.escrow)
	s.mu.Unlock()

	o := s.newProvisionRun(base, rfc, mapping, secrets, escrow, onDemand).provision(ctx, u)

	s.mu.Lock()
	if _, j := s.jobLocked(spID, jobID, false); j != nil && u.found {
		switch {
		case o.result == "Success" && o.action == "Disable":
			delete(j.escrow, u.id)
		case o.targetID != "" && u.inScope && o.result != "Failure":
			j.escrow[u.id] = o.targetID
		}
	}
	s.mu.Unlock()
	return o, nil
}
