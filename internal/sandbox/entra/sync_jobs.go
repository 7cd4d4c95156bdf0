package entra

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Synchronization templates and jobs (microsoft-graph.md §5.1-§5.6, §5.13). validateCredentials and provisionOnDemand
// handlers are here too; the work they do is in engine.go.

// FlowTypesSpelling selects how GET schema spells objectMapping.flowTypes. msgraph-sdk-go v1.89.0 parses
// "Add, Update, Delete" (comma and space) as nil and drops flowTypes on re-serialization (microsoft-graph.md §2 item 4,
// microsoft-graph.md §5.9); which form the live service returns for a `scim` job is UNKNOWN, so tests can ask for
// either.
type FlowTypesSpelling int

const (
	// FlowTypesSpaced renders "Add, Update, Delete", as a .NET [Flags] enum prints; the default.
	FlowTypesSpaced FlowTypesSpelling = iota
	// FlowTypesCompact renders "Add,Update,Delete", as msgraph-sdk-go writes it.
	FlowTypesCompact
	// FlowTypesAsStored returns flowTypes exactly as the last PUT sent them.
	FlowTypesAsStored
)

// Synchronization template ids. `scim` is what new non-gallery jobs use; `customappsso` is the legacy (2018)
// behaviour a job can be downgraded to (microsoft-graph.md §5.4).
const (
	TemplateSCIM         = "scim"
	TemplateCustomAppSSO = "customappsso"
)

// Job is a synchronization job in its Graph JSON shape.
type Job struct {
	ID                         string      `json:"id"`
	TemplateID                 string      `json:"templateId"`
	Schedule                   Schedule    `json:"schedule"`
	Status                     JobStatus   `json:"status"`
	SynchronizationJobSettings []NameValue `json:"synchronizationJobSettings"`
}

// Schedule is synchronizationSchedule; State is Active, Disabled or Paused.
type Schedule struct {
	Expiration *string `json:"expiration"`
	Interval   string  `json:"interval"`
	State      string  `json:"state"`
}

// JobStatus is synchronizationStatus. Timestamps are RFC 3339 strings or "0001-01-01T00:00:00Z", never "" (an
// empty string breaks msgraph-sdk-go, microsoft-graph.md §2 item 9).
type JobStatus struct {
	Code                               string         `json:"code"`
	CountSuccessiveCompleteFailures    int64          `json:"countSuccessiveCompleteFailures"`
	EscrowsPruned                      bool           `json:"escrowsPruned"`
	LastExecution                      *TaskExecution `json:"lastExecution"`
	LastSuccessfulExecution            *TaskExecution `json:"lastSuccessfulExecution"`
	LastSuccessfulExecutionWithExports *TaskExecution `json:"lastSuccessfulExecutionWithExports"`
	Progress                           []any          `json:"progress"`
	Quarantine                         *Quarantine    `json:"quarantine"`
	SteadyStateFirstAchievedTime       string         `json:"steadyStateFirstAchievedTime"`
	SteadyStateLastAchievedTime        string         `json:"steadyStateLastAchievedTime"`
	SynchronizedEntryCountByType       []KeyLongValue `json:"synchronizedEntryCountByType"`
	TroubleshootingURL                 *string        `json:"troubleshootingUrl"`
}

// TaskExecution is synchronizationTaskExecution; State is Succeeded, Failed or EntryLevelErrors.
type TaskExecution struct {
	ActivityIdentifier           string     `json:"activityIdentifier"`
	CountEntitled                int64      `json:"countEntitled"`
	CountEntitledForProvisioning int64      `json:"countEntitledForProvisioning"`
	CountEscrowed                int64      `json:"countEscrowed"`
	CountEscrowedRaw             int64      `json:"countEscrowedRaw"`
	CountExported                int64      `json:"countExported"`
	CountExports                 int64      `json:"countExports"`
	CountImported                int64      `json:"countImported"`
	CountImportedDeltas          int64      `json:"countImportedDeltas"`
	CountImportedReferenceDeltas int64      `json:"countImportedReferenceDeltas"`
	Error                        *SyncError `json:"error"`
	State                        string     `json:"state"`
	TimeBegan                    string     `json:"timeBegan"`
	TimeEnded                    string     `json:"timeEnded"`
}

