// Package pacing holds the client-side rate limiter the provider shares, per cloud, across every resource and data
// source of one provider process: requests wait their turn instead of learning the tenant's limit from 429s.
//
// A Pacer starts unlimited, except that the first request of the process goes alone: the others wait for its
// answer (Answered), which tells the limit, instead of all arriving in one burst. It adapts to what the cloud says:
//   - Auth0 sends x-ratelimit-limit/-remaining/-reset on every Management API answer (auth0-management-api.md §7.1,
//     §7.4): Observe sets the pace from the limit per second and what is left in the bucket. While at least half of
//     the bucket is left, the pace is the limit less margin (a fifth of a request per second): the bucket refills a
//     little faster than the requests take from it, so it stays nearly full and absorbs the jitter of the answers
//     (at 16 per second that is 98.75% of the limit; a bucket of 2, too small to absorb much, gets 90%). As the
//     bucket drains (other clients of the tenant, clock skew), the pace falls in proportion, down to minShare of the
//     limit when it is empty (buckets of 4 and more), so that requests and refill balance with part of the bucket
//     left; an empty bucket also holds every request back for one token's time;
//   - Graph sends nothing until it throttles (microsoft-graph.md §7.2): Throttled holds every request back for the
//     Retry-After and halves the pace (from the rate actually sent when there was none); each answer that is not a
//     429 then raises it a little again (additive increase, multiplicative decrease), up to the ceiling the headers
//     gave or, without headers, to 90% of the pace that was throttled, above which it probes by a thousandth per
//     answer.
//
// The waits are bounded by the request's context, and logged with tflog when they are long.
package pacing

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/time/rate"
)

// headroom is the share of a pace that was throttled (without rate-limit headers) that the pacer climbs back to.
const headroom = 0.9

// minShare is the share of the advertised limit the pacer uses when the bucket is reported empty; while at least
// half of the bucket is left it uses the limit less margin requests per second (Observe).
// Below a bucket of minProportional, the pace does not follow what is left (the headers count whole tokens).
const (
	minShare        = 0.8
	margin          = 0.2
	minProportional = 4
)

// minRate is the slowest pace after repeated throttling, in requests per second.
const minRate = 0.2

// Pacer is one cloud's shared limiter. The zero value is not usable; call New.
type Pacer struct {
	name string
	lim  *rate.Limiter
	now  func() time.Time

	probing   atomic.Bool   // a first request is out
	ready     chan struct{} // closed once the first answer (or failure) came back
	readyOnce sync.Once

	mu      sync.Mutex
	gate    time.Time   // no request starts before this
	ceiling float64     // from the headers, or learned from 429s; 0 when unknown
	learned float64     // the ceiling learned from 429s when no headers told it; 0 when none
	recent  []time.Time // request starts within the last second, to know the pace sent
	waited  time.Duration
	n429    int
	slowed  bool // the pace was halved for the current hold (gate)
}

// New returns an unlimited pacer; name ("Auth0", "Microsoft Graph") is for the logs.
func New(name string) *Pacer {
	return &Pacer{name: name, lim: rate.NewLimiter(rate.Inf, 1), now: time.Now, ready: make(chan struct{})}
}

// Answered records that a request of this pacer came back (with an answer or an error): the first one lets the
// requests that waited for it go.
func (p *Pacer) Answered() { p.readyOnce.Do(func() { close(p.ready) }) }

