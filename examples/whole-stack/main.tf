# Try your whole stack offline: the official auth0 and azuread providers create what the SCIM setup assumes exists
# (the Auth0 M2M client and its grant, the OIDC app registration in Entra and its service principal, the group of
# people to provision and its members, the waad connection), and auth0entra
# configures inbound SCIM on top. `make whole-stack AUTH0_PROVIDER=... AZUREAD_PROVIDER=...` applies it against the
# sandbox with locally built provider binaries; pointed at real tenants it is the same configuration.
#
# Ownership (guide "Using auth0_connection next to this provider"): auth0_connection owns every connection option,
# including the three SCIM depends on (user_id_attribute, waad_common_endpoint, set_user_root_attributes);
# auth0entra_scim_connection owns the SCIM configuration and has no connection_settings, so the two never fight.

terraform {
  required_version = ">= 1.11"
  required_providers {
    auth0 = {
      source = "auth0/auth0"
    }
    azuread = {
      source = "hashicorp/azuread"
    }
    auth0entra = {
      source = "auth0entra/auth0entra"
    }
  }
}

# All three read their credentials from the environment (AUTH0_DOMAIN/CLIENT_ID/CLIENT_SECRET; ARM_TENANT_ID,
# ARM_CLIENT_ID, ARM_CLIENT_SECRET and, for the sandbox, ARM_METADATA_HOSTNAME), as `source .sandbox/env` sets them.
provider "auth0" {}
provider "azuread" {}
provider "auth0entra" {}

# --- Entra (azuread) -----------------------------------------------------------------------------------------------

# The app registration the waad connection signs users in with, redirecting to the Auth0 tenant's callback, and its
# service principal (so that people of the tenant can sign in through it).
resource "azuread_application" "oidc" {
  display_name     = "Auth0 login (${var.name})"
  sign_in_audience = "AzureADMyOrg"
  web {
    redirect_uris = ["https://${var.auth0_domain}/login/callback"]
  }
}

resource "azuread_service_principal" "oidc" {
  client_id = azuread_application.oidc.client_id
}

# The people to provision: a security group assigned to the enterprise app below, and its members.
resource "azuread_group" "scim_users" {
  display_name     = "SCIM users (${var.name})"
  security_enabled = true
}

resource "azuread_group_member" "scim_users" {
  for_each         = toset(var.member_ids)
  group_object_id  = azuread_group.scim_users.object_id
  member_object_id = each.value
}

# --- Auth0 (auth0) -------------------------------------------------------------------------------------------------

# The machine-to-machine application auth0entra would run as in production, with the Management API scopes it needs.
resource "auth0_client" "scim_automation" {
  name     = "SCIM automation (${var.name})"
  app_type = "non_interactive"
}

resource "auth0_client_grant" "scim_automation" {
  client_id = auth0_client.scim_automation.id
  audience  = "https://${var.auth0_domain}/api/v2/"
  scopes = [
    "read:connections", "update:connections",
    "read:scim_config", "create:scim_config", "update:scim_config", "delete:scim_config",
    "read:scim_token", "create:scim_token", "delete:scim_token",
  ]
}

# The older Azure AD connection the seed guide starts from. auth0_connection owns all its options.
resource "auth0_connection" "corp" {
  name     = "entra-${var.name}"
  strategy = "waad"
  options {
    client_id                              = azuread_application.oidc.client_id
    client_secret                          = var.oidc_client_secret
    domain                                 = var.entra_domain
    tenant_domain                          = var.entra_domain
    identity_api                           = "microsoft-identity-platform-v2.0"
    waad_protocol                          = "openid-connect"
    api_enable_users                       = true
    should_trust_email_verified_connection = "never_set_emails_as_verified"
    # The settings SCIM depends on, owned here (older connections: sub, no common endpoint, sync at each login).
    user_id_attribute        = "sub"
    waad_common_endpoint     = false
    set_user_root_attributes = "on_each_login"
  }
  # auth0entra keeps its crash-recovery markers (auth0entra_scim, auth0entra_scim_token) in the connection's
  # metadata; without this, every plan of auth0_connection would remove them.
  lifecycle {
    ignore_changes = [metadata]
  }
}

# --- SCIM (auth0entra) ---------------------------------------------------------------------------------------------

resource "auth0entra_scim_connection" "corp" {
  connection_id     = auth0_connection.corp.id
  user_id_attribute = "externalId"
  mapping = [
    { scim = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department", auth0 = "app_metadata.dept" },
  ]
  remove_default_mapping = ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager"]
  # No connection_settings: auth0_connection owns them; this resource reads them.
}

data "auth0entra_scim_endpoint" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
}

resource "auth0entra_scim_token" "corp" {
  connection_id = auth0entra_scim_connection.corp.connection_id
  scopes        = ["get:users", "patch:users", "delete:users"]
  lifetime      = "8760h"
  rotate_before = "720h"
  lifecycle {
    create_before_destroy = true
  }
}

resource "auth0entra_enterprise_app" "corp" {
  display_name   = "Auth0 SCIM (${var.name})"
  oidc_client_id = azuread_application.oidc.client_id
  assignment = [
    { principal_id = azuread_group.scim_users.object_id, principal_type = "Group" },
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

# Users only: the token above has user scopes, so the assigned group selects who is provisioned and is not itself
# exported to Auth0 (guide "Provisioning groups").
resource "auth0entra_attribute_mappings" "corp_groups" {
  service_principal_id = auth0entra_enterprise_app.corp.service_principal_id
  job_id               = auth0entra_enterprise_app.corp.job_id
  source_object        = "Group"
  enabled              = false
}
