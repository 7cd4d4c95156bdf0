# The Entra app registration the auth0entra provider authenticates as, its Microsoft Graph application permissions
# and their admin consent, and a federated credential for GitHub Actions (workload identity federation, no secret).
# Apply it with the official azuread provider as a Privileged Role Administrator or Global Administrator (admin
# consent to application permissions needs one of them).
terraform {
  required_providers {
    azuread = {
      source  = "hashicorp/azuread"
      version = ">= 3.0.0"
    }
  }
}

variable "github_repository" {
  type        = string
  description = "owner/name of the repository whose workflow runs terraform."
}

data "azuread_application_published_app_ids" "well_known" {}

resource "azuread_service_principal" "msgraph" {
  client_id    = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]
  use_existing = true
}

locals {
  # Exactly the permissions the provider needs (docs/index.md, "Permissions").
  graph_permissions = [
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "Synchronization.ReadWrite.All",
    "User.Read.All",
    "GroupMember.Read.All",
  ]
}

resource "azuread_application" "auth0entra" {
  display_name = "terraform-provider-auth0entra"

  required_resource_access {
    resource_app_id = data.azuread_application_published_app_ids.well_known.result["MicrosoftGraph"]

    dynamic "resource_access" {
      for_each = local.graph_permissions
      content {
        id   = azuread_service_principal.msgraph.app_role_ids[resource_access.value]
        type = "Role"
      }
    }
  }
}

resource "azuread_service_principal" "auth0entra" {
  client_id = azuread_application.auth0entra.client_id
}

# Admin consent: one app role assignment per application permission.
resource "azuread_app_role_assignment" "graph" {
  for_each = toset(local.graph_permissions)

  app_role_id         = azuread_service_principal.msgraph.app_role_ids[each.value]
  principal_object_id = azuread_service_principal.auth0entra.object_id
  resource_object_id  = azuread_service_principal.msgraph.object_id
}

# One credential per token subject GitHub issues: pushes to main (apply) and pull requests (plan).
resource "azuread_application_federated_identity_credential" "github" {
  for_each = {
    main         = "repo:${var.github_repository}:ref:refs/heads/main"
    pull-request = "repo:${var.github_repository}:pull_request"
  }

  application_id = azuread_application.auth0entra.id
  display_name   = "github-actions-${each.key}"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = each.value
}

output "arm_client_id" {
  value = azuread_application.auth0entra.client_id
}