// Quarantine is synchronizationQuarantine.
type Quarantine struct {
	CurrentBegan string     `json:"currentBegan"`
	Error        *SyncError `json:"error"`
	NextAttempt  string     `json:"nextAttempt"`
	Reason       string     `json:"reason"`
	SeriesBegan  string     `json:"seriesBegan"`
	SeriesCount  int64      `json:"seriesCount"`
}

// SyncError is synchronizationError.
type SyncError struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	TenantActionable bool   `json:"tenantActionable"`
}

// KeyLongValue is stringKeyLongValuePair.
type KeyLongValue struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
}

// NameValue is keyValuePair as synchronizationJobSettings uses it.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type job struct {
	meta
	spID       string
	id         string
	templateID string
	schedule   Schedule
	status     JobStatus // Code is computed when rendered
	settings   []NameValue
	schema     json.RawMessage // as last PUT (or the template default)
	spelling   FlowTypesSpelling
	// escrow records the users this job provisioned: Entra object id → SCIM id.
	escrow map[string]string
	// groupMembers records, per Entra group id, the members (SCIM ids) this job exported (engine_groups.go).
	groupMembers map[string]map[string]bool
	// podCalls are the recent provisionOnDemand calls, for the rate limit.
	podCalls []time.Time
	// cycle serialises provisioning cycles of this job.
	cycle sync.Mutex
}

// view renders the job; configured says whether BaseAddress and SecretToken are saved.
func (j *job) view(configured bool) Job {
	st := j.status
	st.Code = j.code(configured)
	if st.Progress == nil {
		st.Progress = []any{}
	}
	if st.SynchronizedEntryCountByType == nil {
		st.SynchronizedEntryCountByType = []KeyLongValue{}
	}
	st.LastExecution = copyExec(st.LastExecution)
	st.LastSuccessfulExecution = copyExec(st.LastSuccessfulExecution)
	st.LastSuccessfulExecutionWithExports = copyExec(st.LastSuccessfulExecutionWithExports)
	if st.Quarantine != nil {
		q := *st.Quarantine
		if q.Error != nil {
			e := *q.Error
			q.Error = &e
		}
		st.Quarantine = &q
	}
	st.SynchronizedEntryCountByType = append([]KeyLongValue{}, st.SynchronizedEntryCountByType...)
	return Job{ID: j.id, TemplateID: j.templateID, Schedule: j.schedule, Status: st,
		SynchronizationJobSettings: append([]NameValue{}, j.settings...)}
}

func copyExec(e *TaskExecution) *TaskExecution {
	if e == nil {
		return nil
	}
	c := *e
	if c.Error != nil {
		ce := *c.Error
		c.Error = &ce
	}
	return &c
}

// code derives status.code: NotConfigured until credentials are saved, Paused while not running (microsoft-graph.md
// §5.5), NotRun after start until the first cycle, Active once it ran, Quarantine while quarantined.
func (j *job) code(configured bool) string {
	switch {
	case j.status.Quarantine != nil:
		return "Quarantine"
	case j.schedule.State == "Active" && j.status.LastExecution == nil:
		return "NotRun"
	case j.schedule.State == "Active":
		return "Active"
	case !configured:
		return "NotConfigured"
	default:
		return "Paused"
	}
}

// jobLocked finds a visible job of a visible service principal.
func (s *Server) jobLocked(spID, jobID string, visibleOnly bool) (*servicePrincipal, *job) {
	sp := s.spLocked(spID, visibleOnly)
	if sp == nil {
		return nil, nil
	}
	j := sp.jobs[jobID]
	if j == nil || (visibleOnly && !j.visible(s.now())) {
		return sp, nil
	}
	return sp, j
}

// withJob runs f with s.mu held and the job of the request's {id}/{jobId}, or answers 404.
func (s *Server) withJob(w http.ResponseWriter, r *http.Request, f func(w http.ResponseWriter, sp *servicePrincipal, j *job)) {
	s.underLock(w, func(w http.ResponseWriter) {
		sp, j := s.jobLocked(r.PathValue("id"), r.PathValue("jobId"), true)
		if sp == nil {
			s.notFound(w, r, r.PathValue("id"))
			return
		}
		if j == nil {
			s.notFound(w, r, r.PathValue("jobId"))
			return
		}
		f(w, sp, j)
	})
}

