package scimconnection

import (
	"fmt"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// BenchmarkDesiredMapping measures merging overrides over a default mapping, done at every plan.
func BenchmarkDesiredMapping(b *testing.B) {
	defaults := make([]auth0client.SCIMMapping, 30)
	for i := range defaults {
		defaults[i] = auth0client.SCIMMapping{SCIM: fmt.Sprintf("attr%d", i), Auth0: fmt.Sprintf("app_metadata.a%d", i)}
	}
	rows := []auth0client.SCIMMapping{{SCIM: "attr3", Auth0: "app_metadata.x"}, {SCIM: "extra", Auth0: "app_metadata.extra"}}
	b.ReportAllocs()
	for b.Loop() {
		if got := desiredMapping(defaults, rows, []string{"attr29"}); len(got) != 30 {
			b.Fatalf("len %d", len(got))
		}
	}
}
