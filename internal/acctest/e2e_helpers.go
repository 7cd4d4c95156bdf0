package acctest

// Helpers of the end-to-end tests (internal/e2e) and of the provisioning action and data source tests: a sandbox with
// options and a movable clock, the provider's own Entra client for the sandbox, Provision on Demand through the Go
// API, the published examples/complete configuration, and the manual setup done by hand.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/auth0"
)

// SkipUnlessAcceptance skips the test unless TF_ACC is set, as resource.Test does, for acceptance tests that do work
// of their own (a setup by hand) before calling resource.Test.
func SkipUnlessAcceptance(t testing.TB) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 (and have a Terraform CLI) to run it", resource.EnvTfAcc)
	}
}

// SandboxWith starts a seeded sandbox with opts (always on the process CA) and stops it when the test ends.
func SandboxWith(t testing.TB, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	SkipOnTenants(t, "inspects or steers the in-process sandbox through its Go API")
	if ca == nil {
		t.Fatal("acctest: the package's TestMain must call acctest.Main(m)")
	}
	opts.CA = ca
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("acctest: starting the sandbox: %v", err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// Clock is a clock for sandbox.Options.Now: the real time plus an offset the test sets. It lets the clouds' "now"
// lag or lead the provider's (which stays the real time) without waiting. The zero value is the real time.
type Clock struct{ offset atomic.Int64 }

// Now returns the real time plus the offset.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Set makes the clock run offset ahead of the real time (negative: behind).
func (c *Clock) Set(offset time.Duration) { c.offset.Store(int64(offset)) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// EntraConfig is what the entra block of ProviderConfig(sb) resolves to in the provider.
func EntraConfig(sb *sandbox.Sandbox) entraclient.Config {
	return entraclient.Config{
		TenantID:      sb.EntraTenantID,
		ClientID:      sb.EntraClientID,
		ClientSecret:  sb.EntraClientSecret,
		AuthorityHost: sb.EntraURL + "/",
		GraphURL:      sb.EntraURL + "/v1.0",
		UserAgent:     "terraform-provider-auth0entra/test",
	}
}

// EntraClient builds the provider's Entra client for sb, as the provider builds it from ProviderConfig(sb). A new
// client gets a new access token: build one after moving a sandbox clock, whose tokens expire by that clock.
func EntraClient(t testing.TB, sb *sandbox.Sandbox) *entraclient.Client {
	t.Helper()
	c, err := entraclient.New(context.Background(), EntraConfig(sb))
	if err != nil {
		t.Fatalf("acctest: building the Entra client: %v", err)
	}
	return c
}

// ProvisionOnDemand runs the manual setup's "Provision on Demand" for one user through the provisioning Go API, with
// a freshly built provider Entra client. It fails the test when the request itself fails; the Result says what Entra
// did.
func ProvisionOnDemand(t testing.TB, sb *sandbox.Sandbox, spID, jobID, userID string) *provisioning.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := provisioning.OnDemand(ctx, EntraClient(t, sb), provisioning.Request{ServicePrincipalID: spID, JobID: jobID, ObjectID: userID})
	if err != nil {
		t.Fatalf("provision on demand of %s: %v", userID, err)
	}
	return r
}

// repoRoot is the module's root directory, found from this file's location so that every test package can read
// the examples and guides.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ReadRepoFile returns a file of the repository by its slash-separated path from the root.
func ReadRepoFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), filepath.FromSlash(path)))
	if err != nil {
		t.Fatalf("acctest: %v", err)
	}
	return string(b)
}

// Replace applies old → new replacements to hcl (pairs of strings) and fails the test when an old text is not
// there exactly once, so that a test that varies a published example notices when the example changes.
func Replace(t testing.TB, hcl string, pairs ...string) string {
	t.Helper()
	if len(pairs)%2 != 0 {
		t.Fatal("acctest: Replace takes old/new pairs")
	}
	for i := 0; i < len(pairs); i += 2 {
		if n := strings.Count(hcl, pairs[i]); n != 1 {
			t.Fatalf("acctest: the configuration holds %q %d times, want once:\n%s", pairs[i], n, hcl)
		}
		hcl = strings.Replace(hcl, pairs[i], pairs[i+1], 1)
	}
	return hcl
}

// WithoutVariables removes the variable blocks of a published example, which declares the ids it needs as variables
// so that it validates on its own; the test then supplies them by replacing the var.<name> references.
func WithoutVariables(hcl string) string { return variableBlock.ReplaceAllString(hcl, "") }

