# Import by "<connection_id>:<token_id>". Auth0 shows a token's secret only when it is created,
# so an imported token has no `token`: replace it (terraform apply -replace=...) to get one.
terraform import auth0entra_scim_token.corp con_AbCdEfGh12345678:tok_AbCdEfGh12345678
