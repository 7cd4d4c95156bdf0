package entraclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// SCIMTemplateID is the synchronization template of new non-gallery SCIM jobs (legacy jobs use "customappsso").
const SCIMTemplateID = "scim"

// Secret keys of a SCIM provisioning job. Graph's keys are case-sensitive PascalCase (microsoft-graph.md §5.7).
const (
	SecretBaseAddress = "BaseAddress"
	SecretToken       = "SecretToken"
	SecretSyncAll     = "SyncAll"
)

// Job schedule states and status codes.
const (
	ScheduleActive   = "Active"
	StatusQuarantine = "Quarantine"
)

// Job is a synchronization (provisioning) job, decoded from raw JSON: the typed models reject unknown enum values and
// empty timestamps, both seen in Graph's own examples (microsoft-graph.md §2 item 9).
type Job struct {
	ID         string `json:"id"`
	TemplateID string `json:"templateId"`
	Schedule   struct {
		Interval string `json:"interval"`
		State    string `json:"state"`
	} `json:"schedule"`
	Status struct {
		Code          string `json:"code"`
		LastExecution *struct {
			State string     `json:"state"`
			Error *SyncError `json:"error"`
		} `json:"lastExecution"`
		Quarantine *Quarantine `json:"quarantine"`
	} `json:"status"`
}

// Quarantine says why a job is quarantined.
type Quarantine struct {
	Reason       string     `json:"reason"`
	CurrentBegan *string    `json:"currentBegan"`
	NextAttempt  *string    `json:"nextAttempt"`
	SeriesCount  int        `json:"seriesCount"`
	Error        *SyncError `json:"error"`
}

// SyncError is a synchronization error.
type SyncError struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	TenantActionable bool   `json:"tenantActionable"`
}

// Enabled reports whether the job is switched on ("Provisioning Status: On"); azuread reads it the same way.
func (j *Job) Enabled() bool { return j.Schedule.State == ScheduleActive }

// Quarantined reports whether the service has quarantined the job.
func (j *Job) Quarantined() bool { return j.Status.Code == StatusQuarantine }

// QuarantineReason and QuarantineError describe a quarantine ("" when the job is not quarantined).
func (j *Job) QuarantineReason() string {
	if !j.Quarantined() || j.Status.Quarantine == nil {
		return ""
	}
	return j.Status.Quarantine.Reason
}

// QuarantineError returns "code: message" of the quarantine, or of the last execution when the quarantine has none.
func (j *Job) QuarantineError() string {
	if !j.Quarantined() {
		return ""
	}
	var e *SyncError
	if q := j.Status.Quarantine; q != nil && q.Error != nil {
		e = q.Error
	} else if le := j.Status.LastExecution; le != nil && le.Error != nil {
		e = le.Error
	}
	if e == nil {
		return ""
	}
	return strings.TrimPrefix(e.Code+": "+e.Message, ": ")
}

func (c *Client) jobsBuilder(spID string) *serviceprincipals.ItemSynchronizationJobsRequestBuilder {
	return c.graph.ServicePrincipals().ByServicePrincipalId(spID).Synchronization().Jobs()
}

func (c *Client) jobBuilder(spID, jobID string) *serviceprincipals.ItemSynchronizationJobsSynchronizationJobItemRequestBuilder {
	return c.jobsBuilder(spID).BySynchronizationJobId(jobID)
}

// CreateJob creates a provisioning job from a template ("scim") and waits until it can be read. The job starts
// disabled. Synchronization calls on a new service principal answer 404/409/403 for a while; they are retried.
// The POST is never repeated blindly: after a server error (5xx), which can follow a successful create, the jobs are
// listed and one from the same template is adopted; only when there is none is the POST sent again (at most
// maxJobServerErrors server errors in all).
func (c *Client) CreateJob(ctx context.Context, spID, templateID string) (*Job, error) {
	op := "creating the provisioning job"
	body, _ := json.Marshal(map[string]string{"templateId": templateID})
	var job Job
	b := c.jobsBuilder(spID)
	serverErrors := 0
	ambiguous := func(ctx context.Context, err error) bool { return isServerError(err) || isLostAnswer(ctx, err) }
	retryable := func(err error, elapsed time.Duration) bool {
		return whileSyncReplicating(err, elapsed) || (ambiguous(ctx, err) && serverErrors < maxJobServerErrors)
	}
	err := c.retry(ctx, op, retryable, func(ctx context.Context) error {
		raw, err := c.sendRaw(ctx, op, abstractions.POST, b.UrlTemplate, b.PathParameters, body)
		if ambiguous(ctx, err) {
			serverErrors++
		}
		if StatusCode(err) == http.StatusConflict || ambiguous(ctx, err) {
			// Either the service principal is still replicating, or a job from this template already exists (a
			// POST that answered 5xx after creating it, a retried POST that had succeeded, or one made by hand):
			// adopt an existing one.
			if jobs, lerr := c.ListJobs(ctx, spID); lerr == nil {
				for _, j := range jobs {
					if strings.EqualFold(j.TemplateID, templateID) {
						job = j
						return nil
					}
				}
			}
			return err
		}
		if err != nil {
			return err
		}
		return decode(op, raw, &job)
	})
	if err != nil {
		return nil, err
	}
	if job.ID == "" {
		return nil, &Error{Op: op, Message: "the answer holds no job id"}
	}
	var got *Job
	err = c.waitUntil(ctx, "waiting for the new provisioning job", func(ctx context.Context) (bool, error) {
		j, err := c.GetJob(ctx, spID, job.ID)
		if IsNotFound(err) {
			return false, nil
		}
		got = j
		return err == nil, err
	})
	if err != nil {
		return &job, err
	}
	return got, nil
}