var variableBlock = regexp.MustCompile(`(?ms)^variable "[^"]+" \{\n.*?^\}\n?`)

// WithoutProviderSetup removes the terraform block and empty provider "auth0entra" blocks from a published
// configuration, whose provider is configured from the environment; Config adds the sandbox's provider block.
func WithoutProviderSetup(hcl string) string {
	var out []string
	lines := strings.Split(hcl, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "terraform {":
			depth := 0
			for ; i < len(lines); i++ {
				depth += strings.Count(lines[i], "{") - strings.Count(lines[i], "}")
				if depth == 0 {
					break
				}
			}
		case strings.HasPrefix(line, `provider "auth0entra"`) && strings.HasSuffix(line, "{}"):
		default:
			out = append(out, lines[i])
		}
	}
	return strings.Join(out, "\n")
}

// CompleteExample returns examples/complete (main.tf, variables.tf, outputs.tf) configured for sb: the published
// configuration with the sandbox's provider block, after the old → new replacements in main.tf (see Replace). Its
// variables are CompleteExampleVariables.
func CompleteExample(t testing.TB, sb *sandbox.Sandbox, replacements ...string) string {
	t.Helper()
	return SandboxTarget(sb).CompleteExample(t, replacements...)
}

// CompleteExampleVariables are the values of examples/complete's variables: the sandbox's seeded objects.
func CompleteExampleVariables(sb *sandbox.Sandbox) config.Variables {
	return SandboxTarget(sb).CompleteExampleVariables()
}

// SandboxTarget is the target of a sandbox the test started itself (acctest.Sandbox, SandboxWith).
func SandboxTarget(sb *sandbox.Sandbox) *Target {
	return &Target{Sandbox: sb, Auth0Domain: sb.Auth0Domain, Fixture: SandboxFixture(sb)}
}

// Addresses of the resources of examples/complete.
const (
	CompleteConnection = "auth0entra_scim_connection.corp"
	CompleteEndpoint   = "data.auth0entra_scim_endpoint.corp"
	CompleteToken      = "auth0entra_scim_token.corp"
	CompleteApp        = "auth0entra_enterprise_app.corp"
	CompleteMappings   = "auth0entra_attribute_mappings.corp_users"
)

// Values of the manual setup that examples/complete and SetUpByHand share.
var (
	SeedTokenScopes   = []string{"get:users", "patch:users", "delete:users"}
	SeedTokenLifetime = 8760 * time.Hour
)

const (
	seedAppName     = "Auth0 SCIM (corp)"
	departmentSCIM  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"
	managerSCIM     = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"
	departmentAuth0 = "app_metadata.dept"
	workEmail       = `emails[type eq "work"].value`
)

// HandSetup is what SetUpByHand made.
type HandSetup struct {
	TenantURL string // the SCIM endpoint with ?aadOptscim062020
	TokenID   string
	Token     string // the token's secret, which only its creator ever sees

	ApplicationObjectID string
	ServicePrincipalID  string
	JobID               string
}

// SetUpByHand does the manual setup the way an administrator does it in the two consoles, through the
// sandbox's Auth0 Go API and the provider's Entra client, making exactly what examples/complete declares:
//
//   - The Auth0 side: SCIM on the seeded connection (user id attribute externalId; Auth0's default mapping with the
//     department row sent to app_metadata.dept and the manager row removed; the seed connection already uses sub, no
//     common endpoint, and syncs profiles at each login) and a token with the older connection's scopes for 8760h;
//   - The enterprise app and its job: the non-gallery application, the Engineering group assigned with the User role, a
//     `scim` job, Test Connection then the credentials saved (scope: assigned users and groups), provisioning on;
//   - The mapping edits: Create deselected, externalId ← objectId, the work e-mail matching with precedence 2, saved
//     with PUT; and, as examples/complete chooses "users only", the Group object mapping disabled.
func SetUpByHand(t testing.TB, sb *sandbox.Sandbox) HandSetup {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn := sb.Seed.ConnectionID
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setting up by hand: %s: %v", what, err)
		}
	}

	// Auth0.
	cfg, err := sb.Auth0.CreateSCIMConfiguration(conn, "externalId", nil)
	must("enabling SCIM", err)
	var mapping []auth0.Mapping
	found := false
	for _, m := range cfg.Mapping {
		switch m.SCIM {
		case departmentSCIM:
			m.Auth0, found = departmentAuth0, true
		case managerSCIM:
			continue
		}
		mapping = append(mapping, m)
	}
	if !found || len(mapping) != len(cfg.Mapping)-1 {
		t.Fatalf("setting up by hand: Auth0's default mapping lacks the %s or %s row: %+v", departmentSCIM, managerSCIM, cfg.Mapping)
	}
	must("editing the mapping", sb.Auth0.UpdateSCIMConfiguration(conn, "externalId", mapping))
	tok, err := sb.Auth0.CreateSCIMToken(conn, SeedTokenScopes, SeedTokenLifetime)
	must("generating a token", err)
	h := HandSetup{TenantURL: sb.Auth0.SCIMEndpoint(conn) + "?aadOptscim062020", TokenID: tok.TokenID, Token: tok.Token}

	// Entra.
	c := EntraClient(t, sb)
	app, err := c.CreateEnterpriseApp(ctx, seedAppName)
	must("creating the enterprise application", err)
	finishEntraByHand(ctx, t, c, app, sb.Seed.GroupID, &h, must)
	return h
}

