package entra

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The Go API tests use to inspect the tenant and to make drift by hand. Reads here see every object, including
// those still "replicating" (Graph reads do not); writes bypass Graph validation on purpose.

// TenantID returns the tenant id.
func (s *Server) TenantID() string { return s.cfg.TenantID }

// BaseURL returns the base URL set with SetBaseURL.
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// Counters returns the router's request counters by route pattern (e.g.
// "PUT /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema").
func (s *Server) Counters() map[string]int { return s.rt.Counts() }

// AddFederatedCredential lets clientID authenticate with a client assertion whose iss and sub are the given values
// (workload identity federation, e.g. issuer https://token.actions.githubusercontent.com and subject
// repo:org/repo:environment:prod). The client must have been added with AddClient.
func (s *Server) AddFederatedCredential(clientID, issuer, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return fmt.Errorf("entra: client %s is not registered", clientID)
	}
	if c.federated == nil {
		c.federated = map[string]bool{}
	}
	c.federated[issuer+"\x00"+subject] = true
	return nil
}

// ExpireTokens makes every access token issued so far invalid (Graph then answers 401
// InvalidAuthenticationToken "Lifetime validation failed, the token is expired.").
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expires = s.now()
	}
}

// Application returns a copy of the application with the given object id, as Graph renders it.
func (s *Server) Application(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[id]; a != nil {
		return copyMap(a.props), true
	}
	return nil, false
}

// ApplicationByAppID returns a copy of the application with the given appId (client id).
func (s *Server) ApplicationByAppID(appID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.appByAppIDLocked(appID, false); a != nil {
		return copyMap(a.props), true
	}
	return nil, false
}

// ServicePrincipal returns a copy of the service principal with the given object id, as Graph renders it.
func (s *Server) ServicePrincipal(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp := s.sps[id]; sp != nil {
		return copyMap(sp.props), true
	}
	return nil, false
}

// ServicePrincipalByAppID returns a copy of the service principal of the given appId.
func (s *Server) ServicePrincipalByAppID(appID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sp := s.spByAppIDLocked(appID, false); sp != nil {
		return copyMap(sp.props), true
	}
	return nil, false
}

// PatchServicePrincipal merges props into a service principal out of band (e.g. {"accountEnabled": false}).
func (s *Server) PatchServicePrincipal(id string, props map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.sps[id]
	if sp == nil {
		return fmt.Errorf("entra: service principal %s does not exist", id)
	}
	for k, v := range props {
		sp.props[k] = copyValue(v)
	}
	return nil
}

// User returns the user with the given object id or userPrincipalName.
func (s *Server) User(idOrUPN string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userLocked(idOrUPN, false); u != nil {
		c := u.User
		c.BusinessPhones = append([]string(nil), u.BusinessPhones...)
		return c, true
	}
	return User{}, false
}

// UpdateUser replaces the stored user whose ID is u.ID (e.g. to disable an account or rename someone).
func (s *Server) UpdateUser(u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.users[u.ID]
	if cur == nil {
		return fmt.Errorf("entra: user %s does not exist", u.ID)
	}
	cur.User = u
	return nil
}

// SetGroupMembers replaces a group's members.
func (s *Server) SetGroupMembers(groupID string, memberIDs []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupID]
	if g == nil {
		return fmt.Errorf("entra: group %s does not exist", groupID)
	}
	g.members = append([]string(nil), memberIDs...)
	return nil
}

// RenameGroup changes a group's displayName, as an administrator renaming it in the Entra portal would.
func (s *Server) RenameGroup(groupID, displayName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupID]
	if g == nil {
		return fmt.Errorf("entra: group %s does not exist", groupID)
	}
	g.displayName = displayName
	return nil
}

// Jobs returns the synchronization jobs of a service principal, oldest first.
func (s *Server) Jobs(spID string) []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.sps[spID]
	if sp == nil {
		return nil
	}
	js := inOrder(sp.jobs, nil)
	out := make([]Job, len(js))
	for i, j := range js {
		out[i] = j.view(secretsConfigured(sp.secrets))
	}
	return out
}

// Job returns one synchronization job (schedule, status, quarantine) as GET job would render it.
func (s *Server) Job(spID, jobID string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return Job{}, false
	}
	return j.view(secretsConfigured(sp.secrets)), true
}

// JobSchema returns the job's schema exactly as stored (the last PUT body, or the template default).
func (s *Server) JobSchema(spID, jobID string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return nil, false
	}
	return append(json.RawMessage(nil), j.schema...), true
}

// SetJobSchema overwrites the job's schema by hand, without validation (drift, or a schema Graph would refuse).
func (s *Server) SetJobSchema(spID, jobID string, raw json.RawMessage) error {
	if !json.Valid(raw) {
		return fmt.Errorf("entra: the schema is not valid JSON")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return fmt.Errorf("entra: job %s of service principal %s does not exist", jobID, spID)
	}
	j.schema = append(json.RawMessage(nil), raw...)
	return nil
}