// withSP runs f with s.mu held and the request's visible service principal, or answers 404.
func (s *Server) withSP(w http.ResponseWriter, r *http.Request, f func(w http.ResponseWriter, sp *servicePrincipal)) {
	id := r.PathValue("id")
	underLockWith(s, w, r, id, func() *servicePrincipal { return s.spLocked(id, true) }, f)
}

// withGroup runs f with s.mu held and the visible group id names, or answers 404.
func (s *Server) withGroup(w http.ResponseWriter, r *http.Request, id string, f func(w http.ResponseWriter, g *group)) {
	underLockWith(s, w, r, id, func() *group { return s.visibleGroupLocked(id) }, f)
}

func (s *Server) baseLocked(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	return "https://" + r.Host
}

func knownTemplate(id string) bool { return id == TemplateSCIM || id == TemplateCustomAppSSO }

// templateJSON renders a synchronizationTemplate. applicationId and metadata of the `scim` template are UNKNOWN
// (microsoft-graph.md §5.3 shows a gallery template only); the sandbox uses the non-gallery application template id and
// the configuration fields a SCIM app asks for.
func (s *Server) templateJSON(id string, ctxBase string, sp *servicePrincipal) (map[string]any, error) {
	schema, err := renderSchema(defaultSchema(), id+".00000000000000000000000000000000", s.spelling, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"id": id, "applicationId": NonGalleryTemplateID, "default": id == TemplateSCIM, "description": nil,
		"discoverable": true, "factoryTag": "CustomSCIM",
		"metadata": []any{
			map[string]any{"key": "configurationFields", "value": `[{"name":"BaseAddress"},{"name":"SecretToken","secret":true}]`},
			map[string]any{"key": "supportsProvisionOnDemand", "value": "true"},
		},
		"schema@odata.context": ctxBase + "/v1.0/$metadata#servicePrincipals('" + sp.id + "')/synchronization/templates('" + id + "')/schema/$entity",
		"schema":               json.RawMessage(schema),
	}, nil
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		var out []any
		for _, id := range []string{TemplateSCIM, TemplateCustomAppSSO} {
			t, err := s.templateJSON(id, s.baseLocked(r), sp)
			if err != nil {
				s.syncError(w, r, http.StatusInternalServerError, err.Error())
				return
			}
			out = append(out, t)
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": s.syncContextLocked(r, sp, "templates"),
			"value":          out,
		})
	})
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) {
	s.withTemplate(w, r, func(w http.ResponseWriter, sp *servicePrincipal, tid string) {
		t, err := s.templateJSON(tid, s.baseLocked(r), sp)
		if err != nil {
			s.syncError(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		t["@odata.context"] = s.syncContextLocked(r, sp, "templates/$entity")
		writeJSON(w, http.StatusOK, t)
	})
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		configured := secretsConfigured(sp.secrets)
		js := visibleInOrder(sp.jobs, s.now())
		out := make([]Job, 0, len(js))
		for _, j := range js {
			out = append(out, j.view(configured))
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": s.syncContextLocked(r, sp, "jobs"),
			"value":          out,
		})
	})
}