// finishEntraByHand is the Entra half of the manual setup once the enterprise app exists, shared by SetUpByHand
// (sandbox) and Target.SetUpByHand (public APIs): the group assigned to the app's User role, the job created, the
// credentials tested and saved, the portal's mapping edits, provisioning started.
func finishEntraByHand(ctx context.Context, t testing.TB, c *entraclient.Client, app *entraclient.EnterpriseApp, groupID string, h *HandSetup, must func(string, error)) {
	t.Helper()
	h.ApplicationObjectID, h.ServicePrincipalID = app.Application.ObjectID, app.ServicePrincipal.ID
	role, ok := app.ServicePrincipal.RoleByDisplayName("User")
	if !ok {
		t.Fatalf("setting up by hand: the new application has no User app role: %+v", app.ServicePrincipal.AppRoles)
	}
	_, err := c.AssignAppRole(ctx, h.ServicePrincipalID, role.ID, groupID)
	must("assigning the group", err)
	job, err := c.CreateJob(ctx, h.ServicePrincipalID, entraclient.SCIMTemplateID)
	must("creating the provisioning job", err)
	h.JobID = job.ID
	creds := []entraclient.Secret{{Key: entraclient.SecretBaseAddress, Value: h.TenantURL}, {Key: entraclient.SecretToken, Value: h.Token}}
	must("testing the connection", c.ValidateCredentials(ctx, h.ServicePrincipalID, h.JobID, creds))
	must("saving the credentials", c.PutSecrets(ctx, h.ServicePrincipalID, append(creds, entraclient.Secret{Key: entraclient.SecretSyncAll, Value: "false"})))

	raw, err := c.GetSchema(ctx, h.ServicePrincipalID, h.JobID)
	must("reading the schema", err)
	edited, err := editSeedSchema(raw)
	must("editing the schema", err)
	must("saving the schema", c.PutSchema(ctx, h.ServicePrincipalID, h.JobID, edited))
	must("starting provisioning", c.StartJob(ctx, h.ServicePrincipalID, h.JobID))
}

// editSeedSchema makes the portal's mapping edits to the User object mapping of a schema read from Graph.
func editSeedSchema(raw []byte) ([]byte, error) {
	var s map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	delete(s, "@odata.context") // not part of the resource; Graph sends it with every answer
	rules, _ := s["synchronizationRules"].([]any)
	edits := 0
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		oms, _ := rm["objectMappings"].([]any)
		for _, v := range oms {
			om, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("an object mapping of the schema is a %T, not an object", v)
			}
			if om["sourceObjectName"] == "Group" {
				// Users only, as examples/complete chooses: the Group object mapping off (guide "Provisioning groups").
				om["enabled"] = false
				continue
			}
			if om["sourceObjectName"] != "User" {
				continue
			}
			om["flowTypes"] = "Update, Delete" // Deselect Create
			edits++
			ams, _ := om["attributeMappings"].([]any)
			for _, v := range ams {
				am, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("an attribute mapping of the User object mapping is a %T, not an object", v)
				}
				switch am["targetAttributeName"] {
				case "externalId": // externalId from objectId
					am["source"] = map[string]any{"expression": "[objectId]", "name": "objectId", "parameters": []any{}, "type": "Attribute"}
					edits++
				case workEmail: // match on work e-mail
					am["matchingPriority"] = 2
					edits++
				}
			}
		}
	}
	if edits != 3 {
		return nil, fmt.Errorf("expected the User object mapping with rows externalId and %s, made %d of 3 edits", workEmail, edits)
	}
	return json.Marshal(s)
}