// EnsureJob returns the service principal's job from templateID when it has one — left by an interrupted create —
// and creates it otherwise. Further jobs from the same template are duplicates and are deleted. created says which.
func (c *Client) EnsureJob(ctx context.Context, spID, templateID string) (job *Job, created bool, err error) {
	jobs, err := c.ListJobs(ctx, spID)
	if err != nil && !IsNotFound(err) {
		return nil, false, err
	}
	var found *Job
	for i := range jobs {
		if !strings.EqualFold(jobs[i].TemplateID, templateID) {
			continue
		}
		if found == nil {
			found = &jobs[i]
			continue
		}
		tflog.Warn(ctx, "Deleting a duplicate provisioning job left by an interrupted create", map[string]any{"job_id": jobs[i].ID, "kept": found.ID})
		if err := c.DeleteJob(ctx, spID, jobs[i].ID); err != nil {
			return found, false, err
		}
	}
	if found != nil {
		tflog.Info(ctx, "Adopting the provisioning job left by an interrupted create", map[string]any{"job_id": found.ID})
		return found, false, nil
	}
	job, err = c.CreateJob(ctx, spID, templateID)
	return job, true, err
}

// GetJob reads a provisioning job.
func (c *Client) GetJob(ctx context.Context, spID, jobID string) (*Job, error) {
	op := "reading provisioning job " + jobID
	b := c.jobBuilder(spID, jobID)
	raw, err := c.sendRaw(ctx, op, abstractions.GET, b.UrlTemplate, b.PathParameters, nil)
	if err != nil {
		return nil, err
	}
	var job Job
	if err := decode(op, raw, &job); err != nil {
		return nil, err
	}
	return &job, nil
}

// ListJobs lists the provisioning jobs of a service principal.
func (c *Client) ListJobs(ctx context.Context, spID string) ([]Job, error) {
	op := "listing the provisioning jobs"
	b := c.jobsBuilder(spID)
	raw, err := c.sendRaw(ctx, op, abstractions.GET, b.UrlTemplate, b.PathParameters, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Value []Job `json:"value"`
	}
	if err := decode(op, raw, &out); err != nil {
		return nil, err
	}
	return out.Value, nil
}

