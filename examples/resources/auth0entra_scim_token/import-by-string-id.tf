# Import an existing SCIM token by "<connection_id>:<token_id>"; its secret cannot be imported.
import {
  to = auth0entra_scim_token.corp
  id = "con_AbCdEfGh12345678:tok_AbCdEfGh12345678"
}