// SeedSchemaProblems checks a job's schema against the seed's Entra edits and returns what differs, one
// line each: Create removed from the User object mapping's flowTypes (Update and Delete kept), externalId sourced
// from objectId, and emails[type eq "work"].value sourced from mail and matching with precedence 2.
func SeedSchemaProblems(raw []byte) []string {
	var s struct {
		SynchronizationRules []struct {
			ObjectMappings []struct {
				SourceObjectName  string `json:"sourceObjectName"`
				FlowTypes         string `json:"flowTypes"`
				AttributeMappings []struct {
					TargetAttributeName string          `json:"targetAttributeName"`
					MatchingPriority    json.Number     `json:"matchingPriority"`
					Source              json.RawMessage `json:"source"`
				} `json:"attributeMappings"`
			} `json:"objectMappings"`
		} `json:"synchronizationRules"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return []string{"the schema is not JSON: " + err.Error()}
	}
	var problems []string
	users := 0
	for _, r := range s.SynchronizationRules {
		for _, om := range r.ObjectMappings {
			if om.SourceObjectName != "User" {
				continue
			}
			users++
			flows := map[string]bool{}
			for _, f := range strings.Split(om.FlowTypes, ",") {
				flows[strings.TrimSpace(f)] = true
			}
			if flows["Add"] || !flows["Update"] || !flows["Delete"] {
				problems = append(problems, fmt.Sprintf("User object mapping flowTypes = %q, want Update and Delete without Add (Create deselected)", om.FlowTypes))
			}
			rows := 0
			for _, am := range om.AttributeMappings {
				var src struct {
					Type string `json:"type"`
					Name string `json:"name"`
				}
				_ = json.Unmarshal(am.Source, &src)
				switch am.TargetAttributeName {
				case "externalId":
					rows++
					if src.Type != "Attribute" || src.Name != "objectId" {
						problems = append(problems, fmt.Sprintf("externalId is sourced from %s %q, want attribute objectId", src.Type, src.Name))
					}
				case workEmail:
					rows++
					if src.Type != "Attribute" || src.Name != "mail" || am.MatchingPriority.String() != "2" {
						problems = append(problems, fmt.Sprintf("%s is sourced from %s %q with matching priority %s, want attribute mail with precedence 2", workEmail, src.Type, src.Name, am.MatchingPriority))
					}
				}
			}
			if rows != 2 {
				problems = append(problems, fmt.Sprintf("the User object mapping has %d of the rows externalId and %s", rows, workEmail))
			}
		}
	}
	if users != 1 {
		problems = append(problems, fmt.Sprintf("the schema has %d User object mappings, want 1", users))
	}
	return problems
}

// SeedMappingProblems checks a SCIM configuration's mapping against the additional mappings step of the manual setup as
// SetUpByHand and examples/complete make it, and returns what differs: the enterprise department is mapped to
// app_metadata.dept, and the enterprise manager is not mapped (Entra cannot read Auth0's answers when it is).
func SeedMappingProblems(cfg auth0.SCIMConfiguration) []string {
	rows := make([]auth0client.SCIMMapping, 0, len(cfg.Mapping))
	for _, m := range cfg.Mapping {
		rows = append(rows, auth0client.SCIMMapping{Auth0: m.Auth0, SCIM: m.SCIM})
	}
	return SeedMappingRowProblems(rows)
}

// SeedMappingRowProblems is SeedMappingProblems for a mapping read through the Management API.
func SeedMappingRowProblems(rows []auth0client.SCIMMapping) []string {
	var problems []string
	department := ""
	for _, m := range rows {
		switch m.SCIM {
		case departmentSCIM:
			department = m.Auth0
		case managerSCIM:
			problems = append(problems, fmt.Sprintf("%s is still mapped (to %s)", managerSCIM, m.Auth0))
		}
	}
	if department != departmentAuth0 {
		problems = append(problems, fmt.Sprintf("%s is mapped to %q, want %s", departmentSCIM, department, departmentAuth0))
	}
	return problems
}
