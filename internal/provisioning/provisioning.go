// Package provisioning is the provider's Go API for the seed's testing steps: Provision on Demand and the
// state of a provisioning job. The action auth0entra_provision_on_demand, the data source
// auth0entra_provisioning_status, the provision-on-demand command and the end-to-end tests all use it.
package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// Graph is the part of Microsoft Graph this package needs, as raw JSON. *entraclient.Client satisfies it.
type Graph interface {
	GetSchema(ctx context.Context, spID, jobID string) ([]byte, error)
	GetJobJSON(ctx context.Context, spID, jobID string) ([]byte, error)
	ProvisionOnDemand(ctx context.Context, spID, jobID, ruleID string, subjects ...entraclient.ProvisionSubject) (json.RawMessage, error)
}

// Request asks Entra to provision one user or group now, as the portal's Provision on Demand does.
type Request struct {
	ServicePrincipalID string
	JobID              string
	// ObjectID is the Entra object id of the user (or group) to provision.
	ObjectID string
	// ObjectType is "User" (default) or "Group".
	ObjectType string
	// RuleID is the synchronization rule; empty picks the schema's rule that supports provisioning on demand.
	RuleID string
	// MemberIDs are, for a Group, Entra object ids of users among its members to provision with it: at most
	// MaxMembers (links.members, microsoft-graph.md §5.14).
	MemberIDs []string
}

// MaxMembers is how many members of a group one Provision on Demand request may name (microsoft-graph.md §5.14).
const MaxMembers = 5

// Result is what Provision on Demand reported, flattened from Graph's stringKeyStringValuePair.
type Result struct {
	// Status is Success, Failure, Skipped or Warning.
	Status string
	// Action is what happened to the target object: Create, Update, Delete, Other, ...
	Action       string
	ErrorCode    string
	ErrorMessage string
	// ReportableIdentifier is how Entra names the object (a user principal name).
	ReportableIdentifier string
	SourceID             string
	TargetID             string
	Steps                []Step
	// Members are the reports of the members a Group request named, in Graph's order.
	Members []*Result
}

// Step is one provisioning step (Import, Scoping, Matching, Export).
type Step struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Status      string            `json:"status"`
	Description string            `json:"description"`
	Details     map[string]string `json:"details,omitempty"`
}

// Succeeded reports whether the object was provisioned (created, updated, or already in step).
func (r *Result) Succeeded() bool {
	return r.Status == "Success" || (r.Status == "Skipped" && r.ErrorCode == "RedundantExport")
}

// AllSucceeded reports whether the object and every member named with it were provisioned.
func (r *Result) AllSucceeded() bool {
	for _, m := range r.Members {
		if !m.Succeeded() {
			return false
		}
	}
	return r.Succeeded()
}

// Summary is one line for people: "Success: Update alice@corp.example" or "Failure: <code>: <message>".
func (r *Result) Summary() string {
	who := r.ReportableIdentifier
	if who == "" {
		who = r.SourceID
	}
	switch {
	case r.ErrorCode != "" || r.ErrorMessage != "":
		return fmt.Sprintf("%s: %s %s: %s", r.Status, who, r.ErrorCode, r.ErrorMessage)
	case r.Action != "":
		return fmt.Sprintf("%s: %s %s", r.Status, r.Action, who)
	default:
		return fmt.Sprintf("%s: %s", r.Status, who)
	}
}

// OnDemand provisions one object now and returns Entra's report. An error means the request itself failed; a
// provisioning failure (e.g. the user is absent from Auth0 and Create is not enabled) is a Result with Status
// "Failure" or "Skipped" and no error.
func OnDemand(ctx context.Context, g Graph, req Request) (*Result, error) {
	if req.ServicePrincipalID == "" || req.JobID == "" || req.ObjectID == "" {
		return nil, errors.New("provisioning: service principal id, job id and object id are required")
	}
	if req.ObjectType == "" {
		req.ObjectType = "User"
	}
	if len(req.MemberIDs) > 0 && req.ObjectType != "Group" {
		return nil, fmt.Errorf("provisioning: members can be named only for a Group, not a %s", req.ObjectType)
	}
	if len(req.MemberIDs) > MaxMembers {
		return nil, fmt.Errorf("provisioning: Provision on Demand takes at most %d members of a group, not %d", MaxMembers, len(req.MemberIDs))
	}
	subject := entraclient.ProvisionSubject{ObjectID: req.ObjectID, ObjectTypeName: req.ObjectType}
	if len(req.MemberIDs) > 0 {
		subject.Links = &entraclient.ProvisionLinks{}
		for _, id := range req.MemberIDs {
			subject.Links.Members = append(subject.Links.Members, entraclient.ProvisionSubject{ObjectID: id, ObjectTypeName: "User"})
		}
	}
	if req.RuleID == "" {
		raw, err := g.GetSchema(ctx, req.ServicePrincipalID, req.JobID)
		if err != nil {
			return nil, fmt.Errorf("reading the job's schema to find its provisioning rule: %w", err)
		}
		if req.RuleID, err = OnDemandRuleID(raw); err != nil {
			return nil, err
		}
	}
	raw, err := g.ProvisionOnDemand(ctx, req.ServicePrincipalID, req.JobID, req.RuleID, subject)
	if err != nil {
		return nil, err
	}
	res, err := ParseResult(raw)
	if err != nil {
		return nil, err
	}
	return res.subjectFirst(req.ObjectID), nil
}

