package acctest

import (
	"os"
	"strings"
	"testing"
)

// TestMissingTenantVariablesListsEverything: on tenants with nothing set, the message names every variable needed.
func TestMissingTenantVariablesListsEverything(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AUTH0") || strings.HasPrefix(k, "ARM_") || strings.HasPrefix(k, "ACTIONS_") || strings.HasPrefix(k, "AZURE_") {
			t.Setenv(k, "")
		}
	}
	t.Setenv(EnvTarget, TargetTenants)
	msg := missingMessage(MissingTenantVariables())
	for _, want := range append([]string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"}, FixtureVariables...) {
		if !strings.Contains(msg, want) {
			t.Errorf("the message does not name %s: %s", want, msg)
		}
	}

	t.Setenv("AUTH0_DOMAIN", "acme.eu.auth0.com")
	t.Setenv("AUTH0_CLIENT_ID", "cid")
	t.Setenv("AUTH0_CLIENT_SECRET", "secret")
	t.Setenv("ARM_TENANT_ID", "00000000-0000-0000-0000-000000000001")
	t.Setenv("ARM_CLIENT_ID", "cid")
	t.Setenv("ARM_CLIENT_SECRET", "secret")
	for _, k := range FixtureVariables {
		t.Setenv(k, "x")
	}
	if missing := MissingTenantVariables(); len(missing) != 0 {
		t.Errorf("all set, still missing: %v", missing)
	}
	t.Setenv(EnvGroupID, "")
	if missing := MissingTenantVariables(); len(missing) != 1 || missing[0] != EnvGroupID {
		t.Errorf("missing %v, want only %s", missing, EnvGroupID)
	}
}
