#!/usr/bin/env bash
# Promotion gate: succeed only if WORKFLOW has a successful run for COMMIT_SHA, i.e. this exact
# commit already went through the lower environment. Needs GH_TOKEN (actions: read) and GH_REPO.
# Usage: scripts/require-deployed.sh <workflow file>
set -euo pipefail

workflow="${1:?usage: scripts/require-deployed.sh <workflow file>}"
: "${COMMIT_SHA:?COMMIT_SHA is required}"

runs="$(gh run list --workflow "${workflow}" --commit "${COMMIT_SHA}" --status success \
  --limit 1 --json databaseId --jq 'length')"
if [ "${runs}" = "0" ]; then
  echo "::error::${COMMIT_SHA} has no successful run of ${workflow}: promote only what the lower environment accepted" >&2
  exit 1
fi
echo "${COMMIT_SHA} passed ${workflow}"
