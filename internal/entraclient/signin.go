package entraclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Setting names and where a value came from, for messages that tell the user what to fix.
const (
	SourceAuthorityHost = "authority_host"
	SourceGraphURL      = "graph_url"
	SourceClientSecret  = "client_secret"
	SourceClientID      = "client_id"
	SourceTenantID      = "tenant_id"
)

// settingNames are the provider's names of each setting (block argument and environment variables).
var settingNames = map[string]string{
	SourceAuthorityHost: "entra.authority_host (or ARM_AUTHORITY_HOST, AZURE_AUTHORITY_HOST)",
	SourceGraphURL:      "entra.graph_url (or ARM_GRAPH_URL)",
	SourceClientSecret:  "entra.client_secret (or ARM_CLIENT_SECRET)",
	SourceClientID:      "entra.client_id (or ARM_CLIENT_ID)",
	SourceTenantID:      "entra.tenant_id (or ARM_TENANT_ID)",
}

// settingFrom renders "entra.graph_url (or ARM_GRAPH_URL), set by ARM_GRAPH_URL" for a message; dflt says what
// applies when the setting is not set.
func (cfg Config) settingFrom(key, dflt string) string {
	if from := cfg.Sources[key]; from != "" {
		return fmt.Sprintf("%s, set by %s", settingNames[key], from)
	}
	var value string
	switch key {
	case SourceAuthorityHost:
		value = cfg.AuthorityHost
	case SourceGraphURL:
		value = cfg.GraphURL
	}
	if value != "" {
		return fmt.Sprintf("%s, set to %s", settingNames[key], value)
	}
	return fmt.Sprintf("%s, not set (%s)", settingNames[key], dflt)
}

// unreachableKind says why a host cannot be reached at all — its name does not resolve, or nothing listens on the
// port — or "" for every other transport error (those may be transient and are retried where that is safe).
func unreachableKind(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("the host name %s does not resolve (%s)", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing accepts connections there (connection refused)"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "there is no network route to it"
	}
	return ""
}

// unreachableError is a request that could not reach its host at all. It is not retried (by the Graph transport or
// by azcore's retry policy, through NonRetriable): retrying a name that does not resolve only makes the user wait.
type unreachableError struct {
	msg string
	err error
}

func (e *unreachableError) Error() string { return e.msg }
func (e *unreachableError) Unwrap() error { return e.err }

// NonRetriable marks the error for azcore's retry policy (errorinfo.NonRetriable).
func (e *unreachableError) NonRetriable() {}

func newUnreachable(err error, u *url.URL, setting string) error {
	kind := unreachableKind(err)
	if kind == "" {
		return nil
	}
	return &unreachableError{
		msg: fmt.Sprintf("cannot reach %s://%s: %s. Check %s", u.Scheme, u.Host, kind, setting),
		err: err,
	}
}

// asUnreachable turns a transport error of the Graph pipeline into an *Error when the host cannot be reached at all.
func asUnreachable(err error, u *url.URL, setting string) error {
	ue := newUnreachable(err, u, setting)
	if ue == nil {
		return nil
	}
	return &Error{Op: "calling Microsoft Graph", Message: ue.Error(), Unreachable: true, err: ue}
}

// loginTransport wraps the transport of the credential (token requests to the authority): a host that cannot be
// reached fails at once, naming the setting, instead of after azcore's retries; and the failure is remembered so
// that the credential can report it (azidentity keeps only the text of a transport error).
type loginTransport struct {
	base    http.RoundTripper
	setting string
	last    *signInState
}

func (t *loginTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if ue := newUnreachable(err, req.URL, t.setting); ue != nil {
			t.last.setUnreachable(ue.Error())
			return nil, ue
		}
	}
	return resp, err
}

// signInState remembers a sign-in failure that will not go away by itself (a rejected secret, an unreachable
// authority), so that it is reported once, with its cause first, and not sent again by every resource of the run.
type signInState struct {
	mu          sync.Mutex
	unreachable string
	permanent   *Error
	reported    bool
}

func (s *signInState) setUnreachable(msg string) {
	s.mu.Lock()
	s.unreachable = msg
	s.mu.Unlock()
}

func (s *signInState) takeUnreachable() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.unreachable
	s.unreachable = ""
	return m
}

// markedCredential marks the credential's failures so that errors can be told apart from Graph's, explains them cause
// first, and remembers the ones that retrying cannot fix.
type markedCredential struct {
	azcore.TokenCredential
	cfg   Config
	state *signInState
}