// subjectFirst returns the result with the report of the object asked for on top and the others as members: the
// order of Graph's reports is not documented (the sandbox sends the group's first, UNKNOWN).
func (r *Result) subjectFirst(objectID string) *Result {
	if strings.EqualFold(r.SourceID, objectID) {
		return r
	}
	for i, m := range r.Members {
		if strings.EqualFold(m.SourceID, objectID) {
			others := append([]*Result{}, r.Members[:i]...)
			others = append(others, r.Members[i+1:]...)
			top := *r
			top.Members = nil
			m.Members = append([]*Result{&top}, others...)
			return m
		}
	}
	return r
}

// OnDemandRuleID picks the synchronization rule that supports provisioning on demand (metadata
// supportsProvisionOnDemand = true), else the first rule. Rule ids are not hard-coded: they differ by template.
func OnDemandRuleID(schema []byte) (string, error) {
	var s struct {
		SynchronizationRules []struct {
			ID       string `json:"id"`
			Metadata []struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"metadata"`
		} `json:"synchronizationRules"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		return "", fmt.Errorf("provisioning: the job's schema is not JSON: %w", err)
	}
	for _, r := range s.SynchronizationRules {
		for _, m := range r.Metadata {
			if m.Key == "supportsProvisionOnDemand" && strings.EqualFold(m.Value, "true") {
				return r.ID, nil
			}
		}
	}
	if len(s.SynchronizationRules) > 0 && s.SynchronizationRules[0].ID != "" {
		return s.SynchronizationRules[0].ID, nil
	}
	return "", errors.New("provisioning: the job's schema has no synchronization rule")
}

// ParseResult decodes a provisionOnDemand response. Graph encodes both `key` and `value` as JSON strings; `key` is
// either a result object or a type name, and `value` either one report object or an array of them.
func ParseResult(raw []byte) (*Result, error) {
	var pair struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(raw, &pair); err != nil {
		return nil, fmt.Errorf("provisioning: unexpected provisionOnDemand response: %w", err)
	}
	var res Result
	var key struct {
		Result  string `json:"result"`
		Details struct {
			ErrorCode    string `json:"errorCode"`
			ErrorMessage string `json:"errorMessage"`
		} `json:"details"`
	}
	if strings.HasPrefix(strings.TrimSpace(pair.Key), "{") && json.Unmarshal([]byte(pair.Key), &key) == nil {
		res.Status, res.ErrorCode, res.ErrorMessage = key.Result, key.Details.ErrorCode, key.Details.ErrorMessage
	}
	type report struct {
		Action               string `json:"action"`
		ReportableIdentifier string `json:"reportableIdentifier"`
		ProvisioningSteps    []struct {
			Step
			Details map[string]any `json:"details"`
		} `json:"provisioningSteps"`
		StatusInfo struct {
			Status    string  `json:"status"`
			ErrorCode *string `json:"errorCode"`
			Reason    *string `json:"reason"`
		} `json:"statusInfo"`
		SourceIdentity struct {
			ID string `json:"id"`
		} `json:"sourceIdentity"`
		TargetIdentity struct {
			ID string `json:"id"`
		} `json:"targetIdentity"`
	}
	var reports []report
	v := strings.TrimSpace(pair.Value)
	switch {
	case strings.HasPrefix(v, "["):
		if err := json.Unmarshal([]byte(v), &reports); err != nil {
			return nil, fmt.Errorf("provisioning: unexpected provisionOnDemand report: %w", err)
		}
	case strings.HasPrefix(v, "{"):
		var r report
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("provisioning: unexpected provisionOnDemand report: %w", err)
		}
		reports = append(reports, r)
	}
	// fill completes res from one report; what the key already said wins.
	fill := func(res *Result, r report) {
		res.Action, res.ReportableIdentifier = r.Action, r.ReportableIdentifier
		res.SourceID, res.TargetID = r.SourceIdentity.ID, r.TargetIdentity.ID
		if res.Status == "" {
			res.Status = r.StatusInfo.Status
		}
		if res.ErrorCode == "" && r.StatusInfo.ErrorCode != nil {
			res.ErrorCode = *r.StatusInfo.ErrorCode
		}
		if res.ErrorMessage == "" && r.StatusInfo.Reason != nil {
			res.ErrorMessage = *r.StatusInfo.Reason
		}
		for _, s := range r.ProvisioningSteps {
			st := s.Step
			st.Details = map[string]string{}
			for k, dv := range s.Details {
				st.Details[k] = fmt.Sprint(dv)
			}
			res.Steps = append(res.Steps, st)
		}
	}
	// The first report is the subject's; a Group request's further reports are its members' (microsoft-graph.md
	// §5.14), each with a status of its own.
	for i, r := range reports {
		if i == 0 {
			fill(&res, r)
			continue
		}
		m := &Result{}
		fill(m, r)
		res.Members = append(res.Members, m)
	}
	if res.Status == "" {
		return nil, errors.New("provisioning: the provisionOnDemand response holds no result")
	}
	return &res, nil
}

