package inflight

import (
	"context"
	"testing"
)

func TestWaitForTheWritesThatTouch(t *testing.T) {
	var w Writes
	if err := w.Wait(context.Background(), func(string) bool { return true }); err != nil {
		t.Fatalf("a read with no write in flight waited: %v", err)
	}
	w.Begin("a")
	w.Begin("b")
	isA := func(k string) bool { return k == "a" }
	if err := w.Wait(context.Background(), func(k string) bool { return k == "c" }); err != nil {
		t.Fatalf("a read no write touches waited: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Wait(ctx, isA); err == nil {
		t.Fatal("a read went ahead while a write that touches it was in flight")
	}
	done := make(chan error, 1)
	go func() { done <- w.Wait(context.Background(), isA) }()
	w.End("b")
	w.End("a")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := w.Wait(ctx, isA); err != nil {
		t.Fatalf("a read waited after every write ended: %v", err)
	}
}
