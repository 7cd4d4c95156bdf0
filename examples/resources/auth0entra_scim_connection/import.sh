# Import by the connection id (Auth0 Dashboard > Authentication > Enterprise > Microsoft Azure AD > the connection).
# mapping and remove_default_mapping are read back as the differences from Auth0's default mapping.
terraform import auth0entra_scim_connection.corp con_AbCdEfGh12345678
