package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/conns"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
	"github.com/auth0entra/terraform-provider-auth0entra/internal/validators"
)

// Model is the provider configuration.
type Model struct {
	Auth0 *Auth0Model `tfsdk:"auth0"`
	Entra *EntraModel `tfsdk:"entra"`
}

// Auth0Model is the auth0 block.
type Auth0Model struct {
	Domain       types.String `tfsdk:"domain"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	APIToken     types.String `tfsdk:"api_token"`
	Audience     types.String `tfsdk:"audience"`

	ClientAssertionPrivateKey types.String `tfsdk:"client_assertion_private_key"`
	ClientAssertionSigningAlg types.String `tfsdk:"client_assertion_signing_alg"`
}

// EntraModel is the entra block.
type EntraModel struct {
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL            types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken          types.String `tfsdk:"oidc_request_token"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	MSIEndpoint               types.String `tfsdk:"msi_endpoint"`
	AuthorityHost             types.String `tfsdk:"authority_host"`
	GraphURL                  types.String `tfsdk:"graph_url"`
	Environment               types.String `tfsdk:"environment"`
}

func auth0BlockSchema() schema.Block {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Auth0 Management API access. Uses the client-credentials grant of a machine-to-machine " +
			"application (needs the scopes `read:connections`, `update:connections`, `read:scim_config`, " +
			"`create:scim_config`, `update:scim_config`, `delete:scim_config`, `read:scim_token`, `create:scim_token`, " +
			"`delete:scim_token`), authenticated with a client secret or a Private Key JWT client assertion, or a static `api_token`.",
		Attributes: map[string]schema.Attribute{
			"domain":                       schema.StringAttribute{Optional: true, MarkdownDescription: "Canonical tenant domain, e.g. `acme.eu.auth0.com` (not a custom domain: the SCIM endpoint lives on the canonical one). Env `AUTH0_DOMAIN`."},
			"client_id":                    schema.StringAttribute{Optional: true, MarkdownDescription: "Client id of the machine-to-machine application. Env `AUTH0_CLIENT_ID`."},
			"client_secret":                schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Client secret of that application. Env `AUTH0_CLIENT_SECRET`."},
			"api_token":                    schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "A Management API access token, instead of client credentials. Env `AUTH0_API_TOKEN`."},
			"audience":                     schema.StringAttribute{Optional: true, MarkdownDescription: "Management API audience; defaults to `https://{domain}/api/v2/`. Env `AUTH0_AUDIENCE`."},
			"client_assertion_private_key": schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "PEM private key for Private Key JWT client authentication, instead of `client_secret` (the application's credential must hold the matching public key). Env `AUTH0_CLIENT_ASSERTION_PRIVATE_KEY`."},
			"client_assertion_signing_alg": schema.StringAttribute{Optional: true, MarkdownDescription: "Algorithm the client assertion is signed with: `RS256` (default), `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256`, `ES384` or `ES512`. Env `AUTH0_CLIENT_ASSERTION_SIGNING_ALG`."},
		},
	}
}

