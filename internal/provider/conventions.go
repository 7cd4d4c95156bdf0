package provider

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/auth0client"
)

// Conventions users bring from the auth0 and azuread providers: the national clouds chosen by `environment` /
// ARM_ENVIRONMENT, Auth0's Private Key JWT client assertion, and the Terraform version in the user agent
// (contributing/facts/provider-conventions.md).

// cloudEnvironment is one Microsoft cloud: its login authority and Microsoft Graph host.
type cloudEnvironment struct {
	name      string
	authority string // https://host/
	graphHost string
}

var (
	cloudPublic  = cloudEnvironment{"public", "https://login.microsoftonline.com/", "graph.microsoft.com"}
	cloudUSGov   = cloudEnvironment{"usgovernment", "https://login.microsoftonline.us/", "graph.microsoft.us"}
	cloudUSGovL5 = cloudEnvironment{"usgovernmentl5", "https://login.microsoftonline.us/", "dod-graph.microsoft.us"}
	cloudChina   = cloudEnvironment{"china", "https://login.chinacloudapi.cn/", "microsoftgraph.chinacloudapi.cn"}
)

// environments maps every accepted value of `environment` (lower case) to its cloud; the aliases are azuread's.
var environments = map[string]cloudEnvironment{
	"public": cloudPublic, "global": cloudPublic,
	"usgovernment": cloudUSGov, "usgovernmentl4": cloudUSGov,
	"usgovernmentl5": cloudUSGovL5,
	"china":          cloudChina,
}

// knownCloudOf returns the cloud a host belongs to, when it is one of the clouds' login or Graph hosts.
func knownCloudOf(host string) (cloudEnvironment, bool) {
	host = strings.ToLower(host)
	for _, c := range []cloudEnvironment{cloudPublic, cloudUSGov, cloudUSGovL5, cloudChina} {
		if host == c.graphHost || "https://"+host+"/" == c.authority {
			return c, true
		}
	}
	return cloudEnvironment{}, false
}

// applyEnvironment returns the authority host and Graph URL: an explicit override wins; otherwise the chosen
// environment's hosts (none chosen: empty, which means the public cloud). An override on another known cloud's
// host than the chosen environment's is reported; hosts of no known cloud (a proxy, the sandbox) are accepted.
func applyEnvironment(diags *diag.Diagnostics, env, authority, graph setting) (string, string) {
	authorityHost, graphURL := authority.value, graph.value
	if env.from == "" {
		return authorityHost, graphURL
	}
	cloud, ok := environments[strings.ToLower(strings.TrimSpace(env.value))]
	if !ok {
		diags.AddAttributeError(env.attr, "Invalid Microsoft cloud environment",
			fmt.Sprintf("%s (from %s) is %q; set it to public, usgovernment, usgovernmentl5 or china (or unset it for the public cloud).", env.attr, env.from, cut(env.value)))
		return "", ""
	}
	for _, o := range []setting{authority, graph} {
		if o.from == "" {
			continue
		}
		u, err := url.Parse(o.value)
		if err != nil {
			continue // reported by the URL checks
		}
		if other, known := knownCloudOf(u.Hostname()); known && other.graphHost != cloud.graphHost && other.authority != cloud.authority {
			diags.AddAttributeError(o.attr, "Conflicting Microsoft cloud settings",
				fmt.Sprintf("%s (from %s) is %q, a host of the %s cloud, but %s (from %s) is %q. Unset one of them, or make them name the same cloud.",
					o.attr, o.from, cut(o.value), other.name, env.attr, env.from, env.value))
		}
	}
	if authorityHost == "" {
		authorityHost = cloud.authority
		if cloud.name == cloudPublic.name {
			authorityHost = "" // the default: keep instance discovery on, as without `environment`
		}
	}
	if graphURL == "" && cloud.name != cloudPublic.name {
		graphURL = "https://" + cloud.graphHost + "/v1.0"
	}
	return authorityHost, graphURL
}

// checkClientAssertion validates the Private Key JWT settings: a private key needs a client id and excludes a client
// secret and an API token; the algorithm must be one go-auth0 signs with.
func checkClientAssertion(diags *diag.Diagnostics, id, secret, token, key, alg setting) {
	if alg.from != "" {
		ok := false
		for _, a := range auth0client.ClientAssertionSigningAlgs {
			ok = ok || a == alg.value
		}
		if !ok {
			diags.AddAttributeError(alg.attr, "Invalid client assertion signing algorithm",
				fmt.Sprintf("%s (from %s) is %q; set it to one of %s (upper case).", alg.attr, alg.from, cut(alg.value), strings.Join(auth0client.ClientAssertionSigningAlgs, ", ")))
		}
		if key.from == "" {
			diags.AddAttributeError(alg.attr, "Client assertion signing algorithm without a private key",
				fmt.Sprintf("%s is set (from %s) but no private key is: set %s, or unset %s.", alg.attr, alg.from, key.names(), alg.names()))
		}
	}
	if key.from == "" {
		return
	}
	switch {
	case secret.from != "":
		diags.AddAttributeError(key.attr, "Contradictory Auth0 credentials",
			fmt.Sprintf("A client assertion private key is set (from %s) and so is a client secret (from %s). Keep one: %s or %s.", key.from, secret.from, key.names(), secret.names()))
	case token.from != "":
		diags.AddAttributeError(key.attr, "Contradictory Auth0 credentials",
			fmt.Sprintf("A client assertion private key is set (from %s) and so is an API token (from %s). Keep one: %s or %s.", key.from, token.from, key.names(), token.names()))
	case id.from == "":
		diags.AddAttributeError(id.attr, "Missing Auth0 client id",
			fmt.Sprintf("A client assertion private key is set (from %s) but no client id: set %s.", key.from, id.names()))
	}
	if !strings.Contains(key.value, "-----BEGIN") {
		diags.AddAttributeError(key.attr, "Invalid client assertion private key",
			fmt.Sprintf("%s (from %s) is not a PEM private key; set it to the key's PEM text (-----BEGIN PRIVATE KEY----- ...), e.g. with file(\"key.pem\").", key.attr, key.from))
	}
}

// userAgent names the provider and the Terraform CLI, as the auth0 and azuread providers do.
func userAgent(version, terraformVersion string) string {
	if terraformVersion == "" {
		terraformVersion = "unknown"
	}
	return fmt.Sprintf("terraform-provider-auth0entra/%s (+https://registry.terraform.io/providers/auth0entra/auth0entra) Terraform/%s", version, terraformVersion)
}

// cut shortens a value quoted in an error message.
func cut(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
