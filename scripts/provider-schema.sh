#!/usr/bin/env bash
# provider-schema.sh DIR: prints the provider's schema as `terraform providers schema -json` reports it, for the
# provider binary in DIR (terraform-provider-auth0entra). `make testbin` writes it for tfplugindocs
# (--providers-schema), so the docs steps read the binary make test built instead of building their own.
#
# No `terraform init` and no network: dev_overrides points the implicit hashicorp/auth0entra source (the name
# tfplugindocs looks the schema up by) at DIR, in a temporary directory holding only an empty provider block.
set -euo pipefail
bin_dir="$(cd "${1:?usage: provider-schema.sh DIR_WITH_PROVIDER_BINARY}" && pwd)"
[ -x "$bin_dir/terraform-provider-auth0entra" ] || { echo "provider-schema: no provider binary in $bin_dir" >&2; exit 2; }
TERRAFORM="${TERRAFORM:-$(command -v terraform)}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "hashicorp/auth0entra" = "$bin_dir"
  }
  direct {}
}
RC
echo 'provider "auth0entra" {}' >"$work/main.tf"
cd "$work"
# Terraform warns about dev_overrides on stderr; stdout is the JSON alone. The warnings are shown only on failure.
TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 "$TERRAFORM" providers schema -json \
  2>"$work/stderr" || { cat "$work/stderr" >&2; echo "provider-schema: terraform providers schema failed" >&2; exit 1; }
