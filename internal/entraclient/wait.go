package entraclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/pacing"
)

// Replication-tolerant calls. Entra is eventually consistent: an object created a moment ago can answer 404, an
// assignment to a new service principal can answer 400 "Not a valid reference update", and synchronization calls on a
// new service principal can answer 409 or 403 for a while (microsoft-graph.md §3.4, §4; azuread retries the same
// answers).
// These helpers poll with a deadline — the operation's own, further bounded by Client.ReplicationTimeout — and log
// each wait with tflog. Nothing here sleeps a fixed time: every wait also ends when the context does.

// retryable decides whether a failed attempt is worth repeating.
type retryable func(err error, elapsed time.Duration) bool

// whileNotFound retries 404s.
func whileNotFound(err error, _ time.Duration) bool { return IsNotFound(err) }

// whileReplicatingReference retries 404s and 400 "Not a valid reference update" (app role assignments).
func whileReplicatingReference(err error, _ time.Duration) bool {
	return IsNotFound(err) || isNotValidReference(err)
}

// whileSyncReplicating retries 404 and 409 on synchronization calls, and 403 for forbiddenGrace: past that a 403 is
// a missing permission (Synchronization.ReadWrite.All), reported at once.
func whileSyncReplicating(err error, elapsed time.Duration) bool {
	switch StatusCode(err) {
	case http.StatusNotFound, http.StatusConflict:
		return true
	case http.StatusForbidden:
		return elapsed < forbiddenGrace
	}
	return false
}

// retry calls fn until it succeeds, fails with an error retry does not accept, or the wait's deadline passes; then it
// returns fn's last error, saying how long it waited.
func (c *Client) retry(ctx context.Context, what string, ok retryable, fn func(ctx context.Context) error) error {
	start := time.Now()
	wctx, cancel := c.waitContext(ctx)
	defer cancel()
	interval := c.pollMin()
	ctx = Fresh(ctx) // each attempt must see Graph's current answer, not this run's cached one
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			if attempt > 1 {
				tflog.Info(ctx, "Entra caught up", map[string]any{"operation": what, "attempts": attempt, "waited": time.Since(start).Round(time.Millisecond).String()})
			}
			return nil
		}
		elapsed := time.Since(start)
		if !ok(err, elapsed) {
			return err
		}
		tflog.Info(ctx, "Entra is still replicating; retrying", map[string]any{
			"operation": what, "attempt": attempt, "status": StatusCode(err), "error": errorSummary(err),
			"waited": elapsed.Round(time.Millisecond).String(), "next_in": interval.String(),
		})
		if !sleep(wctx, interval) {
			if ctx.Err() != nil {
				return gaveUp(what, elapsed, err, "the operation's time ran out; raise the resource's timeouts if Entra is slow")
			}
			return gaveUp(what, elapsed, err, fmt.Sprintf("waited for Entra replication for %s", c.replicationTimeout()))
		}
		interval = c.next(interval)
	}
}

// waitUntil polls check until it reports done, returns an error, or the wait's deadline passes.
func (c *Client) waitUntil(ctx context.Context, what string, check func(ctx context.Context) (bool, error)) error {
	return c.waitUntilWithin(ctx, what, c.replicationTimeout(), check)
}

// waitUntilWithin is waitUntil bounded by within (and ctx's own deadline) instead of the replication timeout. When
// the time is up it returns an *Error with StatusCode 0.
func (c *Client) waitUntilWithin(ctx context.Context, what string, within time.Duration, check func(ctx context.Context) (bool, error)) error {
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	interval := c.pollMin()
	ctx = Fresh(ctx) // each poll must see Graph's current answer, not this run's cached one
	for attempt := 1; ; attempt++ {
		done, err := check(ctx)
		if err != nil {
			return err
		}
		if done {
			if attempt > 1 {
				tflog.Info(ctx, "Entra caught up", map[string]any{"operation": what, "attempts": attempt, "waited": time.Since(start).Round(time.Millisecond).String()})
			}
			return nil
		}
		tflog.Info(ctx, "Waiting for Entra", map[string]any{
			"operation": what, "attempt": attempt, "waited": time.Since(start).Round(time.Millisecond).String(), "next_in": interval.String(),
		})
		if !sleep(wctx, interval) {
			return &Error{Op: what, Message: fmt.Sprintf("Entra had not caught up after %s; raise the resource's timeouts if Entra is slow", time.Since(start).Round(time.Second))}
		}
		interval = c.next(interval)
	}
}

// WaitUntil polls check until it reports done, returns an error, or the wait's deadline passes (the context's, bounded
// by ReplicationTimeout). Each wait is logged.
func (c *Client) WaitUntil(ctx context.Context, what string, check func(ctx context.Context) (bool, error)) error {
	return c.waitUntil(ctx, what, check)
}

// waitContext bounds a wait by the replication timeout inside ctx's own deadline.
func (c *Client) waitContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.replicationTimeout())
}

func (c *Client) replicationTimeout() time.Duration {
	if c.ReplicationTimeout > 0 {
		return c.ReplicationTimeout
	}
	return DefaultReplicationTimeout
}

func (c *Client) instantiateLookupTimeout() time.Duration {
	if c.InstantiateLookupTimeout > 0 {
		return min(c.InstantiateLookupTimeout, c.replicationTimeout())
	}
	return min(DefaultInstantiateLookupTimeout, c.replicationTimeout())
}

func (c *Client) pollMin() time.Duration {
	if c.PollMin > 0 {
		return c.PollMin
	}
	return defaultPollMin
}

func (c *Client) next(d time.Duration) time.Duration {
	ceiling := c.PollMax
	if ceiling <= 0 {
		ceiling = defaultPollMax
	}
	return min(d+d/2, ceiling)
}

// sleep waits for d or until ctx ends; it reports whether the full d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		// Waking up after the deadline would be useless; wait until it, then report the end.
		_ = pacing.Sleep(ctx, max(time.Until(dl), 0))
		return false
	}
	return pacing.Sleep(ctx, d) == nil
}

func gaveUp(what string, waited time.Duration, last error, why string) error {
	e := AsError(last)
	if e == nil {
		return fmt.Errorf("%s: %s (after %s): %w", what, why, waited.Round(time.Second), last)
	}
	out := *e
	out.Message = fmt.Sprintf("%s; %s (after %s)", e.Message, why, waited.Round(time.Second))
	return &out
}

// errorSummary is a short, secret-free description of err for logs.
func errorSummary(err error) string {
	if e := AsError(err); e != nil {
		if e.Code != "" {
			return e.Code + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}
