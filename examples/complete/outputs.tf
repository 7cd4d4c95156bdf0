output "scim_endpoint_url" {
  description = "The connection's SCIM endpoint (Auth0 dashboard: SCIM Setup)."
  value       = data.auth0entra_scim_endpoint.corp.url
}

output "entra_tenant_url" {
  description = "What Entra's Admin Credentials call the Tenant URL."
  value       = data.auth0entra_scim_endpoint.corp.entra_tenant_url
}

output "scim_token_id" {
  description = "Id of the SCIM token Entra uses (the token itself is sensitive and never printed)."
  value       = auth0entra_scim_token.corp.token_id
}

output "scim_token_valid_until" {
  value = auth0entra_scim_token.corp.valid_until
}

output "service_principal_id" {
  value = auth0entra_enterprise_app.corp.service_principal_id
}

output "provisioning_job_id" {
  value = auth0entra_enterprise_app.corp.job_id
}

output "provisioning_job_status" {
  value = auth0entra_enterprise_app.corp.job_status
}
