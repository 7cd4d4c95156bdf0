# The SCIM endpoint of a connection, and the Tenant URL for Entra's provisioning job.
data "auth0entra_scim_endpoint" "corp" {
  # In the configuration that manages SCIM, pass auth0entra_scim_connection.corp.connection_id instead: referencing
  # the resource makes Terraform read the endpoint once the SCIM configuration exists.
  connection_id = var.connection_id
}

output "scim_endpoint" {
  value = data.auth0entra_scim_endpoint.corp.url # https://{tenant}/scim/v2/connections/{id}
}

output "entra_tenant_url" {
  value = data.auth0entra_scim_endpoint.corp.entra_tenant_url # ... plus ?aadOptscim062020
}

variable "connection_id" {
  type        = string
  description = "Id of an Auth0 connection that has a SCIM configuration, e.g. con_AbCdEfGh12345678."
}
