# The state of the provisioning job, and of the SCIM token it uses, read on every plan.
# With the resources in the same configuration, pass auth0entra_enterprise_app.corp.service_principal_id and .job_id,
# and auth0entra_scim_token.corp.connection_id and .token_id.
data "auth0entra_provisioning_status" "corp" {
  service_principal_id = var.service_principal_id
  job_id               = var.job_id

  # Optional, together: also read the token's side in Auth0.
  connection_id = var.connection_id
  token_id      = var.token_id
}

# Whether provisioning really flows. A failed assertion is a warning in the plan or apply; it never blocks the run.
# (While the enterprise app has changes pending, the data source and these assertions are evaluated during apply.)
check "provisioning_healthy" {
  assert {
    condition     = !data.auth0entra_provisioning_status.corp.quarantined
    error_message = "Entra quarantined the provisioning job (${coalesce(data.auth0entra_provisioning_status.corp.quarantine_error, "no details")}). terraform apply tests and saves the credentials again and restarts the job."
  }

  # Per object type, from the provisioning logs (null when they cannot be read: Graph permission AuditLog.Read.All).
  assert {
    condition     = coalesce(data.auth0entra_provisioning_status.corp.last_cycle_group_failures, 0) == 0
    error_message = "Groups failed in the last cycle: ${jsonencode(data.auth0entra_provisioning_status.corp.last_cycle_failures)}. A 403 'Insufficient scope' means the SCIM token lacks the group scopes: disable the Group mapping or add the scopes (guide: Provisioning groups)."
  }

  assert {
    condition     = data.auth0entra_provisioning_status.corp.token_exists
    error_message = "The SCIM token Entra uses no longer exists in Auth0. terraform apply issues a new one and gives it to Entra."
  }
}

output "provisioning_last_cycle" {
  value = data.auth0entra_provisioning_status.corp.last_cycle_state # Succeeded, EntryLevelErrors or Failed; null before the first cycle
}

variable "service_principal_id" {
  type        = string
  description = "Object id of the enterprise application's service principal."
}

variable "job_id" {
  type        = string
  description = "Id of the provisioning job, e.g. scim.0123456789abcdef0123456789abcdef.11111111-1111-1111-1111-111111111111."
}

variable "connection_id" {
  type        = string
  description = "Id of the Auth0 connection that issued the SCIM token."
}

variable "token_id" {
  type        = string
  description = "Id of the SCIM token Entra uses."
}
