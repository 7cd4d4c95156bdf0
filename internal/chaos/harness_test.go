package chaos_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/acctest/proc"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

func terraformPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform CLI not on PATH")
	}
	return p
}

// run is one sandbox and one working directory holding a copy of examples/complete.
type run struct {
	t   *testing.T
	sb  *sandbox.Sandbox
	dir string
	env []string
	tf  string

	entraHTTP *http.Client
	baseline  entraCounts
}

func newRun(t *testing.T) *run {
	t.Helper()
	binDir, err := acctest.ProviderBinaryDir() // ACC_PROVIDER_BIN: a binary built already
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := sb.CA.WriteFiles(caFile, ""); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(acctest.ModuleRoot(), "examples", "complete")
	files, _ := filepath.Glob(filepath.Join(src, "*.tf"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vars := fmt.Sprintf("connection_id = %q\noidc_app_client_id = %q\nengineering_group_id = %q\n",
		sb.Seed.ConnectionID, sb.Seed.OIDCAppID, sb.Seed.GroupID)
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"auth0entra/auth0entra\" = %q\n  }\n  direct {}\n}\n", binDir)
	for name, body := range map[string]string{"terraform.tfvars": vars, "cli.tfrc": cli} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := os.Environ()
	for k, v := range sb.Env(caFile) {
		env = append(env, k+"="+v)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=")

	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(caFile)
	pool.AppendCertsFromPEM(pem)
	r := &run{t: t, sb: sb, dir: dir, env: env, tf: terraformPath(t),
		entraHTTP: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	r.baseline = r.entraObjects()
	return r
}

// start starts one terraform command; the caller waits for it.
func (r *run) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(r.tf, append(args, "-no-color", "-input=false")...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return cmd, out
}

// terraform runs one terraform command to its end and returns its output and exit code.
func (r *run) terraform(args ...string) (string, int) {
	cmd, out := r.start(args...)
	err := cmd.Wait()
	if err != nil && cmd.ProcessState == nil {
		r.t.Fatal(err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// onRequest installs h on both clouds: it sees every carried-out request, numbered across both, before its answer
// leaves the sandbox. nil removes it.
func (r *run) onRequest(h func(n int, cloud string, req router.Request)) {
	if h == nil {
		r.sb.Auth0.Router().SetHook(nil)
		r.sb.Entra.Router().SetHook(nil)
		return
	}
	var n atomic.Int64
	var mu sync.Mutex // one request at a time through h, so that n is the order h sees
	for cloud, rt := range map[string]*router.Router{"auth0": r.sb.Auth0.Router(), "entra": r.sb.Entra.Router()} {
		rt.SetHook(func(_ int, req router.Request) {
			mu.Lock()
			defer mu.Unlock()
			h(int(n.Add(1)), cloud, req)
		})
	}
}

// killTarget kills the terraform process itself or the provider process it started, and returns the provider's
// pid (0 when none was running).
func killTarget(cmd *exec.Cmd, target string) int {
	pid := cmd.Process.Pid
	provider := providerChild(pid)
	if target == "provider" && provider != 0 {
		pid = provider
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return provider
}

// outlives reports whether the provider process pid is still running (not merely unreaped) 2 seconds after its
// terraform was killed at killed, and ends it (it is this test's own grandchild) so that it cannot disturb the next
// commands. When it did outlive, it also says what /proc showed of it.
func outlives(t *testing.T, pid int, killed time.Time) bool {
	if pid == 0 {
		return false
	}
	for proc.Running(pid) {
		if time.Since(killed) > 2*time.Second {
			t.Logf("provider %d still running %s after terraform was killed (%s)", pid, time.Since(killed).Round(time.Millisecond), proc.State(pid))
			_ = syscall.Kill(pid, syscall.SIGKILL)
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// providerChild finds the provider process among parent's children (Linux /proc).
func providerChild(parent int) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		lp, rp := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if lp < 0 || rp < lp {
			continue
		}
		comm := s[lp+1 : rp]
		fields := strings.Fields(s[rp+1:])
		if len(fields) < 2 || !strings.HasPrefix(comm, "terraform-provi") {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid == parent {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			return pid
		}
	}
	return 0
}

// Counts of what the provider creates, per cloud.
type auth0Counts struct{ configs, tokens int }
type entraCounts struct{ apps, servicePrincipals int }

func (r *run) auth0Objects() auth0Counts {
	var c auth0Counts
	if _, ok := r.sb.Auth0.SCIMConfiguration(r.sb.Seed.ConnectionID); ok {
		c.configs = 1
	}
	c.tokens = len(r.sb.Auth0.SCIMTokens(r.sb.Seed.ConnectionID))
	return c
}

// entraObjects lists applications and service principals through the sandbox's Graph API.
func (r *run) entraObjects() entraCounts {
	r.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {r.sb.EntraClientID},
		"client_secret": {r.sb.EntraClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := r.entraHTTP.PostForm(r.sb.EntraURL+"/"+r.sb.EntraTenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		r.t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	count := func(collection string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, r.sb.EntraURL+"/v1.0/"+collection, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := r.entraHTTP.Do(req)
		if err != nil {
			r.t.Fatal(err)
		}
		defer resp.Body.Close()
		var page struct {
			Value []json.RawMessage `json:"value"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
			r.t.Fatalf("listing %s: %d %v", collection, resp.StatusCode, err)
		}
		return len(page.Value)
	}
	return entraCounts{apps: count("applications"), servicePrincipals: count("servicePrincipals")}
}

// outcome is what one interrupted or faulted run left.
type outcome struct {
	name                 string
	converged            bool   // the re-apply succeeded and the plan after it was empty
	why                  string // when not converged
	auth0Dup, entraDup   int    // objects beyond one per resource after the re-apply
	auth0Left, entraLeft int    // objects left after destroy
	providerOutlived     bool   // the provider was still running 2s after terraform was killed
}

func (o outcome) auth0Orphans() int { return o.auth0Dup + o.auth0Left }
func (o outcome) entraOrphans() int { return o.entraDup + o.entraLeft }

// settle re-applies, plans, counts duplicates, destroys and counts what is left.
func (r *run) settle(name string) outcome {
	o := outcome{name: name}
	r.onRequest(nil)
	r.sb.Auth0.Router().ClearFaults()
	r.sb.Entra.Router().ClearFaults()
	out, code := r.terraform("apply", "-auto-approve")
	switch {
	case code != 0:
		o.why = "re-apply failed: " + tail(out, 1200)
	default:
		if out, code := r.terraform("plan", "-detailed-exitcode"); code != 0 {
			o.why = fmt.Sprintf("plan after the re-apply not empty (exit %d): %s", code, tail(out, 1200))
		} else {
			o.converged = true
		}
	}
	a, e := r.auth0Objects(), r.entraObjects()
	o.auth0Dup = max(a.configs-1, 0) + max(a.tokens-1, 0)
	o.entraDup = max(e.apps-r.baseline.apps-1, 0) + max(e.servicePrincipals-r.baseline.servicePrincipals-1, 0)
	if out, code := r.terraform("destroy", "-auto-approve"); code != 0 {
		o.converged = false
		o.why += " destroy failed: " + tail(out, 800)
	}
	a, e = r.auth0Objects(), r.entraObjects()
	o.auth0Left = a.configs + a.tokens
	o.entraLeft = max(e.apps-r.baseline.apps, 0) + max(e.servicePrincipals-r.baseline.servicePrincipals, 0)
	return o
}

func tail(s string, n int) string {
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}

// step is one request of a clean apply.
type step struct {
	cloud string
	route string
}

// cleanApply applies once without interruption and returns the requests in order; it checks the run converges
// and leaves nothing.
func cleanApply(t *testing.T) []step {
	r := newRun(t)
	var mu sync.Mutex
	var steps []step
	r.onRequest(func(_ int, cloud string, req router.Request) {
		mu.Lock()
		steps = append(steps, step{cloud, req.Route})
		mu.Unlock()
	})
	if out, code := r.terraform("apply", "-auto-approve"); code != 0 {
		t.Fatalf("clean apply failed: %s", tail(out, 3000))
	}
	r.onRequest(nil)
	if o := r.settle("clean"); !o.converged || o.auth0Orphans()+o.entraOrphans() != 0 {
		t.Fatalf("a clean run does not converge: %+v", o)
	}
	return steps
}

// killAt applies, kills target right after the k-th request was carried out, then settles.
func killAt(t *testing.T, k int, target string) outcome {
	r := newRun(t)
	var cmd *exec.Cmd
	var killed atomic.Bool
	var provider atomic.Int64
	var at time.Time
	ready := make(chan struct{})
	r.onRequest(func(n int, _ string, _ router.Request) {
		if n == k && killed.CompareAndSwap(false, true) {
			<-ready
			at = time.Now()
			provider.Store(int64(killTarget(cmd, target)))
		}
	})
	cmd, _ = r.start("apply", "-auto-approve")
	close(ready)
	_ = cmd.Wait()
	outlived := false
	if target == "terraform" && killed.Load() {
		outlived = outlives(t, int(provider.Load()), at)
	}
	o := r.settle(fmt.Sprintf("kill %s after request %d", target, k))
	o.providerOutlived = outlived
	return o
}

// faultAt applies with fault f on the first request of its route, then settles.
func faultAt(t *testing.T, cloud string, f router.Fault, name string) outcome {
	r := newRun(t)
	rt := r.sb.Auth0.Router()
	if cloud == "entra" {
		rt = r.sb.Entra.Router()
	}
	rt.Inject(f)
	_, _ = r.terraform("apply", "-auto-approve")
	return r.settle(name)
}

// tally prints and returns the per-cloud counts.
type tally struct {
	runs, converged, auth0Orphans, entraOrphans, outlived int
	failures                                              []outcome
}

func (tl *tally) add(o outcome) {
	tl.runs++
	if o.converged {
		tl.converged++
	}
	tl.auth0Orphans += o.auth0Orphans()
	tl.entraOrphans += o.entraOrphans()
	if o.providerOutlived {
		tl.outlived++
	}
	if !o.converged || o.auth0Orphans()+o.entraOrphans() > 0 {
		tl.failures = append(tl.failures, o)
	}
}

func (tl *tally) report(t *testing.T, matrix string) {
	t.Helper()
	msg := fmt.Sprintf("%s: runs %d, converged %d; orphans: auth0 %d, entra %d; provider outlived a killed terraform: %d",
		matrix, tl.runs, tl.converged, tl.auth0Orphans, tl.entraOrphans, tl.outlived)
	fmt.Println("CHAOS " + msg)
	for _, o := range tl.failures {
		fmt.Printf("CHAOS   %s: converged=%v auth0 orphans %d (dup %d, left %d), entra orphans %d (dup %d, left %d) %s\n",
			o.name, o.converged, o.auth0Orphans(), o.auth0Dup, o.auth0Left, o.entraOrphans(), o.entraDup, o.entraLeft, tail(o.why, 400))
	}
}