// Secrets returns the saved synchronization secrets of a service principal, unmasked.
func (s *Server) Secrets(spID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.sps[spID]
	if sp == nil {
		return nil
	}
	out := make(map[string]string, len(sp.secrets))
	for _, kv := range sp.secrets {
		out[kv.Key] = kv.Value
	}
	return out
}

// SetSecret overwrites one synchronization secret by hand ("" removes it), e.g. a token replaced in the portal.
func (s *Server) SetSecret(spID, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.sps[spID]
	if sp == nil {
		return fmt.Errorf("entra: service principal %s does not exist", spID)
	}
	sp.secrets = mergeSecrets(sp.secrets, []secretKV{{Key: key, Value: value}})
	return nil
}

// QuarantineJob quarantines a job by hand as a failed cycle would: status.code Quarantine, reason
// EncounteredQuarantineException, and the given error code and message (empty code:
// SystemForCrossDomainIdentityManagementCredentialValidationFailure).
func (s *Server) QuarantineJob(spID, jobID, code, message string) error {
	if code == "" {
		code = CodeSCIMCredentialValidation
	}
	if message == "" {
		message = invalidCredentialsPrefix
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return fmt.Errorf("entra: job %s of service principal %s does not exist", jobID, spID)
	}
	j.quarantineLocked(s.now(), &SyncError{Code: code, Message: message, TenantActionable: true}, nil)
	return nil
}

// SetJobState sets a job's schedule state by hand: Active, Paused or Disabled (e.g. provisioning turned off in
// the portal).
func (s *Server) SetJobState(spID, jobID, state string) error {
	if state != "Active" && state != "Paused" && state != "Disabled" {
		return fmt.Errorf("entra: schedule state must be Active, Paused or Disabled, not %q", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return fmt.Errorf("entra: job %s of service principal %s does not exist", jobID, spID)
	}
	j.schedule.State = state
	return nil
}

// SetFlowTypesSpelling sets how GET schema spells flowTypes for one job.
func (s *Server) SetFlowTypesSpelling(spID, jobID string, sp FlowTypesSpelling) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, j := s.jobLocked(spID, jobID, false)
	if j == nil {
		return fmt.Errorf("entra: job %s of service principal %s does not exist", jobID, spID)
	}
	j.spelling = sp
	return nil
}

// SetDefaultFlowTypesSpelling sets the spelling for jobs created from now on and for template schemas.
func (s *Server) SetDefaultFlowTypesSpelling(sp FlowTypesSpelling) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spelling = sp
}

// Assignments returns the app role assignments to a service principal, oldest first.
func (s *Server) Assignments(spID string) []AppRoleAssignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AppRoleAssignment
	for _, a := range s.assignmentsLocked(spID, false) {
		out = append(out, a.AppRoleAssignment)
	}
	return out
}

// AssignAppRole assigns a user, group or service principal to an app role of a service principal out of band
// (no replication lag, no duplicate check).
func (s *Server) AssignAppRole(spID, principalID, appRoleID string) (AppRoleAssignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.sps[spID]
	if sp == nil {
		return AppRoleAssignment{}, fmt.Errorf("entra: service principal %s does not exist", spID)
	}
	var ptype, pname string
	switch {
	case s.users[principalID] != nil:
		ptype, pname = "User", s.users[principalID].DisplayName
	case s.groups[principalID] != nil:
		ptype, pname = "Group", s.groups[principalID].displayName
	case s.sps[principalID] != nil:
		ptype, pname = "ServicePrincipal", s.sps[principalID].displayName()
	default:
		return AppRoleAssignment{}, fmt.Errorf("entra: principal %s does not exist", principalID)
	}
	return s.addAssignmentLocked(sp, principalID, ptype, pname, strings.ToLower(appRoleID), 0).AppRoleAssignment, nil
}

// DeleteObject deletes an object out of band by id: an application (with its service principal), a service
// principal (with its jobs, secrets and assignments), a user, a group, an app role assignment, or a synchronization
// job (by job id).
func (s *Server) DeleteObject(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.apps[id] != nil:
		s.deleteAppLocked(s.apps[id])
	case s.sps[id] != nil:
		s.deleteSPLocked(s.sps[id])
	case s.users[id] != nil:
		delete(s.users, id)
		for aid, a := range s.asgs {
			if a.PrincipalID == id {
				delete(s.asgs, aid)
			}
		}
		for _, g := range s.groups {
			g.members = removeString(g.members, id)
		}
	case s.groups[id] != nil:
		delete(s.groups, id)
		for aid, a := range s.asgs {
			if a.PrincipalID == id {
				delete(s.asgs, aid)
			}
		}
	case s.asgs[id] != nil:
		delete(s.asgs, id)
	default:
		for _, sp := range s.sps {
			if sp.jobs[id] != nil {
				delete(sp.jobs, id)
				return nil
			}
		}
		return fmt.Errorf("entra: no object with id %s", id)
	}
	return nil
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, l := range list {
		if l != s {
			out = append(out, l)
		}
	}
	return out
}
