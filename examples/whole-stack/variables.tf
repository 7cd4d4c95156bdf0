variable "name" {
  type        = string
  description = "Suffix for every name this example creates."
  default     = "corp"
}

variable "auth0_domain" {
  type        = string
  description = "The Auth0 tenant's domain (AUTH0_DOMAIN); the Management API audience is https://<domain>/api/v2/."
}

variable "entra_domain" {
  type        = string
  description = "The Entra tenant's domain, e.g. contoso.onmicrosoft.com (the sandbox's is sandbox.onmicrosoft.com)."
  default     = "sandbox.onmicrosoft.com"
}

variable "oidc_client_secret" {
  type        = string
  sensitive   = true
  description = "A client secret of the OIDC app registration, for the waad connection (kept in your secret store)."
}

variable "member_ids" {
  type        = list(string)
  description = "Object ids of the Entra users to put in the provisioned group (the sandbox seeds some: SANDBOX_USER_ALICE_ID, SANDBOX_USER_BOB_ID, …)."
  default     = []
}