func entraBlockSchema() schema.Block {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Microsoft Entra (Graph) access. Choose exactly one credential: `client_secret`, a client " +
			"certificate, `use_oidc` (workload identity federation, e.g. GitHub Actions), `use_cli` or `use_msi`. " +
			"The principal needs the application permissions `Application.ReadWrite.All`, `AppRoleAssignment.ReadWrite.All`, " +
			"`Synchronization.ReadWrite.All`, `User.Read.All` and `GroupMember.Read.All`, with admin consent.",
		Attributes: map[string]schema.Attribute{
			"tenant_id":                   schema.StringAttribute{Optional: true, MarkdownDescription: "Directory (tenant) id. Env `ARM_TENANT_ID`."},
			"client_id":                   schema.StringAttribute{Optional: true, MarkdownDescription: "Client (application) id of the principal Terraform runs as. Env `ARM_CLIENT_ID`."},
			"client_secret":               schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Client secret. Env `ARM_CLIENT_SECRET`."},
			"client_certificate":          schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Base64-encoded PKCS#12 (or PEM) client certificate. Env `ARM_CLIENT_CERTIFICATE`."},
			"client_certificate_path":     schema.StringAttribute{Optional: true, MarkdownDescription: "Path to a PKCS#12 or PEM client certificate. Env `ARM_CLIENT_CERTIFICATE_PATH`."},
			"client_certificate_password": schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Password of the client certificate. Env `ARM_CLIENT_CERTIFICATE_PASSWORD`."},
			"use_oidc":                    schema.BoolAttribute{Optional: true, MarkdownDescription: "Authenticate with an OpenID Connect ID token (workload identity federation). Env `ARM_USE_OIDC`."},
			"oidc_token":                  schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "The ID token. Env `ARM_OIDC_TOKEN`."},
			"oidc_token_file_path":        schema.StringAttribute{Optional: true, MarkdownDescription: "File holding the ID token. Env `ARM_OIDC_TOKEN_FILE_PATH`, then `AZURE_FEDERATED_TOKEN_FILE`."},
			"oidc_request_url":            schema.StringAttribute{Optional: true, MarkdownDescription: "URL to request an ID token from (GitHub Actions). Env `ARM_OIDC_REQUEST_URL`, then `ACTIONS_ID_TOKEN_REQUEST_URL`."},
			"oidc_request_token":          schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Bearer token for `oidc_request_url`. Env `ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN`."},
			"use_cli":                     schema.BoolAttribute{Optional: true, MarkdownDescription: "Authenticate as the Azure CLI's signed-in account. Env `ARM_USE_CLI`."},
			"use_msi":                     schema.BoolAttribute{Optional: true, MarkdownDescription: "Authenticate with a managed identity. Env `ARM_USE_MSI`."},
			"msi_endpoint":                schema.StringAttribute{Optional: true, MarkdownDescription: "Managed identity endpoint override. Env `ARM_MSI_ENDPOINT`."},
			"authority_host":              schema.StringAttribute{Optional: true, MarkdownDescription: "Login authority override (https), e.g. for a sovereign cloud or the sandbox; instance discovery is turned off when set. Env `ARM_AUTHORITY_HOST`, then `AZURE_AUTHORITY_HOST`."},
			"graph_url":                   schema.StringAttribute{Optional: true, MarkdownDescription: "Microsoft Graph base URL override, default from `environment` (`https://graph.microsoft.com/v1.0` in the public cloud). Env `ARM_GRAPH_URL`."},
			"environment":                 schema.StringAttribute{Optional: true, MarkdownDescription: "The cloud, as in the azuread provider: `public` (default; also `global`), `usgovernment` (also `usgovernmentl4`), `usgovernmentl5` (DoD) or `china`. It chooses the login authority and the Graph host; an explicit `authority_host` or `graph_url` wins, and one that belongs to another cloud is an error. Env `ARM_ENVIRONMENT`."},
		},
	}
}

// Configure resolves both blocks against the environment, validates them and builds the clients. It makes no API
// call: credentials are exercised by the first operation that needs them.
func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m Model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Auth0 == nil {
		m.Auth0 = &Auth0Model{}
	}
	if m.Entra == nil {
		m.Entra = &EntraModel{}
	}
	ua := userAgent(p.version, req.TerraformVersion)

	clients := &conns.Clients{}
	a0, why, diags := resolveAuth0(m.Auth0)
	resp.Diagnostics.Append(diags...)
	if a0 != nil && !diags.HasError() {
		a0.UserAgent = ua
		a0.CacheReads = true // one provider process serves one Terraform command (auth0client cache.go)
		c, err := auth0client.New(ctx, *a0)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("auth0"), "Invalid Auth0 configuration", err.Error())
		}
		clients.Auth0 = c
		tflog.Debug(ctx, "Auth0 client configured", map[string]any{"domain": a0.Domain, "client_id": a0.ClientID, "api_token": a0.APIToken != ""})
	}
	clients.Auth0Missing = why

	en, why, diags := resolveEntra(m.Entra)
	resp.Diagnostics.Append(diags...)
	if en != nil && !diags.HasError() {
		en.UserAgent = ua
		en.CacheReads = true // one provider process serves one Terraform command (entraclient cache.go)
		c, err := entraclient.New(ctx, *en)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("entra"), "Invalid Microsoft Entra configuration", err.Error())
		}
		clients.Entra = c
		tflog.Debug(ctx, "Entra client configured", map[string]any{"tenant_id": en.TenantID, "client_id": en.ClientID, "authority_host": en.AuthorityHost, "graph_url": en.GraphURL})
	}
	clients.EntraMissing = why

	resp.DataSourceData = clients
	resp.ResourceData = clients
	resp.ActionData = clients
}

