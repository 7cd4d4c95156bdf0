package pacing

import (
	"context"
	"math"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestPacerAdapts(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := New("test")
	p.now = func() time.Time { return now }
	if p.lim.Limit() != rate.Inf {
		t.Fatal("a new pacer must not hold requests back")
	}
	// Headers: a bucket of 10 with more than half left → a fifth of a request per second under the rate the bucket
	// refills at.
	p.Observe(10, 7, now.Add(time.Second))
	if got := float64(p.lim.Limit()); got != 9.8 {
		t.Fatalf("pace after the headers: %v, want 9.8", got)
	}
	if !p.gate.IsZero() {
		t.Fatal("a bucket with tokens left must not close the gate")
	}
	// Less than half left: slower at once, in proportion (a quarter of the bucket left → 90%).
	p.Observe(10, 2, now.Add(time.Second))
	if got := float64(p.lim.Limit()); math.Abs(got-8.8) > 1e-9 {
		t.Fatalf("pace with 2 of 10 left: %v, want 8.8", got)
	}
	// An empty bucket: minShare of the limit, and the gate closes for one token's time (a tenth of a second at 10
	// per second), or until the reset if that comes first.
	p.Observe(10, 0, now.Add(2*time.Second))
	if got := float64(p.lim.Limit()); got != 8 {
		t.Fatalf("pace with the bucket empty: %v, want 8", got)
	}
	if !p.gate.Equal(now.Add(100 * time.Millisecond)) {
		t.Fatalf("gate %v, want now+100ms", p.gate)
	}
	// A 429 halves the pace and holds requests for the Retry-After.
	p.Throttled(5 * time.Second)
	if got := float64(p.lim.Limit()); got != 4 {
		t.Fatalf("pace after a 429: %v, want 4", got)
	}
	if !p.gate.Equal(now.Add(5 * time.Second)) {
		t.Fatalf("gate %v, want now+5s", p.gate)
	}
	// More 429s of the same episode (requests that were in flight) do not halve it again.
	p.Throttled(5 * time.Second)
	if got := float64(p.lim.Limit()); got != 4 {
		t.Fatalf("pace after a second 429 of the same episode: %v, want 4", got)
	}
	// Answers without a 429 raise it by a twentieth of the ceiling, never past it.
	p.Observe(0, 0, time.Time{})
	if got := float64(p.lim.Limit()); math.Abs(got-4.4) > 1e-9 {
		t.Fatalf("pace after a good answer: %v, want 4.4", got)
	}
	for range 100 {
		p.Observe(0, 0, time.Time{})
	}
	if got := float64(p.lim.Limit()); got != 8 {
		t.Fatalf("pace never passes the ceiling: %v", got)
	}
	// The bucket full again: back up to the limit, step by step.
	for range 100 {
		p.Observe(10, 10, now.Add(time.Second))
	}
	if got := float64(p.lim.Limit()); got != 9.8 {
		t.Fatalf("pace with the bucket full again: %v, want 9.8", got)
	}
	if _, n := p.Stats(); n != 2 {
		t.Fatalf("Stats: %d 429s, want 2", n)
	}
}

func TestPacerSmallBucket(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := New("free tenant")
	p.now = func() time.Time { return now }
	// A bucket of 2: 1.8 per second, whatever whole tokens the headers count, and an empty bucket holds requests
	// back for one token's time without slowing the pace.
	p.Observe(2, 1, now.Add(time.Second))
	p.Observe(2, 0, now.Add(time.Second))
	if got := float64(p.lim.Limit()); math.Abs(got-1.8) > 1e-9 {
		t.Fatalf("pace with a bucket of 2: %v, want 1.8", got)
	}
	if !p.gate.Equal(now.Add(500 * time.Millisecond)) {
		t.Fatalf("gate %v, want now+500ms", p.gate)
	}
}

func TestPacerWithoutHeaders(t *testing.T) {
	p := New("graph")
	p.Answered()
	for range 4 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Graph throttles without having said anything: the pace becomes half of what was sent in the last second.
	p.Throttled(0)
	if got := float64(p.lim.Limit()); got != 2 {
		t.Fatalf("pace after the first 429: %v, want 2 (half of the 4 requests sent)", got)
	}
	// Good answers raise it again, up to 90% of the pace that was throttled (4 per second), not past it.
	for range 100 {
		p.Observe(0, 0, time.Time{})
	}
	if got := float64(p.lim.Limit()); got < 3.6 || got >= 4 {
		t.Fatalf("pace after good answers: %v, want 90%% of the 4 per second that were throttled, probing a little above", got)
	}
	// A later 429 lowers that ceiling again, to 90% of the pace throttled then.
	p.gate = time.Time{}
	p.slowed = false
	throttledAt := float64(p.lim.Limit())
	p.Throttled(0)
	if got := p.learned; math.Abs(got-0.9*throttledAt) > 1e-9 {
		t.Fatalf("ceiling after a second 429: %v, want %v", got, 0.9*throttledAt)
	}
	for range 100 {
		p.Observe(0, 0, time.Time{})
	}
	if got := float64(p.lim.Limit()); got >= throttledAt {
		t.Fatalf("pace after a second episode: %v, want under the %v that was throttled", got, throttledAt)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Throttled(time.Hour)
	if err := p.Wait(ctx); err == nil {
		t.Fatal("a wait must end with its context")
	}
}

func TestPacerFirstRequestGoesAlone(t *testing.T) {
	p := New("first")
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A second request waits for the first answer; with a context that has ended it gives up at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); err == nil {
		t.Fatal("a second request went before the first answer")
	}
	p.Answered()
	if err := p.Wait(context.Background()); err != nil {
		t.Fatalf("after the first answer: %v", err)
	}
}
