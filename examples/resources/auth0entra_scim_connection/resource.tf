# Inbound SCIM on an existing Microsoft Azure AD (waad) connection
# (Auth0's "Configure inbound SCIM for older Azure AD connections", Auth0 side).
resource "auth0entra_scim_connection" "corp" {
  connection_id     = "con_AbCdEfGh12345678" # the existing waad connection
  user_id_attribute = "externalId"           # "SCIM attribute containing the User ID"

  # Merged over Auth0's default mapping for waad connections, keyed by SCIM attribute:
  # a row for a default SCIM attribute changes its Auth0 attribute, any other row is added.
  mapping = [
    { scim = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", auth0 = "app_metadata.dept" },
  ]

  # Default rows to drop: Entra cannot read Auth0's answer when the manager is mapped.
  remove_default_mapping = ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"]

  # Only the settings written here are changed; every other connection option is kept.
  connection_settings = {
    user_id_claim            = "sub"           # Pairwise Subject Identifier, as older connections use
    use_common_endpoint      = false           # SCIM cannot work with the common endpoint
    set_user_root_attributes = "on_each_login" # "Sync user profile attributes at each login"
  }
}

output "effective_mapping" {
  value = auth0entra_scim_connection.corp.effective_mapping
}