// setting resolves one string argument: the configuration wins, then the environment variables in order.
type setting struct {
	attr   path.Path
	value  string
	from   string // "" when unset, else the attribute path or the env var it came from
	envs   []string
	unknow bool
}

func str(attr path.Path, v types.String, envs ...string) setting {
	s := setting{attr: attr, envs: envs}
	switch {
	case v.IsUnknown():
		s.unknow = true
	case !v.IsNull() && v.ValueString() != "":
		s.value, s.from = v.ValueString(), attr.String()
	default:
		for _, e := range envs {
			if x := os.Getenv(e); x != "" {
				s.value, s.from = x, e
				break
			}
		}
	}
	return s
}

func boolean(attr path.Path, v types.Bool, envs ...string) (bool, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), attr.String(), diags
	}
	for _, e := range envs {
		if x := os.Getenv(e); x != "" {
			b, err := strconv.ParseBool(x)
			if err != nil {
				diags.AddAttributeError(attr, "Invalid environment variable",
					fmt.Sprintf("%s is %q; set it to true or false.", e, x))
				return false, "", diags
			}
			return b, e, diags
		}
	}
	return false, "", diags
}

// settingSource says where a setting's value came from, for messages: the provider block or the environment.
func settingSource(s setting) string {
	if s.from == s.attr.String() {
		return s.from + " in the provider block"
	}
	return "the environment variable " + s.from + " (" + s.attr.String() + " is not set in the provider block)"
}

// names renders "the attribute auth0.client_id (or AUTH0_CLIENT_ID)".
func (s setting) names() string {
	if len(s.envs) == 0 {
		return s.attr.String()
	}
	return fmt.Sprintf("%s (or %s)", s.attr.String(), strings.Join(s.envs, ", "))
}

func unknownError(diags *diag.Diagnostics, ss ...setting) bool {
	for _, s := range ss {
		if s.unknow {
			diags.AddAttributeError(s.attr, "Provider argument not known until apply",
				fmt.Sprintf("%s depends on a value that is only known after apply, but the provider must be configured before the plan. Use a literal, a variable or %s instead.", s.attr, strings.Join(s.envs, "/")))
			return true
		}
	}
	return false
}

