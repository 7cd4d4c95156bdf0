#!/usr/bin/env bash
# make whole-stack AUTH0_PROVIDER=<path to terraform-provider-auth0> AZUREAD_PROVIDER=<path to terraform-provider-azuread>
#
# Applies examples/whole-stack against a fresh sandbox with the official providers built locally (dev_overrides: no
# registry, no download), checks that a second plan is empty, and destroys. Nothing here downloads a provider; the
# binaries must exist. Secrets are never printed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
TERRAFORM="${TERRAFORM:-$(command -v terraform)}"
: "${AUTH0_PROVIDER:?set AUTH0_PROVIDER to a terraform-provider-auth0 binary built from source}"
: "${AZUREAD_PROVIDER:?set AZUREAD_PROVIDER to a terraform-provider-azuread binary built from source}"
for b in "$AUTH0_PROVIDER" "$AZUREAD_PROVIDER" bin/terraform-provider-auth0entra bin/sandbox; do
  [ -x "$b" ] || { echo "whole-stack: $b is not an executable (run 'make build'; build the official providers from source)"; exit 1; }
done

work="$(mktemp -d)"
mkdir -p "$work/sandbox" "$work/auth0" "$work/azuread"
# dev_overrides finds terraform-provider-<type> in a directory: link each binary under its expected name.
ln -s "$(cd "$(dirname "$AUTH0_PROVIDER")" && pwd)/$(basename "$AUTH0_PROVIDER")" "$work/auth0/terraform-provider-auth0"
ln -s "$(cd "$(dirname "$AZUREAD_PROVIDER")" && pwd)/$(basename "$AZUREAD_PROVIDER")" "$work/azuread/terraform-provider-azuread"

bin/sandbox -official-providers -dir "$work/sandbox" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
cleanup() { kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
deadline=$((SECONDS + 60))
until [ -s "$work/sandbox/env" ]; do
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; echo "whole-stack: the sandbox exited"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "whole-stack: the sandbox did not start within 60s"; exit 1; }
  sleep 0.2
done
# shellcheck disable=SC1091
source "$work/sandbox/env"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "auth0entra/auth0entra" = "$root/bin"
    "auth0/auth0"           = "$work/auth0"
    "hashicorp/azuread"     = "$work/azuread"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1
# The sandbox seeds a waad connection named entra-corp (the seed's situation); the stack creates its own beside it.
export TF_VAR_name=stack
export TF_VAR_auth0_domain="$AUTH0_DOMAIN" TF_VAR_member_ids="[\"$SANDBOX_USER_ALICE_ID\",\"$SANDBOX_USER_BOB_ID\"]"
TF_VAR_oidc_client_secret="$(head -c 24 /dev/urandom | base64)"
export TF_VAR_oidc_client_secret
cp -R examples/whole-stack "$work/stack"
tf() { "$TERRAFORM" -chdir="$work/stack" "$@"; }
run() { # run <name> <terraform args...>: keep the output, show it only on failure
  local name=$1; shift
  if ! tf "$@" -input=false -no-color >"$work/$name.txt" 2>&1; then cat "$work/$name.txt"; echo "whole-stack: terraform $name failed"; exit 1; fi
}

echo "==> apply examples/whole-stack (auth0 + azuread + auth0entra against the sandbox)"
run apply apply -auto-approve
grep -E 'Creation complete|^Apply complete' "$work/apply.txt" | sed 's/\[id=[^]]*\]//'
echo "==> a second plan must be empty"
set +e
tf plan -detailed-exitcode -input=false -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
[ "$code" -eq 0 ] || { cat "$work/plan.txt"; echo "whole-stack: the second plan is not empty (exit $code)"; exit 1; }
echo "No changes."
echo "==> destroy"
run destroy destroy -auto-approve
grep -E '^Destroy complete' "$work/destroy.txt"
