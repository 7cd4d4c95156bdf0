package entraclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// newCredential builds the azidentity credential the entra block selects. The provider has already checked that
// exactly one method is chosen; the order here only matters for direct callers.
func newCredential(_ context.Context, cfg Config, base http.RoundTripper) (azcore.TokenCredential, error) {
	co, disableDiscovery, err := clientOptions(cfg, base)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.ClientSecret != "":
		return azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: disableDiscovery})

	case cfg.ClientCertificate != "" || cfg.ClientCertificatePath != "":
		data, err := certificateBytes(cfg)
		if err != nil {
			return nil, err
		}
		certs, key, err := azidentity.ParseCertificates(data, []byte(cfg.ClientCertificatePassword))
		if err != nil {
			return nil, fmt.Errorf("reading the client certificate (PEM or PKCS#12, with its private key): %w", err)
		}
		return azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: disableDiscovery, SendCertificateChain: true})

	case cfg.UseOIDC:
		assertion, err := oidcAssertion(cfg, co.Transport, audienceFor(co.Cloud.ActiveDirectoryAuthorityHost))
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientAssertionCredential(cfg.TenantID, cfg.ClientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: disableDiscovery})

	case cfg.UseCLI:
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID})

	case cfg.UseMSI:
		if cfg.MSIEndpoint != "" {
			return newIMDSCredential(cfg.MSIEndpoint, cfg.ClientID, co.Transport)
		}
		opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if cfg.ClientID != "" {
			opts.ID = azidentity.ClientID(cfg.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(opts)
	}
	return nil, errors.New("no Microsoft Entra credential is configured: set a client secret, a client certificate, use_oidc, use_cli or use_msi")
}

// clientOptions returns the azcore options of every credential: the authority (overridden, or derived from a national
// cloud's Graph host) and a transport that trusts the system pool. disableDiscovery is true when the authority was
// overridden: instance discovery only knows Microsoft's own hosts.
func clientOptions(cfg Config, base http.RoundTripper) (azcore.ClientOptions, bool, error) {
	co := azcore.ClientOptions{
		Transport: &http.Client{Transport: base},
		Telemetry: policy.TelemetryOptions{ApplicationID: "auth0entra"},
	}
	if cfg.AuthorityHost != "" {
		u, err := url.Parse(cfg.AuthorityHost)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return co, false, fmt.Errorf("the authority host %q must be an https URL such as https://login.microsoftonline.com/", cfg.AuthorityHost)
		}
		host := strings.TrimRight(cfg.AuthorityHost, "/") + "/"
		co.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: host}
		return co, true, nil
	}
	co.Cloud = cloudForGraph(cfg.GraphURL)
	return co, false, nil
}

// cloudForGraph picks the login authority that goes with a national cloud's Graph host, so that setting graph_url
// alone is enough there.
func cloudForGraph(graphURL string) cloud.Configuration {
	u, err := url.Parse(graphURL)
	if err != nil {
		return cloud.AzurePublic
	}
	switch strings.ToLower(u.Hostname()) {
	case "graph.microsoft.us", "dod-graph.microsoft.us":
		return cloud.AzureGovernment
	case "microsoftgraph.chinacloudapi.cn":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

// audienceFor is the audience of the federated ID token Entra accepts, per cloud.
func audienceFor(authority string) string {
	u, err := url.Parse(authority)
	if err == nil {
		switch strings.ToLower(u.Hostname()) {
		case "login.microsoftonline.us":
			return "api://AzureADTokenExchangeUSGov"
		case "login.chinacloudapi.cn", "login.partner.microsoftonline.cn":
			return "api://AzureADTokenExchangeChina"
		}
	}
	return "api://AzureADTokenExchange"
}

// certificateBytes returns the certificate bundle: ClientCertificate is PEM text or base64 (of PEM or PKCS#12);
// ClientCertificatePath is a file holding PEM or PKCS#12 (binary, or base64 of either).
func certificateBytes(cfg Config) ([]byte, error) {
	var data []byte
	if cfg.ClientCertificate != "" {
		data = []byte(cfg.ClientCertificate)
	} else {
		b, err := os.ReadFile(cfg.ClientCertificatePath)
		if err != nil {
			return nil, fmt.Errorf("reading the client certificate file: %w", err)
		}
		data = b
	}
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "-----BEGIN") {
		return data, nil
	}
	if dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(trimmed), "")); err == nil && len(dec) > 0 {
		return dec, nil
	}
	if cfg.ClientCertificate != "" {
		return nil, errors.New("the client certificate must be PEM text, or base64 of a PEM or PKCS#12 bundle")
	}
	return data, nil // a binary PKCS#12 file
}

