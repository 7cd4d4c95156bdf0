# The seed flow with USERS AND GROUPS: the assigned Engineering group is also created in Auth0 (a connection group,
# Management API /api/v2/groups) with its provisioned members, and kept in step every cycle.
#
# What changes from examples/complete: the SCIM token carries the group scopes, and the Group object mapping stays
# enabled (its rows and actions managed like the User mapping's). Auth0 accepts at most 10,000 members per group
# write and 1,000 per PATCH, and group names must be unique in the connection. See the guide "Provisioning groups".
#
# terraform apply -var connection_id=... -var oidc_app_client_id=... -var engineering_group_id=...

terraform {
  required_version = ">= 1.11"
  required_providers {
    auth0entra = {
      source = "auth0entra/auth0entra"
    }
  }
}

provider "auth0entra" {}

resource "auth0entra_scim_connection" "corp" {
  connection_id     = var.connection_id
  user_id_attribute = "externalId"
  mapping = [
    { scim = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", auth0 = "app_metadata.dept" },
  ]
  remove_default_mapping = ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"]
  connection_settings = {
    user_id_claim            = "sub"
    use_common_endpoint      = false
    set_user_root_attributes = "on_each_login"
  }
}

data "auth0entra_scim_endpoint" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
}

# The older connection's user scopes, plus what Entra's Group mapping needs: get (match by displayName), post
# (create), patch (attributes and members) and delete (a group unassigned from the app). Entra never sends PUT.
resource "auth0entra_scim_token" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
  scopes = [
    "get:users", "patch:users", "delete:users",
    "get:groups", "post:groups", "patch:groups", "delete:groups",
  ]
  lifetime      = "8760h"
  rotate_before = "720h"
  lifecycle {
    create_before_destroy = true
  }
}

resource "auth0entra_enterprise_app" "corp" {
  display_name   = "Auth0 SCIM (corp)"
  oidc_client_id = var.oidc_app_client_id
  assignment = [
    { principal_id = var.engineering_group_id, principal_type = "Group" },
  ]
  provisioning = {
    tenant_url              = data.auth0entra_scim_endpoint.corp.entra_tenant_url
    secret_token_wo         = auth0entra_scim_token.corp.token
    secret_token_wo_version = auth0entra_scim_token.corp.token_id
    scope                   = "assigned"
    enabled                 = true
  }
}

resource "auth0entra_attribute_mappings" "corp_users" {
  service_principal_id  = auth0entra_enterprise_app.corp.service_principal_id
  job_id                = auth0entra_enterprise_app.corp.job_id
  source_object         = "User"
  target_object_actions = ["Update", "Delete"]
  mapping = [
    { target_attribute = "externalId", source_attribute = "objectId" },
    { target_attribute = "emails[type eq \"work\"].value", source_attribute = "mail", matching_precedence = 2 },
  ]
}

# Users and groups: the Group object mapping on, with the template's rows (displayName, matched with precedence 1;
# externalId from the Entra object id; members). Rows listed in `mapping` would override them, as for users.
resource "auth0entra_attribute_mappings" "corp_groups" {
  service_principal_id  = auth0entra_enterprise_app.corp.service_principal_id
  job_id                = auth0entra_enterprise_app.corp.job_id
  source_object         = "Group"
  enabled               = true
  target_object_actions = ["Create", "Update", "Delete"]
}
