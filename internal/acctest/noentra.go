package acctest

import (
	"os"
	"strings"
	"testing"
)

// WithoutEntraEnvironment empties, for the rest of the test, every variable the provider could configure Microsoft
// Entra from (ARM_*, AZURE_AUTHORITY_HOST, AZURE_FEDERATED_TOKEN_FILE; the provider treats an empty variable as
// unset), so that a test of a provider without Entra configuration runs on tenants too, where the environment
// configures both clouds. Call it after NewTarget, which reads that environment. Like t.Setenv, it cannot be used
// in a parallel test.
func WithoutEntraEnvironment(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ARM_") || k == "AZURE_AUTHORITY_HOST" || k == "AZURE_FEDERATED_TOKEN_FILE" {
			t.Setenv(k, "")
		}
	}
}
