#!/usr/bin/env bash
# Prints the provider version for a build from this checkout, without a leading "v", in the form Terraform and
# OpenTofu accept for a provider (strict semver: MAJOR.MINOR.PATCH, optional -prerelease, optional +build):
#
#   on tag v0.1.0                        0.1.0
#   5 commits after v0.1.0 (g1a2b3c4)    0.1.1-dev.5+g1a2b3c4    (above 0.1.0, below 0.1.1)
#   no v* tag reachable                  0.0.0-dev+g1a2b3c4
#   uncommitted changes                  the same, with ".dirty" appended to the +build part
#   not a git checkout                   0.0.0-dev+unknown
#
# A pre-release version is never chosen by a range constraint (">= 0.1"): pin it exactly, as `make install` prints.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "0.0.0-dev+unknown"; exit 0
fi
dirty=""
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=".dirty"; fi
sha="g$(git rev-parse --short=8 HEAD)"

desc="$(git describe --tags --match 'v[0-9]*.[0-9]*.[0-9]*' --long 2>/dev/null || true)"
if [ -z "$desc" ]; then
  echo "0.0.0-dev+${sha}${dirty}"; exit 0
fi
# vMAJOR.MINOR.PATCH[-pre]-COUNT-gSHA
if [[ ! "$desc" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)(-[0-9A-Za-z.-]+)?-([0-9]+)-g[0-9a-f]+$ ]]; then
  echo "version.sh: cannot read git describe output '$desc'; tags must look like v1.2.3 or v1.2.3-rc.1" >&2; exit 1
fi
major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}" patch="${BASH_REMATCH[3]}" pre="${BASH_REMATCH[4]}" count="${BASH_REMATCH[5]}"
if [ "$count" -eq 0 ]; then
  if [ -n "$dirty" ]; then echo "${major}.${minor}.${patch}${pre}+${sha}${dirty}"; else echo "${major}.${minor}.${patch}${pre}"; fi
  exit 0
fi
if [ -n "$pre" ]; then
  # After v1.2.3-rc.1: 1.2.3-rc.1.dev.5 sorts above the tag and below 1.2.3.
  echo "${major}.${minor}.${patch}${pre}.dev.${count}+${sha}${dirty}"
else
  echo "${major}.${minor}.$((patch + 1))-dev.${count}+${sha}${dirty}"
fi
