# Import by {service_principal_id}/{job_id}/{source_object}; the job id is auth0entra_enterprise_app's job_id. The
# resource adopts the rows that differ from the template: list them under mapping, in any order.
import {
  to = auth0entra_attribute_mappings.corp_users
  id = "00000000-0000-0000-0000-000000000000/scim.0123456789abcdef0123456789abcdef.11111111-1111-1111-1111-111111111111/User"
}
