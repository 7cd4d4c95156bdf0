output "connection_id" {
  value = auth0_connection.corp.id
}

output "oidc_client_id" {
  value = azuread_application.oidc.client_id
}

output "group_id" {
  value = azuread_group.scim_users.object_id
}

output "scim_automation_client_id" {
  value = auth0_client.scim_automation.id
}

output "service_principal_id" {
  value = auth0entra_enterprise_app.corp.service_principal_id
}

output "entra_tenant_url" {
  value = data.auth0entra_scim_endpoint.corp.entra_tenant_url
}
