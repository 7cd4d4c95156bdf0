package entraclient

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// pipeline stands for the rest of the Graph middleware chain: it counts the requests that reach it and holds each
// GET until release is closed, so that concurrent reads really overlap.
type pipeline struct {
	sent    atomic.Int64
	arrived chan struct{}
	release chan struct{}
	status  int
}

func (p *pipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	p.sent.Add(1)
	if req.Method == http.MethodGet {
		p.arrived <- struct{}{}
		<-p.release
	}
	return &http.Response{StatusCode: p.status, Body: io.NopCloser(strings.NewReader(`{"id":"x"}`)), Header: http.Header{}}, nil
}

func get(t *testing.T, ctx context.Context) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://graph.example/v1.0/servicePrincipals/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Concurrent identical reads are one request when it answers 200; each sends its own when it does not.
func TestReadCacheCoalescesConcurrentReads(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   int64
	}{{http.StatusOK, 1}, {http.StatusNotFound, 4}} {
		rc := &readCache{graphHost: "graph.example"}
		p := &pipeline{arrived: make(chan struct{}, 8), release: make(chan struct{}), status: tc.status}
		var wg sync.WaitGroup
		codes := make(chan int, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := rc.Intercept(p, 0, get(t, context.Background()))
				if err != nil {
					t.Error(err)
					return
				}
				codes <- resp.StatusCode
			}()
		}
		<-p.arrived // the first GET is out; the others join it or wait for their own
		close(p.release)
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != tc.status {
				t.Errorf("status %d, want %d", c, tc.status)
			}
		}
		if got := p.sent.Load(); got != tc.want {
			t.Errorf("%d: %d requests sent, want %d", tc.status, got, tc.want)
		}
		// A fresh read always goes out.
		before := p.sent.Load()
		if _, err := rc.Intercept(p, 0, get(t, Fresh(context.Background()))); err != nil {
			t.Fatal(err)
		}
		if p.sent.Load() != before+1 {
			t.Error("a Fresh read was answered from the cache")
		}
	}
}

// writePipeline holds each write until release is closed and records the order in which requests reach it.
type writePipeline struct {
	mu      sync.Mutex
	order   []string
	arrived chan struct{}
	release chan struct{}
}

func (p *writePipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	p.mu.Lock()
	p.order = append(p.order, req.Method)
	p.mu.Unlock()
	if req.Method != http.MethodGet {
		p.arrived <- struct{}{}
		<-p.release
		p.mu.Lock()
		p.order = append(p.order, req.Method+" done")
		p.mu.Unlock()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(`{"id":"x"}`)), Header: http.Header{}}, nil
}

// A read that starts while a write of the same process to the same object is in flight waits for it (or for its own
// context), so that it sees the state after the write and a command's request count does not depend on timing; a read
// of another object does not wait.
func TestReadCacheReadsWaitForWrites(t *testing.T) {
	rc := &readCache{graphHost: "graph.example"}
	p := &writePipeline{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	put, err := http.NewRequest(http.MethodPut, "https://graph.example/v1.0/servicePrincipals/x/synchronization/jobs/j/schema", nil)
	if err != nil {
		t.Fatal(err)
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := rc.Intercept(p, 0, put)
		wrote <- err
	}()
	<-p.arrived

	// A read whose context ends while the write is still out gives up without being sent.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rc.Intercept(p, 0, get(t, ctx)); err == nil {
		t.Fatal("a read during a write was sent instead of waiting for the write")
	}

	// A read of another object does not wait.
	other, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://graph.example/v1.0/servicePrincipals/y", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Intercept(p, 0, other); err != nil {
		t.Fatalf("a read of another service principal waited for the write: %v", err)
	}

	read := make(chan error, 1)
	go func() {
		_, err := rc.Intercept(p, 0, get(t, context.Background()))
		read <- err
	}()
	close(p.release)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if got := strings.Join(p.order, ","); got != "PUT,GET,PUT done,GET" {
		t.Errorf("requests reached Graph in the order %s, want the other object's read during the write and the same object's read after it: PUT,GET,PUT done,GET", got)
	}
}