// Wait blocks until the request may be sent, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	start := p.now()
	select {
	case <-p.ready:
	default:
		if p.probing.CompareAndSwap(false, true) {
			// This request goes first, alone. Should it not be sent after all, the others must not wait for it.
			err := p.paced(ctx, start)
			if err != nil {
				p.Answered()
			}
			return err
		}
		select {
		case <-p.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return p.paced(ctx, start)
}

// paced waits for the gate and the limiter.
func (p *Pacer) paced(ctx context.Context, start time.Time) error {
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	if d := gate.Sub(start); d > 0 {
		if d > time.Second {
			tflog.Info(ctx, "Pacing requests: the tenant's rate limit is used up; waiting for it to reset", map[string]any{"cloud": p.name, "wait": d.Round(time.Millisecond).String()})
		}
		if err := Sleep(ctx, d); err != nil {
			return err
		}
	}
	if err := p.lim.Wait(ctx); err != nil {
		return err
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waited += now.Sub(start)
	cut := now.Add(-time.Second)
	i := 0
	for i < len(p.recent) && p.recent[i].Before(cut) {
		i++
	}
	p.recent = append(p.recent[i:], now)
	return nil
}

// Observe adapts to the rate-limit headers of one answer: limit is the bucket size (0: no headers), remaining what
// is left of it, reset when it is full again.
func (p *Pacer) Observe(limit, remaining int, reset time.Time) {
	if limit <= 0 {
		p.raise()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// The pace the bucket allows now: just under the limit while half of the bucket or more is left, less as it
	// drains.
	left := math.Min(1, math.Max(0, float64(remaining))/(float64(limit)/2))
	if limit < minProportional {
		// A bucket this small reads 0 whenever less than one whole token is left, which jitter alone causes: the
		// reading says nothing about a trend. The margin and the hold on an empty bucket (below) are enough.
		left = 1
	}
	ceiling := math.Min(float64(limit)-margin, float64(limit)*(minShare+(1-minShare)*left))
	if p.lim.Limit() == rate.Inf || ceiling < float64(p.lim.Limit()) {
		// First sight of the limit, or less left than the pace needs: slow down at once. Faster again comes
		// step by step (raiseLocked), so that a pace halved by a 429 recovers gradually.
		p.lim.SetLimit(rate.Limit(ceiling))
		p.lim.SetBurst(1)
	}
	p.ceiling = ceiling
	if remaining <= 0 {
		// The bucket is empty: hold every request back until one token is back, which at the advertised rate takes
		// 1/limit seconds (the reset is when the whole bucket is full again, in whole seconds: too late).
		until := p.now().Add(time.Duration(float64(time.Second) / float64(limit)))
		if !reset.IsZero() && reset.Before(until) {
			until = reset
		}
		if until.After(p.gate) {
			p.gate = until
		}
	}
	p.raiseLocked()
}

// Throttled records a 429: every request waits retryAfter, and the pace is halved.
func (p *Pacer) Throttled(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n429++
	now := p.now()
	held := now.Before(p.gate) && p.slowed
	if until := now.Add(retryAfter); until.After(p.gate) {
		p.gate = until
	}
	if held {
		// Requests sent before the first 429 of this episode come back 429 too: the pace is halved once per
		// episode, not once per answer.
		return
	}
	p.slowed = true
	cur := float64(p.lim.Limit())
	if p.lim.Limit() == rate.Inf || cur <= 0 {
		cur = float64(max(len(p.recent), 1))
	}
	if p.ceiling == 0 || p.learned > 0 {
		// No headers ever told the limit (Graph): the pace that was throttled is above it. The pace climbs back to
		// just under that, not past it, so that 429s get rarer episode after episode instead of coming back every
		// few answers.
		p.learned = math.Max(minRate, headroom*cur)
		p.ceiling = p.learned
	}
	p.lim.SetLimit(rate.Limit(math.Max(minRate, cur/2)))
	p.lim.SetBurst(1)
}

func (p *Pacer) raise() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.raiseLocked()
}

// raiseLocked is the additive increase after an answer that was not a 429: a twentieth of the ceiling (or 0.25 rps
// without one), up to the ceiling; an unlimited pacer stays unlimited.
func (p *Pacer) raiseLocked() {
	if p.lim.Limit() == rate.Inf {
		return
	}
	cur := float64(p.lim.Limit())
	step := 0.25
	if p.ceiling > 0 {
		step = p.ceiling / 20
	}
	if p.learned > 0 && cur >= p.ceiling {
		// At a ceiling learned from 429s: probe above it, a thousandth per answer, so that a ceiling learned from a
		// 429 that other clients of the application caused does not hold the pace down for the whole run.
		p.learned *= 1.001
		p.ceiling = p.learned
	}
	next := cur + step
	if p.ceiling > 0 {
		next = math.Min(next, p.ceiling)
	}
	p.lim.SetLimit(rate.Limit(next))
}

// Stats reports how long requests waited in total and how many 429s were seen.
func (p *Pacer) Stats() (waited time.Duration, throttled int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waited, p.n429
}

// Sleep waits for d, or until ctx ends, whichever comes first, and returns ctx's error in the second case. Every
// wait of the provider (a retry's backoff, a poll's interval, the pacer's gate) goes through it: nothing sleeps past
// its operation's deadline.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
