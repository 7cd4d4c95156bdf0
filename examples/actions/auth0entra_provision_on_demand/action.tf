# Terraform 1.14 and later. The "Provision on Demand" test that ends Auth0's guide: Entra provisions one user into
# Auth0 now and reports each step (import, scoping, matching, export) as progress.

# A user who has already signed in through the connection, so exists in Auth0: updated.
action "auth0entra_provision_on_demand" "present_user" {
  config {
    service_principal_id = var.service_principal_id
    job_id               = var.job_id
    object_id            = var.present_user_id # Entra object id of an assigned user
  }
}

# A user absent from Auth0: with Create deselected Entra skips them (ActionTypeNotEnabled), which is the expected
# result here, so report it as a warning instead of failing the run.
action "auth0entra_provision_on_demand" "absent_user" {
  config {
    service_principal_id = var.service_principal_id
    job_id               = var.job_id
    object_id            = var.absent_user_id
    expect_success       = false
  }
}

# With users and groups (examples/users-and-groups): the group itself, with up to five of its members named, each
# reported on its own. Invoke it by hand: terraform apply -invoke=action.auth0entra_provision_on_demand.engineering
action "auth0entra_provision_on_demand" "engineering" {
  config {
    service_principal_id = var.service_principal_id
    job_id               = var.job_id
    object_id            = var.group_id
    object_type          = "Group"
    member_ids           = [var.present_user_id]
  }
}

# Run the test whenever the mappings change. On demand: terraform apply -invoke=action.auth0entra_provision_on_demand.present_user
resource "auth0entra_attribute_mappings" "corp_users" {
  service_principal_id  = var.service_principal_id # auth0entra_enterprise_app.corp.service_principal_id
  job_id                = var.job_id               # auth0entra_enterprise_app.corp.job_id
  source_object         = "User"
  target_object_actions = ["Update", "Delete"]
  mapping = [
    { target_attribute = "externalId", source_attribute = "objectId" },
    { target_attribute = "emails[type eq \"work\"].value", source_attribute = "mail", matching_precedence = 2 },
  ]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.auth0entra_provision_on_demand.present_user, action.auth0entra_provision_on_demand.absent_user]
    }
  }
}

variable "present_user_id" {
  type        = string
  description = "Object id of an assigned Entra user who exists in Auth0."
}

variable "absent_user_id" {
  type        = string
  description = "Object id of an assigned Entra user who does not exist in Auth0."
}

variable "group_id" {
  type        = string
  description = "Object id of the Entra group assigned to the enterprise application."
}

variable "service_principal_id" {
  type        = string
  description = "Object id of the enterprise application's service principal."
}

variable "job_id" {
  type        = string
  description = "Id of its provisioning job."
}
