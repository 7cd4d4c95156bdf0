# Import by the object id of the enterprise application's service principal. After the import, the first apply
# records oidc_client_id and secret_token_wo_version (Entra does not store them) and sends the configured token.
import {
  to = auth0entra_enterprise_app.corp
  id = "00000000-0000-0000-0000-000000000000"
}
