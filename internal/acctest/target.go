package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/config"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/provisioning"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
)

// The acceptance suite runs against one of two targets:
//
//   - the in-process sandbox (the default, `make testacc`): every test starts its own seeded sandbox;
//   - tenants (`make testacc-tenants`, AUTH0ENTRA_ACC_TARGET=tenants): the Auth0 and Entra tenants the usual
//     provider variables name (AUTH0_*, ARM_*), with a fixture prepared once and named by the AUTH0ENTRA_ACC_*
//     variables below. Tests use only the public APIs there; a test that needs the sandbox's Go API (fault
//     injection, request log, clock, revoking grants) skips with a reason (SkipOnTenants, Sandbox).
const (
	EnvTarget        = "AUTH0ENTRA_ACC_TARGET"
	TargetTenants    = "tenants"
	EnvConnectionID  = "AUTH0ENTRA_ACC_CONNECTION_ID"   // an existing waad connection
	EnvOIDCClientID  = "AUTH0ENTRA_ACC_OIDC_CLIENT_ID"  // client id of the app registration the connection logs in with
	EnvGroupID       = "AUTH0ENTRA_ACC_GROUP_ID"        // an Entra group to assign
	EnvPresentUserID = "AUTH0ENTRA_ACC_PRESENT_USER_ID" // Entra object id of a user already in Auth0
	EnvAbsentUserID  = "AUTH0ENTRA_ACC_ABSENT_USER_ID"  // Entra object id of a user not in Auth0
)

// NamePrefix starts the name of everything the acceptance tests create; the sweepers remove what carries it.
const NamePrefix = "tf-acc-"

// FixtureVariables are the fixture's variables, in the order the error lists them.
var FixtureVariables = []string{EnvConnectionID, EnvOIDCClientID, EnvGroupID, EnvPresentUserID, EnvAbsentUserID}

// OnTenants reports whether the suite targets real tenants.
func OnTenants() bool { return strings.EqualFold(os.Getenv(EnvTarget), TargetTenants) }

// RandomSuffix returns 10 random lowercase hex characters.
func RandomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RandomName returns NamePrefix plus a random suffix.
func RandomName() string { return NamePrefix + RandomSuffix() }

// SkipOnTenants skips the test when the suite targets tenants; reason says what the test needs from the sandbox.
// Every call site is listed in CONTRIBUTING.md.
func SkipOnTenants(t testing.TB, reason string) {
	t.Helper()
	if OnTenants() {
		t.Skipf("skipped on tenants: %s", reason)
	}
}

// Fixture names the objects a test may use and must not delete.
type Fixture struct {
	ConnectionID  string
	OIDCClientID  string
	GroupID       string
	PresentUserID string // in Entra and already in Auth0
	AbsentUserID  string // in Entra, not in Auth0
}

// Target is what one test runs against.
type Target struct {
	// Sandbox is the test's in-process sandbox; nil on tenants.
	Sandbox *sandbox.Sandbox
	// Auth0Domain is the Auth0 tenant's host[:port].
	Auth0Domain string
	Fixture
}

// NewTarget starts a seeded sandbox for the test, or, on tenants, reads the fixture (failing at once, listing what
// is missing). Either way the test checks when it ends that the fixture connection is back as it found it (no SCIM
// configuration, token or option left changed; see guardFixture), so that a test that leaks onto the shared fixture
// fails itself instead of a later one.
func NewTarget(t testing.TB) *Target {
	t.Helper()
	var tg *Target
	if !OnTenants() {
		tg = SandboxTarget(startSandbox(t))
	} else {
		if missing := MissingTenantVariables(); len(missing) > 0 {
			t.Fatal(missingMessage(missing))
		}
		tg = &Target{Auth0Domain: os.Getenv("AUTH0_DOMAIN"), Fixture: Fixture{
			ConnectionID: os.Getenv(EnvConnectionID), OIDCClientID: os.Getenv(EnvOIDCClientID), GroupID: os.Getenv(EnvGroupID),
			PresentUserID: os.Getenv(EnvPresentUserID), AbsentUserID: os.Getenv(EnvAbsentUserID),
		}}
	}
	tg.guardFixture(t)
	return tg
}

// SandboxFixture is the fixture the seeded sandbox provides.
func SandboxFixture(sb *sandbox.Sandbox) Fixture {
	return Fixture{
		ConnectionID: sb.Seed.ConnectionID, OIDCClientID: sb.Seed.OIDCAppID, GroupID: sb.Seed.GroupID,
		PresentUserID: sb.Seed.User("alice").EntraID, AbsentUserID: sb.Seed.User("carol").EntraID,
	}
}

// ProviderConfig is the provider block: explicit arguments for the sandbox, the environment for tenants.
func (tg *Target) ProviderConfig() string {
	if tg.Sandbox != nil {
		return ProviderConfig(tg.Sandbox)
	}
	return "\nprovider \"auth0entra\" {}\n"
}

// Config joins the provider block with the given HCL fragments.
func (tg *Target) Config(hcl ...string) string { return tg.ProviderConfig() + strings.Join(hcl, "\n") }