func resolveAuth0(m *Auth0Model) (*auth0client.Config, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	root := path.Root("auth0")
	domain := str(root.AtName("domain"), m.Domain, "AUTH0_DOMAIN")
	id := str(root.AtName("client_id"), m.ClientID, "AUTH0_CLIENT_ID")
	secret := str(root.AtName("client_secret"), m.ClientSecret, "AUTH0_CLIENT_SECRET")
	token := str(root.AtName("api_token"), m.APIToken, "AUTH0_API_TOKEN")
	aud := str(root.AtName("audience"), m.Audience, "AUTH0_AUDIENCE")
	key := str(root.AtName("client_assertion_private_key"), m.ClientAssertionPrivateKey, "AUTH0_CLIENT_ASSERTION_PRIVATE_KEY")
	alg := str(root.AtName("client_assertion_signing_alg"), m.ClientAssertionSigningAlg, "AUTH0_CLIENT_ASSERTION_SIGNING_ALG")
	if unknownError(&diags, domain, id, secret, token, aud, key, alg) {
		return nil, "", diags
	}
	if domain.from == "" && id.from == "" && secret.from == "" && token.from == "" && key.from == "" {
		return nil, "neither the auth0 block nor the AUTH0_* environment variables are set", diags
	}
	if domain.from == "" {
		diags.AddAttributeError(domain.attr, "Missing Auth0 domain",
			"Set "+domain.names()+" to the tenant's canonical domain, e.g. acme.eu.auth0.com.")
	} else if err := checkDomain(domain.value); err != "" {
		diags.AddAttributeError(domain.attr, "Invalid Auth0 domain",
			fmt.Sprintf("%s (from %s) is %q: %s", domain.attr, domain.from, domain.value, err))
	}
	checkClientAssertion(&diags, id, secret, token, key, alg)
	switch {
	case key.from != "":
	case token.from != "" && (id.from != "" || secret.from != ""):
		other := id
		if secret.from != "" {
			other = secret
		}
		diags.AddAttributeError(token.attr, "Contradictory Auth0 credentials",
			fmt.Sprintf("An API token is set (from %s) and so are client credentials (from %s). Set either %s, or %s and %s, not both.",
				token.from, other.from, token.names(), id.names(), secret.names()))
	case token.from != "":
	case id.from == "" && secret.from == "":
		diags.AddAttributeError(root, "Missing Auth0 credentials",
			fmt.Sprintf("Set %s and %s (a machine-to-machine application), or %s.", id.names(), secret.names(), token.names()))
	case id.from == "":
		diags.AddAttributeError(id.attr, "Missing Auth0 client id",
			fmt.Sprintf("A client secret is set (from %s) but no client id: set %s.", secret.from, id.names()))
	case secret.from == "":
		diags.AddAttributeError(secret.attr, "Missing Auth0 client secret",
			fmt.Sprintf("A client id is set (from %s) but no client secret: set %s, or use %s instead.", id.from, secret.names(), token.names()))
	}
	if diags.HasError() {
		return nil, "", diags
	}
	return &auth0client.Config{Domain: domain.value, DomainSource: settingSource(domain), ClientID: id.value, ClientSecret: secret.value,
		APIToken: token.value, Audience: aud.value, ClientAssertionPrivateKey: key.value, ClientAssertionSigningAlg: alg.value}, "", diags
}

// checkDomain returns why d is not a bare host[:port], or "".
func checkDomain(d string) string {
	if strings.Contains(d, "://") {
		return "write the host name only, without a scheme (e.g. acme.eu.auth0.com, not https://acme.eu.auth0.com)."
	}
	u, err := url.Parse("https://" + d)
	if err != nil || u.Host != d || u.Hostname() == "" {
		return "write the host name only, without a path, query or spaces (e.g. acme.eu.auth0.com)."
	}
	return ""
}

