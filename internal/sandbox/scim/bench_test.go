package scim

import (
	"fmt"
	"testing"
)

// BenchmarkParseFilter measures parsing the filters Entra sends while matching (matching precedence order).
func BenchmarkParseFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFilter(`emails[type eq "work"].value eq "alice@corp.example" or externalId eq "59e40877-d7bf-4e8e-8f87-ca84044d12e5"`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFilterMatch10k measures one search over a 10,000-user connection, the cost of every matching step of a
// provisioning cycle in the sandbox.
func BenchmarkFilterMatch10k(b *testing.B) {
	f, err := ParseFilter(`emails[type eq "work"].value eq "user9999@corp.example"`)
	if err != nil {
		b.Fatal(err)
	}
	users := make([]map[string]any, 10000)
	for i := range users {
		users[i] = map[string]any{
			"userName": fmt.Sprintf("user%d@corp.example", i),
			"emails":   []any{map[string]any{"type": "work", "value": fmt.Sprintf("user%d@corp.example", i), "primary": true}},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, u := range users {
			if f.Match(u) {
				n++
			}
		}
		if n != 1 {
			b.Fatalf("matched %d", n)
		}
	}
}
