#!/usr/bin/env bash
# check-examples.sh DIR: every example directory under examples/ passes `terraform validate` on its own, against the
# provider binary in DIR (terraform-provider-auth0entra, built by `make examplescheck`). Part of `make test`.
#
# No `terraform init` and no network: a temporary CLI configuration points both auth0entra/auth0entra and the
# implicit hashicorp/auth0entra (examples without a required_providers block) at DIR with dev_overrides. Each example
# is validated in a copy, so examples/ never gets a .terraform directory.
#
# Skipped, with the reason printed, but still fmt-checked:
#   - a directory whose required_providers name any provider but auth0entra (such as the official auth0 and azuread
#     providers): validating it would need `terraform init` and the registry;
#   - a directory using actions (`action` blocks), when the Terraform CLI is older than 1.14.
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir="$(cd "${1:?usage: check-examples.sh DIR_WITH_PROVIDER_BINARY}" && pwd)"
[ -x "$bin_dir/terraform-provider-auth0entra" ] || { echo "examplescheck: no provider binary in $bin_dir" >&2; exit 2; }
TERRAFORM="${TERRAFORM:-$(command -v terraform)}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "auth0entra/auth0entra" = "$bin_dir"
    "hashicorp/auth0entra"  = "$bin_dir"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# Terraform's minor version, e.g. 11 for 1.11.4.
tf_minor="$("$TERRAFORM" version -json | sed -n 's/.*"terraform_version": *"1\.\([0-9]*\)\..*/\1/p')"

# providers_named DIR prints the local names declared in DIR's required_providers blocks, one per line.
providers_named() {
  awk '
    /required_providers[ \t]*\{/ { inside = 1; depth = 0 }
    inside {
      line = $0; sub(/#.*/, "", line)
      if (depth == 1 && match(line, /^[ \t]*[A-Za-z0-9_-]+[ \t]*=/)) {
        name = substr(line, RSTART, RLENGTH); gsub(/[ \t=]/, "", name); print name
      }
      depth += gsub(/\{/, "{", line) - gsub(/\}/, "}", line)
      if (depth <= 0) inside = 0
    }' "$1"/*.tf
}

validated=0 skipped=0 failed=0
while IFS= read -r dir; do
  others="$(providers_named "$dir" | grep -vx 'auth0entra' | sort -u | tr '\n' ' ' || true)"
  if [ -n "$others" ]; then
    echo "skip     $dir: needs providers other than auth0entra (${others% }), fmt-checked only"
    skipped=$((skipped + 1))
    continue
  fi
  if grep -qE '^[[:space:]]*action[[:space:]]+"' "$dir"/*.tf && [ "${tf_minor:-0}" -lt 14 ]; then
    echo "skip     $dir: uses actions, which need Terraform 1.14 (this is 1.$tf_minor), fmt-checked only"
    skipped=$((skipped + 1))
    continue
  fi
  copy="$work/$(echo "$dir" | tr '/' '_')"
  cp -R "$dir" "$copy"
  if out="$("$TERRAFORM" -chdir="$copy" validate -no-color 2>&1)"; then
    echo "ok       $dir"
    validated=$((validated + 1))
  else
    echo "FAILED   $dir"
    sed -n '/Error:/,$p' <<<"$out" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done < <(find examples -name '*.tf' -not -path '*/.terraform/*' -exec dirname {} \; | sort -u)

echo "examples: $validated validated, $skipped fmt-checked only, $failed failed"
[ "$failed" -eq 0 ]
