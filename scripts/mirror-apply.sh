#!/usr/bin/env bash
# Proves a user can run the provider without a registry, as README.md's "Install" section says:
#
#   1. `make install` (HOME pointed at a temp dir) builds with the version from scripts/version.sh into the local
#      filesystem mirror layout (under `make test`, INSTALL_FROM names the binary make test already built with that
#      version, and install copies it), ~/.terraform.d/plugins/<registry host>/auth0entra/auth0entra/<version>/<os>_<arch>/;
#   2. a copy of examples/complete pinned to that exact version passes `init` with a CLI configuration that allows
#      the filesystem mirror only (no network, no dev_overrides), and a second directory passes `init` with no
#      provider_installation block at all (the CLI's implied local mirror search);
#   3. `apply` against the sandbox, a second `plan` that must be empty, and `destroy`.
#
# The CLI is the first argument: Terraform (make test, make installcheck) or OpenTofu (make tofu TOFU=...), which
# resolves "auth0entra/auth0entra" on registry.opentofu.org instead of registry.terraform.io. Nothing is written to
# the real home directory; Go keeps its real caches.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1 # no version check over the network
cli="${1:-${TERRAFORM:-$(command -v terraform || true)}}"
[ -n "$cli" ] && [ -x "$cli" ] || { echo "mirror-apply: no Terraform or OpenTofu CLI given (usage: $0 /path/to/terraform-or-tofu)"; exit 1; }
# Read the whole output first: `| head -1` would end the CLI with SIGPIPE, which pipefail turns into a failure.
cli_out="$("$cli" version 2>/dev/null)" || { echo "mirror-apply: '$cli version' failed"; exit 1; }
# The version line, not simply the first line: OpenTofu prints CLI-configuration warnings before it (for example
# when TF_CLI_CONFIG_FILE names a file that does not exist), where Terraform stays silent.
cli_version="$(printf '%s\n' "$cli_out" | grep -m1 -E '^(OpenTofu|Terraform) v' || true)"
[ -n "$cli_version" ] || { printf '%s\n' "$cli_out"; echo "mirror-apply: '$cli version' printed no Terraform or OpenTofu version line"; exit 1; }
case "$cli_version" in
  OpenTofu*) name=OpenTofu host=registry.opentofu.org ;;
  *) name=Terraform host=registry.terraform.io ;;
esac

work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that cleanup runs when the script is stopped

# Go keeps its real caches and settings; only make install and the CLI see the temp home.
GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)" GOENV="$(go env GOENV)"
export GOCACHE GOMODCACHE GOPATH GOENV
export HOME="$work/home" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
mkdir -p "$HOME"

version="$(scripts/version.sh)"
echo "==> make install (version $version) into a temp HOME"
make -s install >"$work/install.txt" 2>&1 || { cat "$work/install.txt"; echo "mirror-apply: make install failed"; exit 1; }
bin="$HOME/.terraform.d/plugins/$host/auth0entra/auth0entra/$version/$(go env GOOS)_$(go env GOARCH)/terraform-provider-auth0entra_v$version"
[ -x "$bin" ] || { cat "$work/install.txt"; find "$HOME" -type f; echo "mirror-apply: make install did not write $bin"; exit 1; }
# The version is injected, not the "dev" default.
grep -qaF "$version" "$bin" || { echo "mirror-apply: $bin does not carry version $version (-X main.version missing?)"; exit 1; }

echo "==> sandbox"
go build -o "$work/sandbox" ./cmd/sandbox
"$work/sandbox" -dir "$work/sandbox-dir" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
deadline=$((SECONDS + 60))
until [ -s "$work/sandbox-dir/env" ]; do
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; echo "mirror-apply: the sandbox exited"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { cat "$work/sandbox.log"; echo "mirror-apply: the sandbox did not start within 60s"; exit 1; }
  sleep 0.2
done
# shellcheck disable=SC1091
source "$work/sandbox-dir/env"
export TF_VAR_connection_id="$SANDBOX_CONNECTION_ID"
export TF_VAR_oidc_app_client_id="$SANDBOX_OIDC_CLIENT_ID"
export TF_VAR_engineering_group_id="$SANDBOX_GROUP_ID"

# examples/complete, pinned to the installed version.
pin() {
  cp -R examples/complete "$1"
  rm -rf "$1/.terraform" "$1/.terraform.lock.hcl" "$1"/terraform.tfstate*
  sed -i -E "s|^([[:space:]]*)source([[:space:]]*)= \"auth0entra/auth0entra\"|&\n\1version\2= \"$version\"|" "$1/main.tf"
  grep -qF "version = \"$version\"" "$1/main.tf" || { echo "mirror-apply: could not pin the version in $1/main.tf"; exit 1; }
}
locked() {
  local got
  got="$(grep -A1 "provider \"$host/auth0entra/auth0entra\"" "$1/.terraform.lock.hcl" | sed -n -E 's/^[[:space:]]*version[[:space:]]*= "(.*)"$/\1/p')"
  [ "$got" = "$version" ] ||
    { cat "$1/.terraform.lock.hcl"; echo "mirror-apply: the lock file selects '$got', not $host/auth0entra/auth0entra $version"; exit 1; }
}

echo "==> $cli_version: init from the filesystem mirror only"
cat >"$work/mirror-only.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path = "$HOME/.terraform.d/plugins"
  }
}
RC
pin "$work/complete"
tf() { TF_CLI_CONFIG_FILE="$work/mirror-only.tfrc" "$cli" -chdir="$work/complete" "$@"; }
tf init -input=false -no-color >"$work/init.txt" 2>&1 || { cat "$work/init.txt"; echo "mirror-apply: $name init failed"; exit 1; }
locked "$work/complete"

echo "==> $cli_version: init with the implied local mirror (no provider_installation block)"
: >"$work/empty.tfrc"
pin "$work/implied"
TF_CLI_CONFIG_FILE="$work/empty.tfrc" "$cli" -chdir="$work/implied" init -backend=false -input=false -no-color >"$work/init2.txt" 2>&1 ||
  { cat "$work/init2.txt"; echo "mirror-apply: $name init with the implied local mirror failed"; exit 1; }
locked "$work/implied"

echo "==> apply examples/complete against the sandbox"
tf apply -auto-approve -input=false -no-color >"$work/apply.txt" 2>&1 || { cat "$work/apply.txt"; echo "mirror-apply: $name apply failed"; exit 1; }
grep -E '^Apply complete' "$work/apply.txt"
set +e
tf plan -detailed-exitcode -input=false -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
[ "$code" -eq 0 ] || { cat "$work/plan.txt"; echo "mirror-apply: the second $name plan is not empty (exit $code)"; exit 1; }
echo "second plan: no changes"
tf destroy -auto-approve -input=false -no-color >"$work/destroy.txt" 2>&1 || { cat "$work/destroy.txt"; echo "mirror-apply: $name destroy failed"; exit 1; }
grep -E '^Destroy complete' "$work/destroy.txt"
echo "mirror-apply: $name installed auth0entra/auth0entra $version from $HOME/.terraform.d/plugins (temp) and applied, re-planned empty, destroyed"
