package entra

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Synchronization secrets: PUT/GET /servicePrincipals/{id}/synchronization/secrets (microsoft-graph.md §5.7). They
// belong to the service principal, not to a job, and can be saved before a job exists.

// secretKV is synchronizationSecretKeyStringValuePair.
type secretKV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// secretKeys is the synchronizationSecret enum (microsoft-graph.md §5.7). Keys are case-sensitive PascalCase.
var secretKeys = []string{"None", "UserName", "Password", "SecretToken", "AppKey", "BaseAddress", "ClientIdentifier",
	"ClientSecret", "SingleSignOnType", "Sandbox", "Url", "Domain", "ConsumerKey", "ConsumerSecret", "TokenKey",
	"TokenExpiration", "Oauth2AccessToken", "Oauth2AccessTokenCreationTime", "Oauth2RefreshToken", "SyncAll",
	"InstanceName", "Oauth2ClientId", "Oauth2ClientSecret", "CompanyId", "UpdateKeyOnSoftDelete",
	"SynchronizationSchedule", "SystemOfRecord", "SandboxName", "EnforceDomain", "SyncNotificationSettings",
	"SkipOutOfScopeDeletions", "Oauth2AuthorizationCode", "Oauth2RedirectUri", "ApplicationTemplateIdentifier",
	"Oauth2TokenExchangeUri", "Oauth2AuthorizationUri", "AuthenticationType", "Server",
	"PerformInboundEntitlementGrants", "HardDeletesEnabled", "SyncAgentCompatibilityKey", "SyncAgentADContainer",
	"ValidateDomain", "TestReferences", "ConnectionString"}

// maskedSecretKeys come back from GET as "*". The service does not return secret values in clear (microsoft-graph.md
// §5.7:
// terraform-provider-azuread treats "*" as masked); which keys it masks is UNKNOWN. The sandbox masks the keys that
// hold credentials and shows configuration keys (BaseAddress, SyncAll, SyncNotificationSettings, ...) so that a
// provider can detect drift in the tenant URL and scope, but never in the token.
var maskedSecretKeys = map[string]bool{
	"Password": true, "SecretToken": true, "AppKey": true, "ClientSecret": true, "ConsumerSecret": true,
	"TokenKey": true, "Oauth2AccessToken": true, "Oauth2RefreshToken": true, "Oauth2ClientSecret": true,
	"Oauth2AuthorizationCode": true, "ConnectionString": true,
}

// invalidNotificationSettings is the OBSERVED answer to SyncNotificationSettings = "" (microsoft-graph.md §5.7,
// msgraph-metadata#347): code UnknownError with a JSON document inside message.
const invalidNotificationSettings = "{\r\n  \"error\":{\r\n    \"code\":\"InvalidNotificationSettings\",\"message\":null,\"target\":null,\"details\":[\r\n      \r\n    ],\"innerError\":null\r\n  }\r\n}"

// checkSecretKeys answers the OBSERVED 500 for a key that is not exactly an enum member, e.g. "baseAddress"
// (microsoft-graph.md §5.7, msgraph-beta-sdk-java#372).
func (s *Server) checkSecretKeys(w http.ResponseWriter, r *http.Request, kvs []secretKV) bool {
	for _, kv := range kvs {
		if !containsExact(secretKeys, kv.Key) {
			s.graphError(w, r, http.StatusInternalServerError, CodeInternalError, fmt.Sprintf("Requested value '%s' was not found.", kv.Key))
			return false
		}
	}
	return true
}

// putSecrets serves PUT …/synchronization/secrets {value:[{key,value}]} → 204. Merge semantics are UNKNOWN
// (microsoft-graph.md §5.7); the sandbox follows the suggestion: merge by key, "" removes the key.
func (s *Server) putSecrets(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Value []secretKV `json:"value"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	if !s.checkSecretKeys(w, r, body.Value) {
		return
	}
	for _, kv := range body.Value {
		if kv.Key == "SyncNotificationSettings" {
			var v map[string]any
			if json.Unmarshal([]byte(kv.Value), &v) != nil {
				s.graphError(w, r, http.StatusBadRequest, CodeUnknownError, invalidNotificationSettings)
				return
			}
		}
	}
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		sp.secrets = mergeSecrets(sp.secrets, body.Value)
		noContent(w)
	})
}

func mergeSecrets(cur, upd []secretKV) []secretKV {
	out := append([]secretKV(nil), cur...)
	for _, kv := range upd {
		i := indexSecret(out, kv.Key)
		switch {
		case kv.Value == "" && i >= 0:
			out = append(out[:i], out[i+1:]...)
		case kv.Value == "":
		case i >= 0:
			out[i].Value = kv.Value
		default:
			out = append(out, kv)
		}
	}
	return out
}

func indexSecret(kvs []secretKV, key string) int {
	for i, kv := range kvs {
		if kv.Key == key {
			return i
		}
	}
	return -1
}

func secretValue(kvs []secretKV, key string) string {
	if i := indexSecret(kvs, key); i >= 0 {
		return kvs[i].Value
	}
	return ""
}

// secretsConfigured reports whether the SCIM credentials (tenant URL and token) are saved.
func secretsConfigured(kvs []secretKV) bool {
	return secretValue(kvs, "BaseAddress") != "" && secretValue(kvs, "SecretToken") != ""
}

// syncAll reports the scope: SyncAll "true" syncs everyone, anything else only assigned users and groups.
func syncAll(kvs []secretKV) bool { return strings.EqualFold(secretValue(kvs, "SyncAll"), "true") }

// getSecrets serves GET …/synchronization/secrets → 200 {value:[…]} with credential values masked as "*". (Graph
// supports this GET although msgraph-sdk-go has no builder for it, microsoft-graph.md §2 item 5.)
func (s *Server) getSecrets(w http.ResponseWriter, r *http.Request) {
	s.withSP(w, r, func(w http.ResponseWriter, sp *servicePrincipal) {
		out := make([]secretKV, 0, len(sp.secrets))
		for _, kv := range sp.secrets {
			if maskedSecretKeys[kv.Key] {
				kv.Value = "*"
			}
			out = append(out, kv)
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": s.syncContextLocked(r, sp, "secrets"),
			"value":          out,
		})
	})
}
