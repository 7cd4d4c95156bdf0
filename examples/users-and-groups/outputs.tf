output "service_principal_id" {
  value = auth0entra_enterprise_app.corp.service_principal_id
}

output "provisioning_job_id" {
  value = auth0entra_enterprise_app.corp.job_id
}

output "scim_token_id" {
  description = "Id of the SCIM token Entra uses (the token itself is sensitive and never printed)."
  value       = auth0entra_scim_token.corp.token_id
}
