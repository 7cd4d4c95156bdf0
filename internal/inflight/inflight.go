// Package inflight tracks the writes a provider process has in flight, so that a read of what one of them may change
// waits for it to end. Both API clients' read caches use it (auth0client/cache.go, entraclient/cache.go): a read that
// raced a write would see the state before or after it depending on timing, and the number of requests a command
// sends would change from run to run (the request budgets in internal/budget count them).
package inflight

import (
	"context"
	"slices"
	"sync"
)

// Writes is the set of writes in flight, by key (what each cache says a write touches). The zero value is ready.
type Writes struct {
	mu   sync.Mutex
	keys []string
	// changed is closed, and replaced, whenever a write ends.
	changed chan struct{}
}

// Begin records a write to key as in flight; call End with the same key once it is over, whatever its outcome.
func (w *Writes) Begin(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.changed == nil {
		w.changed = make(chan struct{})
	}
	w.keys = append(w.keys, key)
}

// End records the end of a write begun with Begin and wakes the reads waiting for it.
func (w *Writes) End(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i := slices.Index(w.keys, key); i >= 0 {
		w.keys = slices.Delete(w.keys, i, i+1)
	}
	if w.changed != nil {
		close(w.changed)
	}
	w.changed = make(chan struct{})
}

// Wait returns once no write in flight may change a read: none for which touches(key) is true. It returns ctx's
// error when ctx ends first.
func (w *Writes) Wait(ctx context.Context, touches func(key string) bool) error {
	for {
		w.mu.Lock()
		changed := w.changed
		busy := slices.ContainsFunc(w.keys, touches)
		w.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
