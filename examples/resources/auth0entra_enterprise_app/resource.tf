# The non-gallery enterprise application that provisions Entra users into Auth0 over SCIM
# (Auth0's "Configure inbound SCIM for older Azure AD connections", Entra side).

data "auth0entra_scim_endpoint" "corp" {
  connection_id = var.connection_id # or auth0entra_scim_connection.corp.connection_id
}

resource "auth0entra_scim_token" "corp" {
  connection_id = var.connection_id # or auth0entra_scim_connection.corp.connection_id
  scopes        = ["get:users", "patch:users", "delete:users"]
  lifetime      = "8760h"
  rotate_before = "720h"
  lifecycle {
    create_before_destroy = true
  }
}

resource "auth0entra_enterprise_app" "corp" {
  display_name   = "Auth0 SCIM (corp)"
  oidc_client_id = var.oidc_app_client_id # the OIDC app registration the waad connection signs in with (checked)

  # Users and groups who are provisioned (scope = "assigned").
  assignment = [
    { principal_id = var.engineering_group_id, principal_type = "Group" },
  ]

  provisioning = {
    tenant_url = data.auth0entra_scim_endpoint.corp.entra_tenant_url # .../scim/v2/connections/{id}?aadOptscim062020

    # Write-only (Terraform 1.11 and later): the token never reaches the state. Bump the version to send a new one;
    # the token id changes whenever auth0entra_scim_token is replaced.
    secret_token_wo         = auth0entra_scim_token.corp.token
    secret_token_wo_version = auth0entra_scim_token.corp.token_id

    scope   = "assigned" # or "all"
    enabled = true       # Provisioning Status: On
  }

  timeouts {
    create = "30m"
  }
}

output "enterprise_app_service_principal_id" {
  value = auth0entra_enterprise_app.corp.service_principal_id
}

variable "connection_id" {
  type        = string
  description = "Id of the Auth0 waad connection that has a SCIM configuration."
}

variable "oidc_app_client_id" {
  type        = string
  description = "Client id of the Entra app registration the connection signs users in with."
}

variable "engineering_group_id" {
  type        = string
  description = "Object id of the Entra group whose members are provisioned."
}
