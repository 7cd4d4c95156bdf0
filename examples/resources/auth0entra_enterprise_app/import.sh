# Import by the object id of the enterprise application's service principal
# (Entra admin center > Enterprise applications > the app > Properties > Object ID).
terraform import auth0entra_enterprise_app.corp 00000000-0000-0000-0000-000000000000
