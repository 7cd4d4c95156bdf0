# Import an existing SCIM configuration by the id of its connection.
import {
  to = auth0entra_scim_connection.corp
  id = "con_AbCdEfGh12345678"
}
