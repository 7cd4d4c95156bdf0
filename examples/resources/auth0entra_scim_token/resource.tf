# A SCIM token for Entra's provisioning job, rotated a month before it expires.
resource "auth0entra_scim_token" "corp" {
  connection_id = var.connection_id                            # or auth0entra_scim_connection.corp.connection_id
  scopes        = ["get:users", "patch:users", "delete:users"] # older (sub) connections: no post:users
  lifetime      = "8760h"                                      # one year
  rotate_before = "720h"                                       # the plan replaces the token in its last 30 days

  # The new token is created, and reaches Entra, before the old one is revoked.
  # Auth0 allows two active tokens per connection, so this needs a free slot.
  lifecycle {
    create_before_destroy = true
  }
}

variable "connection_id" {
  type        = string
  description = "Id of the Auth0 connection that has a SCIM configuration."
}
