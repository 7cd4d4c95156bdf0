variable "connection_id" {
  type        = string
  description = "Id of the existing Microsoft Azure AD (waad) connection in Auth0, e.g. con_XXXXXXXXXXXXXXXX."
}

variable "oidc_app_client_id" {
  type        = string
  description = "Client (application) id of the Entra app registration the connection logs in with."
}

variable "engineering_group_id" {
  type        = string
  description = "Object id of the Entra group whose members are provisioned."
}
