package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Provisioning cycles of started jobs, status bookkeeping and quarantine (microsoft-graph.md §5.6).

// ErrNoActiveJob is returned by RunCycle when the service principal has no started job.
var ErrNoActiveJob = errors.New("entra: the service principal has no active synchronization job")

// RunCycle runs one provisioning cycle for every Active job of the service principal, as the service does every
// 40 minutes: test the connection, then provision every user in scope (and disable users this job provisioned that
// left the scope, when Delete is enabled), and record status.lastExecution, synchronizedEntryCountByType and
// steady-state times. Credential failures (401/403 from the SCIM server, or an unreachable or invalid tenant URL)
// quarantine the job: status.code Quarantine, quarantine {reason EncounteredQuarantineException, error, currentBegan,
// nextAttempt, seriesBegan, seriesCount} (microsoft-graph.md §5.6). A quarantined Active job runs again when RunCycle
// is called (as if nextAttempt had come), and a successful cycle lifts the quarantine.
//
// Cycles use the aadOptscim062020 PATCH rules when the tenant URL carries the flag (microsoft-graph.md §6).
func (s *Server) RunCycle(ctx context.Context, spID string) error {
	s.mu.Lock()
	sp := s.sps[spID]
	if sp == nil {
		s.mu.Unlock()
		return fmt.Errorf("entra: service principal %s does not exist", spID)
	}
	var ids []string
	for id, j := range sp.jobs {
		if j.schedule.State == "Active" {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return ErrNoActiveJob
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := s.runJobCycle(ctx, spID, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) activeJobSPs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, sp := range s.sps {
		for _, j := range sp.jobs {
			if j.schedule.State == "Active" {
				out = append(out, id)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// provisionEach provisions the objects ids names, one after the other, with provision, logging each outcome and
// counting it on exec (provision returns nil when the job was deleted meanwhile). It stops the cycle (stop true, with the error runJobCycle returns) when the context ends, when
// the job was deleted meanwhile, and on a 401/403, which quarantines the job.
func (s *Server) provisionEach(ctx context.Context, spID, jobID string, exec *TaskExecution, ids []string, provision func(id string) *outcome) (stop bool, err error) {
	for _, id := range ids {
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		o := provision(id)
		if o == nil {
			return true, nil // job deleted meanwhile
		}
		s.logOutcome(spID, jobID, exec.ActivityIdentifier, o)
		exec.CountImported++
		exec.CountImportedDeltas++
		if f := o.credFailure; f != nil {
			s.recordQuarantine(spID, jobID, exec, &SyncError{Code: CodeSCIMCredentialValidation, Message: invalidCredentialsPrefix + " Details: " + f.Error(), TenantActionable: true})
			return true, nil
		}
		if o.exported {
			exec.CountExports++
		}
		switch {
		case o.result == "Failure":
			exec.CountEscrowed++
			exec.CountEscrowedRaw++
		case o.result == "Success" && o.exported:
			exec.CountExported++
		}
	}
	return false, nil
}

func (s *Server) runJobCycle(ctx context.Context, spID, jobID string) error {
	s.mu.Lock()
	_, j := s.jobLocked(spID, jobID, false)
	s.mu.Unlock()
	if j == nil {
		return nil
	}
	j.cycle.Lock()
	defer j.cycle.Unlock()

	s.mu.Lock()
	sp, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		s.mu.Unlock()
		return nil
	}
	secrets := append([]secretKV(nil), sp.secrets...)
	schema := append(json.RawMessage(nil), j.schema...)
	// The users this cycle looks at: in scope, or provisioned earlier by this job.
	var userIDs []string
	us := visibleInOrder(s.users, s.now())
	entitled := int64(0)
	for _, u := range us {
		assigned, _ := s.isAssignedLocked(sp.id, u.ID)
		inScope := assigned || syncAll(sp.secrets)
		if inScope {
			entitled++
		}
		if inScope || j.escrow[u.ID] != "" {
			userIDs = append(userIDs, u.ID)
		}
	}
	groupIDs := s.groupsInScopeLocked(sp, j)
	s.mu.Unlock()

	began := s.now()
	exec := &TaskExecution{ActivityIdentifier: newGUID(), TimeBegan: graphTime(began), CountEntitled: entitled, CountEntitledForProvisioning: entitled}

	if e := s.testConnection(ctx, secretValue(secrets, "BaseAddress"), secretValue(secrets, "SecretToken")); e != nil {
		s.recordQuarantine(spID, jobID, exec, e)
		return nil
	}
	mapping, err := loadUserMapping(schema, "")
	if err != nil {
		e := &SyncError{Code: "SchemaInvalid", Message: "The job's schema has no usable User object mapping: " + err.Error(), TenantActionable: true}
		s.recordExecution(spID, jobID, exec, "Failed", e)
		return nil
	}
	if stop, err := s.provisionEach(ctx, spID, jobID, exec, userIDs, func(id string) *outcome {
		o, _ := s.provisionOne(ctx, spID, jobID, id, mapping, secrets, false) // nil: the job was deleted meanwhile
		return o
	}); stop {
		return err
	}
	// Groups, after the users their members refer to, when the Group object mapping is enabled: a disabled mapping
	// sends nothing (scim-groups.md §4). A 401/403 quarantines the job as it does for users.
	if gm, err := loadObjectMapping(schema, "", sourceGroupObjectName); err == nil && gm.enabled {
		if stop, err := s.provisionEach(ctx, spID, jobID, exec, groupIDs, func(id string) *outcome {
			o, _ := s.provisionGroupOne(ctx, spID, jobID, id, gm, secrets, false) // nil: the job was deleted meanwhile
			return o
		}); stop {
			return err
		}
	}
	state := "Succeeded"
	if exec.CountEscrowed > 0 {
		state = "EntryLevelErrors"
	}
	s.recordExecution(spID, jobID, exec, state, &SyncError{Code: "None", Message: "", TenantActionable: false})
	return nil
}

// recordExecution stores a finished (not quarantined) cycle.
func (s *Server) recordExecution(spID, jobID string, exec *TaskExecution, state string, e *SyncError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return
	}
	now := s.now()
	exec.State, exec.Error, exec.TimeEnded = state, e, graphTime(now)
	j.status.LastExecution = exec
	if state == "Failed" {
		j.status.CountSuccessiveCompleteFailures++
		return
	}
	j.status.Quarantine = nil
	j.status.CountSuccessiveCompleteFailures = 0
	j.status.LastSuccessfulExecution = copyExec(exec)
	if exec.CountExported > 0 {
		j.status.LastSuccessfulExecutionWithExports = copyExec(exec)
	}
	if state == "Succeeded" {
		if j.status.SteadyStateFirstAchievedTime == zeroTime {
			j.status.SteadyStateFirstAchievedTime = graphTime(now)
		}
		j.status.SteadyStateLastAchievedTime = graphTime(now)
	}
	// The key naming of synchronizedEntryCountByType is UNKNOWN; the sandbox counts escrowed objects by source object
	// name (User, and Group once a group was provisioned).
	var users, groups int64
	for id := range j.escrow {
		if s.groups[id] != nil {
			groups++
		} else {
			users++
		}
	}
	j.status.SynchronizedEntryCountByType = []KeyLongValue{{Key: "User", Value: users}}
	if groups > 0 {
		j.status.SynchronizedEntryCountByType = append(j.status.SynchronizedEntryCountByType, KeyLongValue{Key: "Group", Value: groups})
	}
}

// quarantineBackoff is the wait before the next attempt: five minutes after the first failure as DOCUMENTED
// (microsoft-graph.md §5.6), doubling for each further failure in the series (UNKNOWN), at most a day.
func quarantineBackoff(seriesCount int64) time.Duration {
	d := 5 * time.Minute
	for i := int64(1); i < seriesCount && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

func (s *Server) recordQuarantine(spID, jobID string, exec *TaskExecution, e *SyncError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return
	}
	j.quarantineLocked(s.now(), e, exec)
}

// quarantineLocked puts the job into quarantine with error e, extending a running series.
func (j *job) quarantineLocked(now time.Time, e *SyncError, exec *TaskExecution) {
	q := &Quarantine{CurrentBegan: graphTime(now), Reason: "EncounteredQuarantineException", SeriesBegan: graphTime(now), SeriesCount: 1, Error: e}
	if old := j.status.Quarantine; old != nil {
		q.SeriesBegan, q.SeriesCount = old.SeriesBegan, old.SeriesCount+1
	}
	q.NextAttempt = graphTime(now.Add(quarantineBackoff(q.SeriesCount)))
	j.status.Quarantine = q
	j.status.CountSuccessiveCompleteFailures++
	if exec == nil {
		exec = &TaskExecution{ActivityIdentifier: newGUID(), TimeBegan: graphTime(now)}
	}
	ce := *e
	exec.State, exec.Error, exec.TimeEnded = "Failed", &ce, graphTime(now)
	j.status.LastExecution = exec
}
