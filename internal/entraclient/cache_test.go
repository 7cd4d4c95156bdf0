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