// JobStatus is the state of a provisioning job, as a plan or a check block wants to see it.
type JobStatus struct {
	// State is the schedule state: Active, Paused or Disabled.
	State string
	// Code is the status code: NotConfigured, NotRun, Active, Paused or Quarantine.
	Code string

	LastExecutionState string
	// LastExecutionID is the last cycle's activityIdentifier (the provisioning logs' cycleId, logs.go).
	LastExecutionID    string
	LastExecutionBegan *time.Time
	LastExecutionEnded *time.Time
	LastExecutionError string
	CountExported      int64
	CountImported      int64
	CountEscrowed      int64

	QuarantineReason  string
	QuarantineCode    string
	QuarantineMessage string
	QuarantineSince   *time.Time
}

// Quarantined reports whether the job is in quarantine.
func (s *JobStatus) Quarantined() bool { return s.Code == "Quarantine" || s.QuarantineReason != "" }

// GetJobStatus reads a job.
func GetJobStatus(ctx context.Context, g Graph, spID, jobID string) (*JobStatus, error) {
	raw, err := g.GetJobJSON(ctx, spID, jobID)
	if err != nil {
		return nil, err
	}
	return ParseJobStatus(raw)
}

// ParseJobStatus decodes a synchronizationJob.
func ParseJobStatus(raw []byte) (*JobStatus, error) {
	type syncErr struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	var j struct {
		Schedule struct {
			State string `json:"state"`
		} `json:"schedule"`
		Status struct {
			Code          string `json:"code"`
			LastExecution *struct {
				ID            string   `json:"activityIdentifier"`
				State         string   `json:"state"`
				TimeBegan     *string  `json:"timeBegan"`
				TimeEnded     *string  `json:"timeEnded"`
				Error         *syncErr `json:"error"`
				CountExported int64    `json:"countExported"`
				CountImported int64    `json:"countImported"`
				CountEscrowed int64    `json:"countEscrowed"`
			} `json:"lastExecution"`
			Quarantine *struct {
				Reason       string   `json:"reason"`
				CurrentBegan *string  `json:"currentBegan"`
				Error        *syncErr `json:"error"`
			} `json:"quarantine"`
		} `json:"status"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("provisioning: unexpected synchronizationJob: %w", err)
	}
	s := &JobStatus{State: j.Schedule.State, Code: j.Status.Code}
	if e := j.Status.LastExecution; e != nil {
		s.LastExecutionState, s.LastExecutionID = e.State, e.ID
		s.LastExecutionBegan, s.LastExecutionEnded = parseTime(e.TimeBegan), parseTime(e.TimeEnded)
		s.CountExported, s.CountImported, s.CountEscrowed = e.CountExported, e.CountImported, e.CountEscrowed
		if e.Error != nil && e.Error.Code != "" && e.Error.Code != "None" {
			s.LastExecutionError = strings.TrimSpace(e.Error.Code + ": " + e.Error.Message)
		}
	}
	if q := j.Status.Quarantine; q != nil {
		s.QuarantineReason = q.Reason
		s.QuarantineSince = parseTime(q.CurrentBegan)
		if q.Error != nil {
			s.QuarantineCode, s.QuarantineMessage = q.Error.Code, q.Error.Message
		}
	}
	return s, nil
}

// parseTime returns nil for absent, empty and zero ("0001-01-01T00:00:00Z") times.
func parseTime(s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil || t.Year() <= 1 {
		return nil
	}
	return &t
}
