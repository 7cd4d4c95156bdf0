package acctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/sandbox/router"
)

// The real-binary harness: the provider built once per test process and run by the real Terraform CLI through
// dev_overrides, against an in-process sandbox, so that every provider process Terraform starts (validate, plan,
// apply) is a process of its own, as in production. Tests that count requests per command (internal/budget) use it.

// ProviderBinaryDir builds the provider once per test process (or takes ACC_PROVIDER_BIN, a built binary) and
// returns the directory dev_overrides points at.
var ProviderBinaryDir = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("ACC_PROVIDER_BIN"); bin != "" {
		return filepath.Dir(bin), nil
	}
	dir, err := os.MkdirTemp("", "acc-provider-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-auth0entra"), ".")
	cmd.Dir = ModuleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider: %v\n%s", err, out)
	}
	return dir, nil
})

// ModuleRoot is the repository's root directory.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TerraformPath is TF_ACC_TERRAFORM_PATH or terraform on PATH; the test is skipped without one.
func TerraformPath(t testing.TB) string {
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

// CLIRun is one working directory run by the real CLI against sb with the built provider.
type CLIRun struct {
	T   testing.TB
	SB  *sandbox.Sandbox
	Dir string
	Env []string
	TF  string
}

// NewCLIRun writes files (name → content) into a fresh directory, with a CLI configuration whose dev_overrides
// point at the built provider and the sandbox's variables in the environment.
func NewCLIRun(t testing.TB, sb *sandbox.Sandbox, files map[string]string) *CLIRun {
	t.Helper()
	binDir, err := ProviderBinaryDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := sb.CA.WriteFiles(caFile, ""); err != nil {
		t.Fatal(err)
	}
	files["cli.tfrc"] = fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"auth0entra/auth0entra\" = %q\n  }\n  direct {}\n}\n", binDir)
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := os.Environ()
	for k, v := range sb.Env(caFile) {
		env = append(env, k+"="+v)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=")
	return &CLIRun{T: t, SB: sb, Dir: dir, Env: env, TF: TerraformPath(t)}
}

// ExampleFiles returns the .tf files of examples/<name>.
func ExampleFiles(t testing.TB, name string) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(ModuleRoot(), "examples", name, "*.tf"))
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

// Terraform runs one command to its end and returns its output; a non-zero exit fails the test.
func (r *CLIRun) Terraform(args ...string) string {
	r.T.Helper()
	if args[0] != "validate" {
		args = append(args, "-input=false")
	}
	cmd := exec.Command(r.TF, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = r.Dir, r.Env
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		r.T.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out.String()
}

// Calls counts the requests one cloud's router logged, by kind.
type Calls struct {
	// API is Management API requests (Auth0, /api/v2/) or Graph requests (Entra, /v1.0/ and /beta/).
	API int
	// Token is access-token requests (POST /oauth/token; POST /{tenant}/oauth2/v2.0/token).
	Token int
	// Other is everything else but the admin API: Entra's OpenID discovery document, Auth0's SCIM endpoint (called
	// by Entra's provisioning engine, not by the provider).
	Other int
	// Throttled is answers 429.
	Throttled int
	// Routes lists the API requests' routes, in order, for messages.
	Routes []string
}

// CountCallsByProcess splits the API requests of one Terraform command by the provider process that sent them, in
// order: for an apply, the plan process first, then the apply process. A provider process fetches one access token
// before its first call to a cloud and keeps it for its life, and Terraform runs the processes of one command one
// after the other (the plan walk ends before the apply walk starts), so each token request starts the calls of the
// next process that called the cloud. Calls before any token request (none in practice) count as a process of
// their own.
func CountCallsByProcess(reqs []router.Request) []Calls {
	var out []Calls
	for _, r := range reqs {
		c := CountCalls([]router.Request{r})
		if c.Token > 0 || (len(out) == 0 && c.API > 0) {
			out = append(out, Calls{})
		}
		if len(out) == 0 {
			continue
		}
		cur := &out[len(out)-1]
		cur.API += c.API
		cur.Token += c.Token
		cur.Throttled += c.Throttled
		cur.Routes = append(cur.Routes, c.Routes...)
	}
	return out
}

// CountCalls classifies reqs.
func CountCalls(reqs []router.Request) Calls {
	var c Calls
	for _, r := range reqs {
		switch {
		case strings.HasPrefix(r.Path, "/__sandbox/"):
			continue
		case strings.HasPrefix(r.Path, "/api/v2/"), strings.HasPrefix(r.Path, "/v1.0/"), strings.HasPrefix(r.Path, "/beta/"):
			c.API++
			c.Routes = append(c.Routes, fmt.Sprintf("%s %d", r.Route, r.Status))
		case r.Method == "POST" && (r.Path == "/oauth/token" || strings.HasSuffix(r.Path, "/oauth2/v2.0/token")):
			c.Token++
		default:
			c.Other++
		}
		if r.Status == 429 {
			c.Throttled++
		}
	}
	return c
}
