// Command fleet is `make fleet`: it plans and applies fleets of stacks — the Auth0 half of examples/complete
// (auth0entra_scim_connection, the data source auth0entra_scim_endpoint, auth0entra_scim_token), one stack per seeded
// `waad` connection, all in one configuration and so in one provider process — against a standalone sandbox
// (bin/sandbox -connections N -auth0-rps RPS) that enforces Auth0's rate limit, and prints per phase: Management API calls (per stack), token requests, 429s
// received, wall time against the rate-limit bound (calls ÷ rate), and the provider's peak RSS.
//
// To tell pacing from overhead, two more columns: span is the time the calls took within each provider process
// (from its first to its last call, summed over the processes), s/bnd that span against the bound of its paced
// intervals (1.00: the calls went exactly at the tenant's rate); cpu is the CPU time of Terraform and the provider
// processes. wall − span is what Terraform spends outside the provider's calls (process starts, graph walks, state).
//
//	go run ./cmd/fleet -provider-dir bin -runs 1:16,20:2,200:16
//
// Requests are counted in the sandbox's request log (GET /__sandbox/requests on the Auth0 tenant).
//
// Each run is N:RPS: N stacks, the tenant limited to RPS Management API requests per second. -whole adds the Entra
// half of examples/complete to each stack (and counts Graph calls), -graph-rps throttles Graph as well; the bound is
// then the slower cloud's.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	runs := flag.String("runs", "1:16,20:2,200:16", "comma-separated N:RPS runs: N stacks against an Auth0 tenant limited to RPS requests per second")
	providerDir := flag.String("provider-dir", "bin", "directory holding the built terraform-provider-auth0entra (dev_overrides) and sandbox")
	terraform := flag.String("terraform", "terraform", "Terraform CLI")
	flag.BoolVar(&showRoutes, "routes", false, "after each phase, print its Management API calls by method and route")
	flag.BoolVar(&whole, "whole", false, "whole stacks: add the enterprise app and attribute mappings of examples/complete to each stack (Graph calls counted too)")
	flag.Float64Var(&graphRPS, "graph-rps", 0, "throttle Microsoft Graph at this many requests per second per application (bin/sandbox -graph-rps); 0 is off")
	flag.Parse()

	dir, err := filepath.Abs(*providerDir)
	if err != nil {
		log.Fatal(err)
	}
	for _, bin := range []string{"terraform-provider-auth0entra", "sandbox"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			log.Fatalf("fleet: no %s binary in %s (make build): %v", bin, dir, err)
		}
	}
	graphCols := ""
	if whole {
		graphCols = fmt.Sprintf(" %7s %6s %5s", "graph", "/stack", "g429")
	}
	fmt.Printf("%6s %5s  %-18s %7s %6s %6s %5s%s %8s %8s %6s %8s %6s %8s %8s %s\n",
		"stacks", "rps", "phase", "calls", "/stack", "tokens", "429s", graphCols, "wall", "bound", "ratio", "span", "s/bnd", "cpu", "rss MB", "result")
	failed := false
	for _, spec := range strings.Split(*runs, ",") {
		n, rps, err := parseRun(spec)
		if err != nil {
			log.Fatal(err)
		}
		if !runFleet(*terraform, dir, n, rps) {
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// The -routes, -whole and -graph-rps flags.
var (
	showRoutes bool
	whole      bool
	graphRPS   float64
)

func parseRun(spec string) (int, float64, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(spec), ":")
	n, err1 := strconv.Atoi(a)
	rps, err2 := strconv.ParseFloat(b, 64)
	if !ok || err1 != nil || err2 != nil || n < 1 || rps <= 0 {
		return 0, 0, fmt.Errorf("fleet: run %q: write N:RPS, e.g. 200:16", spec)
	}
	return n, rps, nil
}

// fleetConfig is the Auth0 half of examples/complete once per connection (for_each), in one configuration: no
// module, so no `terraform init` is needed with dev_overrides.
const fleetConfig = `terraform {
  required_providers {
    auth0entra = { source = "auth0entra/auth0entra" }
  }
}

provider "auth0entra" {}

variable "connection_ids" { type = string }

locals {
  ids = toset(split(",", var.connection_ids))
}

resource "auth0entra_scim_connection" "stack" {
  for_each          = local.ids
  connection_id     = each.value
  user_id_attribute = "externalId"
  mapping = [
    { scim = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", auth0 = "app_metadata.dept" },
  ]
  remove_default_mapping = ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"]
  connection_settings = {
    user_id_claim            = "sub"
    use_common_endpoint      = false
    set_user_root_attributes = "on_each_login"
  }
}

data "auth0entra_scim_endpoint" "stack" {
  for_each      = local.ids
  connection_id = auth0entra_scim_connection.stack[each.key].connection_id
}

resource "auth0entra_scim_token" "stack" {
  for_each      = local.ids
  connection_id = auth0entra_scim_connection.stack[each.key].connection_id
  scopes        = ["get:users", "patch:users", "delete:users"]
  lifetime      = "8760h"
  rotate_before = "720h"
  lifecycle {
    create_before_destroy = true
  }
}

output "tenant_urls" { value = { for k, d in data.auth0entra_scim_endpoint.stack : k => d.entra_tenant_url } }
`

// wholeConfig adds the Entra half of examples/complete to each stack (-whole): the enterprise app (named after the
// connection) with its assignment and provisioning job, and the two attribute mappings. Every stack's app logs in
// with the seeded OIDC app registration and is assigned the seeded group.
const wholeConfig = `
variable "oidc_app_client_id" { type = string }
variable "engineering_group_id" { type = string }

resource "auth0entra_enterprise_app" "stack" {
  for_each       = local.ids
  display_name   = "Auth0 SCIM (${each.key})"
  oidc_client_id = var.oidc_app_client_id
  assignment = [
    { principal_id = var.engineering_group_id, principal_type = "Group" },
  ]
  provisioning = {
    tenant_url              = data.auth0entra_scim_endpoint.stack[each.key].entra_tenant_url
    secret_token_wo         = auth0entra_scim_token.stack[each.key].token
    secret_token_wo_version = auth0entra_scim_token.stack[each.key].token_id
    scope                   = "assigned"
    enabled                 = true
  }
}

resource "auth0entra_attribute_mappings" "users" {
  for_each              = local.ids
  service_principal_id  = auth0entra_enterprise_app.stack[each.key].service_principal_id
  job_id                = auth0entra_enterprise_app.stack[each.key].job_id
  source_object         = "User"
  target_object_actions = ["Update", "Delete"]
  mapping = [
    { target_attribute = "externalId", source_attribute = "objectId" },
    { target_attribute = "emails[type eq \"work\"].value", source_attribute = "mail", matching_precedence = 2 },
  ]
}

resource "auth0entra_attribute_mappings" "groups" {
  for_each             = local.ids
  service_principal_id = auth0entra_enterprise_app.stack[each.key].service_principal_id
  job_id               = auth0entra_enterprise_app.stack[each.key].job_id
  source_object        = "Group"
  enabled              = false
}
`

func runFleet(terraform, binDir string, n int, rps float64) bool {
	work, err := os.MkdirTemp("", "fleet-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	sb, err := startSandbox(filepath.Join(binDir, "sandbox"), filepath.Join(work, "sandbox"), n, rps)
	if err != nil {
		log.Fatal(err)
	}
	defer sb.stop()

	config, vars := fleetConfig, fmt.Sprintf("connection_ids = %q\n", sb.env["SANDBOX_CONNECTION_IDS"])
	if whole {
		config += wholeConfig
		vars += fmt.Sprintf("oidc_app_client_id = %q\nengineering_group_id = %q\n", sb.env["SANDBOX_OIDC_CLIENT_ID"], sb.env["SANDBOX_GROUP_ID"])
	}
	must(os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600))
	must(os.WriteFile(filepath.Join(work, "terraform.tfvars"), []byte(vars), 0o600))
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"auth0entra/auth0entra\" = %q\n  }\n  direct {}\n}\n", binDir)
	must(os.WriteFile(filepath.Join(work, "cli.tfrc"), []byte(cli), 0o600))
	env := os.Environ()
	for k, v := range sb.env {
		env = append(env, k+"="+v)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+filepath.Join(work, "cli.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")

	ok := true
	phase := func(name string, args ...string) {
		from, fromGraph := len(sb.requests()), 0
		if whole {
			fromGraph = len(sb.graphRequests())
		}
		start := time.Now()
		out, rss, cpu, err := runTerraform(terraform, work, env, args...)
		wall := time.Since(start)
		var calls, tokens, throttled int
		// Each provider process fetches its access token before its first call: the token requests cut the log into
		// one segment per process, and a segment's span (first to last call) is the time its calls were paced over.
		// Between segments, Terraform starts the next walk and process: overhead that no pacing can win back.
		var span time.Duration
		var first, last time.Time
		segments := 0
		endSegment := func() {
			if !first.IsZero() {
				span += last.Sub(first)
				segments++
			}
			first, last = time.Time{}, time.Time{}
		}
		routes := map[string]int{}
		for _, r := range sb.requests()[from:] {
			switch {
			case strings.HasPrefix(r.Path, "/api/v2/"):
				calls++
				routes[fmt.Sprintf("%s %s %d", r.Method, r.Route, r.Status)]++
				if first.IsZero() {
					first = r.Time
				}
				last = r.Time
			case r.Path == "/oauth/token":
				tokens++
				endSegment()
			}
			if r.Status == http.StatusTooManyRequests {
				throttled++
			}
		}
		endSegment()
		bound := time.Duration(float64(calls) / rps * float64(time.Second))
		graphCols := ""
		if whole {
			var gcalls, g429 int
			for _, r := range sb.graphRequests()[fromGraph:] {
				if strings.HasPrefix(r.Path, "/v1.0/") || strings.HasPrefix(r.Path, "/beta/") {
					gcalls++
					routes[fmt.Sprintf("%s %s %d", r.Method, r.Route, r.Status)]++
				}
				if r.Status == http.StatusTooManyRequests {
					g429++
				}
			}
			graphCols = fmt.Sprintf(" %7d %6.1f %5d", gcalls, float64(gcalls)/float64(n), g429)
			if graphRPS > 0 {
				// Graph's bucket is per application, and the provider is one application: its calls bound the
				// phase too, and the slower of the two clouds decides.
				bound = max(bound, time.Duration(float64(gcalls)/graphRPS*float64(time.Second)))
			}
		}
		ratio, spanRatio := 0.0, 0.0
		if bound > 0 {
			ratio = wall.Seconds() / bound.Seconds()
		}
		if calls > segments {
			// A segment of k calls holds k-1 paced intervals.
			spanRatio = span.Seconds() / (float64(calls-segments) / rps)
		}
		result := "ok"
		if err != nil {
			result, ok = "ERROR: "+lastLines(out, 6), false
		}
		fmt.Printf("%6d %5g  %-18s %7d %6.1f %6d %5d%s %7.1fs %7.1fs %6.2f %7.1fs %6.2f %7.1fs %8.1f %s\n",
			n, rps, name, calls, float64(calls)/float64(n), tokens, throttled, graphCols, wall.Seconds(), bound.Seconds(), ratio,
			span.Seconds(), spanRatio, cpu.Seconds(), rss, result)
		if showRoutes {
			keys := make([]string, 0, len(routes))
			for k := range routes {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Printf("%40s %6d  %s\n", "", routes[k], k)
			}
		}
	}
	phase("apply", "apply", "-auto-approve")
	phase("plan (first)", "plan", "-detailed-exitcode")
	phase("plan (no change)", "plan", "-detailed-exitcode")
	phase("plan -refresh=false", "plan", "-refresh=false", "-detailed-exitcode")
	phase("destroy", "destroy", "-auto-approve")
	return ok
}

// sandboxProcess is a running bin/sandbox.
type sandboxProcess struct {
	cmd    *exec.Cmd
	env    map[string]string
	client *http.Client
}

type loggedRequest struct {
	Method string    `json:"method"`
	Route  string    `json:"route"`
	Path   string    `json:"path"`
	Status int       `json:"status"`
	Time   time.Time `json:"time"`
}

// startSandbox starts bin/sandbox with n more connections and the Auth0 rate limit, and waits (with a deadline) for
// its env file.
func startSandbox(bin, dir string, n int, rps float64) (*sandboxProcess, error) {
	cmd := exec.Command(bin, "-dir", dir, "-connections", strconv.Itoa(n), "-auth0-rps", strconv.FormatFloat(rps, 'f', -1, 64),
		"-graph-rps", strconv.FormatFloat(graphRPS, 'f', -1, 64))
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sb := &sandboxProcess{cmd: cmd}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "env"))
		if err == nil && len(b) > 0 {
			sb.env = parseEnv(string(b))
			break
		}
		if time.Now().After(deadline) {
			sb.stop()
			return nil, fmt.Errorf("fleet: the sandbox wrote no %s within 2 minutes", filepath.Join(dir, "env"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	pem, err := os.ReadFile(sb.env["SSL_CERT_FILE"])
	if err != nil {
		sb.stop()
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	sb.client = &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return sb, nil
}

// parseEnv reads the export KEY='value' lines sandbox.EnvFile writes.
func parseEnv(s string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		kv, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		env[k] = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'"), `'\''`, "'")
	}
	return env
}

// requests returns the Auth0 tenant's request log, oldest first.
func (sb *sandboxProcess) requests() []loggedRequest { return sb.log(sb.env["AUTH0_DOMAIN"]) }

// graphRequests returns the Entra tenant's request log (Graph and sign-in), oldest first.
func (sb *sandboxProcess) graphRequests() []loggedRequest {
	return sb.log(sb.env["ARM_METADATA_HOSTNAME"])
}

func (sb *sandboxProcess) log(host string) []loggedRequest {
	resp, err := sb.client.Get("https://" + host + "/__sandbox/requests")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out []loggedRequest
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		log.Fatalf("fleet: reading the sandbox's request log: %v", err)
	}
	// The admin API's own requests are logged too; they are neither Management API nor token requests.
	return out
}

func (sb *sandboxProcess) stop() {
	_ = sb.cmd.Process.Signal(os.Interrupt)
	_ = sb.cmd.Wait()
}

// runTerraform runs one command and samples the peak resident set size (VmHWM) of the provider processes it starts.
// cpu is the CPU time (user and system) of Terraform and the provider processes it waited for.
func runTerraform(terraform, dir string, env []string, args ...string) (out string, rssMB float64, cpu time.Duration, err error) {
	cmd := exec.Command(terraform, append(args, "-no-color", "-input=false")...)
	cmd.Dir, cmd.Env = dir, env
	buf := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		return "", 0, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	peak := 0.0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if st := cmd.ProcessState; st != nil {
				cpu = st.UserTime() + st.SystemTime()
			}
			return buf.String(), peak, cpu, err
		case <-tick.C:
			for _, pid := range providerChildren(cmd.Process.Pid) {
				peak = max(peak, vmHWM(pid))
			}
		}
	}
}

// providerChildren lists the provider processes whose parent is pid (Linux /proc).
func providerChildren(parent int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || !strings.HasPrefix(s[open+1:end], "terraform-provi") {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(parent) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			out = append(out, pid)
		}
	}
	return out
}

// vmHWM is a process's peak resident set size in MB (0 when unknown).
func vmHWM(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
