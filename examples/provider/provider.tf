terraform {
  required_providers {
    auth0entra = {
      source = "auth0entra/auth0entra"
    }
  }
}

# Both blocks may be left out when the AUTH0_* and ARM_* environment variables are set,
# the same ones the auth0 and azuread providers read.
provider "auth0entra" {
  auth0 {
    domain        = "acme.eu.auth0.com"
    client_id     = var.auth0_client_id
    client_secret = var.auth0_client_secret
  }
  entra {
    tenant_id = var.tenant_id
    client_id = var.client_id
    use_oidc  = true # GitHub Actions / workload identity; client secret, certificate, CLI and managed identity work too
  }
}

variable "auth0_client_id" {
  type = string
}

variable "auth0_client_secret" {
  type      = string
  sensitive = true
}

variable "tenant_id" {
  type = string
}

variable "client_id" {
  type = string
}
