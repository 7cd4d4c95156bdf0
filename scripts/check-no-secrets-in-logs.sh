#!/usr/bin/env bash
# Runs the tests of the packages that handle secrets (SECRET_PACKAGES: the SCIM token and the enterprise app, whose
# tests create tokens and hand them to Entra) with TF_LOG=trace and fails when they fail or when any log line holds a
# secret: an Auth0 SCIM token (tok_<16 alphanumerics>.<64 hex>) or a bearer token. `make test` runs those packages
# here only, not a second time in its go test. (TestAccSCIMToken_secretNeverLogged does the same inside the suite,
# with its own log file, and also looks for the provider credentials: the Auth0 and Entra client secrets.)
#
# Client secrets (Auth0's or Entra's) are not looked for here: they have no shape a pattern can tell from other
# values (the sandbox makes random hex strings, a sandbox per test), and the tests run here write them into the
# provider block (acctest.ProviderConfig), which the test harness itself logs at trace level. Only a test that
# knows the values and passes them through the environment can check them, which the suite's test does.
set -euo pipefail
cd "$(dirname "$0")/.."
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
TERRAFORM="${TERRAFORM:-$(command -v terraform)}"

read -r -a packages <<<"${SECRET_PACKAGES:-./internal/scimtoken ./internal/enterpriseapp}"
TF_ACC=1 TF_ACC_TERRAFORM_PATH="$TERRAFORM" TF_LOG=trace TF_ACC_LOG=trace TF_LOG_PATH_MASK="$logs/%s.log" \
  go test -count=1 -timeout 20m -run "${SECRET_TESTS:-.}" "${packages[@]}" >"$logs/go-test.out" 2>&1 || {
  cat "$logs/go-test.out"; echo "check-no-secrets-in-logs: the tests failed"; exit 1; }
cat "$logs/go-test.out"

files=("$logs"/*.log "$logs/go-test.out")
lines=$(cat "${files[@]}" 2>/dev/null | wc -l)
if [ "$lines" -lt 100 ]; then
  echo "check-no-secrets-in-logs: only $lines log lines were written; trace logging did not work"; exit 1
fi
if grep -EHn 'tok_[A-Za-z0-9]{16}\.[0-9a-f]{64}|[Bb]earer [A-Za-z0-9._~+/=-]{20,}' "${files[@]}" >"$logs/hits" 2>/dev/null; then
  echo "check-no-secrets-in-logs: secrets found in trace logs:"; cut -c1-300 "$logs/hits" | head -20; exit 1
fi
echo "check-no-secrets-in-logs: $lines trace log lines, no secret found"
