// Package acctest holds what every acceptance test needs: one sandbox CA per test process (trusted through
// SSL_CERT_FILE, as users trust it), sandboxes started per test, provider factories, and HCL builders.
//
// Acceptance tests run the real Terraform CLI (TF_ACC=1, terraform on PATH or TF_ACC_TERRAFORM_PATH) against the
// provider served in-process, which talks HTTPS to the in-process sandbox. Nothing is downloaded.
package acctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/provider"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/tlsca"
)

// ProviderName is the provider's type name in configurations.
const ProviderName = "auth0entra"

// ProtoV6ProviderFactories serves the provider in-process for resource.Test.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: providerserver.NewProtocol6WithError(provider.New("test")()),
}

var (
	caOnce sync.Once
	ca     *tlsca.CA
	caErr  error
)

// Main is the TestMain of every package with acceptance tests. On the sandbox target it creates the process's
// sandbox CA and points SSL_CERT_FILE at it before anything loads the system certificate pool (Go reads it once per
// process), and clears every AUTH0_*/ARM_* variable so only the tests' HCL configures the provider. On tenants
// (AUTH0ENTRA_ACC_TARGET=tenants) it leaves the environment alone and fails at once, listing what is missing, when
// a variable the suite needs is not set. It also runs the package's sweepers when `-sweep` is given
// (terraform-plugin-testing's resource.TestMain; `make sweep`).
func Main(m *testing.M) {
	if OnTenants() || sweeping() {
		if missing := MissingTenantVariables(); len(missing) > 0 && !listingOnly() {
			fmt.Fprintln(os.Stderr, "acctest:", missingMessage(missing))
			os.Exit(1)
		}
		resource.TestMain(m)
		return
	}
	dir, err := os.MkdirTemp("", "auth0entra-acctest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	caOnce.Do(func() {
		ca, caErr = tlsca.New()
		if caErr == nil {
			caErr = ca.WriteFiles(filepath.Join(dir, "ca.pem"), "")
		}
	})
	if caErr != nil {
		fmt.Fprintln(os.Stderr, "acctest:", caErr)
		os.Exit(1)
	}
	_ = os.Setenv("SSL_CERT_FILE", filepath.Join(dir, "ca.pem"))
	_ = os.Unsetenv("SSL_CERT_DIR")
	// The provider must be configured by the test's HCL only, never by a developer's shell.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AUTH0_") || strings.HasPrefix(k, "ARM_") || k == "AZURE_AUTHORITY_HOST" || k == "AZURE_FEDERATED_TOKEN_FILE" {
			_ = os.Unsetenv(k)
		}
	}
	resource.TestMain(cleanupRunner{m: m, cleanup: func() { _ = os.RemoveAll(dir) }})
}

// cleanupRunner runs the tests, then the cleanup (resource.TestMain exits the process after Run).
type cleanupRunner struct {
	m       *testing.M
	cleanup func()
}

func (r cleanupRunner) Run() int {
	defer r.cleanup()
	return r.m.Run()
}

// sweeping reports whether the test binary was started with -sweep (flags are not parsed yet).
func sweeping() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-sweep=") || strings.HasPrefix(a, "--sweep=") || a == "-sweep" || a == "--sweep" {
			return true
		}
	}
	return false
}

// listingOnly reports whether the binary only lists tests (-test.list), which needs no tenant.
func listingOnly() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.list") {
			return true
		}
	}
	return false
}

// Sandbox starts a seeded sandbox for the test and stops it when the test ends. The sandbox shares the process CA.
// On tenants the test is skipped: it uses the sandbox's Go API (state, faults, request log); tests that run on both
// targets use NewTarget.
func Sandbox(t testing.TB) *sandbox.Sandbox {
	t.Helper()
	SkipOnTenants(t, "inspects or steers the in-process sandbox through its Go API")
	return startSandbox(t)
}

func startSandbox(t testing.TB) *sandbox.Sandbox {
	t.Helper()
	if ca == nil {
		t.Fatal("acctest: the package's TestMain must call acctest.Main(m)")
	}
	sb, err := sandbox.Start(sandbox.Options{CA: ca})
	if err != nil {
		t.Fatalf("acctest: starting the sandbox: %v", err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// ProviderConfig returns a provider block configured for sb with explicit arguments (no environment).
func ProviderConfig(sb *sandbox.Sandbox) string {
	return fmt.Sprintf(`
provider "auth0entra" {
  auth0 {
    domain        = %q
    client_id     = %q
    client_secret = %q
  }
  entra {
    tenant_id      = %q
    client_id      = %q
    client_secret  = %q
    authority_host = %q
    graph_url      = %q
  }
}
`, sb.Auth0Domain, sb.Auth0ClientID, sb.Auth0ClientSecret,
		sb.EntraTenantID, sb.EntraClientID, sb.EntraClientSecret, sb.EntraURL+"/", sb.EntraURL+"/v1.0")
}

// Config joins the provider block for sb with the given HCL fragments.
func Config(sb *sandbox.Sandbox, hcl ...string) string {
	return ProviderConfig(sb) + strings.Join(hcl, "\n")
}

// PreCheck fails the test at once, listing what is missing, when the tenants target lacks a variable. On the
// sandbox target acceptance tests need only TF_ACC=1 and a Terraform CLI, which resource.Test checks.
func PreCheck(t testing.TB) {
	t.Helper()
	if OnTenants() {
		if missing := MissingTenantVariables(); len(missing) > 0 {
			t.Fatal(missingMessage(missing))
		}
	}
}
