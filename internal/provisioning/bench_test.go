package provisioning

import (
	"os"
	"testing"
)

// BenchmarkParseResult measures decoding Graph's doubly-encoded provisionOnDemand report.
func BenchmarkParseResult(b *testing.B) {
	raw, err := os.ReadFile("testdata/ondemand-skipped.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResult(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseJobStatus measures decoding a synchronizationJob, done on every plan that reads a job.
func BenchmarkParseJobStatus(b *testing.B) {
	raw, err := os.ReadFile("testdata/job-quarantined.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJobStatus(raw); err != nil {
			b.Fatal(err)
		}
	}
}