// GetToken implements azcore.TokenCredential.
func (m *markedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	m.state.mu.Lock()
	if p := m.state.permanent; p != nil {
		first := !m.state.reported
		m.state.reported = true
		m.state.mu.Unlock()
		e := *p
		if !first {
			e.Message = "Microsoft Entra sign-in already failed earlier in this run, for the same reason: " + e.Message
			e.Repeated = true
		}
		return azcore.AccessToken{}, &tokenError{err: &e}
	}
	m.state.mu.Unlock()

	tok, err := m.TokenCredential.GetToken(ctx, opts)
	if err == nil {
		return tok, nil
	}
	e := m.explain(err)
	if e.permanent {
		tflog.Error(ctx, "Microsoft Entra sign-in failed; later operations of this run report it without asking again", map[string]any{"cause": e.Message})
		m.state.mu.Lock()
		m.state.permanent = e.Error
		m.state.reported = true
		m.state.mu.Unlock()
	}
	return tok, &tokenError{err: e.Error}
}

type explained struct {
	*Error
	permanent bool
}

// aadCode matches the AADSTS code at the start of an error_description.
var aadCode = regexp.MustCompile(`AADSTS(\d+)`)

// explain turns a credential failure into a short message, cause first: an unreachable authority, or the
// AADSTS code and description of Entra's token endpoint, instead of azidentity's dump of the whole response.
func (m *markedCredential) explain(err error) explained {
	if msg := m.state.takeUnreachable(); msg != "" {
		return explained{&Error{Op: "signing in to Microsoft Entra", Message: msg, Auth: true, Unreachable: true, err: err}, true}
	}
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || afe.RawResponse == nil {
		return explained{&Error{Op: "signing in to Microsoft Entra", Message: "could not get a Microsoft Entra access token: " + firstLine(err.Error()), Auth: true, err: err}, false}
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Codes       []int  `json:"error_codes"`
	}
	if raw, err := runtime.Payload(afe.RawResponse); err == nil {
		_ = json.Unmarshal(raw, &body)
	}
	desc := firstLine(body.Description)
	code := ""
	if mm := aadCode.FindStringSubmatch(desc); mm != nil {
		code = mm[1]
	}
	out := &Error{Op: "signing in to Microsoft Entra", StatusCode: afe.RawResponse.StatusCode, Code: body.Error, Auth: true, err: err}
	tenantClient := fmt.Sprintf("client id %s in tenant %s", m.cfg.ClientID, m.cfg.TenantID)
	switch code {
	case "7000215", "7000222":
		out.Message = fmt.Sprintf("Entra rejected the client secret (AADSTS%s) of %s: %s Check %s: it must be the secret's Value (not its Secret ID), current, and belong to that app registration.",
			code, tenantClient, desc, m.cfg.settingFrom(SourceClientSecret, "not set"))
		return explained{out, true}
	case "700016":
		out.Message = fmt.Sprintf("Entra does not know the application (AADSTS700016) of %s: %s Check %s and %s.",
			tenantClient, desc, m.cfg.settingFrom(SourceClientID, "not set"), m.cfg.settingFrom(SourceTenantID, "not set"))
		return explained{out, true}
	case "90002", "900023":
		out.Message = fmt.Sprintf("Entra does not know the tenant (AADSTS%s) %s: %s Check %s.", code, m.cfg.TenantID, desc, m.cfg.settingFrom(SourceTenantID, "not set"))
		return explained{out, true}
	}
	if desc == "" {
		desc = http.StatusText(afe.RawResponse.StatusCode)
	}
	out.Message = "Entra refused to issue an access token: " + desc
	// 4xx answers of the token endpoint are about the request (credentials, tenant, consent): asking again with the
	// same credential gets the same answer.
	return explained{out, afe.RawResponse.StatusCode >= 400 && afe.RawResponse.StatusCode < 500 && afe.RawResponse.StatusCode != http.StatusTooManyRequests}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// Diagnostic returns the summary and detail of a diagnostic about err, raised while doing what summary says. A
// sign-in failure or an unreachable host is not about the object at hand: it is reported under its own summary,
// cause first, with what was being done last, so that a wrong secret does not read as "Could not look up ...".
// ok is false for every other error (the caller keeps its own summary and wording).
func Diagnostic(summary string, err error) (string, string, bool) {
	e := AsError(err)
	if e == nil || (!e.Auth && !e.Unreachable) {
		return "", "", false
	}
	switch {
	case e.Repeated:
		summary, detail := "Microsoft Entra sign-in failed", e.Message
		return summary, detail, true
	case e.Unreachable && e.Auth:
		return "Microsoft Entra sign-in host cannot be reached", e.Message + ".\n\n(While: " + strings.ToLower(summary[:1]) + summary[1:] + ".)", true
	case e.Unreachable:
		return "Microsoft Graph cannot be reached", e.Message + ".\n\n(While: " + strings.ToLower(summary[:1]) + summary[1:] + ".)", true
	}
	return "Microsoft Entra sign-in failed", e.Message + "\n\n(While: " + strings.ToLower(summary[:1]) + summary[1:] + ".)", true
}