func resolveEntra(m *EntraModel) (*entraclient.Config, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	root := path.Root("entra")
	tenant := str(root.AtName("tenant_id"), m.TenantID, "ARM_TENANT_ID")
	id := str(root.AtName("client_id"), m.ClientID, "ARM_CLIENT_ID")
	secret := str(root.AtName("client_secret"), m.ClientSecret, "ARM_CLIENT_SECRET")
	cert := str(root.AtName("client_certificate"), m.ClientCertificate, "ARM_CLIENT_CERTIFICATE")
	certPath := str(root.AtName("client_certificate_path"), m.ClientCertificatePath, "ARM_CLIENT_CERTIFICATE_PATH")
	certPass := str(root.AtName("client_certificate_password"), m.ClientCertificatePassword, "ARM_CLIENT_CERTIFICATE_PASSWORD")
	oidcToken := str(root.AtName("oidc_token"), m.OIDCToken, "ARM_OIDC_TOKEN")
	oidcFile := str(root.AtName("oidc_token_file_path"), m.OIDCTokenFilePath, "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE")
	oidcURL := str(root.AtName("oidc_request_url"), m.OIDCRequestURL, "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL")
	oidcReqTok := str(root.AtName("oidc_request_token"), m.OIDCRequestToken, "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	msiEndpoint := str(root.AtName("msi_endpoint"), m.MSIEndpoint, "ARM_MSI_ENDPOINT")
	authority := str(root.AtName("authority_host"), m.AuthorityHost, "ARM_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST")
	graph := str(root.AtName("graph_url"), m.GraphURL, "ARM_GRAPH_URL")
	env := str(root.AtName("environment"), m.Environment, "ARM_ENVIRONMENT")
	if unknownError(&diags, tenant, id, secret, cert, certPath, certPass, oidcToken, oidcFile, oidcURL, oidcReqTok, msiEndpoint, authority, graph, env) {
		return nil, "", diags
	}
	useOIDC, oidcFrom, d := boolean(root.AtName("use_oidc"), m.UseOIDC, "ARM_USE_OIDC")
	diags.Append(d...)
	useCLI, cliFrom, d := boolean(root.AtName("use_cli"), m.UseCLI, "ARM_USE_CLI")
	diags.Append(d...)
	useMSI, msiFrom, d := boolean(root.AtName("use_msi"), m.UseMSI, "ARM_USE_MSI")
	diags.Append(d...)
	if diags.HasError() {
		return nil, "", diags
	}

	type method struct{ name, from string }
	var methods []method
	if secret.from != "" {
		methods = append(methods, method{"client secret", secret.from})
	}
	if cert.from != "" || certPath.from != "" {
		from := cert.from
		if from == "" {
			from = certPath.from
		}
		if cert.from != "" && certPath.from != "" {
			diags.AddAttributeError(cert.attr, "Contradictory Entra client certificate",
				fmt.Sprintf("Both %s (from %s) and %s (from %s) are set; set one of them.", cert.attr, cert.from, certPath.attr, certPath.from))
		}
		methods = append(methods, method{"client certificate", from})
	}
	if useOIDC {
		methods = append(methods, method{"OIDC (workload identity)", oidcFrom})
	}
	if useCLI {
		methods = append(methods, method{"Azure CLI", cliFrom})
	}
	if useMSI {
		methods = append(methods, method{"managed identity", msiFrom})
	}
	if len(methods) == 0 && tenant.from == "" && id.from == "" {
		return nil, "neither the entra block nor the ARM_* environment variables are set", diags
	}
	switch len(methods) {
	case 0:
		diags.AddAttributeError(root, "Missing Microsoft Entra credential",
			fmt.Sprintf("Choose one credential: %s, %s, use_oidc = true (ARM_USE_OIDC), use_cli = true (ARM_USE_CLI) or use_msi = true (ARM_USE_MSI).", secret.names(), certPath.names()))
	case 1:
	default:
		parts := make([]string, len(methods))
		for i, mm := range methods {
			parts[i] = fmt.Sprintf("%s (from %s)", mm.name, mm.from)
		}
		diags.AddAttributeError(root, "Contradictory Microsoft Entra credentials",
			fmt.Sprintf("More than one credential is selected: %s. Keep exactly one; unset the others in the entra block or the environment.", strings.Join(parts, ", ")))
	}
	needsIDs := !useCLI && !useMSI
	if tenant.from == "" && !useCLI {
		diags.AddAttributeError(tenant.attr, "Missing Microsoft Entra tenant id", "Set "+tenant.names()+" to the directory (tenant) id.")
	} else if tenant.from != "" && !validators.IsGUID(tenant.value) && !strings.Contains(tenant.value, ".") {
		diags.AddAttributeError(tenant.attr, "Invalid Microsoft Entra tenant id",
			fmt.Sprintf("%s (from %s) is %q; set it to the directory id (a GUID) or a verified domain such as contoso.onmicrosoft.com.", tenant.attr, tenant.from, tenant.value))
	}
	if id.from == "" && needsIDs {
		diags.AddAttributeError(id.attr, "Missing Microsoft Entra client id", "Set "+id.names()+" to the application (client) id Terraform authenticates as.")
	}
	if useOIDC && oidcToken.from == "" && oidcFile.from == "" && (oidcURL.from == "" || oidcReqTok.from == "") {
		diags.AddAttributeError(root.AtName("use_oidc"), "Missing OIDC token",
			fmt.Sprintf("use_oidc is on (from %s) but no ID token is available: set %s, %s, or both %s and %s (GitHub Actions sets the last two when the job has `id-token: write`).",
				oidcFrom, oidcToken.names(), oidcFile.names(), oidcURL.names(), oidcReqTok.names()))
	}
	if authority.from != "" {
		if u, err := url.Parse(authority.value); err != nil || u.Scheme != "https" || u.Host == "" {
			diags.AddAttributeError(authority.attr, "Invalid authority host",
				fmt.Sprintf("%s (from %s) is %q; it must be an https URL such as https://login.microsoftonline.com/.", authority.attr, authority.from, authority.value))
		}
	}
	if graph.from != "" {
		if u, err := url.Parse(graph.value); err != nil || (u.Scheme != "https" && !isLoopback(u.Hostname())) || u.Host == "" {
			diags.AddAttributeError(graph.attr, "Invalid Graph URL",
				fmt.Sprintf("%s (from %s) is %q; it must be an https URL such as https://graph.microsoft.com/v1.0.", graph.attr, graph.from, graph.value))
		}
	}
	authorityHost, graphURL := applyEnvironment(&diags, env, authority, graph)
	if diags.HasError() {
		return nil, "", diags
	}
	return &entraclient.Config{
		TenantID: tenant.value, ClientID: id.value, ClientSecret: secret.value,
		ClientCertificate: cert.value, ClientCertificatePath: certPath.value, ClientCertificatePassword: certPass.value,
		UseOIDC: useOIDC, OIDCToken: oidcToken.value, OIDCTokenFilePath: oidcFile.value,
		OIDCRequestURL: oidcURL.value, OIDCRequestToken: oidcReqTok.value,
		UseCLI: useCLI, UseMSI: useMSI, MSIEndpoint: msiEndpoint.value,
		AuthorityHost: authorityHost, GraphURL: graphURL,
		Sources: map[string]string{
			entraclient.SourceAuthorityHost: authority.from, entraclient.SourceGraphURL: graph.from,
			entraclient.SourceClientSecret: secret.from, entraclient.SourceClientID: id.from, entraclient.SourceTenantID: tenant.from,
		},
	}, "", diags
}

// isLoopback reports whether host is a loopback name the Graph client accepts plain http for (the same list as
// entraclient's).
func isLoopback(host string) bool {
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// EntraConfigFromEnvironment resolves the entra settings from the ARM_* environment alone, with the same rules
// and messages as the provider block. Tools outside Terraform (cmd/provision-on-demand) use it.
func EntraConfigFromEnvironment() (*entraclient.Config, diag.Diagnostics) {
	cfg, why, diags := resolveEntra(&EntraModel{})
	if cfg == nil && !diags.HasError() {
		diags.AddError("Microsoft Entra is not configured", "Set the ARM_* environment variables: "+why+".")
	}
	return cfg, diags
}

// Auth0ConfigFromEnvironment resolves the auth0 settings from the AUTH0_* environment alone, with the same rules
// and messages as the provider block (the acceptance tests' tenants target and sweepers use it).
func Auth0ConfigFromEnvironment() (*auth0client.Config, diag.Diagnostics) {
	cfg, why, diags := resolveAuth0(&Auth0Model{})
	if cfg == nil && !diags.HasError() {
		diags.AddError("Auth0 is not configured", "Set the AUTH0_* environment variables: "+why+".")
	}
	return cfg, diags
}
