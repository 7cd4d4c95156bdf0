# Attribute mappings of the provisioning job: users already exist in Auth0 (an older connection keyed
# by the pairwise sub), so Create is deselected; externalId comes from the Entra object id, and users are matched
# on their work e-mail after userName.

resource "auth0entra_attribute_mappings" "corp_users" {
  service_principal_id  = var.service_principal_id # auth0entra_enterprise_app.corp.service_principal_id
  job_id                = var.job_id               # auth0entra_enterprise_app.corp.job_id
  source_object         = "User"
  target_object_actions = ["Update", "Delete"] # "deselect Create"

  mapping = [
    { target_attribute = "externalId", source_attribute = "objectId" },
    { target_attribute = "emails[type eq \"work\"].value", source_attribute = "mail", matching_precedence = 2 },
    {
      target_attribute = "displayName"
      expression       = "Join(\" \", [givenName], [surname])"
      apply            = "on_create"
    },
    { target_attribute = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter", constant = "R&D" },
  ]
}

# Groups, "users and groups": the assigned groups are created in Auth0 with their provisioned members (the SCIM token
# needs get:groups, post:groups, patch:groups); keep the template's rows, provision no deletions.
resource "auth0entra_attribute_mappings" "corp_groups" {
  service_principal_id  = var.service_principal_id # auth0entra_enterprise_app.corp.service_principal_id
  job_id                = var.job_id               # auth0entra_enterprise_app.corp.job_id
  source_object         = "Group"
  enabled               = true
  target_object_actions = ["Create", "Update"]
}

variable "service_principal_id" {
  type        = string
  description = "Object id of the enterprise application's service principal."
}

variable "job_id" {
  type        = string
  description = "Id of its provisioning job."
}

# Or "users only": assigned groups only select which users are provisioned; nothing is sent to Auth0's /Groups.
# resource "auth0entra_attribute_mappings" "corp_groups" {
#   service_principal_id = var.service_principal_id
#   job_id               = var.job_id
#   source_object        = "Group"
#   enabled              = false
# }
