# The whole seed flow: Auth0's "Configure inbound SCIM for older Azure AD connections" in one apply.
#
# Setup: USERS ONLY. The Engineering group is assigned to the enterprise app so that its members are provisioned,
# but the group itself is not created in Auth0: the Group object mapping is disabled (auth0entra_attribute_mappings
# "corp_groups" below) and the token carries user scopes only, as Auth0's guide for older connections asks. Entra's
# template enables the Group mapping by default; left on with this token, every cycle's group export is refused
# (403) and the job goes into quarantine. To create the group in Auth0 too, see examples/users-and-groups and the
# guide "Provisioning groups".
#
# Configure the provider with the AUTH0_* and ARM_* environment variables (after `source .sandbox/env` for the
# sandbox), then: terraform apply -var connection_id=... -var oidc_app_client_id=... -var engineering_group_id=...

terraform {
  required_version = ">= 1.11"
  required_providers {
    auth0entra = {
      source = "auth0entra/auth0entra"
    }
  }
}

provider "auth0entra" {}

# The Auth0 connection steps: connection settings, SCIM configuration, user id attribute, additional mappings.
resource "auth0entra_scim_connection" "corp" {
  connection_id     = var.connection_id
  user_id_attribute = "externalId"
  mapping = [
    { scim = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", auth0 = "app_metadata.dept" },
  ]
  # Auth0's default manager mapping makes Entra fail to read Auth0's answers (a known incompatibility).
  remove_default_mapping = ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"]
  connection_settings = {
    user_id_claim            = "sub"
    use_common_endpoint      = false
    set_user_root_attributes = "on_each_login" # "Sync user profile attributes at each login"
  }
}

# The SCIM endpoint URL, and the Entra tenant URL with ?aadOptscim062020.
data "auth0entra_scim_endpoint" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
}

# SCIM token: a token with the scopes an older connection needs (no post:users: Create stays off in Entra).
resource "auth0entra_scim_token" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
  scopes        = ["get:users", "patch:users", "delete:users"]
  lifetime      = "8760h"
  rotate_before = "720h"
  lifecycle {
    create_before_destroy = true
  }
}

# The enterprise app and its job: the non-gallery enterprise app, its assignments, the provisioning job and its
# credentials.
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

# The mapping edits: deselect Create, source externalId from objectId, match on the work e-mail with precedence 2.
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

# Users only: the Group object mapping ("Provision Microsoft Entra ID Groups") off. No request ever reaches Auth0's
# /Groups, and the token needs no group scope.
resource "auth0entra_attribute_mappings" "corp_groups" {
  service_principal_id = auth0entra_enterprise_app.corp.service_principal_id
  job_id               = auth0entra_enterprise_app.corp.job_id
  source_object        = "Group"
  enabled              = false
}
