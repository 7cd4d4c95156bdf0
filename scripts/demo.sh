#!/usr/bin/env bash
# make demo: start the sandbox, apply examples/complete against it with the provider just built, show the result,
# prove a second plan is empty, then run the seed's "Provision on Demand" test for a user present in Auth0 and one
# absent from it. Secrets are never printed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
TERRAFORM="${TERRAFORM:-$(command -v terraform)}"
[ -x bin/terraform-provider-auth0entra ] && [ -x bin/sandbox ] || { echo "demo: run 'make build' first"; exit 1; }

work="$(mktemp -d)"
# The demo's own sandbox lives in the temporary directory, so a sandbox started by `make sandbox` (.sandbox/) keeps
# running untouched.
sbdir="$work/sandbox"
bin/sandbox -dir "$sbdir" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
cleanup() { kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Wait for the sandbox to write its env file: poll with a deadline.
deadline=$((SECONDS + 60))
until [ -s "$sbdir/env" ]; do
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; echo "demo: the sandbox exited"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { cat "$work/sandbox.log"; echo "demo: the sandbox did not start within 60s"; exit 1; }
  sleep 0.2
done
# shellcheck disable=SC1091
source "$sbdir/env"

# Use the provider binary just built, as a provider developer would (no registry, no init needed).
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "auth0entra/auth0entra" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1
export TF_VAR_connection_id="$SANDBOX_CONNECTION_ID"
export TF_VAR_oidc_app_client_id="$SANDBOX_OIDC_CLIENT_ID"
export TF_VAR_engineering_group_id="$SANDBOX_GROUP_ID"
cp -R examples/complete "$work/complete"
tf() { "$TERRAFORM" -chdir="$work/complete" "$@"; }
# What Graph's job status code means right after `terraform apply` started the job.
job_status_meaning() {
  case "$1" in
    NotRun) echo "started, no provisioning cycle yet: Entra runs the first one on its schedule, every 40 minutes" ;;
    Active) echo "started, and a provisioning cycle has run" ;;
    Paused) echo "stopped: provisioning is off" ;;
    NotConfigured) echo "no credentials saved yet" ;;
    Quarantine) echo "quarantined after repeated failures" ;;
    *) echo "see auth0entra_provisioning_status" ;;
  esac
}

echo "==> terraform apply examples/complete (Auth0 tenant https://$AUTH0_DOMAIN; Entra tenant $ARM_TENANT_ID through Microsoft Graph at $ARM_GRAPH_URL)"
if ! tf apply -auto-approve -input=false -no-color >"$work/apply.txt" 2>&1; then
  cat "$work/apply.txt"; echo "demo: terraform apply failed"; exit 1
fi
grep -E '^(auth0entra_|data\.auth0entra_).*(complete|Creating|Reading)|^Apply complete' "$work/apply.txt"
# The provider's warnings, if any (Terraform's own about dev_overrides left out).
grep -E '^Warning: ' "$work/apply.txt" | grep -v 'development overrides' || true
echo
echo "==> a second plan must be empty"
set +e
tf plan -detailed-exitcode -input=false -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
if [ "$code" -ne 0 ]; then cat "$work/plan.txt"; echo "demo: the second plan is not empty (exit $code)"; exit 1; fi
echo "No changes: both clouds match the configuration."

echo
echo "==> result"
sp="$(tf output -raw service_principal_id)"
job="$(tf output -raw provisioning_job_id)"
printf '  %-26s %s\n' \
  "SCIM endpoint URL" "$(tf output -raw scim_endpoint_url)" \
  "Tenant URL for Entra" "$(tf output -raw entra_tenant_url)" \
  "SCIM token id" "$(tf output -raw scim_token_id)" \
  "Service principal" "$sp" \
  "Provisioning job" "$job" \
  "Job status" "$(tf output -raw provisioning_job_status) ($(job_status_meaning "$(tf output -raw provisioning_job_status)"))"

if [ -d cmd/provision-on-demand ]; then
  echo
  echo "==> Provision on Demand: one user present in Auth0, one absent"
  go build -o bin/provision-on-demand ./cmd/provision-on-demand
  pod() { bin/provision-on-demand -service-principal-id "$sp" -job-id "$job" -user-id "$1"; }
  echo "--- $SANDBOX_USER_ALICE_UPN (already logged in, so present in Auth0): expect an update"
  set +e; out="$(pod "$SANDBOX_USER_ALICE_ID")"; code=$?; set -e
  echo "$out"
  [ "$code" -eq 0 ] && grep -q "was updated" <<<"$out" || { echo "demo: $SANDBOX_USER_ALICE_UPN was not updated"; exit 1; }
  echo "--- $SANDBOX_USER_CAROL_UPN (never logged in, so absent from Auth0): expect the documented error"
  set +e; out="$(pod "$SANDBOX_USER_CAROL_ID")"; code=$?; set -e
  echo "$out"
  [ "$code" -eq 2 ] && grep -q "ActionTypeNotEnabled" <<<"$out" || { echo "demo: $SANDBOX_USER_CAROL_UPN did not give the expected error"; exit 1; }
  echo
  echo "Seed outcomes reproduced: the present user was updated; the absent user was not created (Create is deselected)."
fi

# Groups (examples/complete chooses "users only"): the assigned group selects whose accounts are provisioned, and the
# group itself is never sent to Auth0, because the Group object mapping is disabled.
if [ -d cmd/provision-on-demand ]; then
  echo
  echo "==> the assigned group (users only: the Group object mapping is disabled)"
  set +e; out="$(bin/provision-on-demand -service-principal-id "$sp" -job-id "$job" -group-id "$SANDBOX_GROUP_ID")"; code=$?; set -e
  echo "$out"
  [ "$code" -eq 2 ] && grep -q "ObjectMappingDisabled" <<<"$out" || { echo "demo: the assigned group was not skipped"; exit 1; }
  echo "The group's members are provisioned as users; the group itself is not created in Auth0 (see examples/users-and-groups)."
fi