// createJob serves POST /synchronization/jobs {templateId} → 201 (microsoft-graph.md §5.5): schedule Disabled with
// interval PT40M, status NotConfigured until credentials are saved, the template's default schema, and the settings of
// the newer documented examples. The job lags like every object created through Graph.
func (s *Server) createJob(w http.ResponseWriter, r *http.Request) {
	const route = "POST /v1.0/servicePrincipals/{id}/synchronization/jobs"
	var body struct {
		TemplateID string `json:"templateId"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		if body.TemplateID == "" {
			s.syncError(w, r, http.StatusBadRequest, "The request is invalid: templateId is required.")
			return
		}
		if !knownTemplate(body.TemplateID) {
			// Status and text for an unknown template are UNKNOWN.
			s.syncError(w, r, http.StatusBadRequest, fmt.Sprintf("The synchronization template '%s' was not found for service principal '%s'. Available templates: %s, %s.", body.TemplateID, sp.id, TemplateSCIM, TemplateCustomAppSSO))
			return
		}
		id := body.TemplateID + "." + strings.ReplaceAll(strings.ToLower(s.cfg.TenantID), "-", "") + "." + sp.appID
		if _, exists := sp.jobs[id]; exists {
			// Status and text for a second job from the same template are UNKNOWN.
			s.syncError(w, r, http.StatusConflict, fmt.Sprintf("A synchronization job with id '%s' already exists.", id))
			return
		}
		j := &job{
			meta: s.newMetaLocked(s.lagForLocked(r, route)), spID: sp.id, id: id, templateID: body.TemplateID,
			schedule: Schedule{Interval: "PT40M", State: "Disabled"},
			status: JobStatus{SteadyStateFirstAchievedTime: zeroTime, SteadyStateLastAchievedTime: zeroTime,
				Progress: []any{}, SynchronizedEntryCountByType: []KeyLongValue{}},
			settings: []NameValue{{"AzureIngestionAttributeOptimization", "False"}, {"LookaheadQueryEnabled", "False"}},
			schema:   defaultSchema(),
			spelling: s.spelling,
			escrow:   map[string]string{},
		}
		sp.jobs[id] = j
		s.writeJobLocked(w, r, http.StatusCreated, sp, j)
	})
}

// writeJobLocked answers a job as its own entity. Callers hold s.mu.
func (s *Server) writeJobLocked(w http.ResponseWriter, r *http.Request, status int, sp *servicePrincipal, j *job) {
	writeJSON(w, status, struct {
		Context string `json:"@odata.context"`
		Job
	}{s.syncContextLocked(r, sp, "jobs/$entity"), j.view(secretsConfigured(sp.secrets))})
}

// syncContextLocked is the @odata.context of path under a service principal's synchronization. Callers hold s.mu.
func (s *Server) syncContextLocked(r *http.Request, sp *servicePrincipal, path string) string {
	return s.baseLocked(r) + "/v1.0/$metadata#servicePrincipals('" + sp.id + "')/synchronization/" + path
}

// withTemplate is withSP for a template route: 404 for a template id the service principal does not offer.
func (s *Server) withTemplate(w http.ResponseWriter, r *http.Request, f func(w http.ResponseWriter, sp *servicePrincipal, tid string)) {
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		tid := r.PathValue("tid")
		if !knownTemplate(tid) {
			s.notFound(w, r, tid)
			return
		}
		f(w, sp, tid)
	})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	s.withJob(w, r, func(w http.ResponseWriter, sp *servicePrincipal, j *job) {
		s.writeJobLocked(w, r, http.StatusOK, sp, j)
	})
}

// deleteJob serves DELETE …/jobs/{jobId} → 204: the job and its state go; provisioned accounts stay (microsoft-graph.md
// §5.13).
func (s *Server) deleteJob(w http.ResponseWriter, r *http.Request) {
	s.withJob(w, r, func(w http.ResponseWriter, sp *servicePrincipal, j *job) {
		delete(sp.jobs, j.id)
		noContent(w)
	})
}

// startJob serves POST …/start → 204: schedule Active; a quarantined job has its quarantine cleared (microsoft-graph.md
// §5.13).
func (s *Server) startJob(w http.ResponseWriter, r *http.Request) {
	s.withJob(w, r, func(w http.ResponseWriter, _ *servicePrincipal, j *job) {
		j.schedule.State = "Active"
		j.status.Quarantine = nil
		noContent(w)
	})
}

// pauseJob serves POST …/pause → 204: schedule Paused.
func (s *Server) pauseJob(w http.ResponseWriter, r *http.Request) {
	s.withJob(w, r, func(w http.ResponseWriter, _ *servicePrincipal, j *job) {
		j.schedule.State = "Paused"
		noContent(w)
	})
}

// restartScopes are the synchronizationJobRestartScope flags (microsoft-graph.md §5.2).
var restartScopes = []string{"None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"}

// restartJob serves POST …/restart {criteria:{resetScope}} → 204. resetScope is a comma-separated flag list; both
// "Escrows,Watermark,QuarantineState" (SDK) and "Watermark, Escrows, QuarantineState" (docs) are accepted
// (microsoft-graph.md §5.13).
// The job becomes Active. An absent body restarts without resetting anything.
func (s *Server) restartJob(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Criteria *struct {
			ResetScope *string `json:"resetScope"`
		} `json:"criteria"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		s.badJSON(w, r)
		return
	}
	flags := map[string]bool{}
	if body.Criteria != nil && body.Criteria.ResetScope != nil {
		for _, f := range strings.Split(*body.Criteria.ResetScope, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if !containsExact(restartScopes, f) {
				s.syncError(w, r, http.StatusBadRequest, fmt.Sprintf("Requested value '%s' was not found.", f))
				return
			}
			flags[f] = true
		}
	}
	s.withJob(w, r, func(w http.ResponseWriter, _ *servicePrincipal, j *job) {
		if flags["QuarantineState"] || flags["Full"] {
			j.status.Quarantine = nil
			j.status.CountSuccessiveCompleteFailures = 0
		}
		if flags["Escrows"] || flags["Full"] {
			j.status.EscrowsPruned = true
		}
		if flags["Watermark"] || flags["Full"] || flags["ConnectorDataStore"] {
			j.escrow = map[string]string{}
			j.groupMembers = nil
			j.status.SynchronizedEntryCountByType = []KeyLongValue{}
		}
		if flags["Full"] {
			j.status.LastExecution, j.status.LastSuccessfulExecution, j.status.LastSuccessfulExecutionWithExports = nil, nil, nil
			j.status.SteadyStateFirstAchievedTime, j.status.SteadyStateLastAchievedTime = zeroTime, zeroTime
		}
		j.schedule.State = "Active"
		noContent(w)
	})
}

