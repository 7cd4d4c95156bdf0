package entra

import (
	"net/http"
	"strings"
)

// The ARM metadata document, GET /metadata/endpoints?api-version=2022-09-01: how the official azuread provider
// (hashicorp/go-azure-sdk sdk/environments.FromEndpoint, used when ARM_METADATA_HOSTNAME is set) discovers a private
// cloud. It reads `name` (required), `resourceManager` (required), `microsoftGraphResourceId` (required: both the
// Graph endpoint and the token resource), `authentication.loginEndpoint` (token URL = loginEndpoint + "/" +
// tenant + "/oauth2/v2.0/token") and the DNS suffixes. Shape and sources: contributing/facts/entra-tokens.md §1.
//
// The sandbox names itself for every endpoint it serves (login, Graph, resource manager) and keeps Azure's values
// for the ones it does not serve, so a parser that reads them still gets well-formed values.

// armMetadata serves the document. api-version is required, as on management.azure.com (UNKNOWN: the wording of
// ARM's error for a missing api-version is not recorded; the sandbox answers 400 with ARM's error envelope).
func (s *Server) armMetadata(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{
			"code":    "MissingApiVersionParameter",
			"message": "The api-version query parameter (?api-version=) is required for all requests.",
		}})
		return
	}
	b := s.base(r)
	// UNKNOWN: whether older api-versions (2019-05-01, 2020-06-01: an array of every cloud) matter to any client the
	// sandbox serves; go-azure-sdk asks for 2022-09-01 only. Every version gets the 2022-09-01 single-object shape.
	writeJSONType(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"portal": b,
		"authentication": map[string]any{
			// Without a trailing slash: go-azure-sdk appends "/{tenant}/oauth2/v2.0/token" to it.
			"loginEndpoint":    b,
			"audiences":        []string{b + "/"},
			"tenant":           "common",
			"identityProvider": "AAD",
		},
		"media":         "https://rest.media.azure.net",
		"graphAudience": "https://graph.windows.net/",
		"graph":         "https://graph.windows.net/",
		"name":          "AuthEntraSandbox",
		"suffixes": map[string]any{
			"azureDataLakeStoreFileSystem":        "azuredatalakestore.net",
			"acrLoginServer":                      "azurecr.io",
			"sqlServerHostname":                   "database.windows.net",
			"azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
			"keyVaultDns":                         "vault.azure.net",
			"storage":                             "core.windows.net",
			"azureFrontDoorEndpointSuffix":        "azurefd.net",
			"storageSyncEndpointSuffix":           "afs.azure.net",
			"mhsmDns":                             "managedhsm.azure.net",
			"mysqlServerEndpoint":                 "mysql.database.azure.com",
			"postgresqlServerEndpoint":            "postgres.database.azure.com",
			"mariadbServerEndpoint":               "mariadb.database.azure.com",
			"synapseAnalytics":                    "dev.azuresynapse.net",
			"attestationEndpoint":                 "attest.azure.net",
		},
		"batch":                                 "https://batch.core.windows.net/",
		"resourceManager":                       b + "/",
		"vmImageAliasDoc":                       "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
		"activeDirectoryDataLake":               "https://datalake.azure.net/",
		"sqlManagement":                         "https://management.core.windows.net:8443/",
		"microsoftGraphResourceId":              b + "/",
		"appInsightsResourceId":                 "https://api.applicationinsights.io",
		"appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
		"attestationResourceId":                 "https://attest.azure.net",
		"synapseAnalyticsResourceId":            "https://dev.azuresynapse.net",
		"logAnalyticsResourceId":                "https://api.loganalytics.io",
		"ossrDbmsResourceId":                    "https://ossrdbms-aad.database.windows.net",
	})
}

// MetadataHost returns host:port for ARM_METADATA_HOSTNAME: the sandbox serves the ARM metadata document itself.
func (s *Server) MetadataHost() string {
	return strings.TrimPrefix(s.BaseURL(), "https://")
}
