# Try your whole stack offline: the official auth0 and azuread providers create what the SCIM setup assumes exists
# (the Auth0 M2M client and its grant, the OIDC app registration in Entra, the waad connection), and auth0entra
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

# The app registration the waad connection signs users in with. (The sandbox does not serve POST /applications yet,
# so the example instantiates it from the non-gallery template, which creates the same app registration with its
# service principal; against a real tenant, azuread_application works as well.)
data "azuread_application_template" "custom" {
  display_name = "Custom"
}

resource "azuread_application_from_template" "oidc" {
  display_name = "Auth0 login (${var.name})"
  template_id  = data.azuread_application_template.custom.template_id
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
    client_id                              = azuread_application_from_template.oidc.application_id
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
  oidc_client_id = azuread_application_from_template.oidc.application_id
  assignment = [
    { principal_id = var.group_id, principal_type = "Group" },
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