// DeleteJob deletes a job (stopping it; accounts it provisioned are left alone) and waits until it is gone. A missing
// job is not an error.
func (c *Client) DeleteJob(ctx context.Context, spID, jobID string) error {
	op := "deleting provisioning job " + jobID
	err := c.retry(ctx, op, whileSyncTransient, func(ctx context.Context) error {
		return wrapErr(op, c.jobBuilder(spID, jobID).Delete(ctx, nil))
	})
	if err != nil && !IsNotFound(err) {
		return err
	}
	return c.waitUntil(ctx, "waiting for the provisioning job to be deleted", func(ctx context.Context) (bool, error) {
		_, err := c.GetJob(ctx, spID, jobID)
		if IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

// maxJobServerErrors bounds how many server errors CreateJob takes before giving up.
const maxJobServerErrors = 3

// whileSyncTransient retries 409 and early 403 but not 404 (for calls where 404 is an answer).
func whileSyncTransient(err error, elapsed time.Duration) bool {
	return StatusCode(err) != http.StatusNotFound && whileSyncReplicating(err, elapsed)
}

// StartJob switches provisioning on; it also clears a quarantine.
func (c *Client) StartJob(ctx context.Context, spID, jobID string) error {
	op := "starting provisioning job " + jobID
	return c.retry(ctx, op, whileSyncReplicating, func(ctx context.Context) error {
		return wrapErr(op, c.jobBuilder(spID, jobID).Start().Post(ctx, nil))
	})
}

// PauseJob switches provisioning off.
func (c *Client) PauseJob(ctx context.Context, spID, jobID string) error {
	op := "pausing provisioning job " + jobID
	return c.retry(ctx, op, whileSyncReplicating, func(ctx context.Context) error {
		return wrapErr(op, c.jobBuilder(spID, jobID).Pause().Post(ctx, nil))
	})
}

// Secret is one synchronization secret (key PascalCase, e.g. BaseAddress).
type Secret struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ValidateCredentials runs the job's "Test connection" with the given credentials (not the saved ones). It returns
// nil on success and an *Error carrying the service's code and message otherwise.
func (c *Client) ValidateCredentials(ctx context.Context, spID, jobID string, creds []Secret) error {
	op := "testing the provisioning credentials"
	pairs, err := secretPairs(creds)
	if err != nil {
		return err
	}
	transient := 0
	retryable := func(err error, elapsed time.Duration) bool {
		if SCIMTransient(err) && transient < maxTransientTests {
			transient++
			return true
		}
		return whileSyncReplicating(err, elapsed)
	}
	return c.retry(ctx, op, retryable, func(ctx context.Context) error {
		body := serviceprincipals.NewItemSynchronizationJobsItemValidateCredentialsPostRequestBody()
		useSaved := false
		body.SetUseSavedCredentials(&useSaved)
		body.SetCredentials(pairs)
		return wrapErr(op, c.jobBuilder(spID, jobID).ValidateCredentials().Post(ctx, body, nil))
	})
}

// maxTransientTests bounds how many times Test Connection is run again after the SCIM endpoint answered
// transiently (429 or 5xx); each wait grows as the replication polls do, inside the operation's deadline.
const maxTransientTests = 5

// scimStatus finds the HTTP status the SCIM endpoint answered Test Connection with, in the message of a failed
// validateCredentials. The failure text is UNKNOWN (microsoft-graph.md §5.8); quarantine messages read "We received
// this unexpected response from your application: An HTTP/1.1 401 Unauthorized response was returned ...", so the
// status is taken from "HTTP/<version> <status>" (the version may be missing); 0 when there is none.
func scimStatus(err error) int {
	e := AsError(err)
	if e == nil || !strings.EqualFold(e.Code, codeCredentialValidationFailure) {
		return 0
	}
	m := scimStatusRE.FindStringSubmatch(e.Message + " " + strings.Join(e.Details, " "))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var scimStatusRE = regexp.MustCompile(`HTTP/(?:\d(?:\.\d)? )?(\d{3})\b`)

// codeCredentialValidationFailure is the synchronization error of a Test Connection whose SCIM endpoint was reached
// but answered something other than an empty ListResponse (microsoft-graph.md §5.8).
const codeCredentialValidationFailure = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"

// SCIMStatus returns the HTTP status the SCIM endpoint answered a failed Test Connection with, or 0.
func SCIMStatus(err error) int { return scimStatus(err) }

// SCIMTransient reports a Test Connection that failed because the SCIM endpoint answered transiently (429, 500,
// 502, 503, 504): nothing is known about the credentials, and running the test again may pass.
func SCIMTransient(err error) bool {
	switch scimStatus(err) {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// PutSecrets saves synchronization secrets (Admin Credentials, scope) on the service principal.
func (c *Client) PutSecrets(ctx context.Context, spID string, secrets []Secret) error {
	op := "saving the provisioning credentials"
	pairs, err := secretPairs(secrets)
	if err != nil {
		return err
	}
	return c.retry(ctx, op, whileSyncReplicating, func(ctx context.Context) error {
		body := serviceprincipals.NewItemSynchronizationSecretsPutRequestBody()
		body.SetValue(pairs)
		_, err := c.graph.ServicePrincipals().ByServicePrincipalId(spID).Synchronization().Secrets().Put(ctx, body, nil)
		return wrapErr(op, err)
	})
}

// GetSecrets reads the saved synchronization secrets; sensitive values come back masked. The SDK has no GET for
// secrets (only PUT), so the request is built by hand on the same authenticated adapter.
func (c *Client) GetSecrets(ctx context.Context, spID string) ([]Secret, error) {
	op := "reading the provisioning credentials"
	b := c.graph.ServicePrincipals().ByServicePrincipalId(spID).Synchronization().Secrets()
	raw, err := c.sendRaw(ctx, op, abstractions.GET, b.UrlTemplate, b.PathParameters, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Value []Secret `json:"value"`
	}
	if err := decode(op, raw, &out); err != nil {
		return nil, err
	}
	return out.Value, nil
}

// IsMasked reports whether a secret value read back is a mask rather than the value.
func IsMasked(v string) bool {
	return v != "" && strings.Trim(v, "*") == ""
}

func secretPairs(secrets []Secret) ([]models.SynchronizationSecretKeyStringValuePairable, error) {
	out := make([]models.SynchronizationSecretKeyStringValuePairable, 0, len(secrets))
	for _, s := range secrets {
		k, err := models.ParseSynchronizationSecret(s.Key)
		if err != nil || k == nil {
			return nil, fmt.Errorf("unknown synchronization secret key %q", s.Key)
		}
		p := models.NewSynchronizationSecretKeyStringValuePair()
		key, ok := k.(*models.SynchronizationSecret)
		if !ok {
			return nil, fmt.Errorf("unknown synchronization secret key %q", s.Key)
		}
		p.SetKey(key)
		v := s.Value
		p.SetValue(&v)
		out = append(out, p)
	}
	return out, nil
}

// ProvisionSubject is one object to provision on demand.
type ProvisionSubject struct {
	ObjectID       string `json:"objectId"`
	ObjectTypeName string `json:"objectTypeName"`
	// Links names, for a Group subject, the members to provision with it (at most 5, microsoft-graph.md §5.14).
	Links *ProvisionLinks `json:"links,omitempty"`
}

// ProvisionLinks are the related objects of a provisionOnDemand subject.
type ProvisionLinks struct {
	Members []ProvisionSubject `json:"members"`
}

// ProvisionOnDemand provisions the subjects now with the synchronization rule ruleID ("Provision on demand") and
// returns Graph's raw answer, a stringKeyStringValuePair whose key and value hold JSON documents. It is retried on
// 429 only: after a 503/504 the subjects may have been provisioned, so the error is returned to the caller.
func (c *Client) ProvisionOnDemand(ctx context.Context, spID, jobID, ruleID string, subjects ...ProvisionSubject) (json.RawMessage, error) {
	op := "provisioning on demand"
	body, _ := json.Marshal(map[string]any{"parameters": []any{map[string]any{"ruleId": ruleID, "subjects": subjects}}})
	b := c.jobBuilder(spID, jobID).ProvisionOnDemand()
	raw, err := c.sendRaw(ctx, op, abstractions.POST, b.UrlTemplate, b.PathParameters, body)
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// GetSchema reads a job's synchronization schema as raw JSON.
func (c *Client) GetSchema(ctx context.Context, spID, jobID string) ([]byte, error) {
	op := "reading the synchronization schema of job " + jobID
	b := c.jobBuilder(spID, jobID).Schema()
	return c.sendRaw(ctx, op, abstractions.GET, b.UrlTemplate, b.PathParameters, nil)
}

// PutSchema replaces a job's synchronization schema with raw JSON, using PUT: the SDK generates PATCH, which Graph
// does not accept for the schema, and its typed models would drop objectMapping.flowTypes (microsoft-graph.md §5.9).
func (c *Client) PutSchema(ctx context.Context, spID, jobID string, schema []byte) error {
	op := "saving the synchronization schema of job " + jobID
	b := c.jobBuilder(spID, jobID).Schema()
	ri, err := b.ToPatchRequestInformation(ctx, models.NewSynchronizationSchema(), nil)
	if err != nil {
		return wrapErr(op, err)
	}
	ri.Method = abstractions.PUT
	ri.Headers.Remove("Content-Type")
	ri.SetStreamContentAndContentType(schema, "application/json")
	return c.retry(ctx, op, whileSyncTransient, func(ctx context.Context) error {
		return wrapErr(op, c.adapter.SendNoContent(ctx, ri, errorMapping))
	})
}

// GetTemplateSchema reads the schema of a synchronization template (the defaults a job starts with) as raw JSON.
func (c *Client) GetTemplateSchema(ctx context.Context, spID, templateID string) ([]byte, error) {
	op := "reading the synchronization schema of template " + templateID
	b := c.graph.ServicePrincipals().ByServicePrincipalId(spID).Synchronization().Templates().BySynchronizationTemplateId(templateID).Schema()
	return c.sendRaw(ctx, op, abstractions.GET, b.UrlTemplate, b.PathParameters, nil)
}

var errorMapping = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// sendRaw sends a request built from a builder's URL template through the authenticated adapter (so it gets the
// token, retries and compression of every other call) and returns the body bytes (nil for 204).
func (c *Client) sendRaw(ctx context.Context, op string, method abstractions.HttpMethod, urlTemplate string, params map[string]string, body []byte) ([]byte, error) {
	pp := make(map[string]string, len(params))
	for k, v := range params {
		pp[k] = v
	}
	ri := abstractions.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(method, urlTemplate, pp)
	ri.Headers.TryAdd("Accept", "application/json")
	if body != nil {
		ri.SetStreamContentAndContentType(body, "application/json")
	}
	res, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	if res == nil {
		return nil, nil
	}
	b, _ := res.([]byte)
	return b, nil
}

func decode(op string, raw []byte, v any) error {
	if len(raw) == 0 {
		return &Error{Op: op, Message: "the answer has no body"}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &Error{Op: op, Message: "the answer is not the expected JSON: " + err.Error()}
	}
	return nil
}
