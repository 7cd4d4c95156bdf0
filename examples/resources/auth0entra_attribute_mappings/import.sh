# Import by {service_principal_id}/{job_id}/{source_object}. The imported resource owns the rows that differ from the
# template's defaults; list them in the configuration (in any order: mapping is a set) to get an empty plan. A mapping
# nobody customized imports with no rows: leave mapping out.
terraform import auth0entra_attribute_mappings.corp_users \
  '00000000-0000-0000-0000-000000000000/scim.0123456789abcdef0123456789abcdef.11111111-1111-1111-1111-111111111111/User'