func containsExact(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// validateCredentialsBody is the body of both validateCredentials actions (microsoft-graph.md §5.8).
type validateCredentialsBody struct {
	ApplicationIdentifier string     `json:"applicationIdentifier"`
	Credentials           []secretKV `json:"credentials"`
	TemplateID            string     `json:"templateId"`
	UseSavedCredentials   bool       `json:"useSavedCredentials"`
}

// validateCredentialsJob serves POST …/jobs/{jobId}/validateCredentials → 204 or an error (engine.go).
func (s *Server) validateCredentialsJob(w http.ResponseWriter, r *http.Request) {
	var body validateCredentialsBody
	if !s.readJSON(w, r, &body) {
		return
	}
	if saved, ok := s.savedSecrets(w, r, true); ok {
		s.validateCredentials(w, r, body, saved)
	}
}

// savedSecrets copies the credentials saved on the request's service principal, found through its job (withJob)
// when ofJob, or answers 404 and reports false.
func (s *Server) savedSecrets(w http.ResponseWriter, r *http.Request, ofJob bool) ([]secretKV, bool) {
	var saved []secretKV
	ok := false
	keep := func(sp *servicePrincipal) { saved, ok = append([]secretKV(nil), sp.secrets...), true }
	if ofJob {
		s.withJob(w, r, func(_ http.ResponseWriter, sp *servicePrincipal, _ *job) { keep(sp) })
	} else {
		s.withSP(w, r, func(_ http.ResponseWriter, sp *servicePrincipal) { keep(sp) })
	}
	return saved, ok
}

// validateCredentialsCollection serves POST …/jobs/validateCredentials, usable before a job exists; it needs
// templateId.
func (s *Server) validateCredentialsCollection(w http.ResponseWriter, r *http.Request) {
	var body validateCredentialsBody
	if !s.readJSON(w, r, &body) {
		return
	}
	saved, ok := s.savedSecrets(w, r, false)
	if !ok {
		return
	}
	if body.TemplateID == "" {
		s.syncError(w, r, http.StatusBadRequest, "The request is invalid: templateId is required.")
		return
	}
	if !knownTemplate(body.TemplateID) {
		s.syncError(w, r, http.StatusBadRequest, fmt.Sprintf("The synchronization template '%s' was not found.", body.TemplateID))
		return
	}
	s.validateCredentials(w, r, body, saved)
}
