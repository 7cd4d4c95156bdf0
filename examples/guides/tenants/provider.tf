# After the sandbox: the same configuration with an empty provider block reads the tenants from the environment
# (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET or AUTH0_CLIENT_ASSERTION_PRIVATE_KEY; ARM_TENANT_ID,
# ARM_CLIENT_ID, ARM_CLIENT_SECRET or ARM_USE_OIDC). Nothing in it points at the sandbox.
provider "auth0entra" {}
