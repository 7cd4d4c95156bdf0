# The Auth0 machine-to-machine application the auth0entra provider authenticates as, and its grant on the
# Management API with exactly the scopes the provider needs. Apply it with the official auth0 provider, as a
# tenant administrator (for example with a short-lived AUTH0_API_TOKEN from the Dashboard).
terraform {
  required_providers {
    auth0 = {
      source  = "auth0/auth0"
      version = ">= 1.34.0"
    }
  }
}

variable "auth0_domain" {
  type        = string
  description = "Canonical tenant domain, e.g. acme.eu.auth0.com."
}

resource "auth0_client" "auth0entra" {
  name     = "terraform-provider-auth0entra"
  app_type = "non_interactive"
}

resource "auth0_client_grant" "auth0entra" {
  client_id = auth0_client.auth0entra.id
  audience  = "https://${var.auth0_domain}/api/v2/"
  scopes = [
    "read:connections",
    "update:connections",
    "read:scim_config",
    "create:scim_config",
    "update:scim_config",
    "delete:scim_config",
    "read:scim_token",
    "create:scim_token",
    "delete:scim_token",
  ]
}

# Client authentication: a client secret (client_secret_post), or Private Key JWT with a public key you keep the
# private half of (AUTH0_CLIENT_ASSERTION_PRIVATE_KEY for the auth0entra provider).
variable "assertion_public_key_pem" {
  type        = string
  default     = null
  description = "PEM public key for Private Key JWT; null keeps a client secret."
}

resource "auth0_client_credentials" "auth0entra" {
  client_id             = auth0_client.auth0entra.id
  authentication_method = var.assertion_public_key_pem == null ? "client_secret_post" : "private_key_jwt"

  dynamic "private_key_jwt" {
    for_each = var.assertion_public_key_pem == null ? [] : [var.assertion_public_key_pem]
    content {
      credentials {
        name                   = "terraform-provider-auth0entra"
        credential_type        = "public_key"
        pem                    = private_key_jwt.value
        algorithm              = "RS256"
        parse_expiry_from_cert = false
      }
    }
  }
}

output "auth0_client_id" {
  value = auth0_client.auth0entra.client_id
}
