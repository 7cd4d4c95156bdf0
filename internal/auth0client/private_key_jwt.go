package auth0client

import (
	"context"

	"github.com/auth0/go-auth0/management"
)

// DefaultClientAssertionSigningAlg is the Private Key JWT signing algorithm when none is configured (the auth0
// provider's default for AUTH0_CLIENT_ASSERTION_SIGNING_ALG).
const DefaultClientAssertionSigningAlg = "RS256"

// ClientAssertionSigningAlgs are the algorithms go-auth0 v1.49.0 signs client assertions with.
var ClientAssertionSigningAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// privateKeyJWTOption authenticates the client-credentials grant with a client assertion signed by the configured
// private key (Auth0's Private Key JWT), with the configured audience when there is one.
func privateKeyJWTOption(ctx context.Context, cfg Config) management.Option {
	alg := cfg.ClientAssertionSigningAlg
	if alg == "" {
		alg = DefaultClientAssertionSigningAlg
	}
	if cfg.Audience != "" {
		return management.WithClientCredentialsPrivateKeyJwtAndAudience(ctx, cfg.ClientID, cfg.ClientAssertionPrivateKey, alg, cfg.Audience)
	}
	return management.WithClientCredentialsPrivateKeyJwt(ctx, cfg.ClientID, cfg.ClientAssertionPrivateKey, alg)
}
