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

// Main is the TestMain of every package with acceptance tests. It creates the process's sandbox CA and points
// SSL_CERT_FILE at it before anything loads the system certificate pool (Go reads it once per process).
func Main(m *testing.M) {
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
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// Sandbox starts a seeded sandbox for the test and stops it when the test ends. The sandbox shares the process CA.
func Sandbox(t testing.TB) *sandbox.Sandbox {
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

// PreCheck skips nothing: acceptance tests need only TF_ACC=1 and a Terraform CLI, which resource.Test checks.
func PreCheck(t testing.TB) { t.Helper() }