// Auth0 builds the provider's Auth0 client for the target, for checks through the public Management API.
func (tg *Target) Auth0(t testing.TB) *auth0client.Client {
	t.Helper()
	cfg := auth0client.Config{UserAgent: "terraform-provider-auth0entra/acctest"}
	if tg.Sandbox != nil {
		cfg.Domain, cfg.ClientID, cfg.ClientSecret = tg.Sandbox.Auth0Domain, tg.Sandbox.Auth0ClientID, tg.Sandbox.Auth0ClientSecret
	} else {
		c, diags := provider.Auth0ConfigFromEnvironment()
		if diags.HasError() {
			t.Fatalf("acctest: Auth0 configuration: %v", diags)
		}
		cfg = *c
	}
	c, err := auth0client.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("acctest: building the Auth0 client: %v", err)
	}
	return c
}

// Entra builds the provider's Entra client for the target, for checks through Microsoft Graph.
func (tg *Target) Entra(t testing.TB) *entraclient.Client {
	t.Helper()
	if tg.Sandbox != nil {
		return EntraClient(t, tg.Sandbox)
	}
	cfg, diags := provider.EntraConfigFromEnvironment()
	if diags.HasError() {
		t.Fatalf("acctest: Entra configuration: %v", diags)
	}
	c, err := entraclient.New(context.Background(), *cfg)
	if err != nil {
		t.Fatalf("acctest: building the Entra client: %v", err)
	}
	return c
}

// MissingTenantVariables lists what the tenants target lacks: the fixture variables, and the provider's own
// variables when they do not resolve to a complete configuration of each cloud.
func MissingTenantVariables() []string {
	var missing []string
	for _, k := range FixtureVariables {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if _, diags := provider.Auth0ConfigFromEnvironment(); diags.HasError() {
		for _, k := range []string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"} {
			otherCredential := os.Getenv("AUTH0_CLIENT_ASSERTION_PRIVATE_KEY") != "" || os.Getenv("AUTH0_API_TOKEN") != ""
			if os.Getenv(k) == "" && (k != "AUTH0_CLIENT_SECRET" || !otherCredential) {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			missing = append(missing, "a valid AUTH0_* configuration ("+firstDiag(diags)+")")
		}
	}
	if _, diags := provider.EntraConfigFromEnvironment(); diags.HasError() {
		n := len(missing)
		for _, k := range []string{"ARM_TENANT_ID", "ARM_CLIENT_ID"} {
			if os.Getenv(k) == "" {
				missing = append(missing, k)
			}
		}
		if os.Getenv("ARM_CLIENT_SECRET") == "" && os.Getenv("ARM_USE_OIDC") == "" && os.Getenv("ARM_CLIENT_CERTIFICATE_PATH") == "" {
			missing = append(missing, "ARM_CLIENT_SECRET (or ARM_USE_OIDC=true with an ID token)")
		}
		if len(missing) == n {
			missing = append(missing, "a valid ARM_* configuration ("+firstDiag(diags)+")")
		}
	}
	return missing
}

func firstDiag(d diag.Diagnostics) string {
	for _, e := range d.Errors() {
		return e.Summary() + ": " + e.Detail()
	}
	return ""
}

func missingMessage(missing []string) string {
	return fmt.Sprintf("%s=%s needs these variables, which are not set: %s. See CONTRIBUTING.md, \"Acceptance tests against tenants\".",
		EnvTarget, TargetTenants, strings.Join(missing, ", "))
}

// CompleteExample returns examples/complete configured for the target: its provider block, after the old → new
// replacements in main.tf (see Replace). Its variables are CompleteExampleVariables.
func (tg *Target) CompleteExample(t testing.TB, replacements ...string) string {
	t.Helper()
	mainTF := Replace(t, ReadRepoFile(t, "examples/complete/main.tf"), replacements...)
	return tg.Config(WithoutProviderSetup(mainTF),
		ReadRepoFile(t, "examples/complete/variables.tf"), ReadRepoFile(t, "examples/complete/outputs.tf"))
}

// CompleteExampleVariables are the values of examples/complete's variables: the target's fixture.
func (tg *Target) CompleteExampleVariables() config.Variables {
	return config.Variables{
		"connection_id":        config.StringVariable(tg.ConnectionID),
		"oidc_app_client_id":   config.StringVariable(tg.OIDCClientID),
		"engineering_group_id": config.StringVariable(tg.GroupID),
	}
}

// ProvisionOnDemand runs "Provision on Demand" for one user of the target through the provisioning Go API, with a
// freshly built provider Entra client. It fails the test when the request itself fails; the Result says what Entra
// did.
func (tg *Target) ProvisionOnDemand(t testing.TB, spID, jobID, userID string) *provisioning.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := provisioning.OnDemand(ctx, tg.Entra(t), provisioning.Request{ServicePrincipalID: spID, JobID: jobID, ObjectID: userID})
	if err != nil {
		t.Fatalf("provision on demand of %s: %v", userID, err)
	}
	return r
}