// oidcAssertion returns the function ClientAssertionCredential calls for a federated ID token: a literal token, a
// file read on every call (projected tokens rotate), or a token requested from the GitHub Actions endpoint.
func oidcAssertion(cfg Config, transport policy.Transporter, audience string) (func(context.Context) (string, error), error) {
	switch {
	case cfg.OIDCToken != "":
		tok := cfg.OIDCToken
		return func(context.Context) (string, error) { return tok, nil }, nil
	case cfg.OIDCTokenFilePath != "":
		path := cfg.OIDCTokenFilePath
		return func(context.Context) (string, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("reading the OIDC token file: %w", err)
			}
			tok := strings.TrimSpace(string(b))
			if tok == "" {
				return "", errors.New("the OIDC token file is empty")
			}
			return tok, nil
		}, nil
	case cfg.OIDCRequestURL != "" && cfg.OIDCRequestToken != "":
		u, err := url.Parse(cfg.OIDCRequestURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("the OIDC request URL is not a valid URL")
		}
		q := u.Query()
		if q.Get("audience") == "" {
			q.Set("audience", audience)
		}
		u.RawQuery = q.Encode()
		reqURL, reqTok := u.String(), cfg.OIDCRequestToken
		return func(ctx context.Context) (string, error) {
			return requestGitHubIDToken(ctx, transport, reqURL, reqTok)
		}, nil
	}
	return nil, errors.New("use_oidc is set but no ID token is available: set oidc_token, oidc_token_file_path, or oidc_request_url with oidc_request_token")
}

// requestGitHubIDToken asks the GitHub Actions OIDC endpoint for an ID token ({"value": "<jwt>"}).
func requestGitHubIDToken(ctx context.Context, transport policy.Transporter, reqURL, bearer string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reqURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	resp, err := transport.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting an OIDC token from the CI provider: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("requesting an OIDC token from the CI provider: HTTP %d (check that the job has the `id-token: write` permission)", resp.StatusCode)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", errors.New("requesting an OIDC token from the CI provider: the response holds no token")
	}
	return out.Value, nil
}

// imdsCredential gets managed identity tokens from an overridden endpoint that speaks the IMDS protocol
// (GET {endpoint}?api-version=2018-02-01&resource=...; header Metadata: true). azidentity has no endpoint option.
type imdsCredential struct {
	endpoint  string
	clientID  string
	transport policy.Transporter

	mu    sync.Mutex
	cache map[string]azcore.AccessToken
}

func newIMDSCredential(endpoint, clientID string, transport policy.Transporter) (*imdsCredential, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("the managed identity endpoint %q is not a valid URL", endpoint)
	}
	return &imdsCredential{endpoint: endpoint, clientID: clientID, transport: transport, cache: map[string]azcore.AccessToken{}}, nil
}

// GetToken implements azcore.TokenCredential.
func (c *imdsCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if len(opts.Scopes) != 1 {
		return azcore.AccessToken{}, errors.New("managed identity: exactly one scope is supported")
	}
	resource := strings.TrimSuffix(opts.Scopes[0], "/.default")
	c.mu.Lock()
	tok, ok := c.cache[resource]
	c.mu.Unlock()
	if ok && time.Until(tok.ExpiresOn) > 5*time.Minute {
		return tok, nil
	}
	u, _ := url.Parse(c.endpoint)
	q := u.Query()
	q.Set("api-version", "2018-02-01")
	q.Set("resource", resource)
	if c.clientID != "" {
		q.Set("client_id", c.clientID)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	req.Header.Set("Metadata", "true")
	resp, err := c.transport.Do(req)
	if err != nil {
		return azcore.AccessToken{}, fmt.Errorf("managed identity endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return azcore.AccessToken{}, fmt.Errorf("managed identity endpoint: HTTP %d", resp.StatusCode)
	}
	var out struct {
		AccessToken string          `json:"access_token"`
		ExpiresOn   json.RawMessage `json:"expires_on"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" {
		return azcore.AccessToken{}, errors.New("managed identity endpoint: the response holds no access_token")
	}
	exp := time.Now().Add(time.Hour)
	if s := unquote(out.ExpiresOn); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			exp = time.Unix(n, 0)
		}
	} else if s := unquote(out.ExpiresIn); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			exp = time.Now().Add(time.Duration(n) * time.Second)
		}
	}
	tok = azcore.AccessToken{Token: out.AccessToken, ExpiresOn: exp}
	c.mu.Lock()
	c.cache[resource] = tok
	c.mu.Unlock()
	return tok, nil
}

func unquote(raw json.RawMessage) string {
	return strings.Trim(strings.TrimSpace(string(raw)), `"`)
}
