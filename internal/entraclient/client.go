// Package entraclient wires msgraph-sdk-go and azidentity for the provider: credentials from the entra block and
// ARM_* variables, authority and Graph overrides, retries bounded by the operation's context, waits for Entra
// replication, and the synchronization schema as raw JSON written with PUT.
package entraclient

import (
	"context"
	"errors"
)

// Config is what the provider's entra block resolves to.
type Config struct {
	TenantID string
	ClientID string

	ClientSecret string

	// ClientCertificate is a base64-encoded PKCS#12 bundle or PEM; ClientCertificatePath a file holding one.
	ClientCertificate         string
	ClientCertificatePath     string
	ClientCertificatePassword string

	// UseOIDC selects workload identity federation: an ID token from OIDCToken, OIDCTokenFilePath, or requested
	// from OIDCRequestURL with OIDCRequestToken (GitHub Actions).
	UseOIDC           bool
	OIDCToken         string
	OIDCTokenFilePath string
	OIDCRequestURL    string
	OIDCRequestToken  string

	UseCLI bool
	UseMSI bool
	// MSIEndpoint overrides the managed identity endpoint.
	MSIEndpoint string

	// AuthorityHost overrides https://login.microsoftonline.com/ (instance discovery is then turned off).
	AuthorityHost string
	// GraphURL overrides https://graph.microsoft.com/v1.0.
	GraphURL string

	UserAgent string
}

// Client is the provider's Microsoft Graph client.
type Client struct {
	cfg Config
}

// New builds a Client. It makes no API call.
func New(ctx context.Context, cfg Config) (*Client, error) {
	return nil, errors.New("entraclient: not implemented yet")
}
