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
	// Headers: a bucket of 10 → just under 10 per second.
	p.Observe(10, 7, now.Add(time.Second))
	if got := float64(p.lim.Limit()); got != 9 {
		t.Fatalf("pace after the headers: %v, want 9", got)
	}
	if !p.gate.IsZero() {
		t.Fatal("a bucket with tokens left must not close the gate")
	}
	// An empty bucket closes the gate for one token's time (a tenth of a second at 10 per second), or until the reset
	// if that comes first.
	p.Observe(10, 0, now.Add(2*time.Second))
	if !p.gate.Equal(now.Add(100 * time.Millisecond)) {
		t.Fatalf("gate %v, want now+100ms", p.gate)
	}
	// A 429 halves the pace and holds requests for the Retry-After.
	p.Throttled(5 * time.Second)
	if got := float64(p.lim.Limit()); got != 4.5 {
		t.Fatalf("pace after a 429: %v, want 4.5", got)
	}
	if !p.gate.Equal(now.Add(5 * time.Second)) {
		t.Fatalf("gate %v, want now+5s", p.gate)
	}
	// More 429s of the same episode (requests that were in flight) do not halve it again.
	p.Throttled(5 * time.Second)
	if got := float64(p.lim.Limit()); got != 4.5 {
		t.Fatalf("pace after a second 429 of the same episode: %v, want 4.5", got)
	}
	// Answers without a 429 raise it by a twentieth of the ceiling, never past it.
	p.Observe(0, 0, time.Time{})
	if got := float64(p.lim.Limit()); math.Abs(got-4.95) > 1e-9 {
		t.Fatalf("pace after a good answer: %v, want 4.95", got)
	}
	for range 100 {
		p.Observe(0, 0, time.Time{})
	}
	if got := float64(p.lim.Limit()); got != 9 {
		t.Fatalf("pace never passes the ceiling: %v", got)
	}
	if _, n := p.Stats(); n != 2 {
		t.Fatalf("Stats: %d 429s, want 2", n)
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
